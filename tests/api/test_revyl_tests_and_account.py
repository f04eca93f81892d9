"""The calls the CLI makes around a run: whoami, test lookup by id/name, history, report."""

import pytest

from .conftest import CHECKOUT, EXECUTE, FAILING, LOGIN, ONBOARDING_IOS, start

pytestmark = pytest.mark.anyio


async def test_get_user_uuid_is_auth_info(emulator_client):
    body = (await emulator_client.get("/api/v1/entity/users/get_user_uuid")).json()
    assert body["user_id"] == "0a000000-0000-4000-8000-000000000002"
    assert body["org_id"] == "0a000000-0000-4000-8000-000000000001"
    assert isinstance(body["concurrency_limit"], int) and body["email"]
    assert "emulator-test-token" not in str(body)


async def test_get_test_by_id_and_404(emulator_client):
    body = (await emulator_client.get(f"/api/v1/tests/get_test_by_id/{LOGIN}")).json()
    assert body["id"] == LOGIN and body["name"] == "login-flow" and body["platform"] == "android"
    assert isinstance(body["version"], int) and isinstance(body["tasks"], list)
    assert body["tags"][0]["name"] == "smoke" and "last_status" not in body
    task = await start(emulator_client, LOGIN)
    body = (await emulator_client.get(f"/api/v1/tests/get_test_by_id/{LOGIN}")).json()
    assert body["last_execution_id"] == task
    missing = await emulator_client.get("/api/v1/tests/get_test_by_id/nope")
    assert missing.status_code == 404 and missing.json() == {"detail": "Test not found"}


async def test_delete_test_removes_it_from_lists_workflows_and_runs(emulator_client):
    earlier = await start(emulator_client, CHECKOUT)
    gone = await emulator_client.delete(f"/api/v1/tests/delete/{CHECKOUT}")
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"id": CHECKOUT, "message": "Test 'checkout-with-coupon' deleted"}
    lookup = await emulator_client.get(f"/api/v1/tests/get_test_by_id/{CHECKOUT}")
    assert lookup.status_code == 404
    listed = (await emulator_client.get("/api/v1/tests/get_simple_tests")).json()
    assert CHECKOUT not in [t["id"] for t in listed["tests"]] and listed["count"] == 3
    nightly = (await emulator_client.get("/api/v1/workflows/get_workflow_info", params={
        "workflow_id": "f1000000-0000-4000-8000-000000000002"})).json()
    assert nightly["tests"] == [LOGIN, ONBOARDING_IOS, FAILING]
    run = await emulator_client.post(EXECUTE, json={"test_id": CHECKOUT})
    assert run.status_code == 404
    report = await emulator_client.get("/api/v1/tests/get_test_execution_task",
                                       params={"task_id": earlier})
    assert report.status_code == 200  # what already ran stays readable
    again = await emulator_client.delete(f"/api/v1/tests/delete/{CHECKOUT}")
    assert again.status_code == 404 and again.json() == {"detail": "Test not found"}


async def test_get_simple_tests_pages_and_searches(emulator_client):
    body = (await emulator_client.get("/api/v1/tests/get_simple_tests",
                                      params={"limit": 200, "offset": 0})).json()
    assert body["count"] == 4
    assert {t["platform"] for t in body["tests"]} == {"android", "ios"}
    assert {"id", "name", "platform", "app_id", "app_name", "tags"} <= set(body["tests"][0])
    page = (await emulator_client.get("/api/v1/tests/get_simple_tests",
                                      params={"limit": 1, "offset": 3})).json()
    assert len(page["tests"]) == 1 and page["count"] == 4
    found = (await emulator_client.get("/api/v1/tests/get_simple_tests",
                                       params={"search": "ONBOARD"})).json()
    assert [t["id"] for t in found["tests"]] == [ONBOARDING_IOS]
    bad = await emulator_client.get("/api/v1/tests/get_simple_tests", params={"limit": 0})
    assert bad.status_code == 422


async def test_enhanced_history(emulator_client):
    empty = (await emulator_client.get("/api/v1/tests/get_test_enhanced_history",
                                       params={"test_id": FAILING})).json()
    assert empty == {"items": [], "total_count": 0, "requested_count": 10, "found_count": 0}
    first = await start(emulator_client, FAILING)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    second = await start(emulator_client, FAILING)
    body = (await emulator_client.get("/api/v1/tests/get_test_enhanced_history",
                                      params={"test_id": FAILING, "limit": 1})).json()
    assert body["total_count"] == 2 and body["found_count"] == 1
    item = body["items"][0]
    assert item["enhanced_task"]["id"] == second and item["test_uid"] == FAILING
    older = (await emulator_client.get("/api/v1/tests/get_test_enhanced_history",
                                       params={"test_id": FAILING, "offset": 1})).json()
    assert older["items"][0]["enhanced_task"]["id"] == first
    assert older["items"][0]["status"] == "failed" and older["items"][0]["has_report"] is True
    missing = await emulator_client.get("/api/v1/tests/get_test_enhanced_history",
                                        params={"test_id": "nope"})
    assert missing.status_code == 404


async def test_report_context(emulator_client):
    task = await start(emulator_client, LOGIN)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    url = f"/api/v1/reports-v3/reports/by-execution/{task}/context"
    body = (await emulator_client.get(url, params={"include_steps": "false"})).json()
    assert body["execution_id"] == task and body["success"] is True and "steps" not in body
    assert body["app_name"] == "acme-shop-android" and body["build_version"] == "1.5.0"
    steps = (await emulator_client.get(url, params={"include_steps": "true"})).json()["steps"]
    assert [s["status"] for s in steps] == ["passed"] * 5
    assert (await emulator_client.get(
        "/api/v1/reports-v3/reports/by-execution/nope/context")).status_code == 404


async def test_enhanced_task_lookup(emulator_client):
    task = await start(emulator_client, LOGIN)
    body = (await emulator_client.get("/api/v1/tests/get_enhanced_test_execution_task",
                                      params={"task_id": task})).json()
    assert body["id"] == task and body["test_history_id"]


async def test_telemetry_is_accepted_and_dropped(emulator_client):
    response = await emulator_client.post("/api/v1/telemetry/cli-analytics", json={
        "events": [{"event": "cli_command_started", "timestamp": "x", "properties": {}}]})
    assert response.status_code == 200
