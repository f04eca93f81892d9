"""What executing a node does, per node type: one handler each, looked up in :data:`HANDLERS`.

:func:`execute` does the part every type shares (counters, ``start_node_run``,
``end_node_run``, ``workflow_show_state``); a handler adds only what its type does in between,
writing into the thread's runtime variables and the ``run_output`` it is given. A type without a
handler (a newer or unknown one) still runs, as a node that does nothing, because graphs saved
with types this emulator does not model must not fail a run. Routing never lives here: what a
node does and where the thread goes next are separate concerns (see ``routing``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.interactly import llm
from emulator.interactly.engine.run import LLM_NODES, TurnError
from emulator.interactly.engine.step import Step
from emulator.interactly.engine.text import substitute, transcript
from emulator.interactly.usage import llm_usage_info

#: (step, node, the user message the node may answer, the node's ``run_output``) -> None
Handler = Callable[[Step, dict[str, Any], str | None, dict[str, Any]], None]


def execute(step: Step, node: dict[str, Any], message: str | None) -> None:
    run, lid = step.run, node["logical_id"]
    run.node_runs[lid] = run.node_runs.get(lid, 0) + 1
    run.completions[lid] = run.completions.get(lid, 0) + 1
    kind: Any = node.get("type")
    run_input = {"type": "llm", "node_logical_id": lid, "messages": run.history[-1:]} \
        if kind in LLM_NODES and message else None
    step.emit_node("start_node_run", node, run_input=run_input)
    output: dict[str, Any] = {"type": kind, "node_logical_id": lid,
                              "node_run_id": str(run.node_runs[lid]), "events": []}
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(step, node, message, output)
    step.emit_node("end_node_run", node, run_output=output)
    step.emit("workflow_show_state", thread_id="0", runtime_variables=dict(step.thread.runtime),
              workflow_runtime_variables={"_input_dynamic_variables": dict(run.dynamic)})


def say(step: Step, node: dict[str, Any], text: str, kind: str,
        message_type: str | None) -> None:
    """Speak ``text`` as ``node``: into the chat history, and as the node's own event plus the
    ``assistant_response`` clients render. Edges speak through this too (static messages of a
    conditional edge), which is why it is not a handler."""
    message = step.ai_message(text, message_type)
    step.run.history.append(message)
    fields = {"message": message}
    if kind == "say_llm":
        fields["llm_usage_info"] = llm_usage_info()
    step.emit_node(kind, node, **fields)
    step.events.append(step.node_event(
        "assistant_response", node, content=text,
        response_metadata={"message_type": message_type} if message_type else {},
        llm_usage_info=llm_usage_info()) | {"logical_id": message["id"]})


# ---------------------------------------------------------------------------- LLM nodes
def _llm(step: Step, node: dict[str, Any], message: str | None,
         output: dict[str, Any]) -> llm.LLMScript | None:
    """What both LLM node types share: a scripted reply if one is queued (it may fail the
    turn), structured output into the thread's variables."""
    script = step.ctx.scripts.take(step.run.workflow_id, str(node.get("name") or ""),
                                   node["logical_id"], message)
    if script is not None and script.fail:
        raise TurnError(script.fail)
    structured = (script.structured_output if script and script.structured_output
                  is not None else llm.extract(node.get("structured_output_schema"), message))
    step.thread.runtime.update(structured)
    output["structured_output"] = structured
    return script


def _scripted_routing(step: Step, script: llm.LLMScript | None) -> None:
    """A script may choose the next edge or end the thread; routing reads this right after
    the node ran (and clears it)."""
    step.run.script_route = script.route if script else None
    step.run.script_end = bool(script and script.end)


def say_llm(step: Step, node: dict[str, Any], message: str | None,
            output: dict[str, Any]) -> None:
    script = _llm(step, node, message, output)
    run = step.run
    text = script.reply if script and script.reply else llm.default_reply(
        step.ctx.seed, str(node.get("name") or "assistant"), message, run.logical_id,
        run.node_runs[node["logical_id"]])
    say(step, node, substitute(text, run, step.thread), "say_llm", None)
    _scripted_routing(step, script)


def worker_llm(step: Step, node: dict[str, Any], message: str | None,
               output: dict[str, Any]) -> None:
    script = _llm(step, node, message, output)
    step.emit_node("worker_llm", node, message=step.ai_message("", None),
                   llm_usage_info=llm_usage_info())
    _scripted_routing(step, script)


# ---------------------------------------------------------------------------- static message
def say_static(step: Step, node: dict[str, Any], message: str | None,
               output: dict[str, Any]) -> None:
    say(step, node, static_text(step, node), "say_static", "static")


def static_text(step: Step, node: dict[str, Any]) -> str:
    """The message for this execution: in turn by default, or a seeded pick so a replayed
    run says the same thing."""
    run = step.run
    config = node.get("static_messages_config") or {}
    options = [m for m in config.get("static_messages") or [] if m] or [""]
    if config.get("static_messages_selection_mode") == "random":
        pick = llm.seeded_choice(step.ctx.seed, run.logical_id, node["logical_id"],
                                 run.node_runs[node["logical_id"]])
    else:
        pick = run.node_runs[node["logical_id"]] - 1
    return substitute(options[pick % len(options)], run, step.thread)


# ---------------------------------------------------------------------------- tools and I/O
def tool_node(step: Step, node: dict[str, Any], message: str | None,
              output: dict[str, Any]) -> None:
    run, thread = step.run, step.thread
    tool = node.get("tool_config") or {}
    name = node.get("result_runtime_variable_name") or "tool_result"
    if name == "tool_result" and tool.get("result_runtime_variable_name"):
        name = tool["result_runtime_variable_name"]
    args = {k: substitute(v, run, thread) if isinstance(v, str) else v
            for k, v in (node.get("tool_arguments") or {}).items()}
    script = step.ctx.scripts.take(run.workflow_id, str(node.get("name") or ""),
                                   node["logical_id"], None)
    # Tool code is data: a script supplies the result, else (opt-in) the sandbox runs
    # inline_python code in an isolated child process, else a stub answers.
    success, error = True, None
    if script and script.tool_result is not None:
        result = script.tool_result
    elif step.ctx.execute_tools and tool.get("type") == "inline_python" and tool.get("code"):
        from emulator.interactly import sandbox  # only for those who opted in

        outcome = sandbox.run_inline(str(tool["code"]), str(tool.get("name") or ""), args,
                                     float(tool.get("timeout_seconds") or 5))
        result, success, error = outcome.result, outcome.success, outcome.error
    else:
        result = {"emulated": True, "tool": tool.get("name") or tool.get("type"),
                  "arguments": args}
    thread.runtime.update({name: result, f"{name}_success": success, f"{name}_error": error})
    output.update(success=success, tool_result=result, error_message=error)


def no_op(step: Step, node: dict[str, Any], message: str | None,
          output: dict[str, Any]) -> None:
    runtime = step.thread.runtime
    name = node.get("output_runtime_variable_name") or "no_op_result"
    runtime[name] = None
    runtime[f"{name}_success"] = not node.get("simulate_failure", False)
    output.update(success=runtime[f"{name}_success"],
                  error_message="Simulated failure" if node.get("simulate_failure") else None)


def http_request(step: Step, node: dict[str, Any], message: str | None,
                 output: dict[str, Any]) -> None:
    """Never leaves the machine: the response is an echo of the substituted URL."""
    name = node.get("result_runtime_variable_name") or "http_request_result"
    url = substitute(str(node.get("url") or ""), step.run, step.thread)
    body = {"emulated": True, "url": url}
    step.thread.runtime[name] = body
    step.emit_node("http_request", node, curl_command=(
        f"curl -X {node.get('method') or 'GET'} {url}"), status_code=200,
        response_body=body, error=None)
    output.update(curl_command=f"curl {url}", success=True, http_status_code=200,
                  http_response=body)


def super_node(step: Step, node: dict[str, Any], message: str | None,
               output: dict[str, Any]) -> None:
    """Only hands its field values to the embedded workflow; entering that workflow is an
    edge the router takes (``supernodes.expand`` put it in the graph as ``_entry``)."""
    if "_entry" not in node:
        raise TurnError(f"Super node {node.get('name')} has no workflow to run: set "
                        "encapsulated_workflow_config or a super_workflow_id that exists")
    run = step.run
    run.dynamic.update({k: substitute(v, run, step.thread) if isinstance(v, str) else v
                        for k, v in (node.get("field_values") or {}).items()})


# ---------------------------------------------------------------------------- conversations
# Every conversation node draws a conversation id, used or not: ids come from one seeded
# sequence, and drawing fewer would change every id a recorded run shows after this node.
def start_conversation(step: Step, node: dict[str, Any], message: str | None,
                       output: dict[str, Any]) -> None:
    step.emit_node("start_conversation", node, conversation_status="started",
                   conversation_id=f"conv_{step.ctx.uuid()}")


def end_conversation(step: Step, node: dict[str, Any], message: str | None,
                     output: dict[str, Any]) -> None:
    step.ctx.uuid()
    step.emit_node("end_conversation", node, processed_transcript=transcript(step.run))


def send_sms(step: Step, node: dict[str, Any], message: str | None,
             output: dict[str, Any]) -> None:
    step.ctx.uuid()
    step.emit_node("send_sms", node, status="sent", sent_message=None,
                   destination_phone_number=node.get("destination_phone_number"))


HANDLERS: dict[str, Handler] = {
    "say_llm": say_llm,
    "worker_llm": worker_llm,
    "say_static": say_static,
    "tool_node": tool_node,
    "no_op": no_op,
    "http_request": http_request,
    "super_node": super_node,
    "start_conversation": start_conversation,
    "end_conversation": end_conversation,
    "send_sms": send_sms,
}
