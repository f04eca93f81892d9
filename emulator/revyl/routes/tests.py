"""Test definitions and their history, as the CLI reads them around a run."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.responses import (
    DeleteTestResponse,
    ReportContextResponse,
    SimpleTestsResponse,
    TestEnhancedHistoryResponse,
    TestResourceResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: tests")
Ns = Annotated[Namespace, Depends(namespace)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/api/v1/tests/get_test_by_id/{test_id}", response_model=TestResourceResponse,
            responses=errors(404))
async def get_test_by_id(test_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    test = state.catalog.test(test_id)
    history = state.tests.history(test_id)
    return ok(wire.test_resource(test, state.catalog, history[0] if history else None))


@router.delete("/api/v1/tests/delete/{test_id}", response_model=DeleteTestResponse,
               responses=errors(404))
async def delete_test(test_id: str, ns: Ns) -> JSONResponse:
    """``revyl test delete``: the CLI reads a 404 as "already deleted"."""
    test = revyl(ns).catalog.delete_test(test_id)
    return ok({"id": test.id, "message": f"Test '{test.name}' deleted"})


@router.get("/api/v1/tests/get_simple_tests", response_model=SimpleTestsResponse)
async def get_simple_tests(ns: Ns, limit: Limit = 100, offset: Offset = 0,
                           search: str | None = None) -> JSONResponse:
    catalog = revyl(ns).catalog
    tests = catalog.search_tests(search)
    page = tests[offset:offset + limit]
    return ok({"tests": [wire.simple_test(t, catalog) for t in page], "count": len(tests)})


@router.get("/api/v1/tests/get_test_enhanced_history",
            response_model=TestEnhancedHistoryResponse, responses=errors(404))
async def get_test_enhanced_history(test_id: Annotated[str, Query()], ns: Ns,
                                    limit: Limit = 10, offset: Offset = 0) -> JSONResponse:
    state = revyl(ns)
    history = state.tests.history_of(test_id)
    page = history[offset:offset + limit]
    org_id = state.catalog.org["org_id"]
    return ok({"items": [wire.history_item(e, org_id) for e in page],
               "total_count": len(history), "requested_count": limit,
               "found_count": len(page)})


@router.get("/api/v1/reports-v3/reports/by-execution/{task_id}/context",
            response_model=ReportContextResponse, responses=errors(404))
async def report_context(task_id: str, ns: Ns, include_steps: bool = False,
                         include_actions: bool = False,
                         include_llm_calls: bool = False) -> JSONResponse:
    state = revyl(ns)
    return ok(wire.report_context(state.tests.get(task_id), state.catalog, include_steps))
