"""What the CLI asks about the account rather than about a test: the billing plan
(``revyl auth billing``), the home dashboard's metrics (``revyl`` alone), revoking a CLI key
(``revyl auth logout``), support requests (``revyl feedback``) and device logs of a report
(``revyl run logs``).

The metrics are computed from the namespace's real state each time: its definitions, and the
test and workflow executions it still remembers (the history bound, ``EMULATOR_MAX_FINISHED``,
applies). The emulated org is billing-exempt: runs cost nothing. No device ever runs, so no
device logs are ever captured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

from emulator.core.clock import VirtualClock
from emulator.core.errors import NotFound
from emulator.core.namespaces import Rearm
from emulator.revyl.catalog import Catalog
from emulator.revyl.executions import TestExecutions
from emulator.revyl.workflows import WorkflowExecutions

PLAN = {"plan": "enterprise", "display_name": "Enterprise (emulated)", "monthly_base": 0.0,
        "free_credit_label": "Unlimited emulated device time", "billing_exempt": True}
FAILED = frozenset({"failed", "timeout"})
# Kept support requests: the newest ones, so a chatty client cannot grow memory without end.
MAX_SUPPORT_REQUESTS = 200


@dataclass
class SupportRequest:
    type: str
    message: str
    received_at: str
    current_url: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)


class Account:
    """Account-level reads over the namespace's state, plus the few records they keep."""

    def __init__(self, catalog: Catalog, clock: VirtualClock, tests: TestExecutions,
                 workflows: WorkflowExecutions) -> None:
        self.catalog = catalog
        self.clock = clock
        self.tests = tests
        self.workflows = workflows
        self.revoked_keys: list[str] = []
        self.support_requests: list[SupportRequest] = []

    def billing_plan(self) -> dict[str, Any]:
        """``BillingPlanResponse``."""
        return dict(PLAN)

    def dashboard_metrics(self) -> dict[str, Any]:
        """``DashboardMetrics``: counts of definitions and runs, the tests whose latest
        finished run failed, and the mean duration of finished runs (None before any)."""
        runs = list(self.tests.by_id.values())
        finished = [e for e in runs if e.terminal]
        durations = [e.execution_time_seconds for e in finished
                     if e.execution_time_seconds is not None]
        total = len(self.catalog.tests)
        failing = 0
        for test_id in self.catalog.tests:
            latest = next((e for e in self.tests.history(test_id) if e.terminal), None)
            failing += latest is not None and latest.status in FAILED
        apps = self.catalog.apps.values()
        return {
            "total_tests": total,
            "total_workflows": len(self.catalog.workflows),
            "test_runs": len(runs),
            "success_run_count": sum(1 for e in finished if e.status == "completed"),
            "failure_run_count": sum(1 for e in finished if e.status in FAILED),
            "workflow_run_count": len(self.workflows.by_id),
            "tests_failing_count": failing,
            "tests_failing_percent": round(100.0 * failing / total, 1) if total else 0.0,
            "avg_test_duration": round(sum(durations) / len(durations), 3) if durations
            else None,
            "org_has_apps": bool(self.catalog.apps),
            "checklist_app_uploaded": any(a.ready_builds() for a in apps),
            "checklist_test_created": total > 0,
            "checklist_session_started": bool(runs),
            "connected_integrations": [],
            "has_atlas_map": False,
            "has_exploration": False,
            "analytics_degraded": False,
        }

    def revoke_cli_key(self, api_key_id: str) -> None:
        """Remember the key id as revoked; a second revoke finds nothing (404, which the
        CLI's logout ignores). The emulator's own keys are namespace names, never revoked."""
        if api_key_id in self.revoked_keys:
            raise NotFound("API key not found")
        self.revoked_keys.append(api_key_id)

    def support_request(self, kind: str, message: str, current_url: str | None,
                        context: dict[str, Any], attachments: list[dict[str, Any]]
                        ) -> SupportRequest:
        """Kept (the newest :data:`MAX_SUPPORT_REQUESTS`), never sent anywhere."""
        request = SupportRequest(kind, message, self.clock.now_iso(), current_url,
                                 dict(context), list(attachments))
        self.support_requests.append(request)
        del self.support_requests[:-MAX_SUPPORT_REQUESTS]
        return request

    def device_logs(self, report_id: str) -> NoReturn:
        """Always a 404: a known report has no captured logs, an unknown one is not found."""
        if not any(e.test_history_id == report_id for e in self.tests.by_id.values()):
            raise NotFound("Report not found")
        raise NotFound("No device logs were captured for this report (the emulator runs no "
                       "device)")

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"revoked_api_keys": list(self.revoked_keys),
                "support_requests": [asdict(r) for r in self.support_requests]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Documents from before these parts existed restore to none. No timers here."""
        self.revoked_keys = [str(k) for k in data.get("revoked_api_keys", [])]
        self.support_requests = [SupportRequest(**r) for r in data.get("support_requests", [])]
        return []
