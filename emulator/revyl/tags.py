"""Tags as the org's own entities (``revyl tag ...``): a name, a colour and a description, with
the tests that carry each one.

A test keeps the *names* of its tags (``TestDef.tags``), because that is what fixtures, seeds,
YAML files and old snapshot documents hold; this service keeps the entities those names stand
for. A name no entity holds yet (a fixture's, a YAML file's) reads as a tag with a stable id
derived from the name and the default colour, and becomes a stored entity, with that same id,
when a tag write next succeeds; so ids never change under a client between two calls, and a
read or a refused write stores nothing.
Names are unique without regard to case, as the CLI resolves them (``strings.EqualFold``).
Renaming a tag renames it on every test; deleting it takes it off every test.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.namespaces import Rearm
from emulator.revyl.catalog import Catalog, TestDef

DEFAULT_COLOR = "#6366f1"


def stable_tag_id(name: str) -> str:
    """The id a tag known only by its name gets (the same formula the emulator always used,
    so tag ids of fixture tests did not change when tags became entities)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"revyl-emulator:tag:{name}"))


def clean_names(names: list[str]) -> list[str]:
    """Trimmed, blanks dropped, the first spelling of each name (any case) kept."""
    seen: dict[str, str] = {}
    for raw in names:
        name = raw.strip()
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


@dataclass
class Tag:
    id: str
    name: str
    color: str
    description: str | None


@dataclass
class TagSync:
    """One tag a sync left on a test; ``created`` when the sync made it."""

    tag: Tag
    created: bool


@dataclass
class BulkResult:
    test_id: str
    error: str | None = None


class Tags:
    """The org's tags, one namespace's."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_id: dict[str, Tag] = {}

    # ------------------------------------------------------------------ lookups
    def _by_name(self, name: str) -> Tag | None:
        key = name.casefold()
        return next((t for t in self.by_id.values() if t.name.casefold() == key), None)

    def _new_id(self, name: str) -> str:
        """Derived from the name (in any case), so a name read twice before it is stored shows
        one id; when a renamed tag holds that id already, the next free derived one (never a
        random id, which would change between two reads)."""
        key = name.casefold()
        candidate, n = stable_tag_id(key), 1
        while candidate in self.by_id:
            n += 1
            candidate = stable_tag_id(f"{key}#{n}")
        return candidate

    def lookup(self, name: str) -> Tag:
        """The entity behind a test's tag name; for a name none holds yet, the tag it will
        become (same id, default colour), without storing it."""
        found = self._by_name(name)
        if found is not None:
            return found
        return Tag(self._new_id(name), name, DEFAULT_COLOR, None)

    def of(self, test: TestDef) -> list[Tag]:
        """The tags of a test, in the order it lists them."""
        return [self.lookup(name) for name in test.tags]

    def of_test(self, test_id: str) -> list[Tag]:
        return self.of(self.catalog.test(test_id))

    def _unstored(self) -> list[Tag]:
        """The tags test names stand for that no entity holds yet (first spelling kept), as
        they will be stored: reads show them without storing anything."""
        held = {t.name.casefold() for t in self.by_id.values()}
        found: dict[str, Tag] = {}
        for test in self.catalog.tests.values():
            for name in clean_names(test.tags):
                key = name.casefold()
                if key not in held and key not in found:
                    found[key] = Tag(self._new_id(name), name, DEFAULT_COLOR, None)
        return list(found.values())

    def _materialise(self) -> None:
        """Before a write: store an entity for every tag name a test carries that none holds
        yet, and spell each test's names as their entities do."""
        for test in self.catalog.tests.values():
            names: list[str] = []
            for name in clean_names(test.tags):
                tag = self._by_name(name)
                if tag is None:
                    tag = self._store(name, DEFAULT_COLOR)
                names.append(tag.name)
            if names != test.tags:
                test.tags = names

    def _store(self, name: str, color: str | None, description: str | None = None) -> Tag:
        tag = Tag(self._new_id(name), name, color or DEFAULT_COLOR, description)
        self.by_id[tag.id] = tag
        return tag

    def get(self, tag_id: str) -> Tag:
        """A stored tag, or one a test name stands for (not stored by reading it)."""
        tag = self.by_id.get(tag_id) or next(
            (t for t in self._unstored() if t.id == tag_id), None)
        if tag is None:
            raise NotFound("Tag not found")
        return tag

    def _stored(self, tag_id: str) -> Tag:
        """For a write: the tag, stored (with every other name tests carry) once it is known
        to exist, so a refused write changes nothing."""
        self.get(tag_id)
        self._materialise()
        return self.by_id[tag_id]

    def listing(self) -> list[tuple[Tag, int]]:
        """Every tag with the number of tests carrying it, by name."""
        counts: dict[str, int] = {}
        for test in self.catalog.tests.values():
            for name in clean_names(test.tags):
                counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
        tags = sorted([*self.by_id.values(), *self._unstored()],
                      key=lambda t: (t.name.casefold(), t.name))
        return [(t, counts.get(t.name.casefold(), 0)) for t in tags]

    def count(self, tag: Tag) -> int:
        key = tag.name.casefold()
        return sum(1 for t in self.catalog.tests.values()
                   if any(n.casefold() == key for n in t.tags))

    # ------------------------------------------------------------------ org tags
    def create(self, name: str, color: str | None) -> Tag:
        """``POST /api/v1/tests/tags``: an upsert, as the CLI documents (``revyl tag create``
        returns the tag of that name when there is one, unchanged)."""
        name = _required(name)
        self._materialise()
        return self._by_name(name) or self._store(name, color)

    def update(self, tag_id: str, name: str | None, color: str | None,
               description: str | None) -> Tag:
        """Rename (on every test too), recolour or describe a tag; a name another tag has is
        a 409."""
        tag = self.get(tag_id)
        if name is not None:
            name = _required(name)
            other = self._by_name(name) or next(
                (t for t in self._unstored() if t.name.casefold() == name.casefold()), None)
            if other is not None and other.id != tag.id:
                raise Conflict(f"A tag named '{other.name}' already exists")
        tag = self._stored(tag_id)
        if name is not None:
            old = tag.name.casefold()
            for test in self.catalog.tests.values():
                test.tags = [name if n.casefold() == old else n for n in test.tags]
            tag.name = name
        if color is not None:
            tag.color = color
        if description is not None:
            tag.description = description
        return tag

    def delete(self, tag_id: str) -> Tag:
        """Forget a tag and take it off every test."""
        tag = self._stored(tag_id)
        key = tag.name.casefold()
        for test in self.catalog.tests.values():
            if any(n.casefold() == key for n in test.tags):
                test.tags = [n for n in test.tags if n.casefold() != key]
        del self.by_id[tag.id]
        return tag

    # ------------------------------------------------------------------ tags of tests
    def _ensure(self, name: str) -> TagSync:
        found = self._by_name(name)
        if found is not None:
            return TagSync(found, False)
        return TagSync(self._store(name, DEFAULT_COLOR), True)

    def sync(self, test_id: str, names: list[str]) -> tuple[TestDef, list[TagSync]]:
        """Replace a test's tags with ``names`` (unknown names are created)."""
        test = self.catalog.test(test_id)
        self._materialise()
        synced = [self._ensure(name) for name in clean_names(names)]
        test.tags = [s.tag.name for s in synced]
        return test, synced

    def bulk_sync(self, test_ids: list[str], add: list[str],
                  remove: list[str]) -> list[BulkResult]:
        """Add and remove tags on several tests; an unknown test is a failed item, not an
        error of the call. Removing a tag a test does not carry is no error."""
        self._materialise()
        gone = {n.casefold() for n in clean_names(remove)}
        results = []
        for test_id in test_ids:
            test = self.catalog.tests.get(test_id)
            if test is None:
                results.append(BulkResult(test_id, "Test not found"))
                continue
            added = [self._ensure(name).tag.name for name in clean_names(add)]
            kept = [n for n in test.tags if n.casefold() not in gone]
            kept += [n for n in added if n.casefold() not in gone
                     and n.casefold() not in {k.casefold() for k in kept}]
            test.tags = kept
            results.append(BulkResult(test_id))
        return results

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """The stored entities; names only tests carry come back the same from the tests."""
        return {"tags": [asdict(t) for t in self.by_id.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Documents from before tags were entities have no ``tags``: none stored."""
        self.by_id = {t["id"]: Tag(**t) for t in data.get("tags", [])}
        return []


def _required(name: str) -> str:
    name = name.strip()
    if not name:
        raise BadRequest("Tag name must not be empty")
    return name
