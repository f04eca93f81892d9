"""The run engine: walks a workflow graph turn by turn (spec §6.6), emitting the events of §2.

Plain Python, no web framework. One :class:`Run` holds a graph snapshot (the version it started
on), variables, chat history and where the main thread is parked; :meth:`Engine.turn` moves it
until the thread parks on a user message, ends, fails or trips the loop guard. Everything the
model would decide comes from :mod:`emulator.interactly.llm`, and tool code is never executed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from emulator.interactly import expressions, llm
from emulator.interactly.threads import (
    COMPANION_DELIMITER,
    MAIN,
    Thread,
    WaitingState,
    companion_flag,
    split_direct,
    waiting_config,
)
from emulator.interactly.usage import latency_stats, llm_usage_info, token_usage

TERMINAL = frozenset({"completed", "failed", "cancelled", "aborted_looping_risk"})
LLM_NODES = frozenset({"say_llm", "worker_llm"})
MAX_HOPS_PER_TURN = 60
MAX_COMPANION_STEPS_PER_PUMP = 1000
# Bounded self loops count an attempt as lasting at least this long, so an expiry-only loop
# without a gap between retries still ends.
MIN_ATTEMPT_SECONDS = 1.0
DEFAULT_CONVERSATION_TURNS = 3
# What a workflow without nodes converses through (spec §6.7, _default_conversation).
DEFAULT_NODE = {"logical_id": "node_emulator_default", "name": "Assistant", "type": "say_llm"}
DYNAMIC = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
RUNTIME = re.compile(r"\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")


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


def user_text(message: Any) -> str | None:
    if isinstance(message, str):
        return message
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, list):  # LangChain content blocks
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return None if content is None else str(content)
    return None


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


def human_message(text: str, uuid: str) -> dict[str, Any]:
    return {"content": text, "additional_kwargs": {}, "response_metadata": {}, "type": "human",
            "name": None, "id": uuid}


class Engine:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # The thread being moved. The engine is synchronous and moves one thread at a time, so
        # events and variable reads follow it without threading it through every call.
        self._th = Thread(MAIN, MAIN, {})

    # ---------------------------------------------------------------- events
    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "logical_id": f"event_{self.ctx.uuid()}",
                "timestamp": self.ctx.now(), "origin_thread_id": self._th.internal_id,
                "comments": [], "interrupted": False,
                "thread_reference_id": self._th.reference_id, **fields}

    def _node_event(self, kind: str, node: dict[str, Any], run: Run, **fields: Any) -> dict:
        return self._event(kind, origin_node_logical_id=node.get("logical_id"),
                           origin_node_name=node.get("name"),
                           origin_node_run_id=str(run.node_runs.get(node["logical_id"], 0)),
                           **fields)

    def _ai_message(self, text: str, message_type: str | None = None) -> dict[str, Any]:
        return {"content": text, "additional_kwargs": {},
                "response_metadata": {"message_type": message_type} if message_type else {},
                "type": "ai", "name": None, "id": f"assistant_message_{self.ctx.uuid()}",
                "tool_calls": [], "invalid_tool_calls": [], "usage_metadata": None}

    # ---------------------------------------------------------------- variables
    def substitute(self, text: str, run: Run) -> str:
        def dyn(m: re.Match[str]) -> str:
            value = expressions.lookup(run.dynamic, m.group(1))
            return m.group(0) if value is expressions.MISSING else str(value)

        def rt(m: re.Match[str]) -> str:
            value = expressions.lookup(self._th.runtime, m.group(1))
            if value is expressions.MISSING and m.group(1).startswith("thread_"):
                value = expressions.lookup(self._threads(run), m.group(1))
            return m.group(0) if value is expressions.MISSING else str(value)

        return RUNTIME.sub(rt, DYNAMIC.sub(dyn, text))

    @staticmethod
    def _threads(run: Run) -> dict[str, Any]:
        """Cross-thread names: ``thread_0`` is the main thread, ``thread_<id>`` a companion."""
        named = {f"thread_{t.reference_id}": t.runtime for t in run.companions.values()}
        return {**named, "thread_0": run.runtime}

    def _condition_vars(self, run: Run) -> dict[str, Any]:
        return {**run.dynamic, **self._threads(run), **self._th.runtime}

    # ---------------------------------------------------------------- one turn
    def turn(self, run: Run, run_input: dict[str, Any], command: str) -> list[dict[str, Any]]:
        """Run one turn in place on ``run``; returns its events."""
        self._th = run.main
        run.turn_number += 1
        events: list[dict[str, Any]] = []
        messages = self._messages(run_input)
        if messages:
            run.wait_state.clear()  # max_transitions_per_wait bounds one uninterrupted wait
            run.user_turns += 1
            stamped = [human_message(text, self.ctx.uuid()) for text in messages]
            run.history.extend(stamped)
            events.append(self._event("user_messages", messages=stamped))
        pending = messages[-1] if messages else None
        run.dynamic.update(run_input.get("dynamic_variables") or {})
        run.runtime.update(run_input.get("runtime_variables") or {})
        if command == "pause":
            # A node-less run parks on the default conversation's node, which is in no graph.
            node = next((n for n in run.graph["node_configs"]
                         if n.get("logical_id") == run.parked_node), DEFAULT_NODE)
            events.append(self._node_event("pause_event", node, run) if run.parked_node
                          else self._event("pause_event"))
            events.append(self._event("pause_thread", last_node_logical_id=run.parked_node))
            run.status = "paused"
            return self._close_turn(run, run_input, events)
        run.status = "running"
        try:
            if run.main_done:
                pass  # only companions are left: the message is recorded, nothing answers it
            elif not run.graph["node_configs"] and not self.ctx.strict:
                self._default_conversation(run, pending, events)
            else:
                self._walk(run, run_input, pending, events)
            if run.status not in TERMINAL:
                self._background(run, events)
        except TurnError as exc:
            self._fail(run, exc, events)
        self._settle(run)
        return self._close_turn(run, run_input, events)

    def pump(self, run: Run) -> list[dict[str, Any]]:
        """Advance due background work without a user turn (``pump-companions``): companion
        steps whose time has come, then armed waiting-edge evaluations. The events are added
        to the latest stored turn, except evaluations that moved nothing (they would grow the
        run without bound, as on the real service)."""
        self._th = run.main
        events: list[dict[str, Any]] = []
        if run.completed or run.status == "paused":
            return events
        try:
            self._background(run, events)
        except TurnError as exc:
            self._fail(run, exc, events)
        self._settle(run)
        if run.status == "completed":
            events.append(self._event("end_workflow", llm_token_usage=token_usage(),
                                      llm_latency_stats=latency_stats()))
        if run.pairs and events:
            output = run.pairs[-1]["run_output"]
            output["events"] = [*output["events"], *persisted(events)]  # callers hold the old
        return events

    def _fail(self, run: Run, exc: TurnError, events: list[dict[str, Any]]) -> None:
        self._th = run.main
        run.status, run.error, run.termination_source = "failed", str(exc), "execution_error"
        for thread in run.companions.values():
            thread.active = False
        events.append(self._event("workflow_error", error_message=str(exc),
                                  stack_trace=None, llm_token_usage=token_usage(),
                                  llm_latency_stats=latency_stats()))

    def _settle(self, run: Run) -> None:
        """The run is complete once every thread ended, companions included."""
        if run.main_done and run.status not in TERMINAL - {"completed"}:
            run.status = "running" if run.active_companions() else "completed"
        run.background_work = self.has_background_work(run)

    def _messages(self, run_input: dict[str, Any]) -> list[str]:
        texts: list[str] = []
        threads = run_input.get("thread_to_node_inputs") or {}
        main = threads.get("0") or {} if isinstance(threads, dict) else {}
        for item in (main.get("node_run_inputs") or []) if isinstance(main, dict) else []:
            for message in (item.get("messages") or []) if isinstance(item, dict) else []:
                text = user_text(message)
                if text:
                    texts.append(text)
        return texts

    def _close_turn(self, run: Run, run_input: dict[str, Any],
                    events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        active = [t.internal_id for t in run.active_companions()]
        if not run.main_done and not run.completed:
            active.insert(0, MAIN)
        base = {"run_input": run_input, "evaluation": {}, "iteration_end_state_miscellaneous": {
                    "active_thread_ids": active,
                    "thread_id_to_nodes_history": {"0": list(run.node_runs)}},
                "comments": [], "ratings": []}
        # The pair inside the event carries no events (as recorded); the stored one has them.
        marker = {**base, "run_output": {"events": [], "thread_to_node_outputs": {}}}
        events.append(self._event("end_workflow_iteration", iteration_number=run.turn_number,
                                  run_input_output_pair=marker, iteration_metrics={
                                      "e2e_latency_milliseconds": 0,
                                      "nodes_executed_count": sum(run.node_runs.values()),
                                      "llm_call_count": 0, "tool_call_count": 0,
                                      "llm_call_latency_stats": latency_stats(),
                                      "tool_call_latency_stats": latency_stats()}))
        if run.status == "completed":
            events.append(self._event("end_workflow", llm_token_usage=token_usage(),
                                      llm_latency_stats=latency_stats()))
        elif run.status == "waiting_for_user_input":
            events.append(self._ready(run))
        run.pairs.append({**base, "run_output": {"events": persisted(events),
                                                 "thread_to_node_outputs": {}}})
        return events

    def _ready(self, run: Run) -> dict[str, Any]:
        return self._event("workflow_ready_for_input", active_companion_thread_ids=[
            t.internal_id for t in run.active_companions()])

    # ---------------------------------------------------------------- graph walk
    def _node(self, run: Run, logical_id: str | None) -> dict[str, Any]:
        for node in run.graph["node_configs"]:
            if node.get("logical_id") == logical_id:
                return node
        raise TurnError(f"Node {logical_id} not found in the workflow")

    def _start_node(self, run: Run, run_input: dict[str, Any]) -> dict[str, Any]:
        wanted = run_input.get("start_node_logical_id")
        if wanted:
            return self._node(run, wanted)
        starts = [n for n in run.graph["node_configs"] if n.get("is_start")]
        if not starts:
            raise TurnError("No start node found")
        return starts[0]

    def _walk(self, run: Run, run_input: dict[str, Any], message: str | None,
              events: list[dict[str, Any]]) -> None:
        node = self._node(run, run.parked_node) if run.parked_node else \
            self._start_node(run, run_input)
        self._walk_from(run, node, message, events)

    def _walk_from(self, run: Run, node: dict[str, Any], message: str | None,
                   events: list[dict[str, Any]]) -> None:
        """Move the main thread from ``node`` until it parks, ends or fails."""
        fresh = message  # the message each node entered this turn may answer
        hops, conditional_streak = 0, 0
        limit = int((run.graph["workflow_config"].get("miscellaneous") or {}).get(
            "consecutive_conditional_edges_max_limit", 3) or 3)
        while True:
            hops += 1
            if hops > MAX_HOPS_PER_TURN:
                run.status, run.termination_source = "aborted_looping_risk", None
                events.append(self._event("workflow_warning", warning_message=(
                    f"Aborted: more than {MAX_HOPS_PER_TURN} node executions in one turn")))
                return
            kind = node.get("type")
            if waits(node) and fresh is None:
                self._park(run, node, events)
                return
            allowed = conditional_streak < limit
            companions_ran = False
            if kind == "say_llm" and fresh is not None and not node.get("disabled") and allowed:
                # The model sees edges as tools: a matching condition is taken instead of a
                # reply, and the destination answers the same message. Companion workers run
                # first, so what they extract can satisfy those conditions.
                self._companions(run, node, fresh, events)
                companions_ran = True
                edge, target = self._conditional(run, node, message, events)
                if target is not None:
                    if str((edge or {}).get("name") or "").startswith("global:"):
                        # The only discard reason the service's event model knows.
                        events.append(self._node_event(
                            "discarded_main_llm", node, run, message=self._ai_message(""),
                            llm_usage_info=llm_usage_info(),
                            reason="global_condition_matched"))
                    conditional_streak += 1
                    node = target
                    continue
                allowed = False  # already evaluated against this message
            if not node.get("disabled"):
                self._execute(run, node, fresh, events)
                if not companions_ran:
                    self._companions(run, node, fresh, events)
                if run.status in TERMINAL:
                    return
            if kind == "say_llm":
                fresh = None  # answered: later waiting nodes need a new message
            edge, target = self._route(run, node, message, allowed, events)
            if target is None:
                loop = self._bounded_self_loop(run, node, events)
                if loop == "retry":
                    hops -= 1  # bounded by its own config, not by the loop guard
                    continue
                if loop == "exhausted":  # self_loop_outcome is set: edges may now match
                    edge, target = self._route(run, node, message, True, events)
            if target is None and kind in LLM_NODES and node.get("self_loop",
                                                                 kind == "say_llm"):
                events.append(self._edge_event("self_loop_edge", None, node, node, run,
                                               "Self loop: waiting for the user"))
                self._park(run, node, events)
                return
            if target is None:
                edge, target = self._exit_super(run, node, message, allowed, events)
            if target is None:
                events.append(self._event("end_thread", last_node_logical_id=node["logical_id"]))
                run.status, run.parked_node, run.main_done = "running", None, True
                return
            self._th.loop_attempts.pop(node["logical_id"], None)
            if edge and edge.get("type") == "reverse":
                conditional_streak = limit  # no conditional hop right after a reverse edge
            else:
                conditional_streak = conditional_streak + 1 if edge and edge.get(
                    "type") == "conditional" else 0
            node = target

    def _companions(self, run: Run, node: dict[str, Any], message: str | None,
                    events: list[dict[str, Any]]) -> None:
        """Companion edges pair a node with silent workers that run alongside it in the same
        turn on the same message (e.g. extracting fields while the speaker talks)."""
        for edge in run.graph["edge_configs"]:
            if edge.get("type") == "companion" and edge.get(
                    "source_node_logical_id") == node["logical_id"]:
                worker = self._node(run, edge["destination_node_logical_id"])
                if worker.get("disabled"):
                    continue
                events.append(self._edge_event("companion_edge", edge, node, worker, run,
                                               "Companion runs alongside its node"))
                self._execute(run, worker, message, events)

    def _bounded_self_loop(self, run: Run, node: dict[str, Any],
                           events: list[dict[str, Any]]) -> str:
        """``self_loop_config`` (spec §6.2): re-run the node until an edge matches, its
        retries run out or its expiry passes; retries follow each other at once in a turn, the
        configured gaps counted against the expiry. Returns "retry", "exhausted" or ""."""
        config = node.get("self_loop_config") or {}
        if not config.get("enabled"):
            return ""
        lid = node["logical_id"]
        retries = self._th.loop_attempts.get(lid, 0)
        configured = float(config.get("time_between_retries") or 0)
        gap = max(configured, MIN_ATTEMPT_SECONDS)
        outcome = None
        if config.get("max_retries") is not None and retries >= int(config["max_retries"]):
            outcome = "max_retries"
        elif config.get("expiry_time") is not None and (retries + 1) * gap >= float(
                config["expiry_time"]):
            outcome = "expiry_time"
        if outcome is not None:
            self._th.loop_attempts.pop(lid, None)
            self._th.runtime["self_loop_outcome"] = outcome
            events.append(self._edge_event("self_loop_exhausted", None, node, node, run,
                                           f"Self loop stopped: {outcome}", outcome=outcome,
                                           total_attempts=retries + 1))
            return "exhausted"
        self._th.loop_attempts[lid] = retries + 1
        events.append(self._edge_event("self_loop_delay", None, node, node, run,
                                       "Waiting before the next attempt", delay_seconds=configured,
                                       attempt_number=retries + 1))
        events.append(self._edge_event("self_loop_edge", None, node, node, run,
                                       "Bounded self loop: no edge matched, retrying"))
        return "retry"

    def _park(self, run: Run, node: dict[str, Any], events: list[dict[str, Any]]) -> None:
        if not self._th.is_main:
            # Companions never receive user messages (the real service refuses such graphs at
            # save time); one that reaches an interactive node ends there.
            events.append(self._event("workflow_warning", warning_message=(
                f"Companion thread {self._th.reference_id} reached {node.get('name')}, which "
                "waits for user input; the thread ends")))
            raise CompanionEnded
        events.append(self._node_event("busy_wait_for_user_message", node, run))
        events.append(self._event("pause_thread", last_node_logical_id=node["logical_id"]))
        run.parked_node, run.status = node["logical_id"], "waiting_for_user_input"
        for edge in self._outgoing(run, node["logical_id"]):
            config = waiting_config(edge)
            if config is not None:
                state = run.wait_state.setdefault(self._edge_id(edge), WaitingState())
                state.seen_completions = self._trigger_count(run, config)

    def _execute(self, run: Run, node: dict[str, Any], message: str | None,
                 events: list[dict[str, Any]]) -> None:
        lid = node["logical_id"]
        run.node_runs[lid] = run.node_runs.get(lid, 0) + 1
        run.completions[lid] = run.completions.get(lid, 0) + 1
        kind = node.get("type")
        run_input = {"type": "llm", "node_logical_id": lid, "messages": run.history[-1:]} \
            if kind in LLM_NODES and message else None
        events.append(self._node_event("start_node_run", node, run, run_input=run_input))
        output: dict[str, Any] = {"type": kind, "node_logical_id": lid,
                                  "node_run_id": str(run.node_runs[lid]), "events": []}
        if kind == "say_static":
            self._say(run, node, self._static_text(run, node), events, "say_static", "static")
        elif kind in LLM_NODES:
            script = self.ctx.scripts.take(run.workflow_id, str(node.get("name") or ""), lid,
                                           message)
            if script is not None and script.fail:
                raise TurnError(script.fail)
            structured = (script.structured_output if script and script.structured_output
                          is not None else llm.extract(node.get("structured_output_schema"),
                                                       message))
            self._th.runtime.update(structured)
            output["structured_output"] = structured
            if kind == "say_llm":
                text = script.reply if script and script.reply else llm.default_reply(
                    self.ctx.seed, str(node.get("name") or "assistant"), message,
                    run.logical_id, run.node_runs[lid])
                self._say(run, node, self.substitute(text, run), events, "say_llm", None)
            else:
                events.append(self._node_event("worker_llm", node, run, message=self._ai_message(
                    "", None), llm_usage_info=llm_usage_info()))
            run.script_route = script.route if script else None
            run.script_end = bool(script and script.end)
        elif kind == "tool_node":
            self._tool(run, node, output)
        elif kind == "no_op":
            name = node.get("output_runtime_variable_name") or "no_op_result"
            self._th.runtime[name] = None
            self._th.runtime[f"{name}_success"] = not node.get("simulate_failure", False)
            output.update(success=self._th.runtime[f"{name}_success"],
                          error_message="Simulated failure" if node.get("simulate_failure")
                          else None)
        elif kind == "http_request":
            name = node.get("result_runtime_variable_name") or "http_request_result"
            url = self.substitute(str(node.get("url") or ""), run)
            body = {"emulated": True, "url": url}
            self._th.runtime[name] = body
            events.append(self._node_event("http_request", node, run, curl_command=(
                f"curl -X {node.get('method') or 'GET'} {url}"), status_code=200,
                response_body=body, error=None))
            output.update(curl_command=f"curl {url}", success=True, http_status_code=200,
                          http_response=body)
        elif kind == "super_node":
            if "_entry" not in node:
                raise TurnError(f"Super node {node.get('name')} has no workflow to run: set "
                                "encapsulated_workflow_config or a super_workflow_id that exists")
            run.dynamic.update({k: self.substitute(v, run) if isinstance(v, str) else v
                                for k, v in (node.get("field_values") or {}).items()})
        elif kind in ("start_conversation", "end_conversation", "send_sms"):
            by_kind: dict[str, dict[str, Any]] = {
                "start_conversation": {"conversation_status": "started",
                                       "conversation_id": f"conv_{self.ctx.uuid()}"},
                "end_conversation": {"processed_transcript": self._transcript(run)},
                "send_sms": {"status": "sent", "sent_message": None,
                             "destination_phone_number": node.get("destination_phone_number")},
            }
            events.append(self._node_event(kind, node, run, **by_kind[kind]))
        events.append(self._node_event("end_node_run", node, run, run_output=output))
        events.append(self._event("workflow_show_state", thread_id="0",
                                  runtime_variables=dict(self._th.runtime),
                                  workflow_runtime_variables={
                                      "_input_dynamic_variables": dict(run.dynamic)}))

    def _say(self, run: Run, node: dict[str, Any], text: str, events: list[dict[str, Any]],
             kind: str, message_type: str | None) -> None:
        message = self._ai_message(text, message_type)
        run.history.append(message)
        fields = {"message": message}
        if kind == "say_llm":
            fields["llm_usage_info"] = llm_usage_info()
        events.append(self._node_event(kind, node, run, **fields))
        events.append(self._node_event(
            "assistant_response", node, run, content=text,
            response_metadata={"message_type": message_type} if message_type else {},
            llm_usage_info=llm_usage_info()) | {"logical_id": message["id"]})

    def _static_text(self, run: Run, node: dict[str, Any]) -> str:
        config = node.get("static_messages_config") or {}
        options = [m for m in config.get("static_messages") or [] if m] or [""]
        if config.get("static_messages_selection_mode") == "random":
            pick = llm.seeded_choice(self.ctx.seed, run.logical_id, node["logical_id"],
                                     run.node_runs[node["logical_id"]])
        else:
            pick = run.node_runs[node["logical_id"]] - 1
        return self.substitute(options[pick % len(options)], run)

    def _tool(self, run: Run, node: dict[str, Any], output: dict[str, Any]) -> None:
        tool = node.get("tool_config") or {}
        name = node.get("result_runtime_variable_name") or "tool_result"
        if name == "tool_result" and tool.get("result_runtime_variable_name"):
            name = tool["result_runtime_variable_name"]
        args = {k: self.substitute(v, run) if isinstance(v, str) else v
                for k, v in (node.get("tool_arguments") or {}).items()}
        script = self.ctx.scripts.take(run.workflow_id, str(node.get("name") or ""),
                                       node["logical_id"], None)
        # Tool code is data: a script supplies the result, else (opt-in) the sandbox runs
        # inline_python code in an isolated child process, else a stub answers.
        success, error = True, None
        if script and script.tool_result is not None:
            result = script.tool_result
        elif self.ctx.execute_tools and tool.get("type") == "inline_python" and tool.get("code"):
            from emulator.interactly import sandbox  # only for those who opted in

            outcome = sandbox.run_inline(str(tool["code"]), str(tool.get("name") or ""), args,
                                         float(tool.get("timeout_seconds") or 5))
            result, success, error = outcome.result, outcome.success, outcome.error
        else:
            result = {"emulated": True, "tool": tool.get("name") or tool.get("type"),
                      "arguments": args}
        self._th.runtime.update({name: result, f"{name}_success": success,
                                 f"{name}_error": error})
        output.update(success=success, tool_result=result, error_message=error)

    def _transcript(self, run: Run) -> str:
        return "\n".join(f"{m.get('type')}: {m.get('content')}" for m in run.history)

    # ---------------------------------------------------------------- routing
    def _route(self, run: Run, node: dict[str, Any], message: str | None,
               conditionals_allowed: bool, events: list[dict[str, Any]],
               enter_super: bool = True
               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        lid = node["logical_id"]
        outgoing = self._outgoing(run, lid)
        forced, run.script_route = run.script_route, None
        if run.script_end:
            run.script_end = False
            return None, None
        origin = run.global_origin.get(lid)
        reverse = ((node.get("global_node_config") or {}).get("reverse_conditional_edge")
                   or {})
        if origin and reverse and self._condition(run, reverse, message):
            del run.global_origin[lid]
            back = self._node(run, origin)
            edge = {"type": "reverse", "name": f"reverse:{node.get('name')}",
                    "logical_id": f"reverse_{lid}"}
            events.append(self._edge_event("reverse_conditional_edge", edge, node, back, run,
                                           "Reverse condition met: back to where the global "
                                           "node was entered", super_node_exit_origin=None,
                                           args_filled={}, global_node_logical_id=lid))
            return edge, back
        if forced:
            for edge in outgoing:
                target = self._node(run, edge["destination_node_logical_id"])
                if forced in (edge.get("name"), target.get("name"), target.get("logical_id")):
                    return edge, self._take(run, edge, node, target, "Scripted route", events)
        if conditionals_allowed:
            taken, reached = self._conditional(run, node, message, events)
            if reached is not None:
                return taken, reached
        if enter_super and node.get("type") == "super_node" and "_entry" in node:
            entry = self._node(run, node["_entry"])
            edge = {"type": "direct", "name": f"super:{node.get('name')}",
                    "logical_id": f"super_{lid}"}
            return edge, self._take(run, edge, node, entry, "Entering the super node's "
                                    "workflow", events)
        main, forks = split_direct(outgoing)
        if self._th.is_main:  # companions fork from the main thread only
            for fork in forks:
                self._fork(run, node, fork, events)
        if main is not None:
            target = self._node(run, main["destination_node_logical_id"])
            return main, self._take(run, main, node, target,
                                    f"Direct edge triggered from {node.get('name')} to "
                                    f"{target.get('name')}", events)
        return None, None

    def _exit_super(self, run: Run, node: dict[str, Any], message: str | None, allowed: bool,
                    events: list[dict[str, Any]]
                    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """A node inside an expanded super node ended its sub-workflow: continue on the super
        node's own outgoing edges (and outwards, for nested super nodes)."""
        while node.get("_super_node"):
            parent = self._node(run, node["_super_node"])
            edge, target = self._route(run, parent, message, allowed, events, enter_super=False)
            if target is not None:
                return edge, target
            node = parent
        return None, None

    @staticmethod
    def _outgoing(run: Run, lid: str) -> list[dict[str, Any]]:
        return [e for e in run.graph["edge_configs"] if e.get("source_node_logical_id") == lid]

    @staticmethod
    def _edge_id(edge: dict[str, Any]) -> str:
        return str(edge.get("logical_id") or edge.get("name") or id(edge))

    def _conditional(self, run: Run, node: dict[str, Any], message: str | None,
                     events: list[dict[str, Any]]
                     ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Global-node conditions (LLM nodes), then the node's conditional edges."""
        lid = node["logical_id"]
        if node.get("type") in LLM_NODES and self._th.is_main:
            for target in run.graph["node_configs"]:
                g = target.get("global_node_config") or {}
                if g.get("is_global") and target["logical_id"] != lid and self._condition(
                        run, g.get("condition") or {}, message):
                    edge = {"type": "conditional", "name": f"global:{target.get('name')}",
                            "logical_id": f"global_{target['logical_id']}"}
                    run.global_origin[target["logical_id"]] = lid
                    return edge, self._take(run, edge, node, target, "Global condition met",
                                            events)
        for edge in run.graph["edge_configs"]:
            if edge.get("source_node_logical_id") == lid and edge.get(
                    "type") == "conditional" and self._condition(
                        run, edge.get("condition") or {}, message):
                target = self._node(run, edge["destination_node_logical_id"])
                return edge, self._take(run, edge, node, target, "Condition met", events)
        return None, None

    def _condition(self, run: Run, condition: dict[str, Any], message: str | None) -> bool:
        expression = condition.get("condition_expression")
        if expression:
            try:
                return expressions.check(self.substitute_dynamic_only(expression, run),
                                         self._condition_vars(run))
            except expressions.ExpressionError as exc:
                raise TurnError(f"Invalid condition expression {expression!r}: {exc}") from None
        freeform = condition.get("condition_freeform")
        return bool(freeform) and llm.judge(str(freeform), message)

    def substitute_dynamic_only(self, text: str, run: Run) -> str:
        return DYNAMIC.sub(lambda m: repr(str(expressions.lookup(run.dynamic, m.group(1))))
                           if expressions.lookup(run.dynamic, m.group(1))
                           is not expressions.MISSING else m.group(0), text)

    def _take(self, run: Run, edge: dict[str, Any], source: dict[str, Any],
              target: dict[str, Any], reason: str, events: list[dict[str, Any]]
              ) -> dict[str, Any]:
        kind = "conditional_edge" if edge.get("type") == "conditional" else "direct_edge"
        extra: dict[str, Any] = {"super_node_exit_origin": None, "args_filled": {}} \
            if kind == "conditional_edge" else {}
        events.append(self._edge_event(kind, edge, source, target, run, reason, **extra))
        memo = self._ai_message(f"Moved from {source.get('name')} to {target.get('name')}")
        memo["id"] = f"nav_msg_{self.ctx.uuid()}"
        memo["response_metadata"] = {
            "navigation_message": "true", "edge_type": edge.get("type"),
            "source_node_logical_id": source["logical_id"],
            "destination_node_logical_id": target["logical_id"],
            "source_node_name": source.get("name"), "destination_node_name": target.get("name")}
        events.append(self._event("workflow_navigation_message", message=memo))
        # Only conditional edges declare a condition (and what is said while taking it).
        condition = (edge.get("condition") or {}) if edge.get("type") == "conditional" else {}
        statics = (condition.get("static_messages_config") or {}).get("static_messages") or []
        if statics:
            self._say(run, source, self.substitute(statics[0], run), events, "say_static",
                      "static")
        return target

    def _edge_event(self, kind: str, edge: dict[str, Any] | None, source: dict[str, Any],
                    target: dict[str, Any], run: Run, reason: str, **extra: Any) -> dict:
        edge = edge or {}
        return self._event(kind, edge_name=edge.get("name"), edge_logical_id=edge.get(
            "logical_id"), edge_run_id=str(run.turn_number),
            source_node_logical_id=source["logical_id"], source_node_name=source.get("name"),
            destination_node_logical_id=target["logical_id"],
            destination_node_name=target.get("name"), reason=reason, **extra)

    # ---------------------------------------------------------------- background work
    def _fork(self, run: Run, source: dict[str, Any], edge: dict[str, Any],
              events: list[dict[str, Any]]) -> None:
        _, configured = companion_flag(edge)
        reference = configured or self.ctx.uuid()
        internal = f"{MAIN}{COMPANION_DELIMITER}{reference}"
        target = self._node(run, edge["destination_node_logical_id"])
        events.append(self._edge_event("companion_edge", edge, source, target, run,
                                       f"Companion thread {reference} forked"))
        run.companions[internal] = Thread(internal, reference, dict(run.runtime),
                                          node=target["logical_id"], due=self.ctx.now())

    def has_background_work(self, run: Run) -> bool:
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

    def _background(self, run: Run, events: list[dict[str, Any]]) -> None:
        now = self.ctx.now()
        budget = MAX_COMPANION_STEPS_PER_PUMP
        self._evaluate_waiting(run, events, now)
        while budget > 0 and not run.completed:
            due = [t for t in run.active_companions() if t.due <= now]
            if not due:
                break
            for thread in due:
                budget -= 1
                self._step(run, thread, events)
                self._evaluate_waiting(run, events, now)

    def _step(self, run: Run, thread: Thread, events: list[dict[str, Any]]) -> None:
        """One companion step: walk from its node until its bounded self loop asks for a
        delay (the step ends, the next one is due after ``time_between_retries``) or the
        thread ends."""
        self._th = thread
        try:
            node = self._node(run, thread.node)
            for _ in range(MAX_HOPS_PER_TURN):
                if waits(node):
                    self._park(run, node, events)  # raises CompanionEnded
                if not node.get("disabled"):
                    self._execute(run, node, None, events)
                _, target = self._route(run, node, None, True, events)
                if target is None:
                    loop = self._bounded_self_loop(run, node, events)
                    if loop == "retry":
                        gap = max(float((node.get("self_loop_config") or {}).get(
                            "time_between_retries") or 0), MIN_ATTEMPT_SECONDS)
                        thread.node, thread.due = node["logical_id"], thread.due + gap
                        self._boundary(thread, events, still_active=True)
                        return
                    if loop == "exhausted":
                        _, target = self._route(run, node, None, True, events)
                if target is None:
                    _, target = self._exit_super(run, node, None, True, events)
                if target is None:
                    events.append(self._event("end_thread",
                                              last_node_logical_id=node["logical_id"]))
                    break
                thread.loop_attempts.pop(node["logical_id"], None)
                node = target
            else:
                events.append(self._event("workflow_warning", warning_message=(
                    f"Companion thread {thread.reference_id} stopped: more than "
                    f"{MAX_HOPS_PER_TURN} node executions in one step")))
        except CompanionEnded:
            pass
        finally:
            self._th = run.main
        thread.active = False
        self._th = thread
        self._boundary(thread, events, still_active=False)
        self._th = run.main

    def _boundary(self, thread: Thread, events: list[dict[str, Any]],
                  still_active: bool) -> None:
        thread.steps += 1
        events.append(self._event("companion_step_boundary",
                                  companion_thread_id=thread.internal_id,
                                  attempts_completed=thread.steps,
                                  deadline_epoch=thread.due if still_active else None,
                                  still_active=still_active))

    def _trigger_count(self, run: Run, config: dict[str, Any]) -> int:
        return sum(run.completions.get(t, 0) for t in config.get("trigger_node_logical_ids")
                   or [])

    def _armed(self, run: Run, ignore_debounce: bool = False
               ) -> Iterator[tuple[dict[str, Any], dict[str, Any], WaitingState]]:
        """(edge, config, state) of the parked node's waiting edges that should be evaluated."""
        if run.main_done or run.status != "waiting_for_user_input" or not run.parked_node:
            return
        now = self.ctx.now()
        for edge in self._outgoing(run, run.parked_node):
            config = waiting_config(edge)
            if config is None:
                continue
            state = run.wait_state.setdefault(self._edge_id(edge), WaitingState())
            if state.transitions >= int(config.get("max_transitions_per_wait") or 3):
                continue
            tick = config.get("trigger_mode") == "on_every_background_tick"
            if not tick and self._trigger_count(run, config) <= state.seen_completions:
                continue
            gap = float(config.get("min_seconds_between_evaluations") or 0)
            if not ignore_debounce and state.last_evaluated is not None and \
                    now - state.last_evaluated < gap:
                continue
            yield edge, config, state

    def _evaluate_waiting(self, run: Run, events: list[dict[str, Any]], now: float) -> None:
        """Evaluate the parked node's armed waiting edges; the first that holds moves the
        main thread on with no user message (``waiting_condition_matched``)."""
        armed = list(self._armed(run))
        if not armed:
            return
        node = self._node(run, run.parked_node)
        for edge, config, state in armed:
            state.last_evaluated = now
            state.seen_completions = self._trigger_count(run, config)
            condition = edge.get("condition") or {}
            if not self._condition(run, condition, None):
                continue
            state.transitions += 1
            events.append(self._event("waiting_evaluation_boundary",
                                      parked_node_logical_id=node["logical_id"],
                                      edges_evaluated=len(armed), transitioned=True,
                                      still_waiting=False))
            target = self._node(run, edge["destination_node_logical_id"])
            expression = str(condition.get("condition_expression") or "")
            triggers = config.get("trigger_node_logical_ids") or []
            events.append(self._edge_event(
                "waiting_condition_matched", edge, node, target, run,
                "Condition met while waiting for the user", condition_expression=expression,
                hydrated_condition_expression=self._hydrate(expression, run),
                trigger_mode=config.get("trigger_mode") or "on_node_completion",
                trigger_node_logical_id=triggers[0] if triggers else None,
                trigger_node_completion_count=state.seen_completions,
                transitions_this_wait=state.transitions,
                guardrail_redirected_from_logical_id=None))
            self._take(run, edge, node, target, "Condition met while waiting", events)
            run.parked_node, run.status = None, "running"
            self._walk_from(run, target, None, events)
            if run.status == "waiting_for_user_input":
                events.append(self._ready(run))
            return
        events.append(self._event("waiting_evaluation_boundary",
                                  parked_node_logical_id=node["logical_id"],
                                  edges_evaluated=len(armed), transitioned=False,
                                  still_waiting=True))

    def _hydrate(self, expression: str, run: Run) -> str:
        """The expression as evaluated: variables replaced by their values (literals quoted)."""
        names = self._condition_vars(run)

        def value(m: re.Match[str]) -> str:
            found = expressions.lookup(names, m.group(1))
            if found is expressions.MISSING:
                return m.group(0)
            return repr(found) if isinstance(found, str) else str(found)

        return RUNTIME.sub(value, self.substitute_dynamic_only(expression, run))

    # ---------------------------------------------------------------- node-less workflows
    def _default_conversation(self, run: Run, message: str | None,
                              events: list[dict[str, Any]]) -> None:
        """Emulator-only (spec §6.7): a workflow without nodes still converses. It greets,
        answers each turn (``dynamic_variables.user_message`` counts as the message), and
        completes on an end keyword or after DEFAULT_CONVERSATION_TURNS user turns."""
        node = DEFAULT_NODE
        loose = run.dynamic.pop("user_message", None)
        if message is None and loose:
            message = str(loose)
            run.user_turns += 1  # thread messages were counted when the turn began
        self._execute(run, node, message, events)
        ended = message is not None and any(k in message.lower() for k in llm.END_KEYWORDS)
        if ended or run.user_turns >= DEFAULT_CONVERSATION_TURNS:
            events.append(self._event("end_thread", last_node_logical_id=node["logical_id"]))
            run.status, run.main_done = "running", True
        else:
            self._park(run, node, events)
