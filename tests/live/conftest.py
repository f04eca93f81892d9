"""Live tests: a real emulator process, driven by real clients as a user would.

Clients are installed by ``.ci/run`` (never by the tests). Where one is missing the test is
skipped with the reason, unless ``EMULATOR_REQUIRE_CLIENTS`` (set by ``.ci/run``) names it:
then a missing client is a failure, so CI cannot go green by skipping what it can run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.clients import require_client

REPO = Path(__file__).resolve().parents[2]
__all__ = ["REPO", "require_client"]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(scope="session")
def revyl_binary() -> str:
    candidates = [os.environ.get("REVYL_CLI"), str(REPO / ".venv-revyl/bin/revyl"),
                  shutil.which("revyl")]
    found = next((c for c in candidates if c and Path(c).exists()), None)
    return require_client("The Revyl CLI", found,
                          "pip install revyl==0.1.195 into .venv-revyl, or set REVYL_CLI",
                          "revyl-cli")


@pytest.fixture
def revyl(revyl_binary, emulator_server, tmp_path):
    """Run the real CLI against the live emulator in a fresh namespace (its own API key)."""
    key = f"cli-{uuid.uuid4().hex[:12]}"
    home = tempfile.mkdtemp(dir=tmp_path)
    env = {**os.environ, "HOME": home, "REVYL_BACKEND_URL": emulator_server.url,
           "REVYL_API_KEY": key, "REVYL_NO_UPDATE_NOTIFIER": "1",
           "REVYL_TELEMETRY_DISABLED": "1", "CI": "true"}

    def run(*args: str, timeout: float = 120) -> CliResult:
        done = subprocess.run([revyl_binary, *args], env=env, capture_output=True, text=True,
                              timeout=timeout, cwd=home)
        return CliResult(done.returncode, done.stdout, done.stderr)

    run.key = key  # type: ignore[attr-defined]
    run.home = home  # type: ignore[attr-defined]
    return run


def _shared_dir() -> Path:
    """``../shared`` beside the repo (EMULATOR_SHARED_DIR overrides)."""
    if os.environ.get("EMULATOR_SHARED_DIR"):
        return Path(os.environ["EMULATOR_SHARED_DIR"])
    return REPO.parent / "shared"


ACTION_DIR = _shared_dir() / "clients" / "revyl-gh-action"


@pytest.fixture(scope="session")
def action_dir() -> Path:
    found = str(ACTION_DIR) if (ACTION_DIR / "run-test" / "dist" / "index.js").exists() else None
    return Path(require_client("The Revyl GitHub Action", found,
                               f"expected at {ACTION_DIR}; set EMULATOR_SHARED_DIR",
                               "gh-action"))


@pytest.fixture(scope="session")
def node_binary() -> str:
    return require_client("node (20+)", shutil.which("node"), "apt-get install nodejs", "node")


@pytest.fixture(scope="session")
def run_test_js(action_dir, tmp_path_factory) -> Path:
    """The Action's bundle as shipped, minus its first line, which loads a source-map helper
    that the kept copy does not include. Written to a temp dir at run time, never committed."""
    source = (action_dir / "run-test" / "dist" / "index.js").read_text()
    first, _, rest = source.partition("\n")
    first = first.replace("require('./sourcemap-register.js');", "")
    target = tmp_path_factory.mktemp("gha") / "run-test.js"
    target.write_text(first + "\n" + rest)
    return target


def parse_github_output(path: Path) -> dict[str, str]:
    """``name<<delimiter`` blocks as written by @actions/core; later values win."""
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        j = lines.index(delimiter, i + 1)
        outputs[name] = "\n".join(lines[i + 1:j])
        i = j + 1
    return outputs


@pytest.fixture
def action(node_binary, run_test_js, emulator_server, tmp_path):
    """Run the Action's run-test with inputs; both backend-url and revyl-device-url point at
    the emulator. Returns (exit code, outputs, log)."""
    key = f"gha-{uuid.uuid4().hex[:12]}"

    def run(inputs: dict[str, str], timeout: float = 120) -> tuple[int, dict[str, str], str]:
        out, summary = tmp_path / f"out-{uuid.uuid4().hex[:6]}", tmp_path / "summary.md"
        out.touch()
        summary.touch()
        env = {**os.environ, "REVYL_API_KEY": key, "GITHUB_OUTPUT": str(out),
               "GITHUB_STEP_SUMMARY": str(summary), "INPUT_BACKEND-URL": emulator_server.url,
               "INPUT_REVYL-DEVICE-URL": emulator_server.url, "INPUT_TIMEOUT": "120",
               **{f"INPUT_{k.upper()}": v for k, v in inputs.items()}}
        done = subprocess.run([node_binary, str(run_test_js)], env=env, capture_output=True,
                              text=True, timeout=timeout, cwd=tmp_path)
        return done.returncode, parse_github_output(out), done.stdout + done.stderr

    run.key = key  # type: ignore[attr-defined]
    return run


@pytest.fixture(scope="session")
def upload_build_js(action_dir, tmp_path_factory) -> Path:
    """upload-build ignores its backend-url input and hard-codes https://backend.revyl.ai;
    as ../shared/clients/README.md prescribes, a temp copy reads REVYL_BACKEND_URL instead
    (and drops the missing source-map helper). Never committed."""
    source = (action_dir / "upload-build" / "dist" / "index.js").read_text()
    constant = "const backendUrl = 'https://backend.revyl.ai'"
    assert constant in source, "upload-build no longer has the constant the README patches"
    patched = source.replace(
        constant, "const backendUrl = process.env.REVYL_BACKEND_URL || 'https://backend.revyl.ai'")
    patched = patched.replace("require('./sourcemap-register.js');", "", 1)
    target = tmp_path_factory.mktemp("gha-upload") / "upload-build.js"
    target.write_text(patched)
    return target
