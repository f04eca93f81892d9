"""What Revyl's workflow routes answer (spec §4, §8.2-8.4). Mind the ``duration`` trap: a
*string* in ``WorkflowStatusResponse``, a number in the task and the unified report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator.revyl.responses import (
    AsyncStatus,
    RevylModel,
    SessionStatus,
    TestPlatform,
    WorkflowStatus,
)

# ``last_execution.status`` and ``execution_history[].status`` of the workflow list use the
# older vocabulary (spec §8.2).
LegacyWorkflowStatus = Literal["success", "failure", "not_run", "running", "timeout",
                               "cancelled"]


class ExecuteWorkflowAsyncAPIResponse(RevylModel):
    status: AsyncStatus
    message: str
    id: str
    task_id: str = Field(description="The workflow execution id again")


class WorkflowStatusMetadata(RevylModel):
    """What this run took from its workflow's settings and the request's overrides."""

    source: str
    concurrency_limit: int
    retries: int = Field(description="Attempts per test")
    build_config: dict[str, Any] | None = Field(
        description="The app override the run applied (the request's, else the workflow's "
                    "while override_build_config is on)")
    location_config: dict[str, Any] | None = Field(
        description="The GPS override the run applied, likewise")
    quarantined_test_ids: list[str] = Field(
        description="Tests whose failures do not fail this run (failure_policy ignore_failure)")


class ChildBuild(RevylModel):
    """The app build a child ran, when the run applied a build override (else nulls)."""

    app_id: str | None
    app_name: str | None
    build_id: str | None
    build_version: str | None


class WorkflowChildTask(ChildBuild):
    """One test execution of the workflow, as ``child_tasks`` lists it."""

    id: str
    task_id: str
    test_id: str
    test_name: str
    session_id: str | None
    status: SessionStatus
    success: bool | None
    error_message: str | None
    execution_time_seconds: float | None


class WorkflowStatusResponse(RevylModel):
    execution_id: str
    task_id: str
    workflow_id: str
    workflow_name: str
    status: WorkflowStatus
    progress: float = Field(description="0-100")
    completed_tests: int
    total_tests: int
    passed_tests: int
    failed_tests: int
    started_at: str | None
    estimated_completion: str | None
    duration: str | None = Field(description='Human text such as "1m 41s" (a string: the CLI '
                                             "decodes it as one)")
    error_message: str | None
    success: bool | None
    metadata: WorkflowStatusMetadata
    child_tasks: list[WorkflowChildTask]


class WorkflowTestExecutionRef(RevylModel):
    id: str
    session_id: str | None
    workflow_run_id: str


class WorkflowTaskTest(RevylModel):
    """Per-test result the GitHub Action counts passes and failures from."""

    task_id: str
    test_id: str
    test_name: str
    status: Literal["initializing", "queued", "starting", "running", "verifying", "stopping",
                    "passed", "failed", "cancelled", "timeout"] = Field(
        description="The child's status, with completed reported as passed")
    error: str | None


class WorkflowExecutionsUpdate(RevylModel):
    """``workflows/tasks/workflow_task``: the execution record, plus ``tests`` and the
    pass/fail counts the Action reads."""

    id: str
    task_id: str
    workflow_id: str
    workflow_name: str
    source: str
    status: WorkflowStatus
    success: bool | None
    started_at: str | None
    created_at: str
    updated_at: str
    completed_at: str | None
    total_tests: int
    completed_tests: int
    passed_tests: int
    failed_tests: int
    duration: float | None = Field(description="Seconds")
    concurrency_limit: int
    error_message: str | None
    test_executions: list[WorkflowTestExecutionRef]
    tests: list[WorkflowTaskTest]
    trace_id: str | None
    workflow_run_id: str


class WorkflowExecutionHistoryResponse(RevylModel):
    workflow_id: str
    executions: list[WorkflowStatusResponse] = Field(description="Newest first")
    total_count: int
    success_rate: float = Field(description="Fraction (0-1) of finished executions that "
                                            "completed")
    average_duration: float | None = Field(description="Seconds")


class WorkflowCancelResponse(RevylModel):
    success: bool = Field(description="false when the execution had already finished")
    message: str
    task_id: str
    status: WorkflowStatus


class WorkflowInfoResponse(RevylModel):
    """``get_workflow_info``: a flat ``Workflow`` whose ``tests`` are id strings."""

    id: str
    name: str
    description: str
    tests: list[str]
    schedule: str
    location_config: dict[str, Any] | None
    override_location: bool
    build_config: dict[str, Any] | None
    override_build_config: bool
    run_config: dict[str, Any] | None
    override_run_config: bool
    default_concurrency_limit: int | None
    quarantined_test_ids: list[str]


class WorkflowLastExecution(RevylModel):
    """Only ``status`` when the workflow never ran (``not_run``)."""

    status: LegacyWorkflowStatus
    last_run: str | None = None
    duration: float | None = None
    started_at: str | None = None
    id: str | None = None
    total_tests: int | None = None
    failed_count: int | None = None


class WorkflowHistoryEntry(RevylModel):
    status: LegacyWorkflowStatus
    created_at: str
    duration: float | None


class WorkflowWithLastStatus(RevylModel):
    id: str
    name: str
    test_count: int
    tests: list[str]
    last_execution: WorkflowLastExecution
    execution_history: list[WorkflowHistoryEntry]
    schedule: str | None
    deleted: bool
    override_run_config: bool
    run_config: dict[str, Any] | None
    build_config: dict[str, Any] | None
    override_build_config: bool
    location_config: dict[str, Any] | None
    override_location: bool
    quarantined_test_ids: list[str]


class GetWorkflowsWithLastStatusResponse(RevylModel):
    data: list[WorkflowWithLastStatus]
    count: int = Field(description="Items on this page")
    has_more: bool
    limit: int
    offset: int
    total_count: int


class WorkflowTaskInfo(RevylModel):
    id: str
    task_id: str
    workflow_id: str
    status: WorkflowStatus
    success: bool | None
    duration: float | None = Field(description="Seconds (a number here)")
    total_tests: int
    completed_tests: int
    task_ids: list[str]
    started_at: str | None
    created_at: str
    updated_at: str
    triggered_by: str
    trace_id: str | None


class UnifiedReportWorkflowDetail(RevylModel):
    id: str
    name: str
    description: str
    tests: list[str]
    run_config: dict[str, Any] | None
    schedule: str | None


class UnifiedReportTestInfo(RevylModel):
    id: str
    name: str
    platform: TestPlatform


class ChildTaskReportInfo(ChildBuild):
    task_id: str
    test_id: str
    test_name: str
    platform: TestPlatform
    status: SessionStatus
    success: bool | None
    started_at: str | None
    completed_at: str | None
    duration: float | None = Field(description="Seconds (a number here)")
    execution_time_seconds: float | None
    steps_completed: int
    total_steps: int
    progress: float
    current_step: str | None
    error_message: str | None
    share_token: str | None
    is_shared: bool


class UnifiedReportResponse(RevylModel):
    """``workflows/share/unified-report``: the workflow run with one row per test."""

    workflow_task: WorkflowTaskInfo
    workflow_detail: UnifiedReportWorkflowDetail
    test_info: list[UnifiedReportTestInfo]
    child_tasks: list[ChildTaskReportInfo]
    child_share_status: dict[str, Any]
    is_public_view: bool
    video_metadata: dict[str, Any] | None


# ---------------------------------------------------------------------------- management
class WorkflowRecord(RevylModel):
    """``WorkflowsBaseSchema``: a workflow definition with its stored settings."""

    id: str
    name: str
    owner: str
    org_id: str | None
    schedule: str
    deleted: bool
    tests: list[str]
    created_at: str | None
    updated_at: str | None
    last_run: str | None
    build_config: dict[str, Any] | None
    override_build_config: bool
    location_config: dict[str, Any] | None
    override_location: bool
    run_config: dict[str, Any] | None
    override_run_config: bool
    default_concurrency_limit: int | None = Field(description="null: no workflow cap (the "
                                                              "org's limit applies)")
    quarantined_test_ids: list[str]


class CreateWorkflowResponse(RevylModel):
    data: WorkflowRecord


class DeleteWorkflowResponse(RevylModel):
    data: WorkflowRecord = Field(description="The deleted workflow, ``deleted: true``")
    message: str


class WorkflowUpdateResponse(RevylModel):
    """What every ``update_*`` route answers (the CLI only reads the status)."""

    message: str
    data: WorkflowRecord


class WorkflowInfoTestItem(RevylModel):
    id: str
    name: str
    platform: TestPlatform
    last_status: SessionStatus | None = Field(description="Of the test's newest run in this "
                                                          "workflow")
    last_execution_time: str | None
    last_duration: float | None = Field(description="Seconds")


class WorkflowInfoLite(RevylModel):
    id: str
    name: str
    test_info: list[WorkflowInfoTestItem]


class WorkflowInfoLiteResponse(RevylModel):
    """``get_info/{workflow_id}``: names, platforms and last results of the tests."""

    data: WorkflowInfoLite


class WorkflowTestWithPolicy(RevylModel):
    id: str = Field(description="The workflow-test attachment id (PATCH workflow-tests/{id})")
    workflow_id: str
    test_id: str
    test_name: str | None
    platform: TestPlatform | None
    failure_policy: Literal["fail_workflow", "ignore_failure"]


class WorkflowTestsResponse(RevylModel):
    data: list[WorkflowTestWithPolicy]


class FailurePolicyResponse(RevylModel):
    message: str
    data: WorkflowTestWithPolicy


class WorkflowShareableLinkResponse(RevylModel):
    shareable_link: str
    workflow_task_id: str
    expires_in_hours: int | None = Field(description="null: the link does not expire")
    child_links_created: int | None
