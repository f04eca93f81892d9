"""Test executions of one namespace: start, look up, cancel, history.

Listeners (the SSE monitor, the journal) subscribe to transitions; the service itself knows
nothing about HTTP or streams.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import NotFound
from emulator.core.ids import IdGenerator
from emulator.revyl.catalog import Catalog
from emulator.revyl.machine import Plan, TestExecution, TestMachine
from emulator.revyl.outcomes import OutcomeQueue, OutcomeScript, magic_result

Listener = Callable[[TestExecution, str], None]
# Default memory bound (settings.max_finished): oldest finished executions are forgotten.
MAX_FINISHED = 5000


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
        self.machine = TestMachine(clock, self._notify, min_active_seconds)

    def subscribe(self, listener: Listener, *, observer: bool = False) -> None:
        """Observers (the monitor) hear a transition before reactors (workflows) act on it,
        so a child's completion is published before the workflow completion it causes."""
        if observer:
            self._listeners.insert(0, listener)
        else:
            self._listeners.append(listener)

    def _notify(self, execution: TestExecution, event: str) -> None:
        if execution.terminal and event != "created":
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

    def close(self) -> None:
        for execution in self.by_id.values():
            if execution.timer is not None:
                execution.timer.cancel()
        self._listeners.clear()
