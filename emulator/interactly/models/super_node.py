"""The super node: a whole workflow embedded as one node, with a declared input interface."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from emulator.interactly.models.common import Doc
from emulator.interactly.models.llm import LLMOrGroupConfig
from emulator.interactly.models.node_base import BaseNodeConfig, BaseNodeRunInput, BaseNodeRunOutput
from emulator.interactly.models.workflow import WorkflowConfigFullyHydrated


class SuperNodeFieldMappingTargetType(StrEnum):
    NODE_CONFIG_FIELD = "node_config_field"
    DYNAMIC_VARIABLE = "dynamic_variable"
    EDGE_CONFIG_FIELD = "edge_config_field"
    WORKFLOW_CONFIG_FIELD = "workflow_config_field"
    RUNTIME_VARIABLE = "runtime_variable"


class SuperNodeInputFieldValueType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OBJECT = "object"
    ARRAY = "array"
    ENUM = "enum"
    ANY = "any"


class SuperNodeReverseEdgeScope(StrEnum):
    """Which inlined LLM nodes get the "back to caller" reverse edge."""

    ALL_INTERIOR_LLM_NODES = "all_interior_llm_nodes"
    TERMINAL_NODES = "terminal_nodes"


class SuperNodeFieldMapping(Doc):
    """Where an input field's value is written inside the embedded workflow."""

    target_type: SuperNodeFieldMappingTargetType
    target_node_or_edge_logical_id: str | None = None
    target_field_path: str | None = None
    target_variable_name: str | None = None


class SuperNodeInputField(Doc):
    """One input the caller fills in ``field_values``."""

    name: str
    description: str | None = None
    value_type: SuperNodeInputFieldValueType = SuperNodeInputFieldValueType.ANY
    required: bool = True
    default_value: Any | None = None
    enum_values: list[Any] | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    json_schema: dict | None = None
    mappings: list[SuperNodeFieldMapping] = Field(default_factory=list)


class SuperNodeInterface(Doc):
    input_fields: list[SuperNodeInputField] = Field(default_factory=list)


class SuperNodeConfig(BaseNodeConfig):
    type: Literal["super_node"] = "super_node"
    primary_category: str | None = "Super Node"
    secondary_category: str | None = "Super Node"
    super_workflow_id: str | None = Field(default=None, description="Embedded workflow")
    super_workflow_version_number: int | None = Field(
        default=None, description="None means the embedded workflow's active version")
    field_values: dict[str, Any] = Field(default_factory=dict)
    override_llm_config: bool = False
    override_only_workflow_default_nodes: bool = False
    attachable_llm_config_id: str | None = None
    llms_config: LLMOrGroupConfig | None = None
    reverse_edge_scope: SuperNodeReverseEdgeScope | None = None
    super_node_interface: SuperNodeInterface | None = None
    encapsulated_workflow_config: WorkflowConfigFullyHydrated | None = None


class SuperNodeRunInput(BaseNodeRunInput):
    type: Literal["super_node"] = "super_node"  # type: ignore[assignment]


class SuperNodeRunOutput(BaseNodeRunOutput):
    type: Literal["super_node"] = "super_node"  # type: ignore[assignment]
