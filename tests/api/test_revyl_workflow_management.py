"""Workflow management through HTTP (manual clock): create, rename, tests, settings,
quarantine, share links and delete, each visible in the read routes and used by runs."""

import pytest

from .conftest import CHECKOUT, FAILING, LOGIN, ONBOARDING_IOS, advance

pytestmark = pytest.mark.anyio

SMOKE = "f1000000-0000-4000-8000-000000000001"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
OLD_ANDROID_BUILD = "b1000000-0000-4000-8000-000000000001"
WF = "/api/v1/workflows"
RUN = "/api/v1/workflow-executions"


async def create(client, name="release", tests=(LOGIN, ONBOARDING_IOS)):
    response = await client.post(f"{WF}/create", json={
        "name": name, "tests": list(tests), "schedule": "No Schedule",
        "owner": "0a000000-0000-4000-8000-000000000002"})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def run(client, workflow_id, **body):
    response = await client.post(RUN, json={"workflow_id": workflow_id, **body})
    assert response.status_code == 200, response.text
    return response.json()["task_id"]


async def finished(client, task):
    await client.post("/_emulator/clock/run-until-idle")
    return (await client.get(f"{WF}/status/{task}")).json()


async def info(client, workflow_id):
    return await client.get(f"{WF}/get_workflow_info", params={"workflow_id": workflow_id})


async def listed(client):
    body = (await client.get(f"{WF}/get_with_last_status", params={"limit": 200})).json()
    return {w["name"]: w for w in body["data"]}


async def test_a_created_workflow_is_listed_described_and_runs(emulator_client):
    made = await create(emulator_client)
    assert made["name"] == "release" and made["tests"] == [LOGIN, ONBOARDING_IOS]
    assert made["deleted"] is False and made["default_concurrency_limit"] is None
    assert (await listed(emulator_client))["release"]["test_count"] == 2
    flat = (await info(emulator_client, made["id"])).json()
    assert flat["tests"] == [LOGIN, ONBOARDING_IOS] and flat["schedule"] == "No Schedule"
    lite = (await emulator_client.get(f"{WF}/get_info/{made['id']}")).json()["data"]
    assert [(t["name"], t["last_status"]) for t in lite["test_info"]] == [
        ("login-flow", None), ("onboarding-ios", None)]
    status = await finished(emulator_client, await run(emulator_client, made["id"]))
    assert status["status"] == "completed" and status["workflow_name"] == "release"
    assert status["metadata"]["concurrency_limit"] == 3  # no cap: the org's limit
    lite = (await emulator_client.get(f"{WF}/get_info/{made['id']}")).json()["data"]
    assert {t["last_status"] for t in lite["test_info"]} == {"completed"}
    assert all(t["last_duration"] > 0 and t["last_execution_time"] for t in lite["test_info"])
    assert (await listed(emulator_client))["release"]["last_execution"]["status"] == "success"


@pytest.mark.parametrize("body, status", [
    ({"name": "smoke", "tests": []}, 409),
    ({"name": "fresh", "tests": ["no-such-test"]}, 400),
    ({"name": "   ", "tests": []}, 400),
    ({"name": "", "tests": []}, 422),
    ({"tests": [LOGIN]}, 422),
])
async def test_create_refuses_taken_names_unknown_tests_and_bad_bodies(emulator_client, body,
                                                                      status):
    response = await emulator_client.post(f"{WF}/create", json=body)
    assert response.status_code == status, response.text
    assert len(await listed(emulator_client)) == 2


async def test_rename_and_replace_tests(emulator_client):
    made = await create(emulator_client)
    renamed = await emulator_client.put(f"{WF}/update_name/{made['id']}", json={"name": "rc"})
    assert renamed.status_code == 200 and renamed.json()["data"]["name"] == "rc"
    assert "rc" in await listed(emulator_client) and "release" not in await listed(
        emulator_client)
    taken = await emulator_client.put(f"{WF}/update_name/{made['id']}", json={"name": "smoke"})
    assert taken.status_code == 409
    same = await emulator_client.put(f"{WF}/update_name/{made['id']}", json={"name": "rc"})
    assert same.status_code == 200
    tests = await emulator_client.put(f"{WF}/update_tests/{made['id']}",
                                      json=[CHECKOUT, LOGIN, CHECKOUT])
    assert tests.status_code == 200 and tests.json()["data"]["tests"] == [CHECKOUT, LOGIN]
    assert (await info(emulator_client, made["id"])).json()["tests"] == [CHECKOUT, LOGIN]
    unknown = await emulator_client.put(f"{WF}/update_tests/{made['id']}", json=["nope"])
    assert unknown.status_code == 400 and "nope" in unknown.json()["detail"]
    assert (await emulator_client.put(f"{WF}/update_tests/{made['id']}",
                                      json={"tests": []})).status_code == 422
    for method, path, body in [("PUT", "update_name/nope", {"name": "x"}),
                               ("PUT", "update_tests/nope", []),
                               ("PUT", "update_run_config/nope", {}),
                               ("PUT", "update_location_config/nope", {}),
                               ("PUT", "update_build_config/nope", {}),
                               ("GET", "get_info/nope", None),
                               ("GET", "workflow/nope/tests", None)]:
        response = await emulator_client.request(method, f"{WF}/{path}", json=body)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Workflow not found"}


async def test_run_config_caps_concurrency_and_sets_retries(emulator_client):
    made = await create(emulator_client, tests=(LOGIN, ONBOARDING_IOS, CHECKOUT))
    saved = await emulator_client.put(f"{WF}/update_run_config/{made['id']}", json={
        "run_config": {"execution_mode": {"retries": 2}}, "override_run_config": True,
        "default_concurrency_limit": 1})
    assert saved.status_code == 200
    flat = (await info(emulator_client, made["id"])).json()
    assert flat["default_concurrency_limit"] == 1 and flat["override_run_config"] is True
    assert flat["run_config"] == {"execution_mode": {"retries": 2}}
    task = await run(emulator_client, made["id"], retries=1)
    await advance(emulator_client, 8)
    status = (await emulator_client.get(f"{WF}/status/{task}")).json()
    assert len(status["child_tasks"]) == 1
    assert status["metadata"]["concurrency_limit"] == 1 and status["metadata"]["retries"] == 2
    # only the cap changes; a null cap removes it, the run config stays
    cleared = await emulator_client.put(f"{WF}/update_run_config/{made['id']}",
                                        json={"default_concurrency_limit": None})
    assert cleared.json()["data"]["default_concurrency_limit"] is None
    assert cleared.json()["data"]["run_config"] == {"execution_mode": {"retries": 2}}
    task = await run(emulator_client, made["id"])
    await advance(emulator_client, 8)
    assert len((await emulator_client.get(f"{WF}/status/{task}")).json()["child_tasks"]) == 3
    # a run's own override beats the stored cap; 0 removes the cap for that run
    await emulator_client.put(f"{WF}/update_run_config/{made['id']}",
                              json={"default_concurrency_limit": 2})
    one = await run(emulator_client, made["id"], concurrency_limit_override=1)
    uncapped = await run(emulator_client, made["id"], concurrency_limit_override=0)
    for task, limit in ((one, 1), (uncapped, 3)):
        assert (await emulator_client.get(f"{WF}/status/{task}")).json()[
            "metadata"]["concurrency_limit"] == limit
    bad = await emulator_client.put(f"{WF}/update_run_config/{made['id']}",
                                    json={"default_concurrency_limit": 0})
    assert bad.status_code == 422


async def test_app_override_decides_the_build_children_run(emulator_client):
    made = await create(emulator_client)
    saved = await emulator_client.put(f"{WF}/update_build_config/{made['id']}", json={
        "build_config": {"android_build": {"app_id": ANDROID_APP, "build_selection": "pinned",
                                           "pinned_build_id": OLD_ANDROID_BUILD,
                                           "branch_id": None}},
        "override_build_config": True})
    assert saved.status_code == 200
    assert (await info(emulator_client, made["id"])).json()["build_config"] == {
        "android_build": {"app_id": ANDROID_APP, "build_selection": "pinned",
                          "pinned_build_id": OLD_ANDROID_BUILD}}
    status = await finished(emulator_client, await run(emulator_client, made["id"]))
    children = {c["test_id"]: c for c in status["child_tasks"]}
    assert children[LOGIN]["build_id"] == OLD_ANDROID_BUILD
    assert children[LOGIN]["app_name"] == "acme-shop-android"
    assert children[ONBOARDING_IOS]["build_id"] is None  # no iOS override
    report = (await emulator_client.post(f"{WF}/share/unified-report", json={
        "workflow_task_id": status["task_id"]})).json()
    assert {c["test_id"]: c["build_id"] for c in report["child_tasks"]}[LOGIN] == \
        OLD_ANDROID_BUILD
    # the flag alone turns the stored choice off (app disable) and back on
    off = await emulator_client.put(f"{WF}/update_build_config/{made['id']}",
                                    json={"override_build_config": False})
    assert off.json()["data"]["build_config"] is not None
    status = await finished(emulator_client, await run(emulator_client, made["id"]))
    assert {c["build_id"] for c in status["child_tasks"]} == {None}
    # a run's own override wins over the stored one
    await emulator_client.put(f"{WF}/update_build_config/{made['id']}",
                              json={"override_build_config": True})
    status = await finished(emulator_client, await run(
        emulator_client, made["id"], override_build_config=True,
        build_config={"android_build": {"app_id": ANDROID_APP}}))
    current = {c["test_id"]: c for c in status["child_tasks"]}[LOGIN]
    assert current["build_version"] == "1.5.0"
    for bad, code in [({"android_build": {"app_id": "nope"}}, 404),
                      ({"android_build": {"app_id": ANDROID_APP, "pinned_build_id": "x"}}, 404),
                      ({"android_build": {"app_id": ANDROID_APP,
                                          "build_selection": "newest"}}, 422)]:
        response = await emulator_client.put(f"{WF}/update_build_config/{made['id']}", json={
            "build_config": bad, "override_build_config": True})
        assert response.status_code == code, bad


async def test_location_override_is_stored_and_applied(emulator_client):
    made = await create(emulator_client)
    saved = await emulator_client.put(f"{WF}/update_location_config/{made['id']}", json={
        "location_config": {"latitude": 37.77, "longitude": -122.41},
        "override_location": True})
    assert saved.status_code == 200
    flat = (await info(emulator_client, made["id"])).json()
    assert flat["override_location"] is True and flat["location_config"]["latitude"] == 37.77
    task = await run(emulator_client, made["id"])
    status = (await emulator_client.get(f"{WF}/status/{task}")).json()
    assert status["metadata"]["location_config"] == {"latitude": 37.77, "longitude": -122.41}
    cleared = await emulator_client.put(f"{WF}/update_location_config/{made['id']}",
                                        json={"location_config": None,
                                              "override_location": False})
    assert cleared.json()["data"]["location_config"] is None
    task = await run(emulator_client, made["id"])
    status = (await emulator_client.get(f"{WF}/status/{task}")).json()
    assert status["metadata"]["location_config"] is None
    bad = await emulator_client.put(f"{WF}/update_location_config/{made['id']}", json={
        "location_config": {"latitude": 91, "longitude": 0}, "override_location": True})
    assert bad.status_code == 422


async def test_quarantined_failures_do_not_fail_the_run(emulator_client):
    made = await create(emulator_client, tests=(LOGIN, FAILING))
    links = (await emulator_client.get(f"{WF}/workflow/{made['id']}/tests")).json()["data"]
    assert [(t["test_id"], t["failure_policy"]) for t in links] == [
        (LOGIN, "fail_workflow"), (FAILING, "fail_workflow")]
    assert links[1]["id"] != FAILING and links[1]["test_name"] == "search-empty-state [fail]"
    status = await finished(emulator_client, await run(emulator_client, made["id"]))
    assert status["status"] == "failed" and status["failed_tests"] == 1
    patched = await emulator_client.patch(f"{WF}/workflow-tests/{links[1]['id']}",
                                          json={"failure_policy": "ignore_failure"})
    assert patched.status_code == 200 and patched.json()["data"]["failure_policy"] == \
        "ignore_failure"
    assert (await info(emulator_client, made["id"])).json()["quarantined_test_ids"] == [FAILING]
    status = await finished(emulator_client, await run(emulator_client, made["id"]))
    assert (status["status"], status["success"], status["failed_tests"]) == ("completed", True,
                                                                             0)
    assert {c["test_id"]: c["status"] for c in status["child_tasks"]}[FAILING] == "failed"
    assert status["metadata"]["quarantined_test_ids"] == [FAILING]
    await emulator_client.patch(f"{WF}/workflow-tests/{links[1]['id']}",
                                json={"failure_policy": "fail_workflow"})
    status = await finished(emulator_client, await run(emulator_client, made["id"]))
    assert status["status"] == "failed"
    # leaving the workflow drops the attachment and its policy
    await emulator_client.patch(f"{WF}/workflow-tests/{links[1]['id']}",
                                json={"failure_policy": "ignore_failure"})
    await emulator_client.put(f"{WF}/update_tests/{made['id']}", json=[LOGIN])
    await emulator_client.put(f"{WF}/update_tests/{made['id']}", json=[LOGIN, FAILING])
    assert (await info(emulator_client, made["id"])).json()["quarantined_test_ids"] == []
    assert (await emulator_client.patch(f"{WF}/workflow-tests/nope", json={
        "failure_policy": "ignore_failure"})).status_code == 404
    assert (await emulator_client.patch(f"{WF}/workflow-tests/{links[0]['id']}", json={
        "failure_policy": "continue"})).status_code == 422


async def test_share_link_for_a_workflow_execution(emulator_client):
    task = await run(emulator_client, SMOKE)
    await finished(emulator_client, task)
    body = {"workflow_task_id": task, "origin": "https://app.revyl.ai", "expiration_hours": None}
    first = await emulator_client.post(f"{WF}/share/generate_shareable_link", json=body)
    assert first.status_code == 200
    link = first.json()["shareable_link"]
    assert link.startswith("https://app.revyl.ai/workflows/report?taskId=" + task)
    assert "shareToken=" in link and first.json()["child_links_created"] is None
    again = await emulator_client.post(f"{WF}/share/generate_shareable_link", json={
        **body, "expiration_hours": 24, "include_child_tests": True})
    assert again.json()["shareable_link"] == link and again.json()["child_links_created"] == 2
    missing = await emulator_client.post(f"{WF}/share/generate_shareable_link",
                                         json={"workflow_task_id": "nope"})
    assert missing.status_code == 404
    assert (await emulator_client.post(f"{WF}/share/generate_shareable_link",
                                       json={})).status_code == 422


async def test_delete_makes_the_workflow_404_but_keeps_its_executions(emulator_client):
    made = await create(emulator_client)
    task = await run(emulator_client, made["id"])
    await finished(emulator_client, task)
    gone = await emulator_client.delete(f"{WF}/delete/{made['id']}")
    assert gone.status_code == 200, gone.text
    assert gone.json()["data"]["deleted"] is True and gone.json()["data"]["last_run"]
    assert gone.json()["message"] == "Workflow 'release' deleted"
    assert (await info(emulator_client, made["id"])).status_code == 404
    assert (await emulator_client.get(f"{WF}/get_info/{made['id']}")).status_code == 404
    assert (await emulator_client.post(RUN, json={"workflow_id": made["id"]})).status_code == 404
    assert (await emulator_client.get(f"{WF}/status/history/{made['id']}")).status_code == 404
    assert "release" not in await listed(emulator_client)
    past = await emulator_client.get(f"{WF}/status/{task}")
    assert past.status_code == 200 and past.json()["status"] == "completed"
    report = await emulator_client.post(f"{WF}/share/unified-report",
                                        json={"workflow_task_id": task})
    assert report.status_code == 200
    again = await emulator_client.delete(f"{WF}/delete/{made['id']}")
    assert again.status_code == 404 and again.json() == {"detail": "Workflow not found"}
    # the name is free again
    assert (await create(emulator_client))["id"] != made["id"]
