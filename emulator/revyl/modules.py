"""Modules (``revyl module ...``): named, versioned groups of blocks that tests import with a
``module_import`` block, by ``module`` name or ``module_id``.

A test keeps the reference, not a copy: the steps a run walks are the test's blocks with every
import replaced by the module's current blocks (:meth:`Modules.steps`), worked out when the
test is stored and again for every test that imports a module whenever the module's blocks
change (update, restore). Who imports a module is read off the test blocks when asked, so it
cannot drift; a module in use cannot be deleted (409), as the CLI expects.

Every change is a new version (1, 2, ...) with the full content, so ``restore`` can bring any
of them back (as a new version). This service is also the :class:`yaml_tests.Library` the YAML
validator resolves module and script references against.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl import yaml_tests
from emulator.revyl.catalog import Catalog, TestDef, step_descriptions
from emulator.revyl.scripts import Script, Scripts, Usage, walk

BRANCHES = ("then", "else", "body", "thenChildren", "elseChildren", "children")


@dataclass
class ModuleVersion:
    """The whole content of a module as one version left it."""

    id: str
    version: int
    name: str
    description: str
    blocks: list[dict[str, Any]]
    created_at: str
    modified_by: str | None = None
    modified_by_email: str | None = None


@dataclass
class Module:
    id: str
    name: str
    description: str
    blocks: list[dict[str, Any]]
    created_at: str
    updated_at: str
    version: int = 1
    history: list[ModuleVersion] = field(default_factory=list)  # oldest first


class Modules:
    """The namespace's modules, by id (creation order kept: the list answers in it)."""

    def __init__(self, catalog: Catalog, scripts: Scripts, clock: VirtualClock,
                 ids: IdGenerator) -> None:
        self.catalog = catalog
        self.scripts = scripts
        self.clock = clock
        self.ids = ids
        self.by_id: dict[str, Module] = {}
        scripts.modules = self

    # ------------------------------------------------------------------ lookups
    def get(self, module_id: str) -> Module:
        module = self.by_id.get(module_id)
        if module is None:
            raise NotFound("Module not found")
        return module

    def named(self, name: str) -> Module | None:
        wanted = name.strip()
        return next((m for m in self.by_id.values() if m.name.strip() == wanted), None)

    def listing(self) -> list[Module]:
        return list(self.by_id.values())

    def find_module(self, name: Any, module_id: Any) -> Module | None:
        """The module a block names: by ``module_id`` first, else by ``module`` name."""
        if isinstance(module_id, str) and module_id in self.by_id:
            return self.by_id[module_id]
        if isinstance(name, str) and name.strip():
            return self.named(name)
        return None

    def find_script(self, name: Any, script_id: Any) -> Script | None:
        return self.scripts.find(name, script_id)

    def block_index(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        """(id, name, blocks) of every module: what a script's usage walks."""
        return [(m.id, m.name, m.blocks) for m in self.by_id.values()]

    # ------------------------------------------------------------------ changes
    def create(self, *, name: str, description: str | None,
               blocks: list[Any]) -> Module:
        """409 for a name another module has: tests import modules by name."""
        self._free(name)
        now = self.clock.now_iso()
        module = Module(id=self.ids.uuid(), name=name.strip(), description=description or "",
                        blocks=self._checked(blocks), created_at=now, updated_at=now)
        self._record(module)
        self.by_id[module.id] = module
        return module

    def update(self, module_id: str, changes: dict[str, Any],
               expected_version: int | None) -> Module:
        """``changes``: the fields the caller sent. 409 when ``expected_version`` is not the
        current one (someone else changed the module since the caller read it)."""
        module = self.get(module_id)
        if expected_version is not None and expected_version != module.version:
            raise Conflict(f"Module was modified: it is at version {module.version}, "
                           f"not {expected_version}")
        blocks = self._checked(changes["blocks"]) if changes.get("blocks") is not None else None
        name = changes.get("name")
        if name is not None and name.strip() != module.name:
            self._free(name)
        self._apply(module, name, changes.get("description"), blocks)
        return module

    def restore(self, module_id: str, version: int) -> Module:
        """Bring back the content of ``version`` as a new version (history is never lost)."""
        module = self.get(module_id)
        old = next((v for v in module.history if v.version == version), None)
        if old is None:
            raise NotFound(f"Version {version} of module '{module.name}' not found")
        if old.name != module.name:
            self._free(old.name)
        self._apply(module, old.name, old.description, copy.deepcopy(old.blocks))
        return module

    def delete(self, module_id: str) -> Module:
        """Refused (409) while a test imports the module: its runs would lose those steps."""
        module = self.get(module_id)
        users = self.usage(module_id).tests
        if users:
            raise Conflict(f"Module '{module.name}' is in use by "
                           f"{len(users)} test(s): " + ", ".join(n for _, n in users))
        del self.by_id[module_id]
        return module

    def usage(self, module_id: str) -> Usage:
        """The tests with a ``module_import`` block pointing at the module."""
        module = self.get(module_id)
        return Usage([(t.id, t.name) for t in self.catalog.tests.values()
                      if self._imports(t.blocks, module)], [])

    def versions(self, module_id: str, limit: int,
                 offset: int) -> tuple[Module, list[ModuleVersion], int]:
        """One page of the module's versions, newest first, and how many there are."""
        module = self.get(module_id)
        newest = module.history[::-1]
        return module, newest[offset:offset + limit], len(newest)

    # ------------------------------------------------------------------ runs
    def expand(self, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The blocks a run walks: each known import replaced by the module's blocks, and a
        script step named after its script (nothing is executed)."""
        result: list[dict[str, Any]] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "module_import":
                module = self.find_module(block.get("module"), block.get("module_id"))
                if module is not None:
                    result.extend(self.expand(module.blocks))
                    continue
            out = dict(block)
            if kind == "code_execution":
                script = self.find_script(block.get("script"), block.get("script_id")
                                          or block.get("step_description"))
                if script is not None and (not block.get("step_description")
                                           or block.get("step_description") == script.id):
                    out["step_description"] = f"Run script '{script.name}'"
            for key in BRANCHES:
                if isinstance(block.get(key), list):
                    out[key] = self.expand(block[key])
            result.append(out)
        return result

    def steps(self, blocks: list[dict[str, Any]]) -> list[str]:
        """The step list of a run of ``blocks`` (what ``TestDef.steps`` holds)."""
        return step_descriptions(self.expand(blocks))

    def script_renamed(self, script: Script) -> None:
        """Blocks naming the script by its old name (beside its id) say the new one, and the
        run steps of the tests using it (directly or through a module) are named after it."""
        owners = [m.blocks for m in self.by_id.values()] + [
            t.blocks for t in self.catalog.tests.values()]
        for block in walk([b for blocks in owners for b in blocks]):
            if block.get("script_id") == script.id and "script" in block:
                block["script"] = script.name
        for test in self.catalog.tests.values():
            if self.scripts.uses(self.expand(test.blocks), script):
                test.steps = self.steps(test.blocks)

    # ------------------------------------------------------------------ internals
    def _checked(self, blocks: list[Any]) -> list[dict[str, Any]]:
        """Valid blocks (400 listing every problem), script references resolved. A module
        imports no other module: that keeps expansion finite without cycle checks."""
        if not blocks:
            raise BadRequest("A module needs at least one block")
        report = yaml_tests.check_blocks(blocks, library=self, undefined="warning")
        problems = [f"{m.field_path or 'blocks'}: {m.code}: {m.message}"
                    for m in report.messages if m.severity == "error"]
        problems += [f"blocks: MODULE_IN_MODULE: a module cannot import module "
                     f"'{b.get('module') or b.get('module_id')}'"
                     for b in walk(report.blocks) if b.get("type") == "module_import"]
        if problems:
            raise ApiError({"message": "Invalid module blocks", "errors": problems}, 400)
        return report.blocks

    def _apply(self, module: Module, name: str | None, description: str | None,
               blocks: list[dict[str, Any]] | None) -> None:
        renamed = name is not None and name.strip() != module.name
        if name is not None:
            module.name = name.strip()
        if description is not None:
            module.description = description
        if blocks is not None:
            module.blocks = blocks
        module.version += 1
        module.updated_at = self.clock.now_iso()
        self._record(module)
        for test in self.catalog.tests.values():
            if self._imports(test.blocks, module):
                self._refresh(test, module, renamed)

    def _refresh(self, test: TestDef, module: Module, renamed: bool) -> None:
        """A test importing a changed module: its run steps again, and its import's name."""
        if renamed:
            for block in walk(test.blocks):
                if block.get("module_id") == module.id and "module" in block:
                    block["module"] = module.name
        test.steps = self.steps(test.blocks)

    def _imports(self, blocks: list[dict[str, Any]], module: Module) -> bool:
        return any(b.get("type") == "module_import" and self.find_module(
            b.get("module"), b.get("module_id")) is module for b in walk(blocks))

    def _record(self, module: Module) -> None:
        org = self.catalog.org
        module.history.append(ModuleVersion(
            id=self.ids.uuid(), version=module.version, name=module.name,
            description=module.description, blocks=copy.deepcopy(module.blocks),
            created_at=module.updated_at, modified_by=org.get("user_id"),
            modified_by_email=org.get("email")))

    def _free(self, name: str) -> None:
        if self.named(name) is not None:
            raise Conflict(f"A module named '{name.strip()}' already exists")

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"modules": [asdict(m) for m in self.by_id.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """A document from before modules were kept has none: the namespace starts empty."""
        self.by_id = {}
        for raw in data.get("modules", []):
            module = Module(**{k: v for k, v in raw.items() if k != "history"})
            module.history = [ModuleVersion(**v) for v in raw.get("history", [])]
            self.by_id[module.id] = module
        return []


# ---------------------------------------------------------------------- wire forms
def module_wire(module: Module, org_id: str) -> dict[str, Any]:
    return {"id": module.id, "name": module.name, "description": module.description,
            "blocks": module.blocks, "version": module.version,
            "created_at": module.created_at, "updated_at": module.updated_at, "org_id": org_id}


def version_wire(module: Module, version: ModuleVersion) -> dict[str, Any]:
    return {"id": version.id, "module_id": module.id, "version": version.version,
            "name": version.name, "description": version.description,
            "blocks": version.blocks, "created_at": version.created_at,
            "modified_by": version.modified_by, "modified_by_email": version.modified_by_email}


def usage_wire(usage: Usage, modules: bool) -> dict[str, Any]:
    """A module's usage lists tests (``modules=False``: a module imports no module); a
    script's lists the tests and the modules using it, ``total`` counting both."""
    body: dict[str, Any] = {"tests": [{"id": i, "name": n} for i, n in usage.tests]}
    if modules:
        body["modules"] = [{"id": i, "name": n} for i, n in usage.modules]
    body["total"] = len(usage.tests) + (len(usage.modules) if modules else 0)
    return body
