"""Creating and updating test definitions (from YAML, from blocks, from the CLI's create
call), so that a created test is at once visible to lookups and runnable by executions."""

from __future__ import annotations

from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.revyl import yaml_tests
from emulator.revyl.catalog import Catalog, TestDef, step_descriptions


class TestDefinitions:
    __test__ = False  # not a pytest class, despite the name

    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids

    def by_name(self, name: str) -> TestDef | None:
        return next((t for t in self.catalog.tests.values() if t.name == name), None)

    def resolve_app(self, app_id: str | None = None, app_name: str | None = None) -> str | None:
        if app_id:
            if app_id not in self.catalog.apps:
                raise NotFound("App not found")
            return app_id
        if app_name:
            app = next((a for a in self.catalog.apps.values()
                        if a.name.lower() == app_name.lower()), None)
            if app is None:
                raise NotFound(f"App '{app_name}' not found: create it or fix test.build.name")
            return app.id
        return None

    def platform_for(self, platform: str | None, app_id: str | None) -> str:
        if platform:
            value = str(platform).lower()
            if value not in yaml_tests.PLATFORMS:
                raise BadRequest(f"Invalid platform '{platform}': use ios or android")
            return value
        if app_id:
            return self.catalog.apps[app_id].platform.lower()
        raise BadRequest("platform is required when no app is given")

    def create(self, *, name: str, platform: str, blocks: list[dict[str, Any]],
               app_id: str | None, description: str = "", tags: list[str] | None = None,
               variables: dict[str, str] | None = None) -> TestDef:
        if not name.strip():
            raise BadRequest("Test name must not be empty")
        if self.by_name(name) is not None:
            raise Conflict(f"A test named '{name}' already exists")
        if not blocks:
            raise BadRequest("A test needs at least one block")
        test = TestDef(id=self.ids.uuid(), name=name, platform=platform, app_id=app_id,
                       description=description, tags=list(tags or []), blocks=blocks,
                       variables=dict(variables or {}), step_seconds=3.0,
                       timeout_seconds=600.0, created_at=self.clock.now_iso())
        self.catalog.tests[test.id] = test
        return test

    def update(self, test_id: str, changes: dict[str, Any],
               expected_version: int | None) -> TestDef:
        test = self.catalog.test(test_id)
        if expected_version is not None and expected_version != test.version:
            raise Conflict(f"Version conflict: the test is at version {test.version}, "
                           f"not {expected_version}")
        if changes.get("name") and changes["name"] != test.name:
            if self.by_name(changes["name"]) is not None:
                raise Conflict(f"A test named '{changes['name']}' already exists")
            test.name = changes["name"]
        if changes.get("blocks") is not None:
            if not changes["blocks"]:
                raise BadRequest("A test needs at least one block")
            test.blocks = changes["blocks"]
            test.steps = step_descriptions(test.blocks)
        for key in ("description", "app_id", "platform", "tags", "variables"):
            if changes.get(key) is not None:
                setattr(test, key, changes[key])
        test.version += 1
        return test

    def upsert(self, *, name: str, platform: str, blocks: list[dict[str, Any]],
               app_id: str | None, description: str, tags: list[str],
               variables: dict[str, str]) -> tuple[TestDef, bool]:
        existing = self.by_name(name)
        if existing is None:
            return self.create(name=name, platform=platform, blocks=blocks, app_id=app_id,
                               description=description, tags=tags, variables=variables), True
        changes = {"blocks": blocks, "platform": platform, "app_id": app_id,
                   "description": description, "tags": tags, "variables": variables}
        return self.update(existing.id, changes, None), False
