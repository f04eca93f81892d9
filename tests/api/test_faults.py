"""/_emulator/faults: status + Retry-After, clock-driven delays, expiry, seeded probability,
drops, SSE truncation, WebSocket close codes, validation."""

import asyncio
import warnings

import httpx
import pytest
from starlette.websockets import WebSocketDisconnect

from emulator.pytest_plugin import DEFAULT_TOKEN

from .conftest import LOGIN, STATUS, advance, start

pytestmark = pytest.mark.anyio
STREAM = "/api/v1/monitor/stream/unified"


async def add(client, **rule) -> dict:
    response = await client.post("/_emulator/faults", json=rule)
    assert response.status_code == 200, response.text
    return response.json()


async def test_status_and_retry_after_on_a_revyl_route_then_expiry(emulator_client):
    task = await start(emulator_client)
    rule = await add(emulator_client, method="GET", path="/api/v1/tests/get_*", status=503,
                     retry_after=7, times=2)
    assert rule == {"id": "fault-1", "method": "GET", "path": "/api/v1/tests/get_*",
                    "status": 503, "retry_after": 7, "times": 2, "applied": 0, "remaining": 2}
    for _ in range(2):
        failed = await emulator_client.get(STATUS, params={"task_id": task})
        assert failed.status_code == 503
        assert failed.json() == {"detail": "Service Unavailable"}
        assert failed.headers["retry-after"] == "7"
        assert failed.headers["x-emulator-fault"] == "fault-1"
    assert (await emulator_client.get("/_emulator/faults")).json() == {"faults": []}
    assert (await emulator_client.get(STATUS, params={"task_id": task})).status_code == 200
    entries = (await emulator_client.get("/_emulator/journal", params={"path": STATUS})).json()
    assert [(e["status"], e["fault"]) for e in entries["entries"]] == [
        (503, "fault-1"), (503, "fault-1"), (200, None)]


async def test_status_on_an_interactly_route_with_custom_detail(emulator_client):
    await add(emulator_client, path="/workflows/v1/workflows", status=429,
              detail="Rate limit exceeded", retry_after=30)
    limited = await emulator_client.get("/workflows/v1/workflows", headers={"teamid": "t"})
    assert limited.status_code == 429
    assert limited.json() == {"detail": "Rate limit exceeded"}
    assert limited.headers["retry-after"] == "30"
    other_prefix = await emulator_client.get("/v1/workflows", headers={"teamid": "t"})
    assert other_prefix.status_code == 200  # exact path: the other mount is untouched
    posted = await emulator_client.post("/workflows/v1/workflows", json={"name": "w"},
                                        headers={"teamid": "t"})
    assert posted.status_code == 429  # no method: every method


async def test_method_must_match(emulator_client):
    await add(emulator_client, method="POST", path=STATUS, status=500)
    assert (await emulator_client.get(STATUS, params={"task_id": "x"})).status_code == 404


async def test_delay_waits_on_the_namespace_clock(emulator_client):
    task = await start(emulator_client)
    await add(emulator_client, path=STATUS, delay_seconds=30, times=1)
    pending = asyncio.ensure_future(emulator_client.get(STATUS, params={"task_id": task}))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not pending.done()
    clock = (await emulator_client.get("/_emulator/clock")).json()
    assert clock["pending_timers"] >= 1
    await advance(emulator_client, 29)
    for _ in range(20):
        await asyncio.sleep(0)
    assert not pending.done()
    await advance(emulator_client, 1)
    response = await asyncio.wait_for(pending, 5)
    assert response.status_code == 200
    entry = (await emulator_client.get("/_emulator/journal", params={"path": STATUS})).json()
    assert entry["entries"][-1]["fault"] == "fault-1"


async def test_delay_then_status_and_clearing_releases_waiters(emulator_client):
    await add(emulator_client, path=STATUS, delay_seconds=10, status=504)
    pending = asyncio.ensure_future(emulator_client.get(STATUS, params={"task_id": "x"}))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not pending.done()
    cleared = await emulator_client.delete("/_emulator/faults")
    assert cleared.json() == {"cleared": 1, "faults": []}
    response = await asyncio.wait_for(pending, 5)
    assert response.status_code == 504


async def pattern(client, token: str) -> list[int]:
    await client.post("/_emulator/faults", json={"path": STATUS, "status": 500,
                                                 "probability": 0.5},
                      headers={"Authorization": f"Bearer {token}"})
    codes = []
    for _ in range(24):
        r = await client.get(STATUS, params={"task_id": "x"},
                             headers={"Authorization": f"Bearer {token}"})
        codes.append(r.status_code)
    return codes


async def test_probability_is_seeded_and_reproducible(emulator_client):
    first = await pattern(emulator_client, DEFAULT_TOKEN)
    assert set(first) == {500, 404}
    assert (await emulator_client.post("/_emulator/reset")).status_code == 200
    assert await pattern(emulator_client, DEFAULT_TOKEN) == first
    assert await pattern(emulator_client, "another-namespace") != first
    listed = (await emulator_client.get("/_emulator/faults")).json()["faults"][0]
    assert listed["applied"] == first.count(500) and listed["remaining"] is None


async def test_probability_zero_and_one(emulator_client):
    await add(emulator_client, path=STATUS, status=500, probability=0)
    await add(emulator_client, path=STATUS, status=502, probability=1)
    assert (await emulator_client.get(STATUS, params={"task_id": "x"})).status_code == 502


async def test_drop_closes_without_a_response(emulator_client):
    await add(emulator_client, path=STATUS, drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        await emulator_client.get(STATUS, params={"task_id": "x"})
    assert (await emulator_client.get(STATUS, params={"task_id": "x"})).status_code == 404
    entries = (await emulator_client.get("/_emulator/journal", params={"path": STATUS})).json()
    assert [(e["status"], e["fault"]) for e in entries["entries"]] == [
        (None, "fault-1"), (404, None)]


def sse_events(text: str) -> list[str]:
    return [line[7:] for line in text.split("\n") if line.startswith("event: ")]


@pytest.mark.parametrize("after, expected", [(2, ["connection_ready", "initial_state"]),
                                             (1, ["connection_ready"]), (0, [])])
async def test_sse_stream_is_truncated_after_n_events(emulator_client, after, expected):
    await add(emulator_client, path=STREAM, truncate_sse_after=after)
    # In process the transport returns only once the stream ends: the truncation ends it.
    response = await asyncio.wait_for(emulator_client.get(STREAM), 10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert sse_events(response.text) == expected
    assert response.text.count("\n\n") == len(expected)


async def test_truncation_leaves_other_responses_alone(emulator_client):
    await add(emulator_client, path="/api/v1/tests/*", truncate_sse_after=0)
    response = await emulator_client.get("/api/v1/tests/get_simple_tests")
    assert response.status_code == 200 and response.json()["count"] >= 1


async def test_control_plane_is_never_faulted(emulator_client):
    await add(emulator_client, path="/*", status=500)
    assert (await emulator_client.get("/_emulator/clock")).status_code == 200
    assert (await emulator_client.get("/api/v1/tests/get_simple_tests")).status_code == 500


async def test_rules_are_per_namespace(emulator_app, emulator_client):
    await add(emulator_client, path=STATUS, status=500)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test",
                                 headers={"Authorization": "Bearer someone-else"}) as other:
        assert (await other.get(STATUS, params={"task_id": "x"})).status_code == 404
        assert (await other.get("/_emulator/faults")).json() == {"faults": []}


async def test_list_and_delete_one(emulator_client):
    first = await add(emulator_client, path="/a", status=500)
    second = await add(emulator_client, path="/b", delay_seconds=1.5)
    listed = (await emulator_client.get("/_emulator/faults")).json()["faults"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert listed[1]["delay_seconds"] == 1.5
    assert (await emulator_client.delete(f"/_emulator/faults/{first['id']}")).json() == {
        "deleted": first["id"]}
    gone = await emulator_client.delete(f"/_emulator/faults/{first['id']}")
    assert gone.status_code == 404 and gone.json() == {"detail": "Fault not found"}
    assert [r["id"] for r in (await emulator_client.get("/_emulator/faults")).json()[
        "faults"]] == [second["id"]]


@pytest.mark.parametrize("body", [
    {}, {"path": "/x"}, {"path": "x", "status": 500}, {"path": "/x", "status": 200},
    {"path": "/x", "status": 600}, {"path": "/_emulator/reset", "status": 500},
    {"path": "/x", "retry_after": 5}, {"path": "/x", "detail": "d"},
    {"path": "/x", "status": 500, "retry_after": -1},
    {"path": "/x", "drop": True, "status": 500}, {"path": "/x", "probability": 1.5, "status": 500},
    {"path": "/x", "times": 0, "status": 500}, {"path": "/x", "method": "FETCH", "status": 500},
    {"path": "/x", "ws_close_code": 1006}, {"path": "/x", "ws_close_code": 999},
    {"path": "/x", "method": "GET", "ws_close_code": 4000},
    {"path": "/x", "method": "WS", "status": 500}, {"path": "/x", "status": 500, "bogus": 1},
    {"path": "/x", "delay_seconds": -1}, {"path": "/x", "delay_seconds": "soon"},
    {"path": "/x", "truncate_sse_after": -1}, {"path": "/x", "status": 500,
                                               "truncate_sse_after": 1},
    {"path": "/x" * 1000, "status": 500}, [], "text"])
async def test_fault_validation(emulator_client, body):
    response = await emulator_client.post("/_emulator/faults", json=body)
    assert response.status_code == 422, response.text


async def test_lowercase_method_is_accepted(emulator_client):
    rule = await add(emulator_client, method="get", path=STATUS, status=500)
    assert rule["method"] == "GET"


def test_websocket_closed_with_the_code_and_journaled(emulator_app):
    with warnings.catch_warnings():  # starlette nudges towards httpx2 for its test client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        client = TestClient(emulator_app, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
    path = "/workflows/v1/workflow-runs/ws"
    created = client.post("/_emulator/faults", json={"path": path, "ws_close_code": 4321,
                                                     "times": 1})
    assert created.status_code == 200, created.text
    with client.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    assert closed.value.code == 4321
    entries = client.get("/_emulator/journal", params={"method": "WS"}).json()["entries"]
    assert [(e["path"], e["status"], e["close_code"], e["fault"]) for e in entries] == [
        (path, 101, 4321, "fault-1")]
    # Expired: the next connection reaches the real endpoint, which waits for a start frame.
    with client.websocket_connect(path) as ws:
        ws.send_text("not json")
        with pytest.raises(WebSocketDisconnect) as bad:
            ws.receive_text()
    assert bad.value.code == 1007


async def test_faults_need_a_token(emulator_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test") as anonymous:
        for method in ("GET", "POST", "DELETE"):
            response = await anonymous.request(method, "/_emulator/faults")
            assert response.status_code == 401


async def test_reset_clears_rules(emulator_client):
    await add(emulator_client, path=STATUS, status=500)
    await emulator_client.post("/_emulator/reset")
    task = await start(emulator_client, LOGIN)
    assert (await emulator_client.get(STATUS, params={"task_id": task})).status_code == 200


async def test_a_faulted_404_is_not_reported_as_unmatched(emulator_client):
    await add(emulator_client, path=STATUS, status=404)
    assert (await emulator_client.get(STATUS, params={"task_id": "x"})).status_code == 404
    unmatched = (await emulator_client.get("/_emulator/journal/unmatched")).json()
    assert unmatched == {"unmatched": [], "count": 0}
