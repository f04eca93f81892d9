"""Request models of the Revyl API, lenient the way the real backend is.

Unknown fields are ignored (clients send many the schema lacks) and pydantic's lax mode coerces
``"3"`` to ``3`` (the GitHub Action sends ``retries`` as a string). Nested configs are kept as
plain dicts after validation: the emulator echoes them but does not act on most of them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LocationConfig(_Request):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class ExecutionModeConfig(_Request):
    human_in_the_loop: bool = False
    enable_reflection: bool = True
    enable_planning: bool = False
    retries: int = 1
    reflection_retries: int = 1
    skip_app_install: bool = False
    grounder_type: str | None = None
    network_capture: bool = True
    initial_location: LocationConfig | None = None
    initial_orientation: str | None = None
    initial_locale: str | None = None


class LLMConfig(_Request):
    primary_model: str | None = None
    reflection_model: str | None = None
    planning_model: str | None = None


class TestRunConfig(_Request):
    llm_config: LLMConfig | None = None
    execution_mode: ExecutionModeConfig | None = None
    run_id: str | None = None
    cache_retry_mode: str | None = None
    fallback_trigger: str | None = None
    disable_grid: bool | None = None
    disable_video_validation: bool | None = None
    fail_fast: bool | None = None


class ExecuteTestRequest(_Request):
    """``TaskID``: body of execute_test_id_async (seed 001)."""

    test_id: str = Field(min_length=1)
    get_downloads: bool | None = False
    device_local: bool | None = None
    backend_url: str | None = None
    test_entrypoint: str | None = None
    retries: int | None = Field(1, ge=0, le=100)
    source: str | None = "api"
    app_link: str | None = None
    build_version_id: str | None = None
    llm_model_name: str | None = None
    run_config: TestRunConfig | None = None
    device_model: str | None = None
    os_version: str | None = None
    launch_env_var_ids: list[str] | None = None
    launch_env_vars: dict[str, str] | None = None
    launch_arguments: list[str] | None = None
    variable_overrides: dict[str, str] | None = None

    def recorded(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude_defaults=True)


class PlatformApp(_Request):
    app_id: str = Field(min_length=1)
    pinned_version: str | None = None


class WorkflowAppConfig(_Request):
    ios_build: PlatformApp | None = None
    android_build: PlatformApp | None = None


class ExecuteWorkflowRequest(_Request):
    """``WorkflowInfo``: body of execute_workflow_id_async / workflow-executions (seed 000)."""

    workflow_id: str = Field(min_length=1)
    run_config: TestRunConfig | None = None
    build_config: WorkflowAppConfig | None = None
    override_build_config: bool = False
    variable_overrides: dict[str, str] | None = None
    launch_env_var_ids: list[str] | None = None
    launch_env_vars: dict[str, str] | None = None
    launch_arguments: list[str] | None = None
    retries: int | None = Field(1, ge=0, le=100)
    concurrency_limit_override: int | None = Field(None, ge=0, le=100)  # 0: no workflow cap
    location_config: LocationConfig | None = None
    override_location: bool = False

    def recorded(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude_defaults=True)


class UnifiedReportRequest(_Request):
    workflow_task_id: str = Field(min_length=1)
    token: str | None = None
    include_video_metadata: bool = False


class ShareableLinkRequest(_Request):
    test_id: str | None = None
    history_id: str | None = None
    task_id: str | None = None
    origin: str | None = None
    expiration_hours: int | None = Field(None, ge=1, le=24 * 365)


class AppCreateRequest(_Request):
    name: str = Field(min_length=1, max_length=200)
    platform: str = Field(min_length=1)
    description: str | None = None


class AppUpdateRequest(_Request):
    name: str | None = Field(None, min_length=1, max_length=200)
    default_branch_id: str | None = Field(None, min_length=1)  # `revyl app branch default`
    static_url: str | None = None
    current_version: str | None = None
    description: str | None = None
    system_prompt: str | None = None


class BuildUpdateRequest(_Request):
    metadata: dict[str, Any] | None = None
    package_name: str | None = None
    version: str | None = Field(None, min_length=1)


class BranchTarget(_Request):
    """Where an upload lands (CLI 0.1.195): a branch by id or name, else the default one.
    ``git_branch_name`` is recorded by clients; Git detection is off in the emulator."""

    branch_id: str | None = None
    branch_name: str | None = None
    git_branch_name: str | None = None


class BuildFromUrlRequest(BranchTarget):
    from_url: str = Field(min_length=1)
    version: str = Field(min_length=1)
    headers: dict[str, str] | None = None
    metadata: dict[str, Any] | None = None
    set_as_current: bool = False
    pin: bool = False
    fingerprint_hash: str | None = None


class UploadSessionRequest(BranchTarget):
    version: str = Field(min_length=1)
    file_name: str = Field(min_length=1)


class BuildFromUploadRequest(_Request):
    upload_id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    set_as_current: bool = False
    pin: bool = False


class CompleteUploadRequest(BranchTarget):
    version_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    package_name: str | None = None
    set_as_current: bool = False
    pin: bool = False  # 0.1.195 sends this instead of set_as_current
