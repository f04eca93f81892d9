"""Creating, updating, duplicating, restoring and deleting test definitions (from YAML, from
blocks, from the CLI's calls), so that a created test is at once visible to lookups and
runnable by executions, and every version change is on record (emulator/revyl/test_versions.py);
and what ``revyl test create/push`` edits around one (tags, variables, device target).

From YAML and from blocks, bad input is no error status: the real API answers 200 with
``success: false`` and the reasons, so those calls return an :class:`Authored` either way. The
CLI's create and update calls answer a 400 instead.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.revyl import yaml_tests
from emulator.revyl.catalog import Catalog, TestDef, step_descriptions
from emulator.revyl.tags import Tags
from emulator.revyl.test_versions import TestVersions


@dataclass
class Authored:
    """What a from-YAML or from-blocks call made: the test and the ids generated for its JSON
    blocks, or (``test`` None) the reasons it made nothing. ``metadata``: the test's metadata
    as from-YAML read it (overrides applied)."""

    errors: list[str]
    test: TestDef | None = None
    block_ids: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Converted:
    """YAML converted to JSON blocks (``blocks`` None and ``errors`` when it is invalid)."""

    errors: list[str]
    blocks: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def error_lines(report: yaml_tests.Report) -> list[str]:
    """A validation report's errors as the one-line strings the wire's ``errors`` lists hold."""
    return [f"{m.field_path or 'yaml'}: {m.code}: {m.message}" + (
        f" (line {m.line})" if m.line else "") for m in report.messages if m.severity == "error"]


def yaml_tags(value: Any) -> list[str] | None:
    """``test.metadata.tags`` as the strings the wire promises (spec §10.1), or None when a tag
    is a mapping or a list. A bare tag counts as a list of one (it used to be split into its
    letters); numbers are taken as text and empty items dropped."""
    items = value if isinstance(value, list) else [value] if value else []
    if any(isinstance(item, dict | list) for item in items):
        return None
    return [item if isinstance(item, str) else str(item) for item in items if item is not None]


def all_ids(blocks: list[dict[str, Any]]) -> list[str]:
    """Every block id of a JSON block tree, depth first."""
    ids = []
    for block in blocks:
        ids.append(block["id"])
        for key in ("thenChildren", "elseChildren", "children"):
            ids.extend(all_ids(block.get(key) or []))
    return ids


def invalid_blocks(report: yaml_tests.Report) -> ApiError:
    return ApiError({"message": "Invalid test blocks", "errors": error_lines(report)}, 400)


def version_conflict(test: TestDef, expected: int) -> Conflict:
    """The 409 the CLI tells apart from other conflicts by ``detail.error`` (``revyl test
    push`` then offers ``--force``, which resends without ``expected_version``)."""
    return Conflict({"error": "version_conflict",
                     "message": f"Version conflict: the test is at version {test.version}, "
                                f"not {expected}",
                     "current_version": test.version, "expected_version": expected})


@dataclass
class Duplicated:
    """A copy :meth:`TestDefinitions.duplicate` made, and what it carried over."""

    test: TestDef
    tags_copied: int
    variables_copied: int


class TestDefinitions:
    __test__ = False  # not a pytest class, despite the name
    stateless = ("keeps no records: the definitions it edits are the catalog's, their "
                 "versions TestVersions', their tags Tags'")

    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 versions: TestVersions, tags: Tags,
                 library: yaml_tests.Library | None = None) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.versions = versions
        self.tags = tags
        self.library = library  # the org's modules and scripts (emulator/revyl/modules.py)

    def _steps(self, blocks: list[dict[str, Any]]) -> list[str]:
        """What a run walks: module imports expanded into the modules' blocks."""
        return self.library.steps(blocks) if self.library else step_descriptions(blocks)

    def by_name(self, name: str) -> TestDef | None:
        return next((t for t in self.catalog.tests.values() if t.name == name), None)

    def query(self, search: str | None = None, platform: str | None = None,
              app_id: str | None = None, sort_by: str | None = None,
              sort_dir: str = "asc") -> list[TestDef]:
        """``get_tests``' filters: ``search`` in the name or id (any case), platform (any
        case), app; sorted by ``sort_by`` (name, platform, created_at, updated_at: when its
        latest version was saved) or in definition order."""
        needle = (search or "").casefold()
        found = [t for t in self.catalog.tests.values()
                 if (not needle or needle in t.name.casefold() or needle in t.id.casefold())
                 and (not platform or t.platform == platform.lower())
                 and (not app_id or t.app_id == app_id)]
        keys: dict[str, Any] = {
            "name": lambda t: (t.name.casefold(), t.name),
            "platform": lambda t: (t.platform, t.name.casefold()),
            "created_at": lambda t: t.created_at,
            "updated_at": lambda t: self.versions.history(t.id)[0].created_at,
        }
        if sort_by in keys:
            found.sort(key=keys[sort_by], reverse=sort_dir == "desc")
        elif sort_dir == "desc":
            found.reverse()
        return found

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
                       timeout_seconds=600.0, created_at=self.clock.now_iso(),
                       steps=self._steps(blocks))
        self.catalog.tests[test.id] = test
        self.versions.record(test)
        return test

    def update(self, test_id: str, changes: dict[str, Any],
               expected_version: int | None) -> TestDef:
        test = self.catalog.test(test_id)
        if expected_version is not None and expected_version != test.version:
            raise version_conflict(test, expected_version)
        if changes.get("name") and changes["name"] != test.name \
                and self.by_name(changes["name"]) is not None:
            raise Conflict(f"A test named '{changes['name']}' already exists")
        if changes.get("blocks") is not None and not changes["blocks"]:
            raise BadRequest("A test needs at least one block")
        self.versions.before_change(test)
        if changes.get("name"):
            test.name = changes["name"]
        if changes.get("blocks") is not None:
            test.blocks = changes["blocks"]
            test.steps = self._steps(test.blocks)
        for key in ("description", "app_id", "platform", "tags", "variables"):
            if changes.get(key) is not None:
                setattr(test, key, changes[key])
        test.version += 1
        self.versions.record(test)
        return test

    def restore_version(self, test_id: str, number: int) -> TestDef:
        """``POST /api/v1/tests/{id}/restore``: the tasks of version ``number`` become a new
        version (the counter never goes back; the versions in between stay on record)."""
        test = self.catalog.test(test_id)
        old = self.versions.version(test, number)
        self.versions.before_change(test)
        test.blocks = copy.deepcopy(old.tasks)
        test.steps = self._steps(test.blocks)
        test.version += 1
        self.versions.record(test, restored_from=number)
        return test

    def duplicate(self, test_id: str, new_name: str, *, copy_variables: bool = True,
                  new_app_id: str | None = None,
                  target_platform: str | None = None) -> Duplicated:
        """``POST /api/v1/tests/duplicate``: a new test (version 1) with the original's tasks,
        tags, and (unless told not to) variables. No name: "<name> (copy)", numbered when that
        is taken; a name another test has is a 409. Another platform without ``new_app_id``
        drops the app (it is the other platform's); an app of the wrong platform is a 400."""
        source = self.catalog.test(test_id)
        platform = self.platform_for(target_platform, None) if target_platform \
            else source.platform
        app_id = self.resolve_app(new_app_id)
        if app_id is not None:
            app_platform = self.catalog.apps[app_id].platform.lower()
            if target_platform and app_platform != platform:
                raise BadRequest(f"App {app_id} is a {app_platform} app, not {platform}")
            platform = app_platform
        elif platform == source.platform:
            app_id = source.app_id
        name = new_name.strip() or self._copy_name(source.name)
        variables = dict(source.variables) if copy_variables else {}
        test = self.create(name=name, platform=platform, blocks=copy.deepcopy(source.blocks),
                           app_id=app_id, description=source.description,
                           tags=list(source.tags), variables=variables)
        test.step_seconds, test.timeout_seconds = source.step_seconds, source.timeout_seconds
        if platform == source.platform:
            test.device = dict(source.device)
        return Duplicated(test, len(test.tags), len(variables))

    def _copy_name(self, name: str) -> str:
        candidate, n = f"{name} (copy)", 1
        while self.by_name(candidate) is not None:
            n += 1
            candidate = f"{name} (copy {n})"
        return candidate

    def delete(self, test_id: str) -> TestDef:
        """``DELETE /api/v1/tests/delete/{id}``: the catalog forgets the test (and takes it
        out of workflows); its versions go with it."""
        test = self.catalog.delete_test(test_id)
        self.versions.forget(test_id)
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

    # ------------------------------------------------------------------ YAML and blocks
    def from_yaml(self, yaml_content: str, overrides: dict[str, Any] | None) -> Authored:
        """Create the test a YAML document describes, or update the one of the same name."""
        report = yaml_tests.validate(yaml_content, library=self.library)
        if not report.valid:
            return Authored(error_lines(report))
        test = report.data["test"]
        meta = {**test.get("metadata", {}), **(overrides or {})}
        tags = yaml_tags(meta.get("tags"))
        if tags is None:
            return Authored(["test.metadata.tags: INVALID_FIELD_TYPE: each tag must be a string"],
                            metadata=meta)
        try:
            app_id = self.resolve_app(meta.get("app_id"), test["build"]["name"])
            platform = self.platform_for(meta.get("platform"), app_id)
            created, _ = self.upsert(name=str(meta["name"]), platform=platform,
                                     blocks=report.blocks, app_id=app_id,
                                     description=str(meta.get("description") or ""),
                                     tags=tags,
                                     variables={str(k): str(v) for k, v in
                                                (test.get("variables") or {}).items()})
        except ApiError as exc:
            return Authored([str(exc.detail)], metadata=meta)
        return Authored([], created, self._block_ids(created), meta)

    def from_blocks(self, blocks: list[Any], metadata: dict[str, Any]) -> Authored:
        """Create a test from JSON blocks (``metadata``: name, platform, app_id or app_name,
        description)."""
        report = yaml_tests.check_blocks(blocks, library=self.library)
        if not report.valid:
            return Authored(error_lines(report))
        try:
            app_id = self.resolve_app(metadata.get("app_id"), metadata.get("app_name"))
            platform = self.platform_for(metadata.get("platform"), app_id)
            created = self.create(name=str(metadata.get("name") or ""), platform=platform,
                                  blocks=report.blocks, app_id=app_id,
                                  description=str(metadata.get("description") or ""))
        except ApiError as exc:
            return Authored([str(exc.detail)])
        return Authored([], created, self._block_ids(created))

    def _block_ids(self, test: TestDef) -> list[str]:
        """Fresh ids for the test's blocks in JSON form, from the namespace's id stream (so
        they are reproducible under a seed)."""
        return all_ids(yaml_tests.to_json_blocks(test.blocks, self.ids.uuid))

    def yaml_to_blocks(self, yaml_content: str) -> Converted:
        """Convert without storing; the blocks get fresh ids from the namespace's stream."""
        report = yaml_tests.validate(yaml_content, library=self.library)
        if not report.valid:
            return Converted(error_lines(report))
        test = report.data["test"]
        metadata = {**(test.get("metadata") or {}), "build": test.get("build")}
        return Converted([], yaml_tests.to_json_blocks(report.blocks, self.ids.uuid), metadata)

    # ------------------------------------------------------------------ the CLI's create/update
    def create_from_tasks(self, *, name: str, platform: str, tasks: list[Any],
                          app_id: str | None, description: str | None,
                          tags: list[str] | None) -> TestDef:
        """``POST /api/v1/tests/create``: invalid blocks are a 400 listing every problem."""
        report = yaml_tests.check_blocks(tasks, library=self.library)
        if not report.valid:
            raise invalid_blocks(report)
        app_id = self.resolve_app(app_id)
        return self.create(name=name, platform=self.platform_for(platform, app_id),
                           blocks=report.blocks, app_id=app_id, description=description or "",
                           tags=tags)

    def update_from_tasks(self, test_id: str, changes: dict[str, Any], tasks: list[Any] | None,
                          expected_version: int | None) -> TestDef:
        """``PUT /api/v1/tests/update/{id}``: ``changes`` are the fields the caller set
        (``tasks`` apart, checked as blocks first); a named app must exist."""
        changes = dict(changes)
        if tasks is not None:
            report = yaml_tests.check_blocks(tasks, library=self.library)
            if not report.valid:
                raise invalid_blocks(report)
            changes["blocks"] = report.blocks
        if changes.get("app_id") is not None:
            self.resolve_app(changes["app_id"])
        return self.update(test_id, changes, expected_version)

    # ------------------------------------------------------------------ around a definition
    def sync_tags(self, test_id: str, names: list[str]) -> TestDef:
        """Replace the test's tags (trimmed, blanks dropped, first spelling kept), through the
        org's tag store, which creates the unknown names."""
        test, _ = self.tags.sync(test_id, names)
        return test

    def set_device_target(self, test_id: str, target: dict[str, Any]) -> TestDef:
        test = self.catalog.test(test_id)
        test.device = target
        return test
