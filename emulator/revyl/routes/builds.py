"""Apps and builds at all three path generations: seed ``/api/v1/builds/vars``, Feb-2026
``/api/v1/builds/apps``, current ``/api/v1/apps`` (spec §0.1), plus the upload flows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import Body, Depends, File, Query, Request, UploadFile
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import build_wire as wire
from emulator.revyl.builds import page_of
from emulator.revyl.models import (
    AppCreateRequest,
    AppUpdateRequest,
    BuildFromUploadRequest,
    BuildFromUrlRequest,
    BuildUpdateRequest,
    CompleteUploadRequest,
    UploadSessionRequest,
)
from emulator.revyl.responses_builds import (
    AppResponse,
    BuildCreateResponse,
    BuildResponse,
    CompleteUploadResponse,
    DeleteAppResponse,
    DeleteBuildResponse,
    ExtractPackageIdResponse,
    PaginatedAppsResponse,
    PaginatedBuildsResponse,
    UploadSessionResponse,
)
from emulator.revyl.routes import build_branches
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router, on_paths

router = api_router("Revyl: builds")
Ns = Annotated[Namespace, Depends(namespace)]
Page = Annotated[int, Query(ge=1)]
APPS = ["/api/v1/builds/vars", "/api/v1/builds/apps", "/api/v1/apps", "/api/v1/apps/"]
APP = ["/api/v1/builds/vars/{app_id}", "/api/v1/builds/apps/{app_id}", "/api/v1/apps/{app_id}"]
APP_BUILDS = ["/api/v1/builds/vars/{app_id}/versions", "/api/v1/builds/apps/{app_id}/builds",
              "/api/v1/apps/{app_id}/builds"]
BUILD = ["/api/v1/builds/versions/{build_id}", "/api/v1/builds/builds/{build_id}",
         "/api/v1/apps/builds/{build_id}"]


def routes(method: str, paths: list[str], **options: Any):
    return on_paths(router, method, paths, **options)


def public_url(request: Request) -> str:
    return request.app.state.settings.public_url or str(request.base_url)


def build_body(ns: Namespace, build_id: str, **extra: Any) -> dict[str, Any]:
    state = revyl(ns)
    app, build = state.builds.build(build_id)
    return wire.build_response(build, app, state.catalog, state.branches, **extra)


# ---------------------------------------------------------------------------- apps
@routes("GET", APPS, response_model=PaginatedAppsResponse, responses=errors(400))
async def list_apps(ns: Ns, page: Page = 1, page_size: Annotated[int, Query(ge=1, le=500)] = 50,
                    platform: str | None = None, search: str | None = None) -> JSONResponse:
    state = revyl(ns)
    apps = state.builds.list_apps(platform, search)
    chunk, meta = page_of(apps, page, page_size)
    items = [wire.app_response(a, state.catalog, state.branches) for a in chunk]
    return ok({**wire.paginated(items, meta), "platform_counts": wire.platform_counts(apps)})


@routes("POST", APPS, response_model=AppResponse, responses=errors(400, 409, 413))
async def create_app(body: AppCreateRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    app = state.builds.create_app(body.name, body.platform, body.description)
    return ok(wire.app_response(app, state.catalog, state.branches))


@routes("GET", APP, response_model=AppResponse, responses=errors(404))
async def get_app(app_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    return ok(wire.app_response(state.builds.app(app_id), state.catalog, state.branches))


@routes("PATCH", APP, response_model=AppResponse, responses=errors(400, 404, 409, 413))
async def update_app(app_id: str, body: AppUpdateRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    app = state.builds.update_app(app_id, body.model_dump(exclude_unset=True))
    return ok(wire.app_response(app, state.catalog, state.branches))


@routes("DELETE", APP, response_model=DeleteAppResponse, responses=errors(404))
async def delete_app(app_id: str, ns: Ns) -> JSONResponse:
    detached = revyl(ns).builds.delete_app(app_id)
    return ok({"message": "App deleted", "detached_tests": detached})


# ---------------------------------------------------------------------------- builds
@routes("GET", APP_BUILDS, response_model=PaginatedBuildsResponse, responses=errors(404))
async def list_builds(app_id: str, request: Request, ns: Ns, page: Page = 1,
                      page_size: Annotated[int, Query(ge=1, le=100)] = 20,
                      search: str | None = None, include_download_urls: bool = False,
                      include_jobs: bool = False, branch_id: str | None = None,
                      branch_name: str | None = None,
                      exact_version: str | None = None) -> JSONResponse:
    state = revyl(ns)
    app = state.builds.app(app_id)
    chunk, meta = page_of(state.builds.list_builds(
        app_id, search, branch_id=branch_id, branch_name=branch_name,
        exact_version=exact_version), page, page_size)
    items = [wire.build_response(b, app, state.catalog, state.branches, download_url=download_url(
        request, ns, b.id) if include_download_urls and b.data is not None else None)
        for b in chunk]
    return ok(wire.paginated(items, meta))


def download_url(request: Request, ns: Namespace, build_id: str) -> str:
    return f"{public_url(request).rstrip('/')}/_emulator/downloads/{ns.key}/{build_id}"


@routes("GET", BUILD, response_model=BuildResponse, responses=errors(404))
async def get_build(build_id: str, request: Request, ns: Ns,
                    include_download_url: bool = False) -> JSONResponse:
    state = revyl(ns)
    app, build = state.builds.build(build_id)
    url = download_url(request, ns, build_id) if include_download_url and build.data else None
    return ok(wire.build_response(build, app, state.catalog, state.branches, download_url=url))


@routes("PATCH", BUILD, response_model=BuildResponse,
        responses=errors(400, 404, 409, 413))
async def update_build(build_id: str, body: BuildUpdateRequest, ns: Ns) -> JSONResponse:
    revyl(ns).builds.update_build(build_id, body.model_dump(exclude_unset=True))
    return ok(build_body(ns, build_id))


@routes("DELETE", BUILD, response_model=DeleteBuildResponse, responses=errors(404))
async def delete_build(build_id: str, ns: Ns) -> JSONResponse:
    build = revyl(ns).builds.delete_build(build_id)
    return ok({"message": f"Build version {build.version} deleted", "id": build.id})


# ---------------------------------------------------------------------------- uploads
@routes("POST", [p + "/stream-upload" for p in APP_BUILDS], response_model=BuildResponse,
        responses=errors(400, 404, 409, 413))
async def stream_upload(app_id: str, request: Request, ns: Ns,
                        version: Annotated[str, Query(min_length=1)],
                        file: Annotated[UploadFile, File()],
                        set_as_current: bool = False) -> JSONResponse:
    builds = revyl(ns).builds
    builds.app(app_id)  # 404 before reading a byte more
    build = builds.store_upload(app_id, version, file.filename, await file.read(),
                                set_as_current)
    return ok(build_body(ns, build.id))


# Spec §9.2: a URL that cannot be fetched is a 502 (the magic fail host, another scheme, a
# failed loopback fetch; with EMULATOR_FROM_URL=strict any host but loopback or the
# allow-list), part of the contract rather than an emulator failure. 413 and 408: a download
# over EMULATOR_MAX_UPLOAD_BYTES or EMULATOR_FROM_URL_TIMEOUT_SECONDS.
FROM_URL_ERRORS = errors(400, 404, 408, 409, 413, 502)
FROM_URL_ERRORS[502]["description"] = "The artifact could not be downloaded"
FROM_URL_ERRORS[408]["description"] = "The download took longer than the emulator allows"
T = TypeVar("T")


async def unless_client_leaves(request: Request, work: Awaitable[T]) -> T:
    """``work``'s result, or :class:`ClientDisconnect` (journaled as 499) as soon as the client
    is gone: a download for nobody was read on to its end. With the body read, the next
    ``receive`` returns only when the client disconnects (or the response is done)."""
    task = asyncio.ensure_future(work)

    async def gone() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
    if not task.done() or task.cancelled():
        raise ClientDisconnect()
    return task.result()


@routes("POST", [p + "/from-url" for p in APP_BUILDS], response_model=BuildResponse,
        responses=FROM_URL_ERRORS)
async def from_url(app_id: str, body: BuildFromUrlRequest, request: Request,
                   ns: Ns) -> JSONResponse:
    settings = request.app.state.settings
    build, reused = await unless_client_leaves(request, revyl(ns).builds.import_from_url(
        app_id, body.version, body.from_url, headers=body.headers or {},
        metadata=body.metadata or {}, set_as_current=body.set_as_current,
        allow_hosts=settings.from_url_allow_hosts, max_bytes=settings.max_upload_bytes,
        mode=settings.from_url, timeout=settings.from_url_timeout_seconds,
        branch_id=body.branch_id, branch_name=body.branch_name, pin=body.pin))
    return ok(build_body(ns, build.id, was_reused=reused))


@routes("POST", [APP_BUILDS[0] + "/upload-url", APP_BUILDS[2] + "/upload-url"],
        response_model=BuildCreateResponse, responses=errors(400, 404, 409, 413))
async def upload_url(app_id: str, request: Request, ns: Ns,
                     version: Annotated[str, Query(min_length=1)],
                     file_name: Annotated[str, Query(min_length=1)],
                     body: Annotated[dict[str, Any] | None, Body()] = None,
                     branch_id: str | None = None,
                     branch_name: str | None = None) -> JSONResponse:
    """Legacy presigned flow: the (pending) build row exists from here on."""
    builds = revyl(ns).builds
    upload = builds.open_upload(app_id, version, file_name, create_pending_build=True,
                                branch_id=branch_id, branch_name=branch_name)
    return ok(wire.upload_ticket(upload, builds.upload_url(public_url(request), upload)))


@router.post("/api/v1/apps/{app_id}/builds/upload-session", response_model=UploadSessionResponse,
             responses=errors(400, 404, 409, 413))
async def upload_session(app_id: str, body: UploadSessionRequest, request: Request,
                         ns: Ns) -> JSONResponse:
    builds = revyl(ns).builds
    upload = builds.open_upload(app_id, body.version, body.file_name,
                                create_pending_build=False, branch_id=body.branch_id,
                                branch_name=body.branch_name)
    return ok(wire.upload_ticket(upload, builds.upload_url(public_url(request), upload)))


@router.post("/api/v1/apps/{app_id}/builds", response_model=BuildResponse,
             responses=errors(400, 404, 409, 413))
async def create_from_upload(app_id: str, body: BuildFromUploadRequest,
                             ns: Ns) -> JSONResponse:
    build = revyl(ns).builds.finish_session(app_id, body.upload_id, body.version,
                                            body.metadata, body.set_as_current, body.pin)
    return ok(build_body(ns, build.id))


@routes("POST", [BUILD[0] + "/extract-package-id", BUILD[2] + "/extract-package-id"],
        response_model=ExtractPackageIdResponse, responses=errors(404, 413))
async def extract_package_id(build_id: str, ns: Ns,
                             body: Annotated[dict[str, Any] | None, Body()] = None
                             ) -> JSONResponse:
    package_id, error = revyl(ns).builds.package_id(build_id)
    return ok({"package_id": package_id, "error": error} if error else {"package_id": package_id})


@routes("POST", [BUILD[0] + "/complete-upload", BUILD[2] + "/complete-upload"],
        response_model=CompleteUploadResponse, responses=errors(400, 404, 413))
async def complete_upload(build_id: str, ns: Ns,
                          body: CompleteUploadRequest | None = None) -> JSONResponse:
    body = body or CompleteUploadRequest()
    build = revyl(ns).builds.complete(build_id, body.metadata, body.package_name,
                                      body.set_as_current, pin=body.pin,
                                      branch_id=body.branch_id, branch_name=body.branch_name)
    response = build_body(ns, build.id)
    return ok({"version_id": build.id, **response,
               "warnings": artifact_warnings(build.metadata)})


def artifact_warnings(metadata: dict[str, Any]) -> list[str]:
    """``artifact_validation.warnings`` as the strings the CLI prints. The uploader's metadata
    is merged over the emulator's own, so it may have replaced that object with anything (a
    string there made complete-upload a 500)."""
    validation = metadata.get("artifact_validation")
    warnings = validation.get("warnings") if isinstance(validation, dict) else None
    return [w for w in warnings if isinstance(w, str)] if isinstance(warnings, list) else []


# The routes CLI 0.1.195 added (branches, resolve, runs, external builds, multipart uploads)
# live in build_branches.py; they are mounted with this family (emulator.app.builds_routers
# mounts this router's routes as they are).
router.routes.extend(build_branches.router.routes)
