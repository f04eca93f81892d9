"""Structured diff between two versions of a workflow (spec §4.2, SDK ``VersionDiff``).

Nodes and edges are matched by ``logical_id`` (a version snapshot keeps them), so a node is
``added`` / ``removed`` / ``modified``; a modified entry lists field-level ``FieldDiff``s with
dotted paths into its config (``main_response_config.prompt``). Dicts are walked, every other
value (lists included) is compared whole.
"""

from __future__ import annotations

from typing import Any

# Bookkeeping that differs between any two versions without being a change of the graph.
IGNORED = frozenset({"workflow_id", "version_number", "nodes", "edges"})


def field_diffs(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new), key=str):
            if not path and key in IGNORED:
                continue
            sub = f"{path}.{key}" if path else str(key)
            if key not in old:
                out.append({"path": sub, "old_value": None, "new_value": new[key]})
            elif key not in new:
                out.append({"path": sub, "old_value": old[key], "new_value": None})
            else:
                out.extend(field_diffs(old[key], new[key], sub))
        return out
    if old == new:
        return []
    return [{"path": path, "old_value": old, "new_value": new}]


def _entities(old: list[dict[str, Any]], new: list[dict[str, Any]],
              type_key: str) -> list[dict[str, Any]]:
    before = {c.get("logical_id"): c for c in old}
    after = {c.get("logical_id"): c for c in new}
    order = list(before) + [k for k in after if k not in before]
    out: list[dict[str, Any]] = []
    for logical_id in order:
        a, b = before.get(logical_id), after.get(logical_id)
        current = b if b is not None else a
        assert current is not None
        entry = {"logical_id": logical_id, "name": current.get("name"),
                 type_key: current.get("type")}
        if a is None:
            out.append({**entry, "status": "added", "changes": []})
        elif b is None:
            out.append({**entry, "status": "removed", "changes": []})
        else:
            changes = field_diffs(a, b)
            if changes:
                out.append({**entry, "status": "modified", "changes": changes})
    return out


def version_diff(v1: dict[str, Any], v2: dict[str, Any]) -> dict[str, Any]:
    """``v1``/``v2``: ``{number, name, workflow_config, node_configs, edge_configs}``."""
    config_changes = field_diffs(v1["workflow_config"], v2["workflow_config"])
    nodes = _entities(v1["node_configs"], v2["node_configs"], "node_type")
    edges = _entities(v1["edge_configs"], v2["edge_configs"], "edge_type")

    def count(items: list[dict[str, Any]], status: str) -> int:
        return sum(1 for i in items if i["status"] == status)

    summary = {f"{kind}_{status}": count(items, status)
               for kind, items in (("nodes", nodes), ("edges", edges))
               for status in ("added", "removed", "modified")}
    summary["workflow_config_changes"] = len(config_changes)
    return {"version1_number": v1["number"], "version1_name": v1["name"],
            "version2_number": v2["number"], "version2_name": v2["name"],
            "workflow_config_changes": config_changes, "nodes": nodes, "edges": edges,
            "summary": summary}
