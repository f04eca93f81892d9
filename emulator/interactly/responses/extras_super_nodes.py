"""What the super-node routes answer (spec §4.13): published interfaces, their snapshots, the
expansion preview and the snapshot status."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from emulator.interactly.models.super_node import SuperNodeInterface
from emulator.interactly.models.workflow import WorkflowConfigFullyHydrated
from emulator.interactly.responses.common import PageFields
from emulator.web.contract import WireModel


class SuperNodeSummary(WireModel):
    workflow_id: str
    workflow_version_number: int
    name: str | None
    description: str | None
    num_input_fields: int


class SuperNodeDetailResponse(WireModel):
    workflow_id: str
    workflow_version_number: int
    name: str | None
    description: str | None
    super_node_interface: SuperNodeInterface
    encapsulated_workflow_config: WorkflowConfigFullyHydrated = Field(
        description="The hydrated snapshot taken when the version was published")


class SuperNodeFieldValuesSchema(WireModel):
    """JSON schema of a referencing node's ``field_values``."""

    title: str
    type: Literal["object"]
    properties: dict[str, dict[str, Any]] = Field(
        description="One JSON schema per input field")
    required: list[str]
    additionalProperties: Literal[False]


class SuperNodePublishedResponse(WireModel):
    workflow_id: str
    workflow_version_number: int = Field(description="The version publishing created")
    message: str
    num_input_fields: int


class SuperNodeUnpublishedResponse(WireModel):
    workflow_id: str
    workflow_version_number: int
    message: str
    workflows_referencing: list[str] = Field(
        description="Workflows whose super nodes still reference this one")


class SuperNodeDependent(WireModel):
    workflow_id: str
    name: str | None
    description: str | None


class SuperNodeDependentListResponse(PageFields):
    items: list[SuperNodeDependent]


class SuperNodeExpansion(WireModel):
    super_node_logical_id: str
    name: str | None
    source: Literal["encapsulated_workflow_config", "super_workflow_id"]
    super_workflow_id: str | None
    super_workflow_version_number: int | None
    expanded: bool
    nodes_inlined: int
    reason: str | None = Field(description="Why it was not expanded")


class ExpansionReport(WireModel):
    super_nodes_found: int
    super_nodes_expanded: int
    nodes_before: int
    nodes_after: int
    edges_before: int
    edges_after: int
    max_depth: int
    super_nodes: list[SuperNodeExpansion]


class ExpandPreviewResponse(WireModel):
    workflow_id: str
    version_number: int
    expanded_config: WorkflowConfigFullyHydrated = Field(
        description="The graph a run would walk: inlined nodes and edges carry "
                    "``super_node_origin``, expanded super nodes "
                    "``super_node_entry_logical_id``")
    super_node_origins: list[str]
    expansion_report: ExpansionReport


class PublishedSuperNodeVersion(WireModel):
    version_number: int
    is_active: bool
    published_at: datetime
    num_input_fields: int
    snapshot_is_current: bool


class SuperNodeReference(WireModel):
    node_logical_id: str | None
    super_workflow_id: str
    pinned_version_number: int | None
    latest_published_version_number: int | None
    is_outdated: bool


class SuperNodeSnapshotStatusResponse(WireModel):
    workflow_id: str
    active_version_number: int
    is_published: bool
    snapshot_is_current: bool
    published_versions: list[PublishedSuperNodeVersion]
    referenced_super_nodes: list[SuperNodeReference]
    has_outdated_references: bool
