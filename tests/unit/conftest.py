"""A Revyl namespace built without HTTP, for the service tests: ``ns`` and its ``state``. A
module sets ``NAMESPACE`` to name its namespace (the seeded ids derive from the name)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.core.namespaces import Namespace
from emulator.revyl.state import RevylState
from tests.unit.revyl_world import revyl_namespace


@pytest.fixture
def ns(request: pytest.FixtureRequest) -> Iterator[Namespace]:
    namespace = revyl_namespace(getattr(request.module, "NAMESPACE", "unit"))
    yield namespace
    namespace.clock.cancel_all()


@pytest.fixture
def state(ns: Namespace) -> RevylState:
    return ns.state(RevylState)
