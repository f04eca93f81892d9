"""Workflow executions: a table-driven machine that runs a workflow's tests as child test
executions, at most ``concurrency_limit`` at a time, on the namespace clock.

The workflow reacts to its children through the test service's listener: every finished child
frees a slot for the next pending test and updates the counts; the last one decides the end
state (``failed`` when any child failed or timed out, spec §12.8), except that a quarantined
test's failure (failure policy ``ignore_failure``) neither fails the run nor counts as failed.
What a run takes from its workflow's stored settings (retries, cap, app builds, location) is
decided once at start (emulator/revyl/workflow_defs.py, ``run_settings``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from emulator.core.clock import Timer, VirtualClock
from emulator.core.errors import NotFound
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.core.retention import trim_finished
from emulator.core.snapshots import SnapshotError
from emulator.revyl import records
from emulator.revyl.catalog import Catalog
from emulator.revyl.executions import MAX_FINISHED, TestExecutions
from emulator.revyl.machine import InvalidTransition, TestExecution
from emulator.revyl.outcomes import OutcomeQueue, OutcomeScript
from emulator.revyl.workflow_defs import resolve_build, run_settings

ACTIVE = frozenset({"queued", "setup", "running"})
TERMINAL = frozenset({"completed", "failed", "cancelled", "timeout"})

TRANSITIONS: dict[tuple[str, str], str] = {
    ("queued", "setup_started"): "setup",
    ("queued", "cancel"): "cancelled",
    ("setup", "setup_done"): "running",
    ("setup", "setup_failed"): "failed",
    ("setup", "cancel"): "cancelled",
    ("running", "child_finished"): "running",
    ("running", "all_passed"): "completed",
    ("running", "some_failed"): "failed",
    ("running", "timed_out"): "timeout",
    ("running", "cancel"): "cancelled",
}

QUEUE_SECONDS = 1.0
SETUP_SECONDS = 2.0
TIMEOUT_SECONDS = 3600.0


@dataclass
class WorkflowPlan:
    queue_seconds: float = QUEUE_SECONDS
    setup_seconds: float = SETUP_SECONDS
    timeout_seconds: float = TIMEOUT_SECONDS
    setup_error: str | None = None
    forced_failure: int | None = None  # 0-based child index forced to fail
    error_message: str | None = None

    @classmethod
    def build(cls, script: OutcomeScript | None, total: int) -> WorkflowPlan:
        if script is None:
            return cls()
        plan = cls(
            queue_seconds=QUEUE_SECONDS if script.queue_seconds is None else script.queue_seconds,
            setup_seconds=SETUP_SECONDS if script.init_seconds is None else script.init_seconds,
            timeout_seconds=script.timeout_seconds or TIMEOUT_SECONDS,
            error_message=script.error_message)
        if script.result == "error":
            plan.setup_error = script.error_message or "Workflow setup failed (emulated error)"
        elif script.result == "fail" and total:
            plan.forced_failure = min(script.fail_step or total, total) - 1
        elif script.result == "timeout":
            plan.timeout_seconds = script.timeout_seconds or 60.0
        return plan


@dataclass
class WorkflowExecution:
    id: str
    workflow_id: str
    workflow_name: str
    tests: list[str]
    concurrency_limit: int
    retries: int
    plan: WorkflowPlan
    created_at: float
    source: str = "api"
    request: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    children: list[TestExecution] = field(default_factory=list)
    pending: deque[int] = field(default_factory=deque)
    started_at: float | None = None
    completed_at: float | None = None
    updated_at: float = 0.0
    error_message: str | None = None
    cancelling: bool = False
    ignored: list[str] = field(default_factory=list)  # quarantined test ids
    build_config: dict[str, Any] | None = None  # the build override this run applies
    location_config: dict[str, Any] | None = None  # the location override this run applies
    run_config: dict[str, Any] | None = None  # the workflow's run config, when it overrides
    child_builds: dict[str, dict[str, str]] = field(default_factory=dict)  # by child id
    timer: Timer | None = None
    deadline: Timer | None = None

    @property
    def total_tests(self) -> int:
        return len(self.tests)

    @property
    def completed_tests(self) -> int:
        return sum(1 for c in self.children if c.terminal)

    @property
    def passed_tests(self) -> int:
        return sum(1 for c in self.children if c.status == "completed")

    @property
    def failed_tests(self) -> int:
        """Failed or timed-out children, quarantined ones left out (the CLI calls a run a
        success only with none)."""
        return sum(1 for c in self.children
                   if c.status in ("failed", "timeout") and c.test_id not in self.ignored)

    @property
    def ignored_failures(self) -> int:
        """Quarantined children that finished without passing."""
        return sum(1 for c in self.children
                   if c.terminal and c.status != "completed" and c.test_id in self.ignored)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def success(self) -> bool | None:
        return None if not self.terminal else self.status == "completed"

    @property
    def fraction_done(self) -> float:
        if self.status == "completed" or not self.total_tests:
            return 1.0 if self.status == "completed" else 0.0
        return round(self.completed_tests / self.total_tests, 4)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.completed_at if self.completed_at is not None else self.updated_at
        return round(max(0.0, end - self.started_at), 3)


Listener = Callable[[WorkflowExecution, str], None]
# Snapshot fields of a workflow execution besides those encoded apart (plan, timers, children
# by id, the pending queue as a list).
_RECORD_FIELDS = [f.name for f in fields(WorkflowExecution)
                  if f.name not in ("plan", "timer", "deadline", "children", "pending")]
# The event a restored timer fires, by status (a running workflow waits for its children).
_NEXT_EVENT = {"queued": "setup_started", "setup": "setup_done"}


def _finished(wf: WorkflowExecution) -> bool:
    return wf.terminal


class WorkflowExecutions:
    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 outcomes: OutcomeQueue, tests: TestExecutions,
                 min_active_seconds: float = 0.0, max_finished: int = MAX_FINISHED) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.outcomes = outcomes
        self.tests = tests
        self.min_active_seconds = min_active_seconds
        self.by_id: dict[str, WorkflowExecution] = {}
        self._by_workflow: dict[str, list[str]] = {}
        self.max_finished = max_finished
        self._listeners: list[Listener] = []
        tests.subscribe(self._on_test)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # ------------------------------------------------------------------ commands
    def start(self, workflow_id: str, *, retries: int | None = None, source: str = "api",
              concurrency_limit: int | None = None,
              request: dict[str, Any] | None = None) -> WorkflowExecution:
        """``concurrency_limit``: the request's override (0 removes the workflow's cap);
        ``request``: the recorded body, whose build/location overrides beat the stored ones."""
        workflow = self.catalog.workflow(workflow_id)
        script = self.outcomes.take(workflow_id=workflow_id)
        settings = run_settings(workflow, int(self.catalog.org["concurrency_limit"]),
                                retries=retries, concurrency_limit=concurrency_limit,
                                request=request)
        wf = WorkflowExecution(
            id=self.ids.uuid(), workflow_id=workflow.id, workflow_name=workflow.name,
            tests=list(workflow.tests), concurrency_limit=settings.concurrency_limit,
            retries=settings.retries, plan=WorkflowPlan.build(script, len(workflow.tests)),
            created_at=self.clock.now(), source=source, request=request or {},
            ignored=settings.ignored, build_config=settings.build_config,
            location_config=settings.location_config, run_config=settings.run_config)
        wf.updated_at = wf.created_at
        wf.pending.extend(range(len(wf.tests)))
        trim_finished(self.by_id, self.max_finished - 1, _finished, self._forget)
        self.by_id[wf.id] = wf
        self._by_workflow.setdefault(workflow.id, []).append(wf.id)
        self._notify(wf, "created")
        self._arm(wf, wf.plan.queue_seconds, "setup_started")
        return wf

    def get(self, task_id: str) -> WorkflowExecution:
        wf = self.by_id.get(task_id)
        if wf is None:
            raise NotFound("Workflow execution not found")
        return wf

    def cancel(self, task_id: str) -> tuple[WorkflowExecution, bool]:
        """Cancel the workflow and its active children (their events first, then the
        workflow's). Returns (execution, whether this call cancelled it)."""
        wf = self.get(task_id)
        if wf.terminal:
            return wf, False
        self._stop_children(wf)
        self.fire(wf, "cancel")
        return wf, True

    def history(self, workflow_id: str) -> list[WorkflowExecution]:
        """Executions of one workflow, newest first."""
        return [self.by_id[i] for i in reversed(self._by_workflow.get(workflow_id, []))]

    def history_of(self, workflow_id: str) -> list[WorkflowExecution]:
        """Like :meth:`history`, for a workflow that must exist (404 otherwise)."""
        self.catalog.workflow(workflow_id)
        return self.history(workflow_id)

    def children(self) -> list[TestExecution]:
        """Every child of every kept workflow execution, workflow by workflow: some may be gone
        from the test index (its own retention bound) while their workflow still shows them."""
        return [child for wf in self.by_id.values() for child in wf.children]

    def close(self) -> None:
        for wf in self.by_id.values():
            for timer in (wf.timer, wf.deadline):
                if timer is not None:
                    timer.cancel()
        self._listeners.clear()

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Every kept workflow execution: children by id (their records are the test
        service's, see :meth:`children`), pending test indexes, step and deadline timers."""
        return {"workflow_executions": [_record(wf) for wf in self.by_id.values()]}

    def restore_state(self, data: dict[str, Any],
                      executions: Mapping[str, TestExecution] | None = None) -> list[Rearm]:
        """Replace every workflow execution with the document's. ``executions``: every test
        execution restored, by id (TestExecutions.restore_executions), so that children the
        test index had forgotten are found too; by default, the test index."""
        every = self.tests.by_id if executions is None else executions
        rearm: list[Rearm] = []
        self.by_id.clear()
        self._by_workflow.clear()
        for raw in data.get("workflow_executions", []):
            try:
                children = [every[i] for i in raw.get("children", [])]
            except KeyError as exc:
                raise SnapshotError(f"workflow execution {raw.get('id')} names an unknown "
                                    f"child execution {exc}") from None
            wf = WorkflowExecution(**{k: raw[k] for k in _RECORD_FIELDS if k in raw},
                                   plan=WorkflowPlan(**raw["plan"]), children=children,
                                   pending=deque(raw.get("pending", [])))
            self.by_id[wf.id] = wf
            self._by_workflow.setdefault(wf.workflow_id, []).append(wf.id)
            if raw.get("timer") and not wf.terminal:
                rearm.append(self._rearm_step(wf, raw["timer"]))
            if raw.get("deadline") and not wf.terminal:
                rearm.append(self._rearm_deadline(wf, raw["deadline"]))
        return rearm

    def _rearm_step(self, wf: WorkflowExecution, timer: dict[str, float]) -> Rearm:
        """The saved timer fires the event that follows the workflow's status; decided now,
        from the restored status."""
        event = _NEXT_EVENT.get(wf.status)
        if wf.status == "setup" and wf.plan.setup_error:
            event = "setup_failed"
        due = timer["due"]

        def arm() -> None:
            if event is not None:
                wf.timer = self.clock.call_at(due, lambda: self.fire(wf, event))

        return float(due), float(timer["seq"]), arm

    def _rearm_deadline(self, wf: WorkflowExecution, timer: dict[str, float]) -> Rearm:
        due = timer["due"]

        def arm() -> None:
            wf.deadline = self.clock.call_at(due, lambda: self._time_out(wf))

        return float(due), float(timer["seq"]), arm

    # ------------------------------------------------------------------ machine
    def fire(self, wf: WorkflowExecution, event: str) -> None:
        target = TRANSITIONS.get((wf.status, event))
        if target is None:
            raise InvalidTransition(f"workflow {wf.status} --{event}--> ?")
        now = self.clock.now()
        if wf.timer is not None:
            wf.timer.cancel()
            wf.timer = None
        wf.status = target
        wf.updated_at = now
        if event == "setup_done":
            wf.started_at = now
            wf.deadline = self.clock.call_later(wf.plan.timeout_seconds,
                                                lambda: self._time_out(wf))
        elif event == "setup_failed":
            wf.error_message = wf.plan.setup_error
        elif event == "some_failed":
            missed = wf.total_tests - wf.passed_tests - wf.ignored_failures
            wf.error_message = f"{missed} of {wf.total_tests} tests did not pass"
        elif event == "cancel":
            wf.error_message = "Workflow execution cancelled"
        if target in TERMINAL:
            wf.completed_at = now
            if wf.deadline is not None:
                wf.deadline.cancel()
        self._notify(wf, event)
        if event == "setup_started":
            event_next = "setup_failed" if wf.plan.setup_error else "setup_done"
            self._arm(wf, wf.plan.setup_seconds, event_next)
        elif event == "setup_done":
            self._launch(wf)
            self._settle(wf)

    def _arm(self, wf: WorkflowExecution, delay: float, event: str) -> None:
        if TRANSITIONS[(wf.status, event)] in TERMINAL:
            delay = max(delay, wf.created_at + self.min_active_seconds - self.clock.now())
        wf.timer = self.clock.call_later(delay, lambda: self.fire(wf, event))

    def _launch(self, wf: WorkflowExecution) -> None:
        """Start pending children while there are free slots."""
        while wf.pending and sum(1 for c in wf.children if not c.terminal) < wf.concurrency_limit:
            index = wf.pending.popleft()
            forced = None
            if index == wf.plan.forced_failure:
                forced = OutcomeScript(result="fail", error_message=wf.plan.error_message)
            test_id = wf.tests[index]
            test = self.catalog.tests.get(test_id)
            chosen = resolve_build(self.catalog, wf.build_config, test.platform) \
                if test is not None else None
            child = self.tests.start(test_id, retries=wf.retries, source="workflow",
                                     build_version_id=chosen[1].id if chosen else None,
                                     workflow_execution_id=wf.id, script=forced,
                                     request=_child_request(wf))
            if chosen is not None:
                app, build = chosen
                wf.child_builds[child.id] = {"app_id": app.id, "app_name": app.name,
                                             "build_id": build.id,
                                             "build_version": build.version}
            wf.children.append(child)

    def _settle(self, wf: WorkflowExecution) -> None:
        if wf.status == "running" and not wf.pending and wf.completed_tests == wf.total_tests:
            passed = wf.passed_tests + wf.ignored_failures == wf.total_tests
            self.fire(wf, "all_passed" if passed else "some_failed")

    def _on_test(self, child: TestExecution, event: str) -> None:
        if child.workflow_execution_id is None or not child.terminal or event == "created":
            return
        wf = self.by_id.get(child.workflow_execution_id)
        if wf is None or wf.terminal or wf.cancelling:
            return
        self.fire(wf, "child_finished")
        self._launch(wf)
        self._settle(wf)

    def _time_out(self, wf: WorkflowExecution) -> None:
        if wf.terminal:
            return
        self._stop_children(wf)
        wf.error_message = f"Workflow timed out after {wf.plan.timeout_seconds:g}s"
        self.fire(wf, "timed_out")

    def _stop_children(self, wf: WorkflowExecution) -> None:
        """Cancel active children and drop pending ones; ``cancelling`` stops their
        completions from feeding back into the workflow."""
        wf.cancelling = True
        wf.pending.clear()
        for child in wf.children:
            if not child.terminal:
                self.tests.cancel(child.id)

    def _forget(self, wf: WorkflowExecution) -> None:
        self._by_workflow[wf.workflow_id].remove(wf.id)

    def _notify(self, wf: WorkflowExecution, event: str) -> None:
        for listener in self._listeners:
            listener(wf, event)


def _child_request(wf: WorkflowExecution) -> dict[str, Any]:
    """What a child execution records as its request: the workflow run it belongs to, and
    the run config and location it runs with, in the shape of a test run request."""
    request: dict[str, Any] = {"workflow_execution_id": wf.id}
    run_config = dict(wf.run_config or {})
    if wf.location_config:
        run_config["execution_mode"] = {**(run_config.get("execution_mode") or {}),
                                        "initial_location": dict(wf.location_config)}
    if run_config:
        request["run_config"] = run_config
    return request


def _record(wf: WorkflowExecution) -> dict[str, Any]:
    data = {name: getattr(wf, name) for name in _RECORD_FIELDS}
    data.update(plan=asdict(wf.plan), children=[c.id for c in wf.children],
                pending=list(wf.pending), timer=records.timer(wf.timer),
                deadline=records.timer(wf.deadline))
    return data
