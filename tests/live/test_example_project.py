"""CI runs the example project (examples/pytest-project) the way a user would: its own rootdir
and pyproject, only the plugin's fixtures, the plugin found through its entry point.

Same interpreter as this suite (the emulator is installed in it), the example's package on
PYTHONPATH: no network, no new venv. Other installed plugins are kept out so the example can
rely only on what a user's fresh venv would have (the emulator's plugin, anyio's).
"""

import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pytest-project"


def test_example_project_passes():
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE / "src"),
           "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("EMULATOR_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "emulator", "-p", "anyio", "tests"],
        cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert " passed" in output and "skipped" not in output and "error" not in output.lower()
