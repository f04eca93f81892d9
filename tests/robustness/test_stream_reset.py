"""A reset ends the namespace's open streams: the Revyl monitor stream after a last ``reset``
event, the Interactly run WebSocket with close code 4012. Before, a socket kept streaming a run
its namespace no longer had. Other namespaces' streams are untouched."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from emulator.pytest_plugin import IN_PROCESS_URL

pytestmark = pytest.mark.anyio

STREAM = "/api/v1/monitor/stream/unified"
START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
CHAT = {"name": "reset-chat", "node_configs": [
    {"type": "say_static", "logical_id": "node_hi", "name": "Hi", "is_start": True,
     "static_messages_config": {"static_messages": ["hi"]}},
    {"type": "say_llm", "logical_id": "node_chat", "name": "Chat"}],
    "edge_configs": [{"type": "direct", "logical_id": "edge_1",
                      "source_node_logical_id": "node_hi",
                      "destination_node_logical_id": "node_chat"}]}


def events(raw: bytes) -> list[tuple[str, Any]]:
    found = []
    for block in raw.decode().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


async def namespace(app: Any, client: httpx.AsyncClient) -> Any:
    key = (await client.get("/_emulator/state")).json()["namespace"]
    return app.state.registry.by_key(key)


async def test_a_reset_ends_the_monitor_stream_with_a_reset_event(emulator_app: Any) -> None:
    transport = httpx.ASGITransport(app=emulator_app)
    mine = httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL,
                             headers={"Authorization": "Bearer resetting"})
    other = httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL,
                              headers={"Authorization": "Bearer bystander"})
    resetting = await namespace(emulator_app, mine)
    bystander = await namespace(emulator_app, other)
    try:
        # ASGITransport answers once the response is complete: the streams run as tasks.
        streaming = asyncio.ensure_future(mine.get(STREAM))
        watching = asyncio.ensure_future(other.get(STREAM))
        for _ in range(500):
            await asyncio.sleep(0.01)
            if resetting.broker.subscribers and bystander.broker.subscribers:
                break
        reset = await mine.post("/_emulator/reset")
        assert reset.status_code == 200
        response = await asyncio.wait_for(streaming, 5)
        names = [name for name, _ in events(response.content)]
        assert names[:2] == ["connection_ready", "initial_state"]
        assert names[-1] == "reset"
        assert events(response.content)[-1][1] == {
            "reason": "namespace reset", "namespace": reset.json()["namespace"]}
        assert resetting.broker.subscribers == 0
        await asyncio.sleep(0.05)
        assert not watching.done()  # another namespace's stream goes on
        assert bystander.broker.subscribers == 1
    finally:
        bystander.broker.close()
        await asyncio.wait_for(watching, 5)
        await mine.aclose()
        await other.aclose()
        await emulator_app.state.registry.aclose()


def test_a_reset_closes_the_run_websocket_with_4012(emulator_app: Any) -> None:
    with warnings.catch_warnings():  # starlette nudges towards httpx2 for its test client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        client = TestClient(emulator_app, base_url=IN_PROCESS_URL,
                            headers={"Authorization": "Bearer ws-reset"})
    with client:
        workflow = client.post("/v1/workflows", json=CHAT)
        assert workflow.status_code == 200, workflow.text
        wid = workflow.json()["workflow"]["_id"]
        with client.websocket_connect("/v1/workflow-runs/ws") as ws:
            ws.send_json({**START, "workflow_id": wid})
            ack = ws.receive_json()
            assert ack["message"] == "Workflow run started"
            assert client.post("/_emulator/reset").status_code == 200
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:  # the turn's events, then the close
                    ws.receive_json()
        assert closed.value.code == 4012 and closed.value.reason == "namespace reset"
        journal = client.get("/_emulator/journal", params={"method": "WS"}).json()
        assert journal["entries"] == []  # the reset emptied the journal too


def test_deleting_the_namespace_ends_its_streams_too(emulator: Any) -> None:
    """``DELETE /_emulator/namespace`` ends the streams the same way, with its own reason
    (read through the streaming sync client: the stream is open while the delete runs)."""
    with emulator.sync_client.stream("GET", STREAM) as stream:
        lines = stream.iter_lines()
        assert next(lines) == "event: connection_ready"
        gone = emulator.sync_client.delete("/_emulator/namespace")
        assert gone.json()["deleted"] is True
        rest = "\n".join(lines)
    (_, data), = [found for found in events(rest.encode()) if found[0] == "reset"]
    assert data == {"reason": "namespace deleted", "namespace": gone.json()["namespace"]}
