"""The org's file library (``revyl file list|upload|download|edit|delete``): presigned upload
and download URLs that lead back to the emulator (emulator/revyl/routes/uploads.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import Field
from starlette.responses import JSONResponse, Response

from emulator.core.namespaces import Namespace
from emulator.revyl.files import file_doc, ticket_doc
from emulator.revyl.models import _Request
from emulator.revyl.responses_variables import (
    OrgFile,
    OrgFileDownloadResponse,
    OrgFileListResponse,
    OrgFileUploadResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router, on_paths

router = api_router("Revyl: org files")
Ns = Annotated[Namespace, Depends(namespace)]
DOWNLOAD_TTL_SECONDS = 3600
# A media type, printable ASCII: it becomes the download's Content-Type header.
TOKEN = r"[A-Za-z0-9_!#$&^.+-]+"
ContentType = Annotated[str, Field(max_length=255, pattern=rf"^{TOKEN}/{TOKEN}( *;[ -~]*)?$")]


class UploadIn(_Request):
    filename: str = Field(min_length=1, max_length=255)
    file_size: int = Field(ge=0)
    display_name: str | None = Field(None, max_length=255)
    description: str | None = None
    content_type: ContentType | None = None


class CompleteIn(_Request):
    s3_key: str | None = None
    filename: str | None = Field(None, max_length=255)
    file_size: int | None = Field(None, ge=0)
    content_type: ContentType | None = None
    description: str | None = None


class UpdateIn(_Request):
    filename: str | None = Field(None, max_length=255)
    description: str | None = None


def public_url(request: Request) -> str:
    return request.app.state.settings.public_url or str(request.base_url)


@on_paths(router, "GET", ["/api/v1/files/", "/api/v1/files"], response_model=OrgFileListResponse)
async def list_files(ns: Ns, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     offset: Annotated[int, Query(ge=0)] = 0) -> JSONResponse:
    state = revyl(ns)
    page, count = state.files.listing(limit, offset)
    return ok({"files": [file_doc(f, state.catalog.org) for f in page], "count": count})


@router.post("/api/v1/files/upload-url", response_model=OrgFileUploadResponse,
             responses=errors(400, 413))
async def upload_url(body: UploadIn, request: Request, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    ticket = state.files.open_upload(body.filename, body.file_size, body.display_name,
                                     body.description, body.content_type)
    url = state.files.upload_url(public_url(request), ticket.upload)
    return ok(ticket_doc(ticket, url, state.catalog.org))


@router.put("/api/v1/files/{file_id}/replace-url", response_model=OrgFileUploadResponse,
            responses=errors(400, 404, 413))
async def replace_url(file_id: str, body: UploadIn, request: Request, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    ticket = state.files.open_replace(file_id, body.filename, body.file_size, body.display_name,
                                      body.description, body.content_type)
    url = state.files.upload_url(public_url(request), ticket.upload)
    return ok(ticket_doc(ticket, url, state.catalog.org))


@router.post("/api/v1/files/{file_id}/complete-upload", response_model=OrgFile,
             responses=errors(400, 404, 413))
async def complete_upload(file_id: str, ns: Ns, body: CompleteIn | None = None) -> JSONResponse:
    state = revyl(ns)
    changes = body.model_dump(exclude_none=True) if body else {}
    done = state.files.complete(file_id, changes.pop("s3_key", None), changes)
    return ok(file_doc(done, state.catalog.org))


@router.get("/api/v1/files/{file_id}/download-url", response_model=OrgFileDownloadResponse,
            responses=errors(404))
async def download_url(file_id: str, request: Request, ns: Ns) -> JSONResponse:
    files = revyl(ns).files
    found = files.uploaded(file_id)
    return ok({"url": files.download_url(public_url(request), found), "filename": found.filename,
               "expires_in": DOWNLOAD_TTL_SECONDS})


@router.put("/api/v1/files/{file_id}", response_model=OrgFile, responses=errors(400, 404, 413))
async def update_file(file_id: str, body: UpdateIn, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    updated = state.files.update(file_id, body.filename, body.description)
    return ok(file_doc(updated, state.catalog.org))


@router.delete("/api/v1/files/{file_id}", status_code=204, response_class=Response,
               responses={204: {"description": "Deleted (no body)"}, **errors(404)})
async def delete_file(file_id: str, ns: Ns) -> Response:
    revyl(ns).files.delete(file_id)
    return Response(status_code=204)
