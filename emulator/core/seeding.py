"""``POST /_emulator/seed``: load a fixtures document into one namespace.

The document is checked as a whole before anything is stored (a refused one leaves the
namespace untouched): pydantic shapes first, then cross references (workflow -> tests,
test -> app, unique ids and test names) and every Interactly graph. ``mode: "merge"`` adds to
(or, on the same id, replaces) what the namespace has; ``"replace"`` swaps the definitions of
each API the document names for the document's (executions and runs stay readable).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulator.core.errors import ApiError
from emulator.core.ids import OBJECT_ID as OBJECT_ID_PATTERN
from emulator.core.namespaces import Namespace
from emulator.revyl.catalog import (
    AppFixture,
    Catalog,
    OrgFixture,
    RevylFixtures,
    TestFixture,
    WorkflowFixture,
)

OBJECT_ID = re.compile(OBJECT_ID_PATTERN)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedRevyl(_Strict):
    """The ``fixtures/revyl.json`` shape; ``org`` optional (the namespace keeps its own)."""

    org: OrgFixture | None = None
    apps: list[AppFixture] = Field(default_factory=list)
    tests: list[TestFixture] = Field(default_factory=list)
    workflows: list[WorkflowFixture] = Field(default_factory=list)


class SeedWorkflow(_Strict):
    """A hydrated Interactly workflow (what ``GET .../hydrated`` answers) plus its name."""

    id: str | None = Field(None, description="pin the workflow id (24 hex characters)")
    name: str | None = None
    description: str | None = None
    workflow_config: dict[str, Any] = Field(default_factory=dict)
    node_configs: list[dict[str, Any]] = Field(default_factory=list)
    edge_configs: list[dict[str, Any]] = Field(default_factory=list)
    dynamic_variables: dict[str, Any] = Field(default_factory=dict)
    runtime_variables: dict[str, Any] = Field(default_factory=dict)


class SeedInteractly(_Strict):
    workflows: list[SeedWorkflow] = Field(default_factory=list)


class SeedDocument(_Strict):
    mode: Literal["merge", "replace"] = "merge"
    revyl: SeedRevyl | None = None
    interactly: SeedInteractly | None = None


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: list[Any], msg: str, value: Any = None) -> None:
        self.items.append({"type": "value_error", "loc": ["body", *loc], "msg": msg,
                           "input": value})

    def raise_any(self) -> None:
        if self.items:
            raise ApiError(self.items, 422)


def seed(ns: Namespace, document: SeedDocument, team_id: str = "",
         user: str = "") -> dict[str, Any]:
    """Check, then apply. Returns counts of what was loaded and what the namespace now has."""
    from emulator.interactly.state import interactly
    from emulator.revyl.state import revyl

    problems = _Problems()
    replace = document.mode == "replace"
    if document.revyl is not None:
        _check_revyl(revyl(ns).catalog, document.revyl, replace, problems)
    if document.interactly is not None:
        _check_interactly(document.interactly, problems)
    problems.raise_any()

    from emulator.core.snapshots import export_namespace, import_namespace

    answer: dict[str, Any] = {"mode": document.mode, "namespace": ns.key}
    before = copy.deepcopy(export_namespace(ns))
    try:
        if document.revyl is not None:
            answer["revyl"] = _apply_revyl(ns, document.revyl, replace)
        if document.interactly is not None:
            state = interactly(ns)
            ids = _apply_interactly(state, document.interactly, replace, team_id, user)
            answer["interactly"] = {"workflows": len(ids), "workflow_ids": ids,
                                    "totals": {"workflows": len(state.catalog.workflows)}}
    except Exception as exc:  # checked above; should a store still refuse, load nothing
        import_namespace(ns, before)
        if isinstance(exc, ApiError):
            raise ApiError(exc.detail if isinstance(exc.detail, list) else [
                {"type": "value_error", "loc": ["body"], "msg": str(exc), "input": None}],
                422) from exc
        raise
    return answer


# ------------------------------------------------------------------------------ Revyl
def _dupes(values: list[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def _check_revyl(catalog: Catalog, doc: SeedRevyl, replace: bool, problems: _Problems) -> None:
    for key, items in (("tests", doc.tests), ("workflows", doc.workflows), ("apps", doc.apps)):
        for dup in sorted(_dupes([i.id for i in items])):
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


def _apply_revyl(ns: Namespace, doc: SeedRevyl, replace: bool) -> dict[str, Any]:
    from emulator.revyl.state import revyl

    state = revyl(ns)
    catalog = state.catalog
    org = doc.org or OrgFixture.model_validate(catalog.org)
    loaded = Catalog(RevylFixtures(org=org, apps=doc.apps, tests=doc.tests,
                                   workflows=doc.workflows), ns.clock.now_iso())
    if doc.org is not None:
        catalog.org.clear()
        catalog.org.update(loaded.org)
        state.monitor.org_id = catalog.org["org_id"]
    if replace:
        catalog.tests, catalog.workflows, catalog.apps = {}, {}, {}
    catalog.tests.update(loaded.tests)
    catalog.workflows.update(loaded.workflows)
    catalog.apps.update(loaded.apps)
    return {"tests": len(loaded.tests), "workflows": len(loaded.workflows),
            "apps": len(loaded.apps),
            "totals": {"tests": len(catalog.tests), "workflows": len(catalog.workflows),
                       "apps": len(catalog.apps)}}


# ------------------------------------------------------------------------------ Interactly
def _check_interactly(doc: SeedInteractly, problems: _Problems) -> None:
    from emulator.interactly.catalog import graph_problem
    from emulator.interactly.validation import check_graph

    for dup in sorted(_dupes([w.id for w in doc.workflows if w.id])):
        problems.add(["interactly", "workflows"], f"duplicate id {dup}", dup)
    for index, wf in enumerate(doc.workflows):
        loc = ["interactly", "workflows", index]
        if wf.id is not None and not OBJECT_ID.match(wf.id):
            problems.add([*loc, "id"], "id must be 24 lowercase hex characters", wf.id)
        if not (wf.name or wf.workflow_config.get("name")):
            problems.add([*loc, "name"], "a workflow needs a name (name or "
                         "workflow_config.name)")
        problem = graph_problem(wf.node_configs, wf.edge_configs)
        if problem:
            problems.add(loc, problem)
            continue
        try:
            check_graph(wf.node_configs, wf.edge_configs)
        except ApiError as exc:
            problems.add(loc, str(exc))


def _apply_interactly(state: Any, doc: SeedInteractly, replace: bool, team_id: str,
                      user: str) -> list[str]:
    catalog = state.catalog
    pinned = {w.id for w in doc.workflows if w.id}
    doomed = list(catalog.workflows) if replace else [i for i in pinned
                                                       if i in catalog.workflows]
    for workflow_id in doomed:
        catalog.delete_workflow(workflow_id)
        state.runs.drop_workflow(workflow_id)
    created: list[str] = []
    for wf_doc in doc.workflows:
        config = copy.deepcopy(wf_doc.workflow_config)
        for listing in ("nodes", "edges", "node_configs", "edge_configs"):
            config.pop(listing, None)  # document ids of the source, not of this namespace
        if wf_doc.dynamic_variables:
            misc = dict(config.get("miscellaneous") or {})
            misc["default_dynamic_variables"] = {
                **wf_doc.dynamic_variables, **(misc.get("default_dynamic_variables") or {})}
            config["miscellaneous"] = misc
        nodes = [_clean(n) for n in wf_doc.node_configs]
        edges = [_clean(e) for e in wf_doc.edge_configs]
        wf = catalog.create_workflow(wf_doc.name, wf_doc.description, config, team_id, user,
                                     nodes, edges)
        if wf_doc.id is not None and wf_doc.id != wf.id:
            _repin(catalog, wf, wf_doc.id)
        created.append(wf.id)
    return created


def _clean(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in copy.deepcopy(config).items()
            if k not in ("workflow_id", "version_number")}


def _repin(catalog: Any, wf: Any, new_id: str) -> None:
    old = wf.id
    del catalog.workflows[old]
    wf.id = new_id
    catalog.workflows[new_id] = wf
    for store in (catalog.nodes, catalog.edges):
        for doc in store.values():
            if doc["workflow_id"] == old:
                doc["workflow_id"] = new_id
                doc["config"]["workflow_id"] = new_id
