"""Faults as a client sees them over a real socket: a dropped connection, a truncated SSE
stream, a WebSocket closed with a code, a delay released by the clock."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

pytestmark = pytest.mark.live
STATUS = "/api/v1/tests/get_test_execution_task"
STREAM = "/api/v1/monitor/stream/unified"


@pytest.fixture
def api(emulator_server):
    key = f"faults-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=emulator_server.url, timeout=20,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def add(client: httpx.Client, **rule) -> dict:
    response = client.post("/_emulator/faults", json=rule)
    assert response.status_code == 200, response.text
    return response.json()


def test_drop_closes_the_socket_without_a_response(api):
    add(api, path=STATUS, drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(STATUS, params={"task_id": "x"})
    # The server is fine and the rule has expired.
    assert api.get(STATUS, params={"task_id": "x"}).status_code == 404
    entries = api.get("/_emulator/journal", params={"path": STATUS}).json()["entries"]
    assert [(e["status"], e["fault"]) for e in entries] == [(None, "fault-1"), (404, None)]


def test_sse_stream_ends_after_n_events(api):
    add(api, path=STREAM, truncate_sse_after=2)
    raw = b""
    with api.stream("GET", STREAM, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():  # ends: the server finished the chunked body
            raw += chunk
    events = [line[7:] for line in raw.decode().split("\n") if line.startswith("event: ")]
    assert events == ["connection_ready", "initial_state"]


def test_websocket_closed_with_the_injected_code(api, emulator_server):
    add(api, method="WS", path="/workflows/v1/workflow-runs/ws", ws_close_code=4410)
    url = emulator_server.url.replace("http://", "ws://") + "/workflows/v1/workflow-runs/ws"
    headers = {"Authorization": api.headers["Authorization"]}
    with connect(url, additional_headers=headers) as ws, \
            pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4410


def test_status_with_retry_after_and_a_delay_on_the_realtime_clock(api):
    # The session server runs at --time-scale 20: 10 virtual seconds take about 0.5 s.
    add(api, path=STATUS, status=503, retry_after=3, delay_seconds=10, times=1)
    result: dict = {}

    def call() -> None:
        t = time.monotonic()
        result["response"] = api.get(STATUS, params={"task_id": "x"})
        result["elapsed"] = time.monotonic() - t

    thread = threading.Thread(target=call)
    thread.start()
    thread.join(15)
    response = result["response"]
    assert response.status_code == 503 and response.headers["retry-after"] == "3"
    assert response.json() == {"detail": "Service Unavailable"}
    assert 0.3 <= result["elapsed"] < 10
