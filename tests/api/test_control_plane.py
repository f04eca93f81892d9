"""/_emulator/*: health, reset, state, clock; namespace isolation."""

import httpx
import pytest

from .conftest import LOGIN, advance, start, status

pytestmark = pytest.mark.anyio


def other_client(app, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test",
                             headers={"Authorization": f"Bearer {token}"})


async def test_health_needs_no_token_and_reports_fixtures(emulator_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test") as anonymous:
        response = await anonymous.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json()["fixtures"]["revyl"] == {"tests": 4, "workflows": 2, "apps": 2}


async def test_control_routes_other_than_health_need_a_token(emulator_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test") as anonymous:
        for method, path in [("POST", "/_emulator/reset"), ("GET", "/_emulator/state"),
                             ("GET", "/_emulator/clock"), ("POST", "/_emulator/clock/advance")]:
            response = await anonymous.request(method, path)
            assert response.status_code == 401, path
            assert response.json() == {"detail": "Not authenticated"}


async def test_clock_get_put_advance(emulator_client):
    clock = (await emulator_client.get("/_emulator/clock")).json()
    assert clock["mode"] == "manual" and clock["now"] == "2026-01-01T00:00:00.000Z"
    moved = await advance(emulator_client, 90)
    assert moved["now"] == "2026-01-01T00:01:30.000Z"
    jumped = await emulator_client.put("/_emulator/clock", json={"now": "2026-01-02T00:00:00Z"})
    assert jumped.json()["now"] == "2026-01-02T00:00:00.000Z"
    back = await emulator_client.put("/_emulator/clock", json={"now": "2025-01-01T00:00:00Z"})
    assert back.status_code == 400 and "forward" in back.json()["detail"]
    fast = await emulator_client.put("/_emulator/clock", json={"mode": "realtime", "scale": 50})
    assert fast.json()["mode"] == "realtime" and fast.json()["scale"] == 50
    manual = await emulator_client.put("/_emulator/clock", json={"mode": "manual"})
    assert manual.json()["mode"] == "manual"


@pytest.mark.parametrize("body", [{"mode": "sideways"}, {"scale": 0}, {"scale": -1},
                                  {"now": "yesterday-ish"}, {"bogus": 1}])
async def test_clock_put_validation(emulator_client, body):
    assert (await emulator_client.put("/_emulator/clock", json=body)).status_code == 422


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "soon"}])
async def test_clock_advance_validation(emulator_client, body):
    response = await emulator_client.post("/_emulator/clock/advance", json=body)
    assert response.status_code == 422


async def test_advancing_the_clock_moves_a_pending_execution(emulator_client):
    task = await start(emulator_client)
    fired = (await advance(emulator_client, 3))["fired"]
    assert fired == 2
    assert (await status(emulator_client, task))["status"] == "running"


async def test_namespaces_are_isolated_by_token(emulator_app, emulator_client):
    task = await start(emulator_client)
    async with other_client(emulator_app, "someone-else") as other:
        response = await other.get("/api/v1/tests/get_test_execution_task",
                                   params={"task_id": task})
        assert response.status_code == 404
        await advance(other, 1000)
        assert (await other.get("/_emulator/clock")).json()["now"] != (
            await emulator_client.get("/_emulator/clock")).json()["now"]
    assert (await status(emulator_client, task))["status"] == "initializing"


async def test_reset_restores_fixtures_ids_and_time_only_for_the_caller(emulator_app,
                                                                        emulator_client):
    first = await start(emulator_client)
    await advance(emulator_client, 5)
    async with other_client(emulator_app, "neighbour") as other:
        theirs = await start(other)
        response = await emulator_client.post("/_emulator/reset")
        assert response.status_code == 200 and response.json()["reset"] == 1
        assert (await status(other, theirs))["status"] == "initializing"
    state = (await emulator_client.get("/_emulator/state")).json()
    assert state["revyl"]["test_executions"] == {} and state["clock"]["pending_timers"] == 0
    assert state["clock"]["now"] == "2026-01-01T00:00:00.000Z"
    assert state["revyl"]["tests"] == 4
    assert await start(emulator_client) == first  # the id stream starts over too


async def test_reset_all_and_state_all(emulator_app, emulator_client):
    await start(emulator_client)
    async with other_client(emulator_app, "neighbour") as other:
        await start(other)
        everything = (await other.get("/_emulator/state", params={"all": "true"})).json()
        assert len(everything["namespaces"]) == 2
        assert (await other.post("/_emulator/reset", params={"all": "true"})).json()[
            "reset"] == 2
    state = (await emulator_client.get("/_emulator/state")).json()
    assert state["revyl"]["test_executions"] == {}


async def test_state_shows_executions_and_queued_outcomes(emulator_client):
    await start(emulator_client, LOGIN)
    await emulator_client.post("/_emulator/scripts/revyl/outcomes",
                               json={"outcomes": [{"test_id": LOGIN, "result": "fail"}]})
    state = (await emulator_client.get("/_emulator/state")).json()
    assert state["revyl"]["test_executions"] == {"initializing": 1}
    assert state["revyl"]["scripted_outcomes"][0]["result"] == "fail"
    assert "emulator-test-token" not in str(state)  # the token is never echoed
