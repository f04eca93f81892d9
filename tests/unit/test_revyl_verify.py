"""``RevylState.verify`` (run on every snapshot import) renders each execution in its wire forms
as the routes do: with the org's id where those forms carry ``org_id``. It once passed the
whole org object instead, so what it checked was not what clients are sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emulator.core.namespaces import Namespace
from emulator.revyl import monitor, responses, wire
from emulator.revyl.catalog import RevylFixtures
from emulator.revyl.machine import TestExecution
from emulator.revyl.state import RevylState, registration
from emulator.settings import DEFAULT_FIXTURES, Settings

LOGIN = "7e570000-0000-4000-8000-000000000001"
Render = Callable[[TestExecution, str], dict[str, Any]]


@pytest.fixture
def state() -> Iterator[RevylState]:
    ns = Namespace("verify", Settings(clock="manual", seed=0),
                   (registration(RevylFixtures.load(DEFAULT_FIXTURES)),))
    yield ns.state(RevylState)
    ns.clock.cancel_all()


def test_verify_renders_history_and_monitor_items_with_the_org_id(
        state: RevylState, monkeypatch: pytest.MonkeyPatch) -> None:
    state.tests.start(LOGIN)
    org_id = state.catalog.org["org_id"]
    rendered: list[dict[str, Any]] = []

    def spy(render: Render) -> Render:
        def wrapped(e: TestExecution, given: str) -> dict[str, Any]:
            rendered.append(render(e, given))
            return rendered[-1]
        return wrapped

    monkeypatch.setattr(wire, "history_item", spy(wire.history_item))
    monkeypatch.setattr(monitor, "test_item", spy(monitor.test_item))
    state.verify()

    history, item = rendered
    assert history["enhanced_task"]["org_id"] == org_id
    assert item["org_id"] == org_id
    responses.TestHistoryItem.model_validate(history)  # strict: an object for org_id is refused
