"""The unified SSE stream read from a live server, byte for byte as a client sees it."""

from __future__ import annotations

import json
import threading
import uuid

import httpx
import pytest

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"
SMOKE = "f1000000-0000-4000-8000-000000000001"


def read_events(url: str, key: str, until, started: threading.Event | None = None,
                timeout: float = 30) -> tuple[bytes, list[tuple[str, dict]]]:
    """Read raw bytes until ``until(events)`` holds; return the bytes and parsed events."""
    raw = b""
    events: list[tuple[str, dict]] = []
    with httpx.stream("GET", f"{url}/api/v1/monitor/stream/unified",
                      headers={"Authorization": f"Bearer {key}",
                               "Accept": "text/event-stream"}, timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for chunk in response.iter_raw():
            raw += chunk
            events = _parse(raw)
            if started is not None and len(events) >= 2:
                started.set()
            if until(events):
                return raw, events
    raise AssertionError("stream ended early")


def _parse(raw: bytes) -> list[tuple[str, dict]]:
    events = []
    for block in raw.decode().split("\n\n")[:-1]:
        lines = [line for line in block.split("\n") if not line.startswith(":")]
        if not lines:
            continue
        name = next(line[7:] for line in lines if line.startswith("event: "))
        data = [line[6:] for line in lines if line.startswith("data: ")]
        assert len(data) == 1, block
        events.append((name, json.loads(data[0])))
    return events


def post(url: str, key: str, path: str, body: dict) -> dict:
    response = httpx.post(f"{url}{path}", json=body,
                          headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_stream_framing_order_and_payloads_for_a_workflow(emulator_server):
    key = f"sse-{uuid.uuid4().hex[:8]}"
    started = threading.Event()
    result: dict = {}

    def reader() -> None:
        result["raw"], result["events"] = read_events(
            emulator_server.url, key, lambda ev: any(n == "workflow_completed" for n, _ in ev),
            started)

    thread = threading.Thread(target=reader)
    thread.start()
    assert started.wait(10)
    task = post(emulator_server.url, key, "/api/v1/workflow-executions",
                {"workflow_id": SMOKE, "retries": 1})["task_id"]
    thread.join(60)
    raw, events = result["raw"], result["events"]
    assert b"\r" not in raw
    names = [n for n, _ in events]
    assert names[:2] == ["connection_ready", "initial_state"]
    assert events[0][1]["org_id"] == "0a000000-0000-4000-8000-000000000001"
    assert names.index("workflow_started") < names.index("test_started")
    assert names.index("test_completed") < names.index("workflow_completed")
    final = events[-1][1]
    assert final["task_id"] == task and final["workflow_name"] == "smoke"
    assert final["workflow"]["task"]["id"] == final["workflow"]["task"]["task_id"] == task
    for name, data in events:
        if name in ("test_started", "test_updated"):
            assert data["test"]["id"] == data["test"]["task_id"]
            assert data["test"]["parent_workflow_task_id"] == task
        if name.startswith("workflow_") and "workflow" in data:
            duration = data["workflow"]["task"]["duration"]
            assert duration is None or isinstance(duration, str)


def test_late_subscriber_gets_the_outcome_replayed(emulator_server):
    key = f"late-{uuid.uuid4().hex[:8]}"
    emulator_server.control("PUT", "clock", token=key, json={"mode": "manual"})
    task = post(emulator_server.url, key, "/api/v1/execution/api/execute_test_id_async",
                {"test_id": LOGIN})["task_id"]
    emulator_server.control("POST", "clock/run-until-idle", token=key)
    _raw, events = read_events(emulator_server.url, key,
                              lambda ev: any(n == "test_completed" for n, _ in ev))
    names = [n for n, _ in events]
    assert names == ["connection_ready", "initial_state", "test_completed_with_data",
                     "test_completed"]
    assert events[1][1]["running_tests"] == []
    assert events[2][1]["task_id"] == task and events[2][1]["completed_test"]["status"] == (
        "completed")


def test_stream_is_scoped_to_the_namespace(emulator_server):
    mine, theirs = f"a-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    emulator_server.control("PUT", "clock", token=theirs, json={"mode": "manual"})
    post(emulator_server.url, theirs, "/api/v1/execution/api/execute_test_id_async",
         {"test_id": LOGIN})
    emulator_server.control("POST", "clock/run-until-idle", token=theirs)
    emulator_server.control("PUT", "clock", token=mine, json={"mode": "manual"})
    emulator_server.control("POST", "clock/advance", token=mine, json={"seconds": 1})
    _, events = read_events(emulator_server.url, mine, lambda ev: len(ev) >= 2)
    assert [n for n, _ in events] == ["connection_ready", "initial_state"]
    assert events[1][1]["running_tests"] == []


def test_heartbeats_follow_the_namespace_clock(emulator_server):
    key = f"hb-{uuid.uuid4().hex[:8]}"
    emulator_server.control("PUT", "clock", token=key, json={"mode": "manual"})
    started = threading.Event()
    result: dict = {}

    def reader() -> None:
        result["raw"], result["events"] = read_events(
            emulator_server.url, key,
            lambda ev: sum(1 for n, _ in ev if n == "heartbeat") >= 2, started)

    thread = threading.Thread(target=reader)
    thread.start()
    assert started.wait(10)
    emulator_server.control("POST", "clock/advance", token=key, json={"seconds": 31})
    thread.join(30)
    beats = [d for n, d in result["events"] if n == "heartbeat"]
    assert len(beats) == 2
