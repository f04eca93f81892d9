"""Live tests: a real emulator process, driven by real clients as a user would.

Clients are installed by ``.ci/run`` (never by the tests). Where one is missing the test is
skipped with the reason, unless ``EMULATOR_REQUIRE_CLIENTS=1`` (set by ``.ci/run``) makes a
missing client a failure, so CI can never go green by skipping.
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

REPO = Path(__file__).resolve().parents[2]


def require_client(what: str, found: str | None, how: str) -> str:
    if found:
        return found
    message = f"{what} is not installed ({how})"
    if os.environ.get("EMULATOR_REQUIRE_CLIENTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


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
                          "pip install revyl==0.1.195 into .venv-revyl, or set REVYL_CLI")


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
    return run
