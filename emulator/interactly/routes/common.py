"""Shared request pieces of the Interactly routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from emulator.core.aliases import mount_of
from emulator.core.auth import namespace
from emulator.core.ids import OBJECT_ID
from emulator.core.namespaces import Namespace

Ns = Annotated[Namespace, Depends(namespace)]
ObjectId = Annotated[str, Path(pattern=OBJECT_ID)]
PageNo = Annotated[int, Query(ge=1)]
Size = Annotated[int, Query(ge=1, le=500)]


def team(request: Request) -> str:
    return request.headers.get("teamid", "")


def user(request: Request) -> str:
    return request.headers.get("uuid", "")


def base_url(request: Request) -> str:
    """Where this API is mounted, for ``execution_url``: the public URL plus the prefix the
    caller used (``/workflows`` or none)."""
    public = request.app.state.settings.public_url or str(request.base_url)
    return public.rstrip("/") + mount_of(request.scope)
