"""Apps (seed: "build variables") and their builds (seed: "versions"), with real uploads.

Three upload flows end in the same place, a ready :class:`Build` holding the bytes:

- stream upload: one multipart request carries the file;
- presigned session (CLI): ``upload-session`` hands out a URL, the client PUTs the bytes
  there, then ``POST .../builds`` with the ``upload_id`` creates the build;
- presigned legacy (Action, CLI fallback): ``upload-url`` creates a *pending* build at once,
  the client PUTs, ``extract-package-id`` and ``complete-upload`` finish it.

Presigned URLs point back at the emulator (``/_emulator/uploads/{namespace}/{upload_id}``) and
carry the namespace key in the path, because the PUT has no Authorization header.

A fourth way in, ``from-url``, downloads the artifact from loopback or allow-listed hosts; for
any other host it stores a deterministic placeholder (``EMULATOR_FROM_URL=offline``, the
default) or refuses with a 502 (``strict``), see emulator/revyl/downloads.py. A fifth,
``builds/external``, registers a Web app's deployment URL (no bytes). Large CLI uploads arrive
in parts (emulator/revyl/multipart.py) and end as a staged presigned upload here.

Every build lands on a branch of its app (emulator/revyl/branches.py): the one the upload
names, else the app's default; ``pin`` pins that branch to the new build.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TypeVar

from emulator.core.clock import VirtualClock
from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge
from emulator.core.ids import IdGenerator
from emulator.core.loopback import allowed_url, host_of
from emulator.core.namespaces import Rearm
from emulator.revyl import artifacts, records
from emulator.revyl.branches import Branch, BuildBranches
from emulator.revyl.catalog import App, Build, Catalog
from emulator.revyl.downloads import (
    FAIL_HOST,
    DownloadFailed,
    DownloadTimedOut,
    DownloadTooLarge,
    download,
    placeholder,
)

UPLOAD_TTL_SECONDS = 3600.0
PLATFORMS = {"android": "Android", "ios": "iOS", "web": "Web"}


@dataclass
class PendingUpload:
    id: str  # a uuid: the CLI decodes upload_id as one
    app_id: str
    version: str
    file_name: str
    content_type: str
    expires_at: float
    build_id: str | None = None  # legacy flow: the pending build row
    data: bytes | None = None
    branch_id: str | None = None  # where the build lands (None: the default at the end)


class DownloadRefused(ApiError):
    """A from-url artifact that could not be fetched. Spec §9.2: a 502, part of the contract
    rather than an emulator failure (offline, any host but loopback or the allow-list is one)."""

    status_code = 502


def normalise_platform(value: str) -> str:
    platform = PLATFORMS.get(value.strip().lower())
    if platform is None:
        raise BadRequest(f"Invalid platform '{value}': use iOS, Android or Web")
    return platform


def page_of(items: list[Any], page: int, page_size: int) -> tuple[list[Any], dict[str, Any]]:
    total = len(items)
    pages = max(1, math.ceil(total / page_size)) if total else 0
    chunk = items[(page - 1) * page_size: page * page_size]
    return chunk, {"total": total, "page": page, "page_size": page_size, "total_pages": pages,
                   "has_next": page < pages, "has_previous": page > 1}


class Builds:
    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 namespace_key: str, branches: BuildBranches) -> None:
        self.catalog = catalog
        self.branches = branches
        self.clock = clock
        self.ids = ids
        self.namespace_key = namespace_key
        self.uploads: dict[str, PendingUpload] = {}

    # ------------------------------------------------------------------ apps
    def app(self, app_id: str) -> App:
        app = self.catalog.apps.get(app_id)
        if app is None:
            raise NotFound("App not found")  # the CLI matches this text to tell apart old APIs
        return app

    def list_apps(self, platform: str | None = None, search: str | None = None) -> list[App]:
        apps = list(self.catalog.apps.values())
        if platform:
            wanted = normalise_platform(platform)
            apps = [a for a in apps if a.platform == wanted]
        if search:
            apps = [a for a in apps if search.lower() in a.name.lower()]
        return apps

    def create_app(self, name: str, platform: str, description: str | None) -> App:
        name = name.strip()
        if not name:
            raise BadRequest("App name must not be empty")
        if any(a.name.lower() == name.lower() for a in self.catalog.apps.values()):
            raise Conflict(f"An app named '{name}' already exists")
        app = App(self.ids.uuid(), name, normalise_platform(platform), description,
                  self.clock.now_iso())
        self.catalog.apps[app.id] = app
        return app

    def update_app(self, app_id: str, changes: dict[str, Any]) -> App:
        app = self.app(app_id)
        if "name" in changes and changes["name"] is not None:
            name = changes["name"].strip()
            if not name:
                raise BadRequest("App name must not be empty")
            if any(a.name.lower() == name.lower() and a.id != app.id
                   for a in self.catalog.apps.values()):
                raise Conflict(f"An app named '{name}' already exists")
            app.name = name
        if changes.get("current_version") is not None:
            build = self._by_version(app, changes["current_version"])
            if build is None:
                raise NotFound(f"Version '{changes['current_version']}' not found")
            app.current_build_id = build.id
        for key in ("description", "system_prompt", "static_url"):
            if key in changes:
                setattr(app, key, changes[key])
        if changes.get("default_branch_id") is not None:
            self.branches.set_default(app.id, changes["default_branch_id"])
        return app

    def delete_app(self, app_id: str) -> int:
        """Delete an app and its builds; tests that used it are detached. Returns how many."""
        app = self.app(app_id)
        del self.catalog.apps[app.id]
        self.branches.forget_app(app.id)
        for token in [t for t, u in self.uploads.items() if u.app_id == app.id]:
            del self.uploads[token]
        detached = 0
        for test in self.catalog.tests.values():
            if test.app_id == app.id:
                test.app_id = None
                detached += 1
        return detached

    # ------------------------------------------------------------------ builds
    def build(self, build_id: str) -> tuple[App, Build]:
        for app in self.catalog.apps.values():
            for build in app.builds:
                if build.id == build_id:
                    return app, build
        raise NotFound("Build version not found")

    def list_builds(self, app_id: str, search: str | None = None, *,
                    branch_id: str | None = None, branch_name: str | None = None,
                    exact_version: str | None = None) -> list[Build]:
        """Ready builds, newest first; a branch filter naming no branch of the app lists
        nothing (the CLI then looks the name up as a Git branch)."""
        app = self.app(app_id)
        builds = list(reversed(app.ready_builds()))
        if branch_id or branch_name:
            branch = next((b for b in self.branches.of_app(app)
                           if b.id == branch_id or (not branch_id and b.name == branch_name)),
                          None)
            wanted = branch.id if branch is not None else None
            builds = [b for b in builds if self.branches.branch_of(app, b).id == wanted]
        if exact_version is not None:
            builds = [b for b in builds if b.version == exact_version]
        if search:
            builds = [b for b in builds if search.lower() in b.version.lower()]
        return builds

    def update_build(self, build_id: str, changes: dict[str, Any]) -> Build:
        app, build = self.build(build_id)
        if changes.get("version") is not None and changes["version"] != build.version:
            self._check_new_version(app, changes["version"])
            build.version = changes["version"]
        if changes.get("metadata") is not None:
            build.metadata = {**build.metadata, **changes["metadata"]}
        if changes.get("package_name") is not None:
            build.package_name = changes["package_name"]
        return build

    def delete_build(self, build_id: str) -> Build:
        app, build = self.build(build_id)
        app.builds.remove(build)
        if app.current_build_id == build.id:
            app.current_build_id = None
        return build

    def store(self, app_id: str, version: str, file_name: str, data: bytes,
              metadata: dict[str, Any] | None = None, set_as_current: bool = False,
              content_type: str | None = None, *, branch_id: str | None = None,
              branch_name: str | None = None, pin: bool = False) -> Build:
        """Create a ready build from bytes in hand (stream upload, from-url, session) on the
        branch named (created on first use), else the app's default branch."""
        app = self.app(app_id)
        self._check_new_version(app, version)
        artifacts.check_file_name(file_name)
        branch = self.branches.target(app, branch_id, branch_name)
        build = Build(id=self.ids.uuid(), app_id=app.id, version=version, file_name=file_name,
                      uploaded_at=self.clock.now_iso(),
                      content_type=content_type or artifacts.content_type_for(file_name))
        self._fill(app, build, data, metadata or {})
        app.builds.append(build)
        self._settle(app, build, branch, set_as_current, pin)
        return build

    def _settle(self, app: App, build: Build, branch: Branch, set_as_current: bool,
                pin: bool) -> None:
        """A finished build's place: its branch (pinned to it on ``pin``) and, on
        ``set_as_current``, the app's current build (the pin of its first branch)."""
        self.branches.place(app, build, branch, pin)
        if set_as_current:
            app.current_build_id = build.id

    def existing(self, app_id: str, version: str) -> Build | None:
        return self._by_version(self.app(app_id), version)

    def store_upload(self, app_id: str, version: str, file_name: str | None, data: bytes,
                     set_as_current: bool) -> Build:
        """The file of a stream upload (one multipart request)."""
        if not data:
            raise BadRequest("The uploaded file is empty")
        return self.store(app_id, version, file_name or "artifact.bin", data,
                          {"source": "stream_upload"}, set_as_current)

    async def import_from_url(self, app_id: str, version: str, url: str, *,
                              headers: dict[str, str], metadata: dict[str, Any],
                              set_as_current: bool, allow_hosts: list[str],
                              max_bytes: int, mode: str = "offline", timeout: float = 60.0,
                              branch_id: str | None = None, branch_name: str | None = None,
                              pin: bool = False) -> tuple[Build, bool]:
        """Download ``url`` (or stand in for it) and store it as a ready build: (build,
        whether it was reused).

        Idempotent on (app, version): a ready build of that version is answered again without
        fetching anything, so a retried CI step does not fail with a 409. The emulator never
        reaches the internet: loopback and ``allow_hosts`` are fetched; any other http(s) host
        gets a deterministic placeholder artifact in ``offline`` mode and is refused in
        ``strict`` mode. :data:`FAIL_HOST`, any other scheme and a failed fetch are a
        :class:`DownloadRefused` (502); a download over ``max_bytes`` is a 413, one not done
        within ``timeout`` seconds a 408 (the bounds a shared server needs: an endless stream
        was read for as long as it lasted).
        """
        found = self.existing(app_id, version)
        if found is not None and found.status == "ready":
            return found, True
        app = self.app(app_id)
        host = host_of(url)
        if host == FAIL_HOST:
            raise DownloadRefused(f"Failed to download artifact from {url}: HTTP 502 (the "
                                  f"emulator's {FAIL_HOST} always fails)")
        source = {**metadata, "source": "from_url", "from_url": url}
        if allowed_url(url, allow_hosts):
            try:
                data, file_name = await download(url, headers, max_bytes, timeout)
            except DownloadTooLarge as exc:
                raise PayloadTooLarge(f"Failed to download artifact from {url}: {exc} (limit: "
                                      "EMULATOR_MAX_UPLOAD_BYTES)") from None
            except DownloadTimedOut as exc:
                raise ApiError(f"Failed to download artifact from {url}: {exc} (limit: "
                               "EMULATOR_FROM_URL_TIMEOUT_SECONDS)", 408) from None
            except DownloadFailed as exc:
                raise DownloadRefused(f"Failed to download artifact from {url}: {exc}") from None
        elif host is None or mode == "strict":
            raise DownloadRefused(f"Failed to download artifact from {url}: the emulator only "
                                  "fetches loopback or allow-listed hosts")
        else:
            data, file_name = placeholder(url, version, artifacts.fallback_package_id(app.name))
            source["placeholder"] = True
        build = self.store(app_id, version, file_name, data, source, set_as_current,
                           branch_id=branch_id, branch_name=branch_name, pin=pin)
        return build, False

    def add_external(self, app_id: str, url: str, *, commit_sha: str | None,
                     metadata: dict[str, Any], branch_id: str | None,
                     branch_name: str | None) -> tuple[Build, bool]:
        """A Web app's deployment URL as a build (no bytes): (build, whether it was reused).
        Its version is the commit's short sha, else derived from the URL, so registering the
        same deployment again answers the build it made (``was_reused``)."""
        app = self.app(app_id)
        if app.platform != "Web":
            raise BadRequest("External URL builds are only for Web apps")
        if host_of(url) is None:
            raise BadRequest("url must be an http(s) URL")
        version = (commit_sha or "").strip()[:12] or \
            "url-" + hashlib.sha256(url.encode()).hexdigest()[:10]
        found = self._by_version(app, version)
        if found is not None:
            return found, True
        branch = self.branches.target(app, branch_id, branch_name)
        build = Build(id=self.ids.uuid(), app_id=app.id, version=version,
                      file_name="deployment-url", uploaded_at=self.clock.now_iso(),
                      content_type="text/uri-list",
                      metadata={**metadata, "source": "external_url", "deploy_url": url,
                                "commit_sha": commit_sha, "platform": "web",
                                "artifact_kind": "web_url"})
        app.builds.append(build)
        self._settle(app, build, branch, False, False)
        return build, False

    def artifact(self, build_id: str) -> Build:
        """A build whose bytes are stored here (fixture and pending builds have none)."""
        _, build = self.build(build_id)
        if build.data is None:
            raise NotFound("This build has no stored artifact")
        return build

    # ------------------------------------------------------------------ presigned uploads
    def open_upload(self, app_id: str, version: str, file_name: str, *,
                    create_pending_build: bool, branch_id: str | None = None,
                    branch_name: str | None = None) -> PendingUpload:
        app = self.app(app_id)
        version = version.strip()
        if not version:
            raise BadRequest("version must not be empty")
        if not file_name.strip():
            raise BadRequest("file_name must not be empty")
        self._check_new_version(app, version)
        artifacts.check_file_name(file_name)
        branch = self.branches.target(app, branch_id, branch_name) \
            if branch_id or branch_name else None
        upload = PendingUpload(id=self.ids.uuid(), app_id=app.id,
                               version=version, file_name=file_name,
                               content_type=artifacts.content_type_for(file_name),
                               expires_at=self.clock.now() + UPLOAD_TTL_SECONDS,
                               branch_id=branch.id if branch else None)
        if create_pending_build:
            build = Build(id=self.ids.uuid(), app_id=app.id, version=version,
                          file_name=file_name, uploaded_at=self.clock.now_iso(),
                          content_type=upload.content_type, status="pending")
            app.builds.append(build)
            self.branches.place(app, build, branch or self.branches.default(app), pin=False)
            upload.build_id = build.id
        self.uploads[upload.id] = upload
        return upload

    def receive(self, upload_id: str, data: bytes) -> PendingUpload:
        upload = presigned_target(self.uploads, upload_id, self.clock.now())
        upload.data = data
        if upload.build_id is not None:
            app, build = self.build(upload.build_id)
            self._fill(app, build, data, build.metadata)
        return upload

    def finish_session(self, app_id: str, upload_id: str, version: str,
                       metadata: dict[str, Any], set_as_current: bool,
                       pin: bool = False) -> Build:
        upload = self.uploads.get(upload_id)
        if upload is None or upload.app_id != app_id or upload.build_id is not None:
            raise NotFound("Upload session not found")
        if upload.data is None:
            raise BadRequest("No file was uploaded for this session")
        if version != upload.version:
            raise BadRequest("version does not match the upload session")
        del self.uploads[upload.id]
        return self.store(app_id, version, upload.file_name, upload.data,
                          {"file_name": upload.file_name, **metadata}, set_as_current,
                          upload.content_type, branch_id=self._live_branch(upload), pin=pin)

    def _live_branch(self, upload: PendingUpload) -> str | None:
        """The upload's branch if it still exists (else the default takes the build)."""
        app = self.catalog.apps.get(upload.app_id)
        if upload.branch_id is None or app is None:
            return None
        found = any(b.id == upload.branch_id for b in self.branches.of_app(app))
        return upload.branch_id if found else None

    def package_id(self, build_id: str) -> tuple[str | None, str | None]:
        """(package_id, error) as extract-package-id answers."""
        _, build = self.build(build_id)
        if build.data is None:
            return None, "The artifact has not been uploaded yet"
        return build.package_name, None

    def complete(self, build_id: str, metadata: dict[str, Any],
                 package_name: str | None, set_as_current: bool, *, pin: bool = False,
                 branch_id: str | None = None, branch_name: str | None = None) -> Build:
        """Finish a legacy presigned upload: on the branch the body names, else the one the
        upload was opened for, else the default."""
        app, build = self.build(build_id)
        if build.data is None:
            raise BadRequest("The artifact has not been uploaded yet")
        build.metadata = {**build.metadata, **metadata}
        if package_name:
            build.package_name = package_name
        build.status = "ready"
        for token in [t for t, u in self.uploads.items() if u.build_id == build.id]:
            del self.uploads[token]
        if branch_id or branch_name:
            branch = self.branches.target(app, branch_id, branch_name)
        else:
            branch = self.branches.branch_of(app, build)
        self._settle(app, build, branch, set_as_current, pin)
        return build

    # ------------------------------------------------------------------ helpers
    def _fill(self, app: App, build: Build, data: bytes, metadata: dict[str, Any]) -> None:
        info = artifacts.inspect(data, build.file_name)
        package = info.package_id or artifacts.fallback_package_id(app.name)
        build.data = data
        build.sha256 = info.sha256
        build.package_name = package
        build.metadata = {
            **metadata, "package_id": package, "artifact_bytes": info.size,
            "artifact_sha256": info.sha256, "file_name": build.file_name,
            "platform": app.platform.lower(), "artifact_kind": info.kind,
            "artifact_validation": {"warnings": info.warnings}}

    @staticmethod
    def _by_version(app: App, version: str) -> Build | None:
        return next((b for b in app.builds if b.version == version), None)

    def _check_new_version(self, app: App, version: str) -> None:
        if not version or not version.strip():
            raise BadRequest("version must not be empty")
        if self._by_version(app, version) is not None:
            raise Conflict(f"Version '{version}' already exists for this app")

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Presigned uploads not finished yet, with any bytes already PUT (base64). Apps and
        builds are the catalog's."""
        return {"uploads": [{**{k: v for k, v in asdict(u).items() if k != "data"},
                             "data": records.b64(u.data)} for u in self.uploads.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """An upload's expiry is a time compared on use, not a timer: nothing to re-arm."""
        self.uploads = {}
        for raw in data.get("uploads", []):
            upload = PendingUpload(**{**raw, "data": records.unb64(raw.get("data"))})
            self.uploads[upload.id] = upload
        return []

    def upload_url(self, base_url: str, upload: PendingUpload) -> str:
        """Absolute, from the configured public URL (never the Host header: through a TLS
        proxy it says backend.revyl.ai)."""
        return f"{base_url.rstrip('/')}/_emulator/uploads/{self.namespace_key}/{upload.id}"


class _Expiring(Protocol):
    expires_at: float


U = TypeVar("U", bound=_Expiring)


def presigned_target(uploads: dict[str, U], upload_id: str, now: float) -> U:
    """What a presigned PUT writes to (a build's or an org file's): an unknown upload is a
    404, an expired URL a 403, as the storage behind the real URLs answers."""
    upload = uploads.get(upload_id)
    if upload is None:
        raise NotFound("Upload not found")
    if now > upload.expires_at:
        raise ApiError("Upload URL expired", 403)
    return upload
