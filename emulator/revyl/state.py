"""Everything Revyl keeps for one namespace, built from the fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from emulator.core.namespaces import ApiRegistration, Namespace, Rearm
from emulator.revyl.account import Account
from emulator.revyl.branches import BuildBranches
from emulator.revyl.build_runs import BuildRuns
from emulator.revyl.builds import Builds
from emulator.revyl.catalog import Catalog, RevylFixtures
from emulator.revyl.executions import TestExecutions
from emulator.revyl.files import Files
from emulator.revyl.modules import Modules
from emulator.revyl.monitor import Monitor
from emulator.revyl.multipart import MultipartUploads
from emulator.revyl.outcomes import OutcomeQueue
from emulator.revyl.scripts import Scripts
from emulator.revyl.tags import Tags
from emulator.revyl.test_definitions import TestDefinitions
from emulator.revyl.test_versions import TestVersions
from emulator.revyl.variables import Variables
from emulator.revyl.workflow_defs import WorkflowDefinitions
from emulator.revyl.workflows import WorkflowExecutions


class RevylState:
    """Every attribute but those in ``SHARED`` is a service that either snapshots itself
    (``export_state`` / ``restore_state``, put together by emulator/revyl/snapshot.py) or says
    why it has nothing to keep (``stateless``); tests/unit/test_revyl_state_codec.py holds
    every service to that, so a new one cannot be silently left out of snapshots."""

    # Namespace objects kept here for convenience; the namespace snapshots them itself.
    SHARED: ClassVar[frozenset[str]] = frozenset({"clock"})

    def __init__(self, ns: Namespace, fixtures: RevylFixtures) -> None:
        settings = ns.settings
        self.clock = ns.clock
        self.catalog = Catalog(fixtures, ns.clock.now_iso())
        self.outcomes = OutcomeQueue()
        self.tests = TestExecutions(self.catalog, ns.clock, ns.ids, self.outcomes,
                                    settings.min_active_seconds, settings.max_finished)
        self.workflows = WorkflowExecutions(self.catalog, ns.clock, ns.ids, self.outcomes,
                                            self.tests, settings.min_active_seconds,
                                            settings.max_finished)
        self.workflow_defs = WorkflowDefinitions(self.catalog, ns.clock, ns.ids,
                                                 self.workflows, ns.key)
        self.branches = BuildBranches(self.catalog, ns.clock, ns.ids)
        self.builds = Builds(self.catalog, ns.clock, ns.ids, ns.key, self.branches)
        self.multipart = MultipartUploads(self.builds, ns.clock, ns.ids)
        self.build_runs = BuildRuns(self.catalog, self.branches, self.tests)
        self.tags = Tags(self.catalog)
        self.test_versions = TestVersions(self.catalog, ns.clock)
        self.scripts = Scripts(self.catalog, ns.clock, ns.ids)
        self.modules = Modules(self.catalog, self.scripts, ns.clock, ns.ids)
        self.definitions = TestDefinitions(self.catalog, ns.clock, ns.ids, self.test_versions,
                                           self.tags, library=self.modules)
        self.monitor = Monitor(ns.broker, ns.clock, self.tests, self.workflows,
                               self.catalog.org, settings.heartbeat_seconds)
        self.files = Files(self.catalog, ns.clock, ns.ids, ns.key)
        # After the monitor: it hears new executions after their variables are resolved.
        self.variables = Variables(self.catalog, ns.clock, ns.ids, self.tests, self.workflows)
        self.account = Account(self.catalog, ns.clock, self.tests, self.workflows)

    def snapshot(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for e in self.tests.by_id.values():
            by_status[e.status] = by_status.get(e.status, 0) + 1
        flows: dict[str, int] = {}
        for wf in self.workflows.by_id.values():
            flows[wf.status] = flows.get(wf.status, 0) + 1
        return {
            "tests": len(self.catalog.tests),
            "workflows": len(self.catalog.workflows),
            "apps": len(self.catalog.apps),
            "builds": sum(len(a.ready_builds()) for a in self.catalog.apps.values()),
            "pending_uploads": len(self.builds.uploads),
            "test_executions": by_status,
            "workflow_executions": flows,
            "scripted_outcomes": self.outcomes.listing(),
        }

    def verify(self) -> None:
        """Every execution renders in its wire forms: a snapshot import calls this, so a
        document with a wrong type or an impossible time is refused (and rolled back)
        instead of breaking every later read of the namespace."""
        from emulator.revyl import monitor, wire, workflow_wire

        org_id: str = self.catalog.org["org_id"]
        docs: list[Any] = [self.snapshot()]
        for e in self.tests.by_id.values():
            docs.append((wire.test_status(e), wire.history_item(e, org_id),
                         monitor.test_item(e, org_id)))
        for wf in self.workflows.by_id.values():
            docs.append((workflow_wire.workflow_status(wf), workflow_wire.workflow_task(wf),
                         monitor.workflow_item(wf)))
        json.dumps(docs, allow_nan=False)

    def close(self) -> None:
        self.monitor.close()
        self.workflows.close()
        self.tests.close()


class _Codec:
    """emulator/revyl/snapshot.py, imported when a snapshot is first taken or loaded."""

    def export(self, state: RevylState, skipped: list[str]) -> dict[str, Any]:
        from emulator.revyl import snapshot

        return snapshot.export(state, skipped)

    def restore(self, state: RevylState, data: dict[str, Any]) -> list[Rearm]:
        from emulator.revyl import snapshot

        return snapshot.restore(state, data)


class _Seeder:
    """emulator/revyl/seed.py, imported on the first ``POST /_emulator/seed``."""

    def check(self, state: RevylState, part: Any, replace: bool, problems: Any) -> None:
        from emulator.revyl import seed

        seed.check(state, part, replace, problems)

    def apply(self, state: RevylState, part: Any, replace: bool, caller: dict[str, str]
              ) -> dict[str, Any]:
        from emulator.revyl import seed

        return seed.apply(state, part, replace, caller)


def registration(fixtures: RevylFixtures) -> ApiRegistration[RevylState]:
    """How the namespace registry builds, snapshots and seeds Revyl's state."""
    build: Callable[[Namespace], RevylState] = lambda ns: RevylState(ns, fixtures)  # noqa: E731
    return ApiRegistration("revyl", RevylState, build, _Codec(), _Seeder())


def revyl(ns: Namespace) -> RevylState:
    return ns.state(RevylState)
