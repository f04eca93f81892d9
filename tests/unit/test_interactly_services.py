"""Every Interactly service survives a snapshot, checked without HTTP.

The services are whatever ``InteractlyState`` declares as ``cached_property`` attributes (found
here by looking at the class, not by asking it). Each must either keep its data through
``export_state`` / ``restore_state`` or say it keeps nothing (``stateless``), and each stateful
one must have a filler below: adding a service without a codec, or without a round trip here,
fails this module.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pytest

from emulator.core.namespaces import Namespace
from emulator.core.snapshots import export_namespace, import_namespace
from emulator.interactly.assets import NodeLibraryConfig, TemplateConfig
from emulator.interactly.global_variables import VariableIn
from emulator.interactly.reruns import RerunTarget
from emulator.interactly.simulations import SimulationIn
from emulator.interactly.state import InteractlyState, registration
from emulator.interactly.stateful import Stateful, Stateless
from emulator.interactly.super_node_registry import Interface
from emulator.settings import Settings

SERVICES = [name for name, member in vars(InteractlyState).items()
            if isinstance(member, cached_property)]
HOOK = "http://127.0.0.1:9/hook"  # loopback: allowed, and nothing is sent without a loop


def namespace(name: str = "t") -> Namespace:
    return Namespace(name, Settings(clock="manual", seed=0), (registration(),))


def state_of(ns: Namespace) -> InteractlyState:
    return ns.state(InteractlyState)


def chat(state: InteractlyState) -> str:
    """A workflow whose run waits for the user (so it can be re-run from its first turn)."""
    wf = state.workflows.create("chat", None, None, {"who": "Ada"}, [
        {"type": "say_llm", "logical_id": "front", "name": "Front", "is_start": True}],
        [], "team", "user")
    return wf.id


def unsequenced(document: Any) -> Any:
    """Timer sequence numbers are the clock's bookkeeping, renumbered by every restore."""
    if isinstance(document, dict):
        return {k: unsequenced(v) for k, v in document.items() if k != "seq"}
    if isinstance(document, list):
        return [unsequenced(v) for v in document]
    return document


# --------------------------------------------------------------------- fillers
def fill_globals(state: InteractlyState) -> None:
    state.globals.create(VariableIn(name="company", value="Acme"), "team", "user")
    state.globals.create(VariableIn(name="secret", value="s3", is_secret=True), "team", "user")


def fill_assets(state: InteractlyState) -> None:
    state.assets.create_template(TemplateConfig(workflow_id=chat(state)), "team", "user")
    state.assets.create_library(NodeLibraryConfig(name="lib", nodes=["front"]), "team", "user")


def fill_favorites(state: InteractlyState) -> None:
    state.favorites.add("user", chat(state))


def fill_llm_configs(state: InteractlyState) -> None:
    state.llm_configs.create(name="main", config={"type": "openai_llm", "model": "m",
                                                  "api_key": "k"},
                             description="d", is_default=True, override_default=False,
                             team_id="team", user="user")


def fill_super_nodes(state: InteractlyState) -> None:
    state.super_nodes.publish(chat(state), Interface())


def fill_simulations(state: InteractlyState) -> None:
    """A group under way: its next step is a timer, which must come back."""
    wf = chat(state)
    sim = state.simulations.create(SimulationIn.model_validate({
        "name": "sim", "selected_workflow": {"workflow_id": wf},
        "counter_workflow": {"workflow_id": wf}}), "team", "user")
    state.simulations.start(sim["_id"], "runner", "team", "user")


def fill_schedules(state: InteractlyState) -> None:
    """A pending schedule (armed) and a cancelled one (not)."""
    wf = chat(state)
    later = datetime.fromtimestamp(state.ns.clock.now() + 3600, UTC)
    for _ in range(2):
        state.schedules.create(wf, later, None, {"command": "start"}, None, "me", "team",
                               "user")
    state.schedules.cancel(state.schedules.listing()[-1].id)


def fill_webhooks(state: InteractlyState) -> None:
    """A subscription and an event still to deliver (no loop runs here, so it waits)."""
    state.webhooks.create({"name": "hook", "url": HOOK, "actions": ["workflow_created"],
                           "enabled": True, "timeout_seconds": 5, "max_retries": 1,
                           "retry_backoff_seconds": 1}, None, "team", "user")
    chat(state)


def fill_reruns(state: InteractlyState) -> None:
    run, _ = state.runs.execute(chat(state), {"command": "start"}, None, None, "team", "user")
    state.runs.mark_streamed(run)
    state.reruns.create_token(run.id, 0, RerunTarget())


FILLERS: dict[str, Callable[[InteractlyState], None]] = {
    "globals": fill_globals, "assets": fill_assets, "favorites": fill_favorites,
    "llm_configs": fill_llm_configs, "super_nodes": fill_super_nodes,
    "simulations": fill_simulations, "schedules": fill_schedules,
    "webhooks": fill_webhooks, "reruns": fill_reruns,
}


# --------------------------------------------------------------------- the guard
def test_the_state_lists_exactly_the_services_it_declares():
    assert SERVICES, "InteractlyState declares no services any more?"
    assert InteractlyState.service_names() == tuple(SERVICES)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_codec_or_says_it_keeps_nothing(name):
    service = state_of(namespace()).make_service(name)
    stateful, stateless = isinstance(service, Stateful), isinstance(service, Stateless)
    assert stateful != stateless, (
        f"InteractlyState.{name} ({type(service).__name__}) must either implement "
        "export_state/restore_state (emulator/interactly/stateful.py) or declare "
        "`stateless = True`, and not both")
    if stateful:
        assert name in FILLERS, f"add a round trip for InteractlyState.{name} to this module"


def test_every_filler_names_a_stateful_service():
    state = state_of(namespace())
    assert {n for n in FILLERS if isinstance(state.make_service(n), Stateful)} == set(FILLERS)


# --------------------------------------------------------------------- round trips
@pytest.mark.parametrize("name", sorted(FILLERS))
def test_a_service_round_trips_through_its_own_export(name):
    source_ns = namespace()
    source = state_of(source_ns)
    FILLERS[name](source)
    service = source.make_service(name)
    assert isinstance(service, Stateful)
    exported = service.export_state()
    assert any(exported.values()), f"the filler of {name} stored nothing"

    target_ns = namespace("other")
    target = target_ns.state(InteractlyState).make_service(name)
    assert isinstance(target, Stateful)
    timers = target.restore_state(copy.deepcopy(exported))
    for _due, _order, arm in sorted(timers, key=lambda r: (r[0], r[1])):
        arm()
    assert unsequenced(target.export_state()) == unsequenced(exported)
    assert target_ns.clock.pending == source_ns.clock.pending  # its timers came back


def test_the_whole_namespace_round_trips_with_every_service():
    ns = namespace()
    state = state_of(ns)
    for fill in FILLERS.values():
        fill(state)
    for name in SERVICES:
        state.make_service(name)
    document = export_namespace(ns)
    assert document["skipped"] == []
    assert set(document["interactly"]["services"]) == set(FILLERS)

    target = namespace("other")
    import_namespace(target, copy.deepcopy(document))
    again = export_namespace(target)
    assert unsequenced({**again, "namespace": None}) == unsequenced(
        {**document, "namespace": None})
    assert target.clock.pending == ns.clock.pending


def test_a_service_not_made_is_not_exported_and_one_named_is_made_on_import():
    ns = namespace()
    state = state_of(ns)
    fill_favorites(state)
    document = export_namespace(ns)
    assert set(document["interactly"]["services"]) == {"favorites"}

    target = namespace("other")
    import_namespace(target, copy.deepcopy(document))
    restored = state_of(target)
    assert set(restored.made_services()) == {"favorites"}
    assert restored.favorites.of("user") == state.favorites.of("user")


@pytest.mark.parametrize("name", ["nonsense", "feedback", "tool_runner", "workflows"])
def test_a_document_naming_no_stateful_service_is_refused(name):
    from emulator.core.snapshots import SnapshotError

    ns = namespace()
    document = export_namespace(ns)
    document["interactly"]["services"] = {name: {}}
    with pytest.raises(SnapshotError, match="Unknown Interactly service"):
        import_namespace(namespace("other"), document)


def test_close_stops_the_timers_of_the_services_made():
    ns = namespace()
    state = state_of(ns)
    fill_schedules(state)
    assert ns.clock.pending == 1
    state.close()
    assert ns.clock.pending == 0
