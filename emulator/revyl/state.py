"""Everything Revyl keeps for one namespace, built from the fixtures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.namespaces import Namespace
from emulator.revyl.catalog import Catalog, RevylFixtures
from emulator.revyl.executions import TestExecutions
from emulator.revyl.outcomes import OutcomeQueue


class RevylState:
    def __init__(self, ns: Namespace, fixtures: RevylFixtures) -> None:
        self.catalog = Catalog(fixtures, ns.clock.now_iso())
        self.outcomes = OutcomeQueue()
        self.tests = TestExecutions(self.catalog, ns.clock, ns.ids, self.outcomes)

    def snapshot(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for e in self.tests.by_id.values():
            by_status[e.status] = by_status.get(e.status, 0) + 1
        return {
            "tests": len(self.catalog.tests),
            "workflows": len(self.catalog.workflows),
            "apps": len(self.catalog.apps),
            "test_executions": by_status,
            "scripted_outcomes": self.outcomes.listing(),
        }

    def close(self) -> None:
        self.tests.close()


def builder(fixtures: RevylFixtures) -> Callable[[Namespace], RevylState]:
    return lambda ns: RevylState(ns, fixtures)


def revyl(ns: Namespace) -> RevylState:
    return ns.api("revyl")
