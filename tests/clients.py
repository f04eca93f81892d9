"""Tools and clients the suite drives but does not install (``.ci/run`` installs them)."""

from __future__ import annotations

import os

import pytest


def require_client(what: str, found: str | None, how: str, key: str) -> str:
    """``found`` or skip; fail instead when ``EMULATOR_REQUIRE_CLIENTS`` names ``key``
    (a comma-separated list, or ``1`` for every client), so CI cannot go green by skipping
    what it can run."""
    if found:
        return found
    message = f"{what} is not available ({how})"
    required = os.environ.get("EMULATOR_REQUIRE_CLIENTS", "")
    if required == "1" or key in required.split(","):
        pytest.fail(message + f" and EMULATOR_REQUIRE_CLIENTS names {key!r}")
    pytest.skip(message)
