"""``EMULATOR_ADMIN_TOKEN``: on a shared server the cross-namespace verbs (``?all=true`` on
state, journal, snapshot and reset; the all-namespace dashboard) answer only the admin token,
and every other token keeps to its own namespace. Unset, any token may use them as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from emulator.pytest_plugin import IN_PROCESS_URL
from emulator.settings import Settings

pytestmark = pytest.mark.anyio

ADMIN = "root-of-the-ci-box"
LOGIN = "7e570000-0000-4000-8000-000000000001"
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
ALL = {"all": "true"}
# (method, path, body) of every verb ?all=true widens.
VERBS: list[tuple[str, str, Any]] = [
    ("GET", "/_emulator/state", None),
    ("GET", "/_emulator/journal", None),
    ("GET", "/_emulator/journal/unmatched", None),
    ("DELETE", "/_emulator/journal", None),
    ("GET", "/_emulator/snapshot", None),
    ("POST", "/_emulator/snapshot", {"schema_version": 1, "namespaces": []}),
    ("POST", "/_emulator/reset", None),
]


@pytest.fixture
def emulator_settings() -> Settings:
    return Settings(clock="manual", seed=0, admin_token=ADMIN)


@pytest.fixture
async def tenants(emulator_app: Any) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    transport = httpx.ASGITransport(app=emulator_app)
    clients = {name: httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL,
                                       headers={"Authorization": f"Bearer {token}"})
               for name, token in (("alice", "alice-token"), ("bob", "bob-token"),
                                   ("admin", ADMIN))}
    clients["anonymous"] = httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL)
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.aclose()
        await emulator_app.state.registry.aclose()


async def busy(client: httpx.AsyncClient) -> str:
    """Leave something in the namespace: an execution, journal entries, an unmatched path."""
    started = await client.post(EXECUTE, json={"test_id": LOGIN})
    assert started.status_code == 200, started.text
    await client.get("/api/v1/no-such-route")
    return started.json()["task_id"]


@pytest.mark.parametrize("method, path, body", VERBS)
async def test_other_tokens_are_refused_all_and_nothing_changes(
        tenants: dict[str, httpx.AsyncClient], method: str, path: str, body: Any) -> None:
    alice, bob = tenants["alice"], tenants["bob"]
    await busy(alice)
    before = (await alice.get("/_emulator/snapshot")).json()
    entries = (await alice.get("/_emulator/journal")).json()["count"]
    refused = await bob.request(method, path, params=ALL, json=body)
    assert refused.status_code == 403, refused.text
    assert "admin token" in refused.json()["detail"]
    assert (await alice.get("/_emulator/journal")).json()["count"] == entries
    assert (await alice.get("/_emulator/snapshot")).json() == before


@pytest.mark.parametrize("method, path, body", VERBS)
async def test_the_admin_token_may_use_all(
        tenants: dict[str, httpx.AsyncClient], method: str, path: str, body: Any) -> None:
    await busy(tenants["alice"])
    answer = await tenants["admin"].request(method, path, params=ALL, json=body)
    assert answer.status_code == 200, answer.text


async def test_without_all_every_token_keeps_its_own_namespace(
        tenants: dict[str, httpx.AsyncClient]) -> None:
    alice, bob = tenants["alice"], tenants["bob"]
    await busy(alice)
    assert (await bob.get("/_emulator/state")).status_code == 200
    cleared = await bob.delete("/_emulator/journal")
    assert cleared.status_code == 200
    assert (await alice.get("/_emulator/journal")).json()["count"] >= 2
    assert (await bob.post("/_emulator/reset")).json()["reset"] == 1


async def test_the_admin_sees_every_namespace(tenants: dict[str, httpx.AsyncClient]) -> None:
    await busy(tenants["alice"])
    await busy(tenants["bob"])
    admin = tenants["admin"]
    state = (await admin.get("/_emulator/state", params=ALL)).json()
    assert len(state["namespaces"]) == 3  # alice, bob and the admin's own
    journal = (await admin.get("/_emulator/journal", params=ALL)).json()
    assert {e["namespace"] for e in journal["entries"]} >= {
        n["namespace"] for n in state["namespaces"] if n["namespace"] != journal["namespace"]}
    snapshot = (await admin.get("/_emulator/snapshot", params=ALL)).json()
    assert len(snapshot["namespaces"]) == 3
    assert (await admin.delete("/_emulator/journal", params=ALL)).json()["cleared"] > 0


async def test_the_dashboard_lists_every_namespace_only_for_the_admin(
        tenants: dict[str, httpx.AsyncClient]) -> None:
    await busy(tenants["alice"])
    anonymous = tenants["anonymous"]
    for path in ("/_emulator/ui", "/_emulator/ui/state", "/_emulator/ui/stream"):
        refused = await anonymous.get(path)
        assert refused.status_code == 403, (path, refused.text)
        assert "admin token" in refused.json()["detail"]
    scoped = (await anonymous.get("/_emulator/ui/state",
                                  params={"token": "bob-token"})).json()
    assert scoped["scoped"] is True and scoped["namespaces"] == []  # bob has no namespace yet
    everyone = (await anonymous.get("/_emulator/ui/state", params={"token": ADMIN})).json()
    assert everyone["scoped"] is False and everyone["namespaces_total"] == 1
    by_header = (await tenants["admin"].get("/_emulator/ui/state")).json()
    assert by_header["scoped"] is False
    page = await anonymous.get("/_emulator/ui", params={"token": ADMIN})
    assert page.status_code == 200 and "every namespace" in page.text


async def test_a_token_that_only_starts_like_the_admin_token_is_not_it(
        emulator_app: Any) -> None:
    transport = httpx.ASGITransport(app=emulator_app)
    for token in (ADMIN[:-1], ADMIN + "x", ADMIN.upper()):
        async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            assert (await client.get("/_emulator/state", params=ALL)).status_code == 403
    await emulator_app.state.registry.aclose()


@pytest.fixture(scope="module")
def open_app() -> Any:
    """An app without an admin token (this module's ``emulator_settings`` sets one)."""
    from emulator.app import create_app

    return create_app(Settings(clock="manual", seed=0))


@pytest.mark.parametrize("method, path, body", VERBS)
async def test_unset_any_token_may_use_all(open_app: Any, method: str, path: str,
                                           body: Any) -> None:
    """The default settings (no admin token): the local convenience stays."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=open_app),
                                 base_url=IN_PROCESS_URL,
                                 headers={"Authorization": "Bearer anyone"}) as client:
        answer = await client.request(method, path, params=ALL, json=body)
        assert answer.status_code == 200, answer.text
        everyone = (await client.get("/_emulator/ui/state", headers={"Authorization": ""}))
        assert everyone.status_code == 200 and everyone.json()["scoped"] is False
    await open_app.state.registry.aclose()
