"""Shared catalogue documents: workflow templates, node libraries and simulations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from emulator.interactly.models.common import AccessControlLevel, Doc, prefixed_id


class WorkflowTemplateConfig(Doc):
    """A workflow published as a template."""

    logical_id: str | None = Field(default_factory=prefixed_id("workflow_template"))
    workflow_id: str | None = None
    access_level: AccessControlLevel | None = AccessControlLevel.PERSONAL
    access_list: list[str] | None = None


class NodeLibraryConfig(Doc):
    """A named set of saved nodes."""

    logical_id: str | None = Field(default_factory=prefixed_id("node_library"))
    name: str | None = None
    description: str | None = None
    nodes: list[str] | None = Field(default_factory=list, description="Node ids")
    access_level: AccessControlLevel | None = AccessControlLevel.PERSONAL
    access_list: list[str] | None = None


class SimulationStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SimulationWorkflowDetails(Doc):
    """One side of a simulation (the workflow under test or the simulated user)."""

    workflow_id: str | None = None
    version_number: int | None = 0
    version_name: str | None = None
    name: str | None = None
    dynamic_variables: dict | None = Field(default_factory=dict)
    total_events: int | None = 0
    total_nodes: int | None = 0
    total_duration_seconds: int | None = 0
    run_id: str | None = None


class SimulationConfig(Doc):
    """Two workflows talking to each other: the selected one and its counterpart."""

    logical_id: str | None = Field(default_factory=prefixed_id("simulation"))
    name: str | None = None
    description: str | None = None
    selected_workflow: SimulationWorkflowDetails | None = Field(
        default_factory=SimulationWorkflowDetails)
    counter_workflow: SimulationWorkflowDetails | None = Field(
        default_factory=SimulationWorkflowDetails)
    timeout_seconds: int | None = 120
    max_events: int | None = 3000
    number_of_simulations: int | None = 1
    max_concurrent_runs: int | None = 1
    assistant_starts_first: bool | None = True
    stop_on_failure: bool | None = False
    status: SimulationStatus | None = SimulationStatus.PENDING
    run_by: str | None = None
