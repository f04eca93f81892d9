"""Workflows and their versions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.interactly import wire
from emulator.interactly.responses.common import (
    WorkflowListResponse,
    WorkflowResponse,
    WorkflowVersionResponse,
)
from emulator.interactly.responses.core import (
    WorkflowDeleteResponse,
    WorkflowVersionDeleteResponse,
    WorkflowVersionDetailResponse,
    WorkflowVersionListResponse,
)
from emulator.interactly.routes.common import Ns, ObjectId, PageNo, Size, base_url, team, user
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: workflows")


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class WorkflowCreate(_Body):
    name: str | None = None
    description: str | None = None
    config: dict[str, Any] | None = None
    workflow_config: dict[str, Any] | None = None
    node_configs: list[dict[str, Any]] | None = None
    edge_configs: list[dict[str, Any]] | None = None
    dynamic_variables: dict[str, Any] | None = None


class WorkflowUpdate(_Body):
    name: str | None = Field(None, min_length=1)
    description: str | None = None


class VersionCreate(_Body):
    mark_as_active: bool = False
    version_name: str | None = None
    source_version_number: int | None = Field(None, ge=0)


@router.post("/v1/workflows", response_model=WorkflowResponse,
             responses=errors(413, service=(400,)))
async def create_workflow(body: WorkflowCreate, request: Request, ns: Ns) -> JSONResponse:
    state = interactly(ns)
    wf = state.workflows.create(body.name, body.description, body.workflow_config or body.config,
                                body.dynamic_variables, body.node_configs, body.edge_configs,
                                team(request), user(request))
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.get("/v1/workflows", response_model=WorkflowListResponse)
async def list_workflows(ns: Ns, page: PageNo = 1, size: Size = 100,
                         search: str | None = None) -> JSONResponse:
    state = interactly(ns)
    docs = [wire.workflow_doc(w, state.catalog) for w in state.catalog.list_workflows(search)]
    return ok(wire.page(docs, "workflows", page, size))


@router.get("/v1/workflows/{workflow_id}", response_model=WorkflowResponse,
            responses=errors(404))
async def get_workflow(workflow_id: ObjectId, request: Request, ns: Ns,
                       fully_hydrate: bool = False) -> JSONResponse:
    state = interactly(ns)
    wf = state.catalog.workflow(workflow_id)
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request), fully_hydrate))


@router.patch("/v1/workflows/{workflow_id}", response_model=WorkflowResponse,
              responses=errors(404, 413))
async def update_workflow(workflow_id: ObjectId, body: WorkflowUpdate, request: Request,
                          ns: Ns) -> JSONResponse:
    state = interactly(ns)
    wf = state.workflows.update(workflow_id, body.model_dump(exclude_unset=True))
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.delete("/v1/workflows/{workflow_id}", response_model=WorkflowDeleteResponse,
               responses=errors(404))
async def delete_workflow(workflow_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).workflows.delete(workflow_id)
    return ok({"message": "Workflow deleted", "workflow_id": workflow_id})


@router.post("/v1/workflows/{workflow_id}/versions", response_model=WorkflowVersionResponse,
             responses=errors(404, 413))
async def create_version(workflow_id: ObjectId, body: VersionCreate, ns: Ns) -> JSONResponse:
    catalog = interactly(ns).catalog
    version = catalog.create_version(workflow_id, body.version_name, body.mark_as_active,
                                     body.source_version_number)
    wf = catalog.workflow(workflow_id)
    return ok({"version": wire.version_doc(wf, version),
               "parent_active_version": wf.active_version_number})


@router.get("/v1/workflows/{workflow_id}/versions", response_model=WorkflowVersionListResponse,
            responses=errors(404))
async def list_versions(workflow_id: ObjectId, ns: Ns) -> JSONResponse:
    wf = interactly(ns).catalog.workflow(workflow_id)
    return ok({"versions": [wire.version_doc(wf, v) for _, v in sorted(wf.versions.items())],
               "total": len(wf.versions)})


@router.post("/v1/workflows/{workflow_id}/versions/{number}/activate",
             response_model=WorkflowResponse, responses=errors(404))
async def activate_version(workflow_id: ObjectId, number: int, request: Request,
                           ns: Ns) -> JSONResponse:
    state = interactly(ns)
    wf = state.catalog.activate(workflow_id, number)
    return ok(wire.workflow_envelope(wf, state.catalog, base_url(request)))


@router.delete("/v1/workflows/{workflow_id}/versions/{number}",
               response_model=WorkflowVersionDeleteResponse, responses=errors(400, 404))
async def delete_version(workflow_id: ObjectId, number: int, ns: Ns) -> JSONResponse:
    interactly(ns).catalog.delete_version(workflow_id, number)
    return ok({"message": f"Version {number} deleted"})


@router.get("/v1/workflows/{workflow_id}/versions/{number}",
            response_model=WorkflowVersionDetailResponse, responses=errors(404))
async def get_version(workflow_id: ObjectId, number: int, ns: Ns,
                      fully_hydrate: Annotated[bool, Query()] = False) -> JSONResponse:
    catalog = interactly(ns).catalog
    version = catalog.version(workflow_id, number)
    doc = wire.version_doc(catalog.workflow(workflow_id), version)
    if fully_hydrate:
        doc["workflow_config"] = catalog.hydrated(workflow_id, number)
    return ok({"version": doc})
