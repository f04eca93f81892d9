"""Super nodes: publishing a workflow's interface and reading published ones (spec §4.13).
Running a workflow that embeds one is the engine's job (``emulator.interactly.supernodes``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, ConfigDict
from starlette.responses import JSONResponse

from emulator.interactly.responses.extras_super_nodes import (
    ExpandPreviewResponse,
    SuperNodeDependentListResponse,
    SuperNodeDetailResponse,
    SuperNodeFieldValuesSchema,
    SuperNodePublishedResponse,
    SuperNodeSnapshotStatusResponse,
    SuperNodeSummary,
    SuperNodeUnpublishedResponse,
)
from emulator.interactly.routes.common import Ns, ObjectId, PageNo, Size
from emulator.interactly.state import interactly
from emulator.interactly.super_node_registry import Interface
from emulator.interactly.wire import page as paged
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: super nodes")
VersionNo = Annotated[int | None, Query(ge=0)]


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interface: Interface


@router.get("/v1/super-nodes", response_model=list[SuperNodeSummary])
async def list_super_nodes(ns: Ns) -> JSONResponse:
    """A bare JSON array: the SDK reads this endpoint unpaginated."""
    registry = interactly(ns).super_nodes
    return ok([registry.summary(p) for p in registry.listing()])


@router.get("/v1/super-nodes/{workflow_id}", response_model=SuperNodeDetailResponse,
            responses=errors(404))
async def get_super_node(workflow_id: ObjectId, ns: Ns,
                         version_number: VersionNo = None) -> JSONResponse:
    registry = interactly(ns).super_nodes
    return ok(registry.detail(registry.find(workflow_id, version_number)))


@router.get("/v1/super-nodes/{workflow_id}/schema", response_model=SuperNodeFieldValuesSchema,
            responses=errors(404))
async def super_node_schema(workflow_id: ObjectId, ns: Ns,
                            version_number: VersionNo = None) -> JSONResponse:
    registry = interactly(ns).super_nodes
    return ok(registry.field_schema(registry.find(workflow_id, version_number)))


@router.put("/v1/workflows/{workflow_id}/super-node-interface",
            response_model=SuperNodePublishedResponse, responses=errors(404, service=(400,)))
async def publish(workflow_id: ObjectId, body: PublishBody, ns: Ns) -> JSONResponse:
    publication = interactly(ns).super_nodes.publish(workflow_id, body.interface)
    return ok({"workflow_id": publication.workflow_id,
               "workflow_version_number": publication.version_number,
               "message": "Workflow published as a super node",
               "num_input_fields": publication.num_input_fields})


@router.delete("/v1/workflows/{workflow_id}/super-node-interface",
               response_model=SuperNodeUnpublishedResponse, responses=errors(404))
async def unpublish(workflow_id: ObjectId, ns: Ns,
                    version_number: VersionNo = None) -> JSONResponse:
    publication, referencing = interactly(ns).super_nodes.unpublish(workflow_id, version_number)
    return ok({"workflow_id": publication.workflow_id,
               "workflow_version_number": publication.version_number,
               "message": "Super node unpublished", "workflows_referencing": referencing})


@router.get("/v1/workflows/{workflow_id}/super-node-dependents",
            response_model=SuperNodeDependentListResponse, responses=errors(404))
async def dependents(workflow_id: ObjectId, ns: Ns, page: PageNo = 1,
                     size: Size = 100) -> JSONResponse:
    return ok(paged(interactly(ns).super_nodes.dependents(workflow_id), "items", page, size))


@router.post("/v1/workflows/{workflow_id}/expand-preview",
             response_model=ExpandPreviewResponse, responses=errors(404))
async def expand_preview(workflow_id: ObjectId, ns: Ns,
                         version_number: VersionNo = None) -> JSONResponse:
    return ok(interactly(ns).super_nodes.expand_preview(workflow_id, version_number))


@router.get("/v1/workflows/{workflow_id}/super-node-snapshot-status",
            response_model=SuperNodeSnapshotStatusResponse, responses=errors(404))
async def snapshot_status(workflow_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).super_nodes.snapshot_status(workflow_id))
