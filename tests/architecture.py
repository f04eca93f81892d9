"""The module index of docs/architecture.md: one line per module of the package: its path and
the first sentence of its docstring, so the map names every module there is (a test fails
when it is not current). ``python -m tests.architecture`` rewrites it between the markers."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "emulator"
PAGE = REPO / "docs" / "architecture.md"
START, END = "<!-- modules:start -->", "<!-- modules:end -->"
MAX_LINES = 600  # no module over this (tests/test_layers.py)


def summary(path: Path) -> str:
    """The docstring's first sentence, on one line; a module without one says so."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    text = " ".join(doc.split())
    found = re.match(r"(.+?\.)(\s|$)", text)
    first = found.group(1) if found else text
    if len(first) > 180:
        first = first[:177].rsplit(" ", 1)[0] + " ..."
    return first.replace("|", "\\|") or "(no docstring)"


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"), key=lambda p: p.relative_to(PACKAGE).parts)


def table() -> str:
    rows = ["| Module | What it is for |", "| --- | --- |"]
    for path in modules():
        rows.append(f"| `{path.relative_to(PACKAGE).as_posix()}` | {summary(path)} |")
    return "\n".join(rows)


def rendered(page: str) -> str:
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    PAGE.write_text(rendered(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{len(modules())} modules written to {PAGE}", file=sys.stderr)
