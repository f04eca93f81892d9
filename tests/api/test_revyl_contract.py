"""Revyl's published wire contract: every route declares what it answers (a response model,
or a media type for the event stream), each error status it may answer has the ``{"detail"}``
body, and ``--strict`` holds the emulator to all of it: a drift is a 500 that names the route
and the field, so it cannot pass a test unnoticed.

The app here is always strict (whatever ``EMULATOR_STRICT`` says), and the clock is moved
through the namespace itself rather than the control plane, so these tests depend on no other
family's contract."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from emulator.core.errors import Conflict
from emulator.revyl import wire, workflow_wire
from emulator.revyl.executions import TestExecutions
from emulator.settings import Settings
from emulator.web.contract import ErrorResponse
from emulator.web.lazy import ensure_all
from emulator.web.routing import all_routes

from .conftest import EXECUTE, LOGIN, STATUS, start

pytestmark = pytest.mark.anyio

AREA = "emulator.revyl.routes."
ELSEWHERE = {"emulator.revyl.routes.uploads"}  # the presigned-upload family's own contract
SMOKE = "f1000000-0000-4000-8000-000000000001"
ANDROID = "a1000000-0000-4000-8000-000000000001"
STREAM = "/api/v1/monitor/stream/unified"


@pytest.fixture
def emulator_settings() -> Settings:
    return Settings(clock="manual", seed=0, strict=True)


def revyl_routes(app: Any) -> list[APIRoute]:
    ensure_all(app)
    return [route for route in all_routes(app) if isinstance(route, APIRoute)
            and route.endpoint.__module__.startswith(AREA)
            and route.endpoint.__module__ not in ELSEWHERE]


def idle(app: Any, token: str) -> None:
    """Every timer of the token's namespace fired (white-box: no control-plane call)."""
    app.state.registry.get(token).clock.run_until_idle()


# ---------------------------------------------------------------------------- declarations
def test_every_revyl_route_declares_its_success_answer(emulator_app):
    routes = revyl_routes(emulator_app)
    assert len(routes) >= 60  # every path of every family, aliases mounted as routes included
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes
                  if r.response_model is None and (r.status_code or 200) not in r.responses]
    assert undeclared == []


def test_every_declared_error_answers_the_detail_body(emulator_app):
    wrong = [(r.path, code) for r in revyl_routes(emulator_app)
             for code, spec in r.responses.items()
             if int(code) >= 400 and spec.get("model") is not ErrorResponse]
    assert wrong == []


def test_the_monitor_stream_is_declared_as_an_event_stream(emulator_app):
    route = next(r for r in revyl_routes(emulator_app) if r.path == STREAM)
    assert route.response_model is None
    assert list(route.responses[200]["content"]) == ["text/event-stream"]


def test_revyl_models_keep_their_own_names_in_the_openapi(emulator_app):
    """FastAPI qualifies a component name with its module path when two models share it:
    a Revyl model named like another family's would show up as ``emulator__revyl__...``."""
    schemas = emulator_app.openapi()["components"]["schemas"]
    assert [name for name in schemas if name.startswith("emulator__revyl")] == []
    for name in ("TestStatusResponse", "ExecuteTestAsyncAPIResponse", "WorkflowStatusResponse",
                 "CancelTestResponse", "BuildResponse", "PaginatedBuildsResponse"):
        assert name in schemas


# ---------------------------------------------------------------------------- strict catches drift
async def test_a_dropped_required_field_is_a_500_naming_it(emulator_client, monkeypatch):
    real = wire.test_status
    monkeypatch.setattr(wire, "test_status", lambda e: {
        k: v for k, v in real(e).items() if k != "test_history_id"})
    task = await start(emulator_client)
    response = await emulator_client.get(STATUS, params={"task_id": task})
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert detail.startswith("Strict mode: GET /api/v1/tests/get_test_execution_task broke")
    assert "TestStatusResponse" in detail and "test_history_id: Field required" in detail


async def test_a_number_where_the_go_cli_wants_a_string_is_caught(emulator_client, monkeypatch):
    """Spec §1.4: ``WorkflowStatusResponse.duration`` is a string; a number made the CLI's
    decoder drop the whole answer."""
    real = workflow_wire.workflow_status
    monkeypatch.setattr(workflow_wire, "workflow_status",
                        lambda wf: {**real(wf), "duration": 12.5})
    started = await emulator_client.post("/api/v1/workflow-executions",
                                         json={"workflow_id": SMOKE})
    task = started.json()["task_id"]
    response = await emulator_client.get(f"/api/v1/workflows/status/{task}")
    assert response.status_code == 500
    assert "duration: Input should be a valid string" in response.json()["detail"]


async def test_a_float_where_an_int_is_declared_is_caught(emulator_client, monkeypatch):
    real = wire.test_status
    monkeypatch.setattr(wire, "test_status", lambda e: {**real(e), "current_step_index": 0.0})
    task = await start(emulator_client)
    detail = (await emulator_client.get(STATUS, params={"task_id": task})).json()["detail"]
    assert "current_step_index: Input should be a valid integer" in detail


async def test_an_undeclared_field_is_caught(emulator_client, monkeypatch):
    real = wire.cancel_response
    monkeypatch.setattr(wire, "cancel_response", lambda e, c: {**real(e, c), "cancelled_by": 1})
    task = await start(emulator_client)
    response = await emulator_client.post(f"/api/v1/execution/tests/status/cancel/{task}")
    assert response.status_code == 500
    assert "cancelled_by: Extra inputs are not permitted" in response.json()["detail"]


async def test_a_status_outside_the_enum_is_caught(emulator_client, monkeypatch):
    real = wire.execute_test_response
    monkeypatch.setattr(wire, "execute_test_response",
                        lambda e: {**real(e), "status": "success"})
    response = await emulator_client.post(EXECUTE, json={"test_id": LOGIN})
    assert response.status_code == 500
    assert "status: Input should be" in response.json()["detail"]


async def test_an_undeclared_error_status_is_caught(emulator_client, monkeypatch):
    def conflict(self: TestExecutions, task_id: str) -> None:
        raise Conflict("not declared on this route")

    monkeypatch.setattr(TestExecutions, "get", conflict)
    response = await emulator_client.get(STATUS, params={"task_id": "anything"})
    assert response.status_code == 500
    assert "status 409 is not declared" in response.json()["detail"]


async def test_declared_errors_pass_through_unchanged(emulator_client):
    missing = await emulator_client.get(STATUS, params={"task_id": "nope"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Test execution not found"}
    clash = await emulator_client.post("/api/v1/apps/", json={"name": "acme-shop-android",
                                                              "platform": "android"})
    assert clash.status_code == 409
    assert clash.json() == {"detail": "An app named 'acme-shop-android' already exists"}
    rejected = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/stream-upload", params={"version": "9.9.9"},
        files={"file": ("app.ipa", b"PK\x03\x04")})
    assert rejected.status_code == 400  # an object detail (spec §1.3) is declared too
    assert rejected.json()["detail"]["code"] == "build_artifact_rejected"


# ---------------------------------------------------------------------------- strict tour
async def test_finished_runs_keep_the_contract_on_every_read(emulator_client, emulator_app,
                                                              emulator_token):
    """Terminal states (success flags, durations, report steps) through every read route."""
    c = emulator_client
    task = await start(c)
    workflow = (await c.post("/api/v1/workflow-executions", json={"workflow_id": SMOKE})).json()
    idle(emulator_app, emulator_token)
    wf = workflow["task_id"]
    for method, path, kwargs in [
        ("GET", STATUS, {"params": {"task_id": task}}),
        ("GET", "/api/v1/tests/get_enhanced_test_execution_task", {"params": {"task_id": task}}),
        ("POST", f"/api/v1/execution/tests/status/cancel/{task}", {}),
        ("GET", f"/api/v1/tests/get_test_by_id/{LOGIN}", {}),
        ("GET", "/api/v1/tests/get_test_enhanced_history", {"params": {"test_id": LOGIN}}),
        ("GET", f"/api/v1/reports-v3/reports/by-execution/{task}/context",
         {"params": {"include_steps": True}}),
        ("POST", "/api/v1/report/async-run/generate_shareable_report_link_by_task",
         {"json": {"task_id": task}}),
        ("GET", f"/api/v1/workflows/status/{wf}", {}),
        ("GET", f"/api/v1/workflows/tasks/workflow_task/{wf}", {}),
        ("GET", f"/api/v1/workflows/status/history/{SMOKE}", {}),
        ("GET", "/api/v1/workflows/get_with_last_status", {}),
        ("POST", "/api/v1/workflows/share/unified-report", {"json": {"workflow_task_id": wf}}),
        ("POST", f"/api/v1/workflows/status/cancel/{wf}", {}),
    ]:
        response = await c.request(method, path, **kwargs)
        assert response.status_code == 200, response.text


async def test_the_routes_no_other_suite_reads_keep_the_contract(emulator_client):
    c = emulator_client
    for method, path, kwargs in [
        ("GET", "/api/v1/variables/org_launch_env", {}),
        ("GET", "/api/v1/variables/org_launch_env/test-attachments",
         {"params": {"test_id": LOGIN}}),
        ("PUT", "/api/v1/variables/org_launch_env/test-attachments",
         {"json": {"test_id": LOGIN}}),
        ("GET", f"/api/v1/tests/tags/tests/{LOGIN}", {}),
        ("DELETE", "/api/v1/variables/custom/delete_all", {"params": {"test_uid": LOGIN}}),
        ("GET", f"/api/v1/apps/{ANDROID}/builds", {"params": {"include_download_urls": True}}),
        ("GET", "/api/v1/apps/", {"params": {"platform": "android"}}),
    ]:
        response = await c.request(method, path, **kwargs)
        assert response.status_code == 200, response.text
    attached = await c.put("/api/v1/variables/org_launch_env/test-attachments",
                           json={"test_id": LOGIN, "env_var_ids": ["x"]})
    assert attached.status_code == 409, attached.text


# ---------------------------------------------------------------------------- drifts strict found
async def test_yaml_tags_reach_the_wire_as_strings(emulator_client):
    """A YAML number tag used to be stored as a number (``TestTag.name`` is a string), a bare
    tag was split into its letters, and a mapping tag was stored as is."""
    c = emulator_client

    async def create(name: str, tags: str) -> Any:
        yaml = (f"test:\n  metadata:\n    name: {name}\n    platform: android\n"
                f"    tags: {tags}\n  build:\n    name: acme-shop-android\n"
                "  blocks:\n    - type: instructions\n      step_description: go\n")
        return (await c.post("/api/v1/tests/yaml/from-yaml",
                             json={"yaml_content": yaml})).json()

    numbered = await create("numbered-tags", "[1, smoke, ~]")
    test = (await c.get(f"/api/v1/tests/get_test_by_id/{numbered['test_id']}")).json()
    assert [t["name"] for t in test["tags"]] == ["1", "smoke"]
    bare = await create("bare-tag", "smoke")
    test = (await c.get(f"/api/v1/tests/get_test_by_id/{bare['test_id']}")).json()
    assert [t["name"] for t in test["tags"]] == ["smoke"]
    nested = await create("nested-tag", "[{a: 2}]")
    assert nested["success"] is False and nested["test_id"] is None
    assert nested["errors"] == ["test.metadata.tags: INVALID_FIELD_TYPE: each tag must be a "
                                "string"]


async def test_build_metadata_cannot_break_the_typed_build_fields(emulator_client, emulator_app,
                                                                  emulator_token):
    """Build metadata is the uploader's to write, and the emulator read ``artifact_kind`` and
    ``artifact_validation.warnings`` back out of it: a number there broke ``BuildResponse``,
    and a string in place of ``artifact_validation`` made complete-upload a 500."""
    from emulator.revyl.state import revyl

    c = emulator_client
    listed = (await c.get(f"/api/v1/apps/{ANDROID}/builds")).json()["items"]
    patched = await c.patch(f"/api/v1/apps/builds/{listed[0]['id']}",
                            json={"metadata": {"artifact_kind": 5}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["artifact_kind"] is None and patched.json()["metadata"][
        "artifact_kind"] == 5
    ticket = (await c.post(f"/api/v1/apps/{ANDROID}/builds/upload-url",
                           params={"version": "8.0.0", "file_name": "app.apk"})).json()
    revyl(emulator_app.state.registry.get(emulator_token)).builds.receive(
        ticket["upload_id"], b"PK\x03\x04not really an apk")
    done = await c.post(f"/api/v1/apps/builds/{ticket['version_id']}/complete-upload",
                        json={"metadata": {"artifact_validation": "overwritten"}})
    assert done.status_code == 200, done.text
    assert done.json()["warnings"] == [] and done.json()["version_id"] == ticket["version_id"]
