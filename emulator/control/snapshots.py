"""``/_emulator/seed`` and ``/_emulator/snapshot``: load fixtures into a namespace, export a
namespace's whole state as JSON and import it back (the same document ``--state-file`` keeps).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import JSONResponse

from emulator.control.responses import (
    AllNamespacesSnapshot,
    NamespaceSnapshot,
    SeedResponse,
    SnapshotImportResponse,
)
from emulator.control.routes import TAG, Ns
from emulator.core.seeding import seed
from emulator.core.snapshots import (
    SnapshotError,
    export_all,
    export_namespace,
    import_all,
    import_namespace,
)
from emulator.interactly.seed import SeedInteractly
from emulator.revyl.seed import SeedRevyl
from emulator.web.auth import registry
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute

# Every route reads the bearer token: 401 without one.
router = APIRouter(prefix="/_emulator", tags=[TAG], route_class=StrictJSONRoute,
                   responses=errors(401))


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
REFUSED = errors(413, 422)
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


@router.get("/snapshot", response_model=NamespaceSnapshot | AllNamespacesSnapshot)
async def get_snapshot(request: Request, ns: Ns, all: bool = False) -> JSONResponse:
    """The caller's namespace as one JSON document (``?all=true``: every namespace)."""
    if all:
        return ok(export_all(registry(request)))
    return ok(export_namespace(ns))


@router.post("/snapshot", response_model=SnapshotImportResponse, responses=REFUSED)
async def post_snapshot(request: Request, ns: Ns, all: bool = False,
                        document: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
    """Replace the caller's namespace with a snapshot (``?all=true``: a document of every
    namespace; namespaces not seen yet are restored when their token is first used)."""
    try:
        if all:
            counts = import_all(registry(request), document)
            return ok({**counts, "namespace": ns.key})
        import_namespace(ns, document)
    except SnapshotError as exc:
        return _refused(exc)
    return ok({"imported": 1, "namespace": ns.key})
