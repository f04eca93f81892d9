"""What Revyl's app and build routes answer (spec §5, §9), at all three path generations."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator.revyl.responses import RevylModel


class AppResponse(RevylModel):
    """An app (the seed docs' "build variable")."""

    id: str
    org_id: str
    name: str
    platform: Literal["iOS", "Android", "Web"]
    description: str | None
    system_prompt: str | None
    static_url: str | None
    current_version: str | None = Field(description="Version string of the current build")
    latest_version: str | None
    versions_count: int
    builds_count: int
    latest_build_id: str | None
    current_build_id: str | None
    created_at: str
    attached_tests: int
    pinned_tests: int
    recent_executions: int
    rolling_pass_rate: float | None
    attribution_ready: bool
    expo_synced: bool
    has_atlas: bool | None
    default_branch_id: str
    default_branch_name: str
    default_branch_pinned_build_id: str | None
    auto_git_branch_enabled: bool = Field(description="Always false: the emulator detects no "
                                                      "Git branches")


class PlatformCounts(RevylModel):
    android: int
    ios: int
    web: int
    total: int


class PaginatedAppsResponse(RevylModel):
    items: list[AppResponse]
    total: int
    page: int
    page_size: int
    total_pages: int
    has_next: bool
    has_previous: bool
    platform_counts: PlatformCounts


class DeleteAppResponse(RevylModel):
    message: str
    detached_tests: int = Field(description="Tests that used the app and now have none")


class BuildResponse(RevylModel):
    """A build (the seed docs' "build version"). ``id`` is sent first: scripts/upload-build.sh
    takes the first ``"id":"…"`` of the body."""

    id: str
    app_id: str
    version: str
    artifact_url: str = Field(description="Storage key: <org>/<app>/<version>/<file>")
    metadata: dict[str, Any] = Field(description="What the uploader sent, plus package_id, "
                                                 "artifact_bytes, artifact_sha256, file_name, "
                                                 "platform, artifact_kind, "
                                                 "artifact_validation.warnings")
    owner: str
    uploaded_at: str
    download_url: str | None = Field(description="Only with include_download_url(s)=true and "
                                                 "stored bytes")
    package_name: str | None
    package_id: str | None
    was_reused: bool | None = Field(description="from-url: whether (app, version) existed")
    artifact_kind: str | None
    is_current: bool
    status: Literal["ready", "pending"] = Field(description="pending until a presigned upload "
                                                            "is completed")
    size: int = Field(description="Bytes stored (0 for fixture and external builds)")
    branch_id: str = Field(description="The branch the build lives on")
    branch_name: str


class PaginatedBuildsResponse(RevylModel):
    items: list[BuildResponse] = Field(description="Ready builds, newest first")
    total: int
    page: int
    page_size: int
    total_pages: int
    has_next: bool
    has_previous: bool


class DeleteBuildResponse(RevylModel):
    message: str
    id: str


class UploadSessionResponse(RevylModel):
    """``upload-session``: where to PUT the bytes; no build exists until ``POST .../builds``
    names the ``upload_id``."""

    upload_id: str
    upload_url: str
    content_type: str
    upload_expires_at: int = Field(description="Unix seconds")
    version: str


class BuildCreateResponse(UploadSessionResponse):
    """Legacy ``upload-url``: as an upload session, plus the pending build it created."""

    version_id: str


class ExtractPackageIdResponse(RevylModel):
    """200 even when extraction fails: then ``error`` says why (clients check it)."""

    package_id: str | None
    error: str | None = None


class CompleteUploadResponse(BuildResponse):
    """The finished build, plus ``version_id`` (its id again) and the artifact warnings."""

    version_id: str
    warnings: list[str]


class UploadReceivedResponse(RevylModel):
    """What the emulator's presigned upload URL answers (real storage answers S3's empty 200)."""

    uploaded: int = Field(description="Bytes stored")


# ---------------------------------------------------------------------------- CLI 0.1.195
class BranchLatestBuild(RevylModel):
    id: str
    uploaded_at: str
    version: str


class BuildBranchResponse(RevylModel):
    """A build branch (``BuildBranch``): it follows its newest build unless pinned."""

    id: str
    app_id: str
    name: str
    pinned_build_id: str | None
    pinned_build_version: str | None
    pinned_build_available: bool | None = Field(description="false: the pinned build was "
                                                            "deleted; null: not pinned")
    is_default: bool
    created_at: str
    auto_git_branch_enabled: bool
    latest_build: BranchLatestBuild | None


class BuildBranchesPage(RevylModel):
    branches: list[BuildBranchResponse] = Field(description="The app's first branch, then "
                                                            "the others in creation order")
    total: int
    page: int
    page_size: int
    total_pages: int


class BuildResolutionResponse(RevylModel):
    """``POST /api/v1/apps/resolve``: the build a run would use and where it came from."""

    build_var_id: str = Field(description="The app id")
    app_name: str
    platform: str
    resolution_status: Literal["resolved", "branch_has_no_builds", "no_compatible_build"]
    version_id: str | None
    version: str | None
    branch_id: str | None
    branch_name: str | None
    branch_source: Literal["explicit_branch", "default_branch"] | None = Field(
        description="Omitted (null) for an exact build or latest_all_branches")
    git_branch_name: str | None
    auto_git_branch_enabled: bool
    download_url: str | None = Field(description="With include_download_url=true and stored "
                                                 "bytes")
    artifact_kind: str | None
    artifact_url: str | None
    deploy_url: str | None = Field(description="Web builds: the registered deployment URL")
    static_url: str | None


class BuildRun(RevylModel):
    """One execution that ran against the build."""

    execution_id: str
    test_id: str | None
    test_name: str | None
    status: str | None
    success: bool | None
    started_at: str | None
    completed_at: str | None
    execution_time_seconds: float | None
    source: str | None
    resolved_build_version: str | None
    metadata: dict[str, Any]
    report_metadata: dict[str, Any]


class BuildRunsPage(RevylModel):
    items: list[BuildRun] = Field(description="Newest first")
    total: int
    page: int
    page_size: int
    total_pages: int
    has_next: bool
    has_previous: bool


class WebBuildResponse(RevylModel):
    """``builds/external``: a Web app's deployment URL registered as a build."""

    id: str
    app_id: str
    artifact_kind: str
    version: str
    was_reused: bool
    branch_id: str
    branch_name: str
    deploy_url: str
    auto_git_branch_enabled: bool


class MultipartPartUrl(RevylModel):
    part_number: int
    upload_url: str


class MultipartStartResponse(RevylModel):
    """Where to PUT each part (answering an ``ETag``), then POST the complete URL (S3's
    ``CompleteMultipartUpload`` XML) or DELETE the abort URL."""

    upload_id: str = Field(description="Names the staged upload in POST .../builds")
    s3_upload_id: str
    part_size: int
    parts: list[MultipartPartUrl]
    complete_url: str
    abort_url: str


class MultipartUploadedPart(RevylModel):
    part_number: int
    etag: str
    size: int


class MultipartResumeResponse(MultipartStartResponse):
    uploaded_parts: list[MultipartUploadedPart]
