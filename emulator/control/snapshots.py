"""``/_emulator/seed`` and ``/_emulator/snapshot``: load fixtures into a namespace, export a
namespace's whole state as JSON and import it back (the same document ``--state-file`` keeps).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import JSONResponse, StreamingResponse

from emulator.control.admin import require_all
from emulator.control.responses import (
    AllNamespacesSnapshot,
    NamespaceSnapshot,
    SeedResponse,
    SnapshotImportResponse,
)
from emulator.control.routes import TAG, Ns
from emulator.core.namespaces import Namespace
from emulator.core.pacing import paced
from emulator.core.seeding import seed
from emulator.core.snapshots import (
    SCHEMA_VERSION,
    SnapshotError,
    export_documents,
    export_namespace,
    import_all,
    import_namespace,
    live_entries,
    namespace_entries,
    stage_all,
)
from emulator.interactly.seed import SeedInteractly
from emulator.revyl.seed import SeedRevyl
from emulator.web.auth import registry
from emulator.web.contract import errors
from emulator.web.responses import encode_json, ok
from emulator.web.routing import StrictJSONRoute

# Every route reads the bearer token: 401 without one; ``?all=true`` without the admin token
# (when one is set) is a 403.
router = APIRouter(prefix="/_emulator", tags=[TAG], route_class=StrictJSONRoute,
                   responses=errors(401))
FORBIDDEN = errors(403)


class SeedDocument(BaseModel):
    """One part per API; each API's registered seeder checks and applies its own."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["merge", "replace"] = "merge"
    revyl: SeedRevyl | None = None
    interactly: SeedInteractly | None = None


def _refused(exc: SnapshotError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


# Documents can be large (a snapshot carries builds as base64): past the body cap is a 413.
# A refused snapshot is a 422 whose ``detail`` is one sentence; a refused seed document, and a
# body FastAPI cannot parse, the usual 422 list. Either way nothing was loaded.
REFUSED = errors(403, 413, 422)
REFUSED[422] = {**REFUSED[422], "description": "Invalid input, or a document refused as a "
                                               "whole: nothing was loaded"}


@router.post("/seed", response_model=SeedResponse, responses=REFUSED)
async def post_seed(document: SeedDocument, request: Request, ns: Ns) -> JSONResponse:
    """Load fixtures (``revyl``: the ``fixtures/revyl.json`` shape; ``interactly.workflows``:
    hydrated configs) into the caller's namespace. ``mode``: ``merge`` (default; same id
    replaces) or ``replace``. Checked as a whole first: a 422 loads nothing."""
    parts = {"revyl": document.revyl, "interactly": document.interactly}
    caller = {"team_id": request.headers.get("teamid", ""),
              "user": request.headers.get("uuid", "")}
    answer = seed(ns, document.mode, parts, caller)
    return ok(answer)


@router.get("/snapshot", response_model=NamespaceSnapshot | AllNamespacesSnapshot,
            responses=FORBIDDEN)
async def get_snapshot(request: Request, ns: Ns,
                       all: bool = False) -> JSONResponse | StreamingResponse:
    """The caller's namespace as one JSON document (``?all=true``: every namespace, streamed
    one namespace at a time)."""
    if all:
        require_all(request)
        return StreamingResponse(_export_stream(request), media_type="application/json")
    return ok(export_namespace(ns))


async def _export_stream(request: Request) -> AsyncIterator[bytes]:
    """The all-namespaces document, encoded namespace by namespace: thousands of namespaces
    exported and encoded in one go held the event loop (health included) for seconds. Each
    namespace is as it was when reached, not all of them at one instant."""
    yield b'{"schema_version":%d,"namespaces":[' % SCHEMA_VERSION
    first = True
    documents = export_documents(registry(request))
    async for encoded in paced(encode_json(document) for document in documents):
        yield (b"" if first else b",") + encoded
        first = False
    yield b"]}"


@router.post("/snapshot", response_model=SnapshotImportResponse, responses=REFUSED)
async def post_snapshot(request: Request, ns: Ns, all: bool = False,
                        document: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
    """Replace the caller's namespace with a snapshot (``?all=true``: a document of every
    namespace, all or nothing; namespaces not seen yet are restored when their token is first
    used)."""
    try:
        if all:
            require_all(request)
            counts = await _import_all(request, document)
            return ok({**counts, "namespace": ns.key})
        import_namespace(ns, document)
    except SnapshotError as exc:
        return _refused(exc)
    return ok({"imported": 1, "namespace": ns.key})


async def _import_all(request: Request, document: dict[str, Any]) -> dict[str, int]:
    """The document of every live namespace loaded into a scratch namespace first, yielding to
    the event loop in between (nothing live changes meanwhile), then the live namespaces
    replaced in one go."""
    reg = registry(request)
    entries = namespace_entries(document)

    def stage(name: str) -> Namespace:
        return Namespace(name, reg.settings, reg.apis)

    async for _ in paced(stage_all(live_entries(entries, reg), stage)):
        pass
    return import_all(reg, document, stage, staged=True)
