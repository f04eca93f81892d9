"""Workflow use cases and the other multi-step service methods the routes call, without HTTP:
events raised by the service itself, the delete cascade, favourites, version edits, seeding's
re-pinning, schedules of deleted workflows, saved LLM config tests, saved tool runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from emulator.core.errors import NotFound
from emulator.core.namespaces import Namespace
from emulator.interactly.state import InteractlyState, registration
from emulator.settings import Settings

CHAT = [{"type": "say_llm", "logical_id": "front", "name": "Front", "is_start": True}]
DONE = {"type": "say_static", "logical_id": "done", "name": "Done",
        "static_messages_config": {"static_messages": ["bye"]}}


@pytest.fixture
def state() -> InteractlyState:
    ns = Namespace("t", Settings(clock="manual", seed=0), (registration(),))
    return ns.state(InteractlyState)


@pytest.fixture
def heard(state: InteractlyState) -> list[tuple[str, dict[str, Any]]]:
    """What listeners (webhooks) are told."""
    events: list[tuple[str, dict[str, Any]]] = []
    state.listeners.append(lambda action, payload: events.append((action, payload)))
    return events


def create(state: InteractlyState, name: str = "chat", **config: Any) -> str:
    return state.workflows.create(name, None, config or None, None, CHAT, [], "team",
                                  "user").id


# ------------------------------------------------------------------------ lifecycle events
def test_creating_a_workflow_tells_the_listeners(state, heard):
    wf = state.workflows.create("chat", "about", {"miscellaneous": {
        "default_dynamic_variables": {"who": "config"}}}, {"who": "body", "lang": "en"},
        CHAT, [], "team", "user")
    assert heard == [("workflow_created", {"workflow_id": wf.id, "workflow_name": "chat"})]
    config = state.catalog.version(wf.id, 0).workflow_config
    assert config["description"] == "about"
    # The body's dynamic variables are defaults under the ones the config names itself.
    assert config["miscellaneous"]["default_dynamic_variables"] == {"who": "config",
                                                                    "lang": "en"}


def test_updating_a_workflow_tells_the_listeners(state, heard):
    wid = create(state)
    state.workflows.update(wid, {"name": "renamed"})
    assert heard[-1] == ("workflow_updated", {"workflow_id": wid, "workflow_name": "renamed"})


def test_deleting_a_workflow_takes_its_graph_and_runs_and_tells_the_listeners(state, heard):
    wid = create(state)
    keep = create(state, "other")
    run, _ = state.runs.execute(wid, {"command": "start"}, None, None, "team", "user")
    kept, _ = state.runs.execute(keep, {"command": "start"}, None, None, "team", "user")
    state.workflows.delete(wid)
    assert wid not in state.catalog.workflows
    assert all(d["workflow_id"] != wid for d in state.catalog.nodes.values())
    assert set(state.runs.by_id) == {kept.id} and run.id not in state.runs.by_id
    assert heard[-1] == ("workflow_deleted", {"workflow_id": wid, "workflow_name": "chat"})


def test_deleting_an_unknown_workflow_is_404_and_tells_nobody(state, heard):
    with pytest.raises(NotFound):
        state.workflows.delete("f" * 24)
    assert heard == []


def test_dropping_a_workflow_for_a_seed_raises_no_event(state, heard):
    wid = create(state)
    heard.clear()
    state.workflows.drop(wid)
    assert wid not in state.catalog.workflows and heard == []


def test_cloning_and_importing_tell_the_listeners(state, heard):
    wid = create(state)
    clone = state.workflows.clone(wid, name="copy", description=None, clone_all_versions=True,
                                  version_numbers=None, fallback_active_version=None,
                                  team_id="team", user="user")
    bundle = state.workflows.export(wid, [0], 0)
    imported = state.workflows.import_bundle(bundle, versions_to_import=None, active=None,
                                             workflow_name="imported", team_id="team",
                                             user="user")
    assert heard[-2:] == [
        ("workflow_created", {"workflow_id": clone.id, "workflow_name": "copy"}),
        ("workflow_created", {"workflow_id": imported.id, "workflow_name": "imported"})]


# ------------------------------------------------------------------------ favourites
def test_favourites_of_a_user_filter_the_active_versions(state):
    liked, other = create(state, "liked"), create(state, "other", category="Sales")
    state.workflows.favorite(liked, "ada")
    rows = state.workflows.active_versions("ada", favorites=True, created_by_me=None,
                                           categories=[], logical_id=None)
    assert [wf.id for wf, _ in rows] == [liked]
    sales = state.workflows.active_versions("ada", favorites=None, created_by_me=True,
                                            categories=["Sales"], logical_id=None)
    assert sales == []  # created by "user", not "ada"
    sales = state.workflows.active_versions("user", favorites=None, created_by_me=True,
                                            categories=["Sales"], logical_id=None)
    assert [wf.id for wf, _ in sales] == [other]
    default = state.workflows.active_versions("user", favorites=None, created_by_me=None,
                                              categories=["User Created"], logical_id=None)
    assert [wf.id for wf, _ in default] == [liked]  # no category counts as the default
    state.workflows.unfavorite(liked, "ada")
    assert state.favorites.of("ada") == frozenset()


def test_favouriting_an_unknown_workflow_is_404_and_keeps_nothing(state):
    with pytest.raises(NotFound):
        state.workflows.favorite("f" * 24, "ada")
    assert "favorites" not in state.made_services()


# ------------------------------------------------------------------------ versions
def test_a_hydrated_version_config_replaces_the_graph_and_a_plain_one_merges(state):
    wid = create(state)
    state.workflows.update_version_config(wid, 0, {
        "workflow_config": {"name": "renamed"}, "node_configs": [*CHAT, DONE],
        "edge_configs": [{"type": "direct", "source_node_logical_id": "front",
                          "destination_node_logical_id": "done"}]})
    nodes, edges = state.catalog.graph(wid, 0)
    assert [n["logical_id"] for n in nodes] == ["front", "done"] and len(edges) == 1
    version = state.workflows.update_version_config(wid, 0, {"category": "Sales"})
    assert version.workflow_config["category"] == "Sales"
    assert version.workflow_config["name"] == "renamed"
    assert len(state.catalog.graph(wid, 0)[0]) == 2  # a plain config leaves the graph


def test_diff_and_used_variables_read_the_named_versions(state):
    wid = state.workflows.create("chat", None, None, None, [
        {**CHAT[0], "prompt": "Hello {{who}}"}], [], "team", "user").id
    state.catalog.create_version(wid, None, True, 0)
    state.workflows.update_version_config(wid, 1, {"workflow_config": {},
                                                   "node_configs": [*CHAT, DONE]})
    assert "who" in state.workflows.used_variables(wid, 0)
    assert "who" not in state.workflows.used_variables(wid, None)  # v1, active, is new
    diff = state.workflows.diff(wid, 0, 1)
    assert (diff["version1_number"], diff["version2_number"]) == (0, 1)
    assert diff["summary"]["nodes_added"] == 1 and diff["summary"]["nodes_modified"] == 1
    with pytest.raises(NotFound):
        state.workflows.diff(wid, 0, 9)


# ------------------------------------------------------------------------ catalog
def test_repinning_moves_a_workflow_and_its_documents_to_the_new_id(state):
    wid = create(state)
    pinned = "5eed00000000000000000001"
    wf = state.catalog.repin(wid, pinned)
    assert wf.id == pinned and list(state.catalog.workflows) == [pinned]
    assert all(d["workflow_id"] == pinned and d["config"]["workflow_id"] == pinned
               for d in state.catalog.nodes.values())
    assert state.catalog.hydrated(pinned)["node_configs"][0]["logical_id"] == "front"


def test_the_concurrency_limit_is_kept_on_the_workflow(state):
    wid = create(state)
    assert state.catalog.set_max_concurrent_runs(wid, 3).max_concurrent_runs == 3
    with pytest.raises(NotFound):
        state.catalog.set_max_concurrent_runs("f" * 24, 3)


# ------------------------------------------------------------------------ other services
def test_schedules_of_a_deleted_workflow_stay_readable_and_an_unknown_one_is_404(state):
    wid = create(state)
    later = datetime.fromtimestamp(state.ns.clock.now() + 60, UTC)
    schedule = state.schedules.create(wid, later, None, {"command": "start"}, None, None,
                                      "team", "user")
    state.workflows.delete(wid)
    assert state.schedules.of_workflow(wid) == [schedule]
    with pytest.raises(NotFound):
        state.schedules.of_workflow("f" * 24)


def test_testing_a_saved_llm_config_reuses_the_stored_secret(state):
    record = state.llm_configs.create(name="main", config={"type": "openai_llm",
                                                           "model": "stored", "api_key": "k"},
                                      description=None, is_default=False,
                                      override_default=False, team_id="team", user="user")
    messages = [{"role": "human", "content": "hello"}]
    saved = state.llm_configs.test_saved(record["llm_config_id"], None, "be nice", messages)
    override = state.llm_configs.test_saved(record["llm_config_id"],
                                            {"type": "openai_llm", "model": "other",
                                             "api_key": None}, "be nice", messages)
    assert saved["model"] == "stored" and override["model"] == "other"
    assert saved["success"] and override["success"]


def test_running_an_unknown_saved_tool_is_404_and_makes_no_globals(state):
    with pytest.raises(NotFound):
        state.tool_runner.execute_saved("f" * 24, {})
    assert "globals" not in state.made_services()
    tool = state.catalog.add_tool({"type": "inline_python", "name": "t", "code": "x"},
                                  "team", "user")
    answer = state.tool_runner.execute_saved(tool["_id"], {})
    assert answer["success"] and answer["dry_run"]
    assert "globals" in state.made_services()  # tool runs see the team's globals
