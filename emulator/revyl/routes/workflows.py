"""Workflow executions and definitions, at every path the seed, the CLI and the Action use;
the management routes (create, rename, tests, settings, quarantine, share, delete) call the
WorkflowDefinitions service (emulator/revyl/workflow_defs.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Query
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import workflow_wire as wire
from emulator.revyl.ci_headers import CI
from emulator.revyl.models import ExecuteWorkflowRequest, UnifiedReportRequest
from emulator.revyl.responses_workflows import (
    CreateWorkflowResponse,
    DeleteWorkflowResponse,
    ExecuteWorkflowAsyncAPIResponse,
    FailurePolicyResponse,
    GetWorkflowsWithLastStatusResponse,
    UnifiedReportResponse,
    WorkflowCancelResponse,
    WorkflowExecutionHistoryResponse,
    WorkflowExecutionsUpdate,
    WorkflowInfoLiteResponse,
    WorkflowInfoResponse,
    WorkflowShareableLinkResponse,
    WorkflowStatusResponse,
    WorkflowTestsResponse,
    WorkflowUpdateResponse,
)
from emulator.revyl.state import revyl
from emulator.revyl.workflow_requests import (
    CreateWorkflowRequest,
    RenameWorkflowRequest,
    UpdateBuildConfigRequest,
    UpdateFailurePolicyRequest,
    UpdateLocationConfigRequest,
    UpdateRunConfigRequest,
    WorkflowShareLinkRequest,
)
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
UPDATE: dict[str, Any] = {"response_model": WorkflowUpdateResponse, "responses": errors(404)}
TestIds = Annotated[list[str], Body(description="The full new list of test ids")]


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


# ---------------------------------------------------------------------------- management
def _updated(ns: Namespace, workflow: Any, message: str) -> JSONResponse:
    return ok({"message": message,
               "data": wire.workflow_record(workflow, revyl(ns).catalog.org["org_id"])})


@router.post("/api/v1/workflows/create", response_model=CreateWorkflowResponse,
             responses=errors(400, 409))
async def create_workflow(body: CreateWorkflowRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    workflow = state.workflow_defs.create(body.name, body.tests, schedule=body.schedule,
                                          owner=body.owner)
    return ok({"data": wire.workflow_record(workflow, state.catalog.org["org_id"])})


@router.delete("/api/v1/workflows/delete/{workflow_id}", response_model=DeleteWorkflowResponse,
               responses=errors(404))
async def delete_workflow(workflow_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    workflow, last = state.workflow_defs.delete(workflow_id)
    return ok({"data": wire.workflow_record(workflow, state.catalog.org["org_id"], last,
                                            deleted=True),
               "message": f"Workflow '{workflow.name}' deleted"})


@router.get("/api/v1/workflows/get_info/{workflow_id}", response_model=WorkflowInfoLiteResponse,
            responses=errors(404))
async def get_info(workflow_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    workflow, last = state.workflow_defs.info(workflow_id)
    return ok(wire.info_lite(workflow, state.catalog, last))


@router.put("/api/v1/workflows/update_name/{workflow_id}", responses=errors(400, 404, 409),
            response_model=WorkflowUpdateResponse)
async def update_name(workflow_id: str, body: RenameWorkflowRequest, ns: Ns) -> JSONResponse:
    workflow = revyl(ns).workflow_defs.rename(workflow_id, body.name)
    return _updated(ns, workflow, "Workflow name updated")


@router.put("/api/v1/workflows/update_tests/{workflow_id}", response_model=WorkflowUpdateResponse,
            responses=errors(400, 404))
async def update_tests(workflow_id: str, test_ids: TestIds, ns: Ns) -> JSONResponse:
    workflow = revyl(ns).workflow_defs.set_tests(workflow_id, test_ids)
    return _updated(ns, workflow, "Workflow tests updated")


@router.put("/api/v1/workflows/update_build_config/{workflow_id}", **UPDATE)
async def update_build_config(workflow_id: str, body: UpdateBuildConfigRequest,
                              ns: Ns) -> JSONResponse:
    workflow = revyl(ns).workflow_defs.set_build_config(workflow_id, body.changes())
    return _updated(ns, workflow, "Workflow build config updated")


@router.put("/api/v1/workflows/update_location_config/{workflow_id}", **UPDATE)
async def update_location_config(workflow_id: str, body: UpdateLocationConfigRequest,
                                 ns: Ns) -> JSONResponse:
    workflow = revyl(ns).workflow_defs.set_location_config(workflow_id, body.location(),
                                                           body.override_location)
    return _updated(ns, workflow, "Workflow location config updated")


@router.put("/api/v1/workflows/update_run_config/{workflow_id}", **UPDATE)
async def update_run_config(workflow_id: str, body: UpdateRunConfigRequest,
                            ns: Ns) -> JSONResponse:
    workflow = revyl(ns).workflow_defs.set_run_config(workflow_id, body.changes())
    return _updated(ns, workflow, "Workflow run config updated")


@router.get("/api/v1/workflows/workflow/{workflow_id}/tests",
            response_model=WorkflowTestsResponse, responses=errors(404))
async def workflow_tests(workflow_id: str, ns: Ns) -> JSONResponse:
    links = revyl(ns).workflow_defs.workflow_tests(workflow_id)
    return ok({"data": [wire.workflow_test(link) for link in links]})


@router.patch("/api/v1/workflows/workflow-tests/{workflow_test_id}",
              response_model=FailurePolicyResponse, responses=errors(404))
async def update_failure_policy(workflow_test_id: str, body: UpdateFailurePolicyRequest,
                                ns: Ns) -> JSONResponse:
    link = revyl(ns).workflow_defs.set_failure_policy(workflow_test_id, body.failure_policy)
    return ok({"message": "Failure policy updated", "data": wire.workflow_test(link)})


@router.post("/api/v1/workflows/share/generate_shareable_link",
             response_model=WorkflowShareableLinkResponse, responses=errors(404))
async def workflow_shareable_link(body: WorkflowShareLinkRequest, ns: Ns) -> JSONResponse:
    link, children = revyl(ns).workflow_defs.share_link(body.workflow_task_id, body.origin,
                                                        body.include_child_tests)
    return ok({"shareable_link": link, "workflow_task_id": body.workflow_task_id,
               "expires_in_hours": body.expiration_hours, "child_links_created": children})
