"""Property-based robustness of the Interactly engine and its condition-expression evaluator.

Random workflow graphs (valid-looking and slightly broken: dangling and global edges, cycles,
random conditions, super nodes, companion threads, wrong-typed fields) are saved through the
catalog (where the published models validate every node and edge config) and run through the
Runs service with random user messages, pauses, stops, pumps and scripted LLM replies, without
HTTP. Whatever the graph, the emulator must answer the way the API
does: a definition it refuses is refused with its own error type (an ``ApiError``: 400/422 with
the API's error body); a run it accepts ends every turn terminal, waiting for the user, paused
(after a pause) or running only while background threads are left, never stuck and never looping
without bound; every answer serialises as strict JSON. Random expressions (from the grammar and
plain garbage) give a value or an ``ExpressionError``, nothing else.

The settings are derandomized so CI sees the same examples every run. For a long exploratory
run set ``ENGINE_PROPERTIES_EXAMPLES`` (e.g. 20000): the examples are then random and many more.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from emulator.core.clock import VirtualClock, iso
from emulator.core.errors import ApiError, ServiceError
from emulator.core.ids import IdGenerator
from emulator.interactly import expressions, shapes, wire
from emulator.interactly.catalog import NODE_TYPES, Catalog
from emulator.interactly.engine import TERMINAL, Context, Engine, Run
from emulator.interactly.llm import LLMScript, LLMScripts
from emulator.interactly.routes.runs import RunInput
from emulator.interactly.runs import Runs
from emulator.interactly.validation import check_graph

EXPLORE = int(os.environ.get("ENGINE_PROPERTIES_EXAMPLES") or 0)


def profile(examples: int) -> settings:
    """CI: a fixed, derandomized set of examples. Exploration: random and as many as asked."""
    return settings(max_examples=EXPLORE or examples, derandomize=not EXPLORE, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much],
                    database=None, phases=[p for p in Phase if p != Phase.explain])


# ---------------------------------------------------------------------------- expressions
VAR_NAMES = ("x", "y", "attempts", "full_name", "user.plan", "user.tags.0", "thread_bg.attempts",
             "thread_0.x", "self_loop_outcome", "tool_result", "no_op_result_success", "big",
             "nested.a.b", "missing", "9", "a-b")
FILTER_NAMES = (*expressions.FILTERS, "bogus", "UPCASE")


def _quote(text: str) -> str:
    return repr(text)  # the engine writes {{dynamic}} values into expressions this way


atoms = st.one_of(
    st.builds(lambda name, filters: "[[" + " | ".join([name, *filters]) + "]]",
              st.sampled_from(VAR_NAMES), st.lists(st.sampled_from(FILTER_NAMES), max_size=2)),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f"{f:f}"),
    st.text(max_size=8).map(_quote),
    st.sampled_from(["true", "FALSE", "null", "None", "{{dyn}}", "{{missing}}", "'a\\x41'",
                     "'\\x'", "'\\N{DASH}'", "'\\u00e9'", "\"it's\"", "'\\\\'"]),
)


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner,
                  st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "AND", "OR", "and"]),
                  inner),
        st.builds(lambda f, a: f"{f}({a})",
                  st.sampled_from(["isPresent", "isAbsent", "isEmpty", "isNonEmpty",
                                   "contains"]), inner),
        inner.map(lambda a: f"NOT {a}"),
        inner.map(lambda a: f"({a})"),
    )


grammar = st.recursive(atoms, _grow, max_leaves=12)
TOKENS = ("[[", "]]", "(", ")", "==", "=", "!", "<", ">=", "AND", "OR", "NOT", "'", '"', "\\",
          "[[x]]", "isPresent(", "1", "-", ".", "|", "{{", "}}", " ")
garbage = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
)
# Bounded size, unbounded depth: the parser must refuse what it cannot nest, not overflow.
deep = st.one_of(
    st.integers(1, 3000).map(lambda n: "(" * n + "[[x]]" + ")" * n),
    st.integers(1, 1500).map(lambda n: "NOT " * n + "[[x]]"),
    st.integers(1, 800).map(lambda n: "isPresent(" * n + "1" + ")" * n),
    st.integers(1, 2000).map(lambda n: "[[x]] == " + "(" * n),
    st.integers(1, 700).map(lambda n: " AND ".join(["[[x]]"] * n)),
    st.integers(1, 5000).map(lambda n: "9" * n + " > 1"),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**400, 10**400),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["a", "b", "0", "plan", "tags", "attempts"]), inner, max_size=3),
    max_leaves=8)
variables = st.dictionaries(st.sampled_from(["x", "y", "attempts", "full_name", "user", "big",
                                             "nested", "9", "a-b", "thread_bg", "thread_0"]),
                            json_values, max_size=6)


def evaluate(text: str, names: dict[str, Any]) -> bool | None:
    """``check`` with only its own error allowed through (None stands for ExpressionError)."""
    try:
        result = expressions.check(text, names)
    except expressions.ExpressionError:
        return None
    assert isinstance(result, bool)
    return result


@profile(1500)
@given(text=st.one_of(grammar, garbage, deep), names=variables)
def test_any_expression_gives_a_bool_or_an_expression_error(text: str, names: dict) -> None:
    evaluate(text, names)


@profile(300)
@given(value=st.text(max_size=30))
def test_a_quoted_literal_means_exactly_its_text(value: str) -> None:
    """The engine writes ``{{dynamic}}`` values into conditions as Python string literals, so
    every text, however unusual (quotes, backslashes, accents, control characters), must read
    back as itself."""
    assert evaluate(f"{_quote(value)} == [[v]]", {"v": value}) is True
    assert evaluate(f"[[v]] != {_quote(value)}", {"v": value}) is False


# ---------------------------------------------------------------------------- graphs
LIDS = ("a", "b", "c", "d", "e")
NODE_NAMES = ("Front", "Billing", "Worker", "Poll", "Done", "", "front")
MESSAGES = ("hello", "I need help with billing", "goodbye", "yes", "no", "full name: Ada",
            "attempts: 3", "that's all", "pain", "", "   ", "[[x]] {{dyn}}", "é\u0000\u202e")
wrong = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.lists(st.none(), max_size=1),
                  st.just({"unexpected": True}))


def maybe_wrong(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the documented shape, sometimes a wrong JSON type (what a hand-written payload
    or a PATCH can store)."""
    if os.environ.get("NO_WRONG"):
        return strategy
    return st.one_of(strategy, strategy, strategy, wrong)


numbers = st.one_of(st.none(), st.integers(-2, 5), st.integers(0, 200),
                    st.floats(-1, 400, allow_nan=False), st.sampled_from([10**6, 1e9, "3"]))
expressions_st = st.one_of(grammar, grammar, garbage)
condition = st.fixed_dictionaries({}, optional={
    "condition_expression": expressions_st,
    "condition_freeform": st.sampled_from(["the user needs help", "the user says 'goodbye'",
                                           "billing", "", "anything"]),
    "static_messages_config": maybe_wrong(st.fixed_dictionaries({"static_messages": st.lists(
        st.sampled_from(["moving on", "[[x]]", "{{dyn}}"]), max_size=2)})),
})
self_loop_config = st.fixed_dictionaries({"enabled": st.booleans()}, optional={
    "max_retries": numbers, "expiry_time": numbers, "time_between_retries": numbers})
schema = st.fixed_dictionaries({"properties": st.dictionaries(
    st.sampled_from(["full_name", "attempts", "x", "intent"]), st.just({"type": "string"}),
    max_size=3)})


def node_fields(depth: int) -> dict[str, st.SearchStrategy[Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        "name": maybe_wrong(st.sampled_from(NODE_NAMES)),
        "is_start": st.booleans(),
        "disabled": st.booleans(),
        "wait_for_user_message": st.booleans(),
        "self_loop": st.booleans(),
        "self_loop_config": maybe_wrong(self_loop_config),
        "static_messages_config": maybe_wrong(st.fixed_dictionaries(
            {"static_messages": maybe_wrong(st.lists(st.sampled_from(
                ["hi", "bye [[x]]", "{{dyn}}", "", "[[thread_bg.attempts]]"]), max_size=3))},
            optional={"static_messages_selection_mode": st.sampled_from(["random",
                                                                         "sequence"])})),
        "structured_output_schema": maybe_wrong(schema),
        "global_node_config": maybe_wrong(st.fixed_dictionaries(
            {"is_global": st.booleans()},
            optional={"condition": maybe_wrong(condition),
                      "reverse_conditional_edge": maybe_wrong(condition)})),
        "tool_config": maybe_wrong(st.fixed_dictionaries(
            {"type": st.sampled_from(["inline_python", "inbuilt_function", "external_api"])},
            optional={"name": st.text(max_size=4), "code": st.just("def f(): return 1"),
                      "result_runtime_variable_name": st.sampled_from(["attempts", "x"])})),
        "tool_arguments": maybe_wrong(st.dictionaries(st.sampled_from(["q", "n"]), st.one_of(
            st.sampled_from(["[[x]]", "{{dyn}}", "plain"]), st.integers()), max_size=2)),
        "result_runtime_variable_name": maybe_wrong(st.sampled_from(["attempts", "x", "r"])),
        "output_runtime_variable_name": maybe_wrong(st.sampled_from(["x", "flag"])),
        "simulate_failure": st.booleans(),
        "url": maybe_wrong(st.sampled_from(["https://example.com/[[x]]", "{{dyn}}"])),
        "field_values": maybe_wrong(st.dictionaries(st.sampled_from(["dyn", "k"]),
                                                    st.sampled_from(["v", "[[x]]"]),
                                                    max_size=2)),
        "super_workflow_id": st.sampled_from(["SELF", "SUB", "0" * 24]),
    }
    if depth > 0:
        fields["encapsulated_workflow_config"] = maybe_wrong(graphs(depth - 1))
    return fields


def nodes_st(depth: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    node = st.fixed_dictionaries(
        {"logical_id": st.sampled_from(LIDS),
         "type": st.sampled_from([*NODE_TYPES, "google_docs", "mystery"])},
        optional=node_fields(depth))
    return st.lists(node, max_size=6)


def edges_st() -> st.SearchStrategy[list[dict[str, Any]]]:
    edge = st.fixed_dictionaries(
        {"type": st.sampled_from(["direct", "direct", "conditional", "conditional",
                                  "companion", "reverse", "mystery"]),
         "source_node_logical_id": st.sampled_from([*LIDS, "ghost"]),
         "destination_node_logical_id": st.sampled_from([*LIDS, "ghost"])},
        optional={
            "logical_id": st.sampled_from(["e1", "e2", "e3", "e4"]),
            "name": maybe_wrong(st.sampled_from(["to billing", "loop", "Done"])),
            "condition": maybe_wrong(condition),
            "companion_thread_config": maybe_wrong(st.fixed_dictionaries(
                {"is_companion_thread": st.booleans()},
                optional={"thread_id": st.sampled_from(["bg", "bg2", "0", "a b", None])})),
            "evaluate_while_waiting_config": maybe_wrong(st.fixed_dictionaries(
                {"enabled": st.booleans()},
                optional={"trigger_mode": st.sampled_from(["on_node_completion",
                                                           "on_every_background_tick"]),
                          "trigger_node_logical_ids": st.lists(st.sampled_from(LIDS),
                                                               max_size=2),
                          "min_seconds_between_evaluations": numbers,
                          "max_transitions_per_wait": numbers})),
        })
    return st.lists(edge, max_size=9)


def graphs(depth: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"node_configs": nodes_st(depth), "edge_configs": edges_st()})


misc = st.fixed_dictionaries({}, optional={
    "consecutive_conditional_edges_max_limit": st.sampled_from(["3", "1", "0", 5, "x", None]),
    "default_dynamic_variables": st.dictionaries(st.sampled_from(["dyn", "user_message"]),
                                                 json_values, max_size=2)})
texts = st.one_of(st.sampled_from(MESSAGES), st.text(max_size=12))
script = st.builds(
    LLMScript,
    node=st.one_of(st.none(), st.sampled_from([*NODE_NAMES, *LIDS])),
    match=st.one_of(st.none(), st.sampled_from(["bill", "^yes$", ".*"])),
    reply=st.one_of(st.none(), texts),
    route=st.one_of(st.none(), st.sampled_from(["Done", "b", "to billing", "ghost"])),
    structured_output=st.one_of(st.none(), st.dictionaries(
        st.sampled_from(["x", "attempts", "full_name"]), json_values, max_size=2)),
    tool_result=st.one_of(st.none(), json_values),
    end=st.booleans(),
    fail=st.one_of(st.none(), st.just("scripted failure")),
    times=st.integers(1, 3),
)
variables_in = st.dictionaries(st.sampled_from(["x", "y", "attempts", "dyn", "user_message"]),
                               json_values, max_size=3)
action = st.one_of(
    st.tuples(st.just("say"), st.lists(texts, min_size=1, max_size=2), variables_in,
              variables_in),
    st.tuples(st.just("data")),
    st.tuples(st.just("pause")),
    st.tuples(st.just("resume")),
    st.tuples(st.just("stop")),
    st.tuples(st.just("pump")),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 1, 2, 5, 30, 600])),
    st.tuples(st.just("script"), st.lists(script, max_size=3)),
)


class Runaway(Exception):
    """The engine asked for more ids than any bounded turn can need: it is looping."""


class World:
    """A namespace's Interactly services without HTTP, on a manual clock. Every id the engine
    makes goes through ``uuid``, so a budget on it catches a loop deterministically (no timer)."""

    BUDGET = 200_000

    def __init__(self, strict: bool) -> None:
        self.clock = VirtualClock("manual")
        ids = IdGenerator(0, "robustness")
        self.spent = 0

        def uuid() -> str:
            self.spent += 1
            if self.spent > self.BUDGET:
                raise Runaway(f"more than {self.BUDGET} ids in one call")
            return ids.uuid()

        self.catalog = Catalog(lambda: iso(self.clock.now()), ids.object_id,
                               lambda kind: f"{kind}_{ids.uuid()}")
        self.scripts = LLMScripts()
        self.engine = Engine(Context(now=self.clock.now, uuid=uuid, seed=0,
                                     scripts=self.scripts, strict=strict))
        self.runs = Runs(self.catalog, self.engine, self.clock, ids)

    def call(self, fn: Any, *args: Any) -> Any:
        self.spent = 0
        return fn(*args)


def run_input(command: str, texts: list[str] = (), dynamic: dict | None = None,
              runtime: dict | None = None) -> dict[str, Any]:
    """What the execute route hands the service: a validated ``RunInput`` dump."""
    raw = {"command": command, "dynamic_variables": dynamic or {},
           "runtime_variables": runtime or {},
           "thread_to_node_inputs": {"0": {"node_run_inputs": [
               {"type": "llm", "messages": [{"type": "human", "content": t} for t in texts]}]}}}
    return RunInput.model_validate(raw).model_dump()


def substitute(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: substitute(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


def check_answer(world: World, run: Run, events: list[dict[str, Any]], command: str) -> None:
    """What must hold after every call that returned normally."""
    allowed = {*TERMINAL, "waiting_for_user_input"}
    if command == "pause":
        allowed.add("paused")
    if run.status == "running":
        assert run.active_companions() and run.main_done, "running with nothing left to do"
    else:
        assert run.status in allowed or (command == "pump" and run.status == "paused"), \
            run.status
    if run.waiting and run.graph["node_configs"]:
        assert run.parked_node is not None
        assert any(n.get("logical_id") == run.parked_node for n in run.graph["node_configs"])
    if run.completed:
        assert not run.background_work and not world.engine.has_background_work(run)
    for event in events:
        assert isinstance(event.get("type"), str) and event["logical_id"]
    json.dumps(wire.interactive(run, events), allow_nan=False)
    json.dumps(wire.run_envelope(run), allow_nan=False)


def play(world: World, workflow_id: str, actions: list[tuple]) -> Run | None:
    run: Run | None = None
    for act in actions:
        kind = act[0]
        if kind == "script":
            world.scripts.push(act[1])
            continue
        if kind == "advance":
            world.clock.advance(act[1])
            continue
        try:
            if run is None:
                if kind in ("stop", "pump", "pause"):
                    continue
                texts = act[1] if kind == "say" else []
                run, events = world.call(world.runs.execute, workflow_id, run_input(
                    "start", texts, *(act[2:4] if kind == "say" else ())), None, None, "t",
                    "u")
                check_answer(world, run, events, "start")
                continue
            if kind == "pump":
                run, events = world.call(world.runs.pump, workflow_id, run.id)
            elif kind == "say":
                run, events = world.call(world.runs.execute, workflow_id, run_input(
                    "data", act[1], act[2], act[3]), run.id, None, "t", "u")
            else:
                run, events = world.call(world.runs.execute, workflow_id, run_input(kind),
                                         run.id, None, "t", "u")
        except ApiError:
            continue  # refused the way the API refuses (404 session, 400 already paused...)
        check_answer(world, run, events, kind)
    return run


def save(world: World, graph: dict[str, Any], sub: dict[str, Any],
         config: dict[str, Any]) -> str | None:
    """Save the sub-workflow and the workflow (``SELF``/``SUB`` resolved to their ids), as
    create + graph replace would; None when the catalog refuses them (an ApiError)."""
    try:
        sub_wf = world.catalog.create_workflow("sub", None, {}, "t", "u")
        world.catalog.replace_version_graph(sub_wf.id, 0, sub["node_configs"],
                                            sub["edge_configs"])
        wf = world.catalog.create_workflow("main", None, {"miscellaneous": config}, "t", "u")
        ids = {"SELF": wf.id, "SUB": sub_wf.id}
        world.catalog.replace_version_graph(wf.id, 0, substitute(graph["node_configs"], ids),
                                            substitute(graph["edge_configs"], ids))
        return wf.id
    except ApiError:
        return None


@profile(300)
@given(graph=graphs())
def test_what_is_saved_is_what_the_models_accept(graph: dict) -> None:
    """The one description holds: a graph the catalog accepts is stored as its models read it
    (checking the stored configs again changes nothing), every key the caller sent is kept,
    and a refusal is the service's own 400."""
    try:
        nodes, edges = check_graph(graph["node_configs"], graph["edge_configs"])
    except ServiceError as exc:
        assert exc.status_code == 400 and exc.body() == {"message": exc.message,
                                                         "error": exc.error}
        return
    assert shapes.graph(nodes, edges) == (nodes, edges)
    for sent, stored in zip([*graph["node_configs"], *graph["edge_configs"]], [*nodes, *edges],
                            strict=True):
        assert set(sent) <= set(stored)


@profile(400)
@given(graph=graphs(), sub=graphs(0), config=misc, strict=st.booleans(),
       actions=st.lists(action, max_size=8))
def test_random_workflows_never_crash_and_never_hang(graph: dict, sub: dict, config: dict,
                                                     strict: bool, actions: list) -> None:
    world = World(strict)
    workflow_id = save(world, graph, sub, config)
    if workflow_id is not None:
        play(world, workflow_id, actions)
