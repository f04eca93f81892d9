"""What Revyl's test-management routes answer: the org's tags (``revyl tag ...``), the tagged
test list (``revyl test query`` / ``remote --tag``), saved versions (``revyl test versions`` /
``restore``) and duplicates (``revyl test duplicate``). Field names are the CLI 0.1.195's
(its ``CLITag*``, ``TestWithTags``, ``TestVersion*`` and ``DuplicateTestResponse`` structs);
ids the CLI decodes as UUIDs are UUIDs here."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from emulator.revyl.responses import RevylModel, TestPlatform, TestTag


# ---------------------------------------------------------------------------- tags
class TagInfo(RevylModel):
    """``CLITagResponse``: an org tag and how many tests carry it."""

    id: str
    name: str
    color: str = Field(description="Hex colour, e.g. #22C55E")
    description: str | None
    test_count: int


class TagListResponse(RevylModel):
    tags: list[TagInfo] = Field(description="By name")


class DeleteTagResponse(RevylModel):
    deleted: bool
    tag_id: str


class TagSyncResult(RevylModel):
    """``CLITagSyncResult``: a tag a sync left on the test."""

    id: str
    name: str
    color: str
    created: bool = Field(description="The sync created the tag (an unknown name)")


class TestTagsSyncResponse(RevylModel):
    """``CLISyncTagsResponse``: the test's tags after a full replacement."""

    test_id: str
    tags: list[TagSyncResult]


class BulkSyncResult(RevylModel):
    test_id: str
    success: bool
    error: str | None = Field(description="Why this test failed (an unknown id)")


class BulkSyncTagsResponse(RevylModel):
    results: list[BulkSyncResult] = Field(description="One per test id, in request order")
    success_count: int
    error_count: int


# ---------------------------------------------------------------------------- tagged list
class TestWithTags(RevylModel):
    id: str
    name: str
    platform: TestPlatform
    app_id: str | None
    app_name: str | None
    tags: list[TestTag]


class TestListWithTagsResponse(RevylModel):
    """``get_tests``: one page of the tests matching the filters."""

    tests: list[TestWithTags]
    count: int = Field(description="Tests on this page")
    total_count: int = Field(description="Tests matching the filters, before limit/offset")


# ---------------------------------------------------------------------------- versions
class TestVersionInfo(RevylModel):
    id: str = Field(description="The version record's id (a UUID)")
    test_id: str
    version: int
    tasks: list[dict[str, Any]] = Field(description="The test's blocks at this version")
    created_at: str
    modified_by: str | None = Field(description="User id (a UUID) of who saved it")
    modified_by_email: str | None


class TestVersionListResponse(RevylModel):
    total: int
    versions: list[TestVersionInfo] = Field(description="Newest first")


class TestRestoreVersionResponse(RevylModel):
    message: str
    new_version: int = Field(description="The version the restore saved")
    restored_from: int


# ---------------------------------------------------------------------------- duplicates
class DuplicateTestResponse(RevylModel):
    success: bool
    message: str
    test_id: str = Field(description="The new test's id")
    name: str
    platform: TestPlatform
    steps_count: int
    tags_copied: int
    variables_copied: int
    cookies_copied: int = Field(description="Always 0: emulated tests keep no cookies")
