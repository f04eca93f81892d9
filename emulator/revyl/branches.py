"""Build branches of an app and build resolution (CLI 0.1.195: ``revyl app branch ...``,
``revyl build upload --branch``, ``revyl build list --branch``, ``POST /api/v1/apps/resolve``).

Every app has a default branch, and every build lives on one branch. An app's *first* branch,
``main``, exists without having been created: its id is derived from the app id (uuid5), so
fixture apps, apps made before branches existed and snapshots without branches all have it, no
id is drawn from the namespace's stream for it, and a build whose ``branch_id`` is None lives
on it. It is stored here only once it is renamed. Its pin *is* the app's current build
(``App.current_build_id``, what ``set_as_current`` and ``PATCH current_version`` always set),
so the old "current build" and the new "pinned build of main" cannot disagree.

A branch follows its newest build unless pinned to one; a pinned build that is later deleted
leaves the pin in place, reported as ``pinned_build_available: false`` (resolution then answers
``no_compatible_build``). Automatic Git-branch detection is off for every app: a
``git_branch_name`` alone lands on (and resolves to) the default branch, and the answers say so
(``auto_git_branch_enabled: false``, ``branch_source: default_branch``).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl.catalog import App, Build, Catalog

FIRST_BRANCH_NAME = "main"
SELECTIONS = ("latest", "latest_all_branches", "pinned", "inherit")
_FIRST_BRANCH_NS = uuid.UUID("7e5b2a00-0000-4000-8000-000000000000")


@dataclass
class Branch:
    id: str
    app_id: str
    name: str
    created_at: str
    pinned_build_id: str | None = None  # never used for the first branch (see the docstring)


@dataclass
class Resolution:
    """Which build a run of ``app`` would use, and why (``POST /api/v1/apps/resolve``)."""

    app: App
    build: Build | None
    branch: Branch | None
    status: str  # resolved | branch_has_no_builds | no_compatible_build
    source: str | None  # explicit_branch | default_branch; None for an exact or latest build
    git_branch_name: str | None = None


@functools.lru_cache(maxsize=4096)
def first_branch_id(app_id: str) -> str:
    """Derived, not drawn, so fixtures keep their ids; cached: every run start asks."""
    return str(uuid.uuid5(_FIRST_BRANCH_NS, app_id))


class BuildBranches:
    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.stored: dict[str, Branch] = {}  # by id: created branches, a renamed first one
        self.defaults: dict[str, str] = {}  # app id -> default branch id, when not the first

    # ------------------------------------------------------------------ reading
    def app(self, app_id: str) -> App:
        app = self.catalog.apps.get(app_id)
        if app is None:
            raise NotFound("App not found")
        return app

    def first(self, app: App) -> Branch:
        found = self.stored.get(first_branch_id(app.id))
        return found or Branch(first_branch_id(app.id), app.id, FIRST_BRANCH_NAME,
                               app.created_at)

    def of_app(self, app: App) -> list[Branch]:
        """The first branch, then the others in creation order."""
        first = self.first(app)
        return [first] + [b for b in self.stored.values()
                          if b.app_id == app.id and b.id != first.id]

    def listing(self, app_id: str, name: str | None = None,
                search: str | None = None) -> tuple[App, list[Branch]]:
        app = self.app(app_id)
        branches = self.of_app(app)
        if name:
            branches = [b for b in branches if b.name == name]
        if search:
            branches = [b for b in branches if search.lower() in b.name.lower()]
        return app, branches

    def get(self, app_id: str, branch_id: str) -> Branch:
        app = self.app(app_id)
        found = next((b for b in self.of_app(app) if b.id == branch_id), None)
        if found is None:
            raise NotFound("Branch not found")
        return found

    def by_name(self, app: App, name: str) -> Branch | None:
        return next((b for b in self.of_app(app) if b.name == name), None)

    def default(self, app: App) -> Branch:
        wanted = self.defaults.get(app.id)
        found = next((b for b in self.of_app(app) if b.id == wanted), None) if wanted else None
        return found or self.first(app)

    def branch_of(self, app: App, build: Build) -> Branch:
        wanted = build.branch_id or first_branch_id(app.id)
        found = next((b for b in self.of_app(app) if b.id == wanted), None)
        return found or self.first(app)

    def builds_on(self, app: App, branch: Branch) -> list[Build]:
        """Ready builds of the branch, oldest first."""
        first = first_branch_id(app.id)
        return [b for b in app.ready_builds() if (b.branch_id or first) == branch.id]

    def pinned_id(self, app: App, branch: Branch) -> str | None:
        return app.current_build_id if branch.id == first_branch_id(app.id) \
            else branch.pinned_build_id

    def pinned_build(self, app: App, branch: Branch) -> Build | None:
        wanted = self.pinned_id(app, branch)
        return next((b for b in app.ready_builds() if b.id == wanted), None) if wanted else None

    def latest(self, app: App, branch: Branch) -> Build | None:
        builds = self.builds_on(app, branch)
        return builds[-1] if builds else None

    # ------------------------------------------------------------------ changing
    def create(self, app_id: str, name: str) -> Branch:
        app = self.app(app_id)
        name = self._check_name(app, name, None)
        branch = Branch(self.ids.uuid(), app.id, name, self.clock.now_iso())
        self.stored[branch.id] = branch
        return branch

    def update(self, app_id: str, branch_id: str, changes: dict[str, Any]) -> Branch:
        """``name`` renames (the id stays); ``pinned_build_id`` pins to a ready build of the
        app (any branch's), null unpins. Only keys present in ``changes`` are applied."""
        app = self.app(app_id)
        branch = self.get(app_id, branch_id)
        if "pinned_build_id" in changes:
            pinned = changes["pinned_build_id"]
            if pinned is not None and not any(b.id == pinned for b in app.ready_builds()):
                raise NotFound("Build not found for this app")
            if branch.id == first_branch_id(app.id):
                app.current_build_id = pinned
            else:
                branch.pinned_build_id = pinned
        if changes.get("name") is not None:
            branch.name = self._check_name(app, changes["name"], branch.id)
            self.stored[branch.id] = branch  # the first branch is stored once renamed
        return branch

    def set_default(self, app_id: str, branch_id: str) -> Branch:
        branch = self.get(app_id, branch_id)
        if branch.id == first_branch_id(app_id):
            self.defaults.pop(app_id, None)
        else:
            self.defaults[app_id] = branch.id
        return branch

    def target(self, app: App, branch_id: str | None, branch_name: str | None) -> Branch:
        """Where an upload lands: the named branch (created on first use, as ``--branch``
        promises), else the default branch."""
        if branch_id:
            return self.get(app.id, branch_id)
        if branch_name and branch_name.strip():
            return self.by_name(app, branch_name.strip()) or self.create(app.id, branch_name)
        return self.default(app)

    def place(self, app: App, build: Build, branch: Branch, pin: bool) -> None:
        """Put a new build on ``branch``, pinning the branch to it when asked."""
        build.branch_id = None if branch.id == first_branch_id(app.id) else branch.id
        if pin:
            self.update(app.id, branch.id, {"pinned_build_id": build.id})

    def forget_app(self, app_id: str) -> None:
        self.stored = {k: b for k, b in self.stored.items() if b.app_id != app_id}
        self.defaults.pop(app_id, None)

    def _check_name(self, app: App, name: str, keep: str | None) -> str:
        name = name.strip()
        if not name:
            raise BadRequest("Branch name must not be empty")
        if len(name) > 200:
            raise BadRequest("Branch name must be at most 200 characters")
        if any(b.name == name and b.id != keep for b in self.of_app(app)):
            raise Conflict(f"A branch named '{name}' already exists for this app")
        return name

    # ------------------------------------------------------------------ resolution
    def resolve(self, app_id: str, *, selection: str | None = None,
                branch_id: str | None = None, branch_name: str | None = None,
                git_branch_name: str | None = None,
                pinned_build_id: str | None = None) -> Resolution:
        """``pinned``: exactly ``pinned_build_id``; ``latest_all_branches``: the app's newest
        build; ``latest``: the branch's newest build; ``inherit`` (or none): the branch's pin,
        else its newest build. The branch is the one named (``explicit_branch``), else the
        app's default (``default_branch``)."""
        app = self.app(app_id)
        if selection is not None and selection not in SELECTIONS:
            raise BadRequest(f"Invalid build_selection '{selection}': use "
                             f"{', '.join(SELECTIONS)}")
        if selection == "pinned":
            if not pinned_build_id:
                raise BadRequest("build_selection 'pinned' needs a pinned_build_id")
            build = next((b for b in app.ready_builds() if b.id == pinned_build_id), None)
            if build is None:
                raise NotFound("Build not found for this app")
            return Resolution(app, build, self.branch_of(app, build), "resolved", None)
        if selection == "latest_all_branches":
            newest = app.latest_build()
            branch = self.branch_of(app, newest) if newest else None
            return Resolution(app, newest, branch,
                              "resolved" if newest else "branch_has_no_builds", None)
        if branch_id:
            branch, source = self.get(app.id, branch_id), "explicit_branch"
        elif branch_name:
            found = self.by_name(app, branch_name)
            if found is None:
                raise NotFound(f"Branch '{branch_name}' not found")
            branch, source = found, "explicit_branch"
        else:
            branch, source = self.default(app), "default_branch"
        if selection != "latest" and self.pinned_id(app, branch):
            pinned = self.pinned_build(app, branch)
            status = "resolved" if pinned else "no_compatible_build"
            return Resolution(app, pinned, branch, status, source, git_branch_name)
        build = self.latest(app, branch)
        return Resolution(app, build, branch, "resolved" if build else "branch_has_no_builds",
                          source, git_branch_name)

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Stored branches and changed defaults; builds carry their own ``branch_id``."""
        return {"build_branches": [asdict(b) for b in self.stored.values()],
                "default_branches": dict(self.defaults)}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Documents from before branches import with none (every app has its first)."""
        self.stored = {}
        for raw in data.get("build_branches", []):
            branch = Branch(**raw)
            self.stored[branch.id] = branch
        self.defaults = dict(data.get("default_branches", {}))
        return []
