"""The workflow document and its fully hydrated form (workflow + node and edge configs)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field, SerializeAsAny

from emulator.interactly.models.common import (
    AccessControlLevel,
    Doc,
    EvaluationConfig,
    PromptConfig,
    prefixed_id,
)
from emulator.interactly.models.edges import EdgeConfig
from emulator.interactly.models.llm import LLMOrGroupConfig, NoLLMConfig
from emulator.interactly.models.node_base import BaseNodeConfig
from emulator.interactly.models.tools import MCPServerConfig, ToolsConfig


class WorkflowGlobalConditionEvaluationMethod(StrEnum):
    """Workflow-wide: how global-node conditions are evaluated (no ``workflow_default``)."""

    TOOL_CALL = "tool_call"
    INDEPENDENT_LLM_EVALUATIONS = "independent_llm_evaluations"


class GuardrailStrikesConfig(Doc):
    """Escalate after too many guardrail nodes were visited."""

    max_guardrail_nodes_before_escalation: int | None = None
    escalation_node_logical_id: str | None = None
    escalation_message: str | None = None


class WorkflowAccessConfig(Doc):
    access_level: AccessControlLevel | None = None
    access_list: list[str] | None = None


class WorkflowConfig(Doc):
    """Workflow-level settings; nodes and edges are referenced by logical id."""

    logical_id: str | None = Field(default_factory=prefixed_id("workflow"))
    name: str | None = None
    description: str | None = None
    category: str | None = "User Created"
    llms_config: LLMOrGroupConfig | None = Field(default_factory=NoLLMConfig)
    attachable_llm_config_id: str | None = None
    main_response_config: PromptConfig | None = None
    backchannel_response_config: PromptConfig | None = None
    default_prompt_prefix: str | None = None
    default_prompt_suffix: str | None = None
    tools_config: ToolsConfig | None = None
    mcp_servers: list[MCPServerConfig] | None = None
    global_condition_evaluation_method: WorkflowGlobalConditionEvaluationMethod | None = (
        WorkflowGlobalConditionEvaluationMethod.TOOL_CALL)
    guardrail_strikes_config: GuardrailStrikesConfig | None = None
    evaluation_config: EvaluationConfig | None = None
    ignore_content_received_during_llm_tool_call_specification: bool = False
    nodes: list[str] = Field(default_factory=list)
    edges: list[str] = Field(default_factory=list)
    miscellaneous: dict = Field(default_factory=dict)
    access_config: WorkflowAccessConfig | None = Field(default_factory=WorkflowAccessConfig)


class WorkflowConfigFullyHydrated(Doc):
    """A workflow with its node and edge documents inlined, plus run variables."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    workflow_config: WorkflowConfig | None = None
    node_configs: list[SerializeAsAny[BaseNodeConfig]] = Field(default_factory=list)
    edge_configs: list[EdgeConfig] = Field(default_factory=list)
    dynamic_variables: dict = Field(default_factory=dict)
    runtime_variables: dict = Field(default_factory=dict)
    secret_variables: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)
