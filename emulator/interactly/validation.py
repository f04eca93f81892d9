"""Save-time graph rules of the real service (spec §6.3). Each exists because the alternative
is a conversation that silently never advances, so a bad graph is refused when it is saved."""

from __future__ import annotations

import re
from typing import Any

from emulator.core.errors import ServiceError
from emulator.interactly.threads import COMPANION_DELIMITER, MAIN, companion_flag

WAITING = "Invalid 'evaluate while waiting for user input' edge configuration"
COMPANION = "Invalid companion thread configuration"
THREAD_ID = re.compile(r"[A-Za-z0-9_-]+")


def check_graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> None:
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
