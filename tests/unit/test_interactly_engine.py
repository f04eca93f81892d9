"""The Interactly run engine without HTTP: node types, edges, variables, loop guard, errors."""

import itertools
import os

import pytest

from emulator.interactly.engine import Context, Engine, Run
from emulator.interactly.llm import LLMScript, LLMScripts


def node(lid, kind, name=None, **extra):
    return {"logical_id": lid, "type": kind, "name": name or lid, **extra}


def edge(src, dst, kind="direct", **extra):
    return {"type": kind, "source_node_logical_id": src, "destination_node_logical_id": dst,
            "name": f"{src}->{dst}", "logical_id": f"edge_{src}_{dst}", **extra}


def world(nodes, edges, scripts=None, misc=None, dynamic=None, strict=False):
    counter = itertools.count()
    queue = LLMScripts()
    if scripts:
        queue.push(scripts)
    engine = Engine(Context(now=lambda: 1000.0, uuid=lambda: f"u{next(counter)}", seed=0,
                            scripts=queue, strict=strict))
    graph = {"workflow_config": {"name": "t", "miscellaneous": misc or {}},
             "node_configs": nodes, "edge_configs": edges, "dynamic_variables": {}}
    run = Run(id="r" * 24, logical_id="workflow_run_x", workflow_id="w" * 24,
              version_number=0, version_name="v0", graph=graph, team_id="", run_by=None,
              created_at="", dynamic=dict(dynamic or {}))
    return engine, run


def say(text):
    return {"command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "messages": [{"type": "human", "content": text}]}]}}}


START = {"command": "start", "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}


def types(events):
    return [e["type"] for e in events]


def said(events):
    return [e["content"] for e in events if e["type"] == "assistant_response"]


def test_static_hi_bye_completes_in_one_turn_with_the_recorded_event_order():
    engine, run = world(
        [node("a", "say_static", "Greeting", is_start=True,
              static_messages_config={"static_messages": ["hi"]}),
         node("b", "say_static", "Goodbye", static_messages_config={"static_messages": ["bye"]})],
        [edge("a", "b")])
    events = engine.turn(run, START, "start")
    assert types(events) == [
        "start_node_run", "say_static", "assistant_response", "end_node_run",
        "workflow_show_state", "direct_edge", "workflow_navigation_message",
        "start_node_run", "say_static", "assistant_response", "end_node_run",
        "workflow_show_state", "end_thread", "end_workflow_iteration", "end_workflow"]
    assert said(events) == ["hi", "bye"] and run.status == "completed"
    assert events[2]["response_metadata"] == {"message_type": "static"}
    assert events[5]["reason"] == "Direct edge triggered from Greeting to Goodbye"


def test_llm_node_waits_then_answers_and_waits_again():
    engine, run = world([node("g", "say_llm", "Guide", is_start=True)], [])
    first = engine.turn(run, START, "start")
    assert types(first)[:2] == ["busy_wait_for_user_message", "pause_thread"]
    assert types(first)[-1] == "workflow_ready_for_input" and run.waiting
    second = engine.turn(run, say("hello there"), "data")
    assert types(second)[0] == "user_messages"
    assert len(said(second)) == 1
    assert said(second)[0].startswith('[Guide] You said: "hello there". ')
    assert "self_loop_edge" in types(second) and run.status == "waiting_for_user_input"


def test_same_seed_same_inputs_same_events():
    def transcript():
        engine, run = world([node("g", "say_llm", "Guide", is_start=True)], [])
        engine.turn(run, START, "start")
        return engine.turn(run, say("what now?"), "data")

    assert transcript() == transcript()


def test_freeform_and_expression_conditions_route():
    nodes = [node("g", "say_llm", "Front", is_start=True),
             node("b", "say_static", "Billing", static_messages_config={
                 "static_messages": ["Billing for [[full_name]]"]}),
             node("v", "say_static", "VIP", static_messages_config={"static_messages": ["vip"]})]
    edges = [edge("g", "v", "conditional", condition={"condition_expression": "[[tier]] == 'vip'"}),
             edge("g", "b", "conditional", condition={
                 "condition_freeform": "The user asks about billing"})]
    engine, run = world(nodes, edges)
    run.runtime["full_name"] = "Ada"
    engine.turn(run, START, "start")
    events = engine.turn(run, say("I have a billing question"), "data")
    assert "conditional_edge" in types(events) and said(events)[-1] == "Billing for Ada"
    assert run.status == "completed"
    engine, run = world(nodes, edges)
    engine.turn(run, {**START, "runtime_variables": {"tier": "vip"}}, "start")
    events = engine.turn(run, say("hello"), "data")
    assert said(events)[-1] == "vip"


def test_bad_expression_fails_the_turn_cleanly():
    engine, run = world([node("g", "say_static", "A", is_start=True,
                              static_messages_config={"static_messages": ["x"]}),
                         node("h", "say_static", "B")],
                        [edge("g", "h", "conditional", condition={
                            "condition_expression": "[[x]] === 1"})])
    events = engine.turn(run, START, "start")
    assert run.status == "failed" and "Invalid condition expression" in run.error
    assert types(events)[-2:] == ["workflow_error", "end_workflow_iteration"]


def test_no_start_node_is_a_workflow_error():
    engine, run = world([node("a", "say_static")], [])
    engine.turn(run, START, "start")
    assert run.status == "failed" and run.error == "No start node found"


def test_loop_guard_aborts():
    engine, run = world([node("a", "no_op", is_start=True), node("b", "no_op")],
                        [edge("a", "b"), edge("b", "a")])
    events = engine.turn(run, START, "start")
    assert run.status == "aborted_looping_risk" and run.completed
    assert "workflow_warning" in types(events)


def test_worker_extracts_and_tool_node_never_runs_code():
    code = "import os\nos.system('touch /tmp/pwned')\n"
    nodes = [node("w", "worker_llm", "Extractor", is_start=True, structured_output_schema={
                 "properties": {"full_name": {"type": "string"}}}),
             node("t", "tool_node", "Lookup", tool_config={"type": "inline_python",
                                                            "name": "lookup", "code": code},
                  tool_arguments={"who": "[[full_name]]"}, result_runtime_variable_name="found"),
             node("s", "say_static", "Done", static_messages_config={
                 "static_messages": ["Found [[found_success]] for {{company}}"]})]
    engine, run = world(nodes, [edge("w", "t"), edge("t", "s")], dynamic={"company": "Acme"})
    events = engine.turn(run, say("full name: Ada Lovelace"), "start")
    assert run.runtime["full_name"] == "Ada Lovelace"
    assert run.runtime["found"]["arguments"] == {"who": "Ada Lovelace"}
    assert said(events) == ["Found True for Acme"]
    assert not os.path.exists("/tmp/pwned")


def test_scripts_reply_route_structured_output_and_fail():
    nodes = [node("g", "say_llm", "Front", is_start=True),
             node("x", "say_static", "Exit", static_messages_config={"static_messages": ["bye"]})]
    scripts = [LLMScript(node="Front", reply="Scripted hello", route="Exit",
                         structured_output={"intent": "leave"})]
    engine, run = world(nodes, [edge("g", "x", "conditional", condition={
        "condition_freeform": "never"})], scripts=scripts)
    engine.turn(run, START, "start")
    events = engine.turn(run, say("anything"), "data")
    assert said(events) == ["Scripted hello", "bye"] and run.runtime["intent"] == "leave"
    engine, run = world(nodes, [], scripts=[LLMScript(fail="model exploded")])
    engine.turn(run, START, "start")
    engine.turn(run, say("x"), "data")
    assert run.status == "failed" and run.error == "model exploded"


def test_global_node_interrupts_and_disabled_nodes_are_skipped():
    nodes = [node("g", "say_llm", "Front", is_start=True),
             node("e", "say_static", "Emergency", global_node_config={
                 "is_global": True, "condition": {"condition_freeform": "an emergency"}},
                  static_messages_config={"static_messages": ["Calling help"]}),
             node("d", "say_static", "Disabled", disabled=True,
                  static_messages_config={"static_messages": ["never"]})]
    engine, run = world(nodes, [edge("e", "d")])
    engine.turn(run, START, "start")
    events = engine.turn(run, say("this is an emergency"), "data")
    assert said(events)[-1] == "Calling help" and "never" not in said(events)
    assert run.status == "completed"


def test_pause_then_resume():
    engine, run = world([node("g", "say_llm", "Guide", is_start=True)], [])
    engine.turn(run, START, "start")
    events = engine.turn(run, {"command": "pause"}, "pause")
    assert types(events)[:2] == ["pause_event", "pause_thread"] and run.status == "paused"
    events = engine.turn(run, say("back"), "data")
    assert run.status == "waiting_for_user_input" and said(events)


@pytest.mark.parametrize("strict", [False, True])
def test_nodeless_workflow_default_conversation_or_strict_error(strict):
    engine, run = world([], [], strict=strict)
    engine.turn(run, START, "start")
    if strict:
        assert run.status == "failed" and run.error == "No start node found"
        return
    assert run.waiting
    engine.turn(run, {"command": "data", "dynamic_variables": {"user_message": "hello"}}, "data")
    assert run.waiting
    events = engine.turn(run, say("ok goodbye"), "data")
    assert run.status == "completed" and types(events)[-1] == "end_workflow"


@pytest.mark.parametrize("config, outcome, attempts", [
    ({"enabled": True, "max_retries": 2}, "max_retries", 3),
    ({"enabled": True, "expiry_time": 10, "time_between_retries": 4}, "expiry_time", 3),
])
def test_bounded_self_loop_retries_then_publishes_its_outcome(config, outcome, attempts):
    nodes = [node("p", "no_op", "Poll", is_start=True, self_loop_config=config),
             node("gave_up", "say_static", "GaveUp",
                  static_messages_config={"static_messages": ["gave up: [[self_loop_outcome]]"]}),
             node("ok", "say_static", "Ok", static_messages_config={"static_messages": ["ok"]})]
    edges = [edge("p", "ok", "conditional", condition={"condition_expression": "[[ready]]"}),
             edge("p", "gave_up", "conditional", condition={
                 "condition_expression": "isPresent([[self_loop_outcome]])"})]
    engine, run = world(nodes, edges)
    events = engine.turn(run, START, "start")
    exhausted = next(e for e in events if e["type"] == "self_loop_exhausted")
    assert (exhausted["outcome"], exhausted["total_attempts"]) == (outcome, attempts)
    assert types(events).count("self_loop_delay") == attempts - 1
    assert said(events) == [f"gave up: {outcome}"] and run.status == "completed"
    assert run.node_runs["p"] == attempts


def test_bounded_self_loop_stops_when_an_edge_matches():
    nodes = [node("p", "no_op", "Poll", is_start=True,
                  self_loop_config={"enabled": True, "max_retries": 5}),
             node("ok", "say_static", "Ok", static_messages_config={"static_messages": ["ok"]})]
    engine, run = world(nodes, [edge("p", "ok", "conditional", condition={
        "condition_expression": "[[ready]] == true"})])
    events = engine.turn(run, {**START, "runtime_variables": {"ready": True}}, "start")
    assert said(events) == ["ok"] and "self_loop_delay" not in types(events)


def test_global_node_reverse_edge_returns_to_where_it_was_entered():
    nodes = [node("front", "say_llm", "Front", is_start=True),
             node("help", "say_llm", "Help", global_node_config={
                 "is_global": True, "condition": {"condition_freeform": "the user needs help"},
                 "reverse_conditional_edge": {"condition_freeform": "the user says 'thanks'"}})]
    engine, run = world(nodes, [])
    engine.turn(run, START, "start")
    helped = engine.turn(run, say("I need help"), "data")
    assert run.parked_node == "help" and said(helped) == [said(helped)[0]]
    assert said(helped)[0].startswith("[Help]")  # the global node answers, Front is discarded
    assert "discarded_main_llm" in types(helped)
    back = engine.turn(run, say("thanks, all good"), "data")
    reverse = next(e for e in back if e["type"] == "reverse_conditional_edge")
    assert reverse["global_node_logical_id"] == "help"
    assert reverse["destination_node_logical_id"] == "front"
    # Help answers the message, then hands control back: Front waits for the next one.
    assert said(back)[-1].startswith("[Help]") and run.parked_node == "front"


def test_companion_edge_runs_a_worker_alongside_the_speaker():
    nodes = [node("chat", "say_llm", "Chat", is_start=True),
             node("x", "worker_llm", "Extract", structured_output_schema={
                 "properties": {"email": {"type": "string"}}}),
             node("done", "say_static", "Done", static_messages_config={
                 "static_messages": ["mailing [[email]]"]})]
    edges = [edge("chat", "x", "companion"),
             edge("chat", "done", "conditional", condition={
                 "condition_expression": "isPresent([[email]])"})]
    engine, run = world(nodes, edges)
    engine.turn(run, START, "start")
    events = engine.turn(run, say("email: ada@example.com"), "data")
    assert "companion_edge" in types(events) and run.runtime["email"] == "ada@example.com"
    assert said(events)[-1] == "mailing ada@example.com" and run.status == "completed"


def test_an_unnamed_conditional_edge_taken_instead_of_a_reply():
    """Edges uploaded by the SDK carry ``"name": null``; taking one must not crash."""
    nodes = [node("chat", "say_llm", "Chat", is_start=True),
             node("bye", "say_static", "Bye", static_messages_config={"static_messages": ["bye"]})]
    engine, run = world(nodes, [edge("chat", "bye", "conditional", name=None, condition={
        "condition_freeform": "the user wants to end the conversation"})])
    engine.turn(run, START, "start")
    events = engine.turn(run, say("i want to end the conversation"), "data")
    assert "conditional_edge" in types(events) and said(events) == ["bye"]
    # The service discards the main reply (with an event) for global conditions only.
    assert "discarded_main_llm" not in types(events)


def test_a_worker_waits_for_its_own_message_and_self_loops_until_its_condition_holds():
    """Example 4: a greeting answers turn 1, then an intake worker (wait_for_user_message,
    self_loop) collects fields over the next turns before routing on."""
    nodes = [node("greet", "say_llm", "Greeting", is_start=True, wait_for_user_message=False,
                  self_loop=False),
             node("intake", "worker_llm", "Intake", self_loop=True, structured_output_schema={
                 "properties": {"name": {}, "email": {}}}),
             node("done", "say_static", "Done",
                  static_messages_config={"static_messages": ["thanks [[name]]"]})]
    edges = [edge("greet", "intake"), edge("intake", "done", "conditional", condition={
        "condition_expression": "isPresent([[name]]) AND isPresent([[email]])"})]
    engine, run = world(nodes, edges)
    first = engine.turn(run, say("hello"), "start")
    assert run.parked_node == "intake" and len(said(first)) == 1
    engine.turn(run, say("name: Ada"), "data")
    assert run.parked_node == "intake" and run.status == "waiting_for_user_input"
    last = engine.turn(run, say("email: ada@example.com"), "data")
    assert said(last) == ["thanks Ada"] and run.status == "completed"


def test_the_keyword_judge_reads_quoted_phrases_not_apostrophes():
    from emulator.interactly.llm import judge

    end = ("Trigger this when the patient clearly indicates they're done and have no more "
           'questions. Examples: "No, that\'s all", "I\'m all set", "Thank you, goodbye"')
    assert not judge(end, "my name is Ada Lovelace, email: ada@example.com")
    assert judge(end, "No, that's all.") and judge(end, "ok I'm all set")
    assert judge(end, "thanks, goodbye")  # "goodbye" is a keyword the condition mentions
    assert judge("the caller says 'billing'", "it's about BILLING") is True
    assert not judge("the caller says 'billing'", None)
