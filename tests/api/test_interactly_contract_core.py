"""Interactly's core run path (workflows, versions, nodes/edges/tools, runs, feedback, re-runs,
schemas, the WebSocket session) declares what it answers, and ``--strict`` holds the emulator
to it: a drift is a 500 that names the route and the field.

The app here is always strict (whatever ``EMULATOR_STRICT`` says)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import WebSocketRoute

from emulator.app import create_app
from emulator.core.errors import ApiError
from emulator.interactly import feedback as feedback_service
from emulator.interactly import wire
from emulator.settings import Settings
from emulator.web.contract import ErrorResponse, ServiceErrorResponse
from emulator.web.lazy import ensure_all
from emulator.web.routing import all_routes

from .conftest import SDK_HEADERS

pytestmark = pytest.mark.anyio

AREA = {f"emulator.interactly.routes.{name}" for name in (
    "workflows", "graph", "runs", "session", "stream", "reruns", "feedback", "schemas")}
PREFIX = "/workflows/v1"
START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
STATIC = {"name": "contract", "workflow_config": {"name": "contract"},
          "node_configs": [{"type": "say_static", "logical_id": "node_a", "name": "A",
                            "is_start": True,
                            "static_messages_config": {"static_messages": ["hi"]}}],
          "edge_configs": []}
# Path parameters that name a stored document: an unknown one is a 404.
DOCUMENT_IDS = ("{workflow_id}", "{run_id}", "{doc_id}")


@pytest.fixture
def emulator_settings() -> Settings:
    return Settings(clock="manual", seed=0, strict=True)


def core_routes(app: Any) -> list[APIRoute]:
    ensure_all(app)
    return [route for route in all_routes(app) if isinstance(route, APIRoute)
            and route.endpoint.__module__ in AREA]


async def finished_run(client: httpx.AsyncClient) -> tuple[str, str]:
    wid = (await client.post(f"{PREFIX}/workflows", json=STATIC)).json()["workflow"]["_id"]
    answer = await client.post(f"{PREFIX}/workflows/{wid}/execute", json={"run_input": START})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "completed"
    return wid, answer.json()["run_id"]


# ---------------------------------------------------------------------------- declarations
def test_every_core_route_declares_its_success_answer(emulator_app):
    routes = core_routes(emulator_app)
    assert len(routes) >= 55
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes
                  if r.response_model is None and (r.status_code or 200) not in r.responses]
    assert undeclared == []


def test_routes_on_a_stored_document_declare_404(emulator_app):
    missing = [f"{sorted(r.methods)} {r.path}" for r in core_routes(emulator_app)
               if any(p in r.path for p in DOCUMENT_IDS) and 404 not in r.responses]
    assert missing == []


def test_every_declared_error_has_an_error_body(emulator_app):
    allowed = (ErrorResponse, ErrorResponse | ServiceErrorResponse)
    wrong = [(r.path, code) for r in core_routes(emulator_app)
             for code, spec in r.responses.items()
             if int(code) >= 400 and spec.get("model") not in allowed]
    assert wrong == []


def test_a_rerun_declares_both_of_its_success_statuses(emulator_app):
    route = next(r for r in core_routes(emulator_app) if r.path.endswith("/rerun"))
    assert route.status_code == 202 and 200 in route.responses
    assert ServiceErrorResponse.__name__ in repr(route.responses[400]["model"])


def test_the_websocket_stays_mounted_outside_the_openapi(emulator_app):
    ensure_all(emulator_app)
    sockets = [r for r in all_routes(emulator_app) if isinstance(r, WebSocketRoute)]
    assert [r.path for r in sockets] == ["/v1/workflow-runs/ws"]


def test_core_models_keep_their_own_names_in_the_openapi(emulator_app):
    """FastAPI qualifies a component name with its module path when two models share it."""
    schemas = emulator_app.openapi()["components"]["schemas"]
    assert [n for n in schemas if n.startswith("emulator__interactly__responses")] == []
    for name in ("WorkflowResponse", "WorkflowListResponse", "InteractiveRunResponse",
                 "LegacyExecuteResponse", "WorkflowRunResponse", "WorkflowRunListResponse",
                 "RunFeedbackResponse", "RerunTokenPreview", "BusyWaitForUserMessageEvent",
                 "SessionResponse"):
        assert name in schemas


async def test_the_interactly_document_names_the_core_answers(client):
    doc = (await client.get("/openapi/interactly.json")).json()
    execute = doc["paths"]["/workflows/v1/workflows/{workflow_id}/execute"]["post"]
    refs = {s["$ref"].rsplit("/", 1)[1]
            for s in execute["responses"]["200"]["content"]["application/json"]["schema"]
            ["anyOf"]}
    assert refs == {"InteractiveRunResponse", "LegacyExecuteResponse"}
    assert {"400", "401", "404", "413"} <= set(execute["responses"])
    assert "/v1/session" in doc["paths"]


# ------------------------------------------------------------- the documented shapes hold
async def test_a_rest_run_document_has_its_usage_lists_and_its_hydrated_config(client):
    """``breakdown_by_models`` is a list (empty: no LLM call) and the run carries the hydrated
    config it executes, as the seed's run document shows them: both declared non-null."""
    _, rid = await finished_run(client)
    answer = await client.get(f"{PREFIX}/workflow-runs/{rid}")
    assert answer.status_code == 200, answer.text
    run = answer.json()["workflow_run"]["workflow_run"]
    assert run["llm_token_usage"]["breakdown_by_models"] == []
    assert run["llm_latency_stats"]["breakdown_by_models"] == []
    assert [n["logical_id"] for n in run["workflow_config_fully_hydrated"]["node_configs"]] == [
        "node_a"]


async def test_a_turn_without_thread_inputs_is_stored_with_the_empty_main_thread(client):
    """The stored ``run_input`` always carries an object in ``thread_to_node_inputs`` (the
    service's ``WorkflowRunInput`` never stores null there)."""
    wid = (await client.post(f"{PREFIX}/workflows", json={"name": "bare"})).json()[
        "workflow"]["_id"]
    first = await client.post(f"{PREFIX}/workflows/{wid}/execute",
                              json={"run_input": {"thread_to_node_inputs": None}})
    assert first.status_code == 200, first.text
    run = (await client.get(f"{PREFIX}/workflow-runs/{first.json()['run_id']}")).json()
    pair = run["workflow_run"]["workflow_run"]["input_output_pairs"][0]
    assert pair["run_input"]["thread_to_node_inputs"] == {"0": {"node_run_inputs": []}}


async def test_configs_are_echoed_as_stored(client):
    """Configs are the caller's data: keys the model does not list are stored and answered as
    sent; a declared field of the wrong type is refused by the model (the service's 400), never
    stored to become a strict-mode 500 later."""
    created = await client.post(f"{PREFIX}/tools", json={
        "type": "external_api", "integration_auth": {"integration_id": "i", "odd": 1},
        "vendor_extra": {"kept": True}})
    assert created.status_code == 200, created.text
    config = created.json()["tool"]["tool_config"]
    assert config["integration_auth"] == {"integration_id": "i", "odd": 1}
    assert config["vendor_extra"] == {"kept": True}
    refused = await client.post(f"{PREFIX}/tools", json={"type": "external_api",
                                                         "integration_auth": "odd"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["message"] == "Invalid tool configuration"
    assert refused.json()["error"].startswith("tool.integration_auth")


# ---------------------------------------------------------------------------- strict catches drift
async def test_a_dropped_required_field_is_a_500_naming_it(client, monkeypatch):
    real = wire.interactive
    monkeypatch.setattr(wire, "interactive", lambda run, events: {
        k: v for k, v in real(run, events).items() if k != "turn_number"})
    wid = (await client.post(f"{PREFIX}/workflows", json=STATIC)).json()["workflow"]["_id"]
    answer = await client.post(f"{PREFIX}/workflows/{wid}/execute", json={"run_input": START})
    assert answer.status_code == 500
    detail = answer.json()["detail"]
    assert detail.startswith("Strict mode: POST /v1/workflows/{workflow_id}/execute broke")
    assert "turn_number: Field required" in detail


async def test_an_undeclared_field_is_caught(client, monkeypatch):
    real = wire.run_envelope
    monkeypatch.setattr(wire, "run_envelope",
                        lambda run: {"workflow_run": {**real(run)["workflow_run"], "extra": 1}})
    _, rid = await finished_run(client)
    detail = (await client.get(f"{PREFIX}/workflow-runs/{rid}")).json()["detail"]
    assert "WorkflowRunResponse" in detail
    assert "workflow_run.extra: Extra inputs are not permitted" in detail


async def test_an_undeclared_event_type_is_caught(client, monkeypatch):
    real = wire.interactive
    monkeypatch.setattr(wire, "interactive", lambda run, events: real(
        run, [*events, {**events[-1], "type": "surprise_event"}]))
    wid = (await client.post(f"{PREFIX}/workflows", json=STATIC)).json()["workflow"]["_id"]
    answer = await client.post(f"{PREFIX}/workflows/{wid}/execute", json={"run_input": START})
    assert answer.status_code == 500
    detail = answer.json()["detail"]
    assert "InteractiveRunResponse.events." in detail
    assert "Input tag 'surprise_event' found using 'type' does not match" in detail


async def test_a_wrong_status_value_is_caught(client, monkeypatch):
    real = wire.run_row
    monkeypatch.setattr(wire, "run_row", lambda run: {
        **real(run), "workflow_run": {**real(run)["workflow_run"], "status": "finished"}})
    await finished_run(client)
    detail = (await client.get(f"{PREFIX}/workflow-runs")).json()["detail"]
    assert "workflow_runs.0.workflow_run.status: Input should be" in detail


async def test_an_undeclared_error_status_is_caught(client, monkeypatch):
    def teapot(self: Any, run_id: str) -> Any:
        raise ApiError("I'm a teapot", 418)

    monkeypatch.setattr(feedback_service.Feedback, "evaluation_result", teapot)
    _, rid = await finished_run(client)
    answer = await client.get(f"{PREFIX}/workflow-runs/{rid}/evaluation-result")
    assert answer.status_code == 500
    assert "status 418 is not declared" in answer.json()["detail"]


async def test_without_strict_the_same_drift_passes_through(monkeypatch):
    """The default path never looks at the declared models."""
    real = wire.interactive
    monkeypatch.setattr(wire, "interactive", lambda run, events: {
        k: v for k, v in real(run, events).items() if k != "turn_number"})
    app = create_app(Settings(clock="manual", seed=0, strict=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://e",
                                 headers={"Authorization": "Bearer lax", **SDK_HEADERS}) as c:
        wid = (await c.post(f"{PREFIX}/workflows", json=STATIC)).json()["workflow"]["_id"]
        answer = await c.post(f"{PREFIX}/workflows/{wid}/execute", json={"run_input": START})
    await app.state.registry.aclose()
    assert answer.status_code == 200 and "turn_number" not in answer.json()
