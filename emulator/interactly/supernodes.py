"""Super nodes expanded inline when a run starts (spec §6.2).

A ``super_node`` runs another workflow in place: ``encapsulated_workflow_config`` (a hydrated
snapshot) or ``super_workflow_id`` + ``super_workflow_version_number`` (resolved from the
catalog). Its nodes and edges are copied into the run's graph under ids prefixed with the super
node's id, so two super nodes of the same workflow never collide. The engine enters the copied
start node after the super node and, when that sub-workflow ends, continues on the super node's
own outgoing edges (``_super_node`` on every copied node points back to it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 5

Resolver = Callable[[str, int | None], dict[str, Any] | None]


def expand(graph: dict[str, Any], resolve: Resolver) -> dict[str, Any]:
    """Inline every super node of ``graph`` (in place; returns it)."""
    _expand(graph["node_configs"], graph["edge_configs"], resolve, depth=0)
    return graph


def _expand(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], resolve: Resolver,
            depth: int) -> None:
    for node in list(nodes):
        if node.get("type") != "super_node" or node.get("disabled") or "_entry" in node:
            continue
        sub = node.get("encapsulated_workflow_config")
        if not isinstance(sub, dict) and node.get("super_workflow_id"):
            sub = resolve(str(node["super_workflow_id"]),
                          node.get("super_workflow_version_number"))
        if not isinstance(sub, dict) or depth >= MAX_DEPTH:
            continue  # the engine fails the turn when it reaches a super node it cannot run
        sub_nodes = [n for n in sub.get("node_configs") or [] if isinstance(n, dict)]
        sub_edges = [e for e in sub.get("edge_configs") or [] if isinstance(e, dict)]
        _expand(sub_nodes, sub_edges, resolve, depth + 1)
        start = next((n for n in sub_nodes if n.get("is_start")), None)
        if start is None:
            continue
        prefix = f"{node['logical_id']}/"
        for inner in sub_nodes:
            copied = copy.deepcopy(inner)
            copied["logical_id"] = prefix + str(inner.get("logical_id"))
            copied["is_start"] = False
            copied.setdefault("_super_node", node["logical_id"])
            if "_entry" in copied:
                copied["_entry"] = prefix + copied["_entry"]
            if copied.get("_super_node") != node["logical_id"]:
                copied["_super_node"] = prefix + copied["_super_node"]
            nodes.append(copied)
        for inner in sub_edges:
            copied = copy.deepcopy(inner)
            for key in ("logical_id", "source_node_logical_id", "destination_node_logical_id"):
                if copied.get(key):
                    copied[key] = prefix + str(copied[key])
            edges.append(copied)
        node["_entry"] = prefix + str(start.get("logical_id"))
