"""Interactly through HTTP, following what the official SDK sends and reads
(spec/transcripts/interactly_sdk.txt, spec §4.17), under both mount prefixes."""

import httpx
import pytest

from ..interactly_graphs import BACKGROUND_EDGES, BACKGROUND_NODES

pytestmark = pytest.mark.anyio

PREFIXES = ["/workflows/v1", "/v1"]
START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
HYDRATED = {
    "name": "acceptance-typed",
    "workflow_config": {"logical_id": "workflow_1", "name": "acceptance-typed",
                        "miscellaneous": {"default_dynamic_variables": {"who": "Ada"}}},
    "node_configs": [
        {"type": "say_static", "logical_id": "node_hi", "name": "Greeting", "is_start": True,
         "static_messages_config": {"static_messages": ["hi {{who}}"]}},
        {"type": "say_static", "logical_id": "node_bye", "name": "Goodbye",
         "static_messages_config": {"static_messages": ["bye"]}}],
    "edge_configs": [{"type": "direct", "logical_id": "edge_1", "source_node_logical_id":
                      "node_hi", "destination_node_logical_id": "node_bye"}],
    "dynamic_variables": {}, "runtime_variables": {}}


def says(message: str) -> dict:
    return {**START, "command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "node_logical_id": None, "messages": [
            {"content": message, "additional_kwargs": {}, "response_metadata": {},
             "type": "human", "name": None, "id": None}]}]}}}


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_workflow_crud_and_versions_as_the_sdk_does_it(client, prefix):
    created = await client.post(f"{prefix}/workflows", json={"name": "acceptance-crud",
                                                             "description": "d"})
    assert created.status_code == 200
    body = created.json()
    wf = body["workflow"]
    assert len(wf["_id"]) == 24 and wf["workflow_config"]["name"] == "acceptance-crud"
    assert wf["active_version_number"] == 0 and wf["team_id"] == "emu-team"
    assert body["execution_url"].endswith(f"{prefix}/workflows/{wf['_id']}/execute")
    wid = wf["_id"]
    assert (await client.get(f"{prefix}/workflows/{wid}")).json()["workflow"]["_id"] == wid
    version = (await client.post(f"{prefix}/workflows/{wid}/versions",
                                 json={"mark_as_active": True, "version_name": "v2"})).json()
    assert version["version"]["version_number"] == 1 and version["parent_active_version"] == 1
    versions = (await client.get(f"{prefix}/workflows/{wid}/versions")).json()["versions"]
    assert [v["version_number"] for v in versions] == [0, 1]
    listing = (await client.get(f"{prefix}/workflows", params={"page": 1, "size": 50})).json()
    assert listing["total"] == 1 and listing["page"] == 1 and listing["pages"] == 1
    patched = await client.patch(f"{prefix}/workflows/{wid}", json={"name": "renamed"})
    assert patched.json()["workflow"]["workflow_config"]["name"] == "renamed"
    assert (await client.delete(f"{prefix}/workflows/{wid}")).status_code == 200
    gone = await client.get(f"{prefix}/workflows/{wid}")
    assert gone.status_code == 404 and "not found" in gone.json()["detail"]


async def test_ids_auth_and_validation(emulator_app, client):
    assert (await client.get("/v1/workflows/not-an-object-id")).status_code == 422
    assert (await client.get("/v1/workflows/" + "a" * 24)).status_code == 404
    assert (await client.post("/v1/workflows", json={})).status_code == 422
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e") as anonymous:
        for path in ("/v1/workflows", "/workflows/v1/workflows", "/v1/session"):
            response = await anonymous.get(path, headers={"Authorization": "Bearer "})
            assert response.status_code == 401 and response.json()["detail"]


async def test_empty_workflow_turns_until_completed_then_session_is_gone(client):
    wid = (await client.post("/workflows/v1/workflows", json={"name": "t"})).json()[
        "workflow"]["_id"]
    first = (await client.post(f"/workflows/v1/workflows/{wid}/execute",
                               json={"run_input": START})).json()
    for key in ("run_id", "status", "turn_number", "events", "is_waiting_for_input",
                "is_completed", "error", "next_input_hint", "has_active_companions",
                "has_background_work"):
        assert key in first
    assert (first["status"], first["turn_number"], first["is_waiting_for_input"]) == (
        "waiting_for_user_input", 1, True)
    assert first["next_input_hint"]["type"] == "busy_wait_for_user_message"
    run_id = first["run_id"]
    status, turns = first["status"], 1
    while status == "waiting_for_user_input" and turns < 10:
        reply = (await client.post(f"/workflows/v1/workflows/{wid}/execute", json={
            "run_input": {**START, "command": "data",
                          "dynamic_variables": {"user_message": "hello"}},
            "run_id": run_id})).json()
        status, turns = reply["status"], reply["turn_number"]
        assert any(e["type"] == "assistant_response" and e["content"] for e in reply["events"])
    assert status == "completed" and reply["is_completed"] is True
    stored = (await client.get(f"/workflows/v1/workflow-runs/{run_id}")).json()
    inner = stored["workflow_run"]["workflow_run"]
    assert inner["workflow_run_id"] == run_id and inner["status"] == "completed"
    assert len(inner["input_output_pairs"]) == turns
    assert inner["input_output_pairs"][0]["run_input"]["workflow_run_id"] == run_id
    after = await client.post(f"/workflows/v1/workflows/{wid}/execute",
                              json={"run_input": START, "run_id": run_id})
    assert after.status_code == 404 and after.json() == {"detail": "Session not found"}
    assert (await client.get(f"/workflows/v1/workflow-runs/{run_id}")).json()[
        "workflow_run"]["workflow_run"]["status"] == "completed"


async def test_stop_cancels(client):
    wid = (await client.post("/v1/workflows", json={"name": "stop"})).json()["workflow"]["_id"]
    run_id = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})
              ).json()["run_id"]
    stopped = (await client.post(f"/v1/workflows/{wid}/execute", json={
        "run_input": {**START, "command": "stop"}, "run_id": run_id})).json()
    assert (stopped["status"], stopped["is_completed"], stopped["is_waiting_for_input"]) == (
        "cancelled", True, False)
    again = await client.post(f"/v1/workflows/{wid}/execute",
                              json={"run_input": {**START, "command": "data"}, "run_id": run_id})
    assert again.status_code == 404
    no_run = await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": {**START, "command": "stop"}})
    assert no_run.status_code == 400


async def test_hydrated_create_then_static_turn(client):
    created = (await client.post("/workflows/v1/workflows", json=HYDRATED)).json()["workflow"]
    wid = created["_id"]
    assert created["workflow_config"]["name"] == "acceptance-typed"
    assert len(created["workflow_config"]["nodes"]) == 2
    hydrated = (await client.get(f"/workflows/v1/workflows/{wid}",
                                 params={"fully_hydrate": "true"})).json()["workflow"]
    inner = hydrated["workflow_config"]
    assert [n["type"] for n in inner["node_configs"]] == ["say_static", "say_static"]
    assert inner["workflow_config"]["name"] == "acceptance-typed"
    assert inner["edge_configs"][0]["type"] == "direct"
    run_input = {**START, "workflow_id": None, "version_number": 0, "run_by": None,
                 "workflow_run_id": None, "team_id": None, "start_node_logical_id": None,
                 "initial_state": None, "welcome_message": None}
    turn = (await client.post(f"/workflows/v1/workflows/{wid}/execute",
                              json={"run_input": run_input})).json()
    contents = [e["content"] for e in turn["events"] if e["type"] == "assistant_response"]
    assert contents == ["hi Ada", "bye"] and turn["status"] == "completed"
    assert turn["events"][-1]["type"] == "end_workflow"
    assert not any(e["type"] == "workflow_error" for e in turn["events"])
    assert all(isinstance(e["timestamp"], float) for e in turn["events"])


async def test_nodes_edges_and_scripted_llm(client):
    wid = (await client.post("/v1/workflows", json={"name": "graph"})).json()["workflow"]["_id"]
    front = (await client.post("/v1/nodes", json={
        "type": "say_llm", "name": "Front", "logical_id": "node_front", "is_start": True,
        "workflow_id": wid})).json()["node"]
    assert front["node_config"]["type"] == "say_llm" and len(front["_id"]) == 24
    await client.post("/v1/nodes", json={"type": "say_static", "name": "Done",
                                         "logical_id": "node_done", "workflow_id": wid,
                                         "static_messages_config": {"static_messages": ["ok"]}})
    edge = await client.post("/v1/edges", json={
        "type": "conditional", "workflow_id": wid, "source_node_logical_id": "node_front",
        "destination_node_logical_id": "node_done",
        "condition": {"condition_freeform": "the user says goodbye"}})
    assert edge.status_code == 200 and edge.json()["edge"]["edge_config"]["type"] == "conditional"
    assert (await client.post("/v1/edges", json={"type": "direct"})).status_code == 422
    nodes = (await client.get("/v1/nodes", params={"workflow_id": wid})).json()
    assert nodes["total"] == 2
    scripted = await client.post("/_emulator/scripts/interactly/llm", json={"replies": [
        {"workflow_id": wid, "node": "Front", "reply": "Welcome to Acme"}]})
    assert scripted.status_code == 200
    run = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    reply = (await client.post(f"/v1/workflows/{wid}/execute", json={
        "run_input": says("hi"), "run_id": run["run_id"]})).json()
    assert [e["content"] for e in reply["events"] if e["type"] == "assistant_response"] == [
        "Welcome to Acme"]
    done = (await client.post(f"/v1/workflows/{wid}/execute", json={
        "run_input": says("goodbye"), "run_id": run["run_id"]})).json()
    assert done["status"] == "completed"
    runs = (await client.get("/v1/workflow-runs", params={"workflow_id": wid})).json()
    assert runs["total"] == 1 and runs["workflow_runs"][0]["workflow_run"]["workflow_id"] == wid
    bad = await client.post("/_emulator/scripts/interactly/llm",
                            json={"replies": [{"match": "(unclosed"}]})
    assert bad.status_code == 422


async def test_legacy_g1_body_is_answered_with_the_run_document(client):
    wid = (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]
    legacy = (await client.post(f"/v1/workflows/{wid}/execute", json=START)).json()
    assert legacy["workflow_run_id"] == legacy["run_id"]
    assert legacy["input_output_pairs"] and legacy["status"] == "completed"


async def test_execute_errors(client):
    wid = (await client.post("/v1/workflows", json={"name": "e"})).json()["workflow"]["_id"]
    unknown = await client.post("/v1/workflows/" + "b" * 24 + "/execute",
                                json={"run_input": START})
    assert unknown.status_code == 404
    assert (await client.post(f"/v1/workflows/{wid}/execute",
                              json={"run_input": {"command": "explode"}})).status_code == 422
    assert (await client.post(f"/v1/workflows/{wid}/execute",
                              json={"run_input": START, "run_id": "c" * 24})).status_code == 404
    assert (await client.post("/v1/workflows/xyz/execute",
                              json={"run_input": START})).status_code == 422
    session = (await client.get("/v1/session")).json()
    assert session["data"]["id"]


def waiting_graph(**changes):
    """A chat node that waits, a worker that can trigger, and a waiting-evaluation edge."""
    edge = {"type": "conditional", "name": "wake", "source_node_logical_id": "node_chat",
            "destination_node_logical_id": "node_done",
            "condition": {"condition_expression": "isPresent([[ready]])"},
            "evaluate_while_waiting_config": {"enabled": True,
                                              "trigger_mode": "on_node_completion",
                                              "trigger_node_logical_ids": ["node_poll"]}}
    edge["evaluate_while_waiting_config"].update(changes.pop("config", {}))
    edges = [edge, *changes.pop("extra_edges", [])]
    return {"name": "waiting", "workflow_config": {"name": "waiting"}, "edge_configs": edges,
            "node_configs": [
                {"type": "say_llm", "logical_id": "node_chat", "name": "Chat", "is_start": True},
                {"type": "no_op", "logical_id": "node_poll", "name": "Poll"},
                {"type": "say_static", "logical_id": "node_done", "name": "Done"}]}


@pytest.mark.parametrize("changes, needle", [
    ({"extra_edges": [{"type": "direct", "source_node_logical_id": "node_chat",
                       "destination_node_logical_id": "node_poll"}]}, "direct edge"),
    ({"config": {"trigger_node_logical_ids": ["node_nope"]}}, "do not exist"),
    ({"config": {"trigger_node_logical_ids": ["node_chat"]}}, "wait for user input"),
    ({"config": {"trigger_mode": "on_every_background_tick"}},
     "min_seconds_between_evaluations"),
])
async def test_graph_rules_refuse_bad_waiting_edges_with_the_service_error_shape(
        client, changes, needle):
    response = await client.post("/v1/workflows", json=waiting_graph(**changes))
    assert response.status_code == 400
    body = response.json()
    assert "evaluate while waiting" in body["message"].lower() and needle in body["error"]
    assert (await client.get("/v1/workflows")).json()["total"] == 0  # nothing half-saved


async def test_a_valid_waiting_edge_is_accepted(client):
    assert (await client.post("/v1/workflows", json=waiting_graph())).status_code == 200


BACKGROUND = {"name": "background", "workflow_config": {"name": "background"},
              "node_configs": BACKGROUND_NODES, "edge_configs": BACKGROUND_EDGES}


async def test_rest_runs_advance_background_work_only_when_pumped(client):
    wid = (await client.post("/v1/workflows", json=BACKGROUND)).json()["workflow"]["_id"]
    scripted = await client.post("/_emulator/scripts/interactly/llm", json={"replies": [
        {"node": "Poller", "tool_result": 1}, {"node": "Poller", "tool_result": 2}]})
    assert scripted.status_code == 200
    first = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    assert first["is_waiting_for_input"] and first["has_background_work"]
    assert first["has_active_companions"]
    assert first["events"][-1]["active_companion_thread_ids"] == ["0_companion_bg"]
    pump = f"/v1/workflows/{wid}/runs/{first['run_id']}/pump-companions"
    idle = (await client.post(pump, json={})).json()
    assert idle["events"] == [] and idle["has_background_work"]  # nothing due yet
    await client.post("/_emulator/clock/advance", json={"seconds": 2})
    moved = (await client.post(pump, json={})).json()
    kinds = [e["type"] for e in moved["events"]]
    assert "waiting_condition_matched" in kinds and "assistant_response" in kinds
    assert moved["status"] == "running" and moved["has_background_work"]  # companion loops on
    await client.post("/_emulator/clock/advance", json={"seconds": 60})
    drained = (await client.post(pump)).json()
    assert drained["status"] == "completed" and not drained["has_background_work"]
    assert drained["events"][-1]["type"] == "end_workflow"
    again = (await client.post(pump)).json()
    assert again["events"] == [] and again["is_completed"]
    run = (await client.get(f"/v1/workflow-runs/{first['run_id']}")).json()
    stored = [e["type"] for e in
              run["workflow_run"]["workflow_run"]["input_output_pairs"][0]["run_output"]["events"]]
    assert "waiting_condition_matched" in stored and stored[-1] == "end_workflow"
    other = (await client.post("/v1/workflows", json={"name": "x"})).json()["workflow"]["_id"]
    assert (await client.post(f"/v1/workflows/{other}/runs/{first['run_id']}/pump-companions")
            ).status_code == 404
    assert (await client.post(f"/v1/workflows/{wid}/runs/{'f' * 24}/pump-companions")
            ).status_code == 404
    assert (await client.post(f"/v1/workflows/{wid}/runs/nope/pump-companions")
            ).status_code == 422


async def test_run_list_filters_by_date_status_search_and_filters_object(client):
    wid = (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]
    early = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    await client.post("/_emulator/clock/advance", json={"seconds": 3600})
    late = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    now = (await client.get("/_emulator/clock")).json()["now"]

    async def ids(**params):
        response = await client.get("/v1/workflow-runs", params=params)
        assert response.status_code == 200, response.text
        return [r["_id"] for r in response.json()["workflow_runs"]]

    assert await ids() == [late["run_id"], early["run_id"]]  # newest first
    assert await ids(start=now.replace("Z", "+00:00")) == [late["run_id"]]
    assert await ids(end="2026-01-01T00:30:00") == [early["run_id"]]  # naive means UTC
    assert await ids(status="completed", workflow_id=wid) == [late["run_id"], early["run_id"]]
    assert await ids(search=early["run_id"][-6:]) == [early["run_id"]]
    assert await ids(filters='{"end": "2026-01-01T00:30:00Z"}') == [early["run_id"]]
    assert await ids(source_workflow_run_id=early["run_id"]) == []
    for bad in ({"start": "yesterday"}, {"filters": "{not json"}, {"source_turn_index": -1}):
        response = await client.get("/v1/workflow-runs", params=bad)
        assert response.status_code == 422, bad


@pytest.mark.parametrize("thread_id, needle", [
    ("has.dot", "letters, digits"), ("0", "reserved"), ("a_companion_b", "reserved"),
    ("bg", "used by another")])
async def test_companion_thread_ids_are_checked_at_save_time(client, thread_id, needle):
    graph = {**BACKGROUND, "edge_configs": [*BACKGROUND["edge_configs"]]}
    fork = {**graph["edge_configs"][1], "companion_thread_config": {
        "is_companion_thread": True, "thread_id": thread_id}}
    graph["edge_configs"][1] = fork
    if needle == "used by another":
        graph["edge_configs"].append({**fork, "destination_node_logical_id": "node_deliver"})
    response = await client.post("/v1/workflows", json=graph)
    assert response.status_code == 400 and needle in response.json()["error"]
