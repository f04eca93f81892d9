"""``GET /v1/workflows/dynamic-variables/{id}``: which ``{{name}}`` dynamic variables a workflow
reads, and the defaults it declares (spec §6.4).

The SDK documents the answer as ``{"var_name": {...spec...}, ...}`` without fixing the spec,
so each entry here says what a caller building ``run_input.dynamic_variables`` needs: the
default (if any), whether the server fills it in itself (built-ins), and where it is used.
Every string of the version's workflow config, nodes and edges is scanned (prompts, static
messages, conditions, tool arguments), so nothing a run would substitute is missed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# ``{{ name }}`` or ``{{ name | filter }}``; dotted names keep their first part as the variable.
PLACEHOLDER = re.compile(
    r"\{\{\s*([A-Za-z_][A-Za-z0-9_\-]*)(?:\.[A-Za-z0-9_.\-]+)?\s*(?:\|[^}]*)?\}\}")
BUILTINS = frozenset({
    "now", "date", "time", "year", "month", "day", "hour", "minute", "iso_datetime",
    "day_of_week", "timestamp", "timestamp_ms", "rand_int", "rand_str", "rand_float",
    "rand_uuid", "rand_bool"})


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def used_variables(workflow_config: dict[str, Any], nodes: list[dict[str, Any]],
                   edges: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    defaults = (workflow_config.get("miscellaneous") or {}).get("default_dynamic_variables") or {}
    found: dict[str, dict[str, Any]] = {}

    def note(name: str, where: str | None) -> None:
        entry = found.setdefault(name, {
            "name": name, "default_value": defaults.get(name), "has_default": name in defaults,
            "is_builtin": name in BUILTINS, "used_in": []})
        if where is not None and where not in entry["used_in"]:
            entry["used_in"].append(where)

    scopes: list[tuple[str, Any]] = [("workflow_config", {
        k: v for k, v in workflow_config.items() if k not in ("nodes", "edges", "miscellaneous")})]
    scopes += [(f"node:{n.get('name') or n.get('logical_id')}", n) for n in nodes]
    scopes += [(f"edge:{e.get('name') or e.get('logical_id')}", e) for e in edges]
    for scope, value in scopes:
        for path, text in _strings(value, ""):
            for match in PLACEHOLDER.finditer(text):
                note(match.group(1), f"{scope}.{path}" if path else scope)
    for name in defaults:
        note(str(name), None)
    return dict(sorted(found.items()))
