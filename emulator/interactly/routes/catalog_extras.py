"""Workflow utilities (clone, concurrency, export/import, dynamic variables, favourites),
version edits and diffs, tool registry/bundles/execution, and saved LLM configs (spec §4.1,
§4.2, §4.4, §4.5). Thin: each handler validates, calls one service, shapes the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.core.errors import ApiError, NotFound
from emulator.interactly import (
    bundles,
    diffs,
    dynamic_vars,
    global_variables,
    tool_bundles,
    wire,
)
from emulator.interactly.favorites import Favorites
from emulator.interactly.llm_configs import LLMConfigs, keep_secrets
from emulator.interactly.responses.common import (
    ToolResponse,
    WorkflowResponse,
    WorkflowVersionResponse,
)
from emulator.interactly.responses.extras_catalog import (
    ActiveVersionListResponse,
    ConfigurableInbuiltTool,
    ConfigurableInbuiltToolsResponse,
    DynamicVariableUsage,
    FavoriteResponse,
    InbuiltToolsResponse,
    LLMConfigDeletedResponse,
    LLMConfigListResponse,
    LLMConfigResponse,
    LLMConfigTestResult,
    ToolExecuteResult,
    ToolExportBundle,
    VersionDiff,
    WorkflowConcurrencyResponse,
    WorkflowExportBundle,
)
from emulator.interactly.routes.common import Ns, ObjectId, PageNo, Size, base_url, team, user
from emulator.interactly.state import InteractlyState, interactly
from emulator.interactly.tool_registry import CONFIGURABLE, INBUILT
from emulator.interactly.tool_runs import ToolRunner
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: workflows and tools")

VersionNo = Annotated[int, Path(ge=0)]
LLMConfigId = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                          r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
DEFAULT_CATEGORY = "User Created"  # WorkflowConfig.category's default


def _favorites(state: InteractlyState) -> Favorites:
    return state.service("favorites", Favorites)


def _llm(state: InteractlyState) -> LLMConfigs:
    return state.service("llm_configs", LLMConfigs)


def _runner(state: InteractlyState) -> ToolRunner:
    def make(s: InteractlyState) -> ToolRunner:
        globals_ = s.service("globals", global_variables.service)
        return ToolRunner(s.scripts, s.ns.clock.now_iso, globals_.dynamic_variables)

    return state.service("tool_runner", make)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# =============================================================================== workflows
class CloneBody(_Open):
    name: str | None = Field(None, min_length=1)
    description: str | None = None
    clone_all_versions: bool = True
    version_numbers_to_clone: list[Annotated[int, Field(ge=0)]] | None = None
    fallback_active_version: int | None = Field(None, ge=0)


class ConcurrencyBody(_Open):
    max_concurrent_runs: int = Field(ge=1, le=10_000)


class ImportBody(_Open):
    bundle: dict[str, Any]
    versions_to_import: list[Annotated[int, Field(ge=0)]] | None = None
    active_version_number: int | None = Field(None, ge=0)
    workflow_name: str | None = Field(None, min_length=1)


@router.post("/v1/workflows/import/bundle", response_model=WorkflowResponse,
             responses=errors(service=(400,)))
async def import_workflow(body: ImportBody, request: Request, ns: Ns) -> JSONResponse:
    state = interactly(ns)
    wf = bundles.import_bundle(state.catalog, body.bundle,
                               versions_to_import=body.versions_to_import,
                               active=body.active_version_number,
                               workflow_name=body.workflow_name, team_id=team(request),
                               user=user(request))
    state.notify("workflow_created", {"workflow_id": wf.id, "workflow_name": wf.name})
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.get("/v1/workflows/dynamic-variables/{workflow_id}",
            response_model=dict[str, DynamicVariableUsage], responses=errors(404))
async def dynamic_variables(workflow_id: ObjectId, ns: Ns,
                            version_number: Annotated[int | None, Query(ge=0)] = None
                            ) -> JSONResponse:
    catalog = interactly(ns).catalog
    wf = catalog.workflow(workflow_id)
    number = wf.active_version_number if version_number is None else version_number
    config = catalog.version(workflow_id, number).workflow_config
    nodes, edges = catalog.graph(workflow_id, number)
    return ok(dynamic_vars.used_variables(config, nodes, edges))


@router.get("/v1/workflows/versions/active", response_model=ActiveVersionListResponse)
async def active_versions(request: Request, ns: Ns, page: PageNo = 1, size: Size = 100,
                          favorites: bool | None = None, created_by_me: bool | None = None,
                          category: str | None = None,
                          categories: Annotated[list[str] | None, Query()] = None,
                          logical_id: str | None = None) -> JSONResponse:
    """One active version per workflow. ``category`` is read from the active version's
    ``workflow_config.category`` (absent counts as the typed default "User Created")."""
    state = interactly(ns)
    me = user(request)
    liked = _favorites(state).of(me)
    wanted = {c for c in [category, *(categories or [])] if c}
    rows = []
    for wf in state.catalog.workflows.values():
        version = wf.versions.get(wf.active_version_number)
        if version is None:
            continue
        config = version.workflow_config
        if favorites and wf.id not in liked:
            continue
        if created_by_me and wf.created_by != me:
            continue
        if wanted and (config.get("category") or DEFAULT_CATEGORY) not in wanted:
            continue
        if logical_id and config.get("logical_id") != logical_id:
            continue
        rows.append(wire.version_doc(wf, version))
    return ok(wire.page(rows, "versions", page, size))


@router.post("/v1/workflows/{workflow_id}/clone", response_model=WorkflowResponse,
             responses=errors(404, service=(400,)))
async def clone_workflow(workflow_id: ObjectId, body: CloneBody, request: Request,
                         ns: Ns) -> JSONResponse:
    state = interactly(ns)
    wf = bundles.clone(state.catalog, workflow_id, name=body.name,
                       description=body.description,
                       clone_all_versions=body.clone_all_versions,
                       version_numbers=body.version_numbers_to_clone,
                       fallback_active_version=body.fallback_active_version,
                       team_id=team(request), user=user(request))
    state.notify("workflow_created", {"workflow_id": wf.id, "workflow_name": wf.name})
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.patch("/v1/workflows/{workflow_id}/concurrency",
              response_model=WorkflowConcurrencyResponse, responses=errors(404))
async def update_concurrency(workflow_id: ObjectId, body: ConcurrencyBody,
                             ns: Ns) -> JSONResponse:
    catalog = interactly(ns).catalog
    wf = catalog.workflow(workflow_id)
    wf.max_concurrent_runs = body.max_concurrent_runs
    wf.updated_at = catalog.now()
    return ok({"workflow_id": wf.id, "max_concurrent_runs": wf.max_concurrent_runs,
               "message": f"Concurrency limit set to {wf.max_concurrent_runs}"})


@router.get("/v1/workflows/{workflow_id}/export", response_model=WorkflowExportBundle,
            responses=errors(400, 404))
async def export_workflow(workflow_id: ObjectId, ns: Ns,
                          version_numbers: Annotated[list[Annotated[int, Field(ge=0)]],
                                                     Query(min_length=1)],
                          active_version_number: Annotated[int, Query(ge=0)]) -> JSONResponse:
    state = interactly(ns)
    return ok(bundles.export(state.catalog, workflow_id, version_numbers, active_version_number,
                             state.ns.clock.now_iso()))


@router.post("/v1/workflows/{workflow_id}/favorite", response_model=FavoriteResponse,
             responses=errors(404))
async def favorite(workflow_id: ObjectId, request: Request, ns: Ns) -> JSONResponse:
    state = interactly(ns)
    state.catalog.workflow(workflow_id)
    _favorites(state).add(user(request), workflow_id)
    return ok({"message": "Marked as favorite", "workflow_id": workflow_id,
               "is_favorite": True})


@router.delete("/v1/workflows/{workflow_id}/favorite", response_model=FavoriteResponse,
               responses=errors(404))
async def unfavorite(workflow_id: ObjectId, request: Request, ns: Ns) -> JSONResponse:
    state = interactly(ns)
    state.catalog.workflow(workflow_id)
    _favorites(state).remove(user(request), workflow_id)
    return ok({"message": "Unmarked as favorite", "workflow_id": workflow_id,
               "is_favorite": False})


# =============================================================================== versions
class VersionRename(_Open):
    version_name: str = Field(min_length=1)


class VersionConfig(_Open):
    config: dict[str, Any]


def _version_envelope(state: InteractlyState, workflow_id: str, number: int) -> dict[str, Any]:
    wf = state.catalog.workflow(workflow_id)
    return {"version": wire.version_doc(wf, wf.versions[number]),
            "parent_active_version": wf.active_version_number}


@router.patch("/v1/workflows/{workflow_id}/versions/{number}",
              response_model=WorkflowVersionResponse, responses=errors(404))
async def rename_version(workflow_id: ObjectId, number: VersionNo, body: VersionRename,
                         ns: Ns) -> JSONResponse:
    state = interactly(ns)
    state.catalog.rename_version(workflow_id, number, body.version_name)
    return ok(_version_envelope(state, workflow_id, number))


@router.patch("/v1/workflows/{workflow_id}/versions/{number}/config",
              response_model=WorkflowVersionResponse, responses=errors(404, service=(400,)))
async def update_version_config(workflow_id: ObjectId, number: VersionNo, body: VersionConfig,
                                ns: Ns) -> JSONResponse:
    """A plain ``WorkflowConfig`` is merged into the version's config; a hydrated one
    (``workflow_config`` + ``node_configs``/``edge_configs``) also replaces the graph."""
    state = interactly(ns)
    catalog = state.catalog
    config = body.config
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
    return ok(_version_envelope(state, workflow_id, number))


@router.get("/v1/workflows/{workflow_id}/versions/{v1}/diff/{v2}", response_model=VersionDiff,
            responses=errors(404))
async def diff_versions(workflow_id: ObjectId, v1: VersionNo, v2: VersionNo,
                        ns: Ns) -> JSONResponse:
    catalog = interactly(ns).catalog

    def side(number: int) -> dict[str, Any]:
        version = catalog.version(workflow_id, number)
        nodes, edges = catalog.graph(workflow_id, number)
        return {"number": number, "name": version.name,
                "workflow_config": version.workflow_config, "node_configs": nodes,
                "edge_configs": edges}

    return ok(diffs.version_diff(side(v1), side(v2)))


# =============================================================================== tools
class ToolImportBody(_Open):
    bundle: dict[str, Any]
    clear_unresolved_refs: bool = True
    confirm_executable: bool = False
    name_override: str | None = Field(None, min_length=1)
    secret_overrides: dict[str, str] | None = None


class ExecuteBody(_Open):
    args: dict[str, Any] = Field(default_factory=dict)
    dynamic_variables: dict[str, Any] = Field(default_factory=dict)
    runtime_variables: dict[str, Any] = Field(default_factory=dict)


class InlineExecuteBody(ExecuteBody):
    tool_config: dict[str, Any]


@router.get("/v1/tools/inbuilt", response_model=InbuiltToolsResponse)
async def inbuilt_tools(ns: Ns) -> JSONResponse:
    return ok({"inbuilt_tools": [t.descriptor() for t in INBUILT.values()]})


@router.get("/v1/tools/configurable-inbuilt", response_model=ConfigurableInbuiltToolsResponse)
async def configurable_tools(ns: Ns) -> JSONResponse:
    return ok({"configurable_inbuilt_tools": list(CONFIGURABLE.values())})


@router.get("/v1/tools/configurable-inbuilt/{key}", response_model=ConfigurableInbuiltTool,
            responses=errors(404))
async def configurable_tool(key: str, ns: Ns) -> JSONResponse:
    entry = CONFIGURABLE.get(key)
    if entry is None:
        raise NotFound(f"Configurable inbuilt tool {key!r} not found")
    return ok(entry)


@router.post("/v1/tools/import", response_model=ToolResponse, responses=errors(service=(400,)))
async def import_tool(body: ToolImportBody, request: Request, ns: Ns) -> JSONResponse:
    catalog = interactly(ns).catalog
    config = tool_bundles.prepare_import(
        body.bundle, confirm_executable=body.confirm_executable,
        clear_unresolved_refs=body.clear_unresolved_refs, name_override=body.name_override,
        secret_overrides=body.secret_overrides)
    doc = catalog.add_tool(config, team(request), user(request))
    return ok({"tool": wire.entity(doc, "tool")})


@router.post("/v1/tools/execute", response_model=ToolExecuteResult)
async def execute_inline(body: InlineExecuteBody, ns: Ns) -> JSONResponse:
    kind = body.tool_config.get("type")
    if kind not in tool_bundles.TOOL_TYPES:
        raise ApiError([{"type": "literal_error", "loc": ["body", "tool_config", "type"],
                         "msg": f"Input should be one of {list(tool_bundles.TOOL_TYPES)}",
                         "input": kind}], 422)
    return ok(_runner(interactly(ns)).execute(body.tool_config, body.args,
                                              body.dynamic_variables, body.runtime_variables))


@router.get("/v1/tools/{tool_id}/export", response_model=ToolExportBundle,
            responses=errors(404))
async def export_tool(tool_id: ObjectId, ns: Ns) -> JSONResponse:
    state = interactly(ns)
    doc = state.catalog.doc(state.catalog.tools, "tool", tool_id)
    return ok(tool_bundles.export(doc, state.ns.clock.now_iso()))


@router.post("/v1/tools/{tool_id}/execute", response_model=ToolExecuteResult,
             responses=errors(404))
async def execute_tool(tool_id: ObjectId, body: ExecuteBody, ns: Ns) -> JSONResponse:
    state = interactly(ns)
    doc = state.catalog.doc(state.catalog.tools, "tool", tool_id)
    return ok(_runner(state).execute(doc["config"], body.args, body.dynamic_variables,
                                     body.runtime_variables))


# =============================================================================== LLM configs
class LLMConfigCreate(_Open):
    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any]
    description: str | None = None
    is_default: bool = False
    override_default: bool = False


class LLMConfigUpdate(_Open):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    config: dict[str, Any] | None = None
    is_default: bool | None = None
    override_default: bool = False


class ProbeMessage(_Open):
    role: str = "human"
    content: str


class LLMProbe(_Open):
    system_prompt: str = Field(min_length=1)
    messages: list[ProbeMessage] = Field(default_factory=list)
    config: dict[str, Any] | None = None


class LLMProbeInline(LLMProbe):
    config: dict[str, Any]


@router.post("/v1/llm-configs", response_model=LLMConfigResponse, responses=errors(409))
async def create_llm_config(body: LLMConfigCreate, request: Request, ns: Ns) -> JSONResponse:
    service = _llm(interactly(ns))
    record = service.create(name=body.name, config=body.config, description=body.description,
                            is_default=body.is_default, override_default=body.override_default,
                            team_id=team(request), user=user(request))
    return ok({"llm_config": service.view(record)})


@router.get("/v1/llm-configs", response_model=LLMConfigListResponse)
async def list_llm_configs(ns: Ns, page: PageNo = 1, size: Size = 100,
                           search: str | None = None) -> JSONResponse:
    service = _llm(interactly(ns))
    rows = [service.view(r) for r in service.listing(search)]
    return ok(wire.page(rows, "llm_configs", page, size))


@router.get("/v1/llm-configs/default", response_model=LLMConfigResponse,
            responses=errors(404))
async def default_llm_config(ns: Ns) -> JSONResponse:
    service = _llm(interactly(ns))
    return ok({"llm_config": service.view(service.default())})


@router.post("/v1/llm-configs/test", response_model=LLMConfigTestResult)
async def test_inline_llm_config(body: LLMProbeInline, ns: Ns) -> JSONResponse:
    service = _llm(interactly(ns))
    messages = [m.model_dump() for m in body.messages]
    return ok(service.test(body.config, body.system_prompt, messages, "inline"))


@router.get("/v1/llm-configs/{llm_config_id}", response_model=LLMConfigResponse,
            responses=errors(404))
async def get_llm_config(llm_config_id: LLMConfigId, ns: Ns) -> JSONResponse:
    service = _llm(interactly(ns))
    return ok({"llm_config": service.view(service.get(llm_config_id))})


@router.patch("/v1/llm-configs/{llm_config_id}", response_model=LLMConfigResponse,
              responses=errors(404, 409))
async def update_llm_config(llm_config_id: LLMConfigId, body: LLMConfigUpdate,
                            request: Request, ns: Ns) -> JSONResponse:
    service = _llm(interactly(ns))
    changes = body.model_dump(exclude_unset=True, exclude={"override_default"})
    record = service.update(llm_config_id, changes, body.override_default, user(request))
    return ok({"llm_config": service.view(record)})


@router.delete("/v1/llm-configs/{llm_config_id}", response_model=LLMConfigDeletedResponse,
               responses=errors(404))
async def delete_llm_config(llm_config_id: LLMConfigId, ns: Ns) -> JSONResponse:
    _llm(interactly(ns)).delete(llm_config_id)
    return ok({"message": "LLM config deleted", "llm_config_id": llm_config_id})


@router.post("/v1/llm-configs/{llm_config_id}/test", response_model=LLMConfigTestResult,
             responses=errors(404))
async def test_llm_config(llm_config_id: LLMConfigId, body: LLMProbe, ns: Ns) -> JSONResponse:
    """An inline ``config`` overrides the stored one for this call only; a redacted
    (``api_key: null``) override reuses the stored secret."""
    service = _llm(interactly(ns))
    stored = service.get(llm_config_id)["config"]
    config = keep_secrets(stored, body.config) if body.config is not None else stored
    messages = [m.model_dump() for m in body.messages]
    return ok(service.test(config, body.system_prompt, messages, llm_config_id))
