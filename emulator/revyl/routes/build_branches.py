"""The build routes CLI 0.1.195 added: an app's branches, build resolution, the executions
that ran a build, Web apps' external URL builds, and multipart uploads (their S3-side URLs
are in uploads.py). Mounted with the builds family (routes/builds.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import build_wire as wire
from emulator.revyl.build_requests import (
    BranchCreateRequest,
    BranchUpdateRequest,
    ExternalBuildRequest,
    MultipartResumeRequest,
    MultipartStartRequest,
    ResolveRequest,
)
from emulator.revyl.builds import page_of
from emulator.revyl.responses_builds import (
    BuildBranchesPage,
    BuildBranchResponse,
    BuildResolutionResponse,
    BuildRunsPage,
    MultipartResumeResponse,
    MultipartStartResponse,
    WebBuildResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: builds")
Ns = Annotated[Namespace, Depends(namespace)]
Page = Annotated[int, Query(ge=1)]
BRANCHES = "/api/v1/apps/{app_id}/branches"


def public_url(request: Request) -> str:
    base: str = request.app.state.settings.public_url or str(request.base_url)
    return base.rstrip("/")


# ---------------------------------------------------------------------------- branches
@router.get(BRANCHES, response_model=BuildBranchesPage, responses=errors(404))
async def list_branches(app_id: str, ns: Ns, page: Page = 1,
                        page_size: Annotated[int, Query(ge=1, le=100)] = 50,
                        name: str | None = None, search: str | None = None) -> JSONResponse:
    branches = revyl(ns).branches
    app, found = branches.listing(app_id, name, search)
    chunk, meta = page_of(found, page, page_size)
    return ok({"branches": [wire.branch_response(b, app, branches) for b in chunk],
               "total": meta["total"], "page": page, "page_size": page_size,
               "total_pages": meta["total_pages"]})


@router.post(BRANCHES, response_model=BuildBranchResponse, responses=errors(400, 404, 409, 413))
async def create_branch(app_id: str, body: BranchCreateRequest, ns: Ns) -> JSONResponse:
    branches = revyl(ns).branches
    branch = branches.create(app_id, body.name)
    return ok(wire.branch_response(branch, branches.app(app_id), branches))


@router.get(BRANCHES + "/{branch_id}", response_model=BuildBranchResponse,
            responses=errors(404))
async def get_branch(app_id: str, branch_id: str, ns: Ns) -> JSONResponse:
    branches = revyl(ns).branches
    branch = branches.get(app_id, branch_id)
    return ok(wire.branch_response(branch, branches.app(app_id), branches))


@router.patch(BRANCHES + "/{branch_id}", response_model=BuildBranchResponse,
              responses=errors(400, 404, 409, 413))
async def update_branch(app_id: str, branch_id: str, body: BranchUpdateRequest,
                        ns: Ns) -> JSONResponse:
    branches = revyl(ns).branches
    branch = branches.update(app_id, branch_id, body.model_dump(exclude_unset=True))
    return ok(wire.branch_response(branch, branches.app(app_id), branches))


# ---------------------------------------------------------------------------- resolution
@router.post("/api/v1/apps/resolve", response_model=BuildResolutionResponse,
             responses=errors(400, 404, 413))
async def resolve(body: ResolveRequest, request: Request, ns: Ns,
                  include_download_url: bool = False) -> JSONResponse:
    found = revyl(ns).branches.resolve(
        body.build_var_id, selection=body.build_selection, branch_id=body.branch_id,
        branch_name=body.branch_name, git_branch_name=body.git_branch_name,
        pinned_build_id=body.pinned_build_id)
    url = None
    if include_download_url and found.build is not None and found.build.data is not None:
        url = f"{public_url(request)}/_emulator/downloads/{ns.key}/{found.build.id}"
    return ok(wire.resolution_response(found, url))


@router.get("/api/v1/apps/builds/{build_id}/runs", response_model=BuildRunsPage,
            responses=errors(404))
async def build_runs(build_id: str, ns: Ns, page: Page = 1,
                     page_size: Annotated[int, Query(ge=1, le=100)] = 20) -> JSONResponse:
    state = revyl(ns)
    _, build = state.builds.build(build_id)
    chunk, meta = page_of(state.build_runs.runs_of(build.id), page, page_size)
    return ok({"items": [wire.build_run(e, build.version) for e in chunk], **meta})


# ---------------------------------------------------------------------------- Web builds
@router.post("/api/v1/apps/{app_id}/builds/external", response_model=WebBuildResponse,
             responses=errors(400, 404, 409, 413))
async def external_build(app_id: str, body: ExternalBuildRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    build, reused = state.builds.add_external(
        app_id, body.url, commit_sha=body.commit_sha, metadata=body.metadata,
        branch_id=body.branch_id, branch_name=body.branch_name)
    return ok(wire.web_build(build, state.builds.app(app_id), state.branches, reused))


# ---------------------------------------------------------------------------- multipart
@router.post("/api/v1/apps/{app_id}/builds/multipart-upload/start",
             response_model=MultipartStartResponse, responses=errors(400, 404, 409, 413))
async def multipart_start(app_id: str, body: MultipartStartRequest, request: Request,
                          ns: Ns) -> JSONResponse:
    session = revyl(ns).multipart.start(
        app_id, body.version, body.file_name, body.file_size,
        max_bytes=request.app.state.settings.max_upload_bytes, branch_id=body.branch_id,
        branch_name=body.branch_name)
    return ok(wire.multipart_ticket(session, upload_base(request, ns, session.upload_id)))


@router.post("/api/v1/apps/{app_id}/builds/multipart-upload/resume",
             response_model=MultipartResumeResponse, responses=errors(409, 410, 413))
async def multipart_resume(app_id: str, body: MultipartResumeRequest, request: Request,
                           ns: Ns) -> JSONResponse:
    session = revyl(ns).multipart.resume(app_id, body.upload_id, body.s3_upload_id,
                                         body.version, body.file_name, body.file_size)
    return ok(wire.multipart_ticket(session, upload_base(request, ns, session.upload_id),
                                    uploaded=True))


def upload_base(request: Request, ns: Namespace, upload_id: str) -> str:
    """A multipart upload's own URL on the emulator (never the Host header's)."""
    return f"{public_url(request)}/_emulator/uploads/{ns.key}/{upload_id}"
