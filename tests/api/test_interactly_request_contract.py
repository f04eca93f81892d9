"""The request contract of the seeds (spec §1.2, seed 003) and the configs' one description,
over HTTP: every Interactly ObjectId a request carries is held to ``^[0-9a-f]{24}$`` (a
malformed one is FastAPI's 422, a well-formed unknown one the service's 404), ``team_id`` is
kept as sent, the run document carries the hydrated config it executes and lists its usage
breakdowns, and node/edge/tool configs are validated by the published models when saved
(the service's 400 ``{"message", "error"}``)."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from emulator.pytest_plugin import DEFAULT_TOKEN

from .conftest import SDK_HEADERS

pytestmark = pytest.mark.anyio

START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
UNKNOWN = "a" * 24
MALFORMED = ["xyz", "A" * 24, "a" * 23, "a" * 25, "g" * 24]
CHAT = {"name": "contract-chat", "workflow_config": {"name": "contract-chat", "miscellaneous": {
            "default_dynamic_variables": {"who": "Ada"}}},
        "node_configs": [
            {"type": "say_static", "logical_id": "node_hi", "name": "Hi", "is_start": True,
             "static_messages_config": {"static_messages": ["hi {{who}}"]}},
            {"type": "say_llm", "logical_id": "node_chat", "name": "Chat"}],
        "edge_configs": [{"type": "direct", "logical_id": "edge_1",
                          "source_node_logical_id": "node_hi",
                          "destination_node_logical_id": "node_chat"}]}
STATIC = {"name": "contract-static", "node_configs": [
    {"type": "say_static", "logical_id": "node_a", "name": "A", "is_start": True,
     "static_messages_config": {"static_messages": ["bye"]}}]}


async def workflow(client: httpx.AsyncClient, body: dict[str, Any] = CHAT) -> str:
    created = await client.post("/v1/workflows", json=body)
    assert created.status_code == 200, created.text
    return created.json()["workflow"]["_id"]


async def run_count(client: httpx.AsyncClient) -> int:
    return (await client.get("/v1/workflow-runs")).json()["total"]


async def stored_run(client: httpx.AsyncClient, run_id: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/workflow-runs/{run_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["workflow_run"]["workflow_run"]


def issue(response: httpx.Response) -> dict[str, Any]:
    """The one FastAPI-style 422 issue of ``response``."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and len(detail) == 1, detail
    return detail[0]


# ======================================================================== ObjectIds: execute
@pytest.mark.parametrize("bad", [*MALFORMED, 5])
async def test_a_malformed_body_workflow_id_is_a_422_and_starts_no_run(client, bad):
    wid = await workflow(client)
    answer = await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": {**START, "workflow_id": bad}})
    assert issue(answer)["loc"] == ["body", "run_input", "workflow_id"]
    legacy = await client.post(f"/v1/workflows/{wid}/execute", json={**START, "workflow_id": bad})
    assert issue(legacy)["loc"] == ["body", "workflow_id"]
    assert await run_count(client) == 0


async def test_a_well_formed_body_workflow_id_is_filled_in_by_the_server(client):
    """The server fills ``workflow_id`` in from the path (spec §1.2), whatever was sent."""
    wid = await workflow(client)
    answer = await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": {**START, "workflow_id": UNKNOWN}})
    assert answer.status_code == 200, answer.text
    run = await stored_run(client, answer.json()["run_id"])
    assert run["input_output_pairs"][0]["run_input"]["workflow_id"] == wid


@pytest.mark.parametrize("bad", [*MALFORMED, 5, ["x"]])
async def test_a_malformed_run_id_is_a_422_and_an_unknown_one_a_404(client, bad):
    wid = await workflow(client)
    first = (await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": START})).json()
    answer = await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": {**START, "command": "data"}, "run_id": bad})
    assert issue(answer)["loc"] == ["body", "run_id"]
    legacy = await client.post(f"/v1/workflows/{wid}/execute",
                               json={**START, "command": "data", "workflow_run_id": bad})
    assert issue(legacy)["loc"] == ["body", "workflow_run_id"]
    unknown = await client.post(f"/v1/workflows/{wid}/execute",
                                json={"run_input": {**START, "command": "data"},
                                      "run_id": UNKNOWN})
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Session not found"}
    run = await stored_run(client, first["run_id"])
    assert len(run["input_output_pairs"]) == 1  # nothing reached the run


@pytest.mark.parametrize("bad", MALFORMED)
async def test_malformed_path_ids_are_422_and_unknown_ones_404(client, bad):
    assert (await client.post(f"/v1/workflows/{bad}/execute",
                              json={"run_input": START})).status_code == 422
    assert (await client.post(f"/v1/workflows/{UNKNOWN}/execute",
                              json={"run_input": START})).status_code == 404
    wid = await workflow(client)
    pump = await client.post(f"/v1/workflows/{wid}/runs/{bad}/pump-companions", json={})
    assert pump.status_code == 422
    assert (await client.get(f"/v1/workflow-runs/{bad}")).status_code == 422
    assert (await client.get(f"/v1/workflow-runs/{UNKNOWN}")).status_code == 404


async def test_a_schedules_run_input_is_held_to_the_same_contract(client):
    wid = await workflow(client)
    answer = await client.post(f"/v1/workflows/{wid}/schedules", json={
        "scheduled_time": "2030-01-01T00:00:00Z", "run_input": {**START, "workflow_id": "xyz"}})
    assert issue(answer)["loc"] == ["body", "run_input", "workflow_id"]


def test_a_websocket_start_frame_with_a_malformed_workflow_id_is_refused(emulator_app):
    with warnings.catch_warnings():  # starlette nudges towards httpx2 for its test client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        client = TestClient(emulator_app, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}",
                                                   **SDK_HEADERS})
    wid = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    with client.websocket_connect("/v1/workflow-runs/ws") as ws:
        ws.send_json({**START, "workflow_id": wid.upper()})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4000 and "workflow_id" in closed.value.reason
    assert client.get("/v1/workflow-runs").json()["total"] == 0


# ======================================================================== ObjectIds: elsewhere
@pytest.mark.parametrize("path, param", [
    ("/v1/workflow-runs", "workflow_id"), ("/v1/workflow-runs", "source_workflow_run_id"),
    ("/v1/nodes", "workflow_id"), ("/v1/edges", "workflow_id"), ("/v1/tools", "workflow_id"),
    ("/v1/workflow-webhooks/events", "workflow_id"),
    ("/v1/workflow-webhooks/events", "subscription_id")])
async def test_objectid_filters_in_the_query_are_checked(client, path, param):
    for bad in MALFORMED:
        assert issue(await client.get(path, params={param: bad}))["loc"] == ["query", param]
    fine = await client.get(path, params={param: UNKNOWN})
    assert fine.status_code == 200 and fine.json()["total"] == 0


async def test_objectids_in_the_runs_filters_object_are_checked(client):
    answer = await client.get("/v1/workflow-runs", params={"filters": '{"workflow_id": "xyz"}'})
    assert issue(answer)["loc"] == ["query", "filters", "workflow_id"]
    fine = await client.get("/v1/workflow-runs",
                            params={"filters": f'{{"source_workflow_run_id": "{UNKNOWN}"}}'})
    assert fine.status_code == 200


@pytest.mark.parametrize("plural", ["nodes", "edges"])
async def test_the_workflow_a_node_or_edge_joins_is_an_objectid(client, plural):
    kind = plural[:-1]
    config = {"type": "say_static"} if kind == "node" else {
        "type": "direct", "source_node_logical_id": "a", "destination_node_logical_id": "b"}
    for bad in MALFORMED:
        flat = await client.post(f"/v1/{plural}", json={**config, "workflow_id": bad})
        assert issue(flat)["loc"] == ["body", "workflow_id"]
        wrapped = await client.post(f"/v1/{plural}",
                                    json={f"{kind}_config": {**config, "workflow_id": bad}})
        assert issue(wrapped)["loc"] == ["body", f"{kind}_config", "workflow_id"]
    unknown = await client.post(f"/v1/{plural}", json={**config, "workflow_id": UNKNOWN})
    assert unknown.status_code == 404
    assert (await client.get(f"/v1/{plural}")).json()["total"] == 0


# ======================================================================== team_id
async def test_team_id_sent_in_the_run_input_is_kept_as_sent(client):
    wid = await workflow(client)
    first = await client.post(f"/v1/workflows/{wid}/execute",
                              json={"run_input": {**START, "team_id": "team-from-body"}})
    assert first.status_code == 200, first.text
    marker = next(e for e in first.json()["events"] if e["type"] == "end_workflow_iteration")
    assert marker["run_input_output_pair"]["run_input"]["team_id"] == "team-from-body"
    run_id = first.json()["run_id"]
    for team in (None, "other-team"):  # per turn: as sent, else the teamid header
        turn = {**START, "command": "data"} if team is None else {
            **START, "command": "data", "team_id": team}
        assert (await client.post(f"/v1/workflows/{wid}/execute",
                                  json={"run_input": turn, "run_id": run_id})).status_code == 200
    run = await stored_run(client, run_id)
    assert [p["run_input"]["team_id"] for p in run["input_output_pairs"]] == [
        "team-from-body", SDK_HEADERS["teamid"], "other-team"]


async def test_without_a_team_id_the_teamid_header_fills_it(client):
    wid = await workflow(client)
    for body in ({"run_input": START}, {"run_input": {**START, "team_id": None}}, START):
        answer = await client.post(f"/v1/workflows/{wid}/execute", json=body)
        assert answer.status_code == 200, answer.text
        run_id = answer.json().get("run_id") or answer.json()["workflow_run_id"]
        run = await stored_run(client, run_id)
        assert run["input_output_pairs"][0]["run_input"]["team_id"] == SDK_HEADERS["teamid"]


async def test_a_g1_body_keeps_its_team_id_too(client):
    wid = await workflow(client)
    answer = await client.post(f"/v1/workflows/{wid}/execute", json={**START, "team_id": "t1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["input_output_pairs"][0]["run_input"]["team_id"] == "t1"


async def test_a_team_id_that_is_not_a_string_is_a_422(client):
    wid = await workflow(client)
    answer = await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": {**START, "team_id": 7}})
    assert issue(answer)["loc"] == ["body", "run_input", "team_id"]


# ======================================================================== run document
async def test_the_run_carries_the_hydrated_config_it_executes_from_its_first_turn(client):
    wid = await workflow(client)
    first = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    assert first["status"] == "waiting_for_user_input"
    hydrated = (await stored_run(client, first["run_id"]))["workflow_config_fully_hydrated"]
    assert hydrated["workflow_config"]["name"] == "contract-chat"
    assert [n["logical_id"] for n in hydrated["node_configs"]] == ["node_hi", "node_chat"]
    assert [e["logical_id"] for e in hydrated["edge_configs"]] == ["edge_1"]
    assert hydrated["dynamic_variables"] == {"who": "Ada"}
    # It is the config as of the run's start: later edits of the workflow do not change it.
    node_id = (await client.get("/v1/nodes", params={"workflow_id": wid})).json()["nodes"][0][
        "_id"]
    assert (await client.patch(f"/v1/nodes/{node_id}", json={"name": "Renamed"})
            ).status_code == 200
    again = (await stored_run(client, first["run_id"]))["workflow_config_fully_hydrated"]
    assert again == hydrated


async def test_a_g1_answer_and_a_node_less_run_carry_it_too(client):
    wid = await workflow(client)
    legacy = await client.post(f"/v1/workflows/{wid}/execute", json=START)
    assert legacy.status_code == 200, legacy.text
    assert len(legacy.json()["workflow_config_fully_hydrated"]["node_configs"]) == 2
    empty = await workflow(client, {"name": "empty"})
    run_id = (await client.post(f"/v1/workflows/{empty}/execute",
                                json={"run_input": START})).json()["run_id"]
    hydrated = (await stored_run(client, run_id))["workflow_config_fully_hydrated"]
    assert hydrated["node_configs"] == [] and hydrated["workflow_config"]["name"] == "empty"


async def test_usage_breakdowns_are_always_lists(client):
    wid = await workflow(client, STATIC)
    answer = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    end = answer["events"][-1]
    assert end["type"] == "end_workflow"
    assert end["llm_token_usage"]["breakdown_by_models"] == []
    assert end["llm_latency_stats"]["breakdown_by_models"] == []
    run = await stored_run(client, answer["run_id"])
    assert run["llm_token_usage"]["breakdown_by_models"] == []
    assert run["llm_latency_stats"]["breakdown_by_models"] == []
    legacy = (await client.post(f"/v1/workflows/{wid}/execute", json=START)).json()
    assert legacy["llm_token_usage"]["breakdown_by_models"] == []


async def test_the_published_run_document_declares_them_non_null(client):
    schemas = (await client.get("/openapi/interactly.json")).json()["components"]["schemas"]
    document = schemas["WorkflowRunDocument"]
    assert {"workflow_config_fully_hydrated", "llm_token_usage", "llm_latency_stats"} <= set(
        document["required"])
    assert "anyOf" not in document["properties"]["workflow_config_fully_hydrated"]
    usage = schemas["TokenUsage"]["properties"]["breakdown_by_models"]
    assert usage["type"] == "array" and "breakdown_by_models" in schemas["TokenUsage"][
        "required"]


# ======================================================================== configs on save
async def test_a_node_refused_by_its_model_is_the_services_400(client):
    wid = await workflow(client)
    answer = await client.post("/v1/nodes", json={
        "type": "no_op", "workflow_id": wid,
        "self_loop_config": {"enabled": True, "expiry_time": 1.5}})
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"message", "error"}
    assert body["message"] == "Invalid workflow configuration"
    assert body["error"].startswith("node.self_loop_config.expiry_time: ")


async def test_a_hydrated_create_with_a_bad_node_stores_nothing(client):
    broken = {**CHAT, "node_configs": [*CHAT["node_configs"], {
        "type": "say_static", "logical_id": "node_x",
        "static_messages_config": {"static_messages": "one"}}]}
    answer = await client.post("/v1/workflows", json=broken)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(
        "node node_x.static_messages_config.static_messages: ")
    assert (await client.get("/v1/workflows")).json()["total"] == 0
    assert (await client.get("/v1/nodes")).json()["total"] == 0


async def test_stored_configs_keep_unknown_keys_and_gain_no_defaults(client):
    wid = await workflow(client)
    sent = {"type": "say_llm", "logical_id": "node_new", "name": "New", "workflow_id": wid,
            "vendor_extension": {"a": 1}, "self_loop_config": {"enabled": True,
                                                               "max_retries": 2.0}}
    created = await client.post("/v1/nodes", json=sent)
    assert created.status_code == 200, created.text
    config = created.json()["node"]["node_config"]
    assert config == {**sent, "version_number": 0,
                      "self_loop_config": {"enabled": True, "max_retries": 2}}
    kept = await client.post("/v1/nodes", json={"type": "google_docs", "workflow_id": wid,
                                                "document_title": "Notes"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["node"]["node_config"]["document_title"] == "Notes"


async def test_a_patch_refused_by_the_model_leaves_the_document(client):
    wid = await workflow(client)
    node = (await client.get("/v1/nodes", params={"workflow_id": wid})).json()["nodes"][0]
    refused = await client.patch(f"/v1/nodes/{node['_id']}",
                                 json={"static_messages_config": {"static_messages": 3}})
    assert refused.status_code == 400 and refused.json()["message"]
    again = (await client.get(f"/v1/nodes/{node['_id']}")).json()["node"]
    assert again["node_config"] == node["node_config"]


@pytest.mark.parametrize("plural, config, category", [
    ("edges", {"type": "reverse", "source_node_logical_id": "a",
               "destination_node_logical_id": "b"}, "Invalid workflow configuration"),
    ("tools", {"type": "function"}, "Invalid tool configuration"),
    ("tools", {"type": "inline_python", "timeout_seconds": 2.5},
     "Invalid tool configuration")])
async def test_edges_and_tools_are_held_to_their_models(client, plural, config, category):
    answer = await client.post(f"/v1/{plural}", json=config)
    assert answer.status_code == 400 and answer.json()["message"] == category
    assert (await client.post(f"/v1/{plural}", json={})).status_code == 422  # no type at all
