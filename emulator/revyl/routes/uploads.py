"""The emulator's stand-in for S3: presigned PUT targets and downloads of build artifacts and
of org files.

No bearer token here (the real presigned URLs carry none either); the namespace key and the
unguessable upload id in the path are the credential. The key alone is public (the dashboard
shows it), so a request is claimed for the namespace's journal (``claim``) only once its upload
or build id proved good: anything else is journaled as anonymous.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from emulator.core.errors import NotFound
from emulator.core.namespaces import Namespace
from emulator.revyl import build_wire
from emulator.revyl.multipart import S3Error
from emulator.revyl.responses_builds import UploadReceivedResponse
from emulator.revyl.state import revyl
from emulator.web.auth import claim, registry
from emulator.web.contract import errors, media
from emulator.web.routing import StrictJSONRoute

router = APIRouter(prefix="/_emulator", tags=["Emulator control plane"],
                   route_class=StrictJSONRoute)


def owner(request: Request, key: str) -> Namespace:
    ns = registry(request).by_key(key)
    if ns is None:
        raise NotFound("Upload not found")
    return ns


def vouch(request: Request, key: str, known: Callable[[Namespace], bool]) -> None:
    """Claim the request for the key's namespace when its id is one the namespace handed out
    (before the body is read: a client that drops mid-upload was still that namespace's)."""
    ns = registry(request).by_key(key)
    if ns is not None and known(ns):
        claim(request, ns)


def part_owner(request: Request, key: str) -> Namespace:
    """As :func:`owner`, with S3's error code for an upload that is not there."""
    ns = registry(request).by_key(key)
    if ns is None:
        raise S3Error("NoSuchUpload", "The specified multipart upload does not exist", 404)
    return ns


# Past the upload body cap (EMULATOR_MAX_UPLOAD_BYTES) is a 413, answered as the body streams in.
# With ?partNumber=&uploadId= the body is one part of a multipart build upload (S3's UploadPart,
# emulator/revyl/multipart.py); its errors then name S3's code: {"detail": {"code", "message"}}.
@router.put("/uploads/{key}/{upload_id}", response_model=UploadReceivedResponse,
            responses=errors(400, 403, 404, 413))
async def put_upload(key: str, upload_id: str, request: Request,
                     part_number: Annotated[int | None, Query(alias="partNumber")] = None,
                     s3_upload_id: Annotated[str | None, Query(alias="uploadId")] = None
                     ) -> Response:
    """The presigned PUT target: the raw body is the artifact (or one part of it). An
    unknown upload is a 404, an expired URL a 403; a part's answer carries its ``ETag``."""
    multipart = part_number is not None or s3_upload_id is not None
    vouch(request, key, lambda ns: upload_id in (
        revyl(ns).multipart.sessions if multipart else revyl(ns).builds.uploads))
    data = await request.body()  # capped by the body-size middleware while it streams in
    if multipart:
        ns = part_owner(request, key)
        etag = revyl(ns).multipart.put_part(upload_id, s3_upload_id or "", part_number or 0,
                                            data)
    else:
        ns = owner(request, key)
        revyl(ns).builds.receive(upload_id, data)
        etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'
    return JSONResponse({"uploaded": len(data)}, headers={"ETag": etag})


# The artifact's bytes under the media type it was stored with (an APK, a zip, or whatever
# the uploader's PUT said): not JSON, so the OpenAPI must not promise application/json.
ARTIFACT = {**media(200, "*/*", "The artifact's bytes, with its own media type",
                    {"type": "string", "format": "binary"}), **errors(404)}


@router.get("/downloads/{key}/{build_id}", response_class=Response, responses=ARTIFACT)
async def get_download(key: str, build_id: str, request: Request) -> Response:
    """A build's stored bytes (the ``download_url`` of a build), as an attachment."""
    ns = owner(request, key)
    build = revyl(ns).builds.artifact(build_id)
    claim(request, ns)
    return Response(build.data, media_type=build.content_type, headers={
        "Content-Disposition": content_disposition(build.file_name)})


def content_disposition(file_name: str) -> str:
    """RFC 6266: a plain ASCII ``filename`` and, for any other name, the exact one in
    ``filename*`` (headers are Latin-1: an emoji in a raw header made the download a 500)."""
    plain = re.sub(r"[^A-Za-z0-9._ ()+-]", "_", file_name)
    if plain == file_name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


# ---------------------------------------------------------------------------- org files
@router.put("/uploads/{key}/files/{upload_id}", response_model=UploadReceivedResponse,
            responses=errors(403, 404, 413))
async def put_file_upload(key: str, upload_id: str, request: Request) -> JSONResponse:
    """An org file's presigned PUT (``revyl file upload|edit --file``): the raw body is the
    file's new content, made current by its ``complete-upload``."""
    ns = owner(request, key)
    if upload_id in revyl(ns).files.uploads:
        claim(request, ns)
    data = await request.body()  # capped by the body-size middleware while it streams in
    revyl(ns).files.receive(upload_id, data)
    etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'
    return JSONResponse({"uploaded": len(data)}, headers={"ETag": etag})


@router.get("/downloads/{key}/files/{file_id}", response_class=Response, responses=ARTIFACT)
async def get_file_download(key: str, file_id: str, request: Request) -> Response:
    """An org file's bytes (the ``url`` of its ``download-url``), as an attachment."""
    ns = owner(request, key)
    found = revyl(ns).files.uploaded(file_id)
    claim(request, ns)
    return Response(found.data, media_type=found.content_type, headers={
        "Content-Disposition": content_disposition(found.filename)})




# ---------------------------------------------------------------------------- multipart builds
XML = "application/xml"


@router.post("/uploads/{key}/{upload_id}", response_class=Response,
             responses={**media(200, XML, "<CompleteMultipartUploadResult>"),
                        **errors(400, 403, 404, 413)})
async def complete_multipart(key: str, upload_id: str, request: Request,
                             s3_upload_id: Annotated[str, Query(alias="uploadId")] = ""
                             ) -> Response:
    """S3's CompleteMultipartUpload: the XML body lists each part's number and ETag; the
    answer is S3's XML result (the CLI looks for ``<CompleteMultipartUploadResult``)."""
    body = await request.body()
    ns = part_owner(request, key)
    session, tag = revyl(ns).multipart.complete(upload_id, s3_upload_id, body)
    claim(request, ns)
    return Response(build_wire.s3_complete(session, str(request.url), tag), media_type=XML)


@router.delete("/uploads/{key}/{upload_id}", status_code=204, response_class=Response,
               responses={**media(204, XML, "Aborted: the parts are forgotten (no body, as "
                                            "S3)", {"type": "string", "maxLength": 0}),
                          **errors(404)})
async def abort_multipart(key: str, upload_id: str, request: Request,
                          s3_upload_id: Annotated[str, Query(alias="uploadId")] = ""
                          ) -> Response:
    """S3's AbortMultipartUpload: the parts and the staged upload are forgotten."""
    ns = part_owner(request, key)
    revyl(ns).multipart.abort(upload_id, s3_upload_id)
    claim(request, ns)
    return Response(status_code=204)
