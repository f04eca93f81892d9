"""Run events (spec §2) as the engine emits them, and the stored turn (input/output pair) that
holds them: in the execute answer, the WebSocket frames and the stored run document.

Every event is one flat object discriminated by ``type``: the common envelope, plus the node
fields (``origin_node_*``) or the edge fields (``edge_*``, source/destination) where the event
comes from a node or an edge, plus its own fields. Only the types the emulator emits are
listed; a new one fails ``--strict`` until it is declared here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, SkipValidation

from emulator.interactly.models.common import CommentConfig, RatingConfig
from emulator.interactly.models.nodes import LLMNodeRunInput, NodeRunOutput
from emulator.interactly.models.runs import (
    LLMLatencyStats,
    LLMLatencyStatsByModel,
    LLMTokenUsage,
    LLMTokenUsageByModel,
    WorkflowRunInput,
    WorkflowRunInputOutputPair,
    WorkflowRunOutput,
)
from emulator.web.contract import WireModel


# -------------------------------------------------------------------------------- messages
class HumanChatMessage(WireModel):
    """A user message as LangChain dumps it."""

    content: str | list[Any]
    additional_kwargs: dict[str, Any]
    response_metadata: dict[str, Any]
    type: Literal["human"]
    name: str | None
    id: str | None


class AIChatMessage(WireModel):
    """An assistant message (also the navigation memos, ``id`` ``nav_msg_<uuid>``)."""

    content: str | list[Any]
    additional_kwargs: dict[str, Any]
    response_metadata: dict[str, Any]
    type: Literal["ai"]
    name: str | None
    id: str | None
    tool_calls: list[dict[str, Any]]
    invalid_tool_calls: list[dict[str, Any]]
    usage_metadata: dict[str, Any] | None


class LLMUsageInfo(WireModel):
    """Which model answered and what it cost (the fake LLM reports zeros)."""

    response_model: str | None
    named_llm_config_id: str | None
    named_llm_config_name: str | None
    provider: str | None
    ai_message_turn_id: str | None
    llm_response_id: str | None
    used_user_api_key: bool
    finish_reason: list[str]
    response_latency_milliseconds: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    was_streamed: bool
    was_estimated: bool
    structured_output_retry_metadata: dict[str, Any] | None


class OtherNodeRunOutput(WireModel):
    """The output of a node type the emulator walks without emulating it (``google_docs``,
    ``athena_*``, ...): which node ran, nothing else."""

    type: str
    node_logical_id: str
    node_run_id: str
    events: list[Any]


class TokenUsage(LLMTokenUsage, WireModel):
    """``LLMTokenUsage`` as the emulator sends it: ``breakdown_by_models`` is always a list
    (empty: no LLM is called), as the seed's run document shows it."""

    breakdown_by_models: list[LLMTokenUsageByModel]


class LatencyStats(LLMLatencyStats, WireModel):
    """``LLMLatencyStats`` as the emulator sends it: ``breakdown_by_models`` always a list."""

    breakdown_by_models: list[LLMLatencyStatsByModel]


class IterationMetrics(WireModel):
    e2e_latency_milliseconds: int
    nodes_executed_count: int
    llm_call_count: int
    tool_call_count: int
    llm_call_latency_stats: LatencyStats
    tool_call_latency_stats: LatencyStats


# ---------------------------------------------------------------------------- the envelopes
class BaseRunEvent(WireModel):
    """Fields of every event."""

    logical_id: str = Field(description="``event_<uuid>``; assistant responses reuse their "
                                        "message's id. Comments and ratings address it")
    timestamp: float = Field(description="Unix seconds (virtual time)")
    origin_thread_id: str | None = Field(description='"0" is the main thread; companions '
                                                     'are "0_companion_<thread_id>"')
    comments: list[CommentConfig]
    interrupted: bool
    thread_reference_id: str | None
    ratings: list[RatingConfig] | None = Field(
        None, description="Only on stored events that were rated")


class NodeRunEvent(BaseRunEvent):
    """An event of one node run."""

    origin_node_logical_id: str | None
    origin_node_name: str | None
    origin_node_run_id: str = Field(description='Per-node run counter: "1", "2", ...')


class EdgeRunEvent(BaseRunEvent):
    """An edge taken (or a self loop: no edge, source and destination the same node)."""

    edge_name: str | None
    edge_logical_id: str | None
    edge_run_id: str
    source_node_logical_id: str
    source_node_name: str | None
    destination_node_logical_id: str
    destination_node_name: str | None
    reason: str


# ----------------------------------------------------------------------- lifecycle / thread
class EndWorkflowEvent(BaseRunEvent):
    type: Literal["end_workflow"]
    llm_token_usage: TokenUsage
    llm_latency_stats: LatencyStats


class WorkflowErrorEvent(BaseRunEvent):
    type: Literal["workflow_error"]
    error_message: str
    stack_trace: str | None
    llm_token_usage: TokenUsage
    llm_latency_stats: LatencyStats


class EndWorkflowIterationEvent(BaseRunEvent):
    """End of a turn (an accounting marker). Its pair carries no events; the stored one
    does."""

    type: Literal["end_workflow_iteration"]
    iteration_number: int
    run_input_output_pair: RunInputOutputPair
    iteration_metrics: IterationMetrics


class WorkflowReadyForInputEvent(BaseRunEvent):
    """Every non-companion thread parked or ended: the caller's turn."""

    type: Literal["workflow_ready_for_input"]
    active_companion_thread_ids: list[str]


class WorkflowWarningEvent(BaseRunEvent):
    type: Literal["workflow_warning"]
    warning_message: str


class WorkflowShowStateEvent(BaseRunEvent):
    type: Literal["workflow_show_state"]
    thread_id: str
    runtime_variables: dict[str, Any]
    workflow_runtime_variables: dict[str, Any]


class EndThreadEvent(BaseRunEvent):
    type: Literal["end_thread"]
    last_node_logical_id: str


class PauseThreadEvent(BaseRunEvent):
    type: Literal["pause_thread"]
    last_node_logical_id: str | None


class PauseEvent(BaseRunEvent):
    """``command: pause``; carries the node fields when the run was parked at a node."""

    type: Literal["pause_event"]
    origin_node_logical_id: str | None = None
    origin_node_name: str | None = None
    origin_node_run_id: str | None = None


class CompanionStepBoundaryEvent(BaseRunEvent):
    type: Literal["companion_step_boundary"]
    companion_thread_id: str
    attempts_completed: int
    deadline_epoch: float | None
    still_active: bool


class WaitingEvaluationBoundaryEvent(BaseRunEvent):
    type: Literal["waiting_evaluation_boundary"]
    parked_node_logical_id: str
    edges_evaluated: int
    transitioned: bool
    still_waiting: bool


class UserMessagesEvent(BaseRunEvent):
    type: Literal["user_messages"]
    messages: list[HumanChatMessage]


class WorkflowNavigationMessageEvent(BaseRunEvent):
    """The internal memo of a hop (``response_metadata.navigation_message == "true"``)."""

    type: Literal["workflow_navigation_message"]
    message: AIChatMessage


# -------------------------------------------------------------------------------- node
class StartNodeRunEvent(NodeRunEvent):
    type: Literal["start_node_run"]
    run_input: LLMNodeRunInput | None


class EndNodeRunEvent(NodeRunEvent):
    type: Literal["end_node_run"]
    run_output: NodeRunOutput | OtherNodeRunOutput


class BusyWaitForUserMessageEvent(NodeRunEvent):
    """Where the run waits for the user (also the answer's ``next_input_hint``)."""

    type: Literal["busy_wait_for_user_message"]


class SayStaticEvent(NodeRunEvent):
    type: Literal["say_static"]
    message: AIChatMessage


class LLMReplyEvent(NodeRunEvent):
    """A ``say_llm`` reply or a ``worker_llm``'s (silent) one."""

    type: Literal["say_llm", "worker_llm"]
    message: AIChatMessage
    llm_usage_info: LLMUsageInfo


class DiscardedMainLLMEvent(NodeRunEvent):
    """The main LLM's reply dropped because a global node's condition matched."""

    type: Literal["discarded_main_llm"]
    message: AIChatMessage
    llm_usage_info: LLMUsageInfo
    reason: Literal["global_condition_matched"]


class AssistantResponseEvent(NodeRunEvent):
    type: Literal["assistant_response"]
    content: str
    response_metadata: dict[str, Any] = Field(description='e.g. {"message_type": "static"}')
    llm_usage_info: LLMUsageInfo


class HttpRequestEvent(NodeRunEvent):
    type: Literal["http_request"]
    curl_command: str
    status_code: int
    response_body: Any
    error: str | None


class StartConversationEvent(NodeRunEvent):
    type: Literal["start_conversation"]
    conversation_status: str
    conversation_id: str


class EndConversationEvent(NodeRunEvent):
    type: Literal["end_conversation"]
    processed_transcript: str


class SendSMSEvent(NodeRunEvent):
    type: Literal["send_sms"]
    status: str
    sent_message: str | None
    destination_phone_number: str | None


# -------------------------------------------------------------------------------- edge
class PlainEdgeEvent(EdgeRunEvent):
    """Edges without fields of their own: direct, companion, and the self loop."""

    type: Literal["direct_edge", "companion_edge", "self_loop_edge"]


class ConditionalEdgeEvent(EdgeRunEvent):
    type: Literal["conditional_edge"]
    super_node_exit_origin: str | None
    args_filled: dict[str, Any]


class ReverseConditionalEdgeEvent(EdgeRunEvent):
    """Back from a global node to where it was entered."""

    type: Literal["reverse_conditional_edge"]
    super_node_exit_origin: str | None
    args_filled: dict[str, Any]
    global_node_logical_id: str


class SelfLoopDelayEvent(EdgeRunEvent):
    type: Literal["self_loop_delay"]
    delay_seconds: float
    attempt_number: int


class SelfLoopExhaustedEvent(EdgeRunEvent):
    type: Literal["self_loop_exhausted"]
    outcome: Literal["max_retries", "expiry_time"]
    total_attempts: int


class WaitingConditionMatchedEvent(EdgeRunEvent):
    """A conditional edge that held while its source waited for the user."""

    type: Literal["waiting_condition_matched"]
    condition_expression: str
    hydrated_condition_expression: str
    trigger_mode: str
    trigger_node_logical_id: str | None
    trigger_node_completion_count: int
    transitions_this_wait: int
    guardrail_redirected_from_logical_id: str | None


RunEvent = Annotated[
    EndWorkflowEvent | WorkflowErrorEvent | EndWorkflowIterationEvent |
    WorkflowReadyForInputEvent | WorkflowWarningEvent | WorkflowShowStateEvent |
    EndThreadEvent | PauseThreadEvent | PauseEvent | CompanionStepBoundaryEvent |
    WaitingEvaluationBoundaryEvent | UserMessagesEvent | WorkflowNavigationMessageEvent |
    StartNodeRunEvent | EndNodeRunEvent | BusyWaitForUserMessageEvent | SayStaticEvent |
    LLMReplyEvent | DiscardedMainLLMEvent | AssistantResponseEvent | HttpRequestEvent |
    StartConversationEvent | EndConversationEvent | SendSMSEvent | PlainEdgeEvent |
    ConditionalEdgeEvent | ReverseConditionalEdgeEvent | SelfLoopDelayEvent |
    SelfLoopExhaustedEvent | WaitingConditionMatchedEvent,
    Field(discriminator="type"),
]


# ------------------------------------------------------------------------ the stored turn
class RunTurnOutput(WorkflowRunOutput, WireModel):
    """``WorkflowRunOutput`` with its events typed."""

    events: list[RunEvent]


class StoredRunInput(WorkflowRunInput):
    """A turn's ``WorkflowRunInput`` as stored: the ids the server fills in are always there;
    the caller's own fields are kept as sent (unknown keys included), so the ones the emulator
    does not check on the way in are not checked on the way out either."""

    model_config = ConfigDict(extra="allow")

    workflow_id: str
    workflow_run_id: str
    team_id: str = Field(description='As the caller sent it; when it sent none (or null), '
                                     'the "teamid" header ("" without one)')
    version_number: int
    thread_to_node_inputs: dict[str, Any] = Field(
        description='thread id -> NodesRunInputs as sent; an empty thread "0" when none were')
    initial_state: SkipValidation[dict[str, Any] | None] = None
    welcome_message: SkipValidation[str | None] = None


class RunInputOutputPair(WorkflowRunInputOutputPair, WireModel):
    """One turn as stored: its run input, its events, and the feedback left on it."""

    run_input: StoredRunInput
    run_output: RunTurnOutput


EndWorkflowIterationEvent.model_rebuild()
