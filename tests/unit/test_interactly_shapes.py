"""Node, edge and tool configs validated by the one description of each shape: the published
models (``emulator.interactly.models``), without HTTP.

What must hold: a declared field is typed exactly as the published schema says (an integer is
not a float), keys the models do not list are kept as sent at every depth, no model default is
added to what is stored, the graph rules still run over the validated configs, and every
config the models themselves produce (what the typed SDK sends) is accepted unchanged."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from emulator.core.errors import ApiError, ServiceError
from emulator.core.ids import IdGenerator
from emulator.interactly import shapes
from emulator.interactly.catalog import Catalog
from emulator.interactly.models import edge_schemas, node_schemas, tool_schemas
from emulator.interactly.models.edges import EDGE_MODELS
from emulator.interactly.models.nodes import NODE_MODELS
from emulator.interactly.models.tools import TOOL_MODELS
from emulator.interactly.validation import COMPANION, WAITING, check_graph, check_run_graph


def refused(check: Any, config: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        check(config)
    return caught.value


def catalog() -> Catalog:
    ids = IdGenerator(0, "shapes")
    return Catalog(lambda: "2026-01-01T00:00:00Z", ids.object_id,
                   lambda kind: f"{kind}_{ids.uuid()}")


# ------------------------------------------------------------------ one description
@pytest.mark.parametrize("field, value", [
    ("expiry_time", 1.5), ("max_retries", 2.5), ("time_between_retries", 0.5)])
def test_an_integer_of_the_published_schema_refuses_a_float(field, value):
    """The case that started it: the hand-written checks took numbers where the published
    schema says integer."""
    published = node_schemas("no_op")["config_schema"]["$defs"]["SelfLoopConfig"]
    prop = published["properties"][field]
    kinds = {s.get("type") for s in prop.get("anyOf", [prop])}
    assert "integer" in kinds and "number" not in kinds
    config = {"type": "no_op", "logical_id": "n", "self_loop_config": {
        "enabled": True, "max_retries": 3, "expiry_time": 60, field: value}}
    error = refused(shapes.node, config)
    assert error.message == shapes.SHAPE
    assert error.error.startswith(f"node.self_loop_config.{field}: ")


def test_declared_fields_are_stored_as_the_model_read_them():
    """Lax like the service: a whole float or a numeric string is the integer it spells, an
    enum is its value; the engine then reads exactly that."""
    stored = shapes.node({"type": "no_op", "logical_id": "n", "self_loop_config": {
        "enabled": True, "max_retries": "3", "expiry_time": 60.0}})
    assert stored["self_loop_config"] == {"enabled": True, "max_retries": 3, "expiry_time": 60}
    assert isinstance(stored["self_loop_config"]["expiry_time"], int)


def test_unknown_keys_are_kept_at_every_depth_and_no_default_is_added():
    sent = {"type": "say_llm", "logical_id": "n", "vendor_flag": {"x": 1},
            "global_node_config": {"is_global": True, "future_knob": [1, 2],
                                   "condition": {"condition_freeform": "help", "weight": 3}},
            "tools_config": {"tools": [{"type": "inline_python", "code": "def f(): ...",
                                        "sandbox": "strict"}]}}
    stored = shapes.node(copy.deepcopy(sent))
    assert stored == sent  # nothing dropped, nothing added (no llms_config, no self_loop...)


def test_the_callers_config_is_not_changed_in_place():
    sent = {"type": "no_op", "logical_id": "n", "self_loop_config": {"enabled": True,
                                                                      "max_retries": "2"}}
    before = copy.deepcopy(sent)
    shapes.node(sent)
    assert sent == before


@pytest.mark.parametrize("config, where", [
    ({"type": "say_static", "static_messages_config": {"static_messages": "hi"}},
     "node.static_messages_config.static_messages"),
    ({"type": "say_llm", "wait_for_user_message": "maybe"}, "node.wait_for_user_message"),
    ({"type": "tool_node", "tool_config": {"type": "function"}}, "node.tool_config"),
    ({"type": "tool_node", "tool_arguments": ["q"]}, "node.tool_arguments"),
    ({"type": "http_request", "method": "FETCH"}, "node.method"),
    ({"type": "http_request", "timeout": 301}, "node.timeout"),
    ({"type": "super_node", "field_values": [1]}, "node.field_values"),
    ({"type": "no_op", "self_loop_config": {"enabled": True}}, "node.self_loop_config"),
    ({"type": "say_llm", "name": 5}, "node.name"),
    ({"type": "mystery", "global_node_config": {"condition": "x"}},
     "node.global_node_config.condition"),
])
def test_a_declared_field_of_the_wrong_shape_is_the_services_400(config, where):
    error = refused(shapes.node, config)
    assert error.status_code == 400 and error.message == shapes.SHAPE
    assert error.error.startswith(where + ": "), error.error
    assert error.body() == {"message": shapes.SHAPE, "error": error.error}


def test_an_enabled_self_loop_needs_a_bound():
    error = refused(shapes.node, {"type": "no_op", "self_loop_config": {"enabled": True}})
    assert "needs max_retries or expiry_time" in error.error


def test_a_node_type_the_models_do_not_describe_is_kept_and_checked_as_a_node():
    """The SDK knows more node types than the emulator models (spec §6.2: keep as-is)."""
    sent = {"type": "google_docs", "logical_id": "n", "document_title": "x", "is_start": True}
    assert shapes.node(dict(sent)) == sent
    assert "is_start" in refused(shapes.node, {**sent, "is_start": "often"}).error


@pytest.mark.parametrize("check, kind, category", [
    (shapes.edge, "reverse", shapes.SHAPE), (shapes.tool, "function", shapes.TOOL_SHAPE)])
def test_edges_and_tools_have_a_closed_set_of_types(check, kind, category):
    error = refused(check, {"type": kind})
    assert error.message == category and repr(kind) in error.error
    assert refused(check, {"type": 3}).error.endswith("type: Input should be a valid string")
    assert refused(check, ["not", "an", "object"]).error.endswith("must be an object")


@pytest.mark.parametrize("config, where", [
    ({"type": "conditional", "condition": {"condition_expression": 3}},
     "edge.condition.condition_expression"),
    ({"type": "conditional", "evaluate_while_waiting_config": {
        "enabled": True, "max_transitions_per_wait": 0}},
     "edge.evaluate_while_waiting_config.max_transitions_per_wait"),
    ({"type": "conditional", "evaluate_while_waiting_config": {"trigger_mode": "sometimes"}},
     "edge.evaluate_while_waiting_config.trigger_mode"),
    ({"type": "direct", "companion_thread_config": {"thread_id": 7}},
     "edge.companion_thread_config.thread_id"),
    ({"type": "direct", "source_node_logical_id": ["a"]}, "edge.source_node_logical_id"),
])
def test_edge_fields_are_typed_by_the_edge_models(config, where):
    assert refused(shapes.edge, config).error.startswith(where + ": ")


def test_only_the_edge_type_that_declares_a_field_has_it_read():
    """A direct edge does not declare ``condition``: the key is kept as an unknown one and the
    engine (``_take``, ``waiting_config``) never reads it."""
    sent = {"type": "direct", "condition": "not a condition",
            "evaluate_while_waiting_config": 3}
    assert shapes.edge(dict(sent)) == sent


def test_tool_fields_are_typed_by_the_tool_models():
    assert refused(shapes.tool, {"type": "inline_python", "code": 3}).error.startswith(
        "tool.code: ")
    assert refused(shapes.tool, {"type": "external_api", "api_method": "FETCH"}).message == \
        shapes.TOOL_SHAPE
    sent = {"type": "knowledge_base", "target_knowledge_base_ids": ["kb"], "rerank": True}
    assert shapes.tool(dict(sent)) == sent


def test_an_encapsulated_sub_workflow_is_checked_node_by_node():
    """The super node's model types its sub-workflow's nodes only as the base node: each is
    checked by its own type's model too, however deep (within what super nodes expand)."""
    inner = {"type": "say_static", "logical_id": "inner",
             "static_messages_config": {"static_messages": "hi"}}
    nested = {"type": "super_node", "logical_id": "outer", "encapsulated_workflow_config": {
        "node_configs": [{"type": "super_node", "logical_id": "middle",
                          "encapsulated_workflow_config": {"node_configs": [inner]}}]}}
    error = refused(shapes.node, nested)
    assert error.error.startswith(
        "node.encapsulated_workflow_config.node middle.encapsulated_workflow_config.node inner"
        ".static_messages_config.static_messages: ")
    inner["static_messages_config"]["static_messages"] = ["hi"]
    assert shapes.node(copy.deepcopy(nested)) == nested
    bad_edge = {"type": "super_node", "encapsulated_workflow_config": {
        "edge_configs": [{"type": "direct", "source_node_logical_id": 1}]}}
    assert "edge_configs" in refused(shapes.node, bad_edge).error


# ------------------------------------------------------------ what the typed SDK sends
def _full_dumps() -> list[tuple[str, dict[str, Any]]]:
    dumps = [(f"node {kind}", models[0]().model_dump(mode="json"))
             for kind, models in NODE_MODELS.items()]
    dumps += [(f"edge {kind}", model().model_dump(mode="json"))
              for kind, model in EDGE_MODELS.items()]
    dumps += [(f"tool {kind}", model().model_dump(mode="json"))
              for kind, model in TOOL_MODELS.items()]
    return dumps


@pytest.mark.parametrize("label, dump", _full_dumps(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_every_models_own_full_dump_is_stored_unchanged(label, dump):
    """A typed SDK sends every field, defaults included: the models accept their own dumps and
    store them byte for byte."""
    family = label.split()[0]
    check = {"node": shapes.node, "edge": shapes.edge, "tool": shapes.tool}[family]
    assert check(copy.deepcopy(dump)) == dump


def test_the_schema_routes_publish_the_models_that_validate():
    for kind in NODE_MODELS:
        assert node_schemas(kind)["config_schema"]["properties"]["type"]["const"] == kind
    for kind in EDGE_MODELS:
        assert edge_schemas(kind)["config_schema"]["properties"]["type"]["const"] == kind
    for kind in TOOL_MODELS:
        assert tool_schemas(kind)["config_schema"]["properties"]["type"]["const"] == kind


# ------------------------------------------------------------------ graph rules
WAITING_EDGE = {"type": "conditional", "logical_id": "wake", "source_node_logical_id": "chat",
                "destination_node_logical_id": "done",
                "condition": {"condition_expression": "isPresent([[ready]])"},
                "evaluate_while_waiting_config": {"enabled": True,
                                                  "trigger_node_logical_ids": ["poll"]}}
NODES = [{"type": "say_llm", "logical_id": "chat", "is_start": True},
         {"type": "no_op", "logical_id": "poll"}, {"type": "say_static", "logical_id": "done"}]


def test_the_graph_rules_run_over_the_validated_configs_and_return_them():
    nodes, edges = check_graph(copy.deepcopy(NODES), [{**WAITING_EDGE, "x-extra": 1}])
    assert nodes == NODES and edges == [{**WAITING_EDGE, "x-extra": 1}]
    tick = copy.deepcopy(WAITING_EDGE)
    tick["evaluate_while_waiting_config"]["trigger_mode"] = "on_every_background_tick"
    with pytest.raises(ServiceError) as caught:
        check_graph(NODES, [tick])
    assert caught.value.message == WAITING
    assert "min_seconds_between_evaluations" in caught.value.error


def test_a_shape_problem_is_found_before_the_graph_rules_read_the_field():
    broken = {**WAITING_EDGE, "evaluate_while_waiting_config": {"enabled": True,
                                                               "trigger_node_logical_ids": 3}}
    with pytest.raises(ServiceError) as caught:
        check_graph(NODES, [broken])
    assert caught.value.message == shapes.SHAPE
    assert "trigger_node_logical_ids" in caught.value.error


def test_companion_thread_ids_are_read_only_on_direct_edges():
    fork = {"type": "direct", "source_node_logical_id": "chat",
            "destination_node_logical_id": "poll",
            "companion_thread_config": {"is_companion_thread": True, "thread_id": "a.b"}}
    with pytest.raises(ServiceError) as caught:
        check_graph(NODES, [fork])
    assert caught.value.message == COMPANION
    # The same key on a conditional edge is not the model's: kept, never read.
    check_graph(NODES, [{**fork, "type": "conditional"}])


def test_the_run_graph_check_reads_the_workflow_knobs():
    graph = {"workflow_config": {"miscellaneous": {
        "consecutive_conditional_edges_max_limit": "x"}}, "node_configs": [],
             "edge_configs": []}
    with pytest.raises(ServiceError):
        check_run_graph(graph)
    for fine in ("3", 3, None):
        graph["workflow_config"]["miscellaneous"]["consecutive_conditional_edges_max_limit"] = \
            fine
        assert check_run_graph(graph) is graph


# ------------------------------------------------------------------ the catalog stores them
def test_the_catalog_stores_what_the_models_validated():
    cat = catalog()
    wf = cat.create_workflow("w", None, {}, "t", "u", [
        {"type": "no_op", "logical_id": "n", "is_start": True,
         "self_loop_config": {"enabled": True, "max_retries": "2"}}], [])
    nodes, _ = cat.graph(wf.id, 0)
    assert nodes[0]["self_loop_config"]["max_retries"] == 2
    doc = cat.add_node({"type": "say_llm", "logical_id": "m", "workflow_id": wf.id,
                        "version_number": "0"}, "t", "u")
    assert doc["config"]["version_number"] == 0 and "llms_config" not in doc["config"]


def test_a_refused_graph_leaves_nothing_behind():
    cat = catalog()
    with pytest.raises(ServiceError):
        cat.create_workflow("w", None, {}, "t", "u", [
            {"type": "say_static", "static_messages_config": {"static_messages": 1}}], [])
    with pytest.raises(ApiError) as untyped:
        cat.create_workflow("w", None, {}, "t", "u", [{"logical_id": "no type"}], [])
    assert untyped.value.status_code == 422
    assert cat.workflows == {} and cat.nodes == {}


def test_a_patch_is_validated_as_a_whole_and_a_refused_one_changes_nothing():
    cat = catalog()
    wf = cat.create_workflow("w", None, {}, "t", "u")
    doc = cat.add_node({"type": "no_op", "logical_id": "n", "workflow_id": wf.id}, "t", "u")
    before = copy.deepcopy(doc["config"])
    with pytest.raises(ServiceError):
        cat.patch(cat.nodes, "node", doc["_id"], {"self_loop_config": {"enabled": True}})
    assert doc["config"] == before
    with pytest.raises(ApiError) as untyped:
        cat.patch(cat.nodes, "node", doc["_id"], {"type": None})
    assert untyped.value.status_code == 422 and doc["config"] == before
    patched = cat.patch(cat.nodes, "node", doc["_id"], {"type": "say_static",
                                                        "static_messages_config": {
                                                            "static_messages": ["hi"]}})
    assert patched["config"]["type"] == "say_static"
