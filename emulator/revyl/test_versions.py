"""The saved versions of each test definition (``revyl test versions`` / ``restore``).

Every change that bumps a test's ``version`` (create, the CLI's update, a from-YAML upsert, a
restore) records the test's tasks as that version, with who made it and when. Restoring an
old version does not rewind the counter: it copies that version's tasks into a *new* version,
as a version-control system would, so nothing recorded is ever lost.

Tests this service never saw change (fixture and seeded tests, tests of snapshot documents
from before versions were kept) read as one version: the one they are at now. Records are
trusted only while they end at the test's current version; a seed that replaced a test under
the same id leaves records that do not, and those are dropped.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import NotFound
from emulator.core.namespaces import Rearm
from emulator.revyl.catalog import Catalog, TestDef


@dataclass
class TestVersion:
    __test__ = False  # not a pytest class, despite the name
    id: str
    test_id: str
    version: int
    tasks: list[dict[str, Any]]
    created_at: str
    modified_by: str | None
    modified_by_email: str | None
    restored_from: int | None = None


def version_id(test_id: str, version: int) -> str:
    """Version ids are derived, not drawn from the id stream: recording versions leaves the
    ids of everything else a seeded namespace makes as they were."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"revyl-emulator:test-version:{test_id}:{version}"))


class TestVersions:
    __test__ = False  # not a pytest class, despite the name

    def __init__(self, catalog: Catalog, clock: VirtualClock) -> None:
        self.catalog = catalog
        self.clock = clock
        self.by_test: dict[str, list[TestVersion]] = {}

    def _make(self, test: TestDef, created_at: str,
              restored_from: int | None = None) -> TestVersion:
        org = self.catalog.org
        return TestVersion(version_id(test.id, test.version), test.id, test.version,
                           copy.deepcopy(test.blocks), created_at, org.get("user_id"),
                           org.get("email"), restored_from)

    def _records(self, test: TestDef, keep: bool) -> list[TestVersion]:
        records = self.by_test.get(test.id, [])
        if not records or records[-1].version != test.version:
            records = [self._make(test, test.created_at)]
            if keep:
                self.by_test[test.id] = records
        return records

    def before_change(self, test: TestDef) -> None:
        """Put the version about to be replaced on record, if it is not yet."""
        self._records(test, keep=True)

    def record(self, test: TestDef, restored_from: int | None = None) -> TestVersion:
        """The test as it is now, as its current version."""
        made = self._make(test, self.clock.now_iso(), restored_from)
        records = self.by_test.setdefault(test.id, [])
        records[:] = [r for r in records if r.version < test.version] + [made]
        return made

    def history(self, test_id: str) -> list[TestVersion]:
        """Newest first."""
        return list(reversed(self._records(self.catalog.test(test_id), keep=False)))

    def version(self, test: TestDef, number: int) -> TestVersion:
        found = next((r for r in self._records(test, keep=False) if r.version == number), None)
        if found is None:
            raise NotFound(f"Version {number} of test {test.id} not found")
        return found

    def forget(self, test_id: str) -> None:
        self.by_test.pop(test_id, None)

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"test_versions": [asdict(r) for records in self.by_test.values()
                                  for r in records]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Documents from before versions were kept have no ``test_versions``: none."""
        self.by_test = {}
        for raw in data.get("test_versions", []):
            record = TestVersion(**raw)
            self.by_test.setdefault(record.test_id, []).append(record)
        return []
