"""Shareable report links, as the Action requests them after a test completes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.models import ShareableLinkRequest
from emulator.revyl.responses import ShareableReportLinkResponse
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: reports")
Ns = Annotated[Namespace, Depends(namespace)]
LINK: dict[str, Any] = {"response_model": ShareableReportLinkResponse,
                        "responses": errors(400, 404, 413)}


@router.post("/api/v1/report/async-run/generate_shareable_report_link", **LINK)
@router.post("/api/v1/report/async-run/generate_shareable_report_link_by_task",
             include_in_schema=False, **LINK)
async def shareable_link(body: ShareableLinkRequest, ns: Ns) -> JSONResponse:
    """Accepts ``task_id`` or ``{test_id, history_id}`` (both generations of the API)."""
    execution = revyl(ns).tests.for_report(body.task_id, body.test_id, body.history_id)
    return ok(wire.shareable_link(ns.key, execution.id, body.origin,
                                  body.expiration_hours or 168))
