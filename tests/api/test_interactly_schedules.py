"""Scheduled runs (spec §4.8) over HTTP on the manual clock (2026-01-01T00:00:00Z): time moves
only through ``/_emulator/clock/advance``, so a schedule fires exactly when the test says."""

import pytest

from tests.api.test_interactly import HYDRATED

pytestmark = pytest.mark.anyio

NOW = "2026-01-01T00:00:00Z"
IN_5_MIN = "2026-01-01T00:05:00+00:00"
IN_1_HOUR = "2026-01-01T01:00:00Z"


async def workflow(client) -> str:
    return (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]


async def schedule(client, wid: str, when: str = IN_5_MIN, **body) -> dict:
    response = await client.post(f"/v1/workflows/{wid}/schedules",
                                 json={"scheduled_time": when, **body})
    assert response.status_code == 200, response.text
    return response.json()


async def advance(client, seconds: float) -> None:
    response = await client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


def replies(run_envelope: dict) -> list[str]:
    pairs = run_envelope["workflow_run"]["workflow_run"]["input_output_pairs"]
    return [e["content"] for e in pairs[0]["run_output"]["events"]
            if e["type"] == "assistant_response"]


@pytest.mark.parametrize("prefix", ["/v1", "/workflows/v1"])
async def test_schedule_fires_at_its_time_and_records_the_run(client, prefix):
    wid = await workflow(client)
    created = (await client.post(f"{prefix}/workflows/{wid}/schedules", json={
        "scheduled_time": IN_5_MIN, "scheduled_by_name": "notebook-demo",
        "run_input": {"dynamic_variables": {"who": "Grace"}}})).json()
    sid = created["id"]
    assert created["_id"] == sid and len(sid) == 24
    assert created["status"] == "pending" and created["workflow_id"] == wid
    assert created["team_id"] == "emu-team" and created["created_by"] == "emu-user"
    assert created["scheduled_time"] == "2026-01-01T00:05:00.000Z"
    assert created["run_input"] == {"dynamic_variables": {"who": "Grace"}}
    assert created["scheduled_by_name"] == "notebook-demo" and created["error_message"] is None

    await advance(client, 299)
    assert (await client.get(f"{prefix}/workflow-schedules/{sid}")).json()["status"] == "pending"
    assert (await client.get("/v1/workflow-runs", params={"workflow_id": wid})).json()[
        "total"] == 0

    await advance(client, 1)
    done = (await client.get(f"{prefix}/workflow-schedules/{sid}")).json()
    assert done["status"] == "completed" and done["workflow_run_id"]
    assert done["executed_at"] == "2026-01-01T00:05:00.000Z"
    runs = (await client.get("/v1/workflow-runs", params={"workflow_id": wid})).json()
    assert runs["total"] == 1 and runs["workflow_runs"][0]["_id"] == done["workflow_run_id"]
    run = (await client.get(f"/v1/workflow-runs/{done['workflow_run_id']}")).json()
    assert replies(run) == ["hi Grace", "bye"]
    assert run["workflow_run"]["created_at"] == "2026-01-01T00:05:00.000Z"


async def test_naive_time_is_utc_and_version_is_used(client):
    wid = await workflow(client)
    await client.post(f"/v1/workflows/{wid}/versions",
                      json={"mark_as_active": True, "version_name": "v1"})
    created = await schedule(client, wid, "2026-01-01T00:00:30", version=0)
    assert created["scheduled_time"] == "2026-01-01T00:00:30.000Z" and created["version"] == 0
    await client.post("/_emulator/clock/run-until-idle")
    done = (await client.get(f"/v1/workflow-schedules/{created['id']}")).json()
    run = (await client.get(f"/v1/workflow-runs/{done['workflow_run_id']}")).json()
    assert run["workflow_run"]["workflow_run"]["version_number"] == 0


async def test_cancelled_schedule_never_fires(client):
    wid = await workflow(client)
    sid = (await schedule(client, wid))["id"]
    cancelled = await client.delete(f"/v1/workflow-schedules/{sid}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await advance(client, 3600)
    assert (await client.get(f"/v1/workflow-schedules/{sid}")).json()["status"] == "cancelled"
    assert (await client.get("/v1/workflow-runs")).json()["total"] == 0
    again = await client.delete(f"/v1/workflow-schedules/{sid}")
    assert again.status_code == 409 and "pending" in again.json()["detail"]


async def test_patch_reschedules_only_while_pending(client):
    wid = await workflow(client)
    sid = (await schedule(client, wid))["id"]
    moved = await client.patch(f"/v1/workflow-schedules/{sid}", json={
        "scheduled_time": IN_1_HOUR, "run_input": {"dynamic_variables": {"who": "Linus"}}})
    assert moved.status_code == 200
    assert moved.json()["scheduled_time"] == "2026-01-01T01:00:00.000Z"
    assert moved.json()["run_input"] == {"dynamic_variables": {"who": "Linus"}}
    await advance(client, 600)  # the old time passes: nothing fires
    assert (await client.get(f"/v1/workflow-schedules/{sid}")).json()["status"] == "pending"
    await advance(client, 3000)
    done = (await client.get(f"/v1/workflow-schedules/{sid}")).json()
    assert done["status"] == "completed"
    run = (await client.get(f"/v1/workflow-runs/{done['workflow_run_id']}")).json()
    assert replies(run) == ["hi Linus", "bye"]
    late = await client.patch(f"/v1/workflow-schedules/{sid}",
                              json={"scheduled_time": "2026-01-02T00:00:00Z"})
    assert late.status_code == 409
    assert (await client.get(f"/v1/workflow-schedules/{sid}")).json()[
        "scheduled_time"] == "2026-01-01T01:00:00.000Z"


async def test_patch_validation_stores_nothing(client):
    wid = await workflow(client)
    sid = (await schedule(client, wid, run_input={"dynamic_variables": {"who": "A"}}))["id"]
    url = f"/v1/workflow-schedules/{sid}"
    for body, status in [({"scheduled_time": None}, 422), ({"unknown": 1}, 422),
                         ({"scheduled_time": "not a date"}, 422), ({"version": -1}, 422),
                         ({"run_input": {"command": "jump"}}, 422),
                         ({"scheduled_time": NOW}, 400),
                         ({"scheduled_time": IN_1_HOUR, "version": 7}, 404)]:
        response = await client.patch(url, json=body)
        assert response.status_code == status, (body, response.text)
    unchanged = (await client.get(url)).json()
    assert unchanged["scheduled_time"] == "2026-01-01T00:05:00.000Z"
    assert unchanged["version"] is None
    assert unchanged["run_input"] == {"dynamic_variables": {"who": "A"}}
    cleared = (await client.patch(url, json={"run_input": None, "version": 0})).json()
    assert cleared["run_input"] is None and cleared["version"] == 0


async def test_lists_are_bare_arrays_with_skip_limit_and_status(client):
    wid, other = await workflow(client), await workflow(client)
    times = ["2026-01-01T00:03:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"]
    ids = [(await schedule(client, wid, t))["id"] for t in times]
    other_id = (await schedule(client, other, IN_1_HOUR))["id"]
    await client.delete(f"/v1/workflow-schedules/{ids[0]}")

    listing = (await client.get(f"/v1/workflows/{wid}/schedules")).json()
    assert isinstance(listing, list)
    assert [s["id"] for s in listing] == [ids[1], ids[2], ids[0]]  # soonest first
    window = (await client.get(f"/v1/workflows/{wid}/schedules",
                               params={"skip": 1, "limit": 1})).json()
    assert [s["id"] for s in window] == [ids[2]]
    pending = (await client.get(f"/v1/workflows/{wid}/schedules",
                                params={"status": "pending"})).json()
    assert [s["id"] for s in pending] == [ids[1], ids[2]]
    team = (await client.get("/workflows/v1/workflow-schedules")).json()
    assert isinstance(team, list) and len(team) == 4 and team[-1]["id"] == other_id
    cancelled = (await client.get("/v1/workflow-schedules",
                                  params={"status": "cancelled"})).json()
    assert [s["id"] for s in cancelled] == [ids[0]]
    for params in ({"limit": 0}, {"limit": 101}, {"skip": -1}, {"status": "done"}):
        assert (await client.get("/v1/workflow-schedules", params=params)).status_code == 422


async def test_deleted_workflow_makes_the_schedule_fail(client):
    wid = await workflow(client)
    sid = (await schedule(client, wid))["id"]
    assert (await client.delete(f"/v1/workflows/{wid}")).status_code == 200
    await advance(client, 300)
    failed = (await client.get(f"/v1/workflow-schedules/{sid}")).json()
    assert failed["status"] == "failed" and "not found" in failed["error_message"]
    assert failed["workflow_run_id"] is None
    still_listed = (await client.get(f"/v1/workflows/{wid}/schedules")).json()
    assert [s["id"] for s in still_listed] == [sid]
    edit = await client.patch(f"/v1/workflow-schedules/{sid}", json={"version": 0})
    assert edit.status_code == 409


async def test_create_validation_and_unknown_ids(client):
    wid = await workflow(client)
    url = f"/v1/workflows/{wid}/schedules"
    for body, status in [({}, 422), ({"scheduled_time": "tomorrow"}, 422),
                         ({"scheduled_time": IN_5_MIN, "extra": True}, 422),
                         ({"scheduled_time": IN_5_MIN, "run_input": []}, 422),
                         ({"scheduled_time": IN_5_MIN, "run_input": {"command": "x"}}, 422),
                         ({"scheduled_time": IN_5_MIN, "version": "one"}, 422),
                         ({"scheduled_time": NOW}, 400),
                         ({"scheduled_time": "2025-12-31T23:59:59Z"}, 400),
                         ({"scheduled_time": IN_5_MIN, "version": 3}, 404)]:
        response = await client.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert "detail" in response.json()
    assert (await client.get("/v1/workflow-schedules")).json() == []
    missing = "a" * 24
    assert (await client.post(f"/v1/workflows/{missing}/schedules",
                              json={"scheduled_time": IN_5_MIN})).status_code == 404
    assert (await client.get(f"/v1/workflows/{missing}/schedules")).status_code == 404
    for method in ("GET", "PATCH", "DELETE"):
        kwargs = {"json": {}} if method == "PATCH" else {}
        unknown = await client.request(method, f"/v1/workflow-schedules/{missing}", **kwargs)
        assert unknown.status_code == 404
        malformed = await client.request(method, "/v1/workflow-schedules/nope", **kwargs)
        assert malformed.status_code == 422
    assert (await client.get("/_emulator/clock")).json()["pending_timers"] == 0
