"""Revyl's state without HTTP: one registration from the bundled fixtures, shared by the
service tests (and the ``ns``/``state`` fixtures of tests/unit/conftest.py)."""

from __future__ import annotations

from emulator.core.namespaces import Namespace
from emulator.revyl.catalog import RevylFixtures
from emulator.revyl.state import registration
from emulator.settings import DEFAULT_FIXTURES, Settings

REGISTRATION = registration(RevylFixtures.load(DEFAULT_FIXTURES))


def revyl_namespace(name: str) -> Namespace:
    """A namespace with Revyl's state on a manual clock, seed 0."""
    return Namespace(name, Settings(clock="manual", seed=0), (REGISTRATION,))
