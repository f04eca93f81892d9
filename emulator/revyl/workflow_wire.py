"""Wire shapes of workflow responses (status, task, history, report, info, list, and the
definition records the management routes answer).

Type traps of the Go CLI are honoured here: ``WorkflowStatusResponse.duration`` is a *string*,
while the unified report's ``duration`` fields are numbers; ``tests`` in workflow info must be
a list of id strings.
"""

from __future__ import annotations

from typing import Any

from emulator.core.clock import iso
from emulator.revyl.catalog import Catalog, WorkflowDef
from emulator.revyl.machine import TestExecution
from emulator.revyl.workflow_defs import WorkflowTest, quarantined
from emulator.revyl.workflows import WorkflowExecution


def human_duration(seconds: float | None) -> str | None:
    """``"1.5s"`` under a minute, ``"1m 41s"`` above (the CLI prints it verbatim)."""
    if seconds is None:
        return None
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {rest}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m {rest}s"


def execute_workflow_response(wf: WorkflowExecution) -> dict[str, Any]:
    # scripts/test.sh fails on the substring "error" anywhere in this body.
    return {"status": wf.status, "message": "Workflow execution started", "id": wf.id,
            "task_id": wf.id}


def workflow_status(wf: WorkflowExecution) -> dict[str, Any]:
    """``WorkflowStatusResponse`` (progress 0-100, like tests)."""
    return {
        "execution_id": wf.id,
        "task_id": wf.id,
        "workflow_id": wf.workflow_id,
        "workflow_name": wf.workflow_name,
        "status": wf.status,
        "progress": round(100 * wf.fraction_done, 2),
        "completed_tests": wf.completed_tests,
        "total_tests": wf.total_tests,
        "passed_tests": wf.passed_tests,
        "failed_tests": wf.failed_tests,
        "started_at": _ts(wf.started_at),
        "estimated_completion": None,
        "duration": human_duration(wf.duration_seconds),
        "error_message": wf.error_message,
        "success": wf.success,
        "metadata": {"source": wf.source, "concurrency_limit": wf.concurrency_limit,
                     "retries": wf.retries, "build_config": wf.build_config,
                     "location_config": wf.location_config,
                     "quarantined_test_ids": list(wf.ignored)},
        "child_tasks": [child_task(c, wf) for c in wf.children],
    }


def child_task(c: TestExecution, wf: WorkflowExecution) -> dict[str, Any]:
    """One child, with the app build it ran when the run applied a build override."""
    return {"id": c.id, "task_id": c.id, "test_id": c.test_id, "test_name": c.test_name,
            "session_id": None, "status": c.status, "success": c.success,
            "error_message": c.error_message,
            "execution_time_seconds": c.execution_time_seconds, **_build_of(c, wf)}


def _build_of(c: TestExecution, wf: WorkflowExecution) -> dict[str, str | None]:
    build = wf.child_builds.get(c.id, {})
    return {key: build.get(key) for key in ("app_id", "app_name", "build_id", "build_version")}


def workflow_task(wf: WorkflowExecution) -> dict[str, Any]:
    """``WorkflowExecutionsUpdate`` plus ``tests[]`` and pass/fail counts (the Action counts
    results from ``tests[].status``)."""
    return {
        "id": wf.id,
        "task_id": wf.id,
        "workflow_id": wf.workflow_id,
        "workflow_name": wf.workflow_name,
        "source": wf.source,
        "status": wf.status,
        "success": wf.success,
        "started_at": _ts(wf.started_at),
        "created_at": iso(wf.created_at),
        "updated_at": iso(wf.updated_at),
        "completed_at": _ts(wf.completed_at),
        "total_tests": wf.total_tests,
        "completed_tests": wf.completed_tests,
        "passed_tests": wf.passed_tests,
        "failed_tests": wf.failed_tests,
        "duration": wf.duration_seconds,
        "concurrency_limit": wf.concurrency_limit,
        "error_message": wf.error_message,
        "test_executions": [{"id": c.id, "session_id": None, "workflow_run_id": wf.id}
                            for c in wf.children],
        "tests": [{"task_id": c.id, "test_id": c.test_id, "test_name": c.test_name,
                   "status": {"completed": "passed"}.get(c.status, c.status),
                   "error": c.error_message} for c in wf.children],
        "trace_id": None,
        "workflow_run_id": wf.id,
    }


def history(workflow_id: str, executions: list[WorkflowExecution], total: int,
            finished: list[WorkflowExecution]) -> dict[str, Any]:
    durations = [wf.duration_seconds for wf in finished if wf.duration_seconds is not None]
    passed = sum(1 for wf in finished if wf.status == "completed")
    return {
        "workflow_id": workflow_id,
        "executions": [workflow_status(wf) for wf in executions],
        "total_count": total,
        "success_rate": round(passed / len(finished), 4) if finished else 0.0,
        "average_duration": round(sum(durations) / len(durations), 3) if durations else None,
    }


def unified_report(wf: WorkflowExecution, catalog: Catalog) -> dict[str, Any]:
    definition = catalog.workflows.get(wf.workflow_id)
    tests = [catalog.tests[t] for t in wf.tests if t in catalog.tests]
    return {
        "workflow_task": {
            "id": wf.id, "task_id": wf.id, "workflow_id": wf.workflow_id, "status": wf.status,
            "success": wf.success, "duration": wf.duration_seconds,
            "total_tests": wf.total_tests, "completed_tests": wf.completed_tests,
            "task_ids": [c.id for c in wf.children], "started_at": _ts(wf.started_at),
            "created_at": iso(wf.created_at), "updated_at": iso(wf.updated_at),
            "triggered_by": catalog.org["user_id"], "trace_id": None},
        "workflow_detail": {
            "id": wf.workflow_id, "name": wf.workflow_name,
            "description": definition.description if definition else "",
            "tests": list(wf.tests), "run_config": None, "schedule": None},
        "test_info": [{"id": t.id, "name": t.name, "platform": t.platform} for t in tests],
        "child_tasks": [{
            "task_id": c.id, "test_id": c.test_id, "test_name": c.test_name,
            "platform": c.platform, "status": c.status, "success": c.success,
            "started_at": c.timestamp(c.started_at), "completed_at": c.timestamp(c.completed_at),
            "duration": c.execution_time_seconds,
            "execution_time_seconds": c.execution_time_seconds,
            "steps_completed": c.steps_completed, "total_steps": c.total_steps,
            "progress": c.progress, "current_step": c.current_step,
            "error_message": c.error_message, "share_token": None, "is_shared": False,
            **_build_of(c, wf),
        } for c in wf.children],
        "child_share_status": {},
        "is_public_view": False,
        "video_metadata": None,
    }


def workflow_info(w: WorkflowDef) -> dict[str, Any]:
    """Flat ``Workflow`` object; ``tests`` is a list of id strings (objects abort the CLI)."""
    return {"id": w.id, "name": w.name, "description": w.description, "tests": list(w.tests),
            "schedule": w.schedule, "location_config": w.location_config,
            "override_location": w.override_location, "build_config": w.build_config,
            "override_build_config": w.override_build_config, "run_config": w.run_config,
            "override_run_config": w.override_run_config,
            "default_concurrency_limit": w.concurrency_limit,
            "quarantined_test_ids": quarantined(w)}


def workflow_record(w: WorkflowDef, org_id: str, last_run: WorkflowExecution | None = None,
                    deleted: bool = False) -> dict[str, Any]:
    """``WorkflowsBaseSchema``: what create, the updates and delete answer under ``data``."""
    return {"id": w.id, "name": w.name, "owner": w.owner or "", "org_id": org_id,
            "schedule": w.schedule, "deleted": deleted, "tests": list(w.tests),
            "created_at": w.created_at, "updated_at": w.updated_at,
            "last_run": iso(last_run.created_at) if last_run else None,
            "build_config": w.build_config, "override_build_config": w.override_build_config,
            "location_config": w.location_config, "override_location": w.override_location,
            "run_config": w.run_config, "override_run_config": w.override_run_config,
            "default_concurrency_limit": w.concurrency_limit,
            "quarantined_test_ids": quarantined(w)}


def info_lite(w: WorkflowDef, catalog: Catalog,
              last: dict[str, TestExecution]) -> dict[str, Any]:
    """``get_info``: ``{data: WorkflowInfoResponse}``, each test with its newest run in this
    workflow (status, when, how long)."""
    items = []
    for test_id in w.tests:
        test = catalog.tests.get(test_id)
        run = last.get(test_id)
        items.append({"id": test_id, "name": test.name if test else test_id,
                      "platform": test.platform if test else "android",
                      "last_status": run.status if run else None,
                      "last_execution_time": iso(run.created_at) if run else None,
                      "last_duration": run.execution_time_seconds if run else None})
    return {"data": {"id": w.id, "name": w.name, "test_info": items}}


def workflow_test(link: WorkflowTest) -> dict[str, Any]:
    """``WorkflowTestWithPolicy``: ``id`` is the attachment's, not the test's."""
    return {"id": link.id, "workflow_id": link.workflow_id, "test_id": link.test_id,
            "test_name": link.test.name if link.test else None,
            "platform": link.test.platform if link.test else None,
            "failure_policy": link.failure_policy}


def with_last_status(w: WorkflowDef, executions: list[WorkflowExecution],
                     history_limit: int) -> dict[str, Any]:
    last = executions[0] if executions else None
    return {
        "id": w.id, "name": w.name, "test_count": len(w.tests), "tests": list(w.tests),
        "last_execution": _last_execution(last),
        "execution_history": [{"status": _legacy_status(wf), "created_at": iso(wf.created_at),
                               "duration": wf.duration_seconds}
                              for wf in executions[:history_limit]],
        "schedule": w.schedule, "deleted": False,
        "override_run_config": w.override_run_config, "run_config": w.run_config,
        "build_config": w.build_config, "override_build_config": w.override_build_config,
        "location_config": w.location_config, "override_location": w.override_location,
        "quarantined_test_ids": quarantined(w),
    }


def _last_execution(wf: WorkflowExecution | None) -> dict[str, Any]:
    if wf is None:
        return {"status": "not_run"}
    return {"status": _legacy_status(wf), "last_run": iso(wf.created_at),
            "duration": wf.duration_seconds, "started_at": _ts(wf.started_at), "id": wf.id,
            "total_tests": wf.total_tests, "failed_count": wf.failed_tests}


def _legacy_status(wf: WorkflowExecution) -> str:
    """``last_execution.status`` uses success/failure/running/... rather than the enum."""
    return {"completed": "success", "failed": "failure"}.get(
        wf.status, "running" if not wf.terminal else wf.status)


def _ts(value: float | None) -> str | None:
    return None if value is None else iso(value)
