"""``/_emulator/ui``: the dashboard page, its JSON view and its live stream, in process.

The stream never ends by itself, so it is read by calling the ASGI app directly and sending
``http.disconnect`` once enough has arrived (httpx's ASGITransport buffers whole bodies).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import anyio
import httpx
import pytest

from tests.api.conftest import LOGIN, SDK_HEADERS, advance, start
from tests.api.test_interactly import START

pytestmark = pytest.mark.anyio

EVIL = "<script>alert(1)</script>"
TOKEN = "emulator-test-token"  # emulator_client's


def key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


@pytest.fixture
async def anonymous(emulator_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://emulator.test") as client:
        yield client


async def interactly_run(client: httpx.AsyncClient, name: str) -> str:
    wid = (await client.post("/v1/workflows", json={"name": name}, headers=SDK_HEADERS)
           ).json()["workflow"]["_id"]
    reply = await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START},
                              headers=SDK_HEADERS)
    assert reply.status_code == 200, reply.text
    return reply.json()["run_id"]


def config_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="dashboard-config">(.*?)</script>',
                      page, re.S)
    assert found, page
    return json.loads(found.group(1))


async def test_page_shows_executions_and_runs_with_everything_escaped(emulator_client,
                                                                      anonymous):
    task = await start(emulator_client, LOGIN)
    run_id = await interactly_run(emulator_client, EVIL)
    response = await anonymous.get("/_emulator/ui", params={"token": TOKEN})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert task in page and run_id in page and "login-flow" in page
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Only the page's own two scripts: the JSON config and the nonce'd code.
    assert page.count("<script") == 2
    nonce = re.search(r"<script nonce=\"([^\"]+)\">", page).group(1)
    csp = response.headers["content-security-policy"]
    assert f"script-src 'nonce-{nonce}'" in csp and "default-src 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "http://" not in page.replace("http://emulator.test", "")  # no external assets
    # The Interactly run's row: status, one turn, the assistant's last words.
    runs = (await anonymous.get("/_emulator/ui/state", params={"token": TOKEN})).json()
    (view,) = runs["namespaces"]
    (run,) = view["interactly"]["runs"]
    assert (run["id"], run["workflow_name"], run["turns"]) == (run_id, EVIL, 1)
    assert run["status"] == "waiting_for_user_input" and run["last_assistant"]
    assert view["revyl"]["tests"][0]["id"] == task and view["revyl"]["tests_total"] == 1


async def test_token_goes_into_the_page_config_json_safely(emulator_app, anonymous):
    token = "</script><script>alert(1)</script>&\u2028end"
    emulator_app.state.registry.get(token)  # the page shows a namespace, it never makes one
    page = (await anonymous.get("/_emulator/ui", params={"token": token})).text
    assert "</script><script>alert" not in page and "\u2028" not in page
    config = config_of(page)
    assert config["token"] == token and config["scoped"] is True
    assert config["stream_url"].startswith("ui/stream?token=%3C%2Fscript")
    assert (config["advance_url"], config["reset_url"]) == ("clock/advance", "reset")
    assert f'data-ns="{key(token)}"' in page


async def test_token_handling_scoped_header_listing_and_errors(emulator_app, anonymous):
    for token in ("tok-a", "tok-b"):
        await anonymous.get("/_emulator/state", headers={"Authorization": f"Bearer {token}"})
    scoped = (await anonymous.get("/_emulator/ui?token=tok-a")).text
    assert f'data-ns="{key("tok-a")}"' in scoped and key("tok-b") not in scoped
    assert 'data-advance="10"' in scoped and "data-reset" in scoped
    by_header = await anonymous.get("/_emulator/ui", headers={"Authorization": "Bearer tok-b"})
    assert f'data-ns="{key("tok-b")}"' in by_header.text and key("tok-a") not in by_header.text
    # No token: every namespace, read-only, and no token of anyone in the page.
    for listing in ((await anonymous.get("/_emulator/ui")).text,
                    (await anonymous.get("/_emulator/ui?token=%20")).text):
        assert key("tok-a") in listing and key("tok-b") in listing
        assert "tok-a" not in listing and "tok-b" not in listing
        assert "data-advance=\"" not in listing and config_of(listing)["token"] is None
        assert config_of(listing)["stream_url"] == "ui/stream"
    bad = await anonymous.get("/_emulator/ui", headers={"Authorization": "Basic abc"})
    assert bad.status_code == 401
    assert (await anonymous.get("/_emulator/ui?token=x&updates=0")).status_code == 422
    assert config_of((await anonymous.get("/_emulator/ui?token=x&updates=2")).text)[
        "max_updates"] == 2
    assert (await anonymous.get("/_emulator/ui/stream?interval=0")).status_code == 422


async def test_empty_registry_listing(anonymous):
    page = (await anonymous.get("/_emulator/ui")).text
    assert "No namespace yet" in page


async def test_controls_the_page_calls_exist(emulator_client):
    """The buttons POST ``clock/advance`` and ``reset`` relative to /_emulator/."""
    task = await start(emulator_client, LOGIN)
    moved = await emulator_client.post("/_emulator/clock/advance", json={"seconds": 60})
    assert moved.status_code == 200
    view = (await emulator_client.get("/_emulator/ui/state")).json()["namespaces"][0]
    assert view["revyl"]["tests"][0]["status"] == "completed"
    assert (await emulator_client.post("/_emulator/reset", json={})).status_code == 200
    view = (await emulator_client.get("/_emulator/ui/state")).json()["namespaces"][0]
    assert view["revyl"]["tests"] == [] and task


async def read_stream(app: Any, query: str, until, on_event=None,
                      timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """GET the stream on the ASGI app until ``until(events)``; then disconnect."""
    done = anyio.Event()
    state: dict[str, Any] = {"raw": b"", "status": 0, "headers": {}}

    async def receive() -> dict[str, Any]:
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            state["status"] = message["status"]
            state["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            state["raw"] += message.get("body", b"")
            events = parse(state["raw"])
            if on_event is not None:
                await on_event(events)
            if until(events):
                done.set()

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": "/_emulator/ui/stream",
             "raw_path": b"/_emulator/ui/stream", "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"emulator.test"),
                                          (b"accept", b"text/event-stream")],
             "client": ("127.0.0.1", 1), "server": ("emulator.test", 80), "state": {}}
    with anyio.fail_after(timeout):
        await app(scope, receive, send)
    return state["status"], state["headers"], state["raw"]


def parse(raw: bytes) -> list[tuple[str, dict]]:
    events = []
    for block in raw.decode().split("\n\n")[:-1]:
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if lines:
            name = next(line[7:] for line in lines if line.startswith("event: "))
            (data,) = [line[6:] for line in lines if line.startswith("data: ")]
            events.append((name, json.loads(data)))
    return events


async def test_stream_first_event_is_the_snapshot_then_changes(emulator_app, emulator_client):
    task = await start(emulator_client, LOGIN)
    advanced: list[bool] = []

    async def on_event(events):
        if len(events) == 1 and not advanced:  # time moves: the next snapshot must follow
            advanced.append(True)
            await advance(emulator_client, 60)

    status, headers, raw = await read_stream(
        emulator_app, f"token={TOKEN}&interval=0.1", lambda events: len(events) >= 2, on_event)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert b"\r" not in raw and raw.startswith(b"event: snapshot\ndata: {")
    (first, first_data), (second, second_data) = parse(raw)[:2]
    assert first == second == "snapshot"
    assert first_data["scoped"] is True
    (view,) = first_data["namespaces"]
    assert view["namespace"] == key(TOKEN) and view["revyl"]["tests"][0]["id"] == task
    assert view["revyl"]["tests"][0]["status"] == "initializing"
    assert second_data["namespaces"][0]["revyl"]["tests"][0]["status"] == "completed"
    assert view["interactly"] == {"runs": [], "runs_total": 0}


async def test_stream_without_token_lists_every_namespace(emulator_app, anonymous):
    for token in ("s-a", "s-b"):
        await anonymous.get("/_emulator/state", headers={"Authorization": f"Bearer {token}"})
    _, _, raw = await read_stream(emulator_app, "", lambda events: len(events) >= 1)
    (name, data), *_ = parse(raw)
    assert name == "snapshot" and data["scoped"] is False
    assert {v["namespace"] for v in data["namespaces"]} == {key("s-a"), key("s-b")}


async def test_journal_tail_newest_first_without_the_dashboards_own_requests(emulator_client):
    pytest.importorskip("emulator.core.journal")
    task = await start(emulator_client, LOGIN)
    await emulator_client.get("/_emulator/ui", params={"interval": "1"})  # header-authenticated
    await emulator_client.get("/api/v1/tests/get_test_execution_task",
                              params={"task_id": task, "token": "s3cret"})
    view = (await emulator_client.get("/_emulator/ui/state")).json()["namespaces"][0]
    journal = view["journal"]
    assert [row["method"] for row in journal[:2]] == ["GET", "POST"]
    assert journal[0]["path"].startswith("/api/v1/tests/get_test_execution_task?")
    assert "s3cret" not in journal[0]["path"] and journal[0]["status"] == 200
    assert journal[1]["path"] == "/api/v1/execution/api/execute_test_id_async"
    assert not any(row["path"].startswith("/_emulator/ui") for row in journal)
    page = (await emulator_client.get("/_emulator/ui")).text
    assert 'data-kind="journal"' in page and "execute_test_id_async" in page
