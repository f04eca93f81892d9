"""Moving the main thread through the graph within one turn, and the pieces a companion step
shares with it: parking on a node that waits, bounded self loops.

The main thread stops when it parks (a node waits for the user), ends (nothing leads on) or
trips the loop guard. Which thread is moved is ``step.thread``; only :func:`walk_from` assumes
the main thread, since only the main thread answers user messages.
"""

from __future__ import annotations

from typing import Any

from emulator.interactly.engine.nodes import execute
from emulator.interactly.engine.routing import conditional, exit_super, route
from emulator.interactly.engine.run import (
    LLM_NODES,
    MAX_HOPS_PER_TURN,
    MIN_ATTEMPT_SECONDS,
    TERMINAL,
    CompanionEnded,
    edge_id,
    find_node,
    outgoing,
    waits,
)
from emulator.interactly.engine.step import Step
from emulator.interactly.threads import WaitingState, trigger_count, waiting_config
from emulator.interactly.usage import llm_usage_info


def walk_from(step: Step, node: dict[str, Any], message: str | None) -> None:
    """Move the main thread from ``node`` until it parks, ends or fails."""
    run = step.run
    fresh = message  # the message each node entered this turn may answer
    hops, conditional_streak = 0, 0
    limit = int((run.graph["workflow_config"].get("miscellaneous") or {}).get(
        "consecutive_conditional_edges_max_limit", 3) or 3)
    while True:
        hops += 1
        if hops > MAX_HOPS_PER_TURN:
            run.status, run.termination_source = "aborted_looping_risk", None
            step.emit("workflow_warning", warning_message=(
                f"Aborted: more than {MAX_HOPS_PER_TURN} node executions in one turn"))
            return
        kind = node.get("type")
        if waits(node) and fresh is None:
            park(step, node)
            return
        allowed = conditional_streak < limit
        companions_ran = False
        if kind == "say_llm" and fresh is not None and not node.get("disabled") and allowed:
            # The model sees edges as tools: a matching condition is taken instead of a
            # reply, and the destination answers the same message. Companion workers run
            # first, so what they extract can satisfy those conditions.
            companions(step, node, fresh)
            companions_ran = True
            edge, target = conditional(step, node, message)
            if target is not None:
                if str((edge or {}).get("name") or "").startswith("global:"):
                    # The only discard reason the service's event model knows.
                    step.emit_node("discarded_main_llm", node, message=step.ai_message(""),
                                   llm_usage_info=llm_usage_info(),
                                   reason="global_condition_matched")
                conditional_streak += 1
                node = target
                continue
            allowed = False  # already evaluated against this message
        if not node.get("disabled"):
            execute(step, node, fresh)
            if not companions_ran:
                companions(step, node, fresh)
            if run.status in TERMINAL:
                return
        if kind == "say_llm":
            fresh = None  # answered: later waiting nodes need a new message
        edge, target = route(step, node, message, allowed)
        if target is None:
            loop = bounded_self_loop(step, node)
            if loop == "retry":
                hops -= 1  # bounded by its own config, not by the loop guard
                continue
            if loop == "exhausted":  # self_loop_outcome is set: edges may now match
                edge, target = route(step, node, message, True)
        if target is None and kind in LLM_NODES and node.get("self_loop", kind == "say_llm"):
            step.emit_edge("self_loop_edge", None, node, node, "Self loop: waiting for the user")
            park(step, node)
            return
        if target is None:
            edge, target = exit_super(step, node, message, allowed)
        if target is None:
            step.emit("end_thread", last_node_logical_id=node["logical_id"])
            run.status, run.parked_node, run.main_done = "running", None, True
            return
        step.thread.loop_attempts.pop(node["logical_id"], None)
        if edge and edge.get("type") == "reverse":
            conditional_streak = limit  # no conditional hop right after a reverse edge
        else:
            conditional_streak = conditional_streak + 1 if edge and edge.get(
                "type") == "conditional" else 0
        node = target


def companions(step: Step, node: dict[str, Any], message: str | None) -> None:
    """Companion edges pair a node with silent workers that run alongside it in the same
    turn on the same message (e.g. extracting fields while the speaker talks)."""
    run = step.run
    for edge in run.graph["edge_configs"]:
        if edge.get("type") == "companion" and edge.get(
                "source_node_logical_id") == node["logical_id"]:
            worker = find_node(run, edge["destination_node_logical_id"])
            if worker.get("disabled"):
                continue
            step.emit_edge("companion_edge", edge, node, worker,
                           "Companion runs alongside its node")
            execute(step, worker, message)


def bounded_self_loop(step: Step, node: dict[str, Any]) -> str:
    """``self_loop_config`` (spec §6.2): re-run the node until an edge matches, its
    retries run out or its expiry passes; retries follow each other at once in a turn, the
    configured gaps counted against the expiry. Returns "retry", "exhausted" or ""."""
    config = node.get("self_loop_config") or {}
    if not config.get("enabled"):
        return ""
    thread = step.thread
    lid = node["logical_id"]
    retries = thread.loop_attempts.get(lid, 0)
    configured = float(config.get("time_between_retries") or 0)
    gap = max(configured, MIN_ATTEMPT_SECONDS)
    outcome = None
    if config.get("max_retries") is not None and retries >= int(config["max_retries"]):
        outcome = "max_retries"
    elif config.get("expiry_time") is not None and (retries + 1) * gap >= float(
            config["expiry_time"]):
        outcome = "expiry_time"
    if outcome is not None:
        thread.loop_attempts.pop(lid, None)
        thread.runtime["self_loop_outcome"] = outcome
        step.emit_edge("self_loop_exhausted", None, node, node, f"Self loop stopped: {outcome}",
                       outcome=outcome, total_attempts=retries + 1)
        return "exhausted"
    thread.loop_attempts[lid] = retries + 1
    step.emit_edge("self_loop_delay", None, node, node, "Waiting before the next attempt",
                   delay_seconds=configured, attempt_number=retries + 1)
    step.emit_edge("self_loop_edge", None, node, node,
                   "Bounded self loop: no edge matched, retrying")
    return "retry"


def park(step: Step, node: dict[str, Any]) -> None:
    """Stop the main thread on ``node`` until the user speaks, arming the node's waiting
    edges against the trigger completions seen so far (only later ones count)."""
    thread, run = step.thread, step.run
    if not thread.is_main:
        # Companions never receive user messages (the real service refuses such graphs at
        # save time); one that reaches an interactive node ends there.
        step.emit("workflow_warning", warning_message=(
            f"Companion thread {thread.reference_id} reached {node.get('name')}, which "
            "waits for user input; the thread ends"))
        raise CompanionEnded
    step.emit_node("busy_wait_for_user_message", node)
    step.emit("pause_thread", last_node_logical_id=node["logical_id"])
    run.parked_node, run.status = node["logical_id"], "waiting_for_user_input"
    for edge in outgoing(run, node["logical_id"]):
        config = waiting_config(edge)
        if config is not None:
            state = run.wait_state.setdefault(edge_id(edge), WaitingState())
            state.seen_completions = trigger_count(run.completions, config)
