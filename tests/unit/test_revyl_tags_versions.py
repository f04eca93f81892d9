"""The org's tag store and the tests' saved versions, without HTTP: tags as entities behind the
names tests carry (stable ids, rename and delete on every test, case-insensitive names), and
versions recorded by every change, restored as new versions, and dropped with their test."""

from __future__ import annotations

import pytest

from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.namespaces import Namespace
from emulator.core.snapshots import export_namespace, import_namespace
from emulator.revyl.state import RevylState
from emulator.revyl.tags import stable_tag_id
from tests.unit.revyl_world import revyl_namespace

LOGIN = "7e570000-0000-4000-8000-000000000001"
CHECKOUT = "7e570000-0000-4000-8000-000000000002"
IOS_APP = "a1000000-0000-4000-8000-000000000002"
NAMESPACE = "tags"  # tests/unit/conftest.py builds it
GO = [{"type": "instructions", "step_description": "Go"}]
STOP = [{"type": "instructions", "step_description": "Stop"}]


def names(state: RevylState) -> dict[str, int]:
    return {tag.name: count for tag, count in state.tags.listing()}


def test_fixture_tag_names_read_as_entities_with_stable_ids(state: RevylState) -> None:
    before = state.tags.of_test(LOGIN)
    assert [t.name for t in before] == ["smoke", "auth"]
    assert before[0].id == stable_tag_id("smoke")
    listed = names(state)
    assert listed["smoke"] == 2 and listed["auth"] == 1
    state.tags.create("release", None)  # a write stores them all; the ids do not move
    assert {t.name for t in state.tags.by_id.values()} >= {"smoke", "auth", "release"}
    assert [t.id for t in state.tags.of_test(LOGIN)] == [t.id for t in before]


def test_create_is_an_upsert_by_name_in_any_case(state: RevylState) -> None:
    made = state.tags.create(" release ", "#22C55E")
    assert (made.name, made.color) == ("release", "#22C55E")
    assert state.tags.create("RELEASE", "#000000") is made
    assert made.color == "#22C55E"
    assert names(state)["release"] == 0
    with pytest.raises(BadRequest):
        state.tags.create("  ", None)


def test_rename_recolour_and_describe_reach_every_test(state: RevylState) -> None:
    smoke = next(t for t, _ in state.tags.listing() if t.name == "smoke")
    carriers = [t.id for t in state.catalog.tests.values() if "smoke" in t.tags]
    assert state.tags.by_id == {}  # reading stored nothing
    with pytest.raises(Conflict):  # nor did a refused write
        state.tags.update(smoke.id, "Auth", None, None)
    assert state.tags.by_id == {}
    smoke = state.tags.update(smoke.id, "sanity", "#123456", "quick checks")
    for test_id in carriers:
        assert "sanity" in state.catalog.test(test_id).tags
    assert names(state)["sanity"] == len(carriers) and "smoke" not in names(state)
    assert (smoke.color, smoke.description) == ("#123456", "quick checks")
    with pytest.raises(Conflict):
        state.tags.update(smoke.id, "AUTH", None, None)
    state.catalog.test(CHECKOUT).tags.append("smoke")  # the old name, back from a YAML file
    again = state.tags.of_test(CHECKOUT)[-1]
    assert again.name == "smoke" and again.id != smoke.id
    assert state.tags.of_test(CHECKOUT)[-1].id == again.id == state.tags.get(again.id).id
    with pytest.raises(NotFound):
        state.tags.update("nope", "x", None, None)


def test_delete_takes_the_tag_off_every_test(state: RevylState) -> None:
    auth = next(t for t, _ in state.tags.listing() if t.name == "auth")
    assert state.tags.delete(auth.id) == auth
    assert state.catalog.test(LOGIN).tags == ["smoke"]
    assert "auth" not in names(state)
    with pytest.raises(NotFound):
        state.tags.delete(auth.id)


def test_sync_replaces_and_creates_unknown_names(state: RevylState) -> None:
    test, synced = state.tags.sync(LOGIN, [" Smoke ", "nightly", "", "NIGHTLY"])
    assert test.tags == ["smoke", "nightly"]
    assert [(s.tag.name, s.created) for s in synced] == [("smoke", False), ("nightly", True)]
    assert state.definitions.sync_tags(LOGIN, [" a ", "b", "", "a"]).tags == ["a", "b"]
    with pytest.raises(NotFound):
        state.tags.sync("nope", ["x"])


def test_bulk_sync_adds_and_removes_per_test(state: RevylState) -> None:
    results = state.tags.bulk_sync([LOGIN, "nope", CHECKOUT], ["regression", "smoke"],
                                   ["auth"])
    assert [(r.test_id, r.error) for r in results] == [
        (LOGIN, None), ("nope", "Test not found"), (CHECKOUT, None)]
    assert state.catalog.test(LOGIN).tags == ["smoke", "regression"]
    assert state.catalog.test(CHECKOUT).tags.count("smoke") == 1
    state.tags.bulk_sync([LOGIN], [], ["REGRESSION", "never-there"])
    assert state.catalog.test(LOGIN).tags == ["smoke"]


def test_every_change_is_a_version_and_restore_makes_a_new_one(state: RevylState,
                                                                  ns: Namespace) -> None:
    defs, versions = state.definitions, state.test_versions
    test = defs.create(name="versioned", platform="android", blocks=GO, app_id=None)
    ns.clock.advance(60)
    defs.update(test.id, {"blocks": STOP}, 1)
    defs.update(test.id, {"name": "versioned-2"}, None)
    assert [v.version for v in versions.history(test.id)] == [3, 2, 1]
    with pytest.raises(Conflict) as conflict:
        defs.update(test.id, {"description": "late"}, 1)
    assert conflict.value.detail["error"] == "version_conflict"
    assert conflict.value.detail["current_version"] == 3
    restored = defs.restore_version(test.id, 1)
    assert restored.version == 4 and restored.blocks == GO
    assert restored.steps == ["Go"]
    history = versions.history(test.id)
    assert [(v.version, v.restored_from) for v in history][:2] == [(4, 1), (3, None)]
    assert history[-1].created_at < history[-2].created_at
    with pytest.raises(NotFound):
        defs.restore_version(test.id, 9)


def test_untracked_tests_read_as_their_current_version(state: RevylState) -> None:
    only = state.test_versions.history(LOGIN)
    assert [(v.version, v.tasks) for v in only] == [(1, state.catalog.test(LOGIN).blocks)]
    state.definitions.update(LOGIN, {"blocks": GO}, None)  # the fixture's v1 goes on record
    assert [v.version for v in state.test_versions.history(LOGIN)] == [2, 1]
    assert state.definitions.restore_version(LOGIN, 1).blocks[0]["type"] == "manual"


def test_duplicate_copies_tasks_tags_and_variables(state: RevylState) -> None:
    done = state.definitions.duplicate(LOGIN, "")
    source = state.catalog.test(LOGIN)
    assert done.test.name == "login-flow (copy)" and done.test.id != LOGIN
    assert (done.test.blocks, done.test.tags, done.test.variables) == (
        source.blocks, source.tags, source.variables)
    assert done.test.blocks is not source.blocks
    assert (done.tags_copied, done.variables_copied) == (2, 2)
    assert done.test.version == 1 and done.test.app_id == source.app_id
    assert state.definitions.duplicate(LOGIN, "").test.name == "login-flow (copy 2)"
    bare = state.definitions.duplicate(LOGIN, "bare", copy_variables=False)
    assert bare.test.variables == {} and bare.variables_copied == 0
    ios = state.definitions.duplicate(LOGIN, "ios-copy", target_platform="iOS")
    assert (ios.test.platform, ios.test.app_id) == ("ios", None)
    moved = state.definitions.duplicate(LOGIN, "ios-app-copy", new_app_id=IOS_APP)
    assert (moved.test.platform, moved.test.app_id) == ("ios", IOS_APP)
    with pytest.raises(Conflict):
        state.definitions.duplicate(LOGIN, "bare")
    with pytest.raises(NotFound):
        state.definitions.duplicate("nope", "x")
    with pytest.raises(BadRequest):
        state.definitions.duplicate(LOGIN, "y", new_app_id=IOS_APP, target_platform="android")


def test_delete_forgets_versions_and_query_filters_and_sorts(state: RevylState,
                                                             ns: Namespace) -> None:
    made = state.definitions.create(name="Zeta", platform="ios", blocks=GO, app_id=IOS_APP)
    ns.clock.advance(10)
    state.definitions.update(made.id, {"blocks": STOP}, None)
    assert [t.name for t in state.definitions.query(platform="IOS", sort_by="name")] == \
        sorted((t.name for t in state.catalog.tests.values() if t.platform == "ios"),
               key=str.casefold)
    assert [t.id for t in state.definitions.query(search=made.id[:8].upper())] == [made.id]
    assert state.definitions.query(app_id=IOS_APP, sort_by="name", sort_dir="desc")[0] is made
    assert state.definitions.query(sort_by="updated_at", sort_dir="desc")[0] is made
    state.definitions.delete(made.id)
    assert made.id not in state.test_versions.by_test
    with pytest.raises(NotFound):
        state.test_versions.history(made.id)


def test_tags_and_versions_survive_a_snapshot(ns: Namespace, state: RevylState) -> None:
    state.tags.create("release", "#22C55E")
    state.tags.sync(LOGIN, ["release", "smoke"])
    state.definitions.update(LOGIN, {"blocks": GO}, None)
    document = export_namespace(ns)
    target = revyl_namespace("target")
    try:
        import_namespace(target, document)
        copy = target.state(RevylState)
        assert [(t.id, t.name, t.color) for t, _ in copy.tags.listing()] == \
            [(t.id, t.name, t.color) for t, _ in state.tags.listing()]
        assert [v.version for v in copy.test_versions.history(LOGIN)] == [2, 1]
        old = {k: v for k, v in document["revyl"].items() if k not in ("tags", "test_versions")}
        import_namespace(target, {**document, "revyl": old})  # from before these parts
        copy = target.state(RevylState)
        assert [v.version for v in copy.test_versions.history(LOGIN)] == [2]
        assert "release" in names(copy)
    finally:
        target.clock.cancel_all()
