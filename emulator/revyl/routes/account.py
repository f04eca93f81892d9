"""Who am I, health and telemetry: the calls every CLI command starts or ends with; and the
account-level reads and writes around them (billing plan, dashboard metrics, CLI key
revocation, support requests: emulator/revyl/account.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.models import _Request
from emulator.revyl.responses import AuthInfo, HealthCheckResponse, TelemetryResponse
from emulator.revyl.responses_variables import (
    BillingPlanResponse,
    DashboardMetrics,
    RevokeCLIAPIKeyResponse,
    SupportRequestResponse,
)
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


class RevokeKeyIn(_Request):
    api_key_id: str = Field(min_length=1)


class Attachment(_Request):
    name: str
    size: int = Field(ge=0)
    type: str | None = None
    last_modified: int | str | None = None


class SupportIn(_Request):
    type: Literal["bug", "feature", "other"]
    message: str = Field(min_length=1, max_length=4000)
    current_url: str | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    attachments: list[Attachment] = Field(default_factory=list)


@router.get("/api/v1/execution/billing/plan", response_model=BillingPlanResponse)
async def billing_plan(ns: Annotated[Namespace, Depends(namespace)]) -> JSONResponse:
    return ok(revyl(ns).account.billing_plan())


@router.get("/api/v1/entity/users/get_dashboard_metrics", response_model=DashboardMetrics)
async def dashboard_metrics(ns: Annotated[Namespace, Depends(namespace)]) -> JSONResponse:
    return ok(revyl(ns).account.dashboard_metrics())


@router.post("/api/v1/entity/users/revoke_cli_api_key", response_model=RevokeCLIAPIKeyResponse,
             responses=errors(404, 413))
async def revoke_cli_api_key(body: RevokeKeyIn,
                             ns: Annotated[Namespace, Depends(namespace)]) -> JSONResponse:
    revyl(ns).account.revoke_cli_key(body.api_key_id)
    return ok({"success": True, "message": "CLI API key revoked"})


@router.post("/api/v1/support/requests", response_model=SupportRequestResponse,
             responses=errors(413))
async def support_request(body: SupportIn,
                          ns: Annotated[Namespace, Depends(namespace)]) -> JSONResponse:
    """``revyl feedback``: kept in the namespace, never sent anywhere."""
    revyl(ns).account.support_request(body.type, body.message, body.current_url, body.context,
                                      [a.model_dump(exclude_none=True) for a in body.attachments])
    return ok({"sent": True})
