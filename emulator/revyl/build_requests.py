"""Request bodies of the build routes CLI 0.1.195 added: branches, resolution, external (Web)
builds and multipart uploads. Lenient like the rest (emulator/revyl/models.py): unknown
fields are ignored."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from emulator.revyl.models import BranchTarget, _Request


class BranchCreateRequest(_Request):
    name: str = Field(min_length=1, max_length=200)


class BranchUpdateRequest(_Request):
    """Only the fields sent are applied: ``pinned_build_id: null`` unpins."""

    name: str | None = Field(None, min_length=1, max_length=200)
    pinned_build_id: str | None = None


class ResolveRequest(BranchTarget):
    build_var_id: str = Field(min_length=1, description="The app id")
    build_selection: str | None = Field(None, description="latest, latest_all_branches, "
                                                          "pinned or inherit")
    pinned_build_id: str | None = None


class ExternalBuildRequest(BranchTarget):
    url: str = Field(min_length=1, max_length=4096)
    commit_sha: str | None = Field(None, max_length=200)
    metadata: dict[str, Any] = Field(default_factory=dict)


class MultipartStartRequest(BranchTarget):
    version: str = Field(min_length=1)
    file_name: str = Field(min_length=1)
    file_size: int = Field(gt=0)


class MultipartResumeRequest(_Request):
    upload_id: str = Field(min_length=1)
    s3_upload_id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    file_name: str = Field(min_length=1)
    file_size: int = Field(gt=0)
