"""Where a thread goes after a node: global conditions, reverse edges, scripted routes,
conditional and direct edges, super-node entry and exit, companion forks.

Every function returns ``(edge, target)``, ``(None, None)`` when nothing leads on; taking an
edge records it (edge event, navigation message, the edge's static message) so a caller never
moves without a trace.
"""

from __future__ import annotations

from typing import Any

from emulator.interactly import expressions, llm
from emulator.interactly.engine.nodes import say
from emulator.interactly.engine.run import LLM_NODES, TurnError, find_node, outgoing
from emulator.interactly.engine.step import Step
from emulator.interactly.engine.text import condition_vars, substitute, substitute_dynamic_only
from emulator.interactly.threads import (
    COMPANION_DELIMITER,
    MAIN,
    Thread,
    companion_flag,
    split_direct,
)

Hop = tuple[dict[str, Any] | None, dict[str, Any] | None]


def route(step: Step, node: dict[str, Any], message: str | None, conditionals_allowed: bool,
          enter_super: bool = True) -> Hop:
    run = step.run
    lid = node["logical_id"]
    edges = outgoing(run, lid)
    forced, run.script_route = run.script_route, None
    if run.script_end:
        run.script_end = False
        return None, None
    origin = run.global_origin.get(lid)
    reverse = ((node.get("global_node_config") or {}).get("reverse_conditional_edge")
               or {})
    if origin and reverse and condition(step, reverse, message):
        del run.global_origin[lid]
        back = find_node(run, origin)
        edge = {"type": "reverse", "name": f"reverse:{node.get('name')}",
                "logical_id": f"reverse_{lid}"}
        step.emit_edge("reverse_conditional_edge", edge, node, back,
                       "Reverse condition met: back to where the global node was entered",
                       super_node_exit_origin=None, args_filled={}, global_node_logical_id=lid)
        return edge, back
    if forced:
        for edge in edges:
            target = find_node(run, edge["destination_node_logical_id"])
            if forced in (edge.get("name"), target.get("name"), target.get("logical_id")):
                return edge, take(step, edge, node, target, "Scripted route")
    if conditionals_allowed:
        taken, reached = conditional(step, node, message)
        if reached is not None:
            return taken, reached
    if enter_super and node.get("type") == "super_node" and "_entry" in node:
        entry = find_node(run, node["_entry"])
        edge = {"type": "direct", "name": f"super:{node.get('name')}",
                "logical_id": f"super_{lid}"}
        return edge, take(step, edge, node, entry, "Entering the super node's workflow")
    main, forks = split_direct(edges)
    if step.thread.is_main:  # companions fork from the main thread only
        for fork_edge in forks:
            fork(step, node, fork_edge)
    if main is not None:
        target = find_node(run, main["destination_node_logical_id"])
        return main, take(step, main, node, target,
                          f"Direct edge triggered from {node.get('name')} to "
                          f"{target.get('name')}")
    return None, None


def exit_super(step: Step, node: dict[str, Any], message: str | None, allowed: bool) -> Hop:
    """A node inside an expanded super node ended its sub-workflow: continue on the super
    node's own outgoing edges (and outwards, for nested super nodes)."""
    while node.get("_super_node"):
        parent = find_node(step.run, node["_super_node"])
        edge, target = route(step, parent, message, allowed, enter_super=False)
        if target is not None:
            return edge, target
        node = parent
    return None, None


def conditional(step: Step, node: dict[str, Any], message: str | None) -> Hop:
    """Global-node conditions (LLM nodes of the main thread), then the node's conditional
    edges, in graph order: the first that holds is taken."""
    run = step.run
    lid = node["logical_id"]
    if node.get("type") in LLM_NODES and step.thread.is_main:
        for target in run.graph["node_configs"]:
            g = target.get("global_node_config") or {}
            if g.get("is_global") and target["logical_id"] != lid and condition(
                    step, g.get("condition") or {}, message):
                edge = {"type": "conditional", "name": f"global:{target.get('name')}",
                        "logical_id": f"global_{target['logical_id']}"}
                run.global_origin[target["logical_id"]] = lid
                return edge, take(step, edge, node, target, "Global condition met")
    for edge in run.graph["edge_configs"]:
        if edge.get("source_node_logical_id") == lid and edge.get(
                "type") == "conditional" and condition(step, edge.get("condition") or {},
                                                       message):
            target = find_node(run, edge["destination_node_logical_id"])
            return edge, take(step, edge, node, target, "Condition met")
    return None, None


def condition(step: Step, cond: dict[str, Any], message: str | None) -> bool:
    """An expression if there is one (a broken one fails the turn rather than silently
    never matching), else the free-form condition the fake LLM judges."""
    expression = cond.get("condition_expression")
    if expression:
        try:
            return expressions.check(substitute_dynamic_only(expression, step.run),
                                     condition_vars(step.run, step.thread))
        except expressions.ExpressionError as exc:
            raise TurnError(f"Invalid condition expression {expression!r}: {exc}") from None
    freeform = cond.get("condition_freeform")
    return bool(freeform) and llm.judge(str(freeform), message)


def take(step: Step, edge: dict[str, Any], source: dict[str, Any], target: dict[str, Any],
         reason: str) -> dict[str, Any]:
    kind = "conditional_edge" if edge.get("type") == "conditional" else "direct_edge"
    extra: dict[str, Any] = {"super_node_exit_origin": None, "args_filled": {}} \
        if kind == "conditional_edge" else {}
    step.emit_edge(kind, edge, source, target, reason, **extra)
    memo = step.ai_message(f"Moved from {source.get('name')} to {target.get('name')}")
    memo["id"] = f"nav_msg_{step.ctx.uuid()}"
    memo["response_metadata"] = {
        "navigation_message": "true", "edge_type": edge.get("type"),
        "source_node_logical_id": source["logical_id"],
        "destination_node_logical_id": target["logical_id"],
        "source_node_name": source.get("name"), "destination_node_name": target.get("name")}
    step.emit("workflow_navigation_message", message=memo)
    # Only conditional edges declare a condition (and what is said while taking it).
    cond = (edge.get("condition") or {}) if edge.get("type") == "conditional" else {}
    statics = (cond.get("static_messages_config") or {}).get("static_messages") or []
    if statics:
        say(step, source, substitute(statics[0], step.run, step.thread), "say_static",
            "static")
    return target


def fork(step: Step, source: dict[str, Any], edge: dict[str, Any]) -> None:
    """Start a companion thread on a copy of the main thread's runtime variables. It is due
    at once, so the background pass that ends the forking turn already takes its first step."""
    _, configured = companion_flag(edge)
    reference = configured or step.ctx.uuid()
    internal = f"{MAIN}{COMPANION_DELIMITER}{reference}"
    run = step.run
    target = find_node(run, edge["destination_node_logical_id"])
    step.emit_edge("companion_edge", edge, source, target,
                   f"Companion thread {reference} forked")
    run.companions[internal] = Thread(internal, reference, dict(run.runtime),
                                      node=target["logical_id"], due=step.ctx.now())
