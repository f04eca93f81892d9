"""Save-time graph rules of the real service (spec §6.3), over configs the models validated.

The shape of each node, edge and tool is its model's business (:mod:`emulator.interactly.shapes`,
one description, the one the ``/schema`` routes publish). What a single-object model cannot
express stays here: rules that relate nodes and edges to each other (companion thread ids,
the evaluate-while-waiting rules). Each exists because the alternative is a conversation that
silently never advances, so a bad graph is refused when it is saved.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.core.errors import ServiceError
from emulator.interactly import shapes
from emulator.interactly.shapes import SHAPE
from emulator.interactly.threads import (
    COMPANION_DELIMITER,
    MAIN,
    companion_flag,
    waiting_config,
)

WAITING = "Invalid 'evaluate while waiting for user input' edge configuration"
COMPANION = "Invalid companion thread configuration"
THREAD_ID = re.compile(r"[A-Za-z0-9_-]+")

Configs = list[dict[str, Any]]


def check_graph(nodes: list[Any], edges: list[Any]) -> tuple[Configs, Configs]:
    """The graph's nodes and edges as stored (each validated by its model), after the graph
    rules held; the first problem is the service's 400."""
    checked_nodes, checked_edges = shapes.graph(nodes, edges)  # the rules read these fields
    check_companions(checked_edges)
    check_waiting_edges(checked_nodes, checked_edges)
    return checked_nodes, checked_edges


def check_companions(edges: Configs) -> None:
    """``thread_id`` rules: other threads address a companion as ``[[thread_<id>.var]]`` and
    its internal id is ``0_companion_<id>``, so ids must be safe there and unique."""
    seen: set[str] = set()
    for edge in edges:
        forks, thread_id = companion_flag(edge)
        if not forks or thread_id is None:
            continue
        name = edge.get("name") or edge.get("logical_id")
        if not THREAD_ID.fullmatch(thread_id):
            raise ServiceError(COMPANION, f"edge {name}: thread_id {thread_id!r} may only use "
                                          "letters, digits, '_' and '-'")
        if COMPANION_DELIMITER in thread_id or thread_id == MAIN:
            raise ServiceError(COMPANION, f"edge {name}: thread_id {thread_id!r} is reserved")
        if thread_id in seen:
            raise ServiceError(COMPANION, f"edge {name}: thread_id {thread_id!r} is used by "
                                          "another companion edge")
        seen.add(thread_id)


def check_waiting_edges(nodes: Configs, edges: Configs) -> None:
    """The four rules of spec §6.3 on an enabled ``evaluate_while_waiting_config``."""
    by_id = {n.get("logical_id"): n for n in nodes}
    for edge in edges:
        config = waiting_config(edge)
        if config is None:
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


# ------------------------------------------------------------------------- workflow config
def config_problem(config: dict[str, Any]) -> str | None:
    """``workflow_config.miscellaneous`` knobs read when a run starts and walks (spec §6.1,
    §6.3). The published ``WorkflowConfig`` declares ``miscellaneous`` as a free object, so
    no model describes these keys; the engine reads them, so their types are checked here."""
    misc = config.get("miscellaneous")
    if misc is None:
        return None
    if not isinstance(misc, dict):
        return "workflow_config.miscellaneous must be an object"
    if not isinstance(misc.get("default_dynamic_variables") or {}, dict):
        return "workflow_config.miscellaneous.default_dynamic_variables must be an object"
    limit = misc.get("consecutive_conditional_edges_max_limit")
    # A string integer ("3") is how the service documents it; a plain integer is read too.
    whole = isinstance(limit, int) and not isinstance(limit, bool)
    text = isinstance(limit, str) and limit.strip().isdecimal() and limit.isascii()
    if limit is not None and not (whole or text):
        return ("workflow_config.miscellaneous.consecutive_conditional_edges_max_limit must be "
                "an integer")
    return None


def check_run_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """A run's graph (super nodes expanded) before its first turn. Its nodes and edges were
    validated by their models when they were saved (or restored from a snapshot), and super
    nodes only inline such configs, so they are not validated again on this hot path; the
    workflow config is merged field by field (``PATCH .../config``) and is checked here."""
    problem = config_problem(graph.get("workflow_config") or {})
    if problem:
        raise ServiceError(SHAPE, problem)
    return graph
