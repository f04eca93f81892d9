"""The layers of docs/architecture.md hold: ``lint-imports`` with the contracts in
pyproject.toml (``[tool.importlinter]``) reports every contract kept. And the contracts can fail:
the same check over a copy of the package with one forbidden import added reports it broken.

import-linter comes with the ``test`` extra; where it is not installed next to this interpreter
the tests skip, or fail when ``EMULATOR_REQUIRE_CLIENTS`` names ``import-linter``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients import require_client

REPO = Path(__file__).resolve().parents[1]


def lint_imports() -> str:
    found = Path(sys.executable).parent / ("lint-imports.exe" if os.name == "nt"
                                           else "lint-imports")
    if found.exists():
        return str(found)
    return require_client("import-linter", None, f"not installed next to {sys.executable}; "
                          "pip install -e '.[test]'", "import-linter")


def run(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first: grimp finds the package to analyse by importing it.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([lint_imports(), "--no-cache", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_every_import_contract_is_kept() -> None:
    result = run(REPO)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output and "KEPT" in output


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("core/clock.py", "import emulator.revyl.catalog", "Layers"),
    ("web/routing.py", "import emulator.interactly.catalog", "Layers"),
    ("revyl/catalog.py", "import emulator.interactly.catalog", "Layers"),
    ("core/ids.py", "import starlette.requests", "The core is plain Python"),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str,
                                              contract: str) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(REPO / "emulator", tmp_path / "emulator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "emulator" / module
    target.write_text(target.read_text() + f"\n\ndef _leak() -> None:\n    {line}\n")
    result = run(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{contract}" in output and "BROKEN" in output, output


def test_no_module_is_over_600_lines() -> None:
    from tests.architecture import MAX_LINES, modules

    long = {p.relative_to(REPO).as_posix(): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_module_index_of_the_architecture_page_is_current() -> None:
    from tests.architecture import PAGE, rendered

    page = PAGE.read_text(encoding="utf-8")
    assert page == rendered(page), "run: python -m tests.architecture"
