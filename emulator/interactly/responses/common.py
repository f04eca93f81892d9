"""Wire shapes several Interactly route families answer: the workflow and version documents
and their envelopes, the node/edge/tool documents, and the pagination fields of every list.

The config documents inside them are described by the emulator's own models of Interactly's
configs (:mod:`emulator.interactly.models`), the service's contract for them, and the same
models validate every node, edge and tool config when it is saved
(:mod:`emulator.interactly.shapes`). What is stored may still carry keys the models do not
list, and nodes of types they do not describe (both kept, as the service's clients expect), so
the configs are declared ``SkipValidation``: ``--strict`` holds the emulator's own fields around
them to the contract, and the save-time check holds the configs themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, SkipValidation

from emulator.interactly.models.edges import (
    CompanionEdgeConfig,
    ConditionalEdgeConfig,
    DirectEdgeConfig,
)
from emulator.interactly.models.nodes import (
    EndConversationNodeConfig,
    HttpRequestNodeConfig,
    NoOpNodeConfig,
    SayLLMNodeConfig,
    SayStaticMessageNodeConfig,
    SendSMSNodeConfig,
    StartConversationNodeConfig,
    ToolNodeConfig,
    WorkerLLMNodeConfig,
)
from emulator.interactly.models.super_node import SuperNodeConfig
from emulator.interactly.models.tools import (
    ExternalAPIToolConfig,
    InbuiltFunctionToolConfig,
    InlinePythonToolConfig,
    KnowledgeBaseToolConfig,
)
from emulator.interactly.models.workflow import WorkflowConfig, WorkflowConfigFullyHydrated
from emulator.web.contract import WireModel

# Stored configs of each kind, one model per ``type``. Plain unions: a discriminator inside
# SkipValidation breaks FastAPI's OpenAPI generation, and each variant's ``type`` is a const.
NodeConfig = (SayLLMNodeConfig | WorkerLLMNodeConfig | SayStaticMessageNodeConfig |
              ToolNodeConfig | HttpRequestNodeConfig | NoOpNodeConfig |
              StartConversationNodeConfig | EndConversationNodeConfig | SendSMSNodeConfig |
              SuperNodeConfig)
EdgeConfig = DirectEdgeConfig | ConditionalEdgeConfig | CompanionEdgeConfig
ToolConfig = (InlinePythonToolConfig | InbuiltFunctionToolConfig | ExternalAPIToolConfig |
              KnowledgeBaseToolConfig)

#: ``_id``: the 24-hex ObjectId of a stored document (the SDK maps it to ``id``).
ObjectIdKey = Annotated[str, Field(alias="_id", description="ObjectId of the stored document")]


class PageFields(WireModel):
    """What every Interactly list carries beside its items. The real lists answer ``total``
    only; ``page``/``size``/``pages`` are the emulator's, so the SDK's ``list_all()`` pages."""

    total: int
    page: int
    size: int
    pages: int


# ------------------------------------------------------------------------------- workflows
class WorkflowDocument(WireModel):
    """A stored workflow: its working copy's config and which version runs by default."""

    object_id: ObjectIdKey
    id: str
    team_id: str
    created_by: str
    updated_by: str
    active_version_number: int
    workflow_config: SkipValidation[WorkflowConfig | WorkflowConfigFullyHydrated | None] = Field(
        description="The working copy's config (node and edge ids); with fully_hydrate=true "
                    "the hydrated form of the active version (node and edge configs inlined)")
    created_at: datetime
    updated_at: datetime
    max_concurrent_runs: int | None


class WorkflowResponse(WireModel):
    """``{"workflow": {...}, "execution_url": ...}``: create, get, update, activate, clone,
    import."""

    workflow: WorkflowDocument
    execution_url: str = Field(description="Where this workflow's runs are executed")


class WorkflowListResponse(PageFields):
    workflows: list[WorkflowDocument]


class WorkflowVersionDocument(WireModel):
    """One numbered version of a workflow; version 0 is the editable working copy."""

    object_id: ObjectIdKey
    workflow_id: str
    version_number: int
    version_name: str
    workflow_config: SkipValidation[WorkflowConfig | WorkflowConfigFullyHydrated] = Field(
        description="The version's config; hydrated when asked with fully_hydrate=true")
    team_id: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    is_active: bool


class WorkflowVersionResponse(WireModel):
    """A version and the workflow's active version number (the SDK derives ``is_active``)."""

    version: WorkflowVersionDocument
    parent_active_version: int


# ------------------------------------------------------------------ nodes, edges and tools
class EntityFields(WireModel):
    """The stored-document fields every node, edge and tool carries around its config."""

    object_id: ObjectIdKey
    id: str
    team_id: str
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime


class NodeDocument(EntityFields):
    node_config: SkipValidation[NodeConfig] = Field(
        description="The node config as stored (flat, with its ``type``, ``workflow_id`` and "
                    "``version_number``)")


class EdgeDocument(EntityFields):
    edge_config: SkipValidation[EdgeConfig]


class ToolDocument(EntityFields):
    tool_config: SkipValidation[ToolConfig]


class NodeResponse(WireModel):
    node: NodeDocument


class EdgeResponse(WireModel):
    edge: EdgeDocument


class ToolResponse(WireModel):
    tool: ToolDocument


__all__ = [
    "EdgeConfig",
    "EdgeDocument",
    "EdgeResponse",
    "EntityFields",
    "NodeConfig",
    "NodeDocument",
    "NodeResponse",
    "ObjectIdKey",
    "PageFields",
    "ToolConfig",
    "ToolDocument",
    "ToolResponse",
    "WorkflowDocument",
    "WorkflowListResponse",
    "WorkflowResponse",
    "WorkflowVersionDocument",
    "WorkflowVersionResponse",
]
