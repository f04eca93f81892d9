"""The official CLI's workflow management commands against a live emulator: a workflow made
by ``revyl workflow create`` is listed, renamed, edited, configured, run (its settings used),
shared and deleted, after which running it or asking about it fails."""

import pytest

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"
CHECKOUT = "7e570000-0000-4000-8000-000000000002"
ONBOARDING_IOS = "7e570000-0000-4000-8000-000000000003"
FAILING = "7e570000-0000-4000-8000-000000000004"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"


def ok(result):
    assert result.code == 0, result.stdout + result.stderr
    return result


def test_workflow_lifecycle_through_the_cli(revyl):
    ok(revyl("workflow", "create", "cli-flow", "--tests", f"{LOGIN},{ONBOARDING_IOS}",
             "--no-open"))
    listed = {w["name"]: w["id"] for w in ok(revyl("workflow", "list", "--json")).json()}
    flow_id = listed["cli-flow"]
    ok(revyl("workflow", "rename", "cli-flow", "cli-suite", "--non-interactive"))
    ok(revyl("workflow", "add-tests", "cli-suite", FAILING, CHECKOUT))
    ok(revyl("workflow", "remove-tests", "cli-suite", CHECKOUT))
    ok(revyl("workflow", "quarantine", "add", "cli-suite", FAILING))
    ok(revyl("workflow", "config", "set", "cli-suite", "--retries", "2", "--concurrency", "1"))
    ok(revyl("workflow", "app", "set", "cli-suite", "--android", ANDROID_APP,
             "--android-build-selection", "latest"))
    ok(revyl("workflow", "location", "set", "cli-suite", "--lat", "37.77", "--lng", "-122.41"))

    info = ok(revyl("workflow", "info", "cli-suite", "--json")).json()
    assert info["id"] == flow_id and info["name"] == "cli-suite"
    assert [t["id"] for t in info["tests"]] == [LOGIN, ONBOARDING_IOS, FAILING]
    assert info["overrides"]["app"]["android_build"]["app_id"] == ANDROID_APP
    assert info["overrides"]["location"] == {"latitude": 37.77, "longitude": -122.41}
    assert info["run_config"] == {"execution_mode": {"retries": 2}}

    # The quarantined failure does not fail the run; the cap of 1 runs the tests one by one
    # (15 s + 12.5 s + 6 s); the Android test runs the override's latest build.
    run = ok(revyl("workflow", "run", "cli-suite", "--json")).json()
    assert (run["status"], run["success"], run["failed_tests"]) == ("completed", True, 0)
    assert run["duration"] == "42.5s"
    tests = {t["test_name"]: t for t in run["tests"]}
    assert tests["search-empty-state [fail]"]["status"] == "failed"
    assert tests["login-flow"]["build_version"] == "1.5.0"
    assert tests["onboarding-ios"]["build_id"] == ""

    shared = ok(revyl("workflow", "share", "cli-suite", "--json")).json()
    assert shared["task_id"] == run["task_id"]
    assert shared["shareable_link"].startswith(
        f"https://app.revyl.ai/workflows/report?taskId={run['task_id']}&shareToken=")

    deleted = ok(revyl("workflow", "delete", "cli-suite", "--force", "--json")).json()
    assert deleted == {"success": True, "workflow_id": flow_id, "workflow_name": "cli-suite"}
    assert revyl("workflow", "run", flow_id, "--json").code != 0
    gone = revyl("workflow", "info", flow_id, "--json")
    assert gone.code != 0 and "no workflow with that ID" in gone.stderr
