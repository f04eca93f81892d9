"""Workflow routes through HTTP on a manual clock: every alias and error path."""

import asyncio

import pytest

from .conftest import FAILING, LOGIN, advance

pytestmark = pytest.mark.anyio

SMOKE = "f1000000-0000-4000-8000-000000000001"
NIGHTLY = "f1000000-0000-4000-8000-000000000002"
EXECUTE_PATHS = ["/api/v1/execution/api/execute_workflow_id_async",
                 "/api/v1/workflow-executions", "/api/execute_workflow_id_async"]
STATUS_PATHS = ["/api/v1/workflows/status/status/{}", "/api/v1/workflows/status/{}"]


async def start_wf(client, workflow_id=SMOKE, path=EXECUTE_PATHS[0], **body):
    response = await client.post(path, json={"workflow_id": workflow_id, **body})
    assert response.status_code == 200, response.text
    return response.json()["task_id"]


async def idle(client):
    await client.post("/_emulator/clock/run-until-idle")


@pytest.mark.parametrize("path", EXECUTE_PATHS)
async def test_every_execute_alias_answers_200_with_task_id_and_no_error_substring(
        emulator_client, path):
    response = await emulator_client.post(path, json={
        "workflow_id": SMOKE, "retries": "2",
        "run_config": {"execution_mode": {"enable_reflection": True}},
        "build_config": {"android_build": {"app_id": "a1000000-0000-4000-8000-000000000001",
                                           "pinned_version": "1.5.0"}},
        "override_build_config": True, "location_config": {"latitude": 1, "longitude": 2},
        "override_location": True, "concurrency_limit_override": 1, "unknown": [1]})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["status", "message", "id", "task_id"] and body["id"] == body["task_id"]
    assert "error" not in response.text


@pytest.mark.parametrize("body", [{}, {"workflow_id": ""}, {"workflow_id": SMOKE,
                                                          "concurrency_limit_override": -1},
                                  {"workflow_id": SMOKE, "build_config": {"ios_build": {}}}])
async def test_execute_validation_is_422(emulator_client, body):
    response = await emulator_client.post(EXECUTE_PATHS[0], json=body)
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)


async def test_unknown_workflow_is_404(emulator_client):
    response = await emulator_client.post(EXECUTE_PATHS[1], json={"workflow_id": "nope"})
    assert response.status_code == 404 and response.json() == {"detail": "Workflow not found"}


@pytest.mark.parametrize("path", STATUS_PATHS)
async def test_status_aliases_follow_the_run(emulator_client, path):
    task = await start_wf(emulator_client)
    body = (await emulator_client.get(path.format(task))).json()
    assert (body["status"], body["total_tests"], body["completed_tests"]) == ("queued", 2, 0)
    assert body["execution_id"] == task and body["duration"] is None
    await advance(emulator_client, 3)
    body = (await emulator_client.get(path.format(task))).json()
    assert body["status"] == "running" and len(body["child_tasks"]) == 2
    await idle(emulator_client)
    body = (await emulator_client.get(path.format(task))).json()
    assert (body["status"], body["passed_tests"], body["failed_tests"]) == ("completed", 2, 0)
    assert body["progress"] == 100 and body["duration"] == "18.0s"
    assert isinstance(body["duration"], str) and isinstance(body["completed_tests"], int)
    missing = await emulator_client.get(path.format("nope"))
    assert missing.status_code == 404


async def test_failed_child_fails_the_workflow(emulator_client):
    task = await start_wf(emulator_client, NIGHTLY)
    await idle(emulator_client)
    body = (await emulator_client.get(f"/api/v1/workflows/status/{task}")).json()
    assert (body["status"], body["failed_tests"], body["passed_tests"]) == ("failed", 1, 3)
    assert body["error_message"] == "1 of 4 tests did not pass"
    children = {c["test_id"]: c for c in body["child_tasks"]}
    assert children[FAILING]["status"] == "failed"


async def test_workflow_task_both_forms(emulator_client):
    task = await start_wf(emulator_client, NIGHTLY)
    await idle(emulator_client)
    by_path = (await emulator_client.get(f"/api/v1/workflows/tasks/workflow_task/{task}")).json()
    by_query = (await emulator_client.get("/api/v1/workflows/tasks/workflow_task",
                                          params={"task_id": task})).json()
    assert by_path == by_query
    assert by_path["status"] == "failed" and by_path["success"] is False
    assert sorted(t["status"] for t in by_path["tests"]) == ["failed", "passed", "passed",
                                                             "passed"]
    assert (await emulator_client.get(
        "/api/v1/workflows/tasks/workflow_task/nope")).status_code == 404
    assert (await emulator_client.get("/api/v1/workflows/tasks/workflow_task")).status_code == 422


async def test_cancel_workflow_cancels_children_both_paths(emulator_client):
    first = await start_wf(emulator_client, NIGHTLY)
    await advance(emulator_client, 5)
    response = await emulator_client.post(f"/api/v1/workflows/status/cancel/{first}")
    assert response.json() == {"success": True, "message": "Workflow execution cancelled",
                               "task_id": first, "status": "cancelled"}
    status = (await emulator_client.get(f"/api/v1/workflows/status/{first}")).json()
    assert status["status"] == "cancelled"
    assert {c["status"] for c in status["child_tasks"]} == {"cancelled"}
    child = status["child_tasks"][0]["id"]
    child_status = (await emulator_client.get("/api/v1/tests/get_test_execution_task",
                                              params={"task_id": child})).json()
    assert child_status["status"] == "cancelled" and child_status["workflow_run_id"] == first
    again = await emulator_client.post(
        f"/api/v1/execution/api/v1/workflows/status/cancel/{first}")
    assert again.status_code == 200 and again.json()["success"] is False
    assert (await emulator_client.post(
        "/api/v1/workflows/status/cancel/nope")).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/workflows/history/{}",
                                  "/api/v1/workflows/status/history/{}"])
async def test_history_both_paths(emulator_client, path):
    empty = (await emulator_client.get(path.format(SMOKE))).json()
    assert empty == {"workflow_id": SMOKE, "executions": [], "total_count": 0,
                     "success_rate": 0.0, "average_duration": None}
    first = await start_wf(emulator_client)
    await idle(emulator_client)
    await emulator_client.post("/_emulator/scripts/revyl/outcomes", json={
        "outcomes": [{"test_id": LOGIN, "result": "fail"}]})
    second = await start_wf(emulator_client)
    await idle(emulator_client)
    body = (await emulator_client.get(path.format(SMOKE), params={"limit": 10,
                                                                 "offset": 0})).json()
    assert [e["execution_id"] for e in body["executions"]] == [second, first]
    assert body["total_count"] == 2 and body["success_rate"] == 0.5
    assert body["average_duration"] == pytest.approx(18.0, abs=3)
    page = (await emulator_client.get(path.format(SMOKE), params={"limit": 1,
                                                                 "offset": 1})).json()
    assert [e["execution_id"] for e in page["executions"]] == [first]
    assert (await emulator_client.get(path.format("nope"))).status_code == 404


async def test_workflow_info_and_list(emulator_client):
    info = (await emulator_client.get("/api/v1/workflows/get_workflow_info",
                                      params={"workflow_id": SMOKE})).json()
    assert info["name"] == "smoke" and all(isinstance(t, str) for t in info["tests"])
    missing = await emulator_client.get("/api/v1/workflows/get_workflow_info",
                                        params={"workflow_id": "nope"})
    assert missing.status_code == 404
    await start_wf(emulator_client)
    await idle(emulator_client)
    listing = (await emulator_client.get("/api/v1/workflows/get_with_last_status",
                                         params={"limit": 200, "offset": 0,
                                                 "history_limit": 1})).json()
    assert listing["total_count"] == 2 and listing["count"] == 2
    smoke = next(w for w in listing["data"] if w["id"] == SMOKE)
    assert smoke["test_count"] == 2 and smoke["last_execution"]["status"] == "success"
    assert len(smoke["execution_history"]) == 1
    nightly = next(w for w in listing["data"] if w["id"] == NIGHTLY)
    assert nightly["last_execution"] == {"status": "not_run"}


async def test_unified_report(emulator_client):
    task = await start_wf(emulator_client, NIGHTLY)
    await idle(emulator_client)
    report = (await emulator_client.post("/api/v1/workflows/share/unified-report",
                                         json={"workflow_task_id": task})).json()
    assert report["workflow_task"]["task_id"] == task
    assert isinstance(report["workflow_task"]["duration"], float)
    assert report["workflow_detail"]["name"] == "nightly-regression"
    assert len(report["child_tasks"]) == 4 and len(report["test_info"]) == 4
    missing = await emulator_client.post("/api/v1/workflows/share/unified-report",
                                         json={"workflow_task_id": "nope"})
    assert missing.status_code == 404
    assert (await emulator_client.post("/api/v1/workflows/share/unified-report",
                                       json={})).status_code == 422


async def test_shareable_report_link(emulator_client):
    from .conftest import start

    task = await start(emulator_client, LOGIN)
    history = (await emulator_client.get("/api/v1/tests/get_test_execution_task",
                                         params={"task_id": task})).json()["test_history_id"]
    by_history = await emulator_client.post(
        "/api/v1/report/async-run/generate_shareable_report_link",
        json={"test_id": LOGIN, "history_id": history, "origin": "https://app.revyl.ai"})
    assert by_history.status_code == 200 and task in by_history.json()["shareable_link"]
    by_task = await emulator_client.post(
        "/api/v1/report/async-run/generate_shareable_report_link_by_task",
        json={"task_id": task})
    assert by_task.json()["shareable_link"] == by_history.json()["shareable_link"]
    wrong = await emulator_client.post(
        "/api/v1/report/async-run/generate_shareable_report_link",
        json={"test_id": FAILING, "history_id": history})
    assert wrong.status_code == 404
    empty = await emulator_client.post(
        "/api/v1/report/async-run/generate_shareable_report_link", json={})
    assert empty.status_code == 400 and "task_id" in empty.json()["detail"]


async def test_many_concurrent_workflows(emulator_client):
    tasks = await asyncio.gather(*[start_wf(emulator_client) for _ in range(20)])
    await idle(emulator_client)
    bodies = await asyncio.gather(*[emulator_client.get(f"/api/v1/workflows/status/{t}")
                                    for t in tasks])
    assert {b.json()["status"] for b in bodies} == {"completed"}
    state = (await emulator_client.get("/_emulator/state")).json()
    assert state["revyl"]["workflow_executions"] == {"completed": 20}
    assert state["revyl"]["test_executions"] == {"completed": 40}
