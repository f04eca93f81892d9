"""Wire shapes of Revyl responses, built as plain dicts straight from the state objects.

Status polling is the hottest path, so responses are assembled once per request without model
validation. The field names, types and null-ness follow spec/revyl.md; where the Go CLI is
type-strict (ints vs floats, strings vs numbers) the comment says so.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from emulator.core.clock import iso
from emulator.revyl.catalog import App, Catalog, TestDef
from emulator.revyl.machine import TestExecution
from emulator.revyl.tags import Tag
from emulator.revyl.test_versions import TestVersion

UI_ORIGIN = "https://app.revyl.ai"


def execute_test_response(e: TestExecution) -> dict[str, Any]:
    # No "error" substring anywhere: scripts/test.sh greps the body for it.
    return {"status": e.status, "message": "Test execution started", "id": e.id,
            "task_id": e.id}


def test_status(e: TestExecution) -> dict[str, Any]:
    """``TestStatusResponse`` (get_test_execution_task)."""
    failed = e.status in ("failed", "timeout")
    return {
        "id": e.id,
        "task_id": e.id,
        "test_id": e.test_id,
        "test_name": e.test_name,
        "platform": e.platform,
        "status": e.status,
        "progress": e.progress,
        "current_step": e.current_step,
        "current_step_index": e.current_step_index,  # int for the Go decoder
        "total_steps": e.total_steps,
        "steps_completed": e.steps_completed,
        "error_message": e.error_message,
        "execution_errors": [e.error_message] if failed and e.error_message else None,
        "validation_failures": None,
        "success": e.success,
        "workflow_run_id": e.workflow_execution_id,
        "test_history_id": e.test_history_id,
        "metadata": {"attempt": e.attempt, "retries": e.plan.attempts, "source": e.source,
                     "build_version_id": e.build_version_id},
        "created_at": iso(e.created_at),
        "started_at": e.timestamp(e.started_at),
        "completed_at": e.timestamp(e.completed_at),
        "execution_time_seconds": e.execution_time_seconds,
    }


def enhanced_task(e: TestExecution, org_id: str) -> dict[str, Any]:
    """``TestExecutionTasksEnhanced``: the per-execution record inside history and reports."""
    return {
        "id": e.id,
        "test_id": e.test_id,
        "org_id": org_id,
        "session_id": None,
        "status": e.status,
        "success": e.success,
        "progress": e.progress,
        "current_step": e.current_step,
        "current_step_index": e.current_step_index,
        "total_steps": e.total_steps,
        "steps_completed": e.steps_completed,
        "error_message": e.error_message,
        "execution_time_seconds": e.execution_time_seconds,
        "started_at": e.timestamp(e.started_at),
        "completed_at": e.timestamp(e.completed_at),
        "created_at": iso(e.created_at),
        "updated_at": iso(e.updated_at),
        "metadata": {"attempt": e.attempt},
        "test_history_id": e.test_history_id,
        "platform": e.platform,
        "workflow_execution_id": e.workflow_execution_id,
        "was_quarantined": False,
    }


def history_item(e: TestExecution, org_id: str) -> dict[str, Any]:
    return {
        "id": e.test_history_id,
        "test_uid": e.test_id,
        "execution_time": iso(e.started_at if e.started_at is not None else e.created_at),
        "status": e.status,
        "duration": e.execution_time_seconds,
        "has_report": e.terminal,
        "enhanced_task": enhanced_task(e, org_id),
    }


def cancel_response(e: TestExecution, cancelled: bool) -> dict[str, Any]:
    if cancelled:
        message = "Test execution cancelled"
    else:
        message = f"Test execution already finished with status '{e.status}'"
    return {"success": cancelled, "message": message, "task_id": e.id, "status": e.status}


def test_resource(t: TestDef, catalog: Catalog, last: TestExecution | None,
                  tags: list[Tag]) -> dict[str, Any]:
    """``TestResourceResponse`` (get_test_by_id). UUID-typed fields are uuids or absent."""
    body: dict[str, Any] = {
        "id": t.id,
        "name": t.name,
        "platform": t.platform,
        "description": t.description,
        "tasks": t.blocks,
        "version": t.version,
        "app_id": t.app_id,
        "pinned_version": None,
        "owner": catalog.org["user_id"],
        "user_id": catalog.org["user_id"],
        "last_modified_by": catalog.org["user_id"],
        "tags": [test_tag(tag) for tag in tags],
        "retries": 1,
        "test_timeout_seconds": int(t.timeout_seconds),
        "mobile_targets": [t.device] if t.device else [],
        "metadata": {"variables": t.variables},
    }
    if last is not None:
        body.update(last_status=last.status, last_execution_id=last.id,
                    last_execution_time=iso(last.created_at),
                    last_duration=last.execution_time_seconds)
    return body


def simple_test(t: TestDef, catalog: Catalog, tags: list[Tag]) -> dict[str, Any]:
    """A row of ``get_simple_tests`` and of ``get_tests`` (``TestWithTags``): the same
    fields."""
    return {"id": t.id, "name": t.name, "platform": t.platform, "app_id": t.app_id,
            "app_name": catalog.app_name(t.app_id), "tags": [test_tag(tag) for tag in tags]}


def test_tag(tag: Tag) -> dict[str, Any]:
    """``TestTag``: a tag as a test lists it."""
    return {"id": tag.id, "name": tag.name, "color": tag.color}


def tag_info(tag: Tag, test_count: int) -> dict[str, Any]:
    """``CLITagResponse``: an org tag."""
    return {"id": tag.id, "name": tag.name, "color": tag.color,
            "description": tag.description, "test_count": test_count}


def test_version(v: TestVersion) -> dict[str, Any]:
    """``TestVersionInfo``. ``modified_by`` is a UUID for the CLI's decoder, so a user id
    that is not one (a hand-written seed's) is left out rather than breaking the list."""
    return {"id": v.id, "test_id": v.test_id, "version": v.version, "tasks": v.tasks,
            "created_at": v.created_at,
            "modified_by": v.modified_by if _is_uuid(v.modified_by) else None,
            "modified_by_email": v.modified_by_email}


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(value or "")
    except ValueError:
        return False
    return True


def stable_id(kind: str, name: str) -> str:
    """Stable uuid-shaped id derived from a name, for things with no store of their own
    (per-test variables)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"revyl-emulator:{kind}:{name}"))


def report_context(e: TestExecution, catalog: Catalog, include_steps: bool) -> dict[str, Any]:
    """``ReportContextResponse`` (reports-v3 by-execution context)."""
    test = catalog.tests.get(e.test_id)
    app = catalog.apps.get(test.app_id or "") if test else None
    passed = e.steps_completed
    failed = 1 if e.status in ("failed", "timeout") else 0
    body: dict[str, Any] = {
        "id": e.test_history_id,
        "org_id": catalog.org["org_id"],
        "execution_id": e.id,
        "test_id": e.test_id,
        "test_name": e.test_name,
        "platform": e.platform,
        "session_status": e.status,
        "success": e.success,
        "error_message": e.error_message,
        "total_steps": e.total_steps,
        "passed_steps": passed,
        "failed_steps": failed,
        "app_name": app.name if app else None,
        "build_version": _current_version(app),
        "created_at": iso(e.created_at),
        "updated_at": iso(e.updated_at),
        "started_at": e.timestamp(e.started_at),
        "completed_at": e.timestamp(e.completed_at),
        "duration_seconds": e.execution_time_seconds,
        "report_url": f"{UI_ORIGIN}/tests/report?taskId={e.id}",
        "workflow_execution_id": e.workflow_execution_id,
    }
    launch = e.request.get("launch_env_var_snapshot")  # set at start: revyl/variables.py
    if launch:
        body.update(launch_env_var_ids=[v["id"] for v in launch if v["id"]],
                    launch_env_var_keys=[v["key"] for v in launch],
                    launch_env_var_snapshot=launch)
    if include_steps:
        body["steps"] = [
            {"id": f"{e.id}:{i}", "execution_order": i, "step_type": "instruction",
             "step_description": text, "status": _step_status(e, i),
             "success": _step_status(e, i) == "passed"}
            for i, text in enumerate(e.plan.steps)
        ]
    return body


def _step_status(e: TestExecution, index: int) -> str:
    if index < e.steps_completed:
        return "passed"
    if index == e.current_step_index and e.status in ("failed", "timeout"):
        return "failed"
    if index == e.current_step_index and e.status == "running":
        return "running"
    return "pending"


def _current_version(app: App | None) -> str | None:
    build = app.current_build() if app else None
    return build.version if build else None


def auth_info(org: dict[str, Any], token: str) -> dict[str, Any]:
    """``AuthInfo`` (get_user_uuid). The key is echoed masked, never in full."""
    masked = token[:4] + "…" if len(token) > 8 else "…"
    return {
        "user_id": org["user_id"],
        "org_id": org["org_id"],
        "org_name": org["org_name"],
        "email": org["email"],
        "api_key": masked,
        "concurrency_limit": org["concurrency_limit"],
        "ios_concurrency_limit": org["ios_concurrency_limit"],
        "android_concurrency_limit": org["android_concurrency_limit"],
        "permissions": ["read", "write", "execute"],
        "user_role": org["user_role"],
        "billing_exempt": True,
        "service": False,
        "proxy_enabled": False,
    }


def shareable_link(namespace_key: str, task_id: str, origin: str | None,
                   expires_in_hours: int) -> dict[str, Any]:
    """``ShareableReportLinkResponse``. The share token is derived, not stored: the same
    execution of the same namespace always gets the same link."""
    token = hashlib.sha256(f"{namespace_key}:{task_id}".encode()).hexdigest()[:32]
    link = f"{(origin or UI_ORIGIN).rstrip('/')}/tests/report?taskId={task_id}&shareToken={token}"
    return {"shareable_link": link, "task_id": task_id, "expires_in_hours": expires_in_hours}
