"""The Revyl org's definitions (tests, workflows, apps) as loaded from ``fixtures/revyl.json``.

Fixtures are parsed and validated once at start-up; each namespace then gets its own mutable
copy, so a test that edits a definition never leaks into another namespace or survives a reset.
"""

from __future__ import annotations

import marshal
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from emulator.core.errors import NotFound
from emulator.core.namespaces import Rearm
from emulator.core.snapshots import SnapshotError
from emulator.revyl import records
from emulator.startup_errors import StartupError, describe_model_error, read_json

FIXTURE_FILE = "revyl.json"


class _Lax(BaseModel):
    model_config = ConfigDict(extra="allow")


class OrgFixture(_Lax):
    org_id: str
    org_name: str
    user_id: str
    email: str
    user_role: str = "admin"
    concurrency_limit: int = 3
    ios_concurrency_limit: int = 3
    android_concurrency_limit: int = 3


class VersionFixture(_Lax):
    id: str
    version: str
    package_name: str | None = None
    file_name: str | None = None
    uploaded_at: str
    current: bool = False


class AppFixture(_Lax):
    id: str
    name: str
    platform: Literal["iOS", "Android"]
    description: str | None = None
    created_at: str
    versions: list[VersionFixture] = Field(default_factory=list)


class TestFixture(_Lax):
    id: str
    name: str
    platform: Literal["ios", "android"]
    app_id: str | None = None
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    step_seconds: float = Field(3.0, gt=0)
    timeout_seconds: float = Field(600.0, gt=0)
    blocks: list[dict[str, Any]] = Field(min_length=1)
    variables: dict[str, str] = Field(default_factory=dict)


class WorkflowFixture(_Lax):
    id: str
    name: str
    description: str = ""
    tests: list[str]
    concurrency_limit: int = Field(3, ge=1)


class RevylFixtures(BaseModel):
    org: OrgFixture
    apps: list[AppFixture] = Field(default_factory=list)
    tests: list[TestFixture] = Field(default_factory=list)
    workflows: list[WorkflowFixture] = Field(default_factory=list)
    _prototype: bytes | None = PrivateAttr(None)

    def prototype(self) -> bytes:
        """Every namespace's starting definitions as plain data, marshalled once per process:
        a namespace unmarshals its own copy (C speed), where walking the fixture models and
        deep-copying their blocks was most of what a fresh namespace cost."""
        if self._prototype is None:
            tests = [{"id": t.id, "name": t.name, "platform": t.platform, "app_id": t.app_id,
                      "description": t.description, "tags": list(t.tags), "blocks": t.blocks,
                      "variables": dict(t.variables), "step_seconds": t.step_seconds,
                      "timeout_seconds": t.timeout_seconds,
                      "steps": step_descriptions(t.blocks)} for t in self.tests]
            self._prototype = marshal.dumps((self.org.model_dump(), tests))
        return self._prototype

    @classmethod
    def load(cls, directory: Path) -> RevylFixtures:
        """Parsed and checked ``<directory>/revyl.json``. Every problem is a
        :class:`FixtureError` naming the file (and the line and column, or the field path),
        because a hand-edited fixtures file is the usual cause and a traceback hides where."""
        directory = Path(directory)
        where = "point --fixtures (or EMULATOR_FIXTURES) at a directory holding revyl.json"
        if not directory.exists():
            raise FixtureError(f"fixtures directory {directory} does not exist: {where}")
        if not directory.is_dir():
            raise FixtureError(f"fixtures path {directory} is not a directory: {where}")
        path = directory / FIXTURE_FILE
        if not path.exists():
            raise FixtureError(f"no {FIXTURE_FILE} in fixtures directory {directory}: {where}")
        try:
            data = read_json(path, "fixtures file")
        except StartupError as exc:
            raise FixtureError(str(exc)) from None
        try:
            fixtures = cls.model_validate(data)
        except ValidationError as exc:
            raise FixtureError(describe_model_error(exc, "fixtures file", path)) from None
        test_ids = {t.id for t in fixtures.tests}
        for index, wf in enumerate(fixtures.workflows):
            missing = [t for t in wf.tests if t not in test_ids]
            if missing:
                raise FixtureError(f"fixtures file {path}: workflows[{index}] ({wf.id}) names "
                                   f"tests that are not in its tests list: {', '.join(missing)}")
        return fixtures


class FixtureError(StartupError):
    """``revyl.json`` is missing, unreadable or invalid: a start-up problem, not a bug."""


def step_descriptions(blocks: list[dict[str, Any]]) -> list[str]:
    """One entry per executed step, depth first: a decision or loop is a step, followed by the
    steps of its ``then`` branch or one pass of its body (the emulated run takes that path)."""
    steps: list[str] = []
    for block in blocks:
        kind = block.get("type", "instructions")
        if kind in ("if", "while"):
            steps.append(str(block.get("condition") or block.get("step_description") or kind))
            children = block.get("then") or block.get("thenChildren") or block.get("body") \
                or block.get("children") or []
            steps.extend(step_descriptions(children))
        else:
            manual = str(block.get("step_type") or "").replace("_", " ")
            steps.append(str(block.get("step_description") or manual or kind))
    return steps


@dataclass
class TestDef:

    __test__ = False  # not a pytest class, despite the name
    id: str
    name: str
    platform: str
    app_id: str | None
    description: str
    tags: list[str]
    blocks: list[dict[str, Any]]
    variables: dict[str, str]
    step_seconds: float
    timeout_seconds: float
    created_at: str
    version: int = 1
    steps: list[str] = field(default_factory=list)
    device: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.steps:
            self.steps = step_descriptions(self.blocks)


@dataclass
class WorkflowDef:
    """A workflow and its stored settings (emulator/revyl/workflow_defs.py edits them).
    ``concurrency_limit`` is the wire's ``default_concurrency_limit`` (None: no workflow cap);
    ``failure_policies`` holds a test id only while it is not the default ``fail_workflow``.
    Every field after ``concurrency_limit`` has a default, so older snapshots still load."""

    id: str
    name: str
    description: str
    tests: list[str]
    concurrency_limit: int | None
    schedule: str = "No Schedule"
    owner: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    build_config: dict[str, Any] | None = None
    override_build_config: bool = False
    location_config: dict[str, Any] | None = None
    override_location: bool = False
    run_config: dict[str, Any] | None = None
    override_run_config: bool = False
    failure_policies: dict[str, str] = field(default_factory=dict)


@dataclass
class Build:
    """A build version of an app; ``data`` holds the uploaded bytes (None for fixture builds
    and for pending presigned uploads)."""

    id: str
    app_id: str
    version: str
    file_name: str
    uploaded_at: str
    package_name: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    content_type: str = "application/octet-stream"
    data: bytes | None = None
    sha256: str | None = None
    status: str = "ready"  # "pending" while a presigned upload has not completed
    branch_id: str | None = None  # None: the app's first (default) branch, see branches.py

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


@dataclass
class App:
    """An app ("build variable" in the seed docs) and its builds, oldest first."""

    id: str
    name: str
    platform: str  # "Android" | "iOS", as stored by the real backend
    description: str | None
    created_at: str
    builds: list[Build] = field(default_factory=list)
    system_prompt: str | None = None
    static_url: str | None = None
    current_build_id: str | None = None

    def ready_builds(self) -> list[Build]:
        return [b for b in self.builds if b.status == "ready"]

    def current_build(self) -> Build | None:
        ready = self.ready_builds()
        pinned = next((b for b in ready if b.id == self.current_build_id), None)
        return pinned or (ready[-1] if ready else None)

    def latest_build(self) -> Build | None:
        ready = self.ready_builds()
        return ready[-1] if ready else None


class Catalog:
    """Definitions of one namespace."""

    def __init__(self, fixtures: RevylFixtures, created_at: str) -> None:
        self.org, tests = marshal.loads(fixtures.prototype())
        self.tests: dict[str, TestDef] = {
            t["id"]: TestDef(**t, created_at=created_at) for t in tests}
        self.workflows: dict[str, WorkflowDef] = {
            w.id: WorkflowDef(w.id, w.name, w.description, list(w.tests), w.concurrency_limit,
                              owner=fixtures.org.user_id, created_at=created_at,
                              updated_at=created_at)
            for w in fixtures.workflows
        }
        self.apps: dict[str, App] = {}
        for a in fixtures.apps:
            builds = [Build(id=v.id, app_id=a.id, version=v.version,
                            file_name=v.file_name or f"{v.version}.bin",
                            uploaded_at=v.uploaded_at, package_name=v.package_name,
                            metadata={"package_id": v.package_name, "source": "fixture",
                                      "file_name": v.file_name})
                      for v in a.versions]
            current = next((v.id for v in a.versions if v.current), None)
            self.apps[a.id] = App(a.id, a.name, a.platform, a.description, a.created_at,
                                  builds, current_build_id=current)

    def test(self, test_id: str) -> TestDef:
        test = self.tests.get(test_id)
        if test is None:
            raise NotFound("Test not found")
        return test

    def workflow(self, workflow_id: str) -> WorkflowDef:
        workflow = self.workflows.get(workflow_id)
        if workflow is None:
            raise NotFound("Workflow not found")
        return workflow

    def delete_test(self, test_id: str) -> TestDef:
        """Forget a test and take it out of every workflow that lists it, so a later run of
        the test or of such a workflow cannot reach a definition that is gone (404). Its past
        executions stay readable by their ids, as Revyl keeps reports."""
        test = self.test(test_id)
        del self.tests[test_id]
        for workflow in self.workflows.values():
            if test_id in workflow.tests:
                workflow.tests = [t for t in workflow.tests if t != test_id]
            workflow.failure_policies.pop(test_id, None)
        return test

    def delete_workflow(self, workflow_id: str) -> WorkflowDef:
        """Forget a workflow: lookups and runs of it answer 404 from now on, while its past
        executions stay readable by their task ids."""
        workflow = self.workflow(workflow_id)
        del self.workflows[workflow_id]
        return workflow

    def search_tests(self, search: str | None) -> list[TestDef]:
        """Tests whose name contains ``search`` (any case), in definition order."""
        return [t for t in self.tests.values() if not search or search.lower() in t.name.lower()]

    def search_workflows(self, search: str | None) -> list[WorkflowDef]:
        return [w for w in self.workflows.values()
                if not search or search.lower() in w.name.lower()]

    def app_name(self, app_id: str | None) -> str | None:
        app = self.apps.get(app_id or "")
        return app.name if app else None

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """The org and every definition; a build's bytes as base64 (None for fixture builds)."""
        return {"org": dict(self.org), "tests": [asdict(t) for t in self.tests.values()],
                "workflows": [asdict(w) for w in self.workflows.values()],
                "apps": [_app_record(a) for a in self.apps.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Replace the definitions with the document's. The org dict is updated in place: the
        monitor reads the org id from this very object. Nothing here has a timer."""
        org = data.get("org")
        if org is not None:
            if not isinstance(org, dict) or "org_id" not in org:
                raise SnapshotError("revyl.org must be an object with an org_id")
            self.org.clear()
            self.org.update(org)
        self.tests = {t["id"]: TestDef(**t) for t in data.get("tests", [])}
        self.workflows = {w["id"]: WorkflowDef(**w) for w in data.get("workflows", [])}
        self.apps = {}
        for raw in data.get("apps", []):
            app = App(**{k: v for k, v in raw.items() if k != "builds"})
            app.builds = [Build(**{**b, "data": records.unb64(b.get("data"))})
                          for b in raw.get("builds", [])]
            self.apps[app.id] = app
        return []


def _app_record(app: App) -> dict[str, Any]:
    data = {k: v for k, v in asdict(app).items() if k != "builds"}
    data["builds"] = [{**{k: v for k, v in asdict(b).items() if k != "data"},
                       "data": records.b64(b.data)} for b in app.builds]
    return data
