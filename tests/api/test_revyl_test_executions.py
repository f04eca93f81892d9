"""Revyl test executions through HTTP (ASGI transport, manual clock)."""

import asyncio

import pytest

from .conftest import (
    CHECKOUT,
    EXECUTE,
    EXECUTE_DEVICE,
    FAILING,
    LOGIN,
    ONBOARDING_IOS,
    STATUS,
    advance,
    start,
    status,
)

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("path", [EXECUTE, EXECUTE_DEVICE])
async def test_execute_answers_200_with_task_id_and_id(emulator_client, path):
    response = await emulator_client.post(path, json={"test_id": LOGIN, "retries": 1})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "message", "id", "task_id"]
    assert body["task_id"] == body["id"]
    assert body["status"] in {"initialized", "initializing", "queued"}
    assert "error" not in response.text


async def test_execute_accepts_the_seed_body_and_ignores_unknown_fields(emulator_client):
    body = {
        "test_id": CHECKOUT, "get_downloads": False, "device_local": True,
        "backend_url": "x", "test_entrypoint": "x", "retries": "3", "source": "api",
        "app_link": "x", "build_version_id": "b1000000-0000-4000-8000-000000000002",
        "llm_model_name": "gemini/gemini-3-flash-preview",
        "run_config": {
            "llm_config": {"primary_model": "m", "reflection_model": "m", "planning_model": "m"},
            "execution_mode": {"human_in_the_loop": False, "enable_reflection": True,
                               "enable_planning": False, "retries": 1, "reflection_retries": 1,
                               "skip_app_install": False, "grounder_type": "moondream3",
                               "initial_location": {"latitude": 37.7, "longitude": -122.4},
                               "initial_orientation": "portrait"},
            "run_id": "x", "cache_retry_mode": "full_rerun", "fallback_trigger": "final_fail",
            "disable_grid": True, "fail_fast": True},
        "launch_env_vars": {"A": "1"}, "variable_overrides": {"email": "x@y.z"},
        "git_branch_name": "main", "build_selection": "latest", "totally_unknown": {"a": [1]},
    }
    response = await emulator_client.post(EXECUTE, json=body)
    assert response.status_code == 200, response.text
    st = await status(emulator_client, response.json()["task_id"])
    assert st["metadata"]["retries"] == 3
    assert st["metadata"]["build_version_id"] == "b1000000-0000-4000-8000-000000000002"


@pytest.mark.parametrize("body", [
    {}, {"test_id": ""}, {"test_id": LOGIN, "retries": "many"}, {"test_id": 5},
    {"test_id": LOGIN, "run_config": {"execution_mode": {
        "initial_location": {"latitude": 123, "longitude": 0}}}},
])
async def test_execute_validation_errors_are_fastapi_422_lists(emulator_client, body):
    response = await emulator_client.post(EXECUTE, json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and {"loc", "msg", "type"} <= set(detail[0])


async def test_execute_malformed_json_is_422(emulator_client):
    response = await emulator_client.post(
        EXECUTE, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


async def test_unknown_test_is_404_test_not_found_and_creates_nothing(emulator_client):
    response = await emulator_client.post(EXECUTE, json={"test_id": "nope"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Test not found"}
    state = (await emulator_client.get("/_emulator/state")).json()
    assert state["revyl"]["test_executions"] == {}


async def test_status_follows_the_clock_through_every_phase(emulator_client):
    task = await start(emulator_client)
    st = await status(emulator_client, task)
    assert st["status"] == "initializing" and st["success"] is None
    assert (st["id"], st["task_id"], st["test_id"]) == (task, task, LOGIN)
    assert st["total_steps"] == 5 and st["progress"] == 0.0 and st["current_step"] is None
    await advance(emulator_client, 1)
    assert (await status(emulator_client, task))["status"] == "queued"
    await advance(emulator_client, 2)
    st = await status(emulator_client, task)
    assert st["status"] == "running" and st["current_step"] == "open app"
    assert st["started_at"] == "2026-01-01T00:00:03.000Z"
    await advance(emulator_client, 6)
    st = await status(emulator_client, task)
    assert (st["current_step_index"], st["steps_completed"], st["progress"]) == (2, 2, 40.0)
    assert isinstance(st["current_step_index"], int)
    await advance(emulator_client, 9)
    st = await status(emulator_client, task)
    assert st["status"] == "completed" and st["success"] is True
    assert st["progress"] == 100.0 and st["error_message"] is None
    assert st["execution_time_seconds"] == 15.0
    assert st["completed_at"] == "2026-01-01T00:00:18.000Z"


async def test_fail_marker_fails_and_reports_the_error(emulator_client):
    task = await start(emulator_client, FAILING)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    st = await status(emulator_client, task)
    assert st["status"] == "failed" and st["success"] is False
    assert st["error_message"] and st["execution_errors"] == [st["error_message"]]


async def test_scripted_outcomes_are_consumed_per_execution_and_sticky(emulator_client):
    response = await emulator_client.post("/_emulator/scripts/revyl/outcomes", json={
        "outcomes": [{"test_id": LOGIN, "result": "fail", "error_message": "Button missing",
                      "fail_step": 4}]})
    assert response.status_code == 200 and len(response.json()["queued"]) == 1
    scripted = await start(emulator_client, LOGIN, retries=2)
    normal = await start(emulator_client, LOGIN)
    assert (await emulator_client.get("/_emulator/scripts/revyl/outcomes")).json() == {
        "queued": []}
    await emulator_client.post("/_emulator/clock/run-until-idle")
    st = await status(emulator_client, scripted)
    assert (st["status"], st["error_message"], st["steps_completed"]) == (
        "failed", "Button missing", 3)
    assert st["metadata"]["attempt"] == 2  # both attempts failed: the outcome stuck
    assert (await status(emulator_client, normal))["status"] == "completed"


async def test_scripted_timeout_and_error(emulator_client):
    await emulator_client.post("/_emulator/scripts/revyl/outcomes", json={"outcomes": [
        {"result": "timeout", "timeout_seconds": 30}, {"result": "error"}]})
    timed = await start(emulator_client, ONBOARDING_IOS)
    errored = await start(emulator_client, ONBOARDING_IOS)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    assert (await status(emulator_client, timed))["status"] == "timeout"
    assert (await status(emulator_client, errored))["status"] == "failed"


async def test_outcome_script_errors(emulator_client):
    bad = await emulator_client.post("/_emulator/scripts/revyl/outcomes",
                                     json={"outcomes": [{"result": "explode"}]})
    assert bad.status_code == 422
    unknown = await emulator_client.post("/_emulator/scripts/revyl/outcomes",
                                         json={"outcomes": [{"test_id": "nope"}]})
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Test not found"}
    empty = await emulator_client.post("/_emulator/scripts/revyl/outcomes", json={"outcomes": []})
    assert empty.status_code == 422
    cleared = await emulator_client.post("/_emulator/scripts/revyl/outcomes",
                                         json={"outcomes": [{"result": "fail"}]})
    assert cleared.status_code == 200
    assert (await emulator_client.delete("/_emulator/scripts/revyl/outcomes")).json() == {
        "queued": []}


async def test_cancel_running_then_cancel_again(emulator_client):
    task = await start(emulator_client)
    await advance(emulator_client, 5)
    response = await emulator_client.post(f"/api/v1/execution/tests/status/cancel/{task}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Test execution cancelled",
                               "task_id": task, "status": "cancelled"}
    await advance(emulator_client, 100)
    st = await status(emulator_client, task)
    assert st["status"] == "cancelled" and st["success"] is False
    again = await emulator_client.post(f"/api/v1/execution/tests/status/cancel/{task}")
    assert again.status_code == 200
    assert again.json()["success"] is False and again.json()["status"] == "cancelled"


async def test_cancel_of_a_finished_execution_reports_its_status(emulator_client):
    task = await start(emulator_client)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    body = (await emulator_client.post(f"/api/v1/execution/tests/status/cancel/{task}")).json()
    assert body["success"] is False and body["status"] == "completed"
    assert "completed" in body["message"]


async def test_unknown_task_is_404_for_status_and_cancel(emulator_client):
    response = await emulator_client.get(STATUS, params={"task_id": "nope"})
    assert response.status_code == 404 and response.json() == {
        "detail": "Test execution not found"}
    response = await emulator_client.post("/api/v1/execution/tests/status/cancel/nope")
    assert response.status_code == 404
    missing = await emulator_client.get(STATUS)
    assert missing.status_code == 422


async def test_retries_as_string_rerun_failed_attempts(emulator_client):
    task = await start(emulator_client, FAILING, retries="2")
    await emulator_client.post("/_emulator/clock/run-until-idle")
    st = await status(emulator_client, task)
    assert st["status"] == "failed" and st["metadata"]["attempt"] == 2


async def test_source_comes_from_cli_and_ci_headers(emulator_client):
    cli = await emulator_client.post(EXECUTE, json={"test_id": LOGIN},
                                     headers={"X-Revyl-Client": "cli"})
    ci = await emulator_client.post(EXECUTE, json={"test_id": LOGIN, "source": "ui"},
                                    headers={"X-CI-System": "github-actions"})
    body = await emulator_client.post(EXECUTE, json={"test_id": LOGIN, "source": "ui"})
    sources = [(await status(emulator_client, r.json()["task_id"]))["metadata"]["source"]
               for r in (cli, ci, body)]
    assert sources == ["cli", "ci_cd", "ui"]


async def test_many_concurrent_clients_get_distinct_consistent_executions(emulator_client):
    tasks = await asyncio.gather(*[start(emulator_client, LOGIN) for _ in range(50)])
    assert len(set(tasks)) == 50
    await emulator_client.post("/_emulator/clock/run-until-idle")
    statuses = await asyncio.gather(*[status(emulator_client, t) for t in tasks])
    assert {s["status"] for s in statuses} == {"completed"}


async def test_same_seed_same_requests_same_bytes(emulator_app, emulator_client):
    first = await start(emulator_client)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    body_a = (await emulator_client.get(STATUS, params={"task_id": first})).content
    await emulator_client.post("/_emulator/reset")
    second = await start(emulator_client)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    body_b = (await emulator_client.get(STATUS, params={"task_id": second})).content
    assert first == second and body_a == body_b
