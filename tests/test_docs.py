"""The documentation: the MkDocs site under docs/ builds with --strict (no broken links or
anchors, no warnings), and README.md stays a short front page whose links all resolve and
whose two commands (start; test, the one ``.ci/run`` runs) are the ones the docs quote."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.clients import require_client

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
CI_MARKER = "<!-- ci: test command -->"
MAX_README_LINES = 300


def mkdocs_binary() -> str | None:
    """mkdocs next to the running interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "mkdocs"
    if beside.exists():
        return str(beside)
    return shutil.which("mkdocs")


HOW = "install the docs extra: pip install -e '.[docs]'"


def test_site_builds_strict_without_warnings(tmp_path):
    mkdocs = require_client("mkdocs", mkdocs_binary(), HOW, "mkdocs")
    site = tmp_path / "site"
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(site)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    output = done.stdout + done.stderr
    if "Unrecognised theme name" in output:
        require_client("The mkdocs-material theme", None, HOW, "mkdocs")
    assert done.returncode == 0, output
    assert "WARNING" not in output, output
    for page in sorted(DOCS.glob("*.md")):
        built = site / ("index.html" if page.stem == "index" else f"{page.stem}/index.html")
        assert built.exists(), f"{page.name} was not built"


# ------------------------------------------------------------------------------ README

def without_code(markdown: str) -> str:
    """The text outside fenced blocks and inline code (where brackets are not links)."""
    markdown = re.sub(r"^```.*?^```[^\n]*$", "", markdown, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", markdown)


def relative_links(markdown: str) -> list[str]:
    text = without_code(markdown)
    targets = re.findall(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text)
    targets += re.findall(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", text, flags=re.M)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t, flags=re.I)]


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading (what a reader of README.md follows)."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```[^\n]*$", "", page.read_text(), flags=re.M | re.S)
    return {github_slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.M)}


def test_every_relative_link_in_the_readme_resolves():
    links = relative_links(README.read_text())
    assert any(link.startswith("docs/") for link in links), links
    broken = []
    for link in links:
        path, _, fragment = link.partition("#")
        target = (README.parent / path).resolve() if path else README
        if REPO not in target.parents and target != REPO:
            broken.append(f"{link}: outside the repository")
        elif not target.exists():
            broken.append(f"{link}: no such file")
        elif fragment and target.suffix == ".md" and fragment not in anchors(target):
            broken.append(f"{link}: no heading with that anchor")
    assert broken == []


def test_readme_stays_a_short_front_page():
    lines = README.read_text().splitlines()
    assert len(lines) < MAX_README_LINES, (
        f"README.md has {len(lines)} lines; move detail into docs/ (the MkDocs site)")


def fenced_line_after(text: str, marker: str) -> str:
    """The first line inside the first fenced block after ``marker`` (what .ci/run runs)."""
    after = text.split(marker, 1)[1]
    block = re.search(r"^```[^\n]*\n(.*?)^```", after, flags=re.M | re.S)
    assert block, f"no fenced block after {marker!r}"
    lines = block.group(1).splitlines()
    assert len(lines) == 1, f"the block after {marker!r} must hold exactly one command line"
    return lines[0]


def test_readme_keeps_its_two_commands_and_the_docs_quote_them():
    readme = README.read_text()
    assert readme.count(CI_MARKER) == 1
    head = readme[:readme.index(CI_MARKER)]
    start = fenced_line_after(head, "**Install and start**")
    test = fenced_line_after(readme, CI_MARKER)
    assert "ri-emulator" in start and "pytest" in test
    assert start in (DOCS / "getting-started.md").read_text()
    assert test in (DOCS / "testing.md").read_text()
