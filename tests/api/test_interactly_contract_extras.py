"""The published wire contract of Interactly's "extras" routes (global variables, templates,
node libraries, catalog utilities, tools, LLM configs, schedules, simulations, super nodes,
webhooks): every route declares what it answers, and ``--strict`` holds the emulator to it, so
a drift is a 500 naming the route and the field.

The app here is always strict (whatever ``EMULATOR_STRICT`` says). Workflows, tools and the
clock are handled through the namespace itself, never through the core routes or the control
plane, so these tests depend on no other family's contract."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from emulator.core.errors import Conflict, ServiceError
from emulator.interactly import schedules as schedules_module
from emulator.interactly import tool_runs, webhooks
from emulator.interactly.catalog import Catalog
from emulator.interactly.global_variables import GlobalVariables
from emulator.interactly.state import InteractlyState, interactly
from emulator.settings import Settings
from emulator.web import contract
from emulator.web.contract import ErrorResponse, ServiceErrorResponse
from emulator.web.lazy import ensure_all
from emulator.web.routing import all_routes

pytestmark = pytest.mark.anyio

AREA = {f"emulator.interactly.routes.{name}" for name in (
    "assets", "catalog_extras", "schedules", "simulations", "super_nodes", "webhooks")}
TEAM, USER = "emu-team", "emu-user"  # the SDK headers of tests/api/conftest.py
GRAPH = {
    "config": {"name": "greeter", "description": "says hi",
               "miscellaneous": {"default_dynamic_variables": {"who": "Ada"}}},
    "node_configs": [
        {"type": "say_static", "logical_id": "node_hi", "name": "Greeting", "is_start": True,
         "static_messages_config": {"static_messages": ["hi {{who}}"]}},
        {"type": "say_static", "logical_id": "node_bye", "name": "Goodbye",
         "static_messages_config": {"static_messages": ["bye"]}}],
    "edge_configs": [{"type": "direct", "logical_id": "edge_1",
                      "source_node_logical_id": "node_hi",
                      "destination_node_logical_id": "node_bye"}],
}
ADD = {"type": "inbuilt_function", "name": "add", "tool_id": "math_add"}
GPT = {"type": "openai_llm", "provider": "openai", "model": "gpt-5.4", "api_key": "sk-secret"}


@pytest.fixture
def emulator_settings() -> Settings:
    return Settings(clock="manual", seed=0, strict=True)


def area_routes(app: Any) -> list[APIRoute]:
    ensure_all(app)
    return [route for route in all_routes(app) if isinstance(route, APIRoute)
            and route.endpoint.__module__ in AREA]


def state_of(app: Any, token: str) -> InteractlyState:
    return interactly(app.state.registry.get(token))


def workflow(app: Any, token: str, name: str = "greeter", **graph: Any) -> str:
    """A stored workflow made in the catalog itself (not through the core routes)."""
    spec = copy.deepcopy({**GRAPH, **graph})
    catalog: Catalog = state_of(app, token).catalog
    wf = catalog.create_workflow(name, None, spec["config"], TEAM, USER,
                                 spec["node_configs"], spec["edge_configs"])
    return wf.id


def closed_port_url() -> str:
    """A loopback URL nobody listens on: deliveries fail at once (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


# ---------------------------------------------------------------------------- declarations
def test_every_extras_route_declares_its_success_answer(emulator_app):
    routes = area_routes(emulator_app)
    assert len(routes) >= 77
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes
                  if r.response_model is None and (r.status_code or 200) not in r.responses]
    assert undeclared == []


def test_every_declared_error_has_an_interactly_error_body(emulator_app):
    """``{"detail"}``, or also ``{"message", "error"}`` where a graph or interface rule of the
    service may refuse the request."""
    allowed = (ErrorResponse, ErrorResponse | ServiceErrorResponse)
    wrong = [(r.path, code) for r in area_routes(emulator_app)
             for code, spec in r.responses.items()
             if int(code) >= 400 and spec.get("model") not in allowed]
    assert wrong == []


def test_extras_models_keep_their_own_names_in_the_openapi(emulator_app):
    """FastAPI qualifies a component name with its module path when two models share it."""
    schemas = emulator_app.openapi()["components"]["schemas"]
    assert [n for n in schemas if n.startswith("emulator__interactly__responses")] == []
    for name in ("ScheduleResponse", "WebhookEvent", "SimulationGroup", "VersionDiff",
                 "ToolExecuteResult", "LLMConfigTestResult", "GlobalVariable",
                 "StoredNodeLibraryConfig", "SuperNodeDetailResponse"):
        assert name in schemas


# ---------------------------------------------------------------------------- strict catches drift
async def test_a_dropped_required_field_is_a_500_naming_it(client, emulator_app,
                                                          emulator_token, monkeypatch):
    wf = workflow(emulator_app, emulator_token)
    real = schedules_module.Schedule.doc
    monkeypatch.setattr(schedules_module.Schedule, "doc", lambda self: {
        k: v for k, v in real(self).items() if k != "workflow_id"})
    response = await client.post(f"/v1/workflows/{wf}/schedules",
                                 json={"scheduled_time": "2099-01-01T00:00:00Z"})
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert detail.startswith("Strict mode: POST /v1/workflows/{workflow_id}/schedules broke")
    assert "ScheduleResponse" in detail and "workflow_id: Field required" in detail


async def test_a_leaked_secret_is_an_undeclared_field(client, monkeypatch):
    """The bearer token must never leave a subscription (only ``has_bearer_token``)."""
    real = webhooks.Subscription.doc
    monkeypatch.setattr(webhooks.Subscription, "doc",
                        lambda self: {**real(self), "bearer_token": self.bearer_token})
    response = await client.post("/v1/workflow-webhooks", json={
        "name": "hook", "url": closed_port_url(), "actions": ["workflow_created"],
        "bearer_token": "tok"})
    assert response.status_code == 500
    assert "bearer_token: Extra inputs are not permitted" in response.json()["detail"]


async def test_a_status_outside_the_enum_is_caught(client, emulator_app, emulator_token,
                                                  monkeypatch):
    wf = workflow(emulator_app, emulator_token)
    real = schedules_module.Schedule.doc
    monkeypatch.setattr(schedules_module.Schedule, "doc",
                        lambda self: {**real(self), "status": "scheduled"})
    response = await client.post(f"/v1/workflows/{wf}/schedules",
                                 json={"scheduled_time": "2099-01-01T00:00:00Z"})
    assert response.status_code == 500
    assert "status: Input should be 'pending'" in response.json()["detail"]


async def test_a_float_where_an_int_is_declared_is_caught(client, monkeypatch):
    real = tool_runs.result
    monkeypatch.setattr(tool_runs, "result", lambda *a, **k: {**real(*a, **k),
                                                               "latency_ms": 0.5})
    response = await client.post("/v1/tools/execute",
                                 json={"tool_config": ADD, "args": {"a": 1, "b": 2}})
    assert response.status_code == 500
    assert "latency_ms: Input should be a valid integer" in response.json()["detail"]


async def test_an_undeclared_error_status_is_caught(client, monkeypatch):
    def conflict(self: GlobalVariables, var_id: str) -> None:
        raise Conflict("not declared on this route")

    monkeypatch.setattr(GlobalVariables, "get", conflict)
    response = await client.get("/v1/global-variables/0123456789abcdef01234567")
    assert response.status_code == 500
    assert "status 409 is not declared" in response.json()["detail"]


async def test_a_service_error_where_only_detail_is_declared_is_caught(client, emulator_app,
                                                                      emulator_token,
                                                                      monkeypatch):
    """Schedules answer 400 as ``{"detail"}`` only; a ``{"message", "error"}`` body there
    would be read differently by the SDK."""
    wf = workflow(emulator_app, emulator_token)

    def refuse(self: Any, moment: Any) -> float:
        raise ServiceError("Invalid schedule", "not in the future")

    monkeypatch.setattr(schedules_module.Schedules, "_future", refuse)
    response = await client.post(f"/v1/workflows/{wf}/schedules",
                                 json={"scheduled_time": "2099-01-01T00:00:00Z"})
    assert response.status_code == 500
    assert "status 400 body does not match ErrorResponse" in response.json()["detail"]


async def test_declared_errors_pass_through_unchanged(client, emulator_app, emulator_token):
    missing = await client.get("/v1/simulations/0123456789abcdef01234567")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Simulation 0123456789abcdef01234567 not found"}
    wf = workflow(emulator_app, emulator_token)
    refused = await client.put(f"/v1/workflows/{wf}/super-node-interface", json={
        "interface": {"input_fields": [{"name": "x", "mappings": [{
            "target_type": "node_config_field", "target_node_or_edge_logical_id": "node_gone",
            "target_field_path": "name"}]}]}})
    assert refused.status_code == 400
    assert refused.json()["message"] == "Invalid super node interface"
    created = await client.post("/v1/global-variables", json={"name": "company"})
    assert created.status_code == 200
    clash = await client.post("/v1/global-variables", json={"name": "company"})
    assert clash.status_code == 409
    assert clash.json() == {"detail": "A global variable named 'company' already exists"}


# ---------------------------------------------------------------------------- strict tour
class Tour:
    """Calls that must answer 200 under ``--strict``; remembers every extras route that
    answered, so the tour can prove it reached them all."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, path, **kwargs)
        assert response.status_code == 200, (method, path, response.text)
        return response.json()


@pytest.fixture
def visited(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    seen: set[str] = set()
    real = contract.check

    def check(route: APIRoute, method: str, response: Any) -> Any:
        if route.endpoint.__module__ in AREA:
            seen.add(f"{method} {route.path}")
        return real(route, method, response)

    monkeypatch.setattr(contract, "check", check)
    yield seen


async def _assets(call: Tour, wf: str) -> None:
    made = await call("POST", "/v1/global-variables/bulk", json={"variables": [
        {"name": "a", "value": "1"}, {"name": "9bad"}]})
    assert made["errors"][0]["index"] == 1
    await call("GET", "/v1/global-variables/resolve")
    var = (await call("POST", "/v1/global-variables", json={
        "name": "key", "value": "s3cret", "is_secret": True, "category": "api"}))["variable"]
    listing = await call("GET", "/v1/global-variables")
    assert {"interactly_api_token", "key"} <= {v["name"] for v in listing["variables"]}
    await call("GET", f"/v1/global-variables/{var['_id']}")
    await call("PATCH", f"/v1/global-variables/{var['_id']}", json={"description": "d"})
    await call("DELETE", f"/v1/global-variables/{var['_id']}")
    template = (await call("POST", "/v1/templates", json={
        "workflow_id": wf, "access_level": "team", "extra_key": 1}))["workflow_template"]
    await call("GET", "/v1/templates")
    await call("GET", f"/v1/templates/{template['_id']}")
    await call("PATCH", f"/v1/templates/{template['_id']}", json={"access_level": "personal"})
    await call("DELETE", f"/v1/templates/{template['_id']}")
    await call("GET", "/v1/workflow-categories")
    library = (await call("POST", "/v1/node-libraries", json={
        "name": "lib", "nodes": [], "type": "say_static"}))["node_library"]
    await call("GET", "/v1/node-libraries")
    await call("GET", f"/v1/node-libraries/{library['_id']}")
    await call("PATCH", f"/v1/node-libraries/{library['_id']}", json={"name": "lib2"})
    await call("DELETE", f"/v1/node-libraries/{library['_id']}")


async def _catalog(call: Tour, wf: str, tool_id: str) -> None:
    await call("GET", f"/v1/workflows/dynamic-variables/{wf}")
    await call("GET", "/v1/workflows/versions/active")
    await call("PATCH", f"/v1/workflows/{wf}/concurrency", json={"max_concurrent_runs": 3})
    bundle = await call("GET", f"/v1/workflows/{wf}/export",
                        params={"version_numbers": [0], "active_version_number": 0})
    await call("POST", "/v1/workflows/import/bundle", json={"bundle": bundle,
                                                             "workflow_name": "imported"})
    await call("POST", f"/v1/workflows/{wf}/clone", json={"name": "copy"})
    await call("POST", f"/v1/workflows/{wf}/favorite")
    await call("DELETE", f"/v1/workflows/{wf}/favorite")
    await call("PATCH", f"/v1/workflows/{wf}/versions/0", json={"version_name": "draft"})
    await call("PATCH", f"/v1/workflows/{wf}/versions/0/config",
               json={"config": {"description": "changed"}})
    diff = await call("GET", f"/v1/workflows/{wf}/versions/0/diff/0")
    assert diff["summary"]["nodes_added"] == 0
    await call("GET", "/v1/tools/inbuilt")
    await call("GET", "/v1/tools/configurable-inbuilt")
    await call("GET", "/v1/tools/configurable-inbuilt/call_forward")
    await call("POST", "/v1/tools/execute", json={"tool_config": ADD, "args": {"a": 1}})
    tool_bundle = await call("GET", f"/v1/tools/{tool_id}/export")
    await call("POST", "/v1/tools/import", json={"bundle": tool_bundle})
    ran = await call("POST", f"/v1/tools/{tool_id}/execute", json={"args": {"a": 1, "b": 2}})
    assert ran["result"] == 3
    saved = (await call("POST", "/v1/llm-configs", json={
        "name": "main", "config": GPT, "is_default": True}))["llm_config"]
    assert saved["config"]["api_key"] is None
    cid = saved["llm_config_id"]
    await call("GET", "/v1/llm-configs")
    await call("GET", "/v1/llm-configs/default")
    await call("POST", "/v1/llm-configs/test", json={
        "system_prompt": "Be short.", "config": {"type": "llm_group", "llms": [GPT]},
        "messages": [{"role": "human", "content": "hi"}]})
    await call("GET", f"/v1/llm-configs/{cid}")
    await call("PATCH", f"/v1/llm-configs/{cid}", json={"description": "d"})
    await call("POST", f"/v1/llm-configs/{cid}/test", json={"system_prompt": "x"})
    await call("DELETE", f"/v1/llm-configs/{cid}")


async def _schedules(call: Tour, wf: str) -> None:
    made = await call("POST", f"/v1/workflows/{wf}/schedules", json={
        "scheduled_time": "2099-01-01T00:00:00Z", "run_input": {"dynamic_variables": {}}})
    await call("GET", f"/v1/workflows/{wf}/schedules")
    await call("GET", "/v1/workflow-schedules")
    await call("GET", f"/v1/workflow-schedules/{made['id']}")
    await call("PATCH", f"/v1/workflow-schedules/{made['id']}", json={"version": 0})
    assert (await call("DELETE", f"/v1/workflow-schedules/{made['id']}"))["status"] == \
        "cancelled"


async def _simulations(call: Tour, wf: str, state: InteractlyState) -> None:
    sim = (await call("POST", "/v1/simulations", json={
        "name": "sim", "selected_workflow": {"workflow_id": wf},
        "counter_workflow": {"workflow_id": wf, "version_number": None},
        "number_of_simulations": 2}))["simulation"]
    sid = sim["_id"]
    await call("GET", "/v1/simulations")
    await call("GET", f"/v1/simulations/{sid}")
    await call("PATCH", f"/v1/simulations/{sid}", json={"description": "d"})
    group = (await call("POST", f"/v1/simulations/{sid}/run",
                        json={"runner_name": "ci"}))["simulation_group"]
    state.ns.clock.run_until_idle()
    await call("GET", f"/v1/simulations/{sid}/runs")
    await call("GET", f"/v1/simulations/{sid}/evaluation-summary")
    await call("GET", f"/v1/simulation-runs/{group['_id']}")
    await call("GET", f"/v1/simulation-runs/{group['_id']}/executions")
    detailed = await call("GET", f"/v1/simulation-runs/{group['_id']}/executions/detailed")
    assert detailed["total"] == 2
    await call("POST", f"/v1/simulation-runs/{group['_id']}/stop")
    await call("DELETE", f"/v1/simulations/{sid}")


async def _super_nodes(call: Tour, wf: str, app: Any, token: str) -> None:
    await call("PUT", f"/v1/workflows/{wf}/super-node-interface", json={"interface": {
        "input_fields": [{"name": "who", "value_type": "string", "mappings": [
            {"target_type": "dynamic_variable", "target_variable_name": "who"}]}]}})
    outer = workflow(app, token, "outer", edge_configs=[], node_configs=[
        {"type": "super_node", "logical_id": "node_sn", "name": "Inner", "is_start": True,
         "super_workflow_id": wf}])
    await call("GET", "/v1/super-nodes")
    await call("GET", f"/v1/super-nodes/{wf}")
    await call("GET", f"/v1/super-nodes/{wf}/schema")
    await call("GET", f"/v1/workflows/{wf}/super-node-dependents")
    preview = await call("POST", f"/v1/workflows/{outer}/expand-preview")
    assert preview["expansion_report"]["super_nodes_expanded"] == 1
    await call("GET", f"/v1/workflows/{outer}/super-node-snapshot-status")
    await call("DELETE", f"/v1/workflows/{wf}/super-node-interface")


async def _webhooks(call: Tour, wf: str, state: InteractlyState) -> None:
    sub = await call("POST", "/v1/workflow-webhooks", json={
        "name": "hook", "url": closed_port_url(), "actions": ["workflow_created"],
        "max_retries": 0})
    await call("GET", "/v1/workflow-webhooks")
    await call("POST", f"/v1/workflows/{wf}/clone", json={"name": "notify"})
    await state.webhooks.drain()
    events = (await call("GET", "/v1/workflow-webhooks/events"))["events"]
    assert events[0]["status"] == "failed"
    await call("GET", f"/v1/workflow-webhooks/events/{events[0]['event_id']}/attempts")
    await call("POST", f"/v1/workflow-webhooks/events/{events[0]['_id']}/retry")
    await state.webhooks.drain()
    await call("PATCH", f"/v1/workflow-webhooks/{sub['id']}", json={"enabled": False})
    await call("DELETE", f"/v1/workflow-webhooks/{sub['id']}")


async def test_every_extras_route_keeps_the_contract(client, emulator_app, emulator_token,
                                                     visited):
    """One walk through every extras route with data in it (stored configs, finished
    simulations, failed deliveries, published super nodes), all under ``--strict``."""
    call = Tour(client)
    state = state_of(emulator_app, emulator_token)
    wf = workflow(emulator_app, emulator_token)
    tool_id = state.catalog.add_tool(ADD, TEAM, USER)["_id"]
    await _assets(call, wf)
    await _catalog(call, wf, tool_id)
    await _schedules(call, wf)
    await _simulations(call, wf, state)
    await _super_nodes(call, wf, emulator_app, emulator_token)
    await _webhooks(call, wf, state)
    expected = {f"{method} {r.path}" for r in area_routes(emulator_app) for method in r.methods}
    assert expected - visited == set()
