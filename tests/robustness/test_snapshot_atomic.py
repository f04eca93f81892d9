"""``POST /_emulator/snapshot?all=true`` is all or nothing across its namespaces: a 422 for one
bad document leaves every namespace exactly as it was (it used to replace the namespaces listed
before the bad one, answering 422 all the same)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from emulator.pytest_plugin import IN_PROCESS_URL

pytestmark = pytest.mark.anyio

LOGIN = "7e570000-0000-4000-8000-000000000001"
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
TOKENS = ("first-ns", "second-ns", "third-ns")


@pytest.fixture
async def clients(emulator_app: Any) -> AsyncIterator[list[httpx.AsyncClient]]:
    transport = httpx.ASGITransport(app=emulator_app)
    made = [httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL,
                              headers={"Authorization": f"Bearer {token}"})
            for token in TOKENS]
    try:
        yield made
    finally:
        for client in made:
            await client.aclose()
        await emulator_app.state.registry.aclose()


async def observed(clients: list[httpx.AsyncClient]) -> list[Any]:
    """Everything a client can see of each namespace: its snapshot and its state."""
    seen = []
    for client in clients:
        seen.append((await client.get("/_emulator/snapshot")).json())
        seen.append((await client.get("/_emulator/state")).json())
    return seen


def bad_clock(entry: dict[str, Any]) -> None:
    entry["clock"]["mode"] = "sideways"


def bad_interactly_service(entry: dict[str, Any]) -> None:
    entry["interactly"]["services"] = {"no-such-service": {}}


def bad_execution(entry: dict[str, Any]) -> None:
    entry["revyl"]["test_executions"] = [{"id": "x", "status": 42}]


@pytest.mark.parametrize("spoil", [bad_clock, bad_interactly_service, bad_execution])
@pytest.mark.parametrize("bad_index", [0, 1, 2])
async def test_a_refused_import_changes_no_namespace(clients: list[httpx.AsyncClient],
                                                     spoil: Any, bad_index: int) -> None:
    first = clients[0]
    for client in clients:
        assert (await client.post(EXECUTE, json={"test_id": LOGIN})).status_code == 200
    exported = (await first.get("/_emulator/snapshot", params={"all": "true"})).json()
    # Every namespace moves on after the export: importing the export would visibly undo it.
    for client in clients:
        assert (await client.post(EXECUTE, json={"test_id": LOGIN})).status_code == 200
        moved = await client.post("/_emulator/clock/advance", json={"seconds": 7})
        assert moved.status_code == 200
    document = copy.deepcopy(exported)
    spoil(document["namespaces"][bad_index])
    before = await observed(clients)
    refused = await first.post("/_emulator/snapshot", params={"all": "true"}, json=document)
    assert refused.status_code == 422, refused.text
    assert "nothing was imported" in refused.json()["detail"]
    assert await observed(clients) == before
    # The unspoiled export still imports, and does undo the later work.
    imported = await first.post("/_emulator/snapshot", params={"all": "true"}, json=exported)
    assert imported.status_code == 200 and imported.json()["imported"] == len(TOKENS)
    assert await observed(clients) != before
