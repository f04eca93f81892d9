"""Who am I, health and telemetry: the calls every CLI command starts or ends with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.responses import AuthInfo, HealthCheckResponse, TelemetryResponse
from emulator.revyl.state import revyl
from emulator.web.auth import bearer_token, namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute, api_router

TAG = "Revyl: account"
public = APIRouter(tags=[TAG], route_class=StrictJSONRoute)
router = api_router(TAG)


@public.get("/health_check", response_model=HealthCheckResponse)
async def health_check() -> JSONResponse:
    return ok({"status": "healthy"})


@router.get("/api/v1/entity/users/get_user_uuid", response_model=AuthInfo)
async def get_user_uuid(request: Request,
                        ns: Annotated[Namespace, Depends(namespace)]) -> JSONResponse:
    return ok(wire.auth_info(revyl(ns).catalog.org, bearer_token(request)))


@router.post("/api/v1/telemetry/{kind}", response_model=TelemetryResponse,
             responses=errors(413))
async def telemetry(kind: str, body: Annotated[Any, Body()] = None) -> JSONResponse:
    """Accepted and dropped: the emulator never phones anywhere."""
    return ok({"success": True})
