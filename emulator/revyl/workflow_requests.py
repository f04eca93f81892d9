"""Request bodies of the workflow management routes (create, rename, tests, settings,
failure policies, share links), lenient the way the rest of Revyl's request models are.

Several update calls mean different things by a field that is absent and a field that is
``null`` (``{"default_concurrency_limit": null}`` clears the cap, leaving it out keeps it;
``workflow app enable`` sends only ``override_build_config``), so those models hand the
service only the fields the client sent (:meth:`_Partial.changes`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from emulator.revyl.models import LocationConfig, TestRunConfig

FailurePolicy = Literal["fail_workflow", "ignore_failure"]
BuildSelection = Literal["inherit", "latest", "latest_all_branches", "pinned"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Partial(_Request):
    def changes(self) -> dict[str, Any]:
        """Only the fields present in the body, nested models as plain dicts."""
        return {name: value for name, value in self.model_dump(exclude_none=False).items()
                if name in self.model_fields_set}


class CreateWorkflowRequest(_Request):
    """``WorkflowData``: ``revyl workflow create`` sends every field but ``org_id``."""

    name: str = Field(min_length=1, max_length=200)
    tests: list[str] = Field(default_factory=list)
    schedule: str | None = "No Schedule"
    owner: str | None = None
    org_id: str | None = None


class RenameWorkflowRequest(_Request):
    name: str = Field(min_length=1, max_length=200)


class WorkflowTestIds(RootModel[list[str]]):
    """``update_tests``: a bare JSON array of test ids, the full new list."""


class PlatformBuild(_Request):
    """One platform's saved app choice; ``app set`` sends ``branch_id``, ``build_selection``
    and ``pinned_build_id`` (null when unset), older clients ``pinned_version``."""

    app_id: str = Field(min_length=1)
    branch_id: str | None = None
    build_selection: BuildSelection | None = None
    pinned_build_id: str | None = None
    pinned_version: str | None = None


class BuildConfig(_Request):
    ios_build: PlatformBuild | None = None
    android_build: PlatformBuild | None = None

    def stored(self) -> dict[str, Any]:
        """What is kept: the platforms that were given, without their unset keys."""
        return {key: value.model_dump(exclude_none=True)
                for key, value in (("ios_build", self.ios_build),
                                   ("android_build", self.android_build))
                if value is not None}


class UpdateBuildConfigRequest(_Partial):
    build_config: BuildConfig | None = None
    override_build_config: bool | None = None

    def changes(self) -> dict[str, Any]:
        found = super().changes()
        if "build_config" in found:
            found["build_config"] = (self.build_config.stored()
                                     if self.build_config is not None else None)
        return found


class UpdateLocationConfigRequest(_Request):
    location_config: LocationConfig | None = None
    override_location: bool = False

    def location(self) -> dict[str, float] | None:
        return None if self.location_config is None else self.location_config.model_dump()


class UpdateRunConfigRequest(_Partial):
    """``config set`` sends ``run_config`` with ``override_run_config`` (both as stored, with
    the retries changed) and/or ``default_concurrency_limit`` (null removes the cap)."""

    run_config: TestRunConfig | None = None
    override_run_config: bool | None = None
    default_concurrency_limit: int | None = Field(None, ge=1, le=1000)

    def changes(self) -> dict[str, Any]:
        found = super().changes()
        if "run_config" in found and self.run_config is not None:
            found["run_config"] = self.run_config.model_dump(exclude_unset=True)
        return found


class UpdateFailurePolicyRequest(_Request):
    failure_policy: FailurePolicy


class WorkflowShareLinkRequest(_Request):
    workflow_task_id: str = Field(min_length=1)
    origin: str | None = None
    expiration_hours: int | None = Field(None, ge=1, le=24 * 3650)
    include_child_tests: bool = False
