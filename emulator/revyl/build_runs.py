"""Which build each test execution ran against (``GET /api/v1/apps/builds/{id}/runs``, the
CLI's ``revyl build runs``).

The build is fixed when the execution is created, as the real backend attributes it: the
``build_version_id`` the caller named, else what the test's app resolves to at that moment
(the branch or selection the request carried, else the default branch's pin or newest
build). A test without an app, or an app without builds, ran against no build. Executions the
test index has forgotten (``EMULATOR_MAX_FINISHED``) drop out of the listing.
"""

from __future__ import annotations

from typing import Any

from emulator.core.errors import ApiError
from emulator.core.namespaces import Rearm
from emulator.revyl.branches import BuildBranches
from emulator.revyl.catalog import Catalog
from emulator.revyl.executions import TestExecutions
from emulator.revyl.machine import TestExecution


class BuildRuns:
    def __init__(self, catalog: Catalog, branches: BuildBranches,
                 tests: TestExecutions) -> None:
        self.catalog = catalog
        self.branches = branches
        self.tests = tests
        self.used: dict[str, str] = {}  # execution id -> build id
        tests.on_created(self.record)

    def record(self, execution: TestExecution) -> None:
        """Attributes the build once, when the execution is created."""
        build_id = self._attribute(execution)
        if build_id is not None:
            self.used[execution.id] = build_id
        if len(self.used) > 2 * len(self.tests.by_id) + 64:  # forget what the index forgot
            self.used = {k: v for k, v in self.used.items() if k in self.tests.by_id}

    def _attribute(self, execution: TestExecution) -> str | None:
        if execution.build_version_id:
            return execution.build_version_id
        test = self.catalog.tests.get(execution.test_id)
        if test is None or test.app_id not in self.catalog.apps:
            return None
        request = execution.request
        text = {k: v if isinstance(v, str) and v else None for k, v in request.items()}
        try:
            found = self.branches.resolve(
                test.app_id, selection=text.get("build_selection"),
                branch_id=text.get("branch_id"), branch_name=text.get("branch_name"),
                pinned_build_id=text.get("pinned_build_id"))
        except ApiError:  # a branch or build named in the request that is not there
            return None
        return found.build.id if found.build is not None else None

    def runs_of(self, build_id: str) -> list[TestExecution]:
        """Executions attributed to the build, newest first."""
        found = [self.tests.by_id[e] for e, b in self.used.items()
                 if b == build_id and e in self.tests.by_id]
        return sorted(found, key=lambda e: e.created_at, reverse=True)

    def version_of(self, build_id: str) -> str | None:
        for app in self.catalog.apps.values():
            for build in app.builds:
                if build.id == build_id:
                    return build.version
        return None

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"build_runs": dict(self.used)}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Older documents have no attributions: their executions list under no build."""
        self.used = {str(k): str(v) for k, v in data.get("build_runs", {}).items()}
        return []
