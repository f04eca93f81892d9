"""``GET /v1/session`` at the gateway root: a single-use token for the WebSocket."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse

from emulator.core.responses import ok
from emulator.core.routing import StrictJSONRoute
from emulator.interactly.routes.common import Ns
from emulator.interactly.state import interactly

router = APIRouter(tags=["Interactly: runs"], route_class=StrictJSONRoute)


@router.get("/v1/session")
async def session(ns: Ns) -> JSONResponse:
    return ok({"data": {"id": interactly(ns).new_session()}})
