"""Global variables, workflow templates, workflow categories and node libraries (spec §4.11,
§4.12). The schema routes of templates and node libraries live in ``routes/schemas.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.interactly.assets import AccessLevel, NodeLibraryConfig, TemplateConfig, TemplatePatch
from emulator.interactly.global_variables import VariableIn, VariablePatch
from emulator.interactly.responses.extras import ResourceDeletedResponse
from emulator.interactly.responses.extras_assets import (
    BulkGlobalVariablesResponse,
    GlobalVariableListResponse,
    GlobalVariableResponse,
    NodeLibraryListResponse,
    NodeLibraryResponse,
    ResolvedGlobalVariablesResponse,
    WorkflowCategoriesResponse,
    WorkflowTemplateListResponse,
    WorkflowTemplateResponse,
)
from emulator.interactly.routes.common import Ns, ObjectId, PageNo, Size, team, user
from emulator.interactly.state import interactly
from emulator.interactly.wire import page as paged
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: global variables, templates, node libraries")
Search = Annotated[str | None, Query(max_length=200)]


# ---------------------------------------------------------------------- global variables
class BulkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variables: list[Any] = Field(max_length=500)


@router.post("/v1/global-variables/bulk", response_model=BulkGlobalVariablesResponse)
async def bulk_create_variables(body: BulkBody, request: Request, ns: Ns) -> JSONResponse:
    created, refused = interactly(ns).globals.bulk(body.variables, team(request), user(request))
    return ok({"created": [v.wire() for v in created], "errors": refused})


@router.get("/v1/global-variables/resolve",
            response_model=ResolvedGlobalVariablesResponse)
async def resolve_variables(ns: Ns) -> JSONResponse:
    return ok({"variables": interactly(ns).globals.resolve()})


@router.post("/v1/global-variables", response_model=GlobalVariableResponse,
             responses=errors(409))
async def create_variable(body: VariableIn, request: Request, ns: Ns) -> JSONResponse:
    created = interactly(ns).globals.create(body, team(request), user(request))
    return ok({"variable": created.wire()})


@router.get("/v1/global-variables", response_model=GlobalVariableListResponse)
async def list_variables(ns: Ns, page: PageNo = 1, size: Size = 100, search: Search = None,
                         category: Annotated[str | None, Query(max_length=128)] = None
                         ) -> JSONResponse:
    """System variables ride on page 1 outside the paging (``total`` counts the team's)."""
    service = interactly(ns).globals
    system, rows = service.listing(search, category)
    body = paged([v.wire() for v in rows], "variables", page, size)
    if page == 1:
        body["variables"] = [v.wire() for v in system] + body["variables"]
    return ok({**body, "categories": service.categories()})


@router.get("/v1/global-variables/{variable_id}", response_model=GlobalVariableResponse,
            responses=errors(404))
async def get_variable(variable_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"variable": interactly(ns).globals.get(variable_id).wire()})


@router.patch("/v1/global-variables/{variable_id}", response_model=GlobalVariableResponse,
              responses=errors(403, 404, 409))
async def update_variable(variable_id: ObjectId, body: VariablePatch, request: Request,
                          ns: Ns) -> JSONResponse:
    return ok({"variable": interactly(ns).globals.update(variable_id, body, user(request)).wire()})


@router.delete("/v1/global-variables/{variable_id}", response_model=ResourceDeletedResponse,
               responses=errors(403, 404))
async def delete_variable(variable_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).globals.delete(variable_id)
    return ok({"message": "Global variable deleted", "id": variable_id})


# ---------------------------------------------------------------------- templates
@router.post("/v1/templates", response_model=WorkflowTemplateResponse,
             responses=errors(404))
async def create_template(body: TemplateConfig, request: Request, ns: Ns) -> JSONResponse:
    service = interactly(ns).assets
    doc = service.create_template(body, team(request), user(request))
    return ok({"workflow_template": service.template_view(doc)})


@router.get("/v1/templates", response_model=WorkflowTemplateListResponse)
async def list_templates(ns: Ns, page: PageNo = 1, size: Size = 100, search: Search = None,
                         access_level: AccessLevel | None = None) -> JSONResponse:
    rows = interactly(ns).assets.list_templates(search, access_level)
    return ok(paged(rows, "workflow_templates", page, size))


@router.get("/v1/templates/{template_id}", response_model=WorkflowTemplateResponse,
            responses=errors(404))
async def get_template(template_id: ObjectId, ns: Ns) -> JSONResponse:
    service = interactly(ns).assets
    return ok({"workflow_template": service.template_view(service.template(template_id))})


@router.patch("/v1/templates/{template_id}", response_model=WorkflowTemplateResponse,
              responses=errors(404))
async def update_template(template_id: ObjectId, body: TemplatePatch, request: Request,
                          ns: Ns) -> JSONResponse:
    service = interactly(ns).assets
    doc = service.update_template(template_id, body, user(request))
    return ok({"workflow_template": service.template_view(doc)})


@router.delete("/v1/templates/{template_id}", response_model=ResourceDeletedResponse,
               responses=errors(404))
async def delete_template(template_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).assets.delete_template(template_id)
    return ok({"message": "Workflow template deleted", "id": template_id})


# ---------------------------------------------------------------------- categories
@router.get("/v1/workflow-categories", response_model=WorkflowCategoriesResponse)
async def workflow_categories(ns: Ns) -> JSONResponse:
    return ok({"categories": interactly(ns).assets.categories()})


# ---------------------------------------------------------------------- node libraries
@router.post("/v1/node-libraries", response_model=NodeLibraryResponse)
async def create_library(body: NodeLibraryConfig, request: Request, ns: Ns) -> JSONResponse:
    doc = interactly(ns).assets.create_library(body, team(request), user(request))
    return ok({"node_library": doc})


@router.get("/v1/node-libraries", response_model=NodeLibraryListResponse)
async def list_libraries(ns: Ns, page: PageNo = 1, size: Size = 100, search: Search = None,
                         access_level: AccessLevel | None = None) -> JSONResponse:
    rows = interactly(ns).assets.list_libraries(search, access_level)
    return ok(paged(rows, "node_libraries", page, size))


@router.get("/v1/node-libraries/{library_id}", response_model=NodeLibraryResponse,
            responses=errors(404))
async def get_library(library_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"node_library": interactly(ns).assets.library(library_id)})


@router.patch("/v1/node-libraries/{library_id}", response_model=NodeLibraryResponse,
              responses=errors(404))
async def update_library(library_id: ObjectId, body: NodeLibraryConfig, request: Request,
                         ns: Ns) -> JSONResponse:
    doc = interactly(ns).assets.update_library(library_id, body, user(request))
    return ok({"node_library": doc})


@router.delete("/v1/node-libraries/{library_id}", response_model=ResourceDeletedResponse,
               responses=errors(404))
async def delete_library(library_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).assets.delete_library(library_id)
    return ok({"message": "Node library deleted", "id": library_id})
