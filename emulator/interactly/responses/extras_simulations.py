"""What the simulation routes answer (spec §4.10): simulation configs, their run groups and the
individual runs (conversations) of a group."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from emulator.interactly.models.documents import SimulationConfig, SimulationWorkflowDetails
from emulator.interactly.responses.common import EntityFields, ObjectIdKey, PageFields
from emulator.interactly.responses.extras import RunStatus
from emulator.web.contract import WireModel

SimulationStatus = Literal["pending", "running", "completed", "failed", "cancelled"]


class StoredSimulationSide(SimulationWorkflowDetails):
    """``SimulationWorkflowDetails`` as stored: unknown keys sent by the client are kept."""

    model_config = ConfigDict(extra="allow")


class StoredSimulationConfig(SimulationConfig):
    """``SimulationConfig`` as stored: names, version names and ``run_by`` filled in, unknown
    keys kept."""

    model_config = ConfigDict(extra="allow")

    selected_workflow: StoredSimulationSide | None = None
    counter_workflow: StoredSimulationSide | None = None


class Simulation(EntityFields):
    simulation_config: StoredSimulationConfig
    status: SimulationStatus = Field(description="Status of the latest run group")


class SimulationResponse(WireModel):
    simulation: Simulation


class SimulationListResponse(PageFields):
    simulations: list[Simulation]


class SimulationGroup(WireModel):
    """One ``run`` of a simulation: ``total_runs`` individual conversations, executed one per
    clock second."""

    object_id: ObjectIdKey
    id: str
    simulation_config_id: str
    simulation_name: str | None
    status: SimulationStatus
    total_runs: int
    completed_runs: int
    failed_runs: int
    cancelled_runs: int
    runner_name: str | None
    team_id: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


class SimulationGroupResponse(WireModel):
    simulation_group: SimulationGroup


class SimulationGroupListResponse(PageFields):
    simulation_groups: list[SimulationGroup]


class SimulationIndividualRun(WireModel):
    """One conversation between the selected and the counter workflow."""

    object_id: ObjectIdKey
    id: str
    simulation_group_id: str
    simulation_config_id: str
    run_index: int
    selected_workflow_run_id: str | None
    counter_workflow_run_id: str | None
    status: SimulationStatus
    error_message: str | None
    termination_reason: str | None = Field(
        description="Why the conversation ended, e.g. selected_workflow_completed, "
                    "max_events_reached, execution_error, stopped")
    turns: int
    selected_events: int
    counter_events: int
    selected_turns: int
    counter_turns: int
    team_id: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


class SimulationIndividualRunListResponse(PageFields):
    individual_runs: list[SimulationIndividualRun]


class TranscriptLine(WireModel):
    speaker: Literal["selected", "counter"]
    content: str


class SimulationDetailedRun(SimulationIndividualRun):
    transcript: list[TranscriptLine]
    selected_workflow_id: str | None
    selected_workflow_name: str | None
    selected_workflow_status: RunStatus | None
    counter_workflow_id: str | None
    counter_workflow_name: str | None
    counter_workflow_status: RunStatus | None


class SimulationDetailedRunsResponse(WireModel):
    individual_runs: list[SimulationDetailedRun]
    total: int


class SimulationSideSummary(WireModel):
    """Outcome of one side (selected or counter workflow) over the finished runs of a
    group."""

    workflow_id: str
    workflow_name: str | None
    version_number: int | None
    total_runs: int
    evaluated_runs: int
    completed_runs: int
    failed_runs: int
    run_statuses: dict[str, int] = Field(description="run status (or not_started) -> count")
    total_turns: int
    total_events: int
    average_turns: float
    average_events: float
    success_rate: float


class SimulationEvaluationSummaryResponse(WireModel):
    simulation_id: str
    group_id: str
    group_status: SimulationStatus
    selected_workflow_summary: SimulationSideSummary
    counter_workflow_summary: SimulationSideSummary
