"""mypy over the package, with the repo's own configuration (``[tool.mypy]`` in pyproject.toml),
reports nothing. mypy comes with the ``test`` extra; where it is not installed next to this
interpreter the test skips, or fails when ``EMULATOR_REQUIRE_CLIENTS`` names ``mypy``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.clients import require_client

REPO = Path(__file__).resolve().parents[1]


def mypy_binary() -> str:
    # Not resolved: a venv's python is a symlink to the base interpreter, mypy is beside it.
    found = Path(sys.executable).parent / ("mypy.exe" if os.name == "nt" else "mypy")
    if found.exists():
        return str(found)
    return require_client("mypy", None, f"not installed next to {sys.executable}; "
                          "pip install -e '.[test]'", "mypy")


def test_mypy_reports_no_errors() -> None:
    result = subprocess.run(
        [mypy_binary(), "--config-file", str(REPO / "pyproject.toml")],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"mypy exited {result.returncode}:\n{output}"
