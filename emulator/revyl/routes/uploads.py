"""The emulator's stand-in for S3: presigned PUT targets and artifact downloads.

No bearer token here (the real presigned URLs carry none either); the namespace key and the
unguessable upload id in the path are the credential.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from emulator.core.errors import NotFound
from emulator.core.namespaces import Namespace
from emulator.revyl.responses_builds import UploadReceivedResponse
from emulator.revyl.state import revyl
from emulator.web.auth import registry
from emulator.web.contract import errors, media
from emulator.web.routing import StrictJSONRoute

router = APIRouter(prefix="/_emulator", tags=["Emulator control plane"],
                   route_class=StrictJSONRoute)


def owner(request: Request, key: str) -> Namespace:
    ns = registry(request).by_key(key)
    if ns is None:
        raise NotFound("Upload not found")
    return ns


# Past the upload body cap (EMULATOR_MAX_UPLOAD_BYTES) is a 413, answered as the body streams in.
@router.put("/uploads/{key}/{upload_id}", response_model=UploadReceivedResponse,
            responses=errors(403, 404, 413))
async def put_upload(key: str, upload_id: str, request: Request) -> JSONResponse:
    """The presigned PUT target: the raw body is the artifact. An unknown upload is a 404, an
    expired URL a 403."""
    ns = owner(request, key)
    data = await request.body()  # capped by the body-size middleware while it streams in
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
    build = revyl(owner(request, key)).builds.artifact(build_id)
    return Response(build.data, media_type=build.content_type, headers={
        "Content-Disposition": content_disposition(build.file_name)})


def content_disposition(file_name: str) -> str:
    """RFC 6266: a plain ASCII ``filename`` and, for any other name, the exact one in
    ``filename*`` (headers are Latin-1: an emoji in a raw header made the download a 500)."""
    plain = re.sub(r"[^A-Za-z0-9._ ()+-]", "_", file_name)
    if plain == file_name:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"
