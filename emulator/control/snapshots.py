"""``/_emulator/seed`` and ``/_emulator/snapshot``: load fixtures into a namespace, export a
namespace's whole state as JSON and import it back (the same document ``--state-file`` keeps).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from starlette.responses import JSONResponse

from emulator.control.routes import TAG, Ns
from emulator.core.auth import registry
from emulator.core.responses import detail_error, ok
from emulator.core.routing import StrictJSONRoute
from emulator.core.seeding import SeedDocument, seed
from emulator.core.snapshots import (
    SnapshotError,
    export_all,
    export_namespace,
    import_all,
    import_namespace,
)

router = APIRouter(prefix="/_emulator", tags=[TAG], route_class=StrictJSONRoute)


def _refused(exc: SnapshotError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


# A refused document is a 422 whose ``detail`` is one sentence; a body FastAPI cannot parse is
# its usual 422 list.
REFUSED: dict[int | str, dict[str, Any]] = {422: detail_error(
    "Validation error, or a snapshot refused as a whole", or_validation=True)}


@router.post("/seed")
async def post_seed(document: SeedDocument, request: Request, ns: Ns) -> JSONResponse:
    """Load fixtures (``revyl``: the ``fixtures/revyl.json`` shape; ``interactly.workflows``:
    hydrated configs) into the caller's namespace. ``mode``: ``merge`` (default; same id
    replaces) or ``replace``. Checked as a whole first: a 422 loads nothing."""
    answer = seed(ns, document, request.headers.get("teamid", ""),
                  request.headers.get("uuid", ""))
    return ok(answer)


@router.get("/snapshot")
async def get_snapshot(request: Request, ns: Ns, all: bool = False) -> JSONResponse:
    """The caller's namespace as one JSON document (``?all=true``: every namespace)."""
    if all:
        return ok(export_all(registry(request)))
    return ok(export_namespace(ns))


@router.post("/snapshot", responses=REFUSED)
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
