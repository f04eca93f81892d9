"""Workflow copies: clone, export to a portable bundle, import a bundle (spec §4.1).

All three reduce to "a new workflow made of some versions of a graph", which
:meth:`Catalog.assemble` builds atomically; this module only decides *which* versions and
which one is active, and shapes the bundle. Node and edge logical ids are kept (they are scoped
to a workflow); document ids and the workflow's logical id are new.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulator.core.errors import BadRequest, NotFound
from emulator.interactly.catalog import Catalog, VersionSpec, Workflow

EXPORT_FORMAT = 1
# Per-document keys that tie a node/edge to its stored workflow; a bundle is free of them.
ATTACHMENT = ("workflow_id", "version_number")


def _portable(config: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in config.items() if k not in ATTACHMENT}


def _spec(catalog: Catalog, wf: Workflow, number: int) -> VersionSpec:
    version = catalog.version(wf.id, number)
    nodes, edges = catalog.graph(wf.id, number)
    config = {k: copy.deepcopy(v) for k, v in version.workflow_config.items()
              if k not in ("nodes", "edges")}
    return VersionSpec(number, version.name, config, [_portable(n) for n in nodes],
                       [_portable(e) for e in edges])


# ---------------------------------------------------------------------------- clone
def clone(catalog: Catalog, workflow_id: str, *, name: str | None, description: str | None,
          clone_all_versions: bool, version_numbers: list[int] | None,
          fallback_active_version: int | None, team_id: str, user: str) -> Workflow:
    """Deep copy. A subset keeps its version numbers; when the source's active version is not
    in it, ``fallback_active_version`` (else the lowest selected version) becomes active."""
    wf = catalog.workflow(workflow_id)
    if version_numbers:
        numbers = sorted(set(version_numbers))
    elif clone_all_versions:
        numbers = sorted(wf.versions)
    else:
        raise BadRequest("At least one version must be selected to clone")
    missing = [n for n in numbers if n not in wf.versions]
    if missing:
        raise NotFound(f"Versions {missing} of workflow {workflow_id} not found")
    if wf.active_version_number in numbers:
        active = wf.active_version_number
    elif fallback_active_version is not None:
        if fallback_active_version not in numbers:
            raise BadRequest(f"fallback_active_version {fallback_active_version} is not among "
                             "the versions to clone")
        active = fallback_active_version
    else:
        active = numbers[0]
    specs = [_spec(catalog, wf, n) for n in numbers]
    return catalog.assemble(specs, active, team_id, user, name or f"{wf.name} (copy)",
                            description)


# ---------------------------------------------------------------------------- export
def export(catalog: Catalog, workflow_id: str, version_numbers: list[int], active: int,
           now: str) -> dict[str, Any]:
    """The bundle: the active version hydrated at the top level (so a bundle reads like a
    ``WorkflowConfigFullyHydrated``) plus every selected version under ``versions``."""
    wf = catalog.workflow(workflow_id)
    numbers = sorted(set(version_numbers))
    if active not in numbers:
        raise BadRequest(f"active_version_number {active} must be one of version_numbers")
    specs = [_spec(catalog, wf, n) for n in numbers]  # 404 on an unknown version
    top = next(s for s in specs if s.number == active)
    return {
        "export_format": EXPORT_FORMAT, "exported_at": now, "source_workflow_id": wf.id,
        "workflow_name": wf.name, "active_version_number": active,
        "workflow_config": top.workflow_config, "node_configs": top.node_configs,
        "edge_configs": top.edge_configs,
        "versions": [{"version_number": s.number, "version_name": s.name,
                      "workflow_config": s.workflow_config, "node_configs": s.node_configs,
                      "edge_configs": s.edge_configs} for s in specs],
    }


# ---------------------------------------------------------------------------- import
class BundleVersion(BaseModel):
    model_config = ConfigDict(extra="allow")

    version_number: int = Field(ge=0)
    version_name: str | None = None
    workflow_config: dict[str, Any] = Field(default_factory=dict)
    node_configs: list[dict[str, Any]] = Field(default_factory=list)
    edge_configs: list[dict[str, Any]] = Field(default_factory=list)


class Bundle(BaseModel):
    """What import needs of a bundle. A bundle without ``versions`` (a hand-made hydrated
    config) is read as a single version 0."""

    model_config = ConfigDict(extra="allow")

    workflow_config: dict[str, Any] = Field(default_factory=dict)
    node_configs: list[dict[str, Any]] = Field(default_factory=list)
    edge_configs: list[dict[str, Any]] = Field(default_factory=list)
    versions: list[BundleVersion] | None = None

    def all_versions(self) -> list[BundleVersion]:
        if self.versions is not None:
            return self.versions
        return [BundleVersion(version_number=0, workflow_config=self.workflow_config,
                              node_configs=self.node_configs, edge_configs=self.edge_configs)]


def import_bundle(catalog: Catalog, raw: dict[str, Any], *, versions_to_import: list[int] | None,
                  active: int | None, workflow_name: str | None, team_id: str,
                  user: str) -> Workflow:
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadRequest(f"Invalid bundle: {where}: {first['msg']}") from None
    available = {v.version_number: v for v in bundle.all_versions()}
    wanted = sorted(set(versions_to_import if versions_to_import is not None else [0]))
    if not wanted:
        raise BadRequest("At least one version must be imported")
    missing = [n for n in wanted if n not in available]
    if missing:
        raise BadRequest(f"Versions {missing} are not in the bundle "
                         f"(it has {sorted(available)})")
    active = 0 if active is None else active
    if active not in wanted:
        raise BadRequest(f"active_version_number {active} is not among the imported versions")
    specs = []
    for number in wanted:
        v = available[number]
        config = {k: copy.deepcopy(val) for k, val in v.workflow_config.items()
                  if k not in ("nodes", "edges")}
        specs.append(VersionSpec(number, v.version_name or f"Version {number}", config,
                                 [_portable(n) for n in v.node_configs],
                                 [_portable(e) for e in v.edge_configs]))
    name = workflow_name or next((s.workflow_config.get("name") for s in specs
                                  if s.number == active), None) or raw.get("workflow_name")
    if not name:
        raise BadRequest("The bundle has no workflow name; pass workflow_name")
    return catalog.assemble(specs, active, team_id, user, name)
