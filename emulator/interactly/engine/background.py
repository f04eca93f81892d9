"""Background work: companion threads and evaluate-while-waiting edges (see ``threads``).

It happens between user turns, when virtual time says so: at the end of every turn, on a
``pump-companions`` call, or on the WebSocket driver's timer (which asks :meth:`next_due`).
Kept apart from the turn logic because its rules are about time and budgets (when a thread is
due, how often an edge may be evaluated, how many steps a pass may take), not about answering
the user.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.interactly.engine.nodes import execute
from emulator.interactly.engine.routing import condition, exit_super, route, take
from emulator.interactly.engine.run import (
    MAX_COMPANION_STEPS_PER_PUMP,
    MAX_HOPS_PER_TURN,
    MIN_ATTEMPT_SECONDS,
    CompanionEnded,
    Context,
    Run,
    edge_id,
    find_node,
    outgoing,
    waits,
)
from emulator.interactly.engine.step import Step
from emulator.interactly.engine.text import hydrate
from emulator.interactly.engine.walk import bounded_self_loop, park, walk_from
from emulator.interactly.threads import Thread, WaitingState, trigger_count, waiting_config

#: (edge, its evaluate_while_waiting_config, its state in the current wait)
Armed = tuple[dict[str, Any], dict[str, Any], WaitingState]


class Background:
    """Holds only the context (the clock): all background state (companions, waiting-edge
    bookkeeping) lives on the run, so it is snapshotted with it and one instance serves every
    run of a namespace."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def has_work(self, run: Run) -> bool:
        """Active companions, or a parked main thread with an armed waiting edge."""
        if run.completed:
            return False
        return bool(run.active_companions()) or any(
            True for _ in self._armed(run, ignore_debounce=True))

    def next_due(self, run: Run) -> float | None:
        """When background work next has something to do (the WebSocket driver's timer)."""
        if run.completed or run.status == "paused":
            return None
        dues = [t.due for t in run.active_companions()]
        for _, config, state in self._armed(run, ignore_debounce=True):
            gap = float(config.get("min_seconds_between_evaluations") or 0)
            dues.append(state.last_evaluated + gap if state.last_evaluated is not None
                        else self.ctx.now())
        return min(dues) if dues else None

    def advance(self, step: Step) -> None:
        """Everything due now: waiting edges first (the main thread may move on), then each
        due companion one step, re-checking waiting edges after each step since a step may
        complete one of their trigger nodes. ``step`` is on the main thread. The pass is
        bounded so a companion whose next step is due at once cannot keep it going forever."""
        run = step.run
        now = self.ctx.now()
        budget = MAX_COMPANION_STEPS_PER_PUMP
        self._evaluate_waiting(step, now)
        while budget > 0 and not run.completed:
            due = [t for t in run.active_companions() if t.due <= now]
            if not due:
                break
            for thread in due:
                budget -= 1
                self._companion_step(step.on(thread), thread)
                self._evaluate_waiting(step, now)

    # ---------------------------------------------------------------- companion threads
    def _companion_step(self, step: Step, thread: Thread) -> None:
        """One companion step: walk from its node until its bounded self loop asks for a
        delay (the step ends, the next one is due after ``time_between_retries``) or the
        thread ends. ``step`` is on ``thread``."""
        try:
            node = find_node(step.run, thread.node)
            for _ in range(MAX_HOPS_PER_TURN):
                if waits(node):
                    park(step, node)  # raises CompanionEnded
                if not node.get("disabled"):
                    execute(step, node, None)
                _, target = route(step, node, None, True)
                if target is None:
                    loop = bounded_self_loop(step, node)
                    if loop == "retry":
                        gap = max(float((node.get("self_loop_config") or {}).get(
                            "time_between_retries") or 0), MIN_ATTEMPT_SECONDS)
                        thread.node, thread.due = node["logical_id"], thread.due + gap
                        self._boundary(step, thread, still_active=True)
                        return
                    if loop == "exhausted":
                        _, target = route(step, node, None, True)
                if target is None:
                    _, target = exit_super(step, node, None, True)
                if target is None:
                    step.emit("end_thread", last_node_logical_id=node["logical_id"])
                    break
                thread.loop_attempts.pop(node["logical_id"], None)
                node = target
            else:
                step.emit("workflow_warning", warning_message=(
                    f"Companion thread {thread.reference_id} stopped: more than "
                    f"{MAX_HOPS_PER_TURN} node executions in one step"))
        except CompanionEnded:
            pass
        thread.active = False
        self._boundary(step, thread, still_active=False)

    @staticmethod
    def _boundary(step: Step, thread: Thread, still_active: bool) -> None:
        thread.steps += 1
        step.emit("companion_step_boundary", companion_thread_id=thread.internal_id,
                  attempts_completed=thread.steps,
                  deadline_epoch=thread.due if still_active else None,
                  still_active=still_active)

    # ---------------------------------------------------------------- waiting edges
    def _armed(self, run: Run, ignore_debounce: bool = False) -> Iterator[Armed]:
        """The parked node's waiting edges that should be evaluated: under their transition
        cap, with a new trigger completion (or ticking on every pass) and, unless asked when
        they will be due rather than whether they are, past their debounce."""
        if run.main_done or run.status != "waiting_for_user_input" or not run.parked_node:
            return
        now = self.ctx.now()
        for edge in outgoing(run, run.parked_node):
            config = waiting_config(edge)
            if config is None:
                continue
            state = run.wait_state.setdefault(edge_id(edge), WaitingState())
            if state.transitions >= int(config.get("max_transitions_per_wait") or 3):
                continue
            tick = config.get("trigger_mode") == "on_every_background_tick"
            if not tick and trigger_count(run.completions, config) <= state.seen_completions:
                continue
            gap = float(config.get("min_seconds_between_evaluations") or 0)
            if not ignore_debounce and state.last_evaluated is not None and \
                    now - state.last_evaluated < gap:
                continue
            yield edge, config, state

    def _evaluate_waiting(self, step: Step, now: float) -> None:
        """Evaluate the parked node's armed waiting edges; the first that holds moves the
        main thread on with no user message (``waiting_condition_matched``). ``step`` is on
        the main thread: these edges belong to the node it is parked on."""
        run = step.run
        armed = list(self._armed(run))
        if not armed:
            return
        node = find_node(run, run.parked_node)
        for edge, config, state in armed:
            state.last_evaluated = now
            state.seen_completions = trigger_count(run.completions, config)
            cond = edge.get("condition") or {}
            if not condition(step, cond, None):
                continue
            state.transitions += 1
            step.emit("waiting_evaluation_boundary", parked_node_logical_id=node["logical_id"],
                      edges_evaluated=len(armed), transitioned=True, still_waiting=False)
            target = find_node(run, edge["destination_node_logical_id"])
            expression = str(cond.get("condition_expression") or "")
            triggers = config.get("trigger_node_logical_ids") or []
            step.emit_edge(
                "waiting_condition_matched", edge, node, target,
                "Condition met while waiting for the user", condition_expression=expression,
                hydrated_condition_expression=hydrate(expression, run, step.thread),
                trigger_mode=config.get("trigger_mode") or "on_node_completion",
                trigger_node_logical_id=triggers[0] if triggers else None,
                trigger_node_completion_count=state.seen_completions,
                transitions_this_wait=state.transitions,
                guardrail_redirected_from_logical_id=None)
            take(step, edge, node, target, "Condition met while waiting")
            run.parked_node, run.status = None, "running"
            walk_from(step, target, None)
            if run.status == "waiting_for_user_input":
                step.events.append(step.ready())
            return
        step.emit("waiting_evaluation_boundary", parked_node_logical_id=node["logical_id"],
                  edges_evaluated=len(armed), transitioned=False, still_waiting=True)
