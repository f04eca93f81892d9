"""Interactly workflow definitions: workflows with numbered versions, nodes, edges, tools.

Storage mirrors the real service (spec §6.1): nodes and edges are their own documents tagged
with ``workflow_id`` + ``version_number``; version 0 is the editable working copy, and creating
a version snapshots v0's nodes and edges (same logical ids, new documents) into ``max + 1``.
Documents are plain dicts in the wire's own shape, so reads are cheap envelopes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.core.errors import ApiError, BadRequest, NotFound
from emulator.interactly.validation import check_graph

NODE_TYPES = {
    "say_llm": ("llm", "conversation"), "worker_llm": ("llm", "worker"),
    "say_static": ("static_messages", "say_static"), "tool_node": ("tool", "tool"),
    "http_request": ("rest_api", "http_request"), "no_op": ("utility", "no_op"),
    "start_conversation": ("conversations", "start"), "end_conversation": ("conversations", "end"),
    "send_sms": ("communications", "sms"), "super_node": ("workflows", "super_node"),
}


@dataclass
class Version:
    number: int
    name: str
    workflow_config: dict[str, Any]
    created_at: str
    doc_id: str


@dataclass
class Workflow:
    id: str
    team_id: str
    created_by: str
    created_at: str
    updated_at: str
    versions: dict[int, Version] = field(default_factory=dict)
    active_version_number: int = 0
    max_concurrent_runs: int | None = None

    @property
    def name(self) -> str:
        return str(self.versions[0].workflow_config.get("name") or "")


class Catalog:
    """One namespace's definitions. ``now`` and ``new_id`` come from the namespace."""

    def __init__(self, now: Callable[[], str], new_id: Callable[[], str],
                 new_logical: Callable[[str], str]) -> None:
        self.now = now
        self.new_id = new_id
        self.new_logical = new_logical
        self.workflows: dict[str, Workflow] = {}
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.tools: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ workflows
    def workflow(self, workflow_id: str) -> Workflow:
        wf = self.workflows.get(workflow_id)
        if wf is None:
            raise NotFound(f"Workflow {workflow_id} not found")
        return wf

    def create_workflow(self, name: str | None, description: str | None,
                        config: dict[str, Any] | None, team_id: str, user: str,
                        node_configs: list[dict[str, Any]] | None = None,
                        edge_configs: list[dict[str, Any]] | None = None) -> Workflow:
        config = copy.deepcopy(config or {})
        config["name"] = name or config.get("name")
        if not config["name"]:
            raise ApiError([{"type": "missing", "loc": ["body", "name"],
                             "msg": "Field required", "input": None}], 422)
        if description is not None:
            config["description"] = description
        check_graph(node_configs or [], edge_configs or [])
        config.setdefault("logical_id", self.new_logical("workflow"))
        config.setdefault("miscellaneous", {})
        now = self.now()
        wf = Workflow(self.new_id(), team_id, user, now, now)
        config["nodes"], config["edges"] = [], []
        wf.versions[0] = Version(0, "Initial Version", config, now, self.new_id())
        self.workflows[wf.id] = wf
        for node in node_configs or []:
            self.add_node({**node, "workflow_id": wf.id, "version_number": 0}, team_id, user)
        for edge in edge_configs or []:
            self.add_edge({**edge, "workflow_id": wf.id, "version_number": 0}, team_id, user)
        return wf

    def update_workflow(self, workflow_id: str, changes: dict[str, Any]) -> Workflow:
        wf = self.workflow(workflow_id)
        for key in ("name", "description"):
            if changes.get(key) is not None:
                wf.versions[0].workflow_config[key] = changes[key]
        wf.updated_at = self.now()
        return wf

    def delete_workflow(self, workflow_id: str) -> None:
        wf = self.workflow(workflow_id)
        del self.workflows[wf.id]
        for store in (self.nodes, self.edges):
            for doc_id in [i for i, d in store.items() if d["workflow_id"] == wf.id]:
                del store[doc_id]

    def list_workflows(self, search: str | None) -> list[Workflow]:
        items = list(self.workflows.values())
        if search:
            items = [w for w in items if search.lower() in w.name.lower()]
        return items

    # ------------------------------------------------------------------ versions
    def create_version(self, workflow_id: str, name: str | None, mark_as_active: bool,
                       source: int | None) -> Version:
        wf = self.workflow(workflow_id)
        source_number = wf.active_version_number if source is None else source
        if source_number not in wf.versions:
            raise NotFound(f"Version {source_number} not found")
        number = max(wf.versions) + 1
        src = wf.versions[source_number]
        config = copy.deepcopy(src.workflow_config)
        config["nodes"], config["edges"] = [], []
        version = Version(number, name or f"Version {number}", config, self.now(), self.new_id())
        wf.versions[number] = version
        for store, add in ((self.nodes, self.add_node), (self.edges, self.add_edge)):
            for doc in [d for d in list(store.values())
                        if d["workflow_id"] == wf.id and d["version_number"] == source_number]:
                cfg = copy.deepcopy(doc["config"])
                add({**cfg, "version_number": number}, doc["team_id"], doc["created_by"])
        if mark_as_active:
            wf.active_version_number = number
        wf.updated_at = self.now()
        return version

    def version(self, workflow_id: str, number: int) -> Version:
        wf = self.workflow(workflow_id)
        if number not in wf.versions:
            raise NotFound(f"Version {number} of workflow {workflow_id} not found")
        return wf.versions[number]

    def activate(self, workflow_id: str, number: int) -> Workflow:
        self.version(workflow_id, number)
        wf = self.workflows[workflow_id]
        wf.active_version_number = number
        return wf

    def delete_version(self, workflow_id: str, number: int) -> None:
        wf = self.workflow(workflow_id)
        self.version(workflow_id, number)
        if number == wf.active_version_number or len(wf.versions) == 1:
            raise BadRequest("The active version cannot be deleted")
        del wf.versions[number]
        for store in (self.nodes, self.edges):
            for doc_id in [i for i, d in store.items()
                           if d["workflow_id"] == wf.id and d["version_number"] == number]:
                del store[doc_id]

    # ------------------------------------------------------------------ nodes and edges
    def add_node(self, config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        return self._add(self.nodes, "node", "nodes", config, team_id, user)

    def add_edge(self, config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        for key in ("source_node_logical_id", "destination_node_logical_id"):
            if not config.get(key):
                raise ApiError([{"type": "missing", "loc": ["body", key],
                                 "msg": "Field required", "input": None}], 422)
        return self._add(self.edges, "edge", "edges", config, team_id, user)

    def add_tool(self, config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        return self._add(self.tools, "tool", "tools", {**config, "workflow_id": None},
                         team_id, user)

    def _add(self, store: dict[str, dict[str, Any]], kind: str, listing: str,
             config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        if not config.get("type"):
            raise ApiError([{"type": "missing", "loc": ["body", "type"],
                             "msg": "Field required", "input": None}], 422)
        workflow_id = config.get("workflow_id")
        number = int(config.get("version_number") or 0)
        version = self.version(str(workflow_id), number) if workflow_id else None
        config = {**config, "version_number": number}
        config.setdefault("logical_id", self.new_logical(kind))
        now = self.now()
        doc = {"_id": self.new_id(), "config": config, "team_id": team_id, "created_by": user,
               "updated_by": user, "created_at": now, "updated_at": now,
               "workflow_id": workflow_id, "version_number": number}
        store[doc["_id"]] = doc
        if version is not None:
            version.workflow_config[listing].append(doc["_id"])
        return doc

    def doc(self, store: dict[str, dict[str, Any]], kind: str, doc_id: str) -> dict[str, Any]:
        found = store.get(doc_id)
        if found is None:
            raise NotFound(f"{kind.capitalize()} {doc_id} not found")
        return found

    def patch(self, store: dict[str, dict[str, Any]], kind: str, doc_id: str,
              changes: dict[str, Any]) -> dict[str, Any]:
        doc = self.doc(store, kind, doc_id)
        protected = {"workflow_id", "version_number"}
        doc["config"] = {**doc["config"],
                         **{k: v for k, v in changes.items() if k not in protected}}
        doc["updated_at"] = self.now()
        return doc

    def remove(self, store: dict[str, dict[str, Any]], kind: str, doc_id: str) -> None:
        doc = self.doc(store, kind, doc_id)
        del store[doc_id]
        wf = self.workflows.get(doc["workflow_id"] or "")
        if wf is not None and doc["version_number"] in wf.versions:
            ids = wf.versions[doc["version_number"]].workflow_config[f"{kind}s"]
            if doc_id in ids:
                ids.remove(doc_id)

    def filtered(self, store: dict[str, dict[str, Any]], workflow_id: str | None,
                 kind_type: str | None, search: str | None) -> list[dict[str, Any]]:
        docs = list(store.values())
        if workflow_id:
            docs = [d for d in docs if d["workflow_id"] == workflow_id]
        if kind_type:
            docs = [d for d in docs if d["config"].get("type") == kind_type]
        if search:
            docs = [d for d in docs if search.lower() in str(d["config"].get("name", "")).lower()]
        return docs

    # ------------------------------------------------------------------ hydrated view
    def hydrated(self, workflow_id: str, number: int | None = None) -> dict[str, Any]:
        wf = self.workflow(workflow_id)
        version = self.version(workflow_id, wf.active_version_number if number is None
                               else number)
        config = version.workflow_config
        nodes = [self.nodes[i]["config"] for i in config["nodes"] if i in self.nodes]
        edges = [self.edges[i]["config"] for i in config["edges"] if i in self.edges]
        defaults = (config.get("miscellaneous") or {}).get("default_dynamic_variables") or {}
        return {"workflow_config": config, "node_configs": nodes, "edge_configs": edges,
                "dynamic_variables": dict(defaults), "runtime_variables": {}}
