"""Interactly's part of a seed document (``POST /_emulator/seed``): hydrated workflows (what
``GET .../hydrated`` answers), every graph checked before any is stored, then created (pinned
ids kept). Registered as Interactly's seeder (emulator/interactly/state.py)."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from emulator.core.errors import ApiError
from emulator.core.ids import OBJECT_ID as OBJECT_ID_PATTERN
from emulator.core.namespaces import Problems
from emulator.core.seeding import duplicates
from emulator.interactly.catalog import graph_problem
from emulator.interactly.validation import check_graph

if TYPE_CHECKING:
    from emulator.interactly.state import InteractlyState

OBJECT_ID = re.compile(OBJECT_ID_PATTERN)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


def check(state: InteractlyState, doc: SeedInteractly, replace: bool, problems: Problems
          ) -> None:
    for dup in sorted(duplicates([w.id for w in doc.workflows if w.id])):
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


def apply(state: InteractlyState, doc: SeedInteractly, replace: bool, caller: dict[str, str]
          ) -> dict[str, Any]:
    team_id, user = caller.get("team_id", ""), caller.get("user", "")
    catalog = state.catalog
    pinned = {w.id for w in doc.workflows if w.id}
    doomed = list(catalog.workflows) if replace else [i for i in pinned
                                                       if i in catalog.workflows]
    for workflow_id in doomed:
        state.workflows.drop(workflow_id)
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
            catalog.repin(wf.id, wf_doc.id)
        created.append(wf.id)
    return {"workflows": len(created), "workflow_ids": created,
            "totals": {"workflows": len(catalog.workflows)}}


def _clean(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in copy.deepcopy(config).items()
            if k not in ("workflow_id", "version_number")}
