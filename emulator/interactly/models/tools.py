"""Tool configurations an LLM (or a tool node) can call, discriminated on ``type``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field

from emulator.interactly.models.common import (
    Doc,
    IntegrationAuthConfig,
    StaticMessagesConfig,
    prefixed_id,
)

KB_SIGNATURE = ("Searches the knowledge bases given a natural language query and retrieves "
                "relevant chunks of information matching the query.")


class ToolVariableSource(StrEnum):
    """Where a tool argument's value comes from."""

    AUTO = "auto"
    RUNTIME = "runtime"
    DYNAMIC = "dynamic"
    LITERAL = "literal"


class ToolResultVariableScope(StrEnum):
    """How widely a value extracted from a tool result is visible."""

    THREAD = "thread"
    WORKFLOW = "workflow"


class APIMethodType(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    DELETE = "DELETE"


class ToolVariableArgument(Doc):
    """Binds one tool argument to a variable or a literal."""

    argument_name: str
    source: ToolVariableSource = ToolVariableSource.AUTO
    variable_path: str | None = None
    literal_value: Any | None = None
    default: Any | None = None
    required: bool = False
    expose_to_llm: bool = False
    override_provided_value: bool = True


class ToolResultVariableMapping(Doc):
    """Copies a piece of the tool result into a runtime variable."""

    target_variable_name: str
    result_path: str | None = None
    scope: ToolResultVariableScope = ToolResultVariableScope.THREAD
    default: Any | None = None
    required: bool = False


class BaseToolConfig(Doc):
    """Fields shared by every tool type."""

    logical_id: str | None = Field(default_factory=prefixed_id("tool"))
    tool_id: str | None = Field(default=None, description="Saved tool this config refers to")
    name: str | None = None
    description: str | None = None
    category: str | None = None
    signature: str | None = Field(default=None, description="What the LLM is told the tool does")
    args_schema: dict | None = Field(default=None, description="JSON schema of the arguments")
    side_effect: str | None = None
    static_messages_config: StaticMessagesConfig | None = None
    timeout_seconds: int | None = None
    result_runtime_variable_name: str | None = "tool_result"
    expand_result_into_runtime_variables: bool = False
    ignore_content_received_during_llm_tool_call_specification: bool = False
    variable_arguments: list[ToolVariableArgument] = Field(default_factory=list)
    result_variable_mappings: list[ToolResultVariableMapping] = Field(default_factory=list)


class InbuiltFunctionToolConfig(BaseToolConfig):
    type: Literal["inbuilt_function"] = "inbuilt_function"
    configurable_key: str | None = None
    extra_config: dict | None = None


class InlinePythonToolConfig(BaseToolConfig):
    type: Literal["inline_python"] = "inline_python"
    code: str | None = None
    allow_code_variable_substitution: bool = True


class ExternalAPIToolConfig(BaseToolConfig):
    type: Literal["external_api"] = "external_api"
    api_endpoint: str | None = None
    api_method: APIMethodType | None = APIMethodType.GET
    api_headers: dict[str, str] = Field(default_factory=dict)
    api_body: dict | str | None = None
    integration_auth: IntegrationAuthConfig | None = None


class KnowledgeBaseToolConfig(BaseToolConfig):
    type: Literal["knowledge_base"] = "knowledge_base"
    category: str | None = "Knowledge Base"
    signature: str | None = KB_SIGNATURE
    result_runtime_variable_name: str | None = "kb_tool_result"
    target_knowledge_base_ids: list[str] = Field(default_factory=list)


ToolConfig = Annotated[
    (InlinePythonToolConfig | InbuiltFunctionToolConfig | ExternalAPIToolConfig |
     KnowledgeBaseToolConfig),
    Field(discriminator="type"),
]

TOOL_MODELS: dict[str, type[BaseToolConfig]] = {
    "inbuilt_function": InbuiltFunctionToolConfig,
    "inline_python": InlinePythonToolConfig,
    "external_api": ExternalAPIToolConfig,
    "knowledge_base": KnowledgeBaseToolConfig,
}


class MCPServerConfig(Doc):
    """A Model Context Protocol server whose tools LLM nodes may use."""

    server_url: str
    name: str | None = None
    api_headers: dict[str, str] | None = None


class ToolsConfig(Doc):
    """The tools attached to a node or workflow."""

    tools: list[ToolConfig] = Field(default_factory=list)
