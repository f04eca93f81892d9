"""The emulator as a user who never cloned the repo meets it: a wheel built from the checkout,
installed (not editable) into a fresh venv outside the checkout, started from an unrelated
directory with no settings at all, driven over both APIs, and the example project's tests run
against that installed package.

Everything the editable install hides shows up here: data files missing from the wheel, code
that finds files relative to the repo, entry points (console script, pytest plugin) that only
exist in the checkout's metadata.

The fresh venv installs the wheel's dependencies from the package index (pip's cache makes that
quick after the first run). Where the index cannot be reached the tests skip, unless
``EMULATOR_REQUIRE_CLIENTS`` names ``wheel`` (``.ci/run`` does): then they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import REPO, require_client

pytestmark = pytest.mark.live

EXAMPLE = REPO / "examples" / "pytest-project"
INTERACTLY_START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
                    "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}


def _clean_env(**extra: str) -> dict[str, str]:
    """The user's environment: none of this suite's EMULATOR_* settings or PYTHONPATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EMULATOR_", "PYTEST_", "PYTHON")) and k != "VIRTUAL_ENV"}
    return {**env, **extra}


def _run(args: list[str], cwd: Path, timeout: float = 600, **env: str) -> str:
    done = subprocess.run(args, cwd=cwd, env=_clean_env(**env), capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv (outside the checkout) with the wheel built from this checkout installed,
    with its ``mock`` extra, plus pytest, anyio and requests for the example project and the
    documented examples. Yields the venv's bin directory."""
    root = tmp_path_factory.mktemp("installed-wheel")
    dist = root / "dist"
    try:
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
              str(REPO)], cwd=root)
    except AssertionError as error:
        require_client("A wheel build", None, f"pip wheel failed: {str(error)[-500:]}", "wheel")
    wheels = list(dist.glob("revyl_interactly_emulator-*.whl"))
    assert len(wheels) == 1, list(dist.iterdir())
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    try:
        _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
              f"{wheels[0]}[mock]", "pytest>=8", "anyio>=4", "requests"], cwd=root)
    except AssertionError as error:
        require_client("Installing the wheel's dependencies", None,
                       f"the package index is unreachable? {str(error)[-500:]}", "wheel")
    yield bin_dir


def test_the_wheel_ships_its_data_and_entry_points(installed: Path, tmp_path: Path):
    where = json.loads(_run([str(installed / "python"), "-c",
                             "import json, emulator, emulator.settings as s; print(json.dumps("
                             "[emulator.__file__, str(s.DEFAULT_FIXTURES)]))"], cwd=tmp_path))
    module, fixtures = (Path(p) for p in where)
    assert "site-packages" in module.parts and REPO not in module.parents
    assert fixtures == module.parent / "fixtures" and (fixtures / "revyl.json").is_file()
    assert (module.parent / "py.typed").is_file()
    assert not (installed / "emulator").exists()  # the Android SDK's name stays free
    version = _run([str(installed / "ri-emulator"), "--version"], cwd=tmp_path).strip()
    assert re.fullmatch(r"ri-emulator \d+\.\d+\.\d+\S*", version), version


def test_starts_from_any_directory_with_no_settings_and_serves_both_apis(
        installed: Path, tmp_path: Path):
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    process = subprocess.Popen(
        [str(installed / "ri-emulator"), "--port", "0", "--time-scale", "50"],
        cwd=elsewhere, env=_clean_env(EMULATOR_STRICT="1"), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until Ready. (or EOF if it died)
        assert line.startswith("Ready."), line + (process.stderr.read() if process.stderr else "")
        base = re.search(r"Revyl: (http://\S+)", line).group(1)  # type: ignore[union-attr]
        headers = {"Authorization": "Bearer wheel-user"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            tests = client.get("/api/v1/tests/get_simple_tests").raise_for_status().json()
            assert tests["tests"], tests  # the bundled seed data was found
            test_id = tests["tests"][0]["id"]
            started = client.post("/api/v1/execution/api/execute_test_id_async",
                                  json={"test_id": test_id}).raise_for_status().json()
            task = started["task_id"]
            ended = None  # the SSE stream replays recent ends, so a fast run is not missed
            with client.stream("GET", "/api/v1/monitor/stream/unified", timeout=60) as stream:
                for raw in stream.iter_lines():
                    data = json.loads(raw[5:]) if raw.startswith("data:") else {}
                    if data.get("task_id") == task and "success" in data:
                        ended = data["status"]
                        break
            status = client.get("/api/v1/tests/get_test_execution_task",
                                params={"task_id": task}).raise_for_status().json()
            assert ended in ("completed", "failed") and status["status"] == ended, status

            created = client.post("/workflows/v1/workflows", headers={"teamid": "acme"}, json={
                "name": "wheel-bot", "workflow_config": {"name": "wheel-bot"},
                "node_configs": [{"type": "say_static", "logical_id": "hello", "name": "Hello",
                                  "is_start": True, "wait_for_user_message": False,
                                  "static_messages_config": {"static_messages": ["Hi!"]}}],
                "edge_configs": []}).raise_for_status().json()
            workflow_id = created["workflow"]["_id"]
            turn = client.post(f"/workflows/v1/workflows/{workflow_id}/execute",
                               headers={"teamid": "acme"},
                               json={"run_input": INTERACTLY_START}).raise_for_status().json()
            said = [e.get("content") for e in turn["events"] if e["type"] == "assistant_response"]
            assert "Hi!" in said, turn
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0


def test_the_example_project_passes_against_the_installed_wheel(installed: Path,
                                                                tmp_path: Path):
    project = tmp_path / "acme-qa"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    output = _run([str(installed / "python"), "-m", "pytest", "-q", "-rs", "tests"],
                  cwd=project, timeout=600, PYTHONPATH=str(project / "src"), EMULATOR_STRICT="1")
    assert re.search(r"\d+ passed", output), output
    assert "skipped" not in output and "error" not in output.lower(), output


DOCUMENTED = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)```", re.S)


def documented_examples() -> dict[str, str]:
    """The complete test modules docs/pytest.md shows, by file name."""
    return dict(DOCUMENTED.findall((REPO / "docs" / "pytest.md").read_text()))


def test_the_documented_interception_examples_pass_in_a_fresh_project(installed: Path,
                                                                     tmp_path: Path):
    """Each client kind of docs/pytest.md (requests, httpx sync and async, outside pytest),
    written into an empty project and run with the installed package: the real hosts are
    answered in-process with no conftest and no base-URL change."""
    examples = documented_examples()
    assert len(examples) >= 4, examples.keys()
    project = tmp_path / "user-project"
    (project / "tests").mkdir(parents=True)
    for name, code in examples.items():
        (project / "tests" / name).write_text(code)
    output = _run([str(installed / "python"), "-m", "pytest", "-q", "-rs", "-p",
                   "no:cacheprovider", "tests"], cwd=project, timeout=300)
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= len(examples), output
    assert "skipped" not in output and "failed" not in output, output

