"""``GET /v1/session`` at the gateway root: a single-use token for the WebSocket."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse

from emulator.interactly.responses.core import SessionResponse
from emulator.interactly.routes.common import Ns
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute

# A plain router (api_router declares 401 for its routes): the handler resolves the caller's
# namespace itself, so its 401 is declared on the route.
router = APIRouter(tags=["Interactly: runs"], route_class=StrictJSONRoute)


@router.get("/v1/session", response_model=SessionResponse, responses=errors(401))
async def session(ns: Ns) -> JSONResponse:
    return ok({"data": {"id": interactly(ns).new_session()}})
