"""The test-execution state machine without HTTP: every transition of the table, on a manual
clock, with timings and fields checked at each stop."""

import pytest

from emulator.core.clock import VirtualClock
from emulator.core.ids import IdGenerator
from emulator.revyl.catalog import Catalog, RevylFixtures
from emulator.revyl.executions import TestExecutions
from emulator.revyl.machine import TRANSITIONS, InvalidTransition
from emulator.revyl.outcomes import OutcomeQueue, OutcomeScript
from emulator.settings import DEFAULT_FIXTURES

LOGIN = "7e570000-0000-4000-8000-000000000001"  # 5 steps x 3 s
FAILING = "7e570000-0000-4000-8000-000000000004"  # name has [fail], 3 steps x 3 s


@pytest.fixture
def world():
    clock = VirtualClock("manual", epoch=0.0)
    fixtures = RevylFixtures.load(DEFAULT_FIXTURES)
    outcomes = OutcomeQueue()
    service = TestExecutions(Catalog(fixtures, "2026-01-01T00:00:00Z"), clock,
                             IdGenerator(0, "t"), outcomes)
    seen: list[tuple[str, str]] = []
    service.subscribe(lambda e, event: seen.append((event, e.status)))
    return service, clock, outcomes, seen


def test_passing_run_walks_every_phase_on_the_clock(world):
    service, clock, _, seen = world
    e = service.start(LOGIN)
    assert (e.status, e.progress, e.current_step) == ("initializing", 0.0, None)
    clock.advance(1.0)
    assert e.status == "queued"
    clock.advance(2.0)
    assert e.status == "running" and e.started_at == 3.0
    assert (e.current_step_index, e.steps_completed, e.current_step) == (0, 0, "open app")
    clock.advance(3.0)
    assert (e.current_step_index, e.steps_completed, e.progress) == (1, 1, 20.0)
    clock.advance(12.0)
    assert e.status == "completed"
    assert (e.success, e.error_message, e.progress, e.steps_completed) == (True, None, 100.0, 5)
    assert e.completed_at == 18.0 and e.execution_time_seconds == 15.0
    assert [event for event, _ in seen] == [
        "created", "provisioned", "device_ready", *["step_passed"] * 4, "steps_done"]


def test_magic_fail_marker_fails_midway_with_a_message(world):
    service, clock, _, _ = world
    e = service.start(FAILING)
    clock.run_until_idle()
    assert e.status == "failed" and e.success is False
    assert e.steps_completed == 1 and e.current_step_index == 1
    assert "Step 2 failed" in e.error_message
    assert e.progress == pytest.approx(33.3)


def test_scripted_error_fails_during_provisioning(world):
    service, clock, outcomes, seen = world
    outcomes.push([OutcomeScript(result="error", error_message="no devices")])
    e = service.start(LOGIN)
    clock.advance(1.0)
    assert (e.status, e.error_message, e.started_at) == ("failed", "no devices", None)
    assert seen[-1] == ("provision_failed", "failed")
    assert e.execution_time_seconds == 1.0


def test_scripted_timeout_hangs_then_times_out(world):
    service, clock, outcomes, _ = world
    outcomes.push([OutcomeScript(test_id=LOGIN, result="timeout", timeout_seconds=60,
                                 fail_step=2)])
    e = service.start(LOGIN)
    clock.advance(3.0 + 30)
    assert e.status == "running" and e.current_step_index == 1
    clock.run_until_idle()
    assert e.status == "timeout" and e.completed_at == 63.0
    assert "timed out after 60s" in e.error_message


def test_retries_rerun_a_failed_attempt_and_flaky_scripts_pass_later(world):
    service, clock, outcomes, seen = world
    outcomes.push([OutcomeScript(test_id=LOGIN, result="fail", fail_step=1, pass_on_attempt=2)])
    e = service.start(LOGIN, retries=3)
    clock.advance(3.0 + 3.0)
    assert e.status == "queued" and e.attempt == 2 and e.steps_completed == 0
    assert ("retry", "queued") in seen
    clock.run_until_idle()
    assert e.status == "completed" and e.attempt == 2
    assert e.started_at == 3.0  # the first attempt's start, not the retry's


def test_retries_exhausted_end_failed(world):
    service, clock, _, _ = world
    e = service.start(FAILING, retries="2")
    clock.run_until_idle()
    assert e.status == "failed" and e.attempt == 2


@pytest.mark.parametrize("wait, state", [(0.0, "initializing"), (1.0, "queued"),
                                         (4.0, "running")])
def test_cancel_from_every_active_state(world, wait, state):
    service, clock, _, _ = world
    e = service.start(LOGIN)
    clock.advance(wait)
    assert e.status == state
    execution, cancelled = service.cancel(e.id)
    assert cancelled and execution.status == "cancelled" and execution.success is False
    assert clock.pending == 0  # the pending step timer is gone
    again, cancelled_again = service.cancel(e.id)
    assert not cancelled_again and again.status == "cancelled"


def test_transitions_out_of_a_terminal_state_are_refused(world):
    service, clock, _, _ = world
    e = service.start(LOGIN)
    clock.run_until_idle()
    with pytest.raises(InvalidTransition):
        service.machine.fire(e, "cancel")
    assert e.status == "completed"


def test_every_table_transition_is_reachable(world):
    service, clock, outcomes, seen = world
    outcomes.push([OutcomeScript(result="error"),
                   OutcomeScript(result="timeout", timeout_seconds=5),
                   OutcomeScript(result="fail", pass_on_attempt=2)])
    for _ in range(3):
        service.start(LOGIN, retries=2)
    service.start(FAILING)
    for wait in (0.0, 1.0, 4.0):
        e = service.start(LOGIN)
        clock.advance(wait)
        service.cancel(e.id)
    clock.run_until_idle()
    service.start(LOGIN)
    clock.run_until_idle()
    fired = set()
    for event, _status in seen:
        fired.add(event)
    assert {event for (_, event) in TRANSITIONS} <= fired


def test_unknown_test_and_unknown_execution_are_not_found(world):
    from emulator.core.errors import NotFound

    service, _, _, _ = world
    with pytest.raises(NotFound, match="Test not found"):
        service.start("nope")
    with pytest.raises(NotFound):
        service.get("nope")


def test_history_is_newest_first(world):
    service, _clock, _, _ = world
    first = service.start(LOGIN)
    second = service.start(LOGIN)
    assert [e.id for e in service.history(LOGIN)] == [second.id, first.id]
