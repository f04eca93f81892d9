"""The Interactly WebSocket on a live server, framed as the SDK's stream expects (spec §3)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

pytestmark = pytest.mark.live

STATIC = {"name": "ws-static", "workflow_config": {"name": "ws-static"},
          "node_configs": [{"type": "say_static", "logical_id": "node_a", "name": "A",
                            "is_start": True,
                            "static_messages_config": {"static_messages": ["hi"]}}],
          "edge_configs": []}


@pytest.fixture
def api(emulator_server):
    key = f"ws-{uuid.uuid4().hex[:8]}"
    client = httpx.Client(base_url=f"{emulator_server.url}/workflows",
                          headers={"Authorization": f"Bearer {key}", "teamid": "t"})
    yield client, emulator_server.url.replace("http://", "ws://")
    client.close()


def frames(ws) -> tuple[list[dict], int | None]:
    received = []
    try:
        while True:
            received.append(json.loads(ws.recv(timeout=20)))
    except ConnectionClosed as closed:
        return received, closed.rcvd.code if closed.rcvd else None


def test_static_run_streams_ack_events_and_closes_1000(api):
    client, ws_base = api
    wid = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    token = client.get(f"{ws_base.replace('ws://', 'http://')}/v1/session").json()["data"]["id"]
    with connect(f"{ws_base}/workflows/v1/workflow-runs/ws?token={token}") as ws:
        ws.send(json.dumps({"thread_to_node_inputs": {"0": {"node_run_inputs": []}},
                            "workflow_id": wid, "command": "start", "run_by": "api"}))
        received, code = frames(ws)
    assert code == 1000
    ack = received[0]
    assert "type" not in ack and ack["workflow_id"] == wid and len(ack["workflow_run_id"]) == 24
    types = [f["type"] for f in received[1:]]
    assert types[-1] == "end_workflow" and "assistant_response" in types
    assert all(f["thread_reference_id"] == "0" for f in received[1:])
    run = client.get(f"/v1/workflow-runs/{ack['workflow_run_id']}").json()
    assert run["workflow_run"]["workflow_run"]["status"] == "completed"


def test_waiting_run_takes_later_frames_and_a_disconnect_leaves_it_waiting(api):
    client, ws_base = api
    wid = client.post("/v1/workflows", json={"name": "ws-chat"}).json()["workflow"]["_id"]
    headers = {"Authorization": client.headers["Authorization"]}
    with connect(f"{ws_base}/v1/workflow-runs/ws", additional_headers=headers) as ws:
        ws.send(json.dumps({"workflow_id": wid, "command": "start"}))
        ack = json.loads(ws.recv(timeout=20))
        seen = []
        while not seen or seen[-1]["type"] != "workflow_ready_for_input":
            seen.append(json.loads(ws.recv(timeout=20)))
        ws.send(json.dumps({"command": "data", "thread_to_node_inputs": {"0": {
            "node_run_inputs": [{"type": "llm", "messages": [{"type": "human",
                                                               "content": "hello"}]}]}}}))
        reply = []
        while not reply or reply[-1]["type"] != "workflow_ready_for_input":
            reply.append(json.loads(ws.recv(timeout=20)))
        assert any(f["type"] == "assistant_response" and "hello" in f["content"] for f in reply)
    run = client.get(f"/v1/workflow-runs/{ack['workflow_run_id']}").json()
    assert run["workflow_run"]["workflow_run"]["status"] == "waiting_for_user_input"


@pytest.mark.parametrize("extra, code", [({"initial_state": {"x": 1}}, 4006),
                                         ({"rerun_token": "nope"}, 4007)])
def test_rejected_start_frames_close_with_their_codes(api, extra, code):
    client, ws_base = api
    wid = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    headers = {"Authorization": client.headers["Authorization"]}
    with connect(f"{ws_base}/v1/workflow-runs/ws", additional_headers=headers) as ws:
        ws.send(json.dumps({"workflow_id": wid, "command": "start", **extra}))
        _, closed_with = frames(ws)
    assert closed_with == code


def test_a_used_or_unknown_token_is_refused(api):
    client, ws_base = api
    wid = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    token = client.get(f"{ws_base.replace('ws://', 'http://')}/v1/session").json()["data"]["id"]
    with connect(f"{ws_base}/v1/workflow-runs/ws?token={token}") as ws:
        ws.send(json.dumps({"workflow_id": wid, "command": "start"}))
        _, code = frames(ws)
    assert code == 1000
    for used in (token, "nope.nope"):
        with pytest.raises(InvalidStatus), connect(f"{ws_base}/v1/workflow-runs/ws?token={used}"):
            pass


def test_background_work_streams_on_the_namespace_clock_until_the_run_ends(api):
    """The WebSocket driver pumps companions itself: with a manual clock, nothing moves until
    the test advances it; then the companion's steps, the waiting edge and end_workflow arrive
    without another frame from the client."""
    from tests.api.test_interactly import BACKGROUND

    client, ws_base = api
    root = ws_base.replace("ws://", "http://")
    assert client.put(f"{root}/_emulator/clock", json={"mode": "manual"}).status_code == 200
    client.post(f"{root}/_emulator/scripts/interactly/llm", json={"replies": [
        {"node": "Poller", "tool_result": 1}, {"node": "Poller", "tool_result": 2}]})
    wid = client.post("/v1/workflows", json=BACKGROUND).json()["workflow"]["_id"]
    headers = {"Authorization": client.headers["Authorization"]}
    with connect(f"{ws_base}/v1/workflow-runs/ws", additional_headers=headers) as ws:
        ws.send(json.dumps({"workflow_id": wid, "command": "start"}))
        ack = json.loads(ws.recv(timeout=20))
        first = []
        while not first or first[-1]["type"] != "workflow_ready_for_input":
            first.append(json.loads(ws.recv(timeout=20)))
        assert first[-1]["active_companion_thread_ids"] == ["0_companion_bg"]
        assert {f["thread_reference_id"] for f in first} == {"0", "bg"}
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)  # frozen clock: no background step yet
        assert client.post(f"{root}/_emulator/clock/run-until-idle").status_code == 200
        rest, code = frames(ws)
    kinds = [f["type"] for f in rest]
    assert code == 1000 and kinds[-1] == "end_workflow"
    assert "waiting_condition_matched" in kinds and "companion_step_boundary" in kinds
    run = client.get(f"/v1/workflow-runs/{ack['workflow_run_id']}").json()
    assert run["workflow_run"]["workflow_run"]["status"] == "completed"


def stream_run(client, ws_base: str, frame: dict) -> tuple[list[dict], int | None]:
    headers = {"Authorization": client.headers["Authorization"], "uuid": "ws-user"}
    with connect(f"{ws_base}/v1/workflow-runs/ws", additional_headers=headers) as ws:
        ws.send(json.dumps(frame))
        received = []
        try:
            while True:
                received.append(json.loads(ws.recv(timeout=20)))
                if received[-1].get("type") == "workflow_ready_for_input":
                    return received, None
        except ConnectionClosed as closed:
            return received, closed.rcvd.code if closed.rcvd else None


def test_streamed_runs_are_rerunnable_and_a_token_starts_the_rerun_once(api):
    client, ws_base = api
    wid = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    received, code = stream_run(client, ws_base, {"workflow_id": wid, "command": "start"})
    run_id = received[0]["workflow_run_id"]
    assert code == 1000
    run = client.get(f"/v1/workflow-runs/{run_id}").json()["workflow_run"]["workflow_run"]
    assert run["workflow_config_fully_hydrated"]["node_configs"][0]["logical_id"] == "node_a"
    turns = client.get(f"/v1/workflow-runs/{run_id}/rerunnable-turns").json()["turns"]
    assert turns[0]["rerunnable"] is True
    # The same workflow driven over REST is not re-runnable.
    rest = client.post(f"/v1/workflows/{wid}/execute", json={"run_input": {}}).json()["run_id"]
    assert client.get(f"/v1/workflow-runs/{rest}/rerunnable-turns").json()["turns"][0][
        "reason"].startswith("This run predates workflow config snapshots")

    token = client.post(f"/v1/workflow-runs/{run_id}/turns/0/rerun-token",
                        json={}).json()["rerun_token"]
    start = {"workflow_id": wid, "command": "start", "rerun_token": token,
             "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
    received, code = stream_run(client, ws_base, start)
    assert code == 1000 and "type" not in received[0]
    new_id = received[0]["workflow_run_id"]
    assert new_id != run_id and received[-1]["type"] == "end_workflow"
    new = client.get(f"/v1/workflow-runs/{new_id}").json()["workflow_run"]["workflow_run"]
    assert new["source_workflow_run_id"] == run_id and new["status"] == "completed"
    lineage = client.get("/v1/workflow-runs", params={"source_workflow_run_id": run_id}).json()
    assert lineage["total"] == 1
    # Single-purpose: the token is spent.
    _, code = stream_run(client, ws_base, start)
    assert code == 4007


def test_a_token_for_another_workflow_or_version_or_a_changed_one_closes_4007(api):
    client, ws_base = api
    wid = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    other = client.post("/v1/workflows", json=STATIC).json()["workflow"]["_id"]
    received, _ = stream_run(client, ws_base, {"workflow_id": wid, "command": "start"})
    run_id = received[0]["workflow_run_id"]

    def mint() -> str:
        return client.post(f"/v1/workflow-runs/{run_id}/turns/0/rerun-token",
                           json={}).json()["rerun_token"]

    token = mint()
    for frame in ({"workflow_id": other, "rerun_token": token},
                  {"workflow_id": wid, "version_number": 3, "rerun_token": token},
                  {"workflow_id": wid, "rerun_token": 12}):
        received, code = stream_run(client, ws_base, {"command": "start", **frame})
        assert code == 4007 and received == [], frame
    # Still valid after refusals; the workflow changing since minting invalidates it.
    node = client.get("/v1/nodes", params={"workflow_id": wid}).json()
    node_id = node["nodes"][0]["_id"]
    assert client.patch(f"/v1/nodes/{node_id}", json={"name": "changed"}).status_code == 200
    _, code = stream_run(client, ws_base, {"command": "start", "workflow_id": wid,
                                           "rerun_token": token})
    assert code == 4007
