"""Workflow utilities (clone, concurrency, export/import, dynamic variables, favourites),
version edits and diffs, tool registry/bundles/execution, and saved LLM configs (spec §4.1,
§4.2, §4.4, §4.5). Thin: each handler validates, calls one service, shapes the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.core.errors import ApiError, NotFound
from emulator.interactly import tool_bundles, wire
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
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: workflows and tools")

VersionNo = Annotated[int, Path(ge=0)]
LLMConfigId = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                          r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]


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
    wf = state.workflows.import_bundle(body.bundle, versions_to_import=body.versions_to_import,
                                       active=body.active_version_number,
                                       workflow_name=body.workflow_name, team_id=team(request),
                                       user=user(request))
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.get("/v1/workflows/dynamic-variables/{workflow_id}",
            response_model=dict[str, DynamicVariableUsage], responses=errors(404))
async def dynamic_variables(workflow_id: ObjectId, ns: Ns,
                            version_number: Annotated[int | None, Query(ge=0)] = None
                            ) -> JSONResponse:
    return ok(interactly(ns).workflows.used_variables(workflow_id, version_number))


@router.get("/v1/workflows/versions/active", response_model=ActiveVersionListResponse)
async def active_versions(request: Request, ns: Ns, page: PageNo = 1, size: Size = 100,
                          favorites: bool | None = None, created_by_me: bool | None = None,
                          category: str | None = None,
                          categories: Annotated[list[str] | None, Query()] = None,
                          logical_id: str | None = None) -> JSONResponse:
    """One active version per workflow. ``category`` is read from the active version's
    ``workflow_config.category`` (absent counts as the typed default "User Created")."""
    found = interactly(ns).workflows.active_versions(
        user(request), favorites=favorites, created_by_me=created_by_me,
        categories=[c for c in [category, *(categories or [])] if c], logical_id=logical_id)
    return ok(wire.page([wire.version_doc(wf, v) for wf, v in found], "versions", page, size))


@router.post("/v1/workflows/{workflow_id}/clone", response_model=WorkflowResponse,
             responses=errors(404, service=(400,)))
async def clone_workflow(workflow_id: ObjectId, body: CloneBody, request: Request,
                         ns: Ns) -> JSONResponse:
    state = interactly(ns)
    wf = state.workflows.clone(workflow_id, name=body.name, description=body.description,
                               clone_all_versions=body.clone_all_versions,
                               version_numbers=body.version_numbers_to_clone,
                               fallback_active_version=body.fallback_active_version,
                               team_id=team(request), user=user(request))
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.patch("/v1/workflows/{workflow_id}/concurrency",
              response_model=WorkflowConcurrencyResponse, responses=errors(404))
async def update_concurrency(workflow_id: ObjectId, body: ConcurrencyBody,
                             ns: Ns) -> JSONResponse:
    wf = interactly(ns).catalog.set_max_concurrent_runs(workflow_id, body.max_concurrent_runs)
    return ok({"workflow_id": wf.id, "max_concurrent_runs": wf.max_concurrent_runs,
               "message": f"Concurrency limit set to {wf.max_concurrent_runs}"})


@router.get("/v1/workflows/{workflow_id}/export", response_model=WorkflowExportBundle,
            responses=errors(400, 404))
async def export_workflow(workflow_id: ObjectId, ns: Ns,
                          version_numbers: Annotated[list[Annotated[int, Field(ge=0)]],
                                                     Query(min_length=1)],
                          active_version_number: Annotated[int, Query(ge=0)]) -> JSONResponse:
    return ok(interactly(ns).workflows.export(workflow_id, version_numbers,
                                             active_version_number))


@router.post("/v1/workflows/{workflow_id}/favorite", response_model=FavoriteResponse,
             responses=errors(404))
async def favorite(workflow_id: ObjectId, request: Request, ns: Ns) -> JSONResponse:
    interactly(ns).workflows.favorite(workflow_id, user(request))
    return ok({"message": "Marked as favorite", "workflow_id": workflow_id,
               "is_favorite": True})


@router.delete("/v1/workflows/{workflow_id}/favorite", response_model=FavoriteResponse,
               responses=errors(404))
async def unfavorite(workflow_id: ObjectId, request: Request, ns: Ns) -> JSONResponse:
    interactly(ns).workflows.unfavorite(workflow_id, user(request))
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
    state.workflows.update_version_config(workflow_id, number, body.config)
    return ok(_version_envelope(state, workflow_id, number))


@router.get("/v1/workflows/{workflow_id}/versions/{v1}/diff/{v2}", response_model=VersionDiff,
            responses=errors(404))
async def diff_versions(workflow_id: ObjectId, v1: VersionNo, v2: VersionNo,
                        ns: Ns) -> JSONResponse:
    return ok(interactly(ns).workflows.diff(workflow_id, v1, v2))


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
    return ok(interactly(ns).tool_runner.execute(body.tool_config, body.args,
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
    return ok(interactly(ns).tool_runner.execute_saved(tool_id, body.args,
                                                       body.dynamic_variables,
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
    service = interactly(ns).llm_configs
    record = service.create(name=body.name, config=body.config, description=body.description,
                            is_default=body.is_default, override_default=body.override_default,
                            team_id=team(request), user=user(request))
    return ok({"llm_config": service.view(record)})


@router.get("/v1/llm-configs", response_model=LLMConfigListResponse)
async def list_llm_configs(ns: Ns, page: PageNo = 1, size: Size = 100,
                           search: str | None = None) -> JSONResponse:
    service = interactly(ns).llm_configs
    rows = [service.view(r) for r in service.listing(search)]
    return ok(wire.page(rows, "llm_configs", page, size))


@router.get("/v1/llm-configs/default", response_model=LLMConfigResponse,
            responses=errors(404))
async def default_llm_config(ns: Ns) -> JSONResponse:
    service = interactly(ns).llm_configs
    return ok({"llm_config": service.view(service.default())})


@router.post("/v1/llm-configs/test", response_model=LLMConfigTestResult)
async def test_inline_llm_config(body: LLMProbeInline, ns: Ns) -> JSONResponse:
    service = interactly(ns).llm_configs
    messages = [m.model_dump() for m in body.messages]
    return ok(service.test(body.config, body.system_prompt, messages, "inline"))


@router.get("/v1/llm-configs/{llm_config_id}", response_model=LLMConfigResponse,
            responses=errors(404))
async def get_llm_config(llm_config_id: LLMConfigId, ns: Ns) -> JSONResponse:
    service = interactly(ns).llm_configs
    return ok({"llm_config": service.view(service.get(llm_config_id))})


@router.patch("/v1/llm-configs/{llm_config_id}", response_model=LLMConfigResponse,
              responses=errors(404, 409))
async def update_llm_config(llm_config_id: LLMConfigId, body: LLMConfigUpdate,
                            request: Request, ns: Ns) -> JSONResponse:
    service = interactly(ns).llm_configs
    changes = body.model_dump(exclude_unset=True, exclude={"override_default"})
    record = service.update(llm_config_id, changes, body.override_default, user(request))
    return ok({"llm_config": service.view(record)})


@router.delete("/v1/llm-configs/{llm_config_id}", response_model=LLMConfigDeletedResponse,
               responses=errors(404))
async def delete_llm_config(llm_config_id: LLMConfigId, ns: Ns) -> JSONResponse:
    interactly(ns).llm_configs.delete(llm_config_id)
    return ok({"message": "LLM config deleted", "llm_config_id": llm_config_id})


@router.post("/v1/llm-configs/{llm_config_id}/test", response_model=LLMConfigTestResult,
             responses=errors(404))
async def test_llm_config(llm_config_id: LLMConfigId, body: LLMProbe, ns: Ns) -> JSONResponse:
    """An inline ``config`` overrides the stored one for this call only; a redacted
    (``api_key: null``) override reuses the stored secret."""
    messages = [m.model_dump() for m in body.messages]
    return ok(interactly(ns).llm_configs.test_saved(llm_config_id, body.config,
                                                    body.system_prompt, messages))
