"""The run engine: walks a workflow graph turn by turn (spec §6.6), emitting the events of §2.

Plain Python, no web framework. One :class:`Run` holds a graph snapshot (the version it started
on), variables, chat history and where the main thread is parked; :meth:`Engine.turn` moves it
until the thread parks on a user message, ends, fails or trips the loop guard. Everything the
model would decide comes from :mod:`emulator.interactly.llm`, and tool code is never executed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.interactly import expressions, llm

TERMINAL = frozenset({"completed", "failed", "cancelled", "aborted_looping_risk"})
LLM_NODES = frozenset({"say_llm", "worker_llm"})
MAX_HOPS_PER_TURN = 60
DEFAULT_CONVERSATION_TURNS = 3
DYNAMIC = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
RUNTIME = re.compile(r"\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")


class TurnError(Exception):
    """A node failed: the turn ends with ``workflow_error`` and the run is ``failed``."""


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


def user_text(message: Any) -> str | None:
    if isinstance(message, str):
        return message
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, list):  # LangChain content blocks
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return None if content is None else str(content)
    return None


def human_message(text: str, uuid: str) -> dict[str, Any]:
    return {"content": text, "additional_kwargs": {}, "response_metadata": {}, "type": "human",
            "name": None, "id": uuid}


class Engine:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # ---------------------------------------------------------------- events
    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "logical_id": f"event_{self.ctx.uuid()}",
                "timestamp": self.ctx.now(), "origin_thread_id": "0", "comments": [],
                "interrupted": False, "thread_reference_id": "0", **fields}

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

    @staticmethod
    def usage() -> dict[str, Any]:
        return {"total_input_tokens": 0, "total_output_tokens": 0, "total_tokens": 0,
                "call_count_with_user_keys": 0, "call_count_with_fallback_keys": 0,
                "call_count": 0, "breakdown_by_models": None}

    @staticmethod
    def latency() -> dict[str, Any]:
        return {"call_count": 0, "total_latency_milliseconds": 0,
                "average_latency_milliseconds": 0, "breakdown_by_models": None}

    @staticmethod
    def llm_usage_info() -> dict[str, Any]:
        return {"response_model": "emulator-fake-llm", "named_llm_config_id": None,
                "named_llm_config_name": None, "provider": "emulator",
                "ai_message_turn_id": None, "llm_response_id": None, "used_user_api_key": False,
                "finish_reason": ["stop"], "response_latency_milliseconds": 0,
                "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0,
                "was_streamed": False, "was_estimated": True,
                "structured_output_retry_metadata": None}

    # ---------------------------------------------------------------- variables
    def substitute(self, text: str, run: Run) -> str:
        def dyn(m: re.Match[str]) -> str:
            value = expressions.lookup(run.dynamic, m.group(1))
            return m.group(0) if value is expressions.MISSING else str(value)

        def rt(m: re.Match[str]) -> str:
            value = expressions.lookup(run.runtime, m.group(1))
            return m.group(0) if value is expressions.MISSING else str(value)

        return RUNTIME.sub(rt, DYNAMIC.sub(dyn, text))

    def _condition_vars(self, run: Run) -> dict[str, Any]:
        return {**run.dynamic, **run.runtime, "thread_0": run.runtime}

    # ---------------------------------------------------------------- one turn
    def turn(self, run: Run, run_input: dict[str, Any], command: str) -> list[dict[str, Any]]:
        """Run one turn in place on ``run``; returns its events."""
        run.turn_number += 1
        events: list[dict[str, Any]] = []
        messages = self._messages(run_input)
        if messages:
            run.user_turns += 1
            stamped = [human_message(text, self.ctx.uuid()) for text in messages]
            run.history.extend(stamped)
            events.append(self._event("user_messages", messages=stamped))
        pending = messages[-1] if messages else None
        run.dynamic.update(run_input.get("dynamic_variables") or {})
        run.runtime.update(run_input.get("runtime_variables") or {})
        if command == "pause":
            node = self._node(run, run.parked_node) if run.parked_node else {"logical_id": None}
            events.append(self._node_event("pause_event", node, run) if run.parked_node
                          else self._event("pause_event"))
            events.append(self._event("pause_thread", last_node_logical_id=run.parked_node))
            run.status = "paused"
            return self._close_turn(run, run_input, events)
        run.status = "running"
        try:
            if not run.graph["node_configs"] and not self.ctx.strict:
                self._default_conversation(run, pending, events)
            else:
                self._walk(run, run_input, pending, events)
        except TurnError as exc:
            run.status, run.error, run.termination_source = "failed", str(exc), "execution_error"
            events.append(self._event("workflow_error", error_message=str(exc),
                                      stack_trace=None, llm_token_usage=self.usage(),
                                      llm_latency_stats=self.latency()))
        return self._close_turn(run, run_input, events)

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
        base = {"run_input": run_input, "evaluation": {}, "iteration_end_state_miscellaneous": {
                    "active_thread_ids": [] if run.completed else ["0"],
                    "thread_id_to_nodes_history": {"0": list(run.node_runs)}},
                "comments": [], "ratings": []}
        # The pair inside the event carries no events (as recorded); the stored one has them.
        marker = {**base, "run_output": {"events": [], "thread_to_node_outputs": {}}}
        events.append(self._event("end_workflow_iteration", iteration_number=run.turn_number,
                                  run_input_output_pair=marker, iteration_metrics={
                                      "e2e_latency_milliseconds": 0,
                                      "nodes_executed_count": sum(run.node_runs.values()),
                                      "llm_call_count": 0, "tool_call_count": 0,
                                      "llm_call_latency_stats": self.latency(),
                                      "tool_call_latency_stats": self.latency()}))
        if run.status == "completed":
            events.append(self._event("end_workflow", llm_token_usage=self.usage(),
                                      llm_latency_stats=self.latency()))
        elif run.status == "waiting_for_user_input":
            events.append(self._event("workflow_ready_for_input", active_companion_thread_ids=[]))
        run.pairs.append({**base, "run_output": {"events": events,
                                                 "thread_to_node_outputs": {}}})
        return events

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
            if kind == "say_llm" and node.get("wait_for_user_message", True) and fresh is None:
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
                    events.append(self._node_event("discarded_main_llm", node, run,
                                                   message=self._ai_message(""),
                                                   llm_usage_info=self.llm_usage_info(),
                                                   reason="global_condition_matched"
                                                   if edge.get("name", "").startswith("global:")
                                                   else "conditional_edge_matched"))
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
            if target is None:
                if kind == "say_llm" and node.get("self_loop", True):
                    events.append(self._edge_event("self_loop_edge", None, node, node, run,
                                                   "Self loop: waiting for the user"))
                    self._park(run, node, events)
                    return
                events.append(self._event("end_thread", last_node_logical_id=node["logical_id"]))
                run.status, run.parked_node = "completed", None
                return
            run.loop_attempts.pop(node["logical_id"], None)
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
        retries = run.loop_attempts.get(lid, 0)
        gap = float(config.get("time_between_retries") or 0)
        outcome = None
        if config.get("max_retries") is not None and retries >= int(config["max_retries"]):
            outcome = "max_retries"
        elif config.get("expiry_time") is not None and (retries + 1) * gap >= float(
                config["expiry_time"]):
            outcome = "expiry_time"
        if outcome is not None:
            run.loop_attempts.pop(lid, None)
            run.runtime["self_loop_outcome"] = outcome
            events.append(self._edge_event("self_loop_exhausted", None, node, node, run,
                                           f"Self loop stopped: {outcome}", outcome=outcome,
                                           total_attempts=retries + 1))
            return "exhausted"
        run.loop_attempts[lid] = retries + 1
        events.append(self._edge_event("self_loop_delay", None, node, node, run,
                                       "Waiting before the next attempt", delay_seconds=gap,
                                       attempt_number=retries + 1))
        events.append(self._edge_event("self_loop_edge", None, node, node, run,
                                       "Bounded self loop: no edge matched, retrying"))
        return "retry"

    def _park(self, run: Run, node: dict[str, Any], events: list[dict[str, Any]]) -> None:
        events.append(self._node_event("busy_wait_for_user_message", node, run))
        events.append(self._event("pause_thread", last_node_logical_id=node["logical_id"]))
        run.parked_node, run.status = node["logical_id"], "waiting_for_user_input"

    def _execute(self, run: Run, node: dict[str, Any], message: str | None,
                 events: list[dict[str, Any]]) -> None:
        lid = node["logical_id"]
        run.node_runs[lid] = run.node_runs.get(lid, 0) + 1
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
            run.runtime.update(structured)
            output["structured_output"] = structured
            if kind == "say_llm":
                text = script.reply if script and script.reply else llm.default_reply(
                    self.ctx.seed, str(node.get("name") or "assistant"), message,
                    run.logical_id, run.node_runs[lid])
                self._say(run, node, self.substitute(text, run), events, "say_llm", None)
            else:
                events.append(self._node_event("worker_llm", node, run, message=self._ai_message(
                    "", None), llm_usage_info=self.llm_usage_info()))
            run.script_route = script.route if script else None
            run.script_end = bool(script and script.end)
        elif kind == "tool_node":
            self._tool(run, node, output)
        elif kind == "no_op":
            name = node.get("output_runtime_variable_name") or "no_op_result"
            run.runtime[name] = None
            run.runtime[f"{name}_success"] = not node.get("simulate_failure", False)
            output.update(success=run.runtime[f"{name}_success"],
                          error_message="Simulated failure" if node.get("simulate_failure")
                          else None)
        elif kind == "http_request":
            name = node.get("result_runtime_variable_name") or "http_request_result"
            url = self.substitute(str(node.get("url") or ""), run)
            body = {"emulated": True, "url": url}
            run.runtime[name] = body
            events.append(self._node_event("http_request", node, run, curl_command=(
                f"curl -X {node.get('method') or 'GET'} {url}"), status_code=200,
                response_body=body, error=None))
            output.update(curl_command=f"curl {url}", success=True, http_status_code=200,
                          http_response=body)
        elif kind in ("start_conversation", "end_conversation", "send_sms"):
            extra = {"start_conversation": {"conversation_status": "started",
                                            "conversation_id": f"conv_{self.ctx.uuid()}"},
                     "end_conversation": {"processed_transcript": self._transcript(run)},
                     "send_sms": {"status": "sent", "sent_message": None,
                                  "destination_phone_number": node.get("phone_number")}}[kind]
            events.append(self._node_event(kind, node, run, **extra))
        events.append(self._node_event("end_node_run", node, run, run_output=output))
        events.append(self._event("workflow_show_state", thread_id="0",
                                  runtime_variables=dict(run.runtime),
                                  workflow_runtime_variables={
                                      "_input_dynamic_variables": dict(run.dynamic)}))

    def _say(self, run: Run, node: dict[str, Any], text: str, events: list[dict[str, Any]],
             kind: str, message_type: str | None) -> None:
        message = self._ai_message(text, message_type)
        run.history.append(message)
        fields = {"message": message}
        if kind == "say_llm":
            fields["llm_usage_info"] = self.llm_usage_info()
        events.append(self._node_event(kind, node, run, **fields))
        events.append(self._node_event(
            "assistant_response", node, run, content=text,
            response_metadata={"message_type": message_type} if message_type else {},
            llm_usage_info=self.llm_usage_info()) | {"logical_id": message["id"]})

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
        # Tool code is data: never executed. A script supplies the result, else a stub.
        result = script.tool_result if script and script.tool_result is not None else {
            "emulated": True, "tool": tool.get("name") or tool.get("type"), "arguments": args}
        run.runtime.update({name: result, f"{name}_success": True, f"{name}_error": None})
        output.update(success=True, tool_result=result, error_message=None)

    def _transcript(self, run: Run) -> str:
        return "\n".join(f"{m.get('type')}: {m.get('content')}" for m in run.history)

    # ---------------------------------------------------------------- routing
    def _route(self, run: Run, node: dict[str, Any], message: str | None,
               conditionals_allowed: bool, events: list[dict[str, Any]]
               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        lid = node["logical_id"]
        outgoing = [e for e in run.graph["edge_configs"] if e.get("source_node_logical_id") == lid]
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
                                           args_filled=None, global_node_logical_id=lid))
            return edge, back
        if forced:
            for edge in outgoing:
                target = self._node(run, edge["destination_node_logical_id"])
                if forced in (edge.get("name"), target.get("name"), target.get("logical_id")):
                    return edge, self._take(run, edge, node, target, "Scripted route", events)
        if conditionals_allowed:
            edge, target = self._conditional(run, node, message, events)
            if target is not None:
                return edge, target
        for edge in outgoing:
            companion = (edge.get("companion_thread_config") or {}).get("is_companion_thread")
            if edge.get("type") == "direct" and not companion:
                target = self._node(run, edge["destination_node_logical_id"])
                return edge, self._take(run, edge, node, target,
                                        f"Direct edge triggered from {node.get('name')} to "
                                        f"{target.get('name')}", events)
        return None, None

    def _conditional(self, run: Run, node: dict[str, Any], message: str | None,
                     events: list[dict[str, Any]]
                     ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Global-node conditions (LLM nodes), then the node's conditional edges."""
        lid = node["logical_id"]
        if node.get("type") in LLM_NODES:
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
        extra = {"super_node_exit_origin": None, "args_filled": None} \
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
        statics = ((edge.get("condition") or {}).get("static_messages_config") or {}).get(
            "static_messages") or []
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

    # ---------------------------------------------------------------- node-less workflows
    def _default_conversation(self, run: Run, message: str | None,
                              events: list[dict[str, Any]]) -> None:
        """Emulator-only (spec §6.7): a workflow without nodes still converses. It greets,
        answers each turn (``dynamic_variables.user_message`` counts as the message), and
        completes on an end keyword or after DEFAULT_CONVERSATION_TURNS user turns."""
        node = {"logical_id": "node_emulator_default", "name": "Assistant", "type": "say_llm"}
        loose = run.dynamic.pop("user_message", None)
        if message is None and loose:
            message = str(loose)
            run.user_turns += 1  # thread messages were counted when the turn began
        self._execute(run, node, message, events)
        ended = bool(message) and any(k in message.lower() for k in llm.END_KEYWORDS)
        if ended or run.user_turns >= DEFAULT_CONVERSATION_TURNS:
            events.append(self._event("end_thread", last_node_logical_id=node["logical_id"]))
            run.status = "completed"
        else:
            self._park(run, node, events)
