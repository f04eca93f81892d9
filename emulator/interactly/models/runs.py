"""Workflow runs: one turn's input and output, the pair stored per turn, and the run record."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from emulator.interactly.models.common import (
    BaseRunInput,
    BaseRunOutput,
    CommentConfig,
    Doc,
    EvaluationRunInfo,
    RatingConfig,
    prefixed_id,
)
from emulator.interactly.models.nodes import NodeRunInput, NodeRunOutput
from emulator.interactly.models.workflow import WorkflowConfigFullyHydrated


class WorkflowCommand(StrEnum):
    START = "start"
    DATA = "data"
    RESUME = "resume"
    PAUSE = "pause"
    STOP = "stop"


class WorkflowStatus(StrEnum):
    NOT_STARTED = "not_started"
    STARTED = "started"
    RUNNING = "running"
    FAILED = "failed"
    COMPLETED = "completed"
    PAUSED = "paused"
    WAITING_FOR_USER_INPUT = "waiting_for_user_input"
    CANCELLED = "cancelled"
    ABORTED_LOOPING_RISK = "aborted_looping_risk"


class NodesRunInputs(Doc):
    """The node run inputs addressed to one thread."""

    node_run_inputs: list[NodeRunInput] = Field(default_factory=list)


class WorkflowRunInput(BaseRunInput):
    """One execute call: a command plus variables and per-thread node inputs."""

    command: WorkflowCommand = WorkflowCommand.START
    workflow_id: str | None = None
    workflow_run_id: str | None = None
    version_number: int | None = 0
    run_by: str | None = None
    team_id: str | None = None
    start_node_logical_id: str | None = None
    welcome_message: str | None = None
    initial_state: dict | None = None
    thread_to_node_inputs: dict[str, NodesRunInputs] = Field(default_factory=dict)


class WorkflowRunOutput(BaseRunOutput):
    """Events of one turn plus the node outputs per thread."""

    thread_to_node_outputs: dict[str, list[NodeRunOutput]] = Field(default_factory=dict)


class WorkflowRunInputOutputPair(Doc):
    """One turn of a run as stored: input, output, and feedback on it."""

    run_input: WorkflowRunInput | None = None
    run_output: WorkflowRunOutput | None = None
    ratings: list[RatingConfig] = Field(default_factory=list)
    comments: list[CommentConfig] = Field(default_factory=list)
    evaluation: dict | None = None
    iteration_end_state_miscellaneous: dict | None = None


class LLMTokenUsageByModel(Doc):
    provider: str | None = None
    response_model: str | None = None
    call_count: int | None = 0
    call_count_with_user_keys: int | None = 0
    call_count_with_fallback_keys: int | None = 0
    total_input_tokens: int | None = 0
    total_output_tokens: int | None = 0
    total_tokens: int | None = 0


class LLMTokenUsage(Doc):
    call_count: int | None = 0
    call_count_with_user_keys: int | None = 0
    call_count_with_fallback_keys: int | None = 0
    total_input_tokens: int | None = 0
    total_output_tokens: int | None = 0
    total_tokens: int | None = 0
    breakdown_by_models: list[LLMTokenUsageByModel] | None = None


class LLMLatencyStatsByModel(Doc):
    provider: str | None = None
    response_model: str | None = None
    call_count: int | None = 0
    total_latency_milliseconds: int | None = 0
    average_latency_milliseconds: float | None = 0.0


class LLMLatencyStats(Doc):
    call_count: int | None = 0
    total_latency_milliseconds: int | None = 0
    average_latency_milliseconds: float | None = 0.0
    breakdown_by_models: list[LLMLatencyStatsByModel] | None = None


class WorkflowRun(Doc):
    """The stored run: the hydrated workflow it ran, every turn, status and usage."""

    logical_id: str | None = Field(default_factory=prefixed_id("workflow_run"))
    workflow_run_id: str | None = None
    workflow_id: str | None = None
    version_number: int | None = 0
    version_name: str | None = "Initial Version"
    workflow_config_fully_hydrated: WorkflowConfigFullyHydrated | None = None
    input_output_pairs: list[WorkflowRunInputOutputPair] = Field(default_factory=list)
    status: WorkflowStatus = WorkflowStatus.NOT_STARTED
    run_by: str | None = None
    termination_source: str | None = None
    voice_conversation_id: str | None = None
    source_workflow_run_id: str | None = None
    checkpoint_source_turn_index: int | None = None
    is_evaluation_run: bool = False
    evaluation_run_info: EvaluationRunInfo | None = None
    comments: list[CommentConfig] = Field(default_factory=list)
    llm_token_usage: LLMTokenUsage | None = None
    llm_latency_stats: LLMLatencyStats | None = None
    carried_over_llm_token_usage: LLMTokenUsage | None = None
    carried_over_llm_latency_stats: LLMLatencyStats | None = None
    miscellaneous: dict | None = None
