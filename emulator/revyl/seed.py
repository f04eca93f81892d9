"""Revyl's part of a seed document (``POST /_emulator/seed``): the ``fixtures/revyl.json``
shape, checked against what the namespace already has, then merged into (or replacing) its
catalog. Registered as Revyl's seeder (emulator/revyl/state.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from emulator.core.namespaces import Problems
from emulator.core.seeding import duplicates
from emulator.revyl.catalog import (
    AppFixture,
    Catalog,
    OrgFixture,
    RevylFixtures,
    TestFixture,
    WorkflowFixture,
)

if TYPE_CHECKING:
    from emulator.revyl.state import RevylState


class SeedRevyl(BaseModel):
    """The ``fixtures/revyl.json`` shape; ``org`` optional (the namespace keeps its own)."""

    model_config = ConfigDict(extra="forbid")

    org: OrgFixture | None = None
    apps: list[AppFixture] = Field(default_factory=list)
    tests: list[TestFixture] = Field(default_factory=list)
    workflows: list[WorkflowFixture] = Field(default_factory=list)


def check(state: RevylState, doc: SeedRevyl, replace: bool, problems: Problems) -> None:
    catalog = state.catalog
    for key, items in (("tests", doc.tests), ("workflows", doc.workflows), ("apps", doc.apps)):
        for dup in sorted(duplicates([i.id for i in items])):
            problems.add(["revyl", key], f"duplicate id {dup}", dup)
    kept_tests = {} if replace else {i: t for i, t in catalog.tests.items()
                                     if i not in {t.id for t in doc.tests}}
    test_ids = {t.id for t in doc.tests} | set(kept_tests)
    app_ids = {a.id for a in doc.apps} | (set() if replace else set(catalog.apps))
    names = {t.name: i for i, t in kept_tests.items()}
    for index, test in enumerate(doc.tests):
        if test.app_id is not None and test.app_id not in app_ids:
            problems.add(["revyl", "tests", index, "app_id"], f"unknown app {test.app_id}",
                         test.app_id)
        if test.name in names and names[test.name] != test.id:
            problems.add(["revyl", "tests", index, "name"],
                         f"a test named '{test.name}' already exists", test.name)
        names[test.name] = test.id
    for index, wf in enumerate(doc.workflows):
        missing = [t for t in wf.tests if t not in test_ids]
        if missing:
            problems.add(["revyl", "workflows", index, "tests"], f"unknown tests {missing}",
                         missing)


def apply(state: RevylState, doc: SeedRevyl, replace: bool, caller: dict[str, str]
          ) -> dict[str, Any]:
    catalog = state.catalog
    org = doc.org or OrgFixture.model_validate(catalog.org)
    loaded = Catalog(RevylFixtures(org=org, apps=doc.apps, tests=doc.tests,
                                   workflows=doc.workflows), state.clock.now_iso())
    if doc.org is not None:
        catalog.org.clear()  # in place: the monitor reads the org id from this dict
        catalog.org.update(loaded.org)
    if replace:
        catalog.tests, catalog.workflows, catalog.apps = {}, {}, {}
    catalog.tests.update(loaded.tests)
    catalog.workflows.update(loaded.workflows)
    catalog.apps.update(loaded.apps)
    return {"tests": len(loaded.tests), "workflows": len(loaded.workflows),
            "apps": len(loaded.apps),
            "totals": {"tests": len(catalog.tests), "workflows": len(catalog.workflows),
                       "apps": len(catalog.apps)}}
