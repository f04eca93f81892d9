"""A run's state and the engine's limits: what every other engine module reads.

:class:`Run` is also the snapshot format (``emulator.interactly.snapshot`` serialises its fields
and ``run.main``), so its fields, their order and their defaults must not change.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.interactly import llm
from emulator.interactly.threads import MAIN, Thread, WaitingState

TERMINAL = frozenset({"completed", "failed", "cancelled", "aborted_looping_risk"})
LLM_NODES = frozenset({"say_llm", "worker_llm"})
MAX_HOPS_PER_TURN = 60
MAX_COMPANION_STEPS_PER_PUMP = 1000
# Bounded self loops count an attempt as lasting at least this long, so an expiry-only loop
# without a gap between retries still ends.
MIN_ATTEMPT_SECONDS = 1.0
DEFAULT_CONVERSATION_TURNS = 3
# What a workflow without nodes converses through (spec §6.7, default_conversation).
DEFAULT_NODE = {"logical_id": "node_emulator_default", "name": "Assistant", "type": "say_llm"}


class TurnError(Exception):
    """A node failed: the turn ends with ``workflow_error`` and the run is ``failed``."""


class CompanionEnded(Exception):
    """A companion thread cannot go on (it reached a node that waits for the user)."""


@dataclass
class Run:
    id: str
    logical_id: str
    workflow_id: str
    version_number: int
    version_name: str
    graph: dict[str, Any]
    team_id: str
    run_by: str | None
    created_at: str
    status: str = "not_started"
    started: float = 0.0  # virtual unix time the run was created (list date filters)
    source_run_id: str | None = None  # re-runs: the run and turn they were made from
    source_turn_index: int | None = None
    updated_at: str = ""
    turn_number: int = 0
    parked_node: str | None = None
    dynamic: dict[str, Any] = field(default_factory=dict)
    runtime: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    node_runs: dict[str, int] = field(default_factory=dict)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    termination_source: str | None = None
    user_turns: int = 0
    script_route: str | None = None  # set by a scripted LLM reply, used by the next routing
    script_end: bool = False
    loop_attempts: dict[str, int] = field(default_factory=dict)  # bounded self loops
    global_origin: dict[str, str] = field(default_factory=dict)  # global node -> entered from
    main_done: bool = False  # the main thread ended (companions may still run)
    background_work: bool = False  # as of the last turn or pump (has_background_work)
    companions: dict[str, Thread] = field(default_factory=dict)
    completions: dict[str, int] = field(default_factory=dict)  # node -> executions, any thread
    wait_state: dict[str, WaitingState] = field(default_factory=dict)  # waiting edge -> state
    # Feedback and re-runs. Only WebSocket-driven runs keep their config snapshot and the
    # per-turn checkpoints re-runs restore from (REST runs are not re-runnable, spec §3).
    config_snapshot: bool = False
    checkpoints: dict[int, dict[str, Any]] = field(default_factory=dict)  # turn -> state
    comments: list[dict[str, Any]] = field(default_factory=list)  # run-level comments
    rerun_info: dict[str, Any] | None = None  # re-runs: mode, entry node, edited
    # The main thread shares the run's runtime variables and loop attempts, so a run restored
    # from a snapshot rebuilds it from those fields (only its position is persisted).
    main: Thread = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.main = Thread(MAIN, MAIN, self.runtime, self.loop_attempts)

    def active_companions(self) -> list[Thread]:
        return [t for t in self.companions.values() if t.active]

    def checkpoint(self) -> dict[str, Any]:
        """Everything a re-run restores: the state at the end of a turn. Deep copies, except
        the history, whose messages are never changed once appended (a list copy is enough and
        keeps long streamed conversations cheap)."""
        return {"history": list(self.history), **copy.deepcopy({
            "status": self.status, "parked_node": self.parked_node,
            "main_done": self.main_done, "dynamic": self.dynamic,
            "runtime": self.runtime, "loop_attempts": self.loop_attempts,
            "node_runs": self.node_runs, "completions": self.completions,
            "user_turns": self.user_turns, "global_origin": self.global_origin,
            "companions": {tid: {"reference_id": t.reference_id, "runtime": t.runtime}
                           for tid, t in self.companions.items()}})}

    @property
    def completed(self) -> bool:
        return self.status in TERMINAL

    @property
    def waiting(self) -> bool:
        return self.status == "waiting_for_user_input"


@dataclass
class Context:
    """What the engine needs from its namespace, injected so it stays testable."""

    now: Callable[[], float]
    uuid: Callable[[], str]
    seed: int
    scripts: llm.LLMScripts
    strict: bool = False
    execute_tools: bool = False  # opt-in: inline_python code runs in the sandbox


def waits(node: dict[str, Any]) -> bool:
    """LLM nodes (speakers and workers alike) wait for a user message unless told not to; a
    disabled node is skipped, so it never waits."""
    return node.get("type") in LLM_NODES and node.get("wait_for_user_message", True) and \
        not node.get("disabled")


def persisted(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a run stores of its events: not the waiting evaluations that moved nothing (they
    recur on every background pass and would grow the run without bound)."""
    if not any(e["type"] == "waiting_evaluation_boundary" for e in events):
        return events
    return [e for e in events if e["type"] != "waiting_evaluation_boundary" or e["transitioned"]]


def find_node(run: Run, logical_id: str | None) -> dict[str, Any]:
    """A node of the run's own graph snapshot (the version it started on), never the
    catalog's: a graph edited mid-run must not change where the run goes."""
    for node in run.graph["node_configs"]:
        if node.get("logical_id") == logical_id:
            return node
    raise TurnError(f"Node {logical_id} not found in the workflow")


def outgoing(run: Run, lid: str) -> list[dict[str, Any]]:
    return [e for e in run.graph["edge_configs"] if e.get("source_node_logical_id") == lid]


def edge_id(edge: dict[str, Any]) -> str:
    """The key of an edge's waiting state; hand-written graphs may leave out the logical id."""
    return str(edge.get("logical_id") or edge.get("name") or id(edge))
