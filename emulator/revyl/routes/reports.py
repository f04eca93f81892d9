"""Shareable report links, as the Action requests them after a test completes; and the
reads ``revyl run`` makes of a report by its session (the emulated runs have no device
sessions: a run's session is addressed by its execution id) and of its device logs (never
captured: emulator/revyl/account.py)."""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

from fastapi import Depends
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.models import ShareableLinkRequest, _Request
from emulator.revyl.responses import ReportContextResponse, ShareableReportLinkResponse
from emulator.revyl.responses_variables import DeviceLogsDownloadResponse
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


class SessionLinkRequest(_Request):
    session_id: str = Field(min_length=1)
    origin: str | None = None
    expiration_hours: int | None = Field(None, ge=1, le=24 * 365)


@router.post("/api/v1/report/async-run/generate_shareable_report_link_by_session", **LINK)
async def shareable_link_by_session(body: SessionLinkRequest, ns: Ns) -> JSONResponse:
    execution = revyl(ns).tests.get(body.session_id)
    return ok(wire.shareable_link(ns.key, execution.id, body.origin,
                                  body.expiration_hours or 168))


@router.get("/api/v1/reports-v3/reports/by-session/{session_id}/context",
            response_model=ReportContextResponse, responses=errors(404))
async def report_by_session(session_id: str, ns: Ns, include_steps: bool = False,
                            include_actions: bool = False,
                            include_llm_calls: bool = False) -> JSONResponse:
    """The same context as by-execution (the CLI maps a 404 to "report not found")."""
    state = revyl(ns)
    return ok(wire.report_context(state.tests.get(session_id), state.catalog, include_steps))


@router.get("/api/v1/reports-v3/reports/{report_id}/device-logs",
            response_model=DeviceLogsDownloadResponse, responses=errors(404))
async def device_logs(report_id: str, ns: Ns) -> NoReturn:
    """``report_id`` is a report context's ``id``: always a 404 (no logs, or no report)."""
    revyl(ns).account.device_logs(report_id)
