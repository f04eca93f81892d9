"""Answers of Interactly's core routes that no other family shares: version listings, deletes,
the node/edge/tool type catalogues, the JSON-schema documents and the WebSocket session.
Shared shapes live in :mod:`.common`, runs in :mod:`.runs`, re-runs in :mod:`.reruns`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator.interactly.responses.common import (
    EdgeDocument,
    NodeDocument,
    PageFields,
    ToolDocument,
    WorkflowVersionDocument,
)
from emulator.web.contract import WireModel

#: A JSON Schema document (draft 2020-12, as pydantic writes it): free-form by nature.
JsonSchema = dict[str, Any]
EdgeType = Literal["direct", "conditional", "companion"]
ToolType = Literal["inbuilt_function", "inline_python", "external_api", "knowledge_base"]


# ------------------------------------------------------------------------------ workflows
class WorkflowDeleteResponse(WireModel):
    message: str
    workflow_id: str


class WorkflowVersionListResponse(WireModel):
    """Every version of a workflow (not paginated)."""

    versions: list[WorkflowVersionDocument]
    total: int


class WorkflowVersionDetailResponse(WireModel):
    version: WorkflowVersionDocument


class WorkflowVersionDeleteResponse(WireModel):
    message: str


# ------------------------------------------------------------------ nodes, edges and tools
class NodeTypeInfo(WireModel):
    type: str
    primary_category: str
    secondary_category: str


class NodeTypesResponse(WireModel):
    node_types: list[NodeTypeInfo]


class EdgeTypesResponse(WireModel):
    edge_types: list[EdgeType]


class ToolTypesResponse(WireModel):
    tool_types: list[ToolType]


class NodeListResponse(PageFields):
    nodes: list[NodeDocument]


class EdgeListResponse(PageFields):
    edges: list[EdgeDocument]


class ToolListResponse(PageFields):
    tools: list[ToolDocument]


class EntityDeleteResponse(WireModel):
    """A node, edge or tool deleted."""

    message: str
    id: str


# -------------------------------------------------------------------------------- schemas
class NodeSchemasResponse(WireModel):
    config_schema: JsonSchema
    run_input_schema: JsonSchema
    run_output_schema: JsonSchema


class EdgeSchemasResponse(WireModel):
    config_schema: JsonSchema
    run_input_schema: JsonSchema


class ToolSchemasResponse(WireModel):
    config_schema: JsonSchema


class WorkflowRunSchemasResponse(WireModel):
    run_schema: JsonSchema
    run_input_schema: JsonSchema
    run_output_schema: JsonSchema
    run_input_output_pair_schema: JsonSchema


# -------------------------------------------------------------------------------- session
class SessionToken(WireModel):
    id: str = Field(description="Single-use token: append ?token=<id> to the WebSocket URL")


class SessionResponse(WireModel):
    data: SessionToken
