"""What the global-variable, template, workflow-category and node-library routes answer
(spec §4.11, §4.12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from emulator.interactly.models.documents import NodeLibraryConfig, WorkflowTemplateConfig
from emulator.interactly.responses.common import EntityFields, ObjectIdKey, PageFields
from emulator.web.contract import WireModel


# ---------------------------------------------------------------------- global variables
class GlobalVariable(EntityFields):
    """A team global; secrets are answered masked (``********``). The two system variables
    have ``is_system: true``, an empty ``team_id`` and ``created_by: "system"``."""

    name: str
    value: str
    description: str | None
    category: str | None
    is_secret: bool
    is_system: bool


class GlobalVariableResponse(WireModel):
    variable: GlobalVariable


class GlobalVariableListResponse(PageFields):
    """The system variables ride on page 1 outside the paging (``total`` counts the team's)."""

    variables: list[GlobalVariable]
    categories: list[str]


class BulkVariableError(WireModel):
    index: int = Field(description="Position of the refused item in the request")
    name: Any = Field(description="The item's ``name`` as sent (null when it had none)")
    error: str


class BulkGlobalVariablesResponse(WireModel):
    """Valid items are created even when others are refused (the SDK raises on ``errors``)."""

    created: list[GlobalVariable]
    errors: list[BulkVariableError]


class ResolvedGlobalVariablesResponse(WireModel):
    variables: dict[str, str] = Field(description="name -> value; team secrets in clear, the "
                                                  "system API token masked")


# ---------------------------------------------------------------------- shared assets
class AssetAudit(WireModel):
    """Templates and node libraries answer their audit keys in both spellings: the SDK reads
    snake_case, the real service sends camelCase for these resources."""

    object_id: ObjectIdKey
    id: str
    team_id: str
    teamId: str
    created_by: str
    createdBy: str
    updated_by: str
    updatedBy: str
    created_at: datetime
    createdAt: datetime
    updated_at: datetime
    updatedAt: datetime


class StoredTemplateConfig(WorkflowTemplateConfig):
    """``WorkflowTemplateConfig`` as stored: unknown keys sent by the client are kept."""

    model_config = ConfigDict(extra="allow")


class StoredNodeLibraryConfig(NodeLibraryConfig):
    """``NodeLibraryConfig`` as stored: unknown keys are kept (clients store node configs in
    node libraries too)."""

    model_config = ConfigDict(extra="allow")


class WorkflowTemplate(AssetAudit):
    workflow_template_config: StoredTemplateConfig
    name: str | None = Field(description="The template's workflow's name (null once gone)")
    description: str | None


class WorkflowTemplateResponse(WireModel):
    workflow_template: WorkflowTemplate


class WorkflowTemplateListResponse(PageFields):
    workflow_templates: list[WorkflowTemplate]


class WorkflowCategoriesResponse(WireModel):
    categories: list[str]


class NodeLibrary(AssetAudit):
    node_library_config: StoredNodeLibraryConfig


class NodeLibraryResponse(WireModel):
    node_library: NodeLibrary


class NodeLibraryListResponse(PageFields):
    node_libraries: list[NodeLibrary]
