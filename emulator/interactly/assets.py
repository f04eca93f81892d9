"""Reusable assets (spec §4.12): workflow templates, node libraries and workflow categories.

A template is a pointer to a workflow plus access control, so it lives only as long as its
workflow: the catalog does not know about templates, hence templates of a deleted workflow are
dropped the next time templates are read (notebook 11 relies on that cascade). A node library's
config is kept as sent (notebook 11 stores a node config in it); only the keys the service
reads (name, nodes, access control) are typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulator.core.errors import lookup
from emulator.core.ids import OBJECT_ID
from emulator.interactly.catalog import Catalog

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm

AccessLevel = Literal["personal", "team", "system"]
#: Global defaults of ``GET /v1/workflow-categories``; the team's own (the ``category`` of its
#: workflows) follow, deduplicated, as the SDK documents.
DEFAULT_CATEGORIES = ["Customer Support", "Sales", "Scheduling", "Healthcare", "Insurance",
                      "Surveys", "Internal Tools", "Other"]


class TemplateConfig(BaseModel):
    """``WorkflowTemplateConfig``: unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    logical_id: str | None = Field(None, max_length=200)
    workflow_id: str = Field(pattern=OBJECT_ID)
    access_level: AccessLevel = "personal"
    access_list: list[str] | None = None


class TemplatePatch(BaseModel):
    model_config = ConfigDict(extra="allow")

    logical_id: str | None = Field(None, max_length=200)
    workflow_id: str | None = Field(None, pattern=OBJECT_ID)
    access_level: AccessLevel | None = None
    access_list: list[str] | None = None


class NodeLibraryConfig(BaseModel):
    """``NodeLibraryConfig`` or a node config (both are sent by SDK users)."""

    model_config = ConfigDict(extra="allow")

    logical_id: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=5000)
    nodes: list[str] | None = None
    access_level: AccessLevel = "personal"
    access_list: list[str] | None = None


def _doc(doc_id: str, config_key: str, config: dict[str, Any], team_id: str, user: str,
         now: str) -> dict[str, Any]:
    """A stored asset. Audit keys come in both spellings: the SDK models read snake_case,
    the real service answers camelCase for these resources ([QA])."""
    return {"_id": doc_id, "id": doc_id, config_key: config, "team_id": team_id,
            "teamId": team_id, "created_by": user, "createdBy": user, "updated_by": user,
            "updatedBy": user, "created_at": now, "createdAt": now, "updated_at": now,
            "updatedAt": now}


def _touch(doc: dict[str, Any], user: str, now: str) -> None:
    doc.update(updated_by=user, updatedBy=user, updated_at=now, updatedAt=now)


class Assets:
    def __init__(self, catalog: Catalog, new_id: Callable[[], str], now: Callable[[], str],
                 new_logical: Callable[[str], str]) -> None:
        self.catalog = catalog
        self.new_id = new_id
        self.now = now
        self.new_logical = new_logical
        self.templates: dict[str, dict[str, Any]] = {}
        self.libraries: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ templates
    def _prune(self) -> None:
        for doc_id in [i for i, d in self.templates.items()
                       if d["workflow_template_config"]["workflow_id"]
                       not in self.catalog.workflows]:
            del self.templates[doc_id]

    def template_view(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The stored doc plus the name of the workflow it points at (a template has none
        of its own)."""
        wf = self.catalog.workflows.get(doc["workflow_template_config"]["workflow_id"])
        config = wf.working_copy.workflow_config if wf else {}
        return {**doc, "name": config.get("name"), "description": config.get("description")}

    def create_template(self, body: TemplateConfig, team_id: str, user: str) -> dict[str, Any]:
        self.catalog.workflow(body.workflow_id)  # 404 before anything is stored
        config = body.model_dump()
        config["logical_id"] = config["logical_id"] or self.new_logical("workflow_template")
        doc = _doc(self.new_id(), "workflow_template_config", config, team_id, user,
                   self.now())
        self.templates[doc["_id"]] = doc
        return doc

    def template(self, doc_id: str) -> dict[str, Any]:
        self._prune()
        return lookup(self.templates, doc_id, "Workflow template")

    def list_templates(self, search: str | None, access_level: str | None
                       ) -> list[dict[str, Any]]:
        self._prune()
        rows = [self.template_view(d) for d in self.templates.values()]
        if access_level:
            rows = [r for r in rows
                    if r["workflow_template_config"].get("access_level") == access_level]
        if search:
            rows = [r for r in rows if search.lower() in str(r["name"] or "").lower()]
        return rows

    def update_template(self, doc_id: str, patch: TemplatePatch, user: str) -> dict[str, Any]:
        """PATCH merges (notebook 11 sends only ``access_level``); the result is checked
        before it replaces the stored config."""
        doc = self.template(doc_id)
        changes = patch.model_dump(exclude_unset=True)
        for key in ("logical_id", "workflow_id", "access_level"):
            if key in changes and changes[key] is None:
                del changes[key]  # null means "leave it" for keys that cannot be empty
        merged = TemplateConfig.model_validate(
            {**doc["workflow_template_config"], **changes}).model_dump()
        self.catalog.workflow(merged["workflow_id"])
        doc["workflow_template_config"] = merged
        _touch(doc, user, self.now())
        return doc

    def delete_template(self, doc_id: str) -> None:
        del self.templates[self.template(doc_id)["_id"]]

    # ------------------------------------------------------------------ node libraries
    def create_library(self, body: NodeLibraryConfig, team_id: str, user: str
                       ) -> dict[str, Any]:
        config = body.model_dump()
        config["logical_id"] = config["logical_id"] or self.new_logical("node_library")
        doc = _doc(self.new_id(), "node_library_config", config, team_id, user, self.now())
        self.libraries[doc["_id"]] = doc
        return doc

    def library(self, doc_id: str) -> dict[str, Any]:
        return lookup(self.libraries, doc_id, "Node library")

    def list_libraries(self, search: str | None, access_level: str | None
                       ) -> list[dict[str, Any]]:
        rows = list(self.libraries.values())
        if access_level:
            rows = [r for r in rows if r["node_library_config"].get("access_level") ==
                    access_level]
        if search:
            rows = [r for r in rows
                    if search.lower() in str(r["node_library_config"].get("name") or "").lower()]
        return rows

    def update_library(self, doc_id: str, body: NodeLibraryConfig, user: str
                       ) -> dict[str, Any]:
        """The SDK sends the full replacement config; the logical id survives unless the new
        config names one."""
        doc = self.library(doc_id)
        config = body.model_dump()
        config["logical_id"] = config["logical_id"] or doc["node_library_config"]["logical_id"]
        doc["node_library_config"] = config
        _touch(doc, user, self.now())
        return doc

    def delete_library(self, doc_id: str) -> None:
        del self.libraries[self.library(doc_id)["_id"]]

    # ------------------------------------------------------------------ categories
    def categories(self) -> list[str]:
        found = list(DEFAULT_CATEGORIES)
        for wf in self.catalog.workflows.values():
            category = wf.working_copy.workflow_config.get("category")
            if isinstance(category, str) and category.strip() and category not in found:
                found.append(category)
        return found

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"templates": self.templates, "libraries": self.libraries}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self.templates = dict(data.get("templates") or {})
        self.libraries = dict(data.get("libraries") or {})
        return []
