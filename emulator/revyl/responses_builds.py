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
    platform: Literal["iOS", "Android"]
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


class PlatformCounts(RevylModel):
    android: int
    ios: int
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
    size: int = Field(description="Bytes stored (0 for fixture builds)")


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
