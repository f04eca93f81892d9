"""The module and script services without HTTP: references, expansion into run steps,
versions, the refusals that keep references valid, and their snapshot parts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound
from emulator.core.namespaces import Namespace
from emulator.revyl import yaml_tests
from emulator.revyl.catalog import RevylFixtures
from emulator.revyl.state import RevylState, registration
from emulator.settings import DEFAULT_FIXTURES, Settings

REGISTRATION = registration(RevylFixtures.load(DEFAULT_FIXTURES))
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
BLOCKS = [{"type": "instructions", "step_description": "Enter {{email}}"},
          {"type": "extraction", "step_description": "Read the name", "variable_name": "who"}]


@pytest.fixture
def state() -> Iterator[RevylState]:
    ns = Namespace("modules", Settings(clock="manual", seed=0), (REGISTRATION,))
    yield ns.state(RevylState)
    ns.clock.cancel_all()


def test_a_module_keeps_every_version_and_restores_one_as_a_new_one(state):
    modules = state.modules
    module = modules.create(name=" login ", description=None, blocks=BLOCKS)
    assert (module.name, module.description, module.version) == ("login", "", 1)
    modules.update(module.id, {"blocks": [{"type": "validation", "step_description": "ok"}],
                               "name": "sign-in"}, expected_version=1)
    with pytest.raises(Conflict):
        modules.update(module.id, {"description": "late"}, expected_version=1)
    modules.restore(module.id, 1)
    assert (module.name, module.version, module.blocks) == ("login", 3, BLOCKS)
    _, page, total = modules.versions(module.id, limit=2, offset=0)
    assert total == 3 and [v.version for v in page] == [3, 2]
    assert page[1].name == "sign-in" and page[0].modified_by_email == state.catalog.org["email"]
    with pytest.raises(NotFound):
        modules.restore(module.id, 4)


def test_module_blocks_are_checked(state):
    modules = state.modules
    with pytest.raises(BadRequest):
        modules.create(name="empty", description=None, blocks=[])
    modules.create(name="inner", description=None, blocks=BLOCKS)
    for bad in ([{"type": "module_import", "module": "inner"}], [{"type": "bogus"}],
                [{"type": "code_execution", "script": "nope"}]):
        with pytest.raises(ApiError) as raised:
            modules.create(name="outer", description=None, blocks=bad)
        assert raised.value.status_code == 400
    with pytest.raises(Conflict):
        modules.create(name="inner", description=None, blocks=BLOCKS)


def test_imports_expand_into_run_steps_and_follow_the_module(state):
    module = state.modules.create(name="login", description=None, blocks=BLOCKS)
    test = state.definitions.create_from_tasks(
        name="t", platform="android", app_id=ANDROID_APP, description=None, tags=None,
        tasks=[{"type": "if", "step_description": "logged out", "thenChildren": [
            {"type": "module_import", "module": "login"}]},
            {"type": "validation", "step_description": "Hi {{who}}"}])
    assert test.blocks[0]["then"][0]["module_id"] == module.id
    assert test.steps == ["logged out", "Enter {{email}}", "Read the name", "Hi {{who}}"]
    state.modules.update(module.id, {"blocks": BLOCKS[:1]}, None)
    assert test.steps == ["logged out", "Enter {{email}}", "Hi {{who}}"]
    assert state.modules.usage(module.id).tests == [(test.id, "t")]
    with pytest.raises(Conflict):
        state.modules.delete(module.id)


def test_the_validator_resolves_against_the_library(state):
    script = state.scripts.create(name="sum", code="exit 1", runtime="bash", description=None)
    state.modules.create(name="login", description=None, blocks=BLOCKS)
    report = yaml_tests.check_blocks(
        [{"type": "module_import", "module": "login"},
         {"type": "code_execution", "step_description": script.id},
         {"type": "validation", "step_description": "Hello {{who}}"}],
        library=state.modules)
    assert report.valid, report.messages
    assert report.blocks[1]["script_id"] == script.id
    unknown = yaml_tests.check_blocks([{"type": "module_import", "module_id": "x"},
                                       {"type": "code_execution", "script": "none"}],
                                      library=state.modules)
    assert [m.code for m in unknown.messages] == ["UNKNOWN_MODULE", "UNKNOWN_SCRIPT"]
    # A module's own variables come from the test importing it: a warning, not an error.
    assert yaml_tests.check_blocks(BLOCKS, library=state.modules, undefined="warning").valid


def test_scripts_filter_page_rename_and_refuse_deleting_a_used_one(state):
    scripts = state.scripts
    first = scripts.create(name="a", code="1", runtime="python", description="d")
    scripts.create(name="b", code="2", runtime="bash", description=None)
    assert scripts.listing("PYTHON", 10, 0) == ([first], 1)
    assert [s.name for s in scripts.listing(None, 1, 1)[0]] == ["b"]
    with pytest.raises(Conflict):
        scripts.update(first.id, {"name": "b"})
    module = state.modules.create(name="m", description=None, blocks=[
        {"type": "code_execution", "script": "a"}])
    scripts.update(first.id, {"name": "c", "runtime": "bash"})
    assert module.blocks[0]["script"] == "c" and first.runtime == "bash"
    assert scripts.usage(first.id).modules == [(module.id, "m")]
    with pytest.raises(Conflict):
        scripts.delete(first.id)
    state.modules.delete(module.id)
    scripts.delete(first.id)
    with pytest.raises(NotFound):
        scripts.get(first.id)


def test_snapshot_parts_round_trip_and_default_to_empty(state):
    script = state.scripts.create(name="s", code="x", runtime="python", description=None)
    module = state.modules.create(name="m", description="d", blocks=BLOCKS)
    state.modules.update(module.id, {"name": "m2"}, None)
    parts = {**state.scripts.export_state(), **state.modules.export_state()}
    state.scripts.restore_state({})
    state.modules.restore_state({})
    assert state.scripts.by_id == {} and state.modules.by_id == {}
    state.scripts.restore_state(parts)
    state.modules.restore_state(parts)
    assert state.scripts.get(script.id) == script
    assert state.modules.get(module.id) == module and len(module.history) == 2
