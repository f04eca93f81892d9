"""Save-time graph rules of the real service (spec §6.3). Each exists because the alternative
is a conversation that silently never advances, so a bad graph is refused when it is saved."""

from __future__ import annotations

import math
import re
from typing import Any

from emulator.core.errors import ServiceError
from emulator.interactly.threads import COMPANION_DELIMITER, MAIN, companion_flag

WAITING = "Invalid 'evaluate while waiting for user input' edge configuration"
COMPANION = "Invalid companion thread configuration"
THREAD_ID = re.compile(r"[A-Za-z0-9_-]+")


def check_graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    problem = shape_problem(nodes, edges)  # first: the rules below read these fields
    if problem:
        raise ServiceError(SHAPE, problem)
    check_companions(edges)
    check_waiting_edges(nodes, edges)


def check_companions(edges: list[dict[str, Any]]) -> None:
    """``thread_id`` rules: other threads address a companion as ``[[thread_<id>.var]]`` and
    its internal id is ``0_companion_<id>``, so ids must be safe there and unique."""
    seen: set[str] = set()
    for edge in edges:
        forks, thread_id = companion_flag(edge)
        if not forks or thread_id is None:
            continue
        name = edge.get("name") or edge.get("logical_id")
        if not isinstance(thread_id, str) or not THREAD_ID.fullmatch(thread_id):
            raise ServiceError(COMPANION, f"edge {name}: thread_id {thread_id!r} may only use "
                                          "letters, digits, '_' and '-'")
        if COMPANION_DELIMITER in thread_id or thread_id == MAIN:
            raise ServiceError(COMPANION, f"edge {name}: thread_id {thread_id!r} is reserved")
        if thread_id in seen:
            raise ServiceError(COMPANION, f"edge {name}: thread_id {thread_id!r} is used by "
                                          "another companion edge")
        seen.add(thread_id)


def check_waiting_edges(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
    by_id = {n.get("logical_id"): n for n in nodes}
    for edge in edges:
        config = edge.get("evaluate_while_waiting_config") or {}
        if edge.get("type") != "conditional" or not config.get("enabled"):
            continue
        name = edge.get("name") or edge.get("logical_id")
        condition = edge.get("condition") or {}
        if not condition.get("condition_expression") or condition.get("condition_freeform"):
            raise ServiceError(WAITING, f"edge {name}: only condition_expression conditions can "
                                        "be evaluated while waiting")
        source = edge.get("source_node_logical_id")
        if any(e.get("type") == "direct" and e.get("source_node_logical_id") == source
               for e in edges):
            raise ServiceError(WAITING, f"edge {name}: its source node also has an outgoing "
                                        "direct edge; fork companions upstream of the node "
                                        "that waits")
        triggers = config.get("trigger_node_logical_ids") or []
        missing = [t for t in triggers if t not in by_id]
        if missing:
            raise ServiceError(WAITING, f"edge {name}: trigger nodes {missing} do not exist")
        waiting = [t for t in triggers if by_id[t].get("type") == "say_llm"
                   and by_id[t].get("wait_for_user_message", True)]
        if waiting:
            raise ServiceError(WAITING, f"edge {name}: trigger nodes {waiting} wait for user "
                                        "input; their completion is recorded when they execute")
        if config.get("trigger_mode") == "on_every_background_tick" and not (
                config.get("min_seconds_between_evaluations") or 0) > 0:
            raise ServiceError(WAITING, f"edge {name}: trigger_mode on_every_background_tick "
                                        "needs min_seconds_between_evaluations > 0")


# ---------------------------------------------------------------------------- field shapes
# The JSON types of the fields the engine reads, as the service's typed models declare them
# (spec §6.2-6.4). The catalog stores configs as free dicts, so without this a wrong type
# (``"self_loop_config": 3``, ``"static_messages": "hi"``) was stored and then crashed the run
# with a 500, and an enabled self loop without a bound (or with max_retries 10**9) re-ran its
# node forever inside one request. None always means "not set". A nested dict is a sub-shape.
SHAPE = "Invalid workflow configuration"
INT, NUMBER, TEXTS = "an integer", "a number", "a list of strings"
Shape = dict[str, Any]
CONDITION: Shape = {"condition_expression": str, "condition_freeform": str,
                    "static_messages_config": {"static_messages": TEXTS}}
NODE: Shape = {
    "logical_id": str, "type": str, "name": str,
    "self_loop_config": {"max_retries": INT, "expiry_time": NUMBER,
                         "time_between_retries": NUMBER},
    "static_messages_config": {"static_messages": TEXTS},
    "structured_output_schema": {"properties": dict},
    "global_node_config": {"condition": CONDITION, "reverse_conditional_edge": CONDITION},
    "tool_config": {"type": str, "name": str, "code": str, "timeout_seconds": NUMBER,
                    "result_runtime_variable_name": str},
    "tool_arguments": dict, "field_values": dict,
    "result_runtime_variable_name": str, "output_runtime_variable_name": str,
    "super_workflow_id": str, "super_workflow_version_number": INT,
    "encapsulated_workflow_config": {"node_configs": list, "edge_configs": list},
}
EDGE: Shape = {
    "logical_id": str, "type": str, "name": str,
    "source_node_logical_id": str, "destination_node_logical_id": str,
    "condition": CONDITION, "companion_thread_config": {"thread_id": str},
    "evaluate_while_waiting_config": {"trigger_mode": str, "trigger_node_logical_ids": TEXTS,
                                      "min_seconds_between_evaluations": NUMBER,
                                      "max_transitions_per_wait": INT},
}
# self_loop_config bounds (spec §6.2): enabled requires max_retries or expiry_time.
SELF_LOOP_RANGES = {"max_retries": (0, 100), "expiry_time": (1, 3600),
                    "time_between_retries": (0, 300)}
MAX_NESTING = 6  # encapsulated sub-workflows deeper than super nodes expand are never run


def _fits(value: Any, kind: Any) -> bool:
    if kind in (INT, NUMBER):
        number = isinstance(value, int) or (kind == NUMBER and isinstance(value, float)
                                            and math.isfinite(value))
        return number and not isinstance(value, bool)
    if kind == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, dict if isinstance(kind, dict) else kind)


def _shape(doc: dict[str, Any], shape: Shape, where: str) -> str | None:
    for key, kind in shape.items():
        value = doc.get(key)
        if value is None:
            continue
        if not _fits(value, kind):
            name = kind if isinstance(kind, str) else "an object" if isinstance(kind, dict) \
                else {str: "a string", dict: "an object", list: "a list"}[kind]
            return f"{where}.{key} must be {name}"
        if isinstance(kind, dict):
            problem = _shape(value, kind, f"{where}.{key}")
            if problem:
                return problem
    return None


def _self_loop(config: dict[str, Any], where: str) -> str | None:
    for key, (low, high) in SELF_LOOP_RANGES.items():
        value = config.get(key)
        if value is not None and not low <= value <= high:
            return f"{where}.self_loop_config.{key} must be between {low} and {high}"
    if config.get("enabled") and config.get("max_retries") is None and \
            config.get("expiry_time") is None:
        return f"{where}.self_loop_config: an enabled self loop needs max_retries or expiry_time"
    return None


def shape_problem(nodes: list[Any], edges: list[Any], depth: int = 0) -> str | None:
    """The first field of ``nodes``/``edges`` (or of their encapsulated sub-workflows) whose
    type or range the engine cannot run, as a message; None when all fit."""
    for kind, docs, shape in (("node", nodes, NODE), ("edge", edges, EDGE)):
        for index, doc in enumerate(docs):
            if not isinstance(doc, dict):
                return f"{kind} {index} must be an object"
            where = f"{kind} {doc.get('logical_id') or index}"
            problem = _shape(doc, shape, where)
            if problem is None and kind == "node" and doc.get("self_loop_config"):
                problem = _self_loop(doc["self_loop_config"], where)
            sub = doc.get("encapsulated_workflow_config")
            if problem is None and isinstance(sub, dict) and depth < MAX_NESTING:
                problem = shape_problem(sub.get("node_configs") or [],
                                        sub.get("edge_configs") or [], depth + 1)
                problem = problem and f"{where}.encapsulated_workflow_config: {problem}"
            if problem:
                return problem
    return None


def config_problem(config: dict[str, Any]) -> str | None:
    """``workflow_config`` fields read when a run starts and walks (spec §6.1, §6.3)."""
    misc = config.get("miscellaneous")
    if misc is None:
        return None
    if not isinstance(misc, dict):
        return "workflow_config.miscellaneous must be an object"
    if not isinstance(misc.get("default_dynamic_variables") or {}, dict):
        return "workflow_config.miscellaneous.default_dynamic_variables must be an object"
    limit = misc.get("consecutive_conditional_edges_max_limit")
    if limit is not None and not (_fits(limit, INT) or (
            isinstance(limit, str) and limit.strip().isdecimal() and limit.isascii())):
        return ("workflow_config.miscellaneous.consecutive_conditional_edges_max_limit must be "
                "an integer")
    return None


def check_run_graph(graph: dict[str, Any]) -> None:
    """A run's graph (super nodes expanded) before its first turn: configs stored before these
    rules, or changed field by field (PATCH), are refused here rather than crash the run."""
    problem = config_problem(graph.get("workflow_config") or {}) or shape_problem(
        graph["node_configs"], graph["edge_configs"])
    if problem:
        raise ServiceError(SHAPE, problem)
