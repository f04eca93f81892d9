"""Pydantic models of what Revyl's routes answer (declared on the routes as ``response_model``;
checked under ``--strict``, published in ``/openapi/revyl.json``). Names follow the real
service's schemas (../shared/spec/revyl.md) where it has them.

This module holds the shared base and enums, and the account, test-execution, test and report
answers; workflows, builds and test YAML have their own modules (``responses_workflows``,
``responses_builds``, ``responses_yaml``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from emulator.web.contract import WireModel


class RevylModel(WireModel):
    """``strict`` on top of ``extra="forbid"``: the Go CLI's decoder rejects ``3.0`` for an
    int, a number for a string and ``1`` for a bool (spec §1.4), so ``--strict`` must too.
    ``defer_build``: Revyl's routes are built at start-up and FastAPI does not need the
    validators to register a model, so each is built on first use (a ``--strict`` check, the
    OpenAPI document) instead; that took ~100 ms off every start."""

    model_config = ConfigDict(strict=True, defer_build=True)


# ``AsyncStatus`` of the execute answers (spec §3.1, §7.3).
AsyncStatus = Literal["initialized", "initializing", "queued", "running", "completed", "failed",
                      "cancelled"]
# ``SessionStatus`` (spec §3.2, §7.1), plus ``initializing``: the emulator's first state, the
# one the execute answer reports (an ``AsyncStatus`` value), is also what polling sees first.
SessionStatus = Literal["initializing", "queued", "starting", "running", "verifying",
                        "stopping", "completed", "failed", "cancelled", "timeout"]
# ``WorkflowStatus`` (spec §4.2, §7.2).
WorkflowStatus = Literal["queued", "setup", "running", "completed", "failed", "cancelled",
                         "timeout"]
# Test definitions keep the lower-case platform; apps keep ``iOS``/``Android`` (spec §5.1).
TestPlatform = Literal["ios", "android"]


# ---------------------------------------------------------------------------- account
class HealthCheckResponse(RevylModel):
    status: Literal["healthy"]


class AuthInfo(RevylModel):
    """``get_user_uuid``: who the bearer key belongs to."""

    user_id: str
    org_id: str
    org_name: str
    email: str
    api_key: str = Field(description="The key, masked: its first characters and an ellipsis")
    concurrency_limit: int
    ios_concurrency_limit: int
    android_concurrency_limit: int
    permissions: list[str]
    user_role: str
    billing_exempt: bool
    service: bool
    proxy_enabled: bool


class TelemetryResponse(RevylModel):
    """Telemetry is accepted and dropped."""

    success: bool


# ---------------------------------------------------------------------------- executions
class ExecuteTestAsyncAPIResponse(RevylModel):
    status: AsyncStatus
    message: str
    id: str
    task_id: str = Field(description="The execution id again (clients of every age read it)")


class TestStatusMetadata(RevylModel):
    attempt: int = Field(description="1-based attempt now running (or the last one)")
    retries: int = Field(description="Attempts allowed in total")
    source: str = Field(description="cli, ci_cd, api, workflow, or what the request said")
    build_version_id: str | None


class TestStatusResponse(RevylModel):
    """``get_test_execution_task``: what the CLI polls."""

    id: str
    task_id: str
    test_id: str
    test_name: str
    platform: TestPlatform
    status: SessionStatus
    progress: float = Field(description="0-100")
    current_step: str | None
    current_step_index: int = Field(description="0-based")
    total_steps: int
    steps_completed: int
    error_message: str | None
    execution_errors: list[str] | None
    validation_failures: list[str] | None
    success: bool | None = Field(description="null until the execution is terminal")
    workflow_run_id: str | None
    test_history_id: str
    metadata: TestStatusMetadata
    created_at: str
    started_at: str | None
    completed_at: str | None
    execution_time_seconds: float | None


class EnhancedTaskMetadata(RevylModel):
    attempt: int


class TestExecutionTasksEnhanced(RevylModel):
    """The per-execution record inside test history (and SSE completion events)."""

    id: str
    test_id: str
    org_id: str
    session_id: str | None
    status: SessionStatus
    success: bool | None
    progress: float
    current_step: str | None
    current_step_index: int
    total_steps: int
    steps_completed: int
    error_message: str | None
    execution_time_seconds: float | None
    started_at: str | None
    completed_at: str | None
    created_at: str
    updated_at: str
    metadata: EnhancedTaskMetadata
    test_history_id: str
    platform: TestPlatform
    workflow_execution_id: str | None
    was_quarantined: bool


class CancelTestResponse(RevylModel):
    success: bool = Field(description="false when the execution had already finished")
    message: str
    task_id: str
    status: SessionStatus = Field(description="The execution's status after the call")


# ---------------------------------------------------------------------------- tests
class TestTag(RevylModel):
    id: str
    name: str
    color: str


class MobileTarget(RevylModel):
    """A device target as ``PATCH .../device-target`` stored it (unset fields left out)."""

    device_model: str | None = None
    os_version: str | None = None
    orientation: str | None = None


class TestResourceMetadata(RevylModel):
    variables: dict[str, str]


class TestResourceResponse(RevylModel):
    """``get_test_by_id``; the ``last_*`` fields only once the test has run."""

    id: str
    name: str
    platform: TestPlatform
    description: str
    tasks: list[dict[str, Any]] = Field(description="The test's blocks, as stored")
    version: int
    app_id: str | None
    pinned_version: str | None
    owner: str
    user_id: str
    last_modified_by: str
    tags: list[TestTag]
    retries: int
    test_timeout_seconds: int
    mobile_targets: list[MobileTarget]
    metadata: TestResourceMetadata
    last_status: SessionStatus | None = None
    last_execution_id: str | None = None
    last_execution_time: str | None = None
    last_duration: float | None = None


class SimpleTest(RevylModel):
    id: str
    name: str
    platform: TestPlatform
    app_id: str | None
    app_name: str | None
    tags: list[TestTag]


class DeleteTestResponse(RevylModel):
    """``DELETE /api/v1/tests/delete/{test_id}`` (the CLI's ``DeleteTestResponse``)."""

    id: str = Field(description="The deleted test's id")
    message: str


class SimpleTestsResponse(RevylModel):
    tests: list[SimpleTest]
    count: int = Field(description="Tests matching the search, before limit/offset")


class TestHistoryItem(RevylModel):
    id: str = Field(description="The test history id")
    test_uid: str
    execution_time: str
    status: SessionStatus
    duration: float | None
    has_report: bool
    enhanced_task: TestExecutionTasksEnhanced


class TestEnhancedHistoryResponse(RevylModel):
    items: list[TestHistoryItem]
    total_count: int
    requested_count: int
    found_count: int


class ReportStep(RevylModel):
    id: str
    execution_order: int
    step_type: str
    step_description: str
    status: Literal["passed", "failed", "running", "pending"]
    success: bool


class LaunchEnvVarSnapshotEntry(RevylModel):
    """One launch variable a run started with (emulator/revyl/variables.py)."""

    id: str | None = Field(description="null for an inline launch_env_vars entry")
    key: str
    kind: Literal["key_value"]
    value: str | None = Field(description="null for a secret")
    is_secret: bool
    overridden: bool = Field(description="The run's inline launch_env_vars set the value")


class ReportContextResponse(RevylModel):
    """reports-v3 by-execution context; ``steps`` only with ``include_steps=true``; the
    ``launch_env_var_*`` fields only when the run had launch variables."""

    id: str = Field(description="The test history id")
    org_id: str
    execution_id: str
    test_id: str
    test_name: str
    platform: TestPlatform
    session_status: SessionStatus
    success: bool | None
    error_message: str | None
    total_steps: int
    passed_steps: int
    failed_steps: int
    app_name: str | None
    build_version: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    completed_at: str | None
    duration_seconds: float | None
    report_url: str
    workflow_execution_id: str | None
    launch_env_var_ids: list[str] | None = None
    launch_env_var_keys: list[str] | None = None
    launch_env_var_snapshot: list[LaunchEnvVarSnapshotEntry] | None = None
    steps: list[ReportStep] | None = None


# ---------------------------------------------------------------------------- reports
class ShareableReportLinkResponse(RevylModel):
    shareable_link: str
    task_id: str
    expires_in_hours: int
