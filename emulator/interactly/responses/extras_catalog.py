"""What the catalog-extras routes answer: workflow utilities (dynamic variables, concurrency,
export, favourites, active versions), version diffs, the tool registry, tool bundles and direct
tool execution, and saved LLM configs (spec §4.1, §4.2, §4.4, §4.5). The workflow and version
envelopes they share with the core routes come from :mod:`.common`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, SerializeAsAny

from emulator.interactly.models.edges import EdgeConfig
from emulator.interactly.models.llm import LLMOrGroupConfig
from emulator.interactly.models.node_base import BaseNodeConfig
from emulator.interactly.models.tools import ToolConfig
from emulator.interactly.models.workflow import WorkflowConfig
from emulator.interactly.responses.common import (
    ObjectIdKey,
    PageFields,
    WorkflowVersionDocument,
)
from emulator.web.contract import WireModel

DiffStatus = Literal["added", "removed", "modified"]


# ---------------------------------------------------------------------- workflows
class DynamicVariableUsage(WireModel):
    """One ``{{name}}`` dynamic variable a workflow version reads."""

    name: str
    default_value: Any = Field(description="From workflow_config.miscellaneous."
                                           "default_dynamic_variables; null without one")
    has_default: bool
    is_builtin: bool = Field(description="Filled in by the server itself (now, date, ...)")
    used_in: list[str] = Field(description="Where it is read: '<scope>.<path>'")


class ActiveVersionListResponse(PageFields):
    """One active version per workflow."""

    versions: list[WorkflowVersionDocument]


class WorkflowConcurrencyResponse(WireModel):
    workflow_id: str
    max_concurrent_runs: int
    message: str


class FavoriteResponse(WireModel):
    message: str
    workflow_id: str
    is_favorite: bool


class WorkflowBundleVersion(WireModel):
    version_number: int
    version_name: str
    workflow_config: WorkflowConfig
    node_configs: list[SerializeAsAny[BaseNodeConfig]]
    edge_configs: list[EdgeConfig]


class WorkflowExportBundle(WireModel):
    """A portable workflow: the active version hydrated at the top level (so the bundle
    reads like a ``WorkflowConfigFullyHydrated``) and every exported version under
    ``versions``. Node and edge configs are free of ``workflow_id``/``version_number``."""

    export_format: int
    exported_at: datetime
    source_workflow_id: str
    workflow_name: str
    active_version_number: int
    workflow_config: WorkflowConfig
    node_configs: list[SerializeAsAny[BaseNodeConfig]]
    edge_configs: list[EdgeConfig]
    versions: list[WorkflowBundleVersion]


# ---------------------------------------------------------------------- version diffs
class FieldDiff(WireModel):
    path: str = Field(description="Dotted path into the config ('main_response_config.prompt')")
    old_value: Any
    new_value: Any


class NodeDiff(WireModel):
    logical_id: str | None
    name: str | None
    node_type: str | None
    status: DiffStatus
    changes: list[FieldDiff]


class EdgeDiff(WireModel):
    logical_id: str | None
    name: str | None
    edge_type: str | None
    status: DiffStatus
    changes: list[FieldDiff]


class VersionDiffSummary(WireModel):
    nodes_added: int
    nodes_removed: int
    nodes_modified: int
    edges_added: int
    edges_removed: int
    edges_modified: int
    workflow_config_changes: int


class VersionDiff(WireModel):
    """Nodes and edges are matched by ``logical_id``; unchanged ones are not listed."""

    version1_number: int
    version1_name: str
    version2_number: int
    version2_name: str
    workflow_config_changes: list[FieldDiff]
    nodes: list[NodeDiff]
    edges: list[EdgeDiff]
    summary: VersionDiffSummary


# ---------------------------------------------------------------------- tools
SideEffect = str  # none/reads/writes/sends/unknown, or what a tool config declares


class InbuiltToolDescriptor(WireModel):
    tool_id: str
    name: str
    signature: str
    args_schema: dict[str, Any] = Field(description="JSON schema of the arguments")
    category: str
    side_effect: SideEffect


class InbuiltToolsResponse(WireModel):
    inbuilt_tools: list[InbuiltToolDescriptor]


class ConfigurableInbuiltTool(WireModel):
    key: str
    title: str
    registry_tool_id: str
    config_schema: dict[str, Any] = Field(description="JSON schema of the extra configuration")


class ConfigurableInbuiltToolsResponse(WireModel):
    configurable_inbuilt_tools: list[ConfigurableInbuiltTool]


class ToolExportBundle(WireModel):
    """A portable tool: secret header values blanked and listed in ``redactions`` so an
    importer knows what to supply through ``secret_overrides``."""

    export_format: int
    exported_at: datetime
    source_tool_id: str
    source_tool_name: str | None
    tool_type: str | None
    tool_config: ToolConfig | dict[str, Any] = Field(
        description="The tool config as stored (kept as sent, so it may stray from the typed "
                    "config), without workflow_id/version_number")
    redactions: list[str] = Field(description="Dotted paths of blanked secrets "
                                              "('api_headers.Authorization')")
    warnings: list[str]


class ToolExecuteResult(WireModel):
    """A tool run without a workflow. Failures of the tool are ``success: false`` here, never
    HTTP errors; nothing is executed and nothing reaches the network (``dry_run``)."""

    success: bool
    result: Any
    error: str | None
    latency_ms: int
    error_type: Literal["validation", "execution"] | None
    error_code: Literal["unresolved_variables", "missing_arguments", "tool_error",
                        "unknown_tool", "invalid_arguments", "unknown_tool_type"] | None
    dry_run: bool
    side_effect: SideEffect


# ---------------------------------------------------------------------- LLM configs
class SavedLLMConfig(WireModel):
    """A team's named LLM config, addressed by ``llm_config_id`` (a UUID; there is no
    ``id``)."""

    object_id: ObjectIdKey
    llm_config_id: str
    name: str
    description: str | None
    is_default: bool
    config: LLMOrGroupConfig | dict[str, Any] = Field(
        description="As stored (an LLM or group config; kept as sent), every api_key "
                    "answered null")
    team_id: str
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime


class LLMConfigResponse(WireModel):
    llm_config: SavedLLMConfig


class LLMConfigListResponse(PageFields):
    llm_configs: list[SavedLLMConfig]


class LLMConfigDeletedResponse(WireModel):
    message: str
    llm_config_id: str


class LLMWinningMember(WireModel):
    index: int
    logical_id: str | None
    provider: str | None
    model: str | None


class LLMConfigTestResult(WireModel):
    """A deterministic answer: the fake LLM's reply to the latest human message; token counts
    are word counts. No provider is called."""

    success: bool
    response: str
    error: str | None
    provider: str | None
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: int
    winning_member: LLMWinningMember | None = Field(description="Set for a group config")
    backchannel_response: str | None
    backchannel_member: LLMWinningMember | None
    backchannel_prompt_tokens: int | None
    backchannel_completion_tokens: int | None
    backchannel_total_tokens: int | None
