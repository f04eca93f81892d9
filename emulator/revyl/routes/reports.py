"""Shareable report links, as the Action requests them after a test completes."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import Depends
from starlette.responses import JSONResponse

from emulator.core.errors import BadRequest, NotFound
from emulator.core.namespaces import Namespace
from emulator.revyl.models import ShareableLinkRequest
from emulator.revyl.responses import ShareableReportLinkResponse
from emulator.revyl.state import revyl
from emulator.revyl.wire import UI_ORIGIN
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
    tests = revyl(ns).tests
    if body.task_id:
        execution = tests.get(body.task_id)
    elif body.history_id:
        found = next((e for e in tests.by_id.values()
                      if e.test_history_id == body.history_id), None)
        if found is None or (body.test_id and found.test_id != body.test_id):
            raise NotFound("Test history not found")
        execution = found
    else:
        raise BadRequest("Give task_id, or test_id and history_id")
    token = hashlib.sha256(f"{ns.key}:{execution.id}".encode()).hexdigest()[:32]
    origin = (body.origin or UI_ORIGIN).rstrip("/")
    link = f"{origin}/tests/report?taskId={execution.id}&shareToken={token}"
    return ok({"shareable_link": link, "task_id": execution.id,
               "expires_in_hours": body.expiration_hours or 168})
