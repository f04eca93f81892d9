"""Test definitions and their history, as the CLI reads them around a run; the tagged list
(``revyl test query``, ``remote --tag``), duplicates and saved versions (``revyl test
duplicate``, ``versions``, ``restore``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.models import _Request
from emulator.revyl.responses import (
    DeleteTestResponse,
    ReportContextResponse,
    SimpleTestsResponse,
    TestEnhancedHistoryResponse,
    TestResourceResponse,
)
from emulator.revyl.responses_tests import (
    DuplicateTestResponse,
    TestListWithTagsResponse,
    TestRestoreVersionResponse,
    TestVersionListResponse,
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


class DuplicateTest(_Request):
    test_id: str = Field(min_length=1)
    new_name: str = Field("", max_length=255, description="Empty: '<name> (copy)'")
    copy_cookies: bool | None = None
    copy_variables: bool | None = Field(None, description="Unset: copied")
    new_app_id: str | None = None
    target_platform: str | None = None


class RestoreVersion(_Request):
    version: int = Field(ge=1)


@router.get("/api/v1/tests/get_test_by_id/{test_id}", response_model=TestResourceResponse,
            responses=errors(404))
async def get_test_by_id(test_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    test = state.catalog.test(test_id)
    history = state.tests.history(test_id)
    return ok(wire.test_resource(test, state.catalog, history[0] if history else None,
                                 state.tags.of(test)))


@router.delete("/api/v1/tests/delete/{test_id}", response_model=DeleteTestResponse,
               responses=errors(404))
async def delete_test(test_id: str, ns: Ns) -> JSONResponse:
    """``revyl test delete``: the CLI reads a 404 as "already deleted"."""
    test = revyl(ns).definitions.delete(test_id)
    return ok({"id": test.id, "message": f"Test '{test.name}' deleted"})


@router.get("/api/v1/tests/get_simple_tests", response_model=SimpleTestsResponse)
async def get_simple_tests(ns: Ns, limit: Limit = 100, offset: Offset = 0,
                           search: str | None = None) -> JSONResponse:
    state = revyl(ns)
    tests = state.catalog.search_tests(search)
    page = tests[offset:offset + limit]
    return ok({"tests": [wire.simple_test(t, state.catalog, state.tags.of(t)) for t in page],
               "count": len(tests)})


@router.get("/api/v1/tests/get_tests", response_model=TestListWithTagsResponse)
async def get_tests(ns: Ns, limit: Annotated[int, Query(ge=1, le=200)] = 150,
                    offset: Offset = 0, search: str | None = None,
                    platform: str | None = None, app_id: str | None = None,
                    sort_by: Literal["name", "platform", "created_at", "updated_at"] | None
                    = None, sort_dir: Literal["asc", "desc"] = "asc") -> JSONResponse:
    """``revyl test query`` / ``test remote --tag``: tests with their tags. The CLI filters
    by tag itself, page by page."""
    state = revyl(ns)
    tests = state.definitions.query(search, platform, app_id, sort_by, sort_dir)
    page = tests[offset:offset + limit]
    return ok({"tests": [wire.simple_test(t, state.catalog, state.tags.of(t)) for t in page],
               "count": len(page), "total_count": len(tests)})


@router.post("/api/v1/tests/duplicate", response_model=DuplicateTestResponse,
             responses=errors(400, 404, 409, 413))
async def duplicate_test(body: DuplicateTest, ns: Ns) -> JSONResponse:
    """``revyl test duplicate``."""
    done = revyl(ns).definitions.duplicate(
        body.test_id, body.new_name, copy_variables=body.copy_variables is not False,
        new_app_id=body.new_app_id, target_platform=body.target_platform)
    test = done.test
    return ok({"success": True, "message": f"Test duplicated as '{test.name}'",
               "test_id": test.id, "name": test.name, "platform": test.platform,
               "steps_count": len(test.steps), "tags_copied": done.tags_copied,
               "variables_copied": done.variables_copied, "cookies_copied": 0})


@router.get("/api/v1/tests/{test_id}/versions", response_model=TestVersionListResponse,
            responses=errors(404))
async def test_versions(test_id: str, ns: Ns) -> JSONResponse:
    """``revyl test versions``: newest first."""
    versions = revyl(ns).test_versions.history(test_id)
    return ok({"total": len(versions), "versions": [wire.test_version(v) for v in versions]})


@router.post("/api/v1/tests/{test_id}/restore", response_model=TestRestoreVersionResponse,
             responses=errors(404, 413))
async def restore_test_version(test_id: str, body: RestoreVersion, ns: Ns) -> JSONResponse:
    """``revyl test restore --version N``: N's tasks saved as a new version."""
    test = revyl(ns).definitions.restore_version(test_id, body.version)
    return ok({"message": f"Restored version {body.version} as version {test.version}",
               "new_version": test.version, "restored_from": body.version})


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
