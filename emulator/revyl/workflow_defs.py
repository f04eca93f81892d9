"""Workflow definitions as the CLI's ``revyl workflow`` management commands edit them, and
what one run of a workflow takes from them (create, rename, add/remove tests, app, location,
config, quarantine, share, delete).

The definitions are the catalog's :class:`~emulator.revyl.catalog.WorkflowDef` records, so a
created workflow is at once listed, resolvable by name and runnable, and a deleted one answers
404 everywhere while its past executions stay readable by task id. The stored settings are
used, not just echoed: :func:`run_settings` turns them (and a run request's own overrides)
into the retries, concurrency cap, app builds, location and quarantined tests of one run.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.revyl.catalog import App, Build, Catalog, TestDef, WorkflowDef

if TYPE_CHECKING:
    from emulator.revyl.machine import TestExecution
    from emulator.revyl.workflows import WorkflowExecution, WorkflowExecutions

FAIL_WORKFLOW = "fail_workflow"
IGNORE_FAILURE = "ignore_failure"
UI_ORIGIN = "https://app.revyl.ai"
MAX_RETRIES = 5


def link_id(workflow_id: str, test_id: str) -> str:
    """The id of one workflow-test attachment (``WorkflowTestWithPolicy.id``): derived, not
    stored, so fixture workflows have them too and a snapshot needs no extra part."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
                          f"revyl-emulator:workflow-test:{workflow_id}:{test_id}"))


def failure_policy(workflow: WorkflowDef, test_id: str) -> str:
    return workflow.failure_policies.get(test_id, FAIL_WORKFLOW)


def quarantined(workflow: WorkflowDef) -> list[str]:
    """Tests whose failures do not fail the workflow, in workflow order."""
    return [t for t in workflow.tests if failure_policy(workflow, t) == IGNORE_FAILURE]


@dataclass
class WorkflowTest:
    """One test of a workflow with its attachment id and failure policy."""

    id: str
    workflow_id: str
    test_id: str
    failure_policy: str
    test: TestDef | None = None


@dataclass(frozen=True)
class RunSettings:
    """What one run uses, fixed when it starts. ``build_config`` / ``location_config`` are
    set only when an override applies (the request's own, else the workflow's stored one);
    ``run_config`` only when the workflow's run-config override is on."""

    retries: int
    concurrency_limit: int
    build_config: dict[str, Any] | None = None
    location_config: dict[str, Any] | None = None
    run_config: dict[str, Any] | None = None
    ignored: list[str] = field(default_factory=list)


def run_settings(workflow: WorkflowDef, org_limit: int, *, retries: int | None,
                 concurrency_limit: int | None,
                 request: dict[str, Any] | None = None) -> RunSettings:
    """The settings of one run of ``workflow``.

    - retries: the request's when above the CLI's default of 1; otherwise the stored
      ``run_config.execution_mode.retries`` while ``override_run_config`` is on; else 1.
    - concurrency: the request's ``concurrency_limit_override`` (0 removes the workflow cap),
      else the workflow's ``default_concurrency_limit``, else the org's limit.
    - builds and location: the request's override when it sets one, else the workflow's
      stored config while its override flag is on.
    """
    request = request or {}
    stored_run = workflow.run_config if workflow.override_run_config else None
    stored_retries = ((stored_run or {}).get("execution_mode") or {}).get("retries")
    attempts = int(retries or 1)
    if attempts <= 1 and isinstance(stored_retries, int) and stored_retries > 0:
        attempts = stored_retries
    if concurrency_limit is not None:
        limit = concurrency_limit if concurrency_limit > 0 else org_limit
    else:
        limit = workflow.concurrency_limit or org_limit
    builds = request.get("build_config") if request.get("override_build_config") else None
    if not builds and workflow.override_build_config:
        builds = workflow.build_config
    location = request.get("location_config") if request.get("override_location") else None
    if not location and workflow.override_location:
        location = workflow.location_config
    return RunSettings(retries=max(1, min(attempts, MAX_RETRIES)), concurrency_limit=limit,
                       build_config=dict(builds) if builds else None,
                       location_config=dict(location) if location else None,
                       run_config=dict(stored_run) if stored_run else None,
                       ignored=quarantined(workflow))


def resolve_build(catalog: Catalog, build_config: dict[str, Any] | None,
                  platform: str) -> tuple[App, Build] | None:
    """The build a ``platform`` ("ios"/"android") test runs under a build override: the
    pinned build (by id, or by version for older clients), the newest one for ``latest`` /
    ``latest_all_branches`` (the emulator has no branches), else the app's current build.
    None when the override names no app for the platform or the app has no ready build."""
    entry = (build_config or {}).get(f"{platform.lower()}_build")
    if not isinstance(entry, dict):
        return None
    app = catalog.apps.get(str(entry.get("app_id")))
    if app is None:
        return None
    ready = app.ready_builds()
    build: Build | None
    if entry.get("pinned_build_id"):
        build = next((b for b in ready if b.id == entry["pinned_build_id"]), None)
    elif entry.get("pinned_version"):
        build = next((b for b in reversed(ready) if b.version == entry["pinned_version"]), None)
    elif entry.get("build_selection") in ("latest", "latest_all_branches"):
        build = app.latest_build()
    else:
        build = app.current_build()
    return None if build is None else (app, build)


class WorkflowDefinitions:
    """Create, edit and delete workflows; list their tests with failure policies; mint share
    links for their executions."""

    stateless = ("keeps no records: the workflows it edits are the catalog's, attachment ids "
                 "and share tokens are derived")

    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 runs: WorkflowExecutions, key: str) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.runs = runs
        self.key = key

    # ------------------------------------------------------------------ definitions
    def create(self, name: str, tests: list[str], *, schedule: str | None = None,
               owner: str | None = None) -> WorkflowDef:
        """A new workflow, at once listed and runnable. 409 when the name is taken (names
        are how the CLI finds workflows), 400 when a test id is unknown."""
        name = self._free_name(name)
        now = self.clock.now_iso()
        workflow = WorkflowDef(id=self.ids.uuid(), name=name, description="",
                               tests=self._known_tests(tests), concurrency_limit=None,
                               schedule=schedule or "No Schedule",
                               owner=owner or self.catalog.org["user_id"],
                               created_at=now, updated_at=now)
        self.catalog.workflows[workflow.id] = workflow
        return workflow

    def rename(self, workflow_id: str, name: str) -> WorkflowDef:
        workflow = self.catalog.workflow(workflow_id)
        workflow.name = self._free_name(name, workflow_id)
        return self._touched(workflow)

    def set_tests(self, workflow_id: str, test_ids: list[str]) -> WorkflowDef:
        """Replace the test list (duplicates dropped, order kept); a test that leaves the
        workflow loses its failure policy, as its attachment is gone."""
        workflow = self.catalog.workflow(workflow_id)
        workflow.tests = self._known_tests(test_ids)
        workflow.failure_policies = {t: p for t, p in workflow.failure_policies.items()
                                     if t in workflow.tests}
        return self._touched(workflow)

    def set_build_config(self, workflow_id: str, changes: dict[str, Any]) -> WorkflowDef:
        """``build_config`` and/or ``override_build_config``, whichever was sent (``app
        enable|disable`` send only the flag). Apps and pinned builds must exist (404)."""
        workflow = self.catalog.workflow(workflow_id)
        if "build_config" in changes:
            config = changes["build_config"] or None
            for entry in (config or {}).values():
                self._check_app_choice(entry)
            workflow.build_config = config
        if changes.get("override_build_config") is not None:
            workflow.override_build_config = bool(changes["override_build_config"])
        return self._touched(workflow)

    def set_location_config(self, workflow_id: str, location: dict[str, Any] | None,
                            override: bool) -> WorkflowDef:
        workflow = self.catalog.workflow(workflow_id)
        workflow.location_config = location
        workflow.override_location = override
        return self._touched(workflow)

    def set_run_config(self, workflow_id: str, changes: dict[str, Any]) -> WorkflowDef:
        """Whichever of ``run_config``, ``override_run_config`` and
        ``default_concurrency_limit`` was sent; a null limit removes the workflow's cap."""
        workflow = self.catalog.workflow(workflow_id)
        if "run_config" in changes:
            workflow.run_config = changes["run_config"] or None
        if changes.get("override_run_config") is not None:
            workflow.override_run_config = bool(changes["override_run_config"])
        if "default_concurrency_limit" in changes:
            workflow.concurrency_limit = changes["default_concurrency_limit"]
        return self._touched(workflow)

    def delete(self, workflow_id: str) -> tuple[WorkflowDef, WorkflowExecution | None]:
        """Gone from lists, lookups and runs (404 after); executions stay readable. Returns
        the workflow and its newest execution (the answer's ``last_run``)."""
        workflow = self.catalog.delete_workflow(workflow_id)
        return workflow, next(iter(self.runs.history(workflow_id)), None)

    # ------------------------------------------------------------------ tests and policies
    def workflow_tests(self, workflow_id: str) -> list[WorkflowTest]:
        workflow = self.catalog.workflow(workflow_id)
        return [self._attachment(workflow, t) for t in workflow.tests]

    def set_failure_policy(self, workflow_test_id: str, policy: str) -> WorkflowTest:
        """``ignore_failure`` quarantines the test in its workflow: it still runs, its failure
        no longer fails the run; ``fail_workflow`` (the default) undoes that."""
        for workflow in self.catalog.workflows.values():
            for test_id in workflow.tests:
                if link_id(workflow.id, test_id) == workflow_test_id:
                    if policy == FAIL_WORKFLOW:
                        workflow.failure_policies.pop(test_id, None)
                    else:
                        workflow.failure_policies[test_id] = policy
                    self._touched(workflow)
                    return self._attachment(workflow, test_id)
        raise NotFound("Workflow test not found")

    def info(self, workflow_id: str) -> tuple[WorkflowDef, dict[str, TestExecution]]:
        """The workflow and each test's newest execution within its runs (``get_info``)."""
        workflow = self.catalog.workflow(workflow_id)
        found: dict[str, TestExecution] = {}
        for run in self.runs.history(workflow.id):
            for child in reversed(run.children):
                found.setdefault(child.test_id, child)
        return workflow, found

    # ------------------------------------------------------------------ share links
    def share_link(self, task_id: str, origin: str | None,
                   include_children: bool = False) -> tuple[str, int | None]:
        """A report link for one workflow execution (404 for an unknown task id), and how
        many child links came with it when asked for. Derived from the namespace and the
        execution, so asking again gives the same link."""
        run: WorkflowExecution = self.runs.get(task_id)
        token = hashlib.sha256(f"{self.key}:workflow:{run.id}".encode()).hexdigest()[:32]
        link = (f"{(origin or UI_ORIGIN).rstrip('/')}/workflows/report?taskId={run.id}"
                f"&shareToken={token}")
        return link, (len(run.children) if include_children else None)

    # ------------------------------------------------------------------ helpers
    def _free_name(self, name: str, own_id: str | None = None) -> str:
        name = name.strip()
        if not name:
            raise BadRequest("Workflow name must not be blank")
        taken = next((w for w in self.catalog.workflows.values()
                      if w.name == name and w.id != own_id), None)
        if taken is not None:
            raise Conflict(f"A workflow named '{name}' already exists")
        return name

    def _known_tests(self, test_ids: list[str]) -> list[str]:
        unknown = [t for t in test_ids if t not in self.catalog.tests]
        if unknown:
            raise BadRequest(f"Unknown test ids: {', '.join(unknown)}")
        return list(dict.fromkeys(test_ids))

    def _check_app_choice(self, entry: dict[str, Any]) -> None:
        app = self.catalog.apps.get(str(entry.get("app_id")))
        if app is None:
            raise NotFound("App not found")
        pinned = entry.get("pinned_build_id")
        if pinned and all(b.id != pinned for b in app.ready_builds()):
            raise NotFound("Build not found")

    def _attachment(self, workflow: WorkflowDef, test_id: str) -> WorkflowTest:
        return WorkflowTest(id=link_id(workflow.id, test_id), workflow_id=workflow.id,
                            test_id=test_id, failure_policy=failure_policy(workflow, test_id),
                            test=self.catalog.tests.get(test_id))

    def _touched(self, workflow: WorkflowDef) -> WorkflowDef:
        workflow.updated_at = self.clock.now_iso()
        return workflow
