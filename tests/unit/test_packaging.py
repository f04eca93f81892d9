"""What a user's `pip install` and `docker build .` depend on, checked from the checkout's
files (the installed-wheel and image tests exercise them for real, but take minutes)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import emulator

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_distribution_and_command_names_are_free_of_collisions():
    project = PYPROJECT["project"]
    assert project["name"] == "revyl-interactly-emulator"  # PyPI's "emulator" is taken
    assert "emulator" not in project["scripts"]  # the Android SDK's binary
    assert project["scripts"]["ri-emulator"] == "emulator.__main__:main"
    assert PYPROJECT["project"]["entry-points"]["pytest11"] == {
        "emulator": "emulator.pytest_plugin"}


def test_one_version_source():
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "emulator/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+", emulator.__version__)
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## [{emulator.__version__}]" in changelog  # every release has its entry


def test_the_wheel_maps_the_fixtures_into_the_package():
    wheel = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"] == {"fixtures": "emulator/fixtures"}
    assert (REPO / "fixtures" / "revyl.json").is_file()
    assert (REPO / "emulator" / "py.typed").is_file()


def test_dockerfile_builds_on_a_public_base_by_default():
    dockerfile = (REPO / "Dockerfile").read_text()
    base = re.search(r"^ARG BASE=(\S+)$", dockerfile, re.M)
    assert base and re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base.group(1)), base
    assert "localhost/" not in base.group(1)
    assert 'CMD ["ri-emulator"]' in dockerfile
    assert "EMULATOR_FIXTURES=" not in dockerfile  # the wheel carries the seed data
    # The offline build keeps its own base through --build-arg.
    script = (REPO / "scripts" / "build-image.sh").read_text()
    assert '--build-arg "BASE=$BASE_IMAGE"' in script


def test_docker_context_keeps_what_the_build_backend_reads():
    ignored = {line.strip().rstrip("/") for line in
               (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    for needed in ("pyproject.toml", "README.md", "emulator", "fixtures"):
        assert needed not in ignored, needed
