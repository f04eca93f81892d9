"""The engine's entry points: one turn (:meth:`Engine.turn`) and background passes between
turns (:meth:`Engine.pump`), each framed the same way: take the input, move the threads, settle
the run's status and record what happened.

Every call starts a fresh :class:`Step` on the run's main thread; nothing about the thread being
moved survives on the engine between calls, so one engine serves every run of a namespace.
"""

from __future__ import annotations

from typing import Any

from emulator.interactly import llm
from emulator.interactly.engine.background import Background
from emulator.interactly.engine.nodes import execute
from emulator.interactly.engine.run import (
    DEFAULT_CONVERSATION_TURNS,
    DEFAULT_NODE,
    TERMINAL,
    Context,
    Run,
    TurnError,
    find_node,
    persisted,
)
from emulator.interactly.engine.step import Step
from emulator.interactly.engine.text import human_message, input_messages
from emulator.interactly.engine.walk import park, walk_from
from emulator.interactly.threads import MAIN
from emulator.interactly.usage import latency_stats, token_usage


class Engine:
    """One per namespace, shared by all its runs. It holds no run or thread state, so turns
    and pumps of different runs may interleave in any order."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.background = Background(ctx)

    def has_background_work(self, run: Run) -> bool:
        return self.background.has_work(run)

    def next_due(self, run: Run) -> float | None:
        return self.background.next_due(run)

    # ---------------------------------------------------------------- one turn
    def turn(self, run: Run, run_input: dict[str, Any], command: str) -> list[dict[str, Any]]:
        """Run one turn in place on ``run``; returns its events."""
        step = Step(self.ctx, run, run.main, [])
        run.turn_number += 1
        messages = input_messages(run_input)
        if messages:
            run.wait_state.clear()  # max_transitions_per_wait bounds one uninterrupted wait
            run.user_turns += 1
            stamped = [human_message(text, self.ctx.uuid()) for text in messages]
            run.history.extend(stamped)
            step.emit("user_messages", messages=stamped)
        pending = messages[-1] if messages else None
        run.dynamic.update(run_input.get("dynamic_variables") or {})
        run.runtime.update(run_input.get("runtime_variables") or {})
        if command == "pause":
            # A node-less run parks on the default conversation's node, which is in no graph.
            node = next((n for n in run.graph["node_configs"]
                         if n.get("logical_id") == run.parked_node), DEFAULT_NODE)
            step.events.append(step.node_event("pause_event", node) if run.parked_node
                               else step.event("pause_event"))
            step.emit("pause_thread", last_node_logical_id=run.parked_node)
            run.status = "paused"
            return self._close_turn(step, run_input)
        run.status = "running"
        try:
            if run.main_done:
                pass  # only companions are left: the message is recorded, nothing answers it
            elif not run.graph["node_configs"] and not self.ctx.strict:
                self._default_conversation(step, pending)
            else:
                self._walk(step, run_input, pending)
            if run.status not in TERMINAL:
                self.background.advance(step)
        except TurnError as exc:
            self._fail(step, exc)
        self._settle(run)
        return self._close_turn(step, run_input)

    def pump(self, run: Run) -> list[dict[str, Any]]:
        """Advance due background work without a user turn (``pump-companions``): companion
        steps whose time has come, then armed waiting-edge evaluations. The events are added
        to the latest stored turn, except evaluations that moved nothing (they would grow the
        run without bound, as on the real service)."""
        step = Step(self.ctx, run, run.main, [])
        events = step.events
        if run.completed or run.status == "paused":
            return events
        try:
            self.background.advance(step)
        except TurnError as exc:
            self._fail(step, exc)
        self._settle(run)
        if run.status == "completed":
            step.emit("end_workflow", llm_token_usage=token_usage(),
                      llm_latency_stats=latency_stats())
        if run.pairs and events:
            output = run.pairs[-1]["run_output"]
            output["events"] = [*output["events"], *persisted(events)]  # callers hold the old
        return events

    # ---------------------------------------------------------------- framing
    def _fail(self, step: Step, exc: TurnError) -> None:
        """A failure anywhere (a companion step included) fails the whole run, reported by
        the main thread, and stops every companion with it."""
        run = step.run
        step = step.on(run.main)
        run.status, run.error, run.termination_source = "failed", str(exc), "execution_error"
        for thread in run.companions.values():
            thread.active = False
        step.emit("workflow_error", error_message=str(exc), stack_trace=None,
                  llm_token_usage=token_usage(), llm_latency_stats=latency_stats())

    def _settle(self, run: Run) -> None:
        """The run is complete once every thread ended, companions included."""
        if run.main_done and run.status not in TERMINAL - {"completed"}:
            run.status = "running" if run.active_companions() else "completed"
        run.background_work = self.background.has_work(run)

    def _close_turn(self, step: Step, run_input: dict[str, Any]) -> list[dict[str, Any]]:
        """Record the turn as the input/output pair the run document lists, and tell the
        caller how the turn left the run (ended, or ready for the next message)."""
        run, events = step.run, step.events
        active = [t.internal_id for t in run.active_companions()]
        if not run.main_done and not run.completed:
            active.insert(0, MAIN)
        base = {"run_input": run_input, "evaluation": {}, "iteration_end_state_miscellaneous": {
                    "active_thread_ids": active,
                    "thread_id_to_nodes_history": {"0": list(run.node_runs)}},
                "comments": [], "ratings": []}
        # The pair inside the event carries no events (as recorded); the stored one has them.
        marker = {**base, "run_output": {"events": [], "thread_to_node_outputs": {}}}
        step.emit("end_workflow_iteration", iteration_number=run.turn_number,
                  run_input_output_pair=marker, iteration_metrics={
                      "e2e_latency_milliseconds": 0,
                      "nodes_executed_count": sum(run.node_runs.values()),
                      "llm_call_count": 0, "tool_call_count": 0,
                      "llm_call_latency_stats": latency_stats(),
                      "tool_call_latency_stats": latency_stats()})
        if run.status == "completed":
            step.emit("end_workflow", llm_token_usage=token_usage(),
                      llm_latency_stats=latency_stats())
        elif run.status == "waiting_for_user_input":
            events.append(step.ready())
        run.pairs.append({**base, "run_output": {"events": persisted(events),
                                                 "thread_to_node_outputs": {}}})
        return events

    # ---------------------------------------------------------------- the main thread
    def _walk(self, step: Step, run_input: dict[str, Any], message: str | None) -> None:
        run = step.run
        node = find_node(run, run.parked_node) if run.parked_node else \
            self._start_node(run, run_input)
        walk_from(step, node, message)

    @staticmethod
    def _start_node(run: Run, run_input: dict[str, Any]) -> dict[str, Any]:
        """Where a run that is not parked starts: the node the input names (re-runs start
        mid-graph), else the first start node."""
        wanted = run_input.get("start_node_logical_id")
        if wanted:
            return find_node(run, wanted)
        starts = [n for n in run.graph["node_configs"] if n.get("is_start")]
        if not starts:
            raise TurnError("No start node found")
        return starts[0]

    def _default_conversation(self, step: Step, message: str | None) -> None:
        """Emulator-only (spec §6.7): a workflow without nodes still converses. It greets,
        answers each turn (``dynamic_variables.user_message`` counts as the message), and
        completes on an end keyword or after DEFAULT_CONVERSATION_TURNS user turns."""
        run = step.run
        node = DEFAULT_NODE
        loose = run.dynamic.pop("user_message", None)
        if message is None and loose:
            message = str(loose)
            run.user_turns += 1  # thread messages were counted when the turn began
        execute(step, node, message)
        ended = message is not None and any(k in message.lower() for k in llm.END_KEYWORDS)
        if ended or run.user_turns >= DEFAULT_CONVERSATION_TURNS:
            step.emit("end_thread", last_node_logical_id=node["logical_id"])
            run.status, run.main_done = "running", True
        else:
            park(step, node)
