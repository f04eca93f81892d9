"""Code-execution scripts (``revyl script ...``): named snippets that ``code_execution`` blocks
of tests and modules point at, by ``script`` name or ``script_id``.

A script's code is data: the emulator stores it and hands it back, it never runs it (a
``code_execution`` step of an emulated run passes like any other step). Who uses a script is
not stored either: it is read off the test and module blocks whenever asked, so it cannot
drift from them. The modules are reached through ``modules``, which
:class:`emulator.revyl.modules.Modules` sets to itself when it is built (it checks its own
blocks' scripts here, so the two know each other).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from emulator.core.clock import VirtualClock
from emulator.core.errors import Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl.catalog import Catalog

RUNTIMES = ("python", "javascript", "typescript", "bash")
CHILD_KEYS = ("then", "else", "body", "thenChildren", "elseChildren", "children")



@dataclass
class Script:
    id: str
    name: str
    code: str
    runtime: str
    description: str | None
    created_at: str
    updated_at: str


@dataclass
class Usage:
    """Who points at a script or a module: ``(id, name)`` pairs, in definition order."""

    tests: list[tuple[str, str]]
    modules: list[tuple[str, str]]


class ModuleIndex(Protocol):
    """What scripts need of the modules: their blocks, and a word when a script is renamed."""

    def block_index(self) -> list[tuple[str, str, list[dict[str, Any]]]]: ...

    def script_renamed(self, script: Script) -> None: ...


class _NoModules:
    def block_index(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        return []

    def script_renamed(self, script: Script) -> None:
        return None


def walk(blocks: Any) -> Iterator[dict[str, Any]]:
    """Every block of a block tree, depth first, in YAML form (``then``/``else``/``body``) or
    JSON form (``thenChildren``/``elseChildren``/``children``) alike."""
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict):
            yield block
            for key in CHILD_KEYS:
                yield from walk(block.get(key))


class Scripts:
    """The namespace's scripts, by id (creation order kept: lists answer in it)."""

    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.modules: ModuleIndex = _NoModules()
        self.by_id: dict[str, Script] = {}

    # ------------------------------------------------------------------ lookups
    def get(self, script_id: str) -> Script:
        script = self.by_id.get(script_id)
        if script is None:
            raise NotFound("Script not found")
        return script

    def named(self, name: str) -> Script | None:
        wanted = name.strip()
        return next((s for s in self.by_id.values() if s.name.strip() == wanted), None)

    def find(self, name: Any = None, script_id: Any = None) -> Script | None:
        """The script a block names: by ``script_id`` first, else by ``script`` name."""
        if isinstance(script_id, str) and script_id in self.by_id:
            return self.by_id[script_id]
        if isinstance(name, str) and name.strip():
            return self.named(name)
        return None

    def listing(self, runtime: str | None, limit: int, offset: int) -> tuple[list[Script], int]:
        """One page of the scripts (``runtime`` filters, any case) and how many match."""
        matching = [s for s in self.by_id.values()
                    if not runtime or s.runtime == runtime.strip().lower()]
        return matching[offset:offset + limit], len(matching)

    # ------------------------------------------------------------------ changes
    def create(self, *, name: str, code: str, runtime: str,
               description: str | None) -> Script:
        """409 for a name another script has: blocks refer to scripts by name."""
        self._free(name)
        now = self.clock.now_iso()
        script = Script(id=self.ids.uuid(), name=name.strip(), code=code, runtime=runtime,
                        description=description, created_at=now, updated_at=now)
        self.by_id[script.id] = script
        return script

    def update(self, script_id: str, changes: dict[str, Any]) -> Script:
        """``changes``: the fields the caller sent (None values are left out by the route)."""
        script = self.get(script_id)
        renamed = changes.get("name") is not None and changes["name"].strip() != script.name
        if renamed:
            self._free(changes["name"])
            script.name = changes["name"].strip()
        for key in ("code", "runtime", "description"):
            if changes.get(key) is not None:
                setattr(script, key, changes[key])
        script.updated_at = self.clock.now_iso()
        if renamed:
            self.modules.script_renamed(script)
        return script

    def delete(self, script_id: str) -> Script:
        """Refused (409) while a test or a module uses the script: its blocks would point at
        nothing, and the next run or push of them would fail far from the cause."""
        script = self.get(script_id)
        used = self.usage(script_id)
        if used.tests or used.modules:
            names = [f"test '{n}'" for _, n in used.tests] + [
                f"module '{n}'" for _, n in used.modules]
            raise Conflict(f"Script '{script.name}' is in use by " + ", ".join(names))
        del self.by_id[script_id]
        return script

    def usage(self, script_id: str) -> Usage:
        """The tests and modules with a ``code_execution`` block pointing at the script."""
        script = self.get(script_id)
        tests = [(t.id, t.name) for t in self.catalog.tests.values()
                 if self.uses(t.blocks, script)]
        modules = [(module_id, name) for module_id, name, blocks in self.modules.block_index()
                   if self.uses(blocks, script)]
        return Usage(tests, modules)

    def uses(self, blocks: list[dict[str, Any]], script: Script) -> bool:
        return any(b.get("type") == "code_execution" and self.find(
            b.get("script"), b.get("script_id") or b.get("step_description")) is script
            for b in walk(blocks))

    def _free(self, name: str) -> None:
        if self.named(name) is not None:
            raise Conflict(f"A script named '{name.strip()}' already exists")

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"scripts": [asdict(s) for s in self.by_id.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """A document from before scripts were kept has none: the namespace starts empty."""
        self.by_id = {s["id"]: Script(**s) for s in data.get("scripts", [])}
        return []


def script_wire(script: Script) -> dict[str, Any]:
    return asdict(script)
