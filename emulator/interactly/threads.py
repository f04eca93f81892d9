"""Threads of a run and the background work they create (spec §6.3, SDK guides on companion
threads and evaluate-while-waiting).

The main thread ``"0"`` is the conversation. A direct edge flagged ``is_companion_thread`` forks a
companion: a thread with its own runtime variables that walks its sub-graph in the background,
one step at a time, paced by its node's bounded self loop. A conditional edge with
``evaluate_while_waiting_config`` is checked while its source node is parked, whenever one of
its trigger nodes completes (or on every background pass, debounced). Both are "background
work": REST callers advance it with ``pump-companions``, the WebSocket driver on clock timers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAIN = "0"
COMPANION_DELIMITER = "_companion_"


@dataclass
class Thread:
    internal_id: str  # "0" or "0_companion_<id>": what active_companion_thread_ids holds
    reference_id: str  # "0" or the configured thread_id: what events carry
    runtime: dict[str, Any]
    loop_attempts: dict[str, int] = field(default_factory=dict)
    node: str | None = None  # companions: the node the next step starts at
    due: float = 0.0  # companions: virtual time the next step may run
    active: bool = True
    steps: int = 0

    @property
    def is_main(self) -> bool:
        return self.internal_id == MAIN


@dataclass
class WaitingState:
    """Per-edge bookkeeping of one uninterrupted wait (reset by the next user message)."""

    seen_completions: int = 0
    last_evaluated: float | None = None
    transitions: int = 0


def companion_flag(edge: dict[str, Any]) -> tuple[bool, str | None]:
    """(forks a companion thread, its configured id) of a direct edge. Only direct edges
    declare ``companion_thread_config``; on any other edge the key is not the model's and is
    not read."""
    if edge.get("type") != "direct":
        return False, None
    config = edge.get("companion_thread_config") or {}
    return bool(config.get("is_companion_thread")), config.get("thread_id")


def waiting_config(edge: dict[str, Any]) -> dict[str, Any] | None:
    """The enabled ``evaluate_while_waiting_config`` of a conditional edge (the only edge type
    that declares it), else None."""
    if edge.get("type") != "conditional":
        return None
    config = edge.get("evaluate_while_waiting_config") or {}
    return config if config.get("enabled") else None


def split_direct(edges: list[dict[str, Any]]) -> tuple[dict[str, Any] | None,
                                                       list[dict[str, Any]]]:
    """The main-thread direct edge and the companion forks among a node's outgoing edges. A
    single direct edge always continues the main thread, whatever its flag says."""
    direct = [e for e in edges if e.get("type") == "direct"]
    if len(direct) == 1:
        return direct[0], []
    main = next((e for e in direct if not companion_flag(e)[0]), None)
    return main, [e for e in direct if e is not main and companion_flag(e)[0]]


def trigger_count(completions: dict[str, int], config: dict[str, Any]) -> int:
    """How often a waiting edge's trigger nodes have completed, on any thread: the edge is
    armed again only once this grows past what its last evaluation saw. Kept here rather than
    in the engine because parking (the walk) and evaluating (background work) both read it."""
    return sum(completions.get(t, 0) for t in config.get("trigger_node_logical_ids") or [])
