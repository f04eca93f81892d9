"""Shared request pieces of the Interactly routers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError

from emulator.core.ids import OBJECT_ID
from emulator.core.namespaces import Namespace
from emulator.web.aliases import mount_of
from emulator.web.auth import namespace

Ns = Annotated[Namespace, Depends(namespace)]
ObjectId = Annotated[str, Path(pattern=OBJECT_ID)]
#: An optional ObjectId filter in the query (``?workflow_id=``): a malformed one is a 422, not
#: an empty list.
ObjectIdQuery = Annotated[str | None, Query(pattern=OBJECT_ID)]
PageNo = Annotated[int, Query(ge=1)]
Size = Annotated[int, Query(ge=1, le=500)]


_OBJECT_ID = re.compile(OBJECT_ID)


def check_object_id(value: Any, loc: tuple[str, ...]) -> None:
    """An optional ObjectId inside a free-form body, held to the pattern a typed field would
    be: FastAPI's 422, worded as pydantic words it."""
    if value is None:
        return
    if not isinstance(value, str):
        raise RequestValidationError([{"type": "string_type", "loc": loc,
                                       "msg": "Input should be a valid string", "input": value}])
    if not _OBJECT_ID.match(value):
        raise RequestValidationError([{
            "type": "string_pattern_mismatch", "loc": loc,
            "msg": f"String should match pattern '{OBJECT_ID}'", "input": value,
            "ctx": {"pattern": OBJECT_ID}}])


def team(request: Request) -> str:
    return request.headers.get("teamid", "")


def user(request: Request) -> str:
    return request.headers.get("uuid", "")


def base_url(request: Request) -> str:
    """Where this API is mounted, for ``execution_url``: the public URL plus the prefix the
    caller used (``/workflows`` or none)."""
    public = request.app.state.settings.public_url or str(request.base_url)
    return public.rstrip("/") + mount_of(request.scope)
