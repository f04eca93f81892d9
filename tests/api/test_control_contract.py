"""The control plane's wire contract: every ``/_emulator`` route (and ``/openapi/{api}.json``)
declares what it answers, and ``--strict`` holds the answers to it.

The control plane has no real service to copy: its response models (emulator/control/
responses.py) are the contract test harnesses and generated clients read. These tests run on a
strict app whatever ``EMULATOR_STRICT`` says, so drift fails here in every run.
"""

from __future__ import annotations

import typing
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from emulator.core.errors import Conflict
from emulator.settings import Settings
from emulator.web.auth import namespace
from emulator.web.contract import WireModel
from emulator.web.lazy import ensure_all
from emulator.web.routing import all_routes

from .conftest import LOGIN, SDK_HEADERS, advance, start

pytestmark = pytest.mark.anyio

AREA = ("/_emulator/", "/openapi/")
# Open routes: no bearer token (a presigned URL's path is its credential).
OPEN = {"/_emulator/health", "/_emulator/uploads/{key}/{upload_id}",
        "/_emulator/downloads/{key}/{build_id}", "/openapi/{api}.json"}
START_RUN = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
             "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}


@pytest.fixture
def emulator_settings() -> Settings:
    return Settings(clock="manual", seed=0, strict=True)


def area_routes(app: Any) -> list[APIRoute]:
    ensure_all(app)
    return [r for r in all_routes(app) if isinstance(r, APIRoute) and r.include_in_schema
            and r.path.startswith(AREA)]


def reads_token(dependant: Dependant) -> bool:
    return any(d.call is namespace or reads_token(d) for d in dependant.dependencies)


def models_of(annotation: Any) -> list[Any]:
    return [m for m in (typing.get_args(annotation) or (annotation,)) if m is not type(None)]


def test_every_control_route_declares_its_success_answer(emulator_app: Any) -> None:
    routes = area_routes(emulator_app)
    assert len(routes) >= 33
    for route in routes:
        name = f"{sorted(route.methods or ())} {route.path}"
        success = route.status_code or 200
        declared = route.responses.get(success) or route.responses.get(str(success))
        assert route.response_model is not None or (declared and declared.get("content")), \
            f"{name} declares neither a model nor a media type for {success}"
        if route.response_model is None:
            continue
        for model in models_of(route.response_model):
            if isinstance(model, type) and issubclass(model, BaseModel):
                assert issubclass(model, WireModel), f"{name}: {model.__name__}"


def test_routes_that_read_the_token_declare_401_and_open_ones_do_not(emulator_app: Any) -> None:
    for route in area_routes(emulator_app):
        name = f"{sorted(route.methods or ())} {route.path}"
        if reads_token(route.dependant):
            assert 401 in route.responses, name
        if route.path in OPEN:
            assert not reads_token(route.dependant) and 401 not in route.responses, name


def test_the_snapshot_model_follows_the_snapshot_schema_version() -> None:
    """A new ``SCHEMA_VERSION`` needs the models of its document reviewed too."""
    from emulator.control.responses import AllNamespacesSnapshot, NamespaceSnapshot
    from emulator.core.snapshots import SCHEMA_VERSION

    for model in (NamespaceSnapshot, AllNamespacesSnapshot):
        annotation = model.model_fields["schema_version"].annotation
        assert typing.get_args(annotation) == (SCHEMA_VERSION,)


def test_downloads_and_streams_document_their_media_types(emulator_app: Any) -> None:
    spec = emulator_app.openapi()["paths"]
    download = spec["/_emulator/downloads/{key}/{build_id}"]["get"]["responses"]["200"]
    assert list(download["content"]) == ["*/*"]
    stream = spec["/_emulator/ui/stream"]["get"]["responses"]["200"]
    assert list(stream["content"]) == ["text/event-stream"]
    page = spec["/_emulator/ui"]["get"]["responses"]
    assert list(page["200"]["content"]) == ["text/html"]
    assert list(page["401"]["content"]) == ["application/json"]
    health = spec["/_emulator/health"]["get"]["responses"]
    assert health["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EmulatorHealthResponse"}


async def test_a_tour_of_the_control_plane_keeps_its_contract(emulator_app: Any,
                                                              emulator_client: Any) -> None:
    """Each route once, with state in every part of its answer, on a strict app (a broken
    contract is a 500)."""
    client = emulator_client
    client.headers.update(SDK_HEADERS)

    async def ok(method: str, path: str, **kwargs: Any) -> Any:
        response = await client.request(method, path, **kwargs)
        assert response.status_code == 200, f"{method} {path}: {response.text}"
        return response

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test") as anonymous:
        assert (await anonymous.get("/_emulator/health")).json()["status"] == "ok"
        await anonymous.get("/no-token-here")  # the app-wide journal
    await start(client, LOGIN)
    workflow = (await ok("POST", "/v1/workflows", json={"name": "tour"})).json()
    await ok("POST", f"/v1/workflows/{workflow['workflow']['_id']}/execute",
             json={"run_input": START_RUN})
    await ok("POST", "/_emulator/scripts/revyl/outcomes", json={"outcomes": [
        {"test_id": LOGIN, "result": "failed", "fail_step": 2, "error_message": "boom"},
        {"kind": "workflow", "result": "timeout", "timeout_seconds": 30, "times": 2}]})
    await ok("POST", "/_emulator/scripts/interactly/llm", json={"replies": [
        {"reply": "hi", "times": 2}, {"tool_result": [1, {"a": None}], "end": True}]})
    for path in ("/_emulator/scripts/revyl/outcomes", "/_emulator/scripts/interactly/llm"):
        await ok("GET", path)
    state = (await ok("GET", "/_emulator/state")).json()
    assert state["revyl"]["scripted_outcomes"][0]["result"] == "fail"
    await ok("GET", "/_emulator/state", params={"all": "true"})
    await ok("GET", "/_emulator/clock")
    await ok("PUT", "/_emulator/clock", json={"scale": 2})
    assert (await advance(client, 3))["fired"] >= 1
    await ok("POST", "/_emulator/clock/run-until-idle")

    await client.get("/api/v1/test/nope")  # unmatched
    await ok("GET", "/_emulator/journal", params={"limit": 5})
    await ok("GET", "/_emulator/journal", params={"all": "true", "method": "GET"})
    await ok("POST", "/_emulator/journal/find", json={"path": "/v1/*"})
    await ok("POST", "/_emulator/journal/count", json={"method": "POST"})
    unmatched = (await ok("GET", "/_emulator/journal/unmatched")).json()
    assert unmatched["unmatched"][0]["suggestions"]

    fault = (await ok("POST", "/_emulator/faults", json={
        "method": "get", "path": "/api/v1/tests/*", "status": 503, "detail": {"why": "down"},
        "retry_after": 5, "times": 2, "probability": 0.5})).json()
    await ok("POST", "/_emulator/faults", json={"path": "/health_check", "drop": True})
    await ok("GET", "/_emulator/faults")
    await ok("DELETE", f"/_emulator/faults/{fault['id']}")
    await ok("DELETE", "/_emulator/faults")

    await ok("POST", "/_emulator/seed", json={"interactly": {"workflows": [
        {"name": "seeded", "node_configs": [], "edge_configs": []}]}})
    snapshot = (await ok("GET", "/_emulator/snapshot")).json()
    refused = await client.post("/_emulator/snapshot", json={**snapshot, "schema_version": 2})
    assert refused.status_code == 422 and "schema_version" in refused.json()["detail"]
    await ok("POST", "/_emulator/snapshot", json=snapshot)
    parked = {"schema_version": 1, "namespace": "0123456789ab", "note": "kept as it is"}
    everything = (await ok("GET", "/_emulator/snapshot", params={"all": "true"})).json()
    everything["namespaces"].append(parked)
    imported = (await ok("POST", "/_emulator/snapshot", params={"all": "true"},
                         json=everything)).json()
    assert imported["parked"] == 1
    again = (await ok("GET", "/_emulator/snapshot", params={"all": "true"})).json()
    assert parked in again["namespaces"]

    view = (await ok("GET", "/_emulator/ui/state")).json()
    assert view["namespaces"][0]["interactly"]["runs"]
    await ok("GET", "/_emulator/ui", params={"updates": 1})
    await ok("POST", "/_emulator/webhooks/drain")
    await ok("GET", "/_emulator/webhooks/deliveries", params={"drain": "false"})
    for api in ("control", "revyl"):
        await ok("GET", f"/openapi/{api}.json")
    await ok("DELETE", "/_emulator/journal", params={"all": "true"})
    await ok("POST", "/_emulator/reset")


# ---------------------------------------------------------------------------- drift
def strict_500(response: httpx.Response, route: str, *parts: str) -> None:
    assert response.status_code == 500, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"Strict mode: {route} broke its contract"), detail
    for part in parts:
        assert part in detail, detail


async def test_a_clock_answer_without_a_field_is_caught(emulator_client: Any,
                                                        monkeypatch: Any) -> None:
    from emulator.control import routes

    real = routes.clock_info
    monkeypatch.setattr(routes, "clock_info",
                        lambda clock: {k: v for k, v in real(clock).items() if k != "now"})
    strict_500(await emulator_client.get("/_emulator/clock"), "GET /_emulator/clock",
               "ClockResponse", "now: Field required")


async def test_an_undeclared_journal_field_is_caught(emulator_client: Any,
                                                     monkeypatch: Any) -> None:
    from emulator.core.journal import Entry

    real = Entry.to_dict
    monkeypatch.setattr(Entry, "to_dict", lambda self: {**real(self), "client_ip": "10.0.0.1"})
    await emulator_client.get("/_emulator/clock")
    strict_500(await emulator_client.get("/_emulator/journal"), "GET /_emulator/journal",
               "entries.0.client_ip", "Extra inputs are not permitted")


async def test_a_fault_rule_field_of_the_wrong_type_is_caught(emulator_client: Any,
                                                              monkeypatch: Any) -> None:
    from emulator.core.faults import FaultRule

    real = FaultRule.to_dict
    monkeypatch.setattr(FaultRule, "to_dict", lambda self: {**real(self), "applied": "never"})
    strict_500(await emulator_client.post("/_emulator/faults", json={
        "path": "/api/*", "status": 500}), "POST /_emulator/faults", "applied:")


async def test_an_error_status_the_route_does_not_declare_is_caught(emulator_client: Any,
                                                                    monkeypatch: Any) -> None:
    from emulator.core.faults import FaultRules

    def locked(self: Any, fault_id: str) -> bool:
        raise Conflict("Fault rules are locked")

    monkeypatch.setattr(FaultRules, "remove", locked)
    strict_500(await emulator_client.delete("/_emulator/faults/fault-1"),
               "DELETE /_emulator/faults/{fault_id}", "status 409 is not declared")


async def test_a_webhook_event_status_off_the_list_is_caught(emulator_client: Any,
                                                             monkeypatch: Any) -> None:
    from emulator.interactly.webhooks import Webhooks

    class Event:
        in_flight = False
        attempts: list[Any] = []

        def doc(self) -> dict[str, Any]:
            return {"_id": "e1", "id": "e1", "event_id": "event_1", "subscription_id": "s1",
                    "action": "workflow_run_started", "workflow_id": None,
                    "workflow_name": None, "workflow_run_id": None,
                    "workflow_run_status": None, "payload": {}, "status": "lost",
                    "attempts_count": 0, "delivered_at": None, "last_attempt_at": None,
                    "last_status_code": None, "last_error": None, "next_attempt_at": None,
                    "created_at": "2026-01-01T00:00:00.000Z",
                    "updated_at": "2026-01-01T00:00:00.000Z"}

    monkeypatch.setattr(Webhooks, "event_listing", lambda self: [Event()])
    strict_500(await emulator_client.get("/_emulator/webhooks/deliveries",
                                         params={"drain": "false"}),
               "GET /_emulator/webhooks/deliveries", "events.0.status")
