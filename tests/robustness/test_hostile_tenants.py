"""A shared server probed by a hostile (or careless) client, in-process: nothing keeps a
caller's credential or a secret at rest, strangers cannot make namespaces for free or write
into another tenant's journal, and the number of namespaces is bounded.

- credentials: the registry knows a token only by its digest; a snapshot (any token may ask
  for ``?all=true``) and a ``--state-file`` hold neither the token nor a secret's value; the
  journal shows neither.
- namespaces: health checks, unknown routes, anonymous requests and the dashboard make none;
  ``EMULATOR_MAX_NAMESPACES`` evicts the least recently used idle one and answers 503 when
  each has live work; ``DELETE /_emulator/namespace`` frees one, and the live fixture calls it.
- journals: the public namespace key in a WebSocket token or a presigned path does not let an
  anonymous request into that namespace's journal.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.core.namespaces import token_digest
from emulator.core.snapshots import save_state_file
from emulator.pytest_plugin import LiveEmulator
from emulator.settings import Settings
from tests.api.conftest import SDK_HEADERS, start
from tests.api.test_interactly import START

pytestmark = pytest.mark.anyio

API_KEY = "sk-live-4f1c0ffee0ddba11deadbeef"
SECRET = "hunter2-interactly-secret-value"
REVYL_SECRET = "hunter2-revyl-secret-value"
RECEIVER_TOKEN = "receiver-bearer-credential"


@pytest.fixture
def emulator_settings() -> Settings:
    return Settings(clock="manual", seed=0, max_namespaces=4)


def as_(app: Any, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test",
                             headers=headers)


@pytest.fixture
async def victim(emulator_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with as_(emulator_app, API_KEY) as client:
        yield client


def leaks(text: str) -> list[str]:
    return [s for s in (API_KEY, SECRET, REVYL_SECRET, RECEIVER_TOKEN) if s in text]


# ------------------------------------------------------------------------------ credentials
async def test_no_token_and_no_secret_is_kept_exported_or_journaled(
        emulator_app: Any, victim: httpx.AsyncClient, tmp_path: Path) -> None:
    made = await victim.post("/v1/global-variables", headers=SDK_HEADERS,
                             json={"name": "db_password", "value": SECRET, "is_secret": True})
    assert made.status_code in (200, 201), made.text
    var_id = made.json()["variable"]["_id"]
    patched = await victim.patch(f"/v1/global-variables/{var_id}", headers=SDK_HEADERS,
                                 json={"value": SECRET})  # says nothing of is_secret
    assert patched.status_code == 200, patched.text
    revyl_made = await victim.post("/api/v1/variables/global", json={
        "variable_name": "pw", "variable_value": REVYL_SECRET, "is_secret": True})
    assert revyl_made.status_code == 200, revyl_made.text
    hook = await victim.post("/v1/workflow-webhooks", headers=SDK_HEADERS, json={
        "name": "h", "url": "http://127.0.0.1:9/hook", "actions": ["workflow_run_completed"],
        "bearer_token": RECEIVER_TOKEN})
    assert hook.status_code in (200, 201), hook.text
    wid = (await victim.post("/v1/workflows", json={"name": "w"}, headers=SDK_HEADERS)
           ).json()["workflow"]["_id"]
    run = await victim.post(f"/v1/workflows/{wid}/execute", json={"run_input": START},
                            headers=SDK_HEADERS, params={"api_key": API_KEY})
    assert run.status_code == 200, run.text
    # The run itself still reads the secret (only what is at rest or shown is masked).
    registry = emulator_app.state.registry
    assert all(ns.name != API_KEY and API_KEY not in vars(ns).values() for ns in registry)
    assert registry.find(API_KEY).name == token_digest(API_KEY)

    async with as_(emulator_app, "a-stranger") as stranger:
        everything = await stranger.get("/_emulator/snapshot", params={"all": "true"})
    assert everything.status_code == 200
    assert leaks(everything.text) == []
    own = await victim.get("/_emulator/snapshot")
    assert leaks(own.text) == []
    variables = own.json()["interactly"]["services"]["globals"]["variables"]
    assert [(v["name"], v["value"]) for v in variables] == [("db_password", "********")]
    # The system variable never held the key: masked on the wire, and in what runs see.
    listing = (await victim.get("/v1/global-variables", headers=SDK_HEADERS)).json()
    assert {v["name"]: v["value"] for v in listing["variables"]}["interactly_api_token"] \
        == "********"

    save_state_file(registry, tmp_path / "state.json")
    assert leaks((tmp_path / "state.json").read_text()) == []

    journal = await victim.get("/_emulator/journal")
    assert journal.status_code == 200
    assert leaks(journal.text) == []
    bodies = [e["body"] for e in journal.json()["entries"] if e["body"]]
    assert {"name": "db_password", "value": "[redacted]", "is_secret": True} in bodies
    assert {"value": "[redacted]"} in bodies  # a patch of a secret's value alone
    assert any(e["headers"].get("authorization") == "Bearer [redacted]"
               for e in journal.json()["entries"])
    assert any(e["query"] == "api_key=%5Bredacted%5D" for e in journal.json()["entries"])

    # Restoring gives secrets the placeholder (and a namespace that still works).
    restored = await victim.post("/_emulator/snapshot", json=own.json())
    assert restored.status_code == 200, restored.text
    assert leaks((await victim.get("/_emulator/snapshot")).text) == []
    again = (await victim.get("/v1/global-variables", headers=SDK_HEADERS)).json()
    assert "db_password" in {v["name"] for v in again["variables"]}


# ------------------------------------------------------------------------------ namespaces
async def test_requests_that_no_route_authorised_make_no_namespace(emulator_app: Any) -> None:
    registry = emulator_app.state.registry
    async with as_(emulator_app, None) as anonymous:
        for n in range(20):
            async with as_(emulator_app, f"stranger-{n}") as stranger:
                assert (await stranger.get("/health_check")).status_code == 200
                assert (await stranger.get("/no/such/route")).status_code == 404
                assert (await stranger.get("/_emulator/health")).status_code == 200
                gone = await stranger.delete("/_emulator/namespace")
                assert gone.json() == {"deleted": False,
                                       "namespace": token_digest(f"stranger-{n}")[:12]}
            page = await anonymous.get("/_emulator/ui", params={"token": f"ui-{n}"})
            assert page.status_code == 200
            state = await anonymous.get("/_emulator/ui/state", params={"token": f"ui-{n}"})
            assert state.json()["namespaces"] == []
        assert len(registry) == 0
        # ...and they were still journaled, as anonymous requests.
        async with as_(emulator_app, "reader") as reader:
            entries = (await reader.get("/_emulator/journal", params={"all": "true"})
                       ).json()["entries"]
        assert {e["path"] for e in entries if e["namespace"] is None} >= {
            "/health_check", "/no/such/route", "/_emulator/ui"}


async def test_the_first_authorised_request_of_a_token_is_journaled_in_it(
        emulator_app: Any) -> None:
    async with as_(emulator_app, "newcomer") as client:
        task = await start(client)
        entries = (await client.get("/_emulator/journal")).json()["entries"]
    assert [e["path"] for e in entries] == ["/api/v1/execution/api/execute_test_id_async"]
    assert entries[0]["namespace"] == token_digest("newcomer")[:12] and task


async def test_the_cap_evicts_the_least_recently_used_idle_namespace(emulator_app: Any) -> None:
    registry = emulator_app.state.registry
    for n in range(4):
        async with as_(emulator_app, f"t{n}") as client:
            assert (await client.get("/_emulator/clock")).status_code == 200
    async with as_(emulator_app, "t0") as client:  # used again: now the most recent
        await client.get("/_emulator/clock")
    async with as_(emulator_app, "t4") as client:
        assert (await client.get("/_emulator/clock")).status_code == 200
    assert len(registry) == 4 and registry.evicted == 1
    assert registry.find("t1") is None and registry.find("t0") is not None


async def test_namespaces_with_live_work_are_kept_and_a_full_server_says_so(
        emulator_app: Any) -> None:
    registry = emulator_app.state.registry
    for n in range(4):
        async with as_(emulator_app, f"busy{n}") as client:
            await start(client)  # a running execution: timers on its (manual) clock
    assert all(not ns.idle() for ns in registry)
    async with as_(emulator_app, "one-too-many") as client:
        refused = await client.get("/_emulator/clock")
        assert refused.status_code == 503, refused.text
        assert "EMULATOR_MAX_NAMESPACES" in refused.json()["detail"]
        assert (await client.get("/v1/workflows", headers=SDK_HEADERS)).status_code == 503
    assert len(registry) == 4 and registry.find("one-too-many") is None
    async with as_(emulator_app, "busy2") as client:
        assert (await client.delete("/_emulator/namespace")).json()["deleted"] is True
        again = await client.delete("/_emulator/namespace")  # idempotent
        assert again.status_code == 200 and again.json()["deleted"] is False
    assert len(registry) == 3 and registry.find("busy2") is None
    async with as_(emulator_app, "one-too-many") as client:
        assert (await client.get("/_emulator/clock")).status_code == 200


async def test_delete_needs_a_token(emulator_app: Any) -> None:
    async with as_(emulator_app, None) as anonymous:
        assert (await anonymous.delete("/_emulator/namespace")).status_code == 401


def live_handle(answers: dict[str, int]) -> tuple[LiveEmulator, list[str]]:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        return httpx.Response(answers.get(request.method, 200), json={"reset": 1})

    handle = object.__new__(LiveEmulator)
    handle.token = "live"
    handle.client = httpx.Client(transport=httpx.MockTransport(handler),
                                 base_url="http://e.test")
    handle.reset = lambda token=None: calls.append("POST /_emulator/reset")  # type: ignore
    return handle, calls


@pytest.mark.parametrize(("delete_status", "expected"), [
    (200, ["DELETE /_emulator/namespace"]),
    (404, ["DELETE /_emulator/namespace", "POST /_emulator/reset"]),
    (405, ["DELETE /_emulator/namespace", "POST /_emulator/reset"])])
def test_the_live_fixture_deletes_its_namespace_or_resets_an_old_server(
        delete_status: int, expected: list[str]) -> None:
    handle, calls = live_handle({"DELETE": delete_status})
    handle.close()
    assert calls == expected and handle.client.is_closed


# ------------------------------------------------------------------------------ journals
async def test_a_public_key_does_not_open_another_namespaces_journal(
        emulator_app: Any, victim: httpx.AsyncClient) -> None:
    await victim.get("/_emulator/clock")
    key = token_digest(API_KEY)[:12]
    async with as_(emulator_app, None) as anonymous:
        for method, path in [("PUT", f"/_emulator/uploads/{key}/forged"),
                             ("PUT", f"/_emulator/uploads/{key}/files/forged"),
                             ("GET", f"/_emulator/downloads/{key}/forged"),
                             ("GET", f"/_emulator/downloads/{key}/files/forged"),
                             ("DELETE", f"/_emulator/uploads/{key}/forged")]:
            answer = await anonymous.request(method, path, content=b"x")
            assert answer.status_code in (403, 404), (path, answer.text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
        from starlette.websockets import WebSocketDisconnect

        with TestClient(emulator_app) as sync, pytest.raises(WebSocketDisconnect), \
                sync.websocket_connect(f"/v1/workflow-runs/ws?token={key}.forged") as ws:
            ws.receive_text()
    entries = (await victim.get("/_emulator/journal")).json()["entries"]
    assert [e["path"] for e in entries] == ["/_emulator/clock"]
    everything = (await victim.get("/_emulator/journal", params={"all": "true"})
                  ).json()["entries"]
    forged = [e for e in everything if "forged" in e["path"] or e["method"] == "WS"]
    assert len(forged) == 6 and all(e["namespace"] is None for e in forged)
    assert forged[-1]["query"] == "token=%5Bredacted%5D"


async def test_a_genuine_ws_session_token_is_journaled_in_its_namespace(
        emulator_app: Any, victim: httpx.AsyncClient) -> None:
    session = (await victim.get("/v1/session", headers=SDK_HEADERS)).json()
    token = session["data"]["token"] if "token" in session["data"] else session["data"]["id"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        with TestClient(emulator_app) as sync, \
                sync.websocket_connect(f"/v1/workflow-runs/ws?token={token}") as ws:
            ws.send_text(json.dumps({"not": "a start frame"}))
            with pytest.raises(Exception):  # noqa: B017 - any close will do
                ws.receive_text()
                ws.receive_text()
    entries = (await victim.get("/_emulator/journal", params={"method": "WS"})).json()
    assert [e["status"] for e in entries["entries"]] == [101]
