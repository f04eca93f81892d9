"""The test-execution state machine as data: a table of (state, event) -> next state.

The table is the single authority on what may happen; :class:`TestMachine` looks a transition up,
applies its effect on the execution's fields and schedules the next event on the clock from the
execution's :class:`Plan`. Anything not in the table raises, so an impossible transition is a
loud bug rather than silently corrupted state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.core.clock import Timer, VirtualClock, iso
from emulator.revyl.outcomes import OutcomeScript, Result

ACTIVE = frozenset({"initializing", "queued", "running"})
TERMINAL = frozenset({"completed", "failed", "cancelled", "timeout"})

TRANSITIONS: dict[tuple[str, str], str] = {
    ("initializing", "provisioned"): "queued",
    ("initializing", "provision_failed"): "failed",
    ("initializing", "cancel"): "cancelled",
    ("queued", "device_ready"): "running",
    ("queued", "cancel"): "cancelled",
    ("running", "step_passed"): "running",
    ("running", "steps_done"): "completed",
    ("running", "step_failed"): "failed",
    ("running", "retry"): "queued",
    ("running", "timed_out"): "timeout",
    ("running", "cancel"): "cancelled",
}

DEFAULT_INIT_SECONDS = 1.0
DEFAULT_QUEUE_SECONDS = 2.0


class InvalidTransition(RuntimeError):
    pass


@dataclass(frozen=True)
class Plan:
    """Everything decided at creation: timings and the result of each attempt."""

    result: Result
    steps: list[str]
    step_seconds: float
    init_seconds: float
    queue_seconds: float
    timeout_seconds: float
    fail_step: int  # 0-based index of the step that fails or hangs
    error_message: str | None
    attempts: int
    pass_on_attempt: int | None = None

    def result_for(self, attempt: int) -> Result:
        if self.pass_on_attempt is not None and attempt >= self.pass_on_attempt:
            return "pass"
        return self.result

    @classmethod
    def build(cls, *, result: Result, steps: list[str], step_seconds: float,
              timeout_seconds: float, attempts: int, script: OutcomeScript | None) -> Plan:
        s = script
        if s is not None and s.steps is not None:
            steps = [steps[i] if i < len(steps) else f"Step {i + 1}" for i in range(s.steps)]
        if s is not None and s.duration is not None:
            step_seconds = s.duration / len(steps)
        elif s is not None and s.step_seconds is not None:
            step_seconds = s.step_seconds
        fail_step = len(steps) - 1 if result == "timeout" else len(steps) // 2
        if s is not None and s.fail_step is not None:
            fail_step = min(s.fail_step, len(steps)) - 1

        def pick(value: float | None, default: float) -> float:
            return default if value is None else value

        return cls(
            result=result, steps=steps, step_seconds=step_seconds,
            init_seconds=pick(s.init_seconds if s else None, DEFAULT_INIT_SECONDS),
            queue_seconds=pick(s.queue_seconds if s else None, DEFAULT_QUEUE_SECONDS),
            timeout_seconds=pick(s.timeout_seconds if s else None, timeout_seconds),
            fail_step=fail_step, error_message=s.error_message if s else None,
            attempts=attempts, pass_on_attempt=s.pass_on_attempt if s else None)


@dataclass
class TestExecution:
    """One execution, with the fields of the wire's TestStatusResponse kept up to date."""

    __test__ = False  # not a pytest class, despite the name

    id: str
    test_id: str
    test_name: str
    platform: str
    plan: Plan
    created_at: float
    test_history_id: str
    source: str = "api"
    workflow_execution_id: str | None = None
    build_version_id: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    status: str = "initializing"
    attempt: int = 1
    current_step_index: int = 0
    steps_completed: int = 0
    error_message: str | None = None
    success: bool | None = None
    started_at: float | None = None
    completed_at: float | None = None
    updated_at: float = 0.0
    timer: Timer | None = None

    @property
    def total_steps(self) -> int:
        return len(self.plan.steps)

    @property
    def current_step(self) -> str | None:
        if self.status in ("initializing", "queued"):
            return None
        return self.plan.steps[min(self.current_step_index, self.total_steps - 1)]

    @property
    def progress(self) -> float:
        if self.status == "completed":
            return 100.0
        return round(100.0 * self.steps_completed / self.total_steps, 1)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def execution_time_seconds(self) -> float | None:
        if self.completed_at is None:
            return None
        begin = self.started_at if self.started_at is not None else self.created_at
        return round(self.completed_at - begin, 3)

    def timestamp(self, value: float | None) -> str | None:
        return None if value is None else iso(value)


Listener = Callable[[TestExecution, str], None]


class TestMachine:
    """Drives executions through :data:`TRANSITIONS` on one clock."""

    __test__ = False  # not a pytest class, despite the name

    def __init__(self, clock: VirtualClock, on_transition: Listener,
                 min_active_seconds: float = 0.0) -> None:
        self.clock = clock
        self.on_transition = on_transition
        self.min_active_seconds = min_active_seconds

    def start(self, execution: TestExecution) -> None:
        execution.updated_at = self.clock.now()
        self.on_transition(execution, "created")
        self._schedule(execution)

    def fire(self, execution: TestExecution, event: str) -> None:
        target = TRANSITIONS.get((execution.status, event))
        if target is None:
            raise InvalidTransition(f"{execution.status} --{event}--> ?")
        now = self.clock.now()
        if execution.timer is not None:
            execution.timer.cancel()
            execution.timer = None
        _EFFECTS[event](execution, now)
        execution.status = target
        execution.updated_at = now
        if target in TERMINAL:
            execution.completed_at = now
            execution.success = target == "completed"
        self.on_transition(execution, event)
        if target not in TERMINAL:
            self._schedule(execution)

    def rearm(self, e: TestExecution, due: float) -> None:
        """Arm the timer of the execution's next event, decided from its state as after any
        transition, but due at ``due``: a restored snapshot keeps the time its timer had."""
        self._schedule(e)
        scheduled = e.timer
        assert scheduled is not None, f"an active execution ({e.status}) always has a next event"
        scheduled.cancel()
        e.timer = self.clock.call_at(due, scheduled.callback)

    def _schedule(self, e: TestExecution) -> None:
        """Arm the one timer that produces this execution's next event."""
        plan = e.plan
        if e.status == "initializing":
            event = "provision_failed" if plan.result_for(e.attempt) == "error" else "provisioned"
            self._arm(e, plan.init_seconds, event)
        elif e.status == "queued":
            self._arm(e, plan.queue_seconds, "device_ready")
        elif e.status == "running":
            result = plan.result_for(e.attempt)
            at_fault = e.current_step_index == plan.fail_step
            if result == "timeout" and at_fault:
                already = self.clock.now() - (e.started_at or self.clock.now())
                self._arm(e, max(0.0, plan.timeout_seconds - already), "timed_out")
            elif result == "fail" and at_fault:
                retry = e.attempt < plan.attempts
                self._arm(e, plan.step_seconds, "retry" if retry else "step_failed")
            elif e.current_step_index + 1 >= e.total_steps:
                self._arm(e, plan.step_seconds, "steps_done")
            else:
                self._arm(e, plan.step_seconds, "step_passed")

    def _arm(self, e: TestExecution, delay: float, event: str) -> None:
        if TRANSITIONS[(e.status, event)] in TERMINAL:
            # Late subscribers must still see the execution active for a moment.
            delay = max(delay, e.created_at + self.min_active_seconds - self.clock.now())
        e.timer = self.clock.call_later(delay, lambda: self.fire(e, event))


# ---------------------------------------------------------------------------- effects
def _noop(e: TestExecution, now: float) -> None:
    pass


def _device_ready(e: TestExecution, now: float) -> None:
    if e.started_at is None:
        e.started_at = now
    e.current_step_index = 0
    e.steps_completed = 0


def _step_passed(e: TestExecution, now: float) -> None:
    e.steps_completed += 1
    e.current_step_index += 1


def _steps_done(e: TestExecution, now: float) -> None:
    e.steps_completed = e.total_steps
    e.current_step_index = e.total_steps - 1
    e.error_message = None


def _step_failed(e: TestExecution, now: float) -> None:
    step = e.plan.steps[e.current_step_index]
    e.error_message = e.plan.error_message or (
        f"Step {e.current_step_index + 1} failed: could not verify '{step}'")


def _retry(e: TestExecution, now: float) -> None:
    e.attempt += 1
    e.current_step_index = 0
    e.steps_completed = 0


def _provision_failed(e: TestExecution, now: float) -> None:
    e.error_message = e.plan.error_message or "Device session failed to start (emulated error)"


def _timed_out(e: TestExecution, now: float) -> None:
    e.error_message = e.plan.error_message or (
        f"Test execution timed out after {e.plan.timeout_seconds:g}s")


def _cancel(e: TestExecution, now: float) -> None:
    e.error_message = "Test execution cancelled"


_EFFECTS: dict[str, Callable[[TestExecution, float], None]] = {
    "provisioned": _noop,
    "provision_failed": _provision_failed,
    "device_ready": _device_ready,
    "step_passed": _step_passed,
    "steps_done": _steps_done,
    "step_failed": _step_failed,
    "retry": _retry,
    "timed_out": _timed_out,
    "cancel": _cancel,
}
