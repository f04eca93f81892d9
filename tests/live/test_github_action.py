"""The Revyl GitHub Action (run-test/dist/index.js and scripts/*.sh, read in place from
../shared/clients/revyl-gh-action) against a live emulator."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid

import httpx
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
    base_env = {**os.environ, "REVYL_API_KEY": key}

    def run(name: str, *args: str, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Output goes to a file, not a pipe: poll.sh leaves its timeout watchdog (a `sleep`)
        running after it exits, and a pipe would keep us waiting for that grandchild."""
        with tempfile.TemporaryFile("w+") as log:
            proc = subprocess.Popen(["bash", str(action_dir / "scripts" / name), *args],
                                    env={**base_env, **(env or {})}, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
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


ANDROID_APP = "a1000000-0000-4000-8000-000000000001"


@pytest.fixture
def upload_build(node_binary, upload_build_js, emulator_server, tmp_path):
    key = f"up-{uuid.uuid4().hex[:12]}"

    def run(inputs: dict[str, str]) -> tuple[int, dict[str, str], str]:
        from .conftest import parse_github_output

        out = tmp_path / f"out-{uuid.uuid4().hex[:6]}"
        out.touch()
        env = {**os.environ, "REVYL_API_KEY": key, "REVYL_BACKEND_URL": emulator_server.url,
               "GITHUB_OUTPUT": str(out),
               **{f"INPUT_{k.upper()}": v for k, v in inputs.items()}}
        done = subprocess.run([node_binary, str(upload_build_js)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, parse_github_output(out), done.stdout + done.stderr

    run.key = key  # type: ignore[attr-defined]
    return run


def test_upload_build_file_mode_then_expo_url_mode(upload_build, emulator_server, tmp_path):
    artifact = tmp_path / "app.apk"
    artifact.write_bytes(b"PK\x03\x04fake-apk-for-the-action\n")
    code, outputs, log = upload_build({"BUILD-VAR-ID": ANDROID_APP, "VERSION": "7.0.0",
                                       "FILE-PATH": str(artifact)})
    assert code == 0, log
    assert outputs["success"] == "true" and outputs["version"] == "7.0.0"
    assert outputs["package-id"] == "com.emulated.acmeshopandroid"
    version_id = outputs["version-id"]
    headers = {"Authorization": f"Bearer {upload_build.key}"}
    build = httpx.get(f"{emulator_server.url}/api/v1/builds/versions/{version_id}",
                      params={"include_download_url": "true"}, headers=headers).json()
    assert build["metadata"]["artifact_bytes"] == artifact.stat().st_size
    # Expo mode: the emulator downloads from a loopback URL (its own stored artifact).
    code, outputs, log = upload_build({"BUILD-VAR-ID": ANDROID_APP, "VERSION": "7.0.1",
                                       "EXPO-URL": build["download_url"],
                                       "EXPO-HEADERS": '{"X-Expo": "1"}'})
    assert code == 0, log
    assert outputs["success"] == "true" and outputs["version"] == "7.0.1"
    copied = httpx.get(f"{emulator_server.url}/api/v1/builds/versions/{outputs['version-id']}",
                       headers=headers).json()
    assert copied["metadata"]["artifact_sha256"] == build["metadata"]["artifact_sha256"]


def test_upload_build_expo_url_mode_works_offline(upload_build, emulator_server):
    """Expo mode with a real Expo artifact URL: the emulator never connects to expo.dev, it
    stores a deterministic placeholder (EMULATOR_FROM_URL=offline, the default); the
    documented magic host fails the step on purpose."""
    url = "https://expo.dev/artifacts/eas/offline-build.apk"
    code, outputs, log = upload_build({"BUILD-VAR-ID": ANDROID_APP, "VERSION": "7.2.0",
                                       "EXPO-URL": url,
                                       "EXPO-HEADERS": '{"Authorization": "Bearer expo"}'})
    assert code == 0, log
    assert outputs["success"] == "true" and outputs["version"] == "7.2.0"
    assert outputs["package-id"] == "com.emulated.acmeshopandroid"
    build = httpx.get(f"{emulator_server.url}/api/v1/builds/versions/{outputs['version-id']}",
                      headers={"Authorization": f"Bearer {upload_build.key}"}).json()
    assert build["metadata"]["from_url"] == url and build["metadata"]["placeholder"] is True
    assert build["size"] > 0 and build["artifact_kind"] == "apk"
    code, outputs, log = upload_build({"BUILD-VAR-ID": ANDROID_APP, "VERSION": "7.2.1",
                                       "EXPO-URL": "https://fail.emulator.invalid/app.apk"})
    assert code == 1, log
    assert outputs.get("success") == "false" and "fail.emulator.invalid" in log


def test_upload_build_to_an_unknown_app_fails(upload_build, tmp_path):
    artifact = tmp_path / "app.apk"
    artifact.write_bytes(b"PK\x03\x04x")
    code, outputs, log = upload_build({"BUILD-VAR-ID": "00000000-0000-4000-8000-000000000000",
                                       "VERSION": "1", "FILE-PATH": str(artifact)})
    assert code == 1, log
    assert outputs.get("success") == "false"


def test_upload_build_sh(scripts, emulator_server, tmp_path):
    artifact = tmp_path / "app.apk"
    artifact.write_bytes(b"PK\x03\x04fake-for-upload-build.sh\n")
    done = scripts("upload-build.sh", ANDROID_APP, str(artifact), "8.0.0",
                   env={"REVYL_BACKEND_URL": emulator_server.url})
    assert done.returncode == 0, done.stdout
    assert "Version ID:" in done.stdout and "com.emulated.acmeshopandroid" in done.stdout
