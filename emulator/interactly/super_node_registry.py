"""Publishing workflows as super nodes (spec §4.13).

Publishing snapshots the working copy (v0) into a new active version and records, for that
(workflow, version), the interface and a hydrated snapshot. Runs do not read this registry:
they resolve ``super_workflow_id`` from the catalog (``emulator.interactly.supernodes``), so
unpublishing only hides the entry from the super-node listing, as on the real service where
existing references keep working. Entries whose workflow or version was deleted are skipped.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from emulator.core.errors import NotFound, ServiceError
from emulator.interactly import supernodes
from emulator.interactly.catalog import Catalog

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm

TargetType = Literal["node_config_field", "dynamic_variable", "edge_config_field",
                     "workflow_config_field", "runtime_variable"]
ValueType = Literal["string", "integer", "number", "boolean", "object", "array", "enum", "any"]
JSON_TYPES = {"string": "string", "integer": "integer", "number": "number",
              "boolean": "boolean", "object": "object", "array": "array"}


class FieldMapping(BaseModel):
    model_config = ConfigDict(extra="allow")

    target_type: TargetType
    target_node_or_edge_logical_id: str | None = None
    target_field_path: str | None = None
    target_variable_name: str | None = None

    @model_validator(mode="after")
    def _targets(self) -> FieldMapping:
        if self.target_type in ("node_config_field", "edge_config_field") and not (
                self.target_node_or_edge_logical_id and self.target_field_path):
            raise ValueError(f"{self.target_type} needs target_node_or_edge_logical_id and "
                             "target_field_path")
        if self.target_type == "workflow_config_field" and not self.target_field_path:
            raise ValueError("workflow_config_field needs target_field_path")
        if self.target_type in ("dynamic_variable", "runtime_variable") and \
                not self.target_variable_name:
            raise ValueError(f"{self.target_type} needs target_variable_name")
        return self


class InputField(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    required: bool = True
    default_value: Any = None
    json_schema: dict[str, Any] | None = None
    mappings: list[FieldMapping] = Field(default_factory=list)
    value_type: ValueType = "any"
    enum_values: list[Any] | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _enum(self) -> InputField:
        if self.value_type == "enum" and not self.enum_values:
            raise ValueError("value_type 'enum' needs enum_values")
        return self


class Interface(BaseModel):
    """``SuperNodeInterface``; unknown keys are kept (notebook 08 sends ``field_values``)."""

    model_config = ConfigDict(extra="allow")

    input_fields: list[InputField] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _unique(self) -> Interface:
        names = [f.name for f in self.input_fields]
        if len(names) != len(set(names)):
            raise ValueError("input field names must be unique")
        return self


@dataclass
class Publication:
    workflow_id: str
    version_number: int
    interface: dict[str, Any]
    snapshot: dict[str, Any]
    published_at: str
    is_active: bool = True

    @property
    def num_input_fields(self) -> int:
        return len(self.interface.get("input_fields") or [])


class SuperNodeRegistry:
    def __init__(self, catalog: Catalog, now: Callable[[], str]) -> None:
        self.catalog = catalog
        self.now = now
        self.published: dict[tuple[str, int], Publication] = {}

    # ------------------------------------------------------------------ publishing
    def publish(self, workflow_id: str, interface: Interface) -> Publication:
        """Checks the mappings against the working copy before a version is made, so a
        rejected interface leaves nothing behind."""
        wf = self.catalog.workflow(workflow_id)
        self._check_targets(interface, self.catalog.hydrated(wf.id, 0))
        version = self.catalog.create_version(wf.id, None, True, 0)
        version.name = f"Super node v{version.number}"
        snapshot = copy.deepcopy(self.catalog.hydrated(wf.id, version.number))
        publication = Publication(wf.id, version.number,
                                  interface.model_dump(exclude_none=True), snapshot,
                                  self.now())
        self.published[(wf.id, version.number)] = publication
        return publication

    @staticmethod
    def _check_targets(interface: Interface, graph: dict[str, Any]) -> None:
        ids = {str(item.get("logical_id")) for key in ("node_configs", "edge_configs")
               for item in graph[key]}
        for field in interface.input_fields:
            for mapping in field.mappings:
                target = mapping.target_node_or_edge_logical_id
                if mapping.target_type in ("node_config_field", "edge_config_field") and \
                        target not in ids:
                    raise ServiceError("Invalid super node interface",
                                       f"Input field '{field.name}' maps to {target}, which "
                                       "is not a node or edge of the workflow")

    def unpublish(self, workflow_id: str, version_number: int | None
                  ) -> tuple[Publication, list[str]]:
        wf = self.catalog.workflow(workflow_id)
        number = wf.active_version_number if version_number is None else version_number
        publication = self.published.get((wf.id, number))
        if publication is None or not publication.is_active:
            raise NotFound(f"Version {number} of workflow {workflow_id} is not published as a "
                           "super node")
        publication.is_active = False
        return publication, [d["workflow_id"] for d in self.dependents(wf.id)]

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        return {"published": [asdict(p) for p in self.published.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self.published = {}
        for raw in data.get("published", []):
            pub = Publication(**raw)
            self.published[(pub.workflow_id, pub.version_number)] = pub
        return []

    # ------------------------------------------------------------------ reading
    def _live(self, publication: Publication) -> bool:
        wf = self.catalog.workflows.get(publication.workflow_id)
        return publication.is_active and wf is not None and \
            publication.version_number in wf.versions

    def listing(self) -> list[Publication]:
        return [p for p in self.published.values() if self._live(p)]

    def find(self, workflow_id: str, version_number: int | None) -> Publication:
        """The named version, else the active version if published, else the newest
        published one (publishing makes its version active, so that is the usual case)."""
        wf = self.catalog.workflow(workflow_id)
        mine = [p for p in self.listing() if p.workflow_id == wf.id]
        if version_number is not None:
            mine = [p for p in mine if p.version_number == version_number]
        active = [p for p in mine if p.version_number == wf.active_version_number]
        found = (active or sorted(mine, key=lambda p: p.version_number))[-1:] if mine else []
        if not found:
            which = "" if version_number is None else f"Version {version_number} of "
            raise NotFound(f"{which}Workflow {workflow_id} is not published as a super node")
        return found[0]

    def summary(self, publication: Publication) -> dict[str, Any]:
        config = publication.snapshot["workflow_config"]
        return {"workflow_id": publication.workflow_id,
                "workflow_version_number": publication.version_number,
                "name": config.get("name"), "description": config.get("description"),
                "num_input_fields": publication.num_input_fields}

    def detail(self, publication: Publication) -> dict[str, Any]:
        body = self.summary(publication)
        del body["num_input_fields"]
        return {**body, "super_node_interface": publication.interface,
                "encapsulated_workflow_config": publication.snapshot}

    @staticmethod
    def field_schema(publication: Publication) -> dict[str, Any]:
        """JSON schema of a referencing node's ``field_values``."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in publication.interface.get("input_fields") or []:
            prop = dict(field.get("json_schema") or {})
            kind = field.get("value_type", "any")
            if kind in JSON_TYPES:
                prop.setdefault("type", JSON_TYPES[kind])
            if kind == "enum":
                prop.setdefault("enum", field.get("enum_values") or [])
            for key, target in (("min_value", "minimum"), ("max_value", "maximum")):
                if field.get(key) is not None:
                    prop.setdefault(target, field[key])
            length = ("minItems", "maxItems") if kind == "array" else ("minLength", "maxLength")
            for key, target in zip(("min_length", "max_length"), length, strict=True):
                if field.get(key) is not None:
                    prop.setdefault(target, field[key])
            if field.get("description"):
                prop.setdefault("description", field["description"])
            if field.get("default_value") is not None:
                prop.setdefault("default", field["default_value"])
            properties[field["name"]] = prop
            if field.get("required", True) and field.get("default_value") is None:
                required.append(field["name"])
        name = publication.snapshot["workflow_config"].get("name")
        return {"title": f"{name or publication.workflow_id} field values", "type": "object",
                "properties": properties, "required": required, "additionalProperties": False}

    def dependents(self, workflow_id: str) -> list[dict[str, Any]]:
        """Workflows (any version) with a super node referencing ``workflow_id`` by id."""
        target = self.catalog.workflow(workflow_id).id
        seen: list[str] = []
        for doc in self.catalog.nodes.values():
            config = doc["config"]
            owner = doc.get("workflow_id")
            if config.get("type") == "super_node" and config.get("super_workflow_id") == target \
                    and owner and owner != target and owner in self.catalog.workflows \
                    and owner not in seen:
                seen.append(owner)
        rows = []
        for owner in seen:
            config = self.catalog.workflows[owner].working_copy.workflow_config
            rows.append({"workflow_id": owner, "name": config.get("name"),
                         "description": config.get("description")})
        return rows

    # ------------------------------------------------------------------ diagnostics
    def resolve(self, workflow_id: str, version: int | None) -> dict[str, Any] | None:
        wf = self.catalog.workflows.get(workflow_id)
        if wf is None:
            return None
        number = wf.active_version_number if version is None else version
        return self.catalog.hydrated(wf.id, number) if number in wf.versions else None

    def expand_preview(self, workflow_id: str, version_number: int | None) -> dict[str, Any]:
        """The graph a run of this version would walk, with the engine's private markers
        renamed to public keys: ``super_node_origin`` on every inlined node and edge,
        ``super_node_entry_logical_id`` on each expanded super node."""
        wf = self.catalog.workflow(workflow_id)
        number = wf.active_version_number if version_number is None else version_number
        original = self.catalog.hydrated(wf.id, number)
        graph = supernodes.expand(copy.deepcopy(original), self.resolve)
        report = []
        for node in original["node_configs"]:
            if node.get("type") != "super_node":
                continue
            lid = str(node.get("logical_id"))
            expanded = next((n for n in graph["node_configs"] if n.get("logical_id") == lid
                             and "_entry" in n), None)
            inlined = [n for n in graph["node_configs"]
                       if str(n.get("logical_id", "")).startswith(lid + "/")]
            report.append({
                "super_node_logical_id": lid, "name": node.get("name"),
                "source": "encapsulated_workflow_config"
                if isinstance(node.get("encapsulated_workflow_config"), dict)
                else "super_workflow_id",
                "super_workflow_id": node.get("super_workflow_id"),
                "super_workflow_version_number": node.get("super_workflow_version_number"),
                "expanded": expanded is not None, "nodes_inlined": len(inlined),
                "reason": None if expanded is not None else
                "disabled" if node.get("disabled") else "sub-workflow not found or has no start "
                "node"})
        origins = [r["super_node_logical_id"] for r in report if r["expanded"]]
        for item in [*graph["node_configs"], *graph["edge_configs"]]:
            if "_super_node" in item:
                item["super_node_origin"] = item.pop("_super_node")
            if "_entry" in item:
                item["super_node_entry_logical_id"] = item.pop("_entry")
            lid = str(item.get("logical_id", ""))
            if "/" in lid and "super_node_origin" not in item:
                item["super_node_origin"] = lid.rsplit("/", 1)[0]
        return {"workflow_id": wf.id, "version_number": number, "expanded_config": graph,
                "super_node_origins": origins,
                "expansion_report": {
                    "super_nodes_found": len(report), "super_nodes_expanded": len(origins),
                    "nodes_before": len(original["node_configs"]),
                    "nodes_after": len(graph["node_configs"]),
                    "edges_before": len(original["edge_configs"]),
                    "edges_after": len(graph["edge_configs"]),
                    "max_depth": supernodes.MAX_DEPTH, "super_nodes": report}}

    def snapshot_status(self, workflow_id: str) -> dict[str, Any]:
        """Is each published snapshot still what its version holds, and are this workflow's
        own super nodes pinned to the newest published version of what they embed?"""
        wf = self.catalog.workflow(workflow_id)
        versions = []
        for p in self.published.values():
            if p.workflow_id != wf.id or p.version_number not in wf.versions:
                continue
            current = self.catalog.hydrated(wf.id, p.version_number)
            versions.append({"version_number": p.version_number, "is_active": p.is_active,
                             "published_at": p.published_at,
                             "num_input_fields": p.num_input_fields,
                             "snapshot_is_current": _same(current, p.snapshot)})
        references = []
        for node in self.catalog.hydrated(wf.id)["node_configs"]:
            target = node.get("super_workflow_id")
            if node.get("type") != "super_node" or not target:
                continue
            latest = max((p.version_number for p in self.listing()
                          if p.workflow_id == target), default=None)
            pinned = node.get("super_workflow_version_number")
            references.append({"node_logical_id": node.get("logical_id"),
                               "super_workflow_id": target, "pinned_version_number": pinned,
                               "latest_published_version_number": latest,
                               "is_outdated": pinned is not None and latest is not None
                               and pinned < latest})
        live = [v for v in versions if v["is_active"]]
        return {"workflow_id": wf.id, "active_version_number": wf.active_version_number,
                "is_published": bool(live),
                "snapshot_is_current": all(v["snapshot_is_current"] for v in live),
                "published_versions": versions, "referenced_super_nodes": references,
                "has_outdated_references": any(r["is_outdated"] for r in references)}


def _same(left: dict[str, Any], right: dict[str, Any]) -> bool:
    keys = ("node_configs", "edge_configs")
    return all(left.get(k) == right.get(k) for k in keys) and \
        {k: v for k, v in left["workflow_config"].items() if k not in ("nodes", "edges")} == \
        {k: v for k, v in right["workflow_config"].items() if k not in ("nodes", "edges")}
