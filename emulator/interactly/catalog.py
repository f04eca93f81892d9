"""Interactly workflow definitions: workflows with numbered versions, nodes, edges, tools.

Storage mirrors the real service (spec §6.1): nodes and edges are their own documents tagged
with ``workflow_id`` + ``version_number``; version 0 is the editable working copy, and creating
a version snapshots v0's nodes and edges (same logical ids, new documents) into ``max + 1``.
Documents are plain dicts in the wire's own shape, so reads are cheap envelopes. Every node,
edge and tool config is validated by its published model when it is written (created,
patched, imported: :mod:`emulator.interactly.shapes`), so what is stored, and later read by the
engine, is what the model accepted.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator.core.errors import ApiError, BadRequest, NotFound, lookup
from emulator.core.snapshots import SnapshotError
from emulator.interactly import shapes
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
    def working_copy(self) -> Version:
        """v0, the editable copy; it may have been deleted (notebook 03 does it), then the
        lowest version stands in for it."""
        return self.versions.get(0) or self.versions[min(self.versions)]

    @property
    def name(self) -> str:
        return str(self.working_copy.workflow_config.get("name") or "")


@dataclass
class VersionSpec:
    """One version to materialise in a new workflow (clone, bundle import): its number, name,
    ``workflow_config`` (without the node/edge id lists) and the flat node/edge configs."""

    number: int
    name: str
    workflow_config: dict[str, Any]
    node_configs: list[dict[str, Any]]
    edge_configs: list[dict[str, Any]]


def graph_problem(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str | None:
    """What :meth:`Catalog.add_node`/``add_edge`` would refuse, found before storing anything
    (bulk writes must not stop half way)."""
    for doc in (*nodes, *edges):
        if not isinstance(doc, dict):
            return "node and edge configs must be objects"
        if not doc.get("type"):
            return f"{doc.get('logical_id') or 'a node or edge'} has no type"
    for edge in edges:
        for key in ("source_node_logical_id", "destination_node_logical_id"):
            if not edge.get(key):
                return f"edge {edge.get('logical_id')} has no {key}"
    return None


def _require_type(config: dict[str, Any]) -> None:
    """A config without ``type`` is a request validation error (FastAPI's 422), as it was
    before configs were checked by their models."""
    if not config.get("type"):
        raise ApiError([{"type": "missing", "loc": ["body", "type"],
                         "msg": "Field required", "input": None}], 422)


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
        return lookup(self.workflows, workflow_id, "Workflow")

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
        # Everything is checked before the workflow is stored, so a refused graph leaves no
        # half-built workflow behind.
        problem = graph_problem(node_configs or [], edge_configs or [])
        if problem:
            raise ApiError([{"type": "value_error", "loc": ["body"], "msg": problem,
                             "input": None}], 422)
        nodes, edges = check_graph(node_configs or [], edge_configs or [])
        config.setdefault("logical_id", self.new_logical("workflow"))
        config.setdefault("miscellaneous", {})
        now = self.now()
        wf = Workflow(self.new_id(), team_id, user, now, now)
        config["nodes"], config["edges"] = [], []
        wf.versions[0] = Version(0, "Initial Version", config, now, self.new_id())
        self.workflows[wf.id] = wf
        self._add_graph(wf, 0, nodes, edges, team_id, user)
        return wf

    def _add_graph(self, wf: Workflow, number: int, nodes: list[dict[str, Any]] | None,
                   edges: list[dict[str, Any]] | None, team_id: str, user: str) -> None:
        """Store configs :func:`check_graph` validated as version ``number``'s documents."""
        for store, kind, configs in ((self.nodes, "node", nodes), (self.edges, "edge", edges)):
            for cfg in configs or []:
                clean = {k: v for k, v in copy.deepcopy(cfg).items() if k != "workflow_id"}
                self._add(store, kind, f"{kind}s",
                          {**clean, "workflow_id": wf.id, "version_number": number},
                          team_id, user)

    def update_workflow(self, workflow_id: str, changes: dict[str, Any]) -> Workflow:
        wf = self.workflow(workflow_id)
        for key in ("name", "description"):
            if changes.get(key) is not None:
                wf.working_copy.workflow_config[key] = changes[key]
        wf.updated_at = self.now()
        return wf

    def delete_workflow(self, workflow_id: str) -> None:
        wf = self.workflow(workflow_id)
        del self.workflows[wf.id]
        for store in (self.nodes, self.edges):
            for doc_id in [i for i, d in store.items() if d["workflow_id"] == wf.id]:
                del store[doc_id]

    def set_max_concurrent_runs(self, workflow_id: str, limit: int) -> Workflow:
        wf = self.workflow(workflow_id)
        wf.max_concurrent_runs = limit
        wf.updated_at = self.now()
        return wf

    def repin(self, workflow_id: str, new_id: str) -> Workflow:
        """Give a stored workflow another id (a seed document pins ids), its node and edge
        documents following it. The caller makes sure ``new_id`` is free."""
        wf = self.workflows.pop(workflow_id)
        wf.id = new_id
        self.workflows[new_id] = wf
        for store in (self.nodes, self.edges):
            for doc in store.values():
                if doc["workflow_id"] == workflow_id:
                    doc["workflow_id"] = new_id
                    doc["config"]["workflow_id"] = new_id
        return wf

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
        for store, kind in ((self.nodes, "node"), (self.edges, "edge")):
            for doc in [d for d in list(store.values())
                        if d["workflow_id"] == wf.id and d["version_number"] == source_number]:
                cfg = copy.deepcopy(doc["config"])  # validated when it was stored
                self._add(store, kind, f"{kind}s", {**cfg, "version_number": number},
                          doc["team_id"], doc["created_by"])
        if mark_as_active:
            wf.active_version_number = number
        wf.updated_at = self.now()
        return version

    def rename_version(self, workflow_id: str, number: int, name: str) -> Version:
        version = self.version(workflow_id, number)
        version.name = name
        self.workflows[workflow_id].updated_at = self.now()
        return version

    def update_version_config(self, workflow_id: str, number: int,
                              changes: dict[str, Any]) -> Version:
        """Merge ``changes`` into a version's ``workflow_config``. The node/edge id lists and the
        logical id stay the server's: a typed ``WorkflowConfig`` dump carries empty lists and a
        fresh default ``logical_id`` that would otherwise wipe the graph and the identity."""
        version = self.version(workflow_id, number)
        protected = {"nodes", "edges", "logical_id", "node_configs", "edge_configs"}
        version.workflow_config.update(
            {k: copy.deepcopy(v) for k, v in changes.items() if k not in protected})
        self.workflows[workflow_id].updated_at = self.now()
        return version

    def replace_version_graph(self, workflow_id: str, number: int,
                              node_configs: list[dict[str, Any]] | None,
                              edge_configs: list[dict[str, Any]] | None) -> Version:
        """Swap a version's nodes and/or edges for new ones (validated before anything is
        removed, so a refused graph leaves the version as it was)."""
        version = self.version(workflow_id, number)
        wf = self.workflows[workflow_id]
        current = self.graph(workflow_id, number)
        nodes = current[0] if node_configs is None else node_configs
        edges = current[1] if edge_configs is None else edge_configs
        problem = graph_problem(nodes, edges)
        if problem:
            raise ApiError([{"type": "value_error", "loc": ["body", "config"], "msg": problem,
                             "input": None}], 422)
        nodes, edges = check_graph(nodes, edges)
        for configs, store, listing in ((node_configs, self.nodes, "nodes"),
                                        (edge_configs, self.edges, "edges")):
            if configs is None:
                continue
            for doc_id in list(version.workflow_config[listing]):
                store.pop(doc_id, None)
            version.workflow_config[listing] = []
        self._add_graph(wf, number, None if node_configs is None else nodes,
                        None if edge_configs is None else edges, wf.team_id, wf.created_by)
        wf.updated_at = self.now()
        return version

    def graph(self, workflow_id: str, number: int
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A version's node and edge configs, in creation order."""
        config = self.version(workflow_id, number).workflow_config
        return ([self.nodes[i]["config"] for i in config["nodes"] if i in self.nodes],
                [self.edges[i]["config"] for i in config["edges"] if i in self.edges])

    def assemble(self, specs: list[VersionSpec], active: int, team_id: str, user: str,
                 name: str | None = None, description: str | None = None) -> Workflow:
        """A new workflow made of the given versions (clone, bundle import). Every graph is
        checked before anything is stored, so a refused request leaves no half workflow.
        Version 0 is the working copy every workflow has: when it is not among ``specs`` it is
        seeded from the active version."""
        if not specs:
            raise BadRequest("At least one version is required")
        by_number = {s.number: s for s in specs}
        if active not in by_number:
            raise BadRequest(f"Active version {active} is not among the selected versions")
        checked: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        for spec in specs:
            problem = graph_problem(spec.node_configs, spec.edge_configs)
            if problem:
                raise BadRequest(f"Version {spec.number}: {problem}")
            checked[spec.number] = check_graph(spec.node_configs, spec.edge_configs)
        if 0 not in by_number:
            checked[0] = checked[active]
            seed = by_number[active]
            by_number[0] = VersionSpec(0, "Initial Version", seed.workflow_config,
                                       seed.node_configs, seed.edge_configs)
        now = self.now()
        wf = Workflow(self.new_id(), team_id, user, now, now, active_version_number=active)
        logical_id = self.new_logical("workflow")  # a new workflow, a new identity
        for number in sorted(by_number):
            spec = by_number[number]
            config = copy.deepcopy(spec.workflow_config)
            config["logical_id"] = logical_id
            if name is not None:
                config["name"] = name
            if description is not None:
                config["description"] = description
            config.setdefault("miscellaneous", {})
            config["nodes"], config["edges"] = [], []
            wf.versions[number] = Version(number, spec.name, config, now, self.new_id())
        self.workflows[wf.id] = wf
        for number in sorted(by_number):
            self._add_graph(wf, number, *checked[number], team_id, user)
        return wf

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
        _require_type(config)
        return self._add(self.nodes, "node", "nodes", shapes.node(config), team_id, user)

    def add_edge(self, config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        _require_type(config)
        for key in ("source_node_logical_id", "destination_node_logical_id"):
            if not config.get(key):
                raise ApiError([{"type": "missing", "loc": ["body", key],
                                 "msg": "Field required", "input": None}], 422)
        return self._add(self.edges, "edge", "edges", shapes.edge(config), team_id, user)

    def add_tool(self, config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        _require_type(config)
        return self._add(self.tools, "tool", "tools",
                         {**shapes.tool(config), "workflow_id": None}, team_id, user)

    def _add(self, store: dict[str, dict[str, Any]], kind: str, listing: str,
             config: dict[str, Any], team_id: str, user: str) -> dict[str, Any]:
        """Store a config its model already validated (callers check it first)."""
        workflow_id = config.get("workflow_id")
        number = int(config.get("version_number") or 0)
        version = self.version(str(workflow_id), number) if workflow_id else None
        config = {**config, "version_number": number}
        config.setdefault("logical_id", self.new_logical(kind))
        now = self.now()
        doc: dict[str, Any] = {
            "_id": self.new_id(), "config": config, "team_id": team_id, "created_by": user,
            "updated_by": user, "created_at": now, "updated_at": now,
            "workflow_id": workflow_id, "version_number": number}
        store[doc["_id"]] = doc
        if version is not None:
            version.workflow_config[listing].append(doc["_id"])
        return doc

    def doc(self, store: dict[str, dict[str, Any]], kind: str, doc_id: str) -> dict[str, Any]:
        return lookup(store, doc_id, kind.capitalize())

    def patch(self, store: dict[str, dict[str, Any]], kind: str, doc_id: str,
              changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` into the stored config; the merged config is validated by its
        model like a new one (a refused change leaves the document as it was)."""
        doc = self.doc(store, kind, doc_id)
        protected = {"workflow_id", "version_number"}
        merged = {**doc["config"], **{k: v for k, v in changes.items() if k not in protected}}
        _require_type(merged)
        check = {"node": shapes.node, "edge": shapes.edge, "tool": shapes.tool}[kind]
        doc["config"] = check(merged)
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

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Workflows (with their versions), node, edge and tool documents, as a snapshot
        document's ``workflows`` / ``nodes`` / ``edges`` / ``tools``."""
        return {"workflows": [_workflow_state(wf) for wf in self.workflows.values()],
                "nodes": list(self.nodes.values()), "edges": list(self.edges.values()),
                "tools": list(self.tools.values())}

    def restore_state(self, data: dict[str, Any]) -> None:
        """Replace everything with what :meth:`export_state` answered. Restored configs go
        through their models as saved ones do, so the engine reads what it always reads."""
        self.workflows = {}
        for raw in data.get("workflows", []):
            wf = Workflow(**{k: v for k, v in raw.items() if k != "versions"})
            for v in raw.get("versions", []):
                version = Version(**v)
                wf.versions[version.number] = version
            if not wf.versions:
                raise SnapshotError(f"workflow {wf.id} has no versions")
            self.workflows[wf.id] = wf
        self.nodes = _checked(data.get("nodes", []), "node", shapes.node)
        self.edges = _checked(data.get("edges", []), "edge", shapes.edge)
        self.tools = _checked(data.get("tools", []), "tool", shapes.tool)


def _workflow_state(wf: Workflow) -> dict[str, Any]:
    data = {k: v for k, v in asdict(wf).items() if k != "versions"}
    data["versions"] = [asdict(v) for v in wf.versions.values()]
    return data


def _checked(docs: list[dict[str, Any]], kind: str,
             check: Callable[[Any, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    for doc in docs:
        doc["config"] = check(doc["config"], f"{kind} {doc['_id']}")
    return {d["_id"]: d for d in docs}
