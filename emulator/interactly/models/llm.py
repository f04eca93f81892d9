"""LLM provider configurations and groups of them (discriminated on ``type``)."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Annotated, Literal

from pydantic import Field

from emulator.interactly.models.common import Doc, IntegrationAuthConfig, SelectionMode, prefixed_id


class LLMProvider(StrEnum):
    DEFAULT = "default_provider"
    AZURE_OPENAI = "azure_openai"
    OPENAI = "openai"
    GOOGLE = "google"
    ANTHROPIC = "anthropic"
    BEDROCK = "bedrock"
    CUSTOM = "custom"


def _models(name: str, values: list[str]) -> type[Enum]:
    """A ``str`` enum whose member names are derived from the model ids."""
    members = {v.upper().replace("-", "_").replace(".", "_").replace(":", "_"): v for v in values}
    return StrEnum(name, members)  # type: ignore[return-value]


AZUREOPENAIModel = _models("AZUREOPENAIModel", [
    "gpt-5-chat", "gpt-5-mini", "gpt-5-nano", "gpt-4.1-nano", "gpt-4.1-mini", "gpt-4.1"])
OPENAIModel = _models("OPENAIModel", [
    "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.2", "gpt-5.1", "gpt-5-nano", "gpt-5-mini",
    "gpt-5", "gpt-5.4-pro", "gpt-5.2-pro", "gpt-5.2-chat-latest", "gpt-5.3-chat-latest",
    "gpt-4.1-nano", "gpt-4.1-mini", "gpt-4.1", "gpt-4", "gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo"])
GOOGLEModel = _models("GOOGLEModel", [
    "gemini-flash-latest", "gemini-flash-lite-latest", "gemini-3.6-flash",
    "gemini-3.1-pro-preview", "gemini-3.5-flash", "gemini-3.5-flash-lite",
    "gemini-3.1-flash-lite", "gemini-3-flash-preview", "gemini-2.5-pro", "gemini-2.5-flash",
    "gemini-2.5-flash-lite"])
ANTHROPICModel = _models("ANTHROPICModel", [
    "claude-opus-5", "claude-sonnet-5", "claude-fable-5", "claude-opus-4-8", "claude-opus-4-7",
    "claude-opus-4-6", "claude-opus-4-5-20251101", "claude-opus-4-1-20250805",
    "claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5",
    "claude-haiku-4-5-20251001"])
BEDROCKModel = _models("BEDROCKModel", [
    "zai.glm-5", "zai.glm-4.7", "zai.glm-4.7-flash", "moonshotai.kimi-k2.5",
    "moonshot.kimi-k2-thinking", "qwen.qwen3-vl-235b-a22b", "qwen.qwen3-32b-v1:0"])


class BaseLLMConfig(Doc):
    """Settings common to every provider."""

    logical_id: str | None = Field(default_factory=prefixed_id("llm"))
    named_llm_config_id: str | None = Field(default=None, title="Saved LLM Config ID")
    named_llm_config_name: str | None = Field(default=None, title="Saved LLM Config Name")
    provider: LLMProvider | None = Field(default=LLMProvider.DEFAULT)
    api_key: str | None = Field(default=None, title="API Key")
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    max_tokens: int | None = Field(default=None)
    seed: int | None = Field(default=None)
    streaming: bool = Field(default=False)
    max_retries: int | None = Field(default=3)
    max_parse_retries: int | None = Field(default=3)
    request_timeout_ms: int | None = Field(default=None)
    truncated_max_recent_messages: int | None = Field(default=None)
    do_not_split_sentences: bool = Field(default=False)
    model_kwargs: dict = Field(default_factory=dict)


class AzureOpenAILLMConfig(BaseLLMConfig):
    type: Literal["azure_openai_llm"] = "azure_openai_llm"
    provider: LLMProvider | None = LLMProvider.AZURE_OPENAI
    model: AZUREOPENAIModel | None = AZUREOPENAIModel("gpt-5-mini")  # type: ignore[valid-type]
    endpoint: str | None = None
    api_version: str | None = None
    reasoning_effort: str | None = "low"


class OpenAILLMConfig(BaseLLMConfig):
    type: Literal["openai_llm"] = "openai_llm"
    provider: LLMProvider | None = LLMProvider.OPENAI
    model: OPENAIModel | None = OPENAIModel("gpt-5.4-mini")  # type: ignore[valid-type]
    base_url: str | None = None
    organization: str | None = None
    reasoning_effort: str | None = "low"


class GoogleLLMConfig(BaseLLMConfig):
    type: Literal["google_llm"] = "google_llm"
    provider: LLMProvider | None = LLMProvider.GOOGLE
    model: GOOGLEModel | None = GOOGLEModel("gemini-3-flash-preview")  # type: ignore[valid-type]
    thinking_budget: int | None = 0


class AnthropicLLMConfig(BaseLLMConfig):
    type: Literal["anthropic_llm"] = "anthropic_llm"
    provider: LLMProvider | None = LLMProvider.ANTHROPIC
    model: ANTHROPICModel | None = ANTHROPICModel("claude-sonnet-4-6")  # type: ignore[valid-type]
    thinking_budget: int | None = 0


class BedrockLLMConfig(BaseLLMConfig):
    type: Literal["bedrock_llm"] = "bedrock_llm"
    provider: LLMProvider | None = LLMProvider.BEDROCK
    model: BEDROCKModel | None = BEDROCKModel("zai.glm-4.7-flash")  # type: ignore[valid-type]
    region: str | None = None
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None


class CustomLLMConfig(BaseLLMConfig):
    """Any OpenAI-compatible endpoint."""

    type: Literal["custom_llm"] = "custom_llm"
    provider: LLMProvider | None = LLMProvider.CUSTOM
    model: str | None = None
    base_url: str | None = None
    default_headers: dict | None = None
    integration_auth: IntegrationAuthConfig | None = None
    reasoning_effort: str | None = None
    response_unwrap_key: str | None = None
    rewrite_base_url: bool = False
    use_responses_api: bool = False
    verify_ssl: bool = True


class WorkflowDefaultLLMConfig(BaseLLMConfig):
    """Use whatever the workflow declares."""

    type: Literal["global_default_llm"] = "global_default_llm"


class NoLLMConfig(BaseLLMConfig):
    """No LLM at all."""

    type: Literal["no_llm"] = "no_llm"


LLMConfig = Annotated[
    (AzureOpenAILLMConfig | OpenAILLMConfig | GoogleLLMConfig | AnthropicLLMConfig |
     BedrockLLMConfig | CustomLLMConfig | WorkflowDefaultLLMConfig | NoLLMConfig),
    Field(discriminator="type"),
]


class OperationMode(StrEnum):
    PARALLEL_SELECT_ONE = "parallel_select_one"
    SEQUENTIAL_WITH_PROACTIVE = "sequential_with_proactive"


class LLMGroupConfig(Doc):
    """Several LLMs raced or chained for one reply."""

    type: Literal["llm_group"] = "llm_group"
    logical_id: str | None = Field(default_factory=prefixed_id("llm_group"))
    named_llm_config_id: str | None = None
    named_llm_config_name: str | None = None
    llms: list[LLMConfig] = Field(default_factory=list)
    operation_mode: OperationMode | None = OperationMode.SEQUENTIAL_WITH_PROACTIVE
    min_patience_time_ms: int | None = 1500
    max_patience_time_ms: int | None = None


class LLMGroupWithBackchannelConfig(Doc):
    """A main group plus a backchannel group that fills silences."""

    type: Literal["llm_group_with_backchannel"] = "llm_group_with_backchannel"
    id: str | None = Field(default_factory=prefixed_id("llm_group_with_backchannel"))
    named_llm_config_id: str | None = None
    named_llm_config_name: str | None = None
    main_llm_config: LLMGroupConfig | None = None
    backchannel_llm_config: LLMGroupConfig | None = None
    backchannel_min_patience_time_ms: int | None = 2000
    backchannel_static_responses: list[str] = Field(default_factory=list)
    backchannel_static_responses_selection_mode: SelectionMode | None = SelectionMode.RANDOM
    non_backchannel_response_prefix: str | None = None


LLMOrGroupConfig = Annotated[
    (AzureOpenAILLMConfig | OpenAILLMConfig | GoogleLLMConfig | AnthropicLLMConfig |
     BedrockLLMConfig | CustomLLMConfig | WorkflowDefaultLLMConfig | NoLLMConfig | LLMGroupConfig |
     LLMGroupWithBackchannelConfig),
    Field(discriminator="type"),
]
