"""Test executions: start (both host paths), poll, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.ci_headers import CI
from emulator.revyl.models import ExecuteTestRequest
from emulator.revyl.responses import (
    CancelTestResponse,
    ExecuteTestAsyncAPIResponse,
    TestExecutionTasksEnhanced,
    TestStatusResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: test executions")
Ns = Annotated[Namespace, Depends(namespace)]
# One contract for both host paths (the device-host alias is the GitHub Action's).
EXECUTE: dict[str, Any] = {"response_model": ExecuteTestAsyncAPIResponse,
                           "responses": errors(404, 413)}


@router.post("/api/v1/execution/api/execute_test_id_async", **EXECUTE)
@router.post("/api/execute_test_id_async", include_in_schema=False, **EXECUTE)
async def execute_test(body: ExecuteTestRequest, ci: CI, ns: Ns) -> JSONResponse:
    execution = revyl(ns).tests.start(
        body.test_id, retries=body.retries, source=ci.source(body.source),
        build_version_id=body.build_version_id, request=body.recorded())
    return ok(wire.execute_test_response(execution))


@router.get("/api/v1/tests/get_test_execution_task", response_model=TestStatusResponse,
            responses=errors(404))
async def get_test_execution_task(task_id: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    return ok(wire.test_status(revyl(ns).tests.get(task_id)))


@router.get("/api/v1/tests/get_enhanced_test_execution_task",
            response_model=TestExecutionTasksEnhanced, responses=errors(404))
async def get_enhanced_test_execution_task(task_id: Annotated[str, Query()],
                                           ns: Ns) -> JSONResponse:
    state = revyl(ns)
    return ok(wire.enhanced_task(state.tests.get(task_id), state.catalog.org["org_id"]))


@router.post("/api/v1/execution/tests/status/cancel/{task_id}",
             response_model=CancelTestResponse, responses=errors(404))
async def cancel_test(task_id: str, ns: Ns) -> JSONResponse:
    execution, cancelled = revyl(ns).tests.cancel(task_id)
    return ok(wire.cancel_response(execution, cancelled))
