"""The pieces of the Interactly engine package, each without HTTP and mostly without
:class:`Engine`: the node handler table, substitution, the explicit :class:`Step`, routing, the
main-thread walk, background work, and the run fields the snapshot format relies on."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from emulator.core.clock import VirtualClock
from emulator.interactly import supernodes
from emulator.interactly.catalog import NODE_TYPES
from emulator.interactly.engine import TERMINAL, Context, Engine, Run, human_message
from emulator.interactly.engine.background import Background
from emulator.interactly.engine.nodes import HANDLERS, execute
from emulator.interactly.engine.routing import condition, route
from emulator.interactly.engine.run import TurnError
from emulator.interactly.engine.step import Step
from emulator.interactly.engine.text import hydrate, substitute, substitute_dynamic_only
from emulator.interactly.engine.walk import bounded_self_loop, walk_from
from emulator.interactly.llm import LLMScript, LLMScripts
from emulator.interactly.models.nodes import NODE_MODELS
from emulator.interactly.threads import Thread
from tests.unit.test_interactly_background import poller_graph
from tests.unit.test_interactly_engine import START, edge, node, types


def make_run(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
             **fields: Any) -> Run:
    graph = {"workflow_config": {"name": "t"}, "node_configs": nodes, "edge_configs": edges,
             "dynamic_variables": {}}
    return Run(id="r" * 24, logical_id="workflow_run_x", workflow_id="w" * 24,
               version_number=0, version_name="v0", graph=graph, team_id="", run_by=None,
               created_at="", **fields)


def make_ctx(now: Any = lambda: 1000.0, scripts: list[LLMScript] | None = None) -> Context:
    counter = itertools.count()
    queue = LLMScripts()
    queue.push(scripts or [])
    return Context(now=now, uuid=lambda: f"u{next(counter)}", seed=0, scripts=queue)


def main_step(run: Run, ctx: Context | None = None) -> Step:
    return Step(ctx or make_ctx(), run, run.main, [])


def companion(reference: str = "bg", **runtime: Any) -> Thread:
    return Thread(f"0_companion_{reference}", reference, dict(runtime))


# ---------------------------------------------------------------------------- handler table
def test_the_handler_table_covers_every_node_type_the_published_models_know() -> None:
    assert set(HANDLERS) == set(NODE_MODELS)
    assert set(HANDLERS) == set(NODE_TYPES)  # what the catalog's node-type listing offers


@pytest.mark.parametrize("kind", sorted(NODE_MODELS))
def test_every_handler_runs_between_the_shared_node_events(kind: str) -> None:
    extra: dict[str, Any] = {"_entry": "x"} if kind == "super_node" else {}
    subject = node("n", kind, "N", **extra)
    run = make_run([subject], [])
    step = main_step(run)
    execute(step, subject, "hello")
    kinds = types(step.events)
    assert kinds[0] == "start_node_run"
    assert kinds[-2:] == ["end_node_run", "workflow_show_state"]
    assert run.node_runs == {"n": 1} and run.completions == {"n": 1}
    assert step.events[-2]["run_output"]["type"] == kind


def test_a_type_without_a_handler_runs_as_a_node_that_does_nothing() -> None:
    subject = node("n", "google_docs", "Docs")
    run = make_run([subject], [])
    step = main_step(run)
    execute(step, subject, None)
    assert types(step.events) == ["start_node_run", "end_node_run", "workflow_show_state"]
    assert run.runtime == {}


def test_handlers_write_into_the_thread_they_are_given_not_the_main_thread() -> None:
    tool = node("t", "tool_node", "Tool", result_runtime_variable_name="r",
                tool_arguments={"q": "[[x]]"}, tool_config={"type": "inline_python"})
    run = make_run([tool], [], runtime={"x": "main"})
    thread = companion(x="side")
    step = main_step(run).on(thread)
    execute(step, tool, None)
    assert thread.runtime["r"]["arguments"] == {"q": "side"}
    assert "r" not in run.runtime
    show = step.events[-1]
    assert show["origin_thread_id"] == "0_companion_bg" and show["runtime_variables"]["r"]


def test_a_failing_llm_script_fails_the_node_before_it_says_anything() -> None:
    chat = node("c", "say_llm", "Chat")
    run = make_run([chat], [])
    step = main_step(run, make_ctx(scripts=[LLMScript(node="Chat", fail="boom")]))
    with pytest.raises(TurnError, match="boom"):
        execute(step, chat, "hi")
    assert run.history == []


# ---------------------------------------------------------------------------- text
def test_substitution_reads_the_given_threads_runtime_and_other_threads_by_name() -> None:
    run = make_run([], [], dynamic={"company": "Acme"}, runtime={"x": "main"})
    side = companion(x="side", attempts=2)
    run.companions[side.internal_id] = side
    text = "{{company}} [[x]] [[thread_bg.attempts]] [[thread_0.x]] [[nope]]"
    assert substitute(text, run, run.main) == "Acme main 2 main [[nope]]"
    assert substitute(text, run, side) == "Acme side 2 main [[nope]]"


def test_dynamic_values_enter_conditions_as_string_literals() -> None:
    run = make_run([], [], dynamic={"plan": "it's pro"}, runtime={"x": "a", "n": 2})
    assert substitute_dynamic_only("{{plan}} == {{missing}}", run) == \
        "\"it's pro\" == {{missing}}"
    assert hydrate("[[x]] == {{plan}} OR [[n]] > 1", run, run.main) == \
        "'a' == \"it's pro\" OR 2 > 1"


def test_human_message_keeps_the_recorded_shape() -> None:
    assert human_message("hi", "id1") == {
        "content": "hi", "additional_kwargs": {}, "response_metadata": {}, "type": "human",
        "name": None, "id": "id1"}


# ---------------------------------------------------------------------------- step
def test_a_step_is_a_value_moving_another_thread_makes_a_new_one() -> None:
    run = make_run([], [])
    step = main_step(run)
    side = step.on(companion())
    assert step.thread is run.main and side.thread is not run.main
    assert side.events is step.events and side.run is run
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.thread = companion()  # type: ignore[misc]
    step.emit("a")
    side.emit("b")
    assert [(e["type"], e["origin_thread_id"], e["thread_reference_id"])
            for e in step.events] == [("a", "0", "0"), ("b", "0_companion_bg", "bg")]


def test_event_heads_keep_their_recorded_key_order() -> None:
    run = make_run([], [])
    step = main_step(run)
    event = step.node_event("say_static", node("n", "say_static", "N"), extra=1)
    assert list(event) == ["type", "logical_id", "timestamp", "origin_thread_id", "comments",
                           "interrupted", "thread_reference_id", "origin_node_logical_id",
                           "origin_node_name", "origin_node_run_id", "extra"]


# ---------------------------------------------------------------------------- routing
def test_route_prefers_a_holding_condition_then_the_direct_edge() -> None:
    a, b, c = node("a", "no_op", "A"), node("b", "no_op", "B"), node("c", "no_op", "C")
    edges = [edge("a", "b"), edge("a", "c", "conditional",
                                  condition={"condition_expression": "[[x]] == 1"})]
    run = make_run([a, b, c], edges, runtime={"x": 1})
    assert route(main_step(run), a, None, True)[1] is c
    assert route(main_step(run), a, None, False)[1] is b
    run.runtime["x"] = 2
    step = main_step(run)
    assert route(step, a, None, True)[1] is b
    assert types(step.events) == ["direct_edge", "workflow_navigation_message"]


def test_only_the_main_thread_forks_companions() -> None:
    a, b, c = node("a", "no_op", "A"), node("b", "no_op", "B"), node("c", "no_op", "C")
    fork = edge("a", "c", companion_thread_config={"is_companion_thread": True,
                                                   "thread_id": "bg"})
    run = make_run([a, b, c], [edge("a", "b"), fork])
    route(main_step(run).on(companion("other")), a, None, True)
    assert run.companions == {}
    route(main_step(run), a, None, True)
    assert list(run.companions) == ["0_companion_bg"]
    assert run.companions["0_companion_bg"].node == "c"


def test_conditions_read_the_threads_variables_and_refuse_broken_expressions() -> None:
    run = make_run([], [], runtime={"x": 1})
    side = main_step(run).on(companion(x=2))
    assert condition(main_step(run), {"condition_expression": "[[x]] == 1"}, None)
    assert condition(side, {"condition_expression": "[[x]] == 2"}, None)
    with pytest.raises(TurnError, match="Invalid condition expression"):
        condition(side, {"condition_expression": "[[x]] =="}, None)


# ---------------------------------------------------------------------------- walk
def test_the_walk_parks_the_main_thread_on_a_node_that_waits() -> None:
    greet = node("g", "say_static", "Greet", is_start=True,
                 static_messages_config={"static_messages": ["hi"]})
    chat = node("c", "say_llm", "Chat")
    run = make_run([greet, chat], [edge("g", "c")])
    step = main_step(run)
    walk_from(step, greet, None)
    assert run.status == "waiting_for_user_input" and run.parked_node == "c"
    assert types(step.events)[-2:] == ["busy_wait_for_user_message", "pause_thread"]


def test_a_bounded_self_loop_counts_attempts_on_its_own_thread() -> None:
    poll = node("p", "no_op", "Poll", self_loop_config={"enabled": True, "max_retries": 1})
    run = make_run([poll], [])
    side = companion()
    step = main_step(run).on(side)
    assert bounded_self_loop(step, poll) == "retry"
    assert side.loop_attempts == {"p": 1} and run.loop_attempts == {}
    assert bounded_self_loop(step, poll) == "exhausted"
    assert side.runtime["self_loop_outcome"] == "max_retries" and side.loop_attempts == {}


# ---------------------------------------------------------------------------- background
def background_world() -> tuple[Background, Run, VirtualClock, Context]:
    clock = VirtualClock("manual")
    nodes, edges, scripts = poller_graph()
    ctx = make_ctx(now=clock.now, scripts=scripts)
    graph = supernodes.expand({"workflow_config": {"name": "t"}, "node_configs": nodes,
                               "edge_configs": edges, "dynamic_variables": {}},
                              lambda wid, version: None)
    run = make_run(graph["node_configs"], graph["edge_configs"])
    walk_from(Step(ctx, run, run.main, []), nodes[0], None)  # forks "bg", parks on Chat
    return Background(ctx), run, clock, ctx


def test_background_steps_due_companions_and_reports_when_it_is_next_due() -> None:
    background, run, clock, ctx = background_world()
    assert run.parked_node == "chat" and list(run.companions) == ["0_companion_bg"]
    assert background.has_work(run) and background.next_due(run) == clock.now()
    step = Step(ctx, run, run.main, [])
    background.advance(step)
    thread = run.companions["0_companion_bg"]
    assert thread.runtime["attempts"] == 1 and thread.active
    boundary = [e for e in step.events if e["type"] == "companion_step_boundary"]
    assert boundary[0]["origin_thread_id"] == "0_companion_bg" and boundary[0]["still_active"]
    assert background.next_due(run) == clock.now() + 2
    again = Step(ctx, run, run.main, [])
    background.advance(again)
    assert again.events == []  # nothing is due before the retry gap passes


def test_a_matching_waiting_edge_moves_the_main_thread_without_a_user_message() -> None:
    background, run, clock, ctx = background_world()
    events: list[dict[str, Any]] = []
    for _ in range(3):  # the third poll lands: the companion ends, the edge on Chat holds
        background.advance(Step(ctx, run, run.main, events))
        clock.advance(2)
    kinds = types(events)
    assert kinds.count("companion_step_boundary") == 3
    matched = events[kinds.index("waiting_condition_matched")]
    assert matched["origin_thread_id"] == "0"  # reported by the thread that was waiting
    assert run.main_done and not background.has_work(run)


# ---------------------------------------------------------------------------- engine
def test_the_engine_keeps_nothing_about_a_thread_between_calls() -> None:
    """One engine serves every run of a namespace: interleaved turns of two runs must not see
    each other, so the engine holds only its context and its background worker."""
    engine = Engine(make_ctx())
    assert set(vars(engine)) == {"ctx", "background"}
    runs = []
    for _ in range(2):
        greet = node("g", "say_static", "Greet", is_start=True,
                     static_messages_config={"static_messages": ["hi [[who]]"]})
        runs.append(make_run([greet, node("c", "say_llm", "Chat")], [edge("g", "c")]))
    runs[0].runtime["who"], runs[1].runtime["who"] = "ann", "bob"
    first = engine.turn(runs[0], START, "start")
    second = engine.turn(runs[1], START, "start")
    assert [e["content"] for e in first if e["type"] == "assistant_response"] == ["hi ann"]
    assert [e["content"] for e in second if e["type"] == "assistant_response"] == ["hi bob"]
    assert set(vars(engine)) == {"ctx", "background"}


def test_run_fields_and_snapshots_keep_their_format() -> None:
    """Snapshots store the init fields of ``dataclasses.fields(Run)`` as they are, plus the
    main thread's position, and load them back through ``Run(**fields)``: the field list is
    the snapshot format, so documents written before the engine became a package still load,
    and a loaded run's main thread must share the run's variables again."""
    assert [f.name for f in dataclasses.fields(Run)] == [
        "id", "logical_id", "workflow_id", "version_number", "version_name", "graph",
        "team_id", "run_by", "created_at", "status", "started", "source_run_id",
        "source_turn_index", "updated_at", "turn_number", "parked_node", "dynamic", "runtime",
        "history", "node_runs", "pairs", "error", "termination_source", "user_turns",
        "script_route", "script_end", "loop_attempts", "global_origin", "main_done",
        "background_work", "companions", "completions", "wait_state", "config_snapshot",
        "checkpoints", "comments", "rerun_info", "main"]
    assert [f.name for f in dataclasses.fields(Run) if not f.init] == ["main"]
    nodes, edges, scripts = poller_graph()
    engine = Engine(make_ctx(scripts=scripts))
    run = make_run(nodes, edges)
    engine.turn(run, START, "start")
    stored = {f.name: getattr(run, f.name) for f in dataclasses.fields(Run)
              if f.init and f.name not in ("companions", "wait_state")}
    restored = Run(**stored)
    restored.companions = {tid: Thread(**dataclasses.asdict(t))
                           for tid, t in run.companions.items()}
    assert restored.main.runtime is restored.runtime
    assert restored.main.loop_attempts is restored.loop_attempts
    assert run.status not in TERMINAL and restored.status == run.status
    restored.wait_state = run.wait_state
    assert engine.next_due(restored) == engine.next_due(run)
