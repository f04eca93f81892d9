"""What a client does to a whole workflow: create, edit, copy (clone, bundle import), delete,
favourite, and the version edits and reads that combine several catalog steps.

The catalog stores definitions and knows nothing else; this service is where a change to a
workflow meets the rest of the namespace. Every method that creates, edits or deletes a workflow
raises its own webhook event (``workflow_created`` / ``workflow_updated`` /
``workflow_deleted``) through :meth:`InteractlyState.notify`, so no caller can forget it, and
deleting a workflow takes its runs with it. Seeding, which is not a client's change, uses
:meth:`Workflows.drop` and raises nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from emulator.interactly import bundles, diffs, dynamic_vars

if TYPE_CHECKING:
    from emulator.interactly.catalog import Version, Workflow
    from emulator.interactly.state import InteractlyState

#: ``WorkflowConfig.category``'s default: what a workflow without a category counts as.
DEFAULT_CATEGORY = "User Created"


class Workflows:
    """One namespace's workflow use cases. Keeps nothing of its own (the catalog, the runs and
    the favourites hold the data), hence never part of a snapshot."""

    stateless: ClassVar[Literal[True]] = True

    def __init__(self, state: InteractlyState) -> None:
        self.state = state
        self.catalog = state.catalog

    # ------------------------------------------------------------------ lifecycle
    def create(self, name: str | None, description: str | None,
               config: dict[str, Any] | None, dynamic_variables: dict[str, Any] | None,
               node_configs: list[dict[str, Any]] | None,
               edge_configs: list[dict[str, Any]] | None, team_id: str, user: str) -> Workflow:
        """``dynamic_variables`` become the version's defaults
        (``miscellaneous.default_dynamic_variables``), under any the config already names."""
        config = dict(config or {})
        if dynamic_variables:
            misc = dict(config.get("miscellaneous") or {})
            misc["default_dynamic_variables"] = {
                **dynamic_variables, **(misc.get("default_dynamic_variables") or {})}
            config["miscellaneous"] = misc
        wf = self.catalog.create_workflow(name, description, config, team_id, user,
                                          node_configs, edge_configs)
        self._announce("workflow_created", wf)
        return wf

    def update(self, workflow_id: str, changes: dict[str, Any]) -> Workflow:
        wf = self.catalog.update_workflow(workflow_id, changes)
        self._announce("workflow_updated", wf)
        return wf

    def delete(self, workflow_id: str) -> None:
        """The workflow, its nodes and edges and its runs; then ``workflow_deleted`` (with
        the name it had). Schedules and webhook events that name it stay readable."""
        name = self.catalog.workflow(workflow_id).name
        self.drop(workflow_id)
        self.state.notify("workflow_deleted", {"workflow_id": workflow_id,
                                               "workflow_name": name})

    def drop(self, workflow_id: str) -> None:
        """Delete without an event: for seeding, which replaces definitions rather than
        changing them on a client's behalf."""
        self.catalog.delete_workflow(workflow_id)
        self.state.runs.drop_workflow(workflow_id)

    def clone(self, workflow_id: str, *, name: str | None, description: str | None,
              clone_all_versions: bool, version_numbers: list[int] | None,
              fallback_active_version: int | None, team_id: str, user: str) -> Workflow:
        wf = bundles.clone(self.catalog, workflow_id, name=name, description=description,
                           clone_all_versions=clone_all_versions,
                           version_numbers=version_numbers,
                           fallback_active_version=fallback_active_version, team_id=team_id,
                           user=user)
        self._announce("workflow_created", wf)
        return wf

    def import_bundle(self, bundle: dict[str, Any], *, versions_to_import: list[int] | None,
                      active: int | None, workflow_name: str | None, team_id: str,
                      user: str) -> Workflow:
        wf = bundles.import_bundle(self.catalog, bundle, versions_to_import=versions_to_import,
                                   active=active, workflow_name=workflow_name, team_id=team_id,
                                   user=user)
        self._announce("workflow_created", wf)
        return wf

    def export(self, workflow_id: str, version_numbers: list[int], active: int
               ) -> dict[str, Any]:
        return bundles.export(self.catalog, workflow_id, version_numbers, active,
                              self.state.ns.clock.now_iso())

    def _announce(self, action: str, wf: Workflow) -> None:
        self.state.notify(action, {"workflow_id": wf.id, "workflow_name": wf.name})

    # ------------------------------------------------------------------ favourites
    def favorite(self, workflow_id: str, user: str) -> None:
        self.catalog.workflow(workflow_id)  # 404 before anything is kept
        self.state.favorites.add(user, workflow_id)

    def unfavorite(self, workflow_id: str, user: str) -> None:
        self.catalog.workflow(workflow_id)
        self.state.favorites.remove(user, workflow_id)

    def active_versions(self, user: str, *, favorites: bool | None,
                        created_by_me: bool | None, categories: list[str],
                        logical_id: str | None) -> list[tuple[Workflow, Version]]:
        """One active version per workflow, filtered. ``categories`` (any of them matches)
        is read from the active version's ``workflow_config.category``, absent counting as
        :data:`DEFAULT_CATEGORY`."""
        liked = self.state.favorites.of(user)
        wanted = {c for c in categories if c}
        rows = []
        for wf in self.catalog.workflows.values():
            version = wf.versions.get(wf.active_version_number)
            if version is None:
                continue
            config = version.workflow_config
            if favorites and wf.id not in liked:
                continue
            if created_by_me and wf.created_by != user:
                continue
            if wanted and (config.get("category") or DEFAULT_CATEGORY) not in wanted:
                continue
            if logical_id and config.get("logical_id") != logical_id:
                continue
            rows.append((wf, version))
        return rows

    # ------------------------------------------------------------------ versions
    def update_version_config(self, workflow_id: str, number: int, config: dict[str, Any]
                              ) -> Version:
        """A plain ``WorkflowConfig`` is merged into the version's config; a hydrated one
        (``workflow_config`` + ``node_configs``/``edge_configs``) also replaces the graph."""
        catalog = self.catalog
        catalog.version(workflow_id, number)
        hydrated = any(isinstance(config.get(k), list) for k in ("node_configs", "edge_configs"))
        if hydrated:
            nodes, edges = config.get("node_configs"), config.get("edge_configs")
            catalog.replace_version_graph(workflow_id, number,
                                          nodes if isinstance(nodes, list) else None,
                                          edges if isinstance(edges, list) else None)
            inner = config.get("workflow_config")
            if isinstance(inner, dict):
                catalog.update_version_config(workflow_id, number, inner)
        else:
            catalog.update_version_config(workflow_id, number, config)
        return catalog.version(workflow_id, number)

    def used_variables(self, workflow_id: str, version_number: int | None
                       ) -> dict[str, Any]:
        """Where each ``{{dynamic}}`` variable of a version (the active one by default) is
        used."""
        wf = self.catalog.workflow(workflow_id)
        number = wf.active_version_number if version_number is None else version_number
        config = self.catalog.version(workflow_id, number).workflow_config
        nodes, edges = self.catalog.graph(workflow_id, number)
        return dynamic_vars.used_variables(config, nodes, edges)

    def diff(self, workflow_id: str, v1: int, v2: int) -> dict[str, Any]:
        return diffs.version_diff(self._side(workflow_id, v1), self._side(workflow_id, v2))

    def _side(self, workflow_id: str, number: int) -> dict[str, Any]:
        version = self.catalog.version(workflow_id, number)
        nodes, edges = self.catalog.graph(workflow_id, number)
        return {"number": number, "name": version.name,
                "workflow_config": version.workflow_config, "node_configs": nodes,
                "edge_configs": edges}
