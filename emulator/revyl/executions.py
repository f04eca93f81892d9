"""Test executions of one namespace: start, look up, cancel, history.

Listeners (the SSE monitor, the journal) subscribe to transitions; the service itself knows
nothing about HTTP or streams.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, NotFound
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl import records
from emulator.revyl.catalog import Catalog
from emulator.revyl.machine import Plan, TestExecution, TestMachine
from emulator.revyl.outcomes import OutcomeQueue, OutcomeScript, magic_result

Listener = Callable[[TestExecution, str], None]
# Default memory bound (settings.max_finished): oldest finished executions are forgotten.
MAX_FINISHED = 5000
# Snapshot fields of an execution besides its plan and timer (encoded apart).
_RECORD_FIELDS = [f.name for f in fields(TestExecution) if f.name not in ("plan", "timer")]


class TestExecutions:

    __test__ = False  # not a pytest class, despite the name
    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 outcomes: OutcomeQueue, min_active_seconds: float = 0.0,
                 max_finished: int = MAX_FINISHED) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.outcomes = outcomes
        self.by_id: dict[str, TestExecution] = {}
        self._by_test: dict[str, list[str]] = {}
        self._finished: deque[str] = deque()
        self.max_finished = max_finished
        self._listeners: list[Listener] = []
        self._on_created: list[Callable[[TestExecution], None]] = []
        self.machine = TestMachine(clock, self._notify, min_active_seconds)

    def subscribe(self, listener: Listener, *, observer: bool = False) -> None:
        """Observers (the monitor) hear a transition before reactors (workflows) act on it,
        so a child's completion is published before the workflow completion it causes."""
        if observer:
            self._listeners.insert(0, listener)
        else:
            self._listeners.append(listener)

    def on_created(self, listener: Callable[[TestExecution], None]) -> None:
        """Called once per execution, when it is created and before any listener hears of
        it; kept apart from :meth:`subscribe` so a step of a run does not pay for them."""
        self._on_created.append(listener)

    def _notify(self, execution: TestExecution, event: str) -> None:
        if event == "created":
            for created in self._on_created:
                created(execution)
        elif execution.terminal:
            self._remember_finished(execution)
        for listener in self._listeners:
            listener(execution, event)

    def _remember_finished(self, execution: TestExecution) -> None:
        self._finished.append(execution.id)
        while len(self._finished) > self.max_finished:
            old = self.by_id.pop(self._finished.popleft(), None)
            if old is not None:
                self._by_test[old.test_id].remove(old.id)

    # ------------------------------------------------------------------ commands
    def start(self, test_id: str, *, retries: int | None = None, source: str = "api",
              build_version_id: str | None = None, workflow_execution_id: str | None = None,
              request: dict[str, Any] | None = None,
              script: OutcomeScript | None = None) -> TestExecution:
        """Start one execution. ``script`` (a workflow forcing a child's outcome) takes
        precedence over the namespace's queue."""
        test = self.catalog.test(test_id)
        if script is None:
            script = self.outcomes.take(test_id=test_id)
        result = script.result if script is not None else (magic_result(test.name) or "pass")
        attempts = max(1, min(int(retries or 1), 5))
        plan = Plan.build(result=result, steps=test.steps, step_seconds=test.step_seconds,
                          timeout_seconds=test.timeout_seconds, attempts=attempts,
                          script=script)
        execution = TestExecution(
            id=self.ids.uuid(), test_id=test.id, test_name=test.name, platform=test.platform,
            plan=plan, created_at=self.clock.now(), test_history_id=self.ids.uuid(),
            source=source, workflow_execution_id=workflow_execution_id,
            build_version_id=build_version_id, request=request or {})
        self.by_id[execution.id] = execution
        self._by_test.setdefault(test.id, []).append(execution.id)
        self.machine.start(execution)
        return execution

    def get(self, task_id: str) -> TestExecution:
        execution = self.by_id.get(task_id)
        if execution is None:
            raise NotFound("Test execution not found")
        return execution

    def cancel(self, task_id: str) -> tuple[TestExecution, bool]:
        """Cancel if still active. Returns (execution, whether this call cancelled it)."""
        execution = self.get(task_id)
        if execution.terminal:
            return execution, False
        self.machine.fire(execution, "cancel")
        return execution, True

    def history(self, test_id: str) -> list[TestExecution]:
        """Executions of one test, newest first."""
        return [self.by_id[i] for i in reversed(self._by_test.get(test_id, []))]

    def history_of(self, test_id: str) -> list[TestExecution]:
        """Like :meth:`history`, for a test that must exist (404 otherwise)."""
        self.catalog.test(test_id)
        return self.history(test_id)

    def for_report(self, task_id: str | None, test_id: str | None,
                   history_id: str | None) -> TestExecution:
        """The execution a shareable report link is asked for: by ``task_id``, or by
        ``history_id`` (with the ``test_id`` it must belong to, when given) as older clients
        ask."""
        if task_id:
            return self.get(task_id)
        if history_id:
            found = next((e for e in self.by_id.values() if e.test_history_id == history_id),
                         None)
            if found is None or (test_id and found.test_id != test_id):
                raise NotFound("Test history not found")
            return found
        raise BadRequest("Give task_id, or test_id and history_id")

    def close(self) -> None:
        for execution in self.by_id.values():
            if execution.timer is not None:
                execution.timer.cancel()
        self._listeners.clear()

    # ------------------------------------------------------------------ snapshots
    def export_state(self, also: Iterable[TestExecution] = ()) -> dict[str, Any]:
        """Every indexed execution, then ``also`` (executions the retention bound dropped from
        the index that a workflow still shows as its children), each with its plan and
        pending timer; and the order finished ones will be forgotten in."""
        executions = dict(self.by_id)
        for e in also:
            executions.setdefault(e.id, e)
        return {"test_executions": [_record(e, e.id in self.by_id) for e in executions.values()],
                "finished_order": list(self._finished)}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        return self.restore_executions(data)[0]

    def restore_executions(self, data: dict[str, Any]
                           ) -> tuple[list[Rearm], dict[str, TestExecution]]:
        """Replace every execution with the document's: (timers to re-arm, every execution
        by id, indexed or not, for the workflows to find their children in)."""
        rearm: list[Rearm] = []
        every: dict[str, TestExecution] = {}
        self.by_id.clear()
        self._by_test.clear()
        for raw in data.get("test_executions", []):
            e = TestExecution(**{k: raw[k] for k in _RECORD_FIELDS if k in raw},
                              plan=Plan(**raw["plan"]))
            every[e.id] = e
            if raw.get("indexed", True):
                self.by_id[e.id] = e
                self._by_test.setdefault(e.test_id, []).append(e.id)
            if raw.get("timer") and not e.terminal:
                rearm.append(self._rearm(e, raw["timer"]))
        self._finished = deque(i for i in data.get("finished_order", []) if i in self.by_id)
        return rearm, every

    def _rearm(self, e: TestExecution, timer: dict[str, float]) -> Rearm:
        due = timer["due"]
        return float(due), float(timer["seq"]), lambda: self.machine.rearm(e, due)


def _record(e: TestExecution, indexed: bool) -> dict[str, Any]:
    data = {name: getattr(e, name) for name in _RECORD_FIELDS}
    data.update(plan=asdict(e.plan), timer=records.timer(e.timer), indexed=indexed)
    return data
