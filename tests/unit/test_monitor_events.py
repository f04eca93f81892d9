"""SSE event construction: exact bytes of a few events, order, and the two-parser fields."""

import json

import pytest

from emulator.core.broker import Broker
from emulator.core.clock import VirtualClock
from emulator.core.ids import IdGenerator
from emulator.revyl.catalog import Catalog, RevylFixtures
from emulator.revyl.executions import TestExecutions
from emulator.revyl.monitor import Monitor
from emulator.revyl.outcomes import OutcomeQueue
from emulator.revyl.workflows import WorkflowExecutions
from emulator.settings import DEFAULT_FIXTURES

LOGIN = "7e570000-0000-4000-8000-000000000001"
SMOKE = "f1000000-0000-4000-8000-000000000001"


@pytest.fixture
def world():
    clock = VirtualClock("manual")
    catalog = Catalog(RevylFixtures.load(DEFAULT_FIXTURES), "2026-01-01T00:00:00Z")
    outcomes = OutcomeQueue()
    ids = IdGenerator(0, "monitor")
    tests = TestExecutions(catalog, clock, ids, outcomes)
    flows = WorkflowExecutions(catalog, clock, ids, outcomes, tests)
    broker = Broker()
    monitor = Monitor(broker, clock, tests, flows, catalog.org, heartbeat_seconds=15)
    sub = broker.subscribe()
    return tests, flows, clock, monitor, sub


def drain(sub) -> list[tuple[str, dict]]:
    events = []
    while not sub.queue.empty():
        frame = sub.queue.get_nowait().decode()
        assert "\r" not in frame and frame.endswith("\n\n") and frame.count("\ndata: ") == 1
        name, data = frame.split("\n")[:2]
        events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


def test_exact_bytes_of_heartbeat_and_test_started(world):
    tests, _, clock, monitor, sub = world
    monitor.ensure_heartbeat()
    clock.advance(15)
    assert sub.queue.get_nowait() == (
        b'event: heartbeat\ndata: {"timestamp":"2026-01-01T00:00:15.000Z"}\n\n')
    e = tests.start(LOGIN)
    assert sub.queue.get_nowait() == (
        b'event: test_started\ndata: {"test":{"id":"' + e.id.encode() + b'","task_id":"'
        + e.id.encode() + b'","test_id":"7e570000-0000-4000-8000-000000000001",'
        b'"test_name":"login-flow","source":"api","status":"initializing","phase":"setup",'
        b'"progress":0.0,"current_step":null,"current_step_index":0,"total_steps":5,'
        b'"steps_completed":0,"started_at":null,"created_at":"2026-01-01T00:00:15.000Z",'
        b'"updated_at":"2026-01-01T00:00:15.000Z","can_cancel":true,"platform":"android",'
        b'"app_package":null,"estimated_duration_seconds":15,"error_message":"",'
        b'"trace_id":null,"org_id":"0a000000-0000-4000-8000-000000000001",'
        b'"workflow_execution_id":null,"parent_workflow_task_id":null}}\n\n')


def test_test_lifecycle_events_and_completion_payloads(world):
    tests, _, clock, _, sub = world
    e = tests.start(LOGIN)
    clock.run_until_idle()
    events = drain(sub)
    names = [n for n, _ in events]
    assert names[0] == "test_started" and names[-2:] == ["test_completed_with_data",
                                                         "test_completed"]
    assert set(names[1:-2]) == {"test_updated"}
    with_data = events[-2][1]
    assert (with_data["id"], with_data["task_id"]) == (e.id, e.id)
    enriched = with_data["completed_test"]
    assert enriched["id"] == e.test_history_id and enriched["test_uid"] == LOGIN
    assert enriched["enhanced_task"]["test_history_id"] == e.test_history_id
    assert enriched["enhanced_task"]["current_step_index"] == 4
    assert isinstance(enriched["duration"], float)
    plain = events[-1][1]
    assert plain["test"]["status"] == "completed" and plain["test"]["progress"] == 100.0


def test_timeout_and_cancel_map_to_failed_and_cancelled_events(world):
    tests, _, clock, _, sub = world
    from emulator.revyl.outcomes import OutcomeScript

    tests.outcomes.push([OutcomeScript(result="timeout", timeout_seconds=5)])
    timed = tests.start(LOGIN)
    clock.run_until_idle()
    assert [n for n, _ in drain(sub)][-2:] == ["test_failed_with_data", "test_failed"]
    assert timed.status == "timeout"
    cancelled = tests.start(LOGIN)
    tests.cancel(cancelled.id)
    events = drain(sub)
    assert [n for n, _ in events][-2:] == ["test_cancelled_with_data", "test_cancelled"]
    assert "cancelled_test" in events[-2][1]


def test_workflow_events_satisfy_both_parsers_and_children_finish_first(world):
    _, flows, clock, _, sub = world
    wf = flows.start(SMOKE)
    clock.run_until_idle()
    events = drain(sub)
    names = [n for n, _ in events]
    assert names[0] == "workflow_started" and names[-1] == "workflow_completed"
    last_child = max(i for i, n in enumerate(names) if n == "test_completed")
    assert last_child < len(names) - 1
    started = events[0][1]["workflow"]
    assert started["task"]["id"] == started["task"]["task_id"] == wf.id
    assert started["task"]["duration"] is None and started["task"]["total_tests"] == 2
    child_started = [d for n, d in events if n == "test_started"]
    assert {d["test"]["parent_workflow_task_id"] for d in child_started} == {wf.id}
    final = events[-1][1]
    assert "id" not in final  # no top-level id that is not the task id
    assert (final["task_id"], final["workflow_name"], final["status"]) == (
        wf.id, "smoke", "completed")
    assert final["workflow"]["task"]["id"] == wf.id
    assert final["workflow"]["task"]["duration"] == "18.0s"
    assert final["workflow"]["task"]["passed_tests"] == 2
    assert final["workflow_results"]["failed_tests"] == 0
    assert all(isinstance(d["workflow"]["progress"], float)
               for n, d in events if n == "workflow_updated")


def test_initial_state_lists_active_work_only(world):
    tests, flows, clock, monitor, _ = world
    done = tests.start(LOGIN)
    clock.run_until_idle()
    running = tests.start(LOGIN)
    wf = flows.start(SMOKE)
    state = monitor.initial_state()
    assert [t["task_id"] for t in state["running_tests"]] == [running.id]
    assert [w["task"]["task_id"] for w in state["running_workflows"]] == [wf.id]
    assert done.id not in json.dumps(state)
    assert monitor.initial_state(include_queued=False)["running_tests"] == []
