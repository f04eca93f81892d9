"""Workflow executions and definitions, at every path the seed, the CLI and the Action use."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import workflow_wire as wire
from emulator.revyl.ci_headers import CI
from emulator.revyl.models import ExecuteWorkflowRequest, UnifiedReportRequest
from emulator.revyl.responses_workflows import (
    ExecuteWorkflowAsyncAPIResponse,
    GetWorkflowsWithLastStatusResponse,
    UnifiedReportResponse,
    WorkflowCancelResponse,
    WorkflowExecutionHistoryResponse,
    WorkflowExecutionsUpdate,
    WorkflowInfoResponse,
    WorkflowStatusResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: workflows")
Ns = Annotated[Namespace, Depends(namespace)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]
# One contract per handler, shared by the paths it is mounted at.
EXECUTE: dict[str, Any] = {"response_model": ExecuteWorkflowAsyncAPIResponse,
                           "responses": errors(404, 413)}
STATUS: dict[str, Any] = {"response_model": WorkflowStatusResponse, "responses": errors(404)}
TASK: dict[str, Any] = {"response_model": WorkflowExecutionsUpdate, "responses": errors(404)}
HISTORY: dict[str, Any] = {"response_model": WorkflowExecutionHistoryResponse,
                           "responses": errors(404)}
CANCEL: dict[str, Any] = {"response_model": WorkflowCancelResponse, "responses": errors(404)}


@router.post("/api/v1/execution/api/execute_workflow_id_async", **EXECUTE)
@router.post("/api/v1/workflow-executions", include_in_schema=False, **EXECUTE)
@router.post("/api/execute_workflow_id_async", include_in_schema=False, **EXECUTE)
async def execute_workflow(body: ExecuteWorkflowRequest, ci: CI, ns: Ns) -> JSONResponse:
    wf = revyl(ns).workflows.start(
        body.workflow_id, retries=body.retries, source=ci.source(None),
        concurrency_limit=body.concurrency_limit_override, request=body.recorded())
    return ok(wire.execute_workflow_response(wf))


@router.get("/api/v1/workflows/status/status/{task_id}", **STATUS)
@router.get("/api/v1/workflows/status/{task_id}", include_in_schema=False, **STATUS)
async def workflow_status(task_id: str, ns: Ns) -> JSONResponse:
    return ok(wire.workflow_status(revyl(ns).workflows.get(task_id)))


@router.get("/api/v1/workflows/tasks/workflow_task/{task_id}", **TASK)
async def workflow_task(task_id: str, ns: Ns) -> JSONResponse:
    return ok(wire.workflow_task(revyl(ns).workflows.get(task_id)))


@router.get("/api/v1/workflows/tasks/workflow_task", **TASK)
async def workflow_task_query(task_id: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    return ok(wire.workflow_task(revyl(ns).workflows.get(task_id)))


@router.get("/api/v1/workflows/history/{workflow_id}", **HISTORY)
@router.get("/api/v1/workflows/status/history/{workflow_id}", include_in_schema=False,
            **HISTORY)
async def workflow_history(workflow_id: str, ns: Ns, limit: Limit = 100,
                           offset: Offset = 0) -> JSONResponse:
    executions = revyl(ns).workflows.history_of(workflow_id)
    finished = [wf for wf in executions if wf.terminal]
    return ok(wire.history(workflow_id, executions[offset:offset + limit], len(executions),
                           finished))


@router.post("/api/v1/workflows/status/cancel/{task_id}", **CANCEL)
@router.post("/api/v1/execution/api/v1/workflows/status/cancel/{task_id}",
             include_in_schema=False, **CANCEL)
async def cancel_workflow(task_id: str, ns: Ns) -> JSONResponse:
    wf, cancelled = revyl(ns).workflows.cancel(task_id)
    message = ("Workflow execution cancelled" if cancelled
               else f"Workflow execution already finished with status '{wf.status}'")
    return ok({"success": cancelled, "message": message, "task_id": wf.id,
               "status": wf.status})


@router.get("/api/v1/workflows/get_workflow_info", response_model=WorkflowInfoResponse,
            responses=errors(404))
async def get_workflow_info(workflow_id: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    return ok(wire.workflow_info(revyl(ns).catalog.workflow(workflow_id)))


@router.get("/api/v1/workflows/get_with_last_status",
            response_model=GetWorkflowsWithLastStatusResponse)
async def get_with_last_status(ns: Ns, limit: Limit = 50, offset: Offset = 0,
                               history_limit: Annotated[int, Query(ge=0, le=100)] = 5,
                               search: str | None = None) -> JSONResponse:
    state = revyl(ns)
    workflows = state.catalog.search_workflows(search)
    page = workflows[offset:offset + limit]
    return ok({"data": [wire.with_last_status(w, state.workflows.history(w.id), history_limit)
                        for w in page],
               "count": len(page), "has_more": offset + len(page) < len(workflows),
               "limit": limit, "offset": offset, "total_count": len(workflows)})


@router.post("/api/v1/workflows/share/unified-report", response_model=UnifiedReportResponse,
             responses=errors(404, 413))
async def unified_report(body: UnifiedReportRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    return ok(wire.unified_report(state.workflows.get(body.workflow_task_id), state.catalog))
