"""Companion threads, evaluate-while-waiting edges and super nodes in the engine, on a manually
moved clock (no HTTP)."""

import itertools

import pytest

from emulator.core.clock import VirtualClock
from emulator.interactly import supernodes
from emulator.interactly.engine import Context, Engine, Run
from emulator.interactly.llm import LLMScript, LLMScripts
from tests.unit.test_interactly_engine import START, edge, node, said, say, types


def world(nodes, edges, scripts=None):
    clock = VirtualClock("manual")
    counter = itertools.count()
    queue = LLMScripts()
    queue.push(scripts or [])
    engine = Engine(Context(now=clock.now, uuid=lambda: f"u{next(counter)}", seed=0,
                            scripts=queue))
    graph = supernodes.expand({"workflow_config": {"name": "t"}, "node_configs": nodes,
                               "edge_configs": edges, "dynamic_variables": {}},
                              lambda wid, version: None)
    run = Run(id="r" * 24, logical_id="workflow_run_x", workflow_id="w" * 24,
              version_number=0, version_name="v0", graph=graph, team_id="", run_by=None,
              created_at="")
    return engine, run, clock


def poller_graph(lands_at=3, trigger_mode=None, debounce=None, max_transitions=None):
    """The SDK's background e2e graph: Entry forks a polling companion ("bg") and continues to
    Chat, which waits; a waiting edge on Chat reads the companion's variable."""
    waiting = {"enabled": True, "trigger_node_logical_ids": ["poller"]}
    if trigger_mode:
        waiting = {"enabled": True, "trigger_mode": trigger_mode,
                   "min_seconds_between_evaluations": debounce}
    if max_transitions:
        waiting["max_transitions_per_wait"] = max_transitions
    nodes = [node("entry", "no_op", "Entry", is_start=True),
             node("poller", "tool_node", "Poller", result_runtime_variable_name="attempts",
                  tool_config={"type": "inline_python", "name": "poll", "code": "x"},
                  self_loop_config={"enabled": True, "max_retries": 8, "expiry_time": 60,
                                    "time_between_retries": 2}),
             node("landed", "no_op", "Landed", output_runtime_variable_name="landed"),
             node("chat", "say_llm", "Chat"),
             node("deliver", "say_static", "Deliver",
                  static_messages_config={"static_messages": ["finished after [[thread_bg."
                                                              "attempts]] polls"]})]
    edges = [edge("entry", "chat"),
             edge("entry", "poller", companion_thread_config={"is_companion_thread": True,
                                                             "thread_id": "bg"}),
             edge("poller", "landed", "conditional",
                  condition={"condition_expression": f"[[attempts]] >= {lands_at}"}),
             edge("chat", "deliver", "conditional",
                  condition={"condition_expression": f"[[thread_bg.attempts]] >= {lands_at}"},
                  evaluate_while_waiting_config=waiting)]
    scripts = [LLMScript(node="Poller", tool_result=n) for n in range(1, 9)]
    return nodes, edges, scripts


def test_fork_runs_the_first_companion_step_in_the_turn_and_reports_internal_ids():
    engine, run, _ = world(*poller_graph())
    events = engine.turn(run, START, "start")
    kinds = types(events)
    assert kinds.index("companion_edge") < kinds.index("busy_wait_for_user_message")
    assert kinds.count("companion_step_boundary") == 1
    ready = events[-1]
    assert ready["type"] == "workflow_ready_for_input"
    assert ready["active_companion_thread_ids"] == ["0_companion_bg"]
    poller_events = [e for e in events if e.get("origin_node_logical_id") == "poller"]
    assert poller_events and all(e["origin_thread_id"] == "0_companion_bg"
                                 and e["thread_reference_id"] == "bg" for e in poller_events)
    assert run.status == "waiting_for_user_input" and run.background_work
    assert run.companions["0_companion_bg"].runtime["attempts"] == 1
    assert "attempts" not in run.runtime  # thread-local variables


def test_pumps_do_nothing_until_the_clock_reaches_the_next_step():
    engine, run, clock = world(*poller_graph())
    engine.turn(run, START, "start")
    assert engine.pump(run) == []
    assert engine.next_due(run) == clock.now() + 2
    clock.advance(2)
    second = engine.pump(run)
    assert types(second).count("companion_step_boundary") == 1
    boundary = next(e for e in second if e["type"] == "waiting_evaluation_boundary")
    assert boundary["transitioned"] is False and boundary["still_waiting"] is True
    assert run.status == "waiting_for_user_input"


def test_the_waiting_edge_fires_when_the_companion_lands_and_the_run_completes():
    engine, run, clock = world(*poller_graph())
    engine.turn(run, START, "start")
    clock.advance(4)  # both remaining steps are due: one pump runs them in order
    events = engine.pump(run)
    kinds = types(events)
    matched = next(e for e in events if e["type"] == "waiting_condition_matched")
    assert matched["hydrated_condition_expression"] == "3 >= 3"
    assert matched["transitions_this_wait"] == 1 and matched["trigger_mode"] == \
        "on_node_completion"
    assert said(events) == ["finished after 3 polls"]
    assert kinds.index("waiting_condition_matched") < kinds.index("assistant_response")
    assert kinds[-1] == "end_workflow" and run.status == "completed"
    assert not run.background_work and engine.next_due(run) is None
    stored = [e["type"] for e in run.pairs[-1]["run_output"]["events"]]
    assert "waiting_condition_matched" in stored and stored[-1] == "end_workflow"
    # Non-transitioning evaluations are streamed but not stored.
    assert all(e["transitioned"] for e in run.pairs[-1]["run_output"]["events"]
               if e["type"] == "waiting_evaluation_boundary")


def test_a_companion_that_never_lands_exhausts_and_the_run_keeps_waiting():
    engine, run, clock = world(*poller_graph(lands_at=99))
    engine.turn(run, START, "start")
    clock.advance(60)
    events = engine.pump(run)
    exhausted = next(e for e in events if e["type"] == "self_loop_exhausted")
    assert exhausted["outcome"] == "max_retries" and exhausted["total_attempts"] == 9
    assert events[-1]["type"] == "waiting_evaluation_boundary" or "end_thread" in types(events)
    assert not run.active_companions() and run.status == "waiting_for_user_input"
    assert not run.background_work  # nothing can arm the waiting edge any more
    reply = engine.turn(run, say("still there?"), "data")
    assert reply[-1]["active_companion_thread_ids"] == []


def test_main_thread_end_waits_for_companions_before_end_workflow():
    nodes = [node("entry", "no_op", "Entry", is_start=True),
             node("bye", "say_static", "Bye", static_messages_config={"static_messages": ["bye"]}),
             node("work", "no_op", "Work", self_loop_config={"enabled": True, "max_retries": 2,
                                                             "time_between_retries": 5})]
    edges = [edge("entry", "bye"), edge("entry", "work", companion_thread_config={
        "is_companion_thread": True})]
    engine, run, clock = world(nodes, edges)
    events = engine.turn(run, START, "start")
    assert "end_workflow" not in types(events) and run.status == "running"
    assert run.background_work and not run.waiting
    unnamed = next(iter(run.companions.values()))
    assert unnamed.internal_id == f"0_companion_{unnamed.reference_id}"
    clock.advance(10)
    events = engine.pump(run)
    assert types(events)[-1] == "end_workflow" and run.status == "completed"


def test_blind_polling_is_debounced_and_bounded_per_wait():
    nodes, edges, scripts = poller_graph(trigger_mode="on_every_background_tick", debounce=3,
                                         lands_at=1, max_transitions=1)
    nodes[4]["type"], nodes[4]["self_loop"] = "say_llm", True  # Deliver waits again
    edges.append(edge("deliver", "chat"))
    engine, run, clock = world(nodes, edges, scripts)
    first = engine.turn(run, START, "start")
    # Evaluated at the park (attempts unset), then after the companion's step, within 3 s: no.
    assert types(first).count("waiting_evaluation_boundary") == 1
    clock.advance(3)
    moved = engine.pump(run)
    assert "waiting_condition_matched" in types(moved)
    assert run.parked_node == "deliver"


def test_stop_ends_companions():
    engine, run, _ = world(*poller_graph())
    engine.turn(run, START, "start")
    assert run.active_companions()
    run.status = "cancelled"
    assert engine.pump(run) == [] and not engine.has_background_work(run)


@pytest.mark.parametrize("by", ["encapsulated", "reference"])
def test_super_node_runs_its_workflow_inline_then_continues_on_its_own_edges(by):
    sub = {"workflow_config": {"name": "sub"},
           "node_configs": [node("s1", "say_static", "Inner", is_start=True,
                                 static_messages_config={"static_messages": ["inside {{who}}"]})],
           "edge_configs": []}
    extra = {"encapsulated_workflow_config": sub} if by == "encapsulated" else {
        "super_workflow_id": "a" * 24}
    nodes = [node("sup", "super_node", "Sub", is_start=True, field_values={"who": "Ada"},
                  **extra),
             node("after", "say_static", "After", static_messages_config={
                 "static_messages": ["after"]})]
    graph = {"workflow_config": {"name": "t"}, "node_configs": nodes,
             "edge_configs": [edge("sup", "after")], "dynamic_variables": {}}
    supernodes.expand(graph, lambda wid, version: sub if wid == "a" * 24 else None)
    engine, run, _ = world(graph["node_configs"], graph["edge_configs"])
    events = engine.turn(run, START, "start")
    assert said(events) == ["inside Ada", "after"] and run.status == "completed"
    assert any(e.get("origin_node_logical_id") == "sup/s1" for e in events)


def test_nested_super_nodes_and_a_super_node_without_a_workflow():
    inner = {"node_configs": [node("i", "say_static", "I", is_start=True,
                                   static_messages_config={"static_messages": ["deep"]})],
             "edge_configs": []}
    middle = {"node_configs": [node("m", "super_node", "M", is_start=True,
                                    encapsulated_workflow_config=inner),
                               node("m2", "say_static", "M2",
                                    static_messages_config={"static_messages": ["middle"]})],
              "edge_configs": [edge("m", "m2")]}
    engine, run, _ = world([node("top", "super_node", "Top", is_start=True,
                                 encapsulated_workflow_config=middle)], [])
    assert said(engine.turn(run, START, "start")) == ["deep", "middle"]
    assert run.status == "completed"
    engine, run, _ = world([node("top", "super_node", "Top", is_start=True,
                                 super_workflow_id="b" * 24)], [])
    events = engine.turn(run, START, "start")
    assert run.status == "failed" and "no workflow to run" in events[-2]["error_message"]
