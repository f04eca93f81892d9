"""What Revyl's variable, org-file and account routes answer: per-test, global and launch
variables, StoreKit config references, the file library, the billing plan, the dashboard
metrics, CLI key revocation and support requests. Field names and null-ness are those of the
structs the CLI 0.1.195 decodes (``?`` omitted when empty, ``*`` nullable)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from emulator.revyl.responses import RevylModel


# ---------------------------------------------------------------------------- custom (per test)
class CustomVariable(RevylModel):
    id: str = Field(description="Stable: a rename keeps it")
    test_uid: str
    variable_name: str
    variable_value: str = Field(description="Empty for a name-only variable")


class CustomVariablesResponse(RevylModel):
    message: str
    result: list[CustomVariable]


class CustomVariableResponse(RevylModel):
    message: str
    result: CustomVariable


class DeleteCustomVariablesResponse(RevylModel):
    message: str
    deleted: int = Field(description="How many variables the test had")


class CheckVariableExistsResponse(RevylModel):
    exists: bool
    variable_name: str | None = None
    variable_value: str | None = None


# ---------------------------------------------------------------------------- global (org)
class GlobalVariableRow(RevylModel):
    id: str
    org_id: str
    variable_name: str
    variable_value: str | None = Field(description="null for a secret: never read back")
    is_secret: bool
    has_secret_value: bool = Field(description="A secret with a non-empty value")
    description: str | None
    created_by: str
    created_at: str
    updated_at: str


class GlobalVariablesResponse(RevylModel):
    message: str
    result: list[GlobalVariableRow]


class GlobalVariableSavedResponse(RevylModel):
    """The CLI's ``GlobalVariableResponse`` (renamed: Interactly has a model of that name)."""

    message: str
    result: GlobalVariableRow


# ---------------------------------------------------------------------------- launch variables
class OrgLaunchVariable(RevylModel):
    id: str
    org_id: str
    key: str
    kind: Literal["key_value"]
    value: str = Field(description="Empty for a secret")
    is_secret: bool
    has_value: bool
    description: str | None = None
    created_by: str
    created_at: str
    updated_at: str
    attached_test_count: int


class OrgLaunchVariablesResponse(RevylModel):
    """The org's launch variables, or a test's attachments (GET and PUT)."""

    message: str
    result: list[OrgLaunchVariable]


class OrgLaunchVariableResponse(RevylModel):
    message: str
    result: OrgLaunchVariable


class OrgLaunchVariableDeleteResponse(RevylModel):
    message: str
    result: OrgLaunchVariable
    detached_test_count: int = Field(description="Tests it was attached to")


# ---------------------------------------------------------------------------- StoreKit refs
class StoreKitConfigRef(RevylModel):
    id: str
    scope_type: Literal["app", "build", "test"]
    scope_id: str
    mode: Literal["file", "disabled"]
    file_id: str | None
    filename: str | None = Field(description="null when the file was deleted since")
    file_size: int | None


class StoreKitConfigRefResponse(RevylModel):
    message: str
    result: StoreKitConfigRef | None = Field(description="null: the scope inherits the "
                                                         "default")


# ---------------------------------------------------------------------------- org files
class OrgFile(RevylModel):
    id: str
    org_id: str
    user_id: str
    filename: str
    file_size: int
    content_type: str
    description: str | None = None
    status: Literal["pending", "uploaded"]
    created_at: str
    updated_at: str


class OrgFileListResponse(RevylModel):
    files: list[OrgFile]
    count: int = Field(description="Completed files in all (the page may hold fewer)")


class OrgFileUploadResponse(RevylModel):
    file: OrgFile
    upload_url: str = Field(description="PUT the bytes here, with exactly content_type")
    s3_key: str
    expires_in: int = Field(description="Seconds")
    content_type: str


class OrgFileDownloadResponse(RevylModel):
    url: str = Field(description="GET the bytes here")
    filename: str
    expires_in: int


# ---------------------------------------------------------------------------- account
class BillingPlanResponse(RevylModel):
    plan: str
    display_name: str
    monthly_base: float
    free_credit_label: str
    billing_exempt: bool


class DashboardMetrics(RevylModel):
    """Computed from the namespace's state on every read."""

    total_tests: int
    total_workflows: int
    test_runs: int = Field(description="Test executions remembered (workflow children too)")
    success_run_count: int
    failure_run_count: int
    workflow_run_count: int
    tests_failing_count: int = Field(description="Tests whose latest finished run failed")
    tests_failing_percent: float
    avg_test_duration: float | None = Field(description="Seconds; null before any finished "
                                                        "run")
    org_has_apps: bool
    checklist_app_uploaded: bool
    checklist_test_created: bool
    checklist_session_started: bool
    connected_integrations: list[str]
    has_atlas_map: bool
    has_exploration: bool
    analytics_degraded: bool


class RevokeCLIAPIKeyResponse(RevylModel):
    success: bool
    message: str


class SupportRequestResponse(RevylModel):
    sent: bool


class DeviceLogsDownloadResponse(RevylModel):
    """What a report with captured device logs answers (the emulator never has any: 404)."""

    compressed: bool
    download_url: str
    file_size_bytes: int | None = None
    filename: str
    partial: bool | None = None
