"""Shared test wiring: async tests run on asyncio through anyio's pytest plugin, and every
emulator the suite builds or starts runs with ``--strict`` (each response held against its
route's declared model), so drift from the published contract fails a test."""

from __future__ import annotations

import os

import pytest

# Set before any Settings() is built; live servers inherit it through the environment.
# EMULATOR_STRICT=0 in the calling environment turns it off (to compare the default path).
os.environ.setdefault("EMULATOR_STRICT", "1")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

