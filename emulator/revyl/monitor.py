"""SSE events of ``/api/v1/monitor/stream/unified``, built from execution transitions.

Every payload satisfies the CLI's Go structs and the GitHub Action's JavaScript at once
(spec/real-clients.md finding 5): test items carry ``id`` *and* ``task_id``; workflow tasks carry
``task.id`` *and* ``task.task_id`` with a string (or null) ``duration``; terminal workflow events
are flat (``task_id``, ``workflow_name``) with the nested ``workflow.task`` beside them, and no
top-level ``id`` that is not the task id. Terminal events are kept for replay to late
subscribers.
"""

from __future__ import annotations

from typing import Any

from emulator.core.broker import Broker
from emulator.core.clock import Timer, VirtualClock, iso
from emulator.revyl import wire
from emulator.revyl.executions import TestExecutions
from emulator.revyl.machine import TestExecution
from emulator.revyl.workflow_wire import human_duration
from emulator.revyl.workflows import WorkflowExecution, WorkflowExecutions

# Event-name suffix per terminal status: clients only know completed/failed/cancelled.
_TEST_END = {"completed": "completed", "failed": "failed", "timeout": "failed",
             "cancelled": "cancelled"}
_WORKFLOW_END = _TEST_END


def test_item(e: TestExecution, org_id: str) -> dict[str, Any]:
    """``OrgTestMonitorItem`` plus ``task_id``/``parent_workflow_task_id``/``phase``."""
    return {
        "id": e.id,
        "task_id": e.id,
        "test_id": e.test_id,
        "test_name": e.test_name,
        "source": e.source,
        "status": e.status,
        "phase": _phase(e.status),
        "progress": e.progress,
        "current_step": e.current_step,
        "current_step_index": e.current_step_index,
        "total_steps": e.total_steps,
        "steps_completed": e.steps_completed,
        "started_at": e.timestamp(e.started_at),
        "created_at": iso(e.created_at),
        "updated_at": iso(e.updated_at),
        "can_cancel": not e.terminal,
        "platform": e.platform,
        "app_package": None,
        "estimated_duration_seconds": round(e.plan.step_seconds * e.total_steps),
        "error_message": e.error_message or "",
        "trace_id": None,
        "org_id": org_id,
        "workflow_execution_id": e.workflow_execution_id,
        "parent_workflow_task_id": e.workflow_execution_id,
    }


def _phase(status: str) -> str:
    if status in ("initializing", "queued"):
        return "setup"
    return "executing" if status == "running" else "teardown"


def test_flat(e: TestExecution) -> dict[str, Any]:
    return {"id": e.id, "task_id": e.id, "test_id": e.test_id, "test_name": e.test_name,
            "platform": e.platform, "status": e.status, "success": e.success,
            "workflow_execution_id": e.workflow_execution_id,
            "parent_workflow_task_id": e.workflow_execution_id}


def completed_test_data(e: TestExecution, org_id: str) -> dict[str, Any]:
    """``CompletedTestData``: the enriched object of ``test_*_with_data`` events."""
    return {
        "id": e.test_history_id,
        "test_uid": e.test_id,
        "execution_time": e.timestamp(e.completed_at),
        "status": e.status,
        "duration": e.execution_time_seconds,
        "execution_time_seconds": e.execution_time_seconds,
        "metadata": {"test_history_id": e.test_history_id},
        "enhanced_task": wire.enhanced_task(e, org_id),
    }


def workflow_item(wf: WorkflowExecution) -> dict[str, Any]:
    """``OrgWorkflowMonitorItem``; ``progress`` is a 0-1 fraction here (poll.sh prints x100)."""
    return {
        "workflow_name": wf.workflow_name,
        "workflow_id": wf.workflow_id,
        "source": wf.source,
        "progress": wf.fraction_done,
        "can_cancel": not wf.terminal,
        "task": {
            "id": wf.id,
            "task_id": wf.id,
            "workflow_id": wf.workflow_id,
            "source": wf.source,
            "status": wf.status,
            "created_at": iso(wf.created_at),
            "started_at": None if wf.started_at is None else iso(wf.started_at),
            "updated_at": iso(wf.updated_at),
            "total_tests": wf.total_tests,
            "completed_tests": wf.completed_tests,
            "passed_tests": wf.passed_tests,
            "failed_tests": wf.failed_tests,
            "success": wf.success,
            "duration": human_duration(wf.duration_seconds) if wf.terminal else None,
            "concurrency_limit": wf.concurrency_limit,
            "error_message": wf.error_message or "",
            "test_executions": [{"id": c.id, "session_id": None, "workflow_run_id": wf.id}
                                for c in wf.children],
            "trace_id": None,
            "workflow_run_id": wf.id,
        },
    }


def workflow_flat(wf: WorkflowExecution) -> dict[str, Any]:
    results = {"total_tests": wf.total_tests, "completed_tests": wf.completed_tests,
               "passed_tests": wf.passed_tests, "failed_tests": wf.failed_tests}
    return {"task_id": wf.id, "workflow_id": wf.workflow_id, "workflow_name": wf.workflow_name,
            "status": wf.status, "success": wf.success, **results,
            "workflow_results": results, "workflow": workflow_item(wf)}


class Monitor:
    """Publishes every transition of one namespace to its broker, plus heartbeats."""

    stateless = ("keeps no records: events come from the executions, the heartbeat is re-armed "
                 "by whoever listens, the broker's replay belongs to the namespace")

    def __init__(self, broker: Broker, clock: VirtualClock, tests: TestExecutions,
                 workflows: WorkflowExecutions, org: dict[str, Any],
                 heartbeat_seconds: float) -> None:
        self.broker = broker
        self.clock = clock
        self.tests = tests
        self.workflows = workflows
        self.org = org  # the catalog's own dict: a seed or a snapshot updates it in place
        self.heartbeat_seconds = heartbeat_seconds
        self._heartbeat: Timer | None = None
        tests.subscribe(self._on_test, observer=True)
        workflows.subscribe(self._on_workflow)
        if broker.subscribers:  # rebuilt by a reset while streams are open
            self.ensure_heartbeat()

    @property
    def org_id(self) -> str:
        org_id: str = self.org["org_id"]
        return org_id

    # ------------------------------------------------------------------ stream start
    def connection_ready(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "user_id": self.org["user_id"],
                "timestamp": self.clock.now_iso()}

    def initial_state(self, include_queued: bool = True) -> dict[str, Any]:
        hidden = () if include_queued else ("initializing", "queued")
        tests = [test_item(e, self.org_id) for e in self.tests.by_id.values()
                 if not e.terminal and e.status not in hidden]
        flows = [workflow_item(wf) for wf in self.workflows.by_id.values() if not wf.terminal]
        return {"org_id": self.org_id, "running_tests": tests, "running_workflows": flows,
                "total_active": len(tests) + len(flows), "last_update": self.clock.now_iso()}

    def ensure_heartbeat(self) -> None:
        """Heartbeats run on the namespace clock while anyone listens (background timers:
        they never keep ``run_until_idle`` busy)."""
        if self._heartbeat is None or self._heartbeat.cancelled:
            self._heartbeat = self.clock.call_later(self.heartbeat_seconds, self._beat,
                                                    background=True)

    def _beat(self) -> None:
        self._heartbeat = None
        if self.broker.subscribers:
            self.broker.publish("heartbeat", {"timestamp": self.clock.now_iso()})
            self.ensure_heartbeat()

    def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()

    # ------------------------------------------------------------------ transitions
    def _on_test(self, e: TestExecution, event: str) -> None:
        if not e.terminal and not self.broker.subscribers:
            return  # nobody listens and only terminal events are kept for replay
        if event == "created":
            self.broker.publish("test_started", {"test": test_item(e, self.org_id)})
        elif e.terminal:
            end = _TEST_END[e.status]
            self.broker.publish(
                f"test_{end}_with_data",
                {**test_flat(e), f"{end}_test": completed_test_data(e, self.org_id)},
                replay=True)
            self.broker.publish(f"test_{end}", {**test_flat(e), "test": test_item(e, self.org_id)},
                                replay=True)
        else:
            self.broker.publish("test_updated", {"test": test_item(e, self.org_id)})

    def _on_workflow(self, wf: WorkflowExecution, event: str) -> None:
        if not wf.terminal and not self.broker.subscribers:
            return
        if event == "created":
            self.broker.publish("workflow_started", {"workflow": workflow_item(wf)})
        elif wf.terminal:
            self.broker.publish(f"workflow_{_WORKFLOW_END[wf.status]}", workflow_flat(wf),
                                replay=True)
        else:
            self.broker.publish("workflow_updated", {"workflow": workflow_item(wf)})
