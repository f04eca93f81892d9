"""Node configurations and per-type run inputs/outputs, plus the type -> models registry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from emulator.interactly.models.common import PromptConfig, StaticMessagesConfig
from emulator.interactly.models.enums_http import (
    BodyContentTypeEnum,
    HttpMethodEnum,
    ResponseFormatEnum,
)
from emulator.interactly.models.llm import LLMOrGroupConfig, WorkflowDefaultLLMConfig
from emulator.interactly.models.node_base import BaseNodeConfig, BaseNodeRunInput, BaseNodeRunOutput
from emulator.interactly.models.super_node import (
    SuperNodeConfig,
    SuperNodeRunInput,
    SuperNodeRunOutput,
)
from emulator.interactly.models.tools import ToolConfig, ToolsConfig

DEFAULT_ERROR_MESSAGE = "I am sorry, there seems to be an issue. Could you please repeat?"

# Each run input/output narrows the base's ``type`` Literal to its own tag: what pydantic's
# discriminated unions need, and what mypy reads as an incompatible override (hence the
# ``type: ignore[assignment]`` on those lines, here and in super_node.py).


# ---------------------------------------------------------------------------- LLM nodes
class BaseLLMNodeConfig(BaseNodeConfig):
    primary_category: str | None = "System"
    secondary_category: str | None = "LLM"
    attachable_llm_config_id: str | None = None
    llms_config: LLMOrGroupConfig | None = WorkflowDefaultLLMConfig()
    tools_config: ToolsConfig | None = None
    use_mcp_tools: bool = False
    main_response_config: PromptConfig | None = None
    backchannel_response_config: PromptConfig | None = None
    default_error_message: str | None = DEFAULT_ERROR_MESSAGE
    max_consecutive_tool_calls: int = 1
    wait_for_user_message: bool = True
    structured_output_schema: dict | None = None
    ignore_default_prompt_prefix: bool = False
    ignore_default_prompt_suffix: bool = False
    ignore_content_received_during_llm_tool_call_specification: bool = False


class SayLLMNodeConfig(BaseLLMNodeConfig):
    """Speaks the LLM's reply; loops back on itself while the user keeps talking."""

    type: Literal["say_llm"] = "say_llm"
    self_loop: bool = True


class WorkerLLMNodeConfig(BaseLLMNodeConfig):
    """Silent LLM work (extraction, classification); does not loop by default."""

    type: Literal["worker_llm"] = "worker_llm"
    self_loop: bool = False


class LLMNodeRunInput(BaseNodeRunInput):
    type: Literal["llm"] = "llm"  # type: ignore[assignment]
    messages: list[Any] = Field(default_factory=list)


class SayLLMNodeRunOutput(BaseNodeRunOutput):
    type: Literal["say_llm"] = "say_llm"  # type: ignore[assignment]
    structured_output: dict = Field(default_factory=dict)


class WorkerLLMNodeRunOutput(BaseNodeRunOutput):
    type: Literal["worker_llm"] = "worker_llm"  # type: ignore[assignment]
    structured_output: dict = Field(default_factory=dict)


# ---------------------------------------------------------------------------- static message
class SayStaticMessageNodeConfig(BaseNodeConfig):
    type: Literal["say_static"] = "say_static"
    primary_category: str | None = "System"
    secondary_category: str | None = "Static Message"
    static_messages_config: StaticMessagesConfig | None = None


class SayStaticMessageNodeRunInput(BaseNodeRunInput):
    type: Literal["say_static"] = "say_static"  # type: ignore[assignment]


class SayStaticMessageNodeRunOutput(BaseNodeRunOutput):
    type: Literal["say_static"] = "say_static"  # type: ignore[assignment]


# ---------------------------------------------------------------------------- tool node
class ToolNodeConfig(BaseNodeConfig):
    """Calls one tool deterministically with the given arguments."""

    type: Literal["tool_node"] = "tool_node"
    primary_category: str | None = "System"
    secondary_category: str | None = "Tool"
    tool_config: ToolConfig | None = None
    tool_arguments: dict | None = Field(default_factory=dict)
    preserve_argument_types: bool = False
    result_runtime_variable_name: str | None = "tool_result"


class ToolNodeRunInput(BaseNodeRunInput):
    type: Literal["tool_node"] = "tool_node"  # type: ignore[assignment]


class ToolNodeRunOutput(BaseNodeRunOutput):
    type: Literal["tool_node"] = "tool_node"  # type: ignore[assignment]
    success: bool = False
    tool_result: Any | None = None
    error_message: str | None = None


# ---------------------------------------------------------------------------- HTTP request
class HttpRequestNodeConfig(BaseNodeConfig):
    type: Literal["http_request"] = "http_request"
    primary_category: str | None = "REST API"
    secondary_category: str | None = "HTTP Request"
    url: str | None = None
    method: HttpMethodEnum | None = HttpMethodEnum.GET
    headers: dict | None = None
    query_parameters: str | None = None
    body_parameters: str | None = None
    body_content_type: BodyContentTypeEnum | None = BodyContentTypeEnum.JSON
    response_format: ResponseFormatEnum | None = ResponseFormatEnum.JSON
    timeout: int | None = Field(default=30, ge=0, le=300, description="Seconds")
    result_runtime_variable_name: str | None = "http_request_result"


class HttpRequestNodeRunInput(BaseNodeRunInput):
    type: Literal["http_request"] = "http_request"  # type: ignore[assignment]
    override_url: str | None = None


class HttpRequestNodeRunOutput(BaseNodeRunOutput):
    type: Literal["http_request"] = "http_request"  # type: ignore[assignment]
    success: bool = False
    http_status_code: int | None = None
    http_response: dict | None = None
    curl_command: str | None = None


# ---------------------------------------------------------------------------- no-op
class NoOpNodeConfig(BaseNodeConfig):
    """Does nothing (optionally after a delay, or failing on purpose) - for testing graphs."""

    type: Literal["no_op"] = "no_op"
    primary_category: str | None = "System"
    secondary_category: str | None = "Utility"
    delay_seconds: float | None = 0.0
    simulate_failure: bool = False
    note: str | None = None
    output_runtime_variable_name: str | None = "no_op_result"


class NoOpNodeRunInput(BaseNodeRunInput):
    type: Literal["no_op"] = "no_op"  # type: ignore[assignment]


class NoOpNodeRunOutput(BaseNodeRunOutput):
    type: Literal["no_op"] = "no_op"  # type: ignore[assignment]
    success: bool = False
    error_message: str | None = None


# ---------------------------------------------------------------------------- conversations
class StartConversationNodeConfig(BaseNodeConfig):
    type: Literal["start_conversation"] = "start_conversation"
    primary_category: str | None = "System"
    secondary_category: str | None = "Conversation"
    assistant_id: str | None = None
    assistant_number: str | None = None
    user_number: str | None = None
    bearer_token: str | None = None
    conversation_id: str | None = None
    is_outbound_call: bool = True
    is_voice_conversation: bool = False
    polling_interval_seconds: int | None = 2


class StartConversationNodeRunInput(BaseNodeRunInput):
    type: Literal["start_conversation"] = "start_conversation"  # type: ignore[assignment]


class StartConversationNodeRunOutput(BaseNodeRunOutput):
    type: Literal["start_conversation"] = "start_conversation"  # type: ignore[assignment]
    conversation_id: str | None = None


class EndConversationNodeConfig(BaseNodeConfig):
    type: Literal["end_conversation"] = "end_conversation"
    primary_category: str | None = "System"
    secondary_category: str | None = "Conversation"
    process_transcript_prompt: PromptConfig | None = None
    process_transcript_llms_config: LLMOrGroupConfig | None = None


class EndConversationNodeRunInput(BaseNodeRunInput):
    type: Literal["end_conversation"] = "end_conversation"  # type: ignore[assignment]


class EndConversationNodeRunOutput(BaseNodeRunOutput):
    type: Literal["end_conversation"] = "end_conversation"  # type: ignore[assignment]


# ---------------------------------------------------------------------------- SMS
class SendSMSNodeConfig(BaseNodeConfig):
    type: Literal["send_sms"] = "send_sms"
    primary_category: str | None = "Communications"
    secondary_category: str | None = "SMS"
    destination_phone_number: str | None = None
    message: str | None = None


class SendSMSNodeRunInput(BaseNodeRunInput):
    type: Literal["send_sms"] = "send_sms"  # type: ignore[assignment]
    override_destination_phone_number: str | None = None
    override_message: str | None = None


class SendSMSNodeRunOutput(BaseNodeRunOutput):
    type: Literal["send_sms"] = "send_sms"  # type: ignore[assignment]
    success: bool = False
    sent_sms_message: str | None = None


# ---------------------------------------------------------------------------- registry
#: node type -> (config model, run-input model, run-output model)
NODE_MODELS: dict[str, tuple[type[BaseModel], type[BaseModel], type[BaseModel]]] = {
    "say_llm": (SayLLMNodeConfig, LLMNodeRunInput, SayLLMNodeRunOutput),
    "worker_llm": (WorkerLLMNodeConfig, LLMNodeRunInput, WorkerLLMNodeRunOutput),
    "say_static": (SayStaticMessageNodeConfig, SayStaticMessageNodeRunInput,
                   SayStaticMessageNodeRunOutput),
    "tool_node": (ToolNodeConfig, ToolNodeRunInput, ToolNodeRunOutput),
    "http_request": (HttpRequestNodeConfig, HttpRequestNodeRunInput, HttpRequestNodeRunOutput),
    "no_op": (NoOpNodeConfig, NoOpNodeRunInput, NoOpNodeRunOutput),
    "start_conversation": (StartConversationNodeConfig, StartConversationNodeRunInput,
                           StartConversationNodeRunOutput),
    "end_conversation": (EndConversationNodeConfig, EndConversationNodeRunInput,
                         EndConversationNodeRunOutput),
    "send_sms": (SendSMSNodeConfig, SendSMSNodeRunInput, SendSMSNodeRunOutput),
    "super_node": (SuperNodeConfig, SuperNodeRunInput, SuperNodeRunOutput),
}

NodeRunInput = Annotated[
    (BaseNodeRunInput | LLMNodeRunInput | SayStaticMessageNodeRunInput | SuperNodeRunInput |
     ToolNodeRunInput | StartConversationNodeRunInput | EndConversationNodeRunInput |
     SendSMSNodeRunInput | HttpRequestNodeRunInput | NoOpNodeRunInput),
    Field(discriminator="type"),
]

NodeRunOutput = Annotated[
    (WorkerLLMNodeRunOutput | SayLLMNodeRunOutput | SayStaticMessageNodeRunOutput |
     SuperNodeRunOutput | ToolNodeRunOutput | StartConversationNodeRunOutput |
     EndConversationNodeRunOutput | SendSMSNodeRunOutput | HttpRequestNodeRunOutput |
     NoOpNodeRunOutput),
    Field(discriminator="type"),
]
