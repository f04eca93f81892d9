"""The official Revyl CLI (PyPI revyl==0.1.195) against a live emulator, flows of
spec/real-clients.md §A.3. The server runs at time scale 20, so a 15 s test takes < 1 s."""

import httpx
import pytest

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"
ONBOARDING_IOS = "7e570000-0000-4000-8000-000000000003"
FAILING = "7e570000-0000-4000-8000-000000000004"


def test_auth_status_and_ping(revyl):
    status = revyl("auth", "status", "--json")
    assert status.code == 0, status.stderr
    assert status.json()["org_id"] == "0a000000-0000-4000-8000-000000000001"
    assert status.json()["authenticated"] is True
    ping = revyl("ping")
    assert ping.code == 0, ping.stderr


def test_run_passing_test_by_id(revyl):
    result = revyl("test", "run", LOGIN, "--json")
    assert result.code == 0, result.stderr
    body = result.json()
    assert (body["status"], body["success"], body["test_id"]) == ("completed", True, LOGIN)
    assert body["duration"] == "15.0s" and body["error"] == ""


def test_run_passing_test_by_name(revyl):
    result = revyl("test", "run", "onboarding-ios", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["test_id"] == ONBOARDING_IOS


def test_run_fail_marker_test_exits_1(revyl):
    result = revyl("test", "run", FAILING, "--json")
    assert result.code == 1
    body = result.json()
    assert (body["status"], body["success"]) == ("failed", False)
    assert "Step 2 failed" in body["error"]


def test_scripted_failure_through_the_control_plane(revyl, emulator_server):
    emulator_server.control("POST", "scripts/revyl/outcomes", token=revyl.key, json={
        "outcomes": [{"test_id": LOGIN, "result": "fail", "error_message": "Login button gone"}]})
    result = revyl("test", "run", LOGIN, "--json")
    assert result.code == 1 and result.json()["error"] == "Login button gone"
    assert revyl("test", "run", LOGIN, "--json").code == 0  # the script was used up


def test_unknown_test_exits_1(revyl):
    result = revyl("test", "run", "00000000-0000-4000-8000-00000000dead", "--json")
    assert result.code == 1


def test_no_wait_then_cancel_then_status(revyl, emulator_server):
    started = revyl("test", "run", ONBOARDING_IOS, "--json", "--no-wait")
    assert started.code == 0, started.stderr
    task = started.json()["task_id"]
    assert started.json()["status"] == "queued"

    cancelled = revyl("test", "cancel", task, "--json")
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.json() == {"message": "Test execution cancelled", "status": "cancelled",
                                "success": True, "task_id": task}
    polled = httpx.get(f"{emulator_server.url}/api/v1/tests/get_test_execution_task",
                       params={"task_id": task},
                       headers={"Authorization": f"Bearer {revyl.key}"}).json()
    assert polled["status"] == "cancelled"

    again = revyl("test", "cancel", task, "--json")
    assert again.code == 1
    assert again.json()["success"] is False

    status = revyl("test", "status", ONBOARDING_IOS, "--json")
    assert status.code == 0, status.stderr
    assert (status.json()["task_id"], status.json()["status"]) == (task, "cancelled")


def test_cancel_unknown_task_exits_1(revyl):
    result = revyl("test", "cancel", "00000000-0000-4000-8000-00000000beef", "--json")
    assert result.code == 1
    assert "not found" in result.stderr.lower() + result.stdout.lower()


SMOKE = "f1000000-0000-4000-8000-000000000001"
NIGHTLY = "f1000000-0000-4000-8000-000000000002"


def test_workflow_run_passes(revyl):
    result = revyl("workflow", "run", SMOKE, "--json")
    assert result.code == 0, result.stderr
    body = result.json()
    assert (body["status"], body["success"], body["passed_tests"]) == ("completed", True, 2)
    assert {t["test_name"] for t in body["tests"]} == {"login-flow", "onboarding-ios"}
    assert body["workflow_name"] == "smoke"


def test_workflow_run_by_name_with_a_failing_child_exits_1(revyl):
    result = revyl("workflow", "run", "nightly-regression", "--json")
    assert result.code == 1
    body = result.json()
    assert (body["status"], body["failed_tests"], body["passed_tests"]) == ("failed", 1, 3)


def test_workflow_cancel_status_history_and_list(revyl):
    started = revyl("workflow", "run", NIGHTLY, "--json", "--no-wait")
    assert started.code == 0, started.stderr
    task = started.json()["task_id"]
    cancelled = revyl("workflow", "cancel", task, "--json")
    assert cancelled.code == 0, cancelled.stderr
    assert cancelled.json() == {"message": "Workflow execution cancelled", "success": True,
                                "task_id": task}
    assert revyl("workflow", "cancel", task, "--json").code == 1
    status = revyl("workflow", "status", task, "--json")
    assert status.code == 0 and status.json()["status"] == "cancelled"
    history = revyl("workflow", "history", NIGHTLY, "--json")
    assert history.code == 0, history.stderr
    assert history.json()["executions"][0]["execution_id"] == task
    listing = revyl("workflow", "list", "--json")
    assert listing.code == 0 and {w["name"] for w in listing.json()} == {
        "smoke", "nightly-regression"}


def test_test_delete_removes_the_test(revyl):
    assert revyl("test", "run", ONBOARDING_IOS, "--json").code == 0
    deleted = revyl("test", "delete", ONBOARDING_IOS, "--force", "--remote-only", "--json")
    assert deleted.code == 0, deleted.stderr
    assert deleted.json()["success"] is True and deleted.json()["test_id"] == ONBOARDING_IOS
    rerun = revyl("test", "run", ONBOARDING_IOS, "--json")
    assert rerun.code == 1, rerun.stdout  # gone: its run is refused
