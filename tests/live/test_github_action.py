"""The Revyl GitHub Action (run-test/dist/index.js and scripts/*.sh, read in place from
../shared/clients/revyl-gh-action) against a live emulator."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid

import pytest

from .conftest import require_client

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"
FAILING = "7e570000-0000-4000-8000-000000000004"
SMOKE = "f1000000-0000-4000-8000-000000000001"
NIGHTLY = "f1000000-0000-4000-8000-000000000002"


def test_run_test_with_test_id_passes_with_outputs(action):
    code, outputs, log = action({"TEST-ID": LOGIN, "RETRIES": "1"})
    assert code == 0, log
    assert outputs["success"] == "true" and outputs["platform"] == "android"
    assert outputs["total_steps"] == "5" and outputs["completed_steps"] == "5"
    assert outputs["execution_time"] == "00:00:15"
    assert "shareToken=" in outputs["report_link"]


def test_run_test_with_failing_test_exits_1(action):
    code, outputs, log = action({"TEST-ID": FAILING})
    assert code == 1, log
    assert outputs["success"] == "false"
    assert "Step 2 failed" in outputs["error_message"]


def test_run_test_with_workflow_id(action):
    code, outputs, log = action({"WORKFLOW-ID": SMOKE, "RETRIES": "2"})
    assert code == 0, log
    assert (outputs["status"], outputs["success"]) == ("completed", "true")
    assert (outputs["total_tests"], outputs["passed_tests"], outputs["failed_tests"]) == (
        "2", "2", "0")


def test_run_test_with_failing_workflow_exits_1(action):
    code, outputs, log = action({"WORKFLOW-ID": NIGHTLY})
    assert code == 1, log
    assert (outputs["status"], outputs["passed_tests"], outputs["failed_tests"]) == (
        "failed", "3", "1")


@pytest.mark.parametrize("inputs", [{"TEST-ID": LOGIN}, {"WORKFLOW-ID": SMOKE}])
def test_no_wait_returns_once_started(action, inputs):
    code, outputs, log = action({**inputs, "NO-WAIT": "true", "START-TIMEOUT": "30"})
    assert code == 0, log
    assert outputs["success"] == "true" and outputs["task_id"]


@pytest.fixture
def scripts(action_dir, emulator_server):
    for tool in ("bash", "curl", "jq"):
        require_client(tool, shutil.which(tool), f"apt-get install {tool}", "tools")
    key = f"sh-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "REVYL_API_KEY": key}

    def run(name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Output goes to a file, not a pipe: poll.sh leaves its timeout watchdog (a `sleep`)
        running after it exits, and a pipe would keep us waiting for that grandchild."""
        with tempfile.TemporaryFile("w+") as log:
            proc = subprocess.Popen(["bash", str(action_dir / "scripts" / name), *args],
                                    env=env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                code = proc.wait(timeout)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            log.seek(0)
            return subprocess.CompletedProcess(proc.args, code, log.read(), "")

    return run


@pytest.mark.parametrize("workflow, code", [(SMOKE, 0), (NIGHTLY, 1)])
def test_scripts_test_sh_then_poll_sh(scripts, emulator_server, workflow, code):
    started = scripts("test.sh", "--device-url", emulator_server.url, workflow)
    assert started.returncode == 0, started.stdout
    task = started.stdout.strip().splitlines()[-1].split()[-1]
    assert len(task) == 36
    polled = scripts("poll.sh", "--backend-url", emulator_server.url, "--timeout", "90", task)
    assert polled.returncode == code, polled.stdout
    marker = "Workflow Completed Successfully" if code == 0 else "Workflow Failed"
    assert marker in polled.stdout
