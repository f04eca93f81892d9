"""The org's tags (``revyl tag list/create/update/delete``) and adding or removing tags on
several tests at once (``revyl tag add/remove``). A test's own tags are read and replaced in
emulator/revyl/routes/test_extras.py; both go through the one store, :class:`Tags`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.models import _Request
from emulator.revyl.responses_tests import (
    BulkSyncTagsResponse,
    DeleteTagResponse,
    TagInfo,
    TagListResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: tags")
Ns = Annotated[Namespace, Depends(namespace)]
COLOR = r"^#(?:[0-9A-Fa-f]{3}){1,2}$"
TagName = Annotated[str, Field(min_length=1, max_length=100)]


class CreateTag(_Request):
    name: TagName
    color: str | None = Field(None, pattern=COLOR)


class UpdateTag(_Request):
    name: TagName | None = None
    color: str | None = Field(None, pattern=COLOR)
    description: str | None = Field(None, max_length=500)


class BulkSync(_Request):
    test_ids: list[str] = Field(max_length=1000)
    tags_to_add: list[str] | None = None
    tags_to_remove: list[str] | None = None


@router.get("/api/v1/tests/tags", response_model=TagListResponse)
async def list_tags(ns: Ns) -> JSONResponse:
    return ok({"tags": [wire.tag_info(tag, count) for tag, count in revyl(ns).tags.listing()]})


@router.post("/api/v1/tests/tags", response_model=TagInfo, responses=errors(400, 413))
async def create_tag(body: CreateTag, ns: Ns) -> JSONResponse:
    """An upsert: a name the org has (any case) answers that tag, unchanged."""
    tags = revyl(ns).tags
    tag = tags.create(body.name, body.color)
    return ok(wire.tag_info(tag, tags.count(tag)))


@router.patch("/api/v1/tests/tags/{tag_id}", response_model=TagInfo,
              responses=errors(400, 404, 409, 413))
async def update_tag(tag_id: str, body: UpdateTag, ns: Ns) -> JSONResponse:
    tags = revyl(ns).tags
    tag = tags.update(tag_id, body.name, body.color, body.description)
    return ok(wire.tag_info(tag, tags.count(tag)))


@router.delete("/api/v1/tests/tags/{tag_id}", response_model=DeleteTagResponse,
               responses=errors(404))
async def delete_tag(tag_id: str, ns: Ns) -> JSONResponse:
    """Takes the tag off every test too."""
    tag = revyl(ns).tags.delete(tag_id)
    return ok({"deleted": True, "tag_id": tag.id})


@router.post("/api/v1/tests/tags/tests/bulk-sync", response_model=BulkSyncTagsResponse,
             responses=errors(413))
async def bulk_sync(body: BulkSync, ns: Ns) -> JSONResponse:
    """Unknown tests fail one by one (``success: false``), the call itself succeeds."""
    results = revyl(ns).tags.bulk_sync(body.test_ids, body.tags_to_add or [],
                                       body.tags_to_remove or [])
    failed = sum(1 for r in results if r.error is not None)
    return ok({"results": [{"test_id": r.test_id, "success": r.error is None,
                            "error": r.error} for r in results],
               "success_count": len(results) - failed, "error_count": failed})
