"""Workflow executions without HTTP: children, concurrency, counts, end states, cancel."""

import pytest

from emulator.core.clock import VirtualClock
from emulator.core.errors import NotFound
from emulator.core.ids import IdGenerator
from emulator.revyl.catalog import Catalog, RevylFixtures
from emulator.revyl.executions import TestExecutions
from emulator.revyl.machine import InvalidTransition
from emulator.revyl.outcomes import OutcomeQueue, OutcomeScript
from emulator.revyl.workflows import TRANSITIONS, WorkflowExecutions
from emulator.settings import DEFAULT_FIXTURES

SMOKE = "f1000000-0000-4000-8000-000000000001"  # login (5x3 s) + onboarding (5x2.5 s), limit 2
NIGHTLY = "f1000000-0000-4000-8000-000000000002"  # 4 tests incl. the [fail] one, limit 3
LOGIN = "7e570000-0000-4000-8000-000000000001"


@pytest.fixture
def world():
    clock = VirtualClock("manual", epoch=0.0)
    catalog = Catalog(RevylFixtures.load(DEFAULT_FIXTURES), "2026-01-01T00:00:00Z")
    outcomes = OutcomeQueue()
    ids = IdGenerator(0, "w")
    tests = TestExecutions(catalog, clock, ids, outcomes)
    flows = WorkflowExecutions(catalog, clock, ids, outcomes, tests)
    seen: list[tuple[str, str]] = []
    flows.subscribe(lambda wf, event: seen.append((event, wf.status)))
    return flows, tests, clock, outcomes, seen, catalog


def test_passing_workflow_runs_children_in_parallel_and_completes(world):
    flows, _, clock, _, seen, _ = world
    wf = flows.start(SMOKE)
    assert (wf.status, wf.total_tests, wf.children) == ("queued", 2, [])
    clock.advance(1)
    assert wf.status == "setup"
    clock.advance(2)
    assert wf.status == "running" and len(wf.children) == 2
    assert all(c.workflow_execution_id == wf.id and c.source == "workflow"
               for c in wf.children)
    clock.run_until_idle()
    assert wf.status == "completed" and wf.success is True
    assert (wf.completed_tests, wf.passed_tests, wf.failed_tests) == (2, 2, 0)
    # children: 3 s to running + 15 s for login; the workflow started at t=3
    assert wf.duration_seconds == 18.0 and wf.fraction_done == 1.0
    assert [e for e, _ in seen] == ["created", "setup_started", "setup_done",
                                    "child_finished", "child_finished", "all_passed"]


def test_concurrency_limit_bounds_running_children(world):
    flows, _tests, clock, _, _, catalog = world
    catalog.workflows[NIGHTLY].concurrency_limit = 1
    wf = flows.start(NIGHTLY)
    clock.advance(3)
    peak = 0
    while not wf.terminal:
        active = sum(1 for c in wf.children if not c.terminal)
        peak = max(peak, active)
        clock.advance(0.5)
    assert peak == 1 and len(wf.children) == 4
    assert wf.status == "failed" and wf.failed_tests == 1 and wf.passed_tests == 3
    assert wf.error_message == "1 of 4 tests did not pass"


def test_concurrency_override_from_the_request(world):
    flows, _, clock, _, _, _ = world
    wf = flows.start(NIGHTLY, concurrency_limit=4)
    clock.advance(3)
    assert len(wf.children) == 4


def test_cancel_cancels_active_children_then_the_workflow(world):
    flows, _tests, clock, _, seen, _ = world
    wf = flows.start(NIGHTLY)
    clock.advance(5)
    children = list(wf.children)
    assert len(children) == 3
    _, cancelled = flows.cancel(wf.id)
    assert cancelled and wf.status == "cancelled" and wf.success is False
    assert {c.status for c in children} == {"cancelled"}
    assert len(wf.children) == 3  # the pending fourth test never started
    clock.run_until_idle()
    assert wf.status == "cancelled"
    assert flows.cancel(wf.id) == (wf, False)
    assert seen[-1] == ("cancel", "cancelled")


@pytest.mark.parametrize("wait, state", [(0, "queued"), (1, "setup")])
def test_cancel_before_running(world, wait, state):
    flows, _, clock, _, _, _ = world
    wf = flows.start(SMOKE)
    clock.advance(wait)
    assert wf.status == state
    flows.cancel(wf.id)
    assert wf.status == "cancelled" and wf.children == []
    assert clock.pending == 0


def test_scripted_workflow_error_fails_setup(world):
    flows, _, clock, outcomes, _, _ = world
    outcomes.push([OutcomeScript(workflow_id=SMOKE, result="error", error_message="no grid")])
    wf = flows.start(SMOKE)
    clock.run_until_idle()
    assert (wf.status, wf.error_message, wf.children) == ("failed", "no grid", [])


def test_scripted_workflow_fail_forces_one_child_to_fail(world):
    flows, _, clock, outcomes, _, _ = world
    outcomes.push([OutcomeScript(kind="workflow", result="fail", fail_step=1,
                                 error_message="Checkout button missing")])
    wf = flows.start(SMOKE)
    clock.run_until_idle()
    assert wf.status == "failed"
    assert [c.status for c in wf.children] == ["failed", "completed"]
    assert wf.children[0].error_message == "Checkout button missing"


def test_scripted_workflow_timeout_stops_children(world):
    flows, _, clock, outcomes, _, _ = world
    outcomes.push([OutcomeScript(workflow_id=SMOKE, result="timeout", timeout_seconds=5)])
    wf = flows.start(SMOKE)
    clock.run_until_idle()
    assert wf.status == "timeout" and "timed out after 5s" in wf.error_message
    assert {c.status for c in wf.children} == {"cancelled"}


def test_child_test_outcomes_come_from_the_test_queue(world):
    flows, _, clock, outcomes, _, _ = world
    outcomes.push([OutcomeScript(test_id=LOGIN, result="fail")])
    wf = flows.start(SMOKE)
    clock.run_until_idle()
    assert wf.status == "failed" and wf.failed_tests == 1


def test_every_table_transition_is_reachable(world):
    flows, _, clock, outcomes, seen, _ = world
    flows.start(SMOKE)
    flows.start(NIGHTLY)
    outcomes.push([OutcomeScript(workflow_id=SMOKE, result="error"),
                   OutcomeScript(workflow_id=SMOKE, result="timeout", timeout_seconds=1)])
    flows.start(SMOKE)
    flows.start(SMOKE)
    for wait in (0, 1, 4):
        wf = flows.start(SMOKE)
        clock.advance(wait)
        flows.cancel(wf.id)
    clock.run_until_idle()
    assert {event for (_, event) in TRANSITIONS} <= {event for event, _ in seen}


def test_unknown_workflow_and_execution(world):
    flows, _, _, _, _, _ = world
    with pytest.raises(NotFound, match="Workflow not found"):
        flows.start("nope")
    with pytest.raises(NotFound):
        flows.get("nope")


def test_terminal_workflow_refuses_further_transitions(world):
    flows, _, clock, _, _, _ = world
    wf = flows.start(SMOKE)
    clock.run_until_idle()
    with pytest.raises(InvalidTransition):
        flows.fire(wf, "child_finished")
