"""Global variables, workflow templates, workflow categories and node libraries (spec §4.11,
§4.12). The schema routes of templates and node libraries live in ``routes/schemas.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.interactly import assets, global_variables
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


def _globals(ns: Any) -> global_variables.GlobalVariables:
    return interactly(ns).service("globals", global_variables.service)


def _assets(ns: Any) -> assets.Assets:
    return interactly(ns).service("assets", assets.service)


# ---------------------------------------------------------------------- global variables
class BulkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variables: list[Any] = Field(max_length=500)


@router.post("/v1/global-variables/bulk", response_model=BulkGlobalVariablesResponse)
async def bulk_create_variables(body: BulkBody, request: Request, ns: Ns) -> JSONResponse:
    created, refused = _globals(ns).bulk(body.variables, team(request), user(request))
    return ok({"created": [v.wire() for v in created], "errors": refused})


@router.get("/v1/global-variables/resolve",
            response_model=ResolvedGlobalVariablesResponse)
async def resolve_variables(ns: Ns) -> JSONResponse:
    return ok({"variables": _globals(ns).resolve()})


@router.post("/v1/global-variables", response_model=GlobalVariableResponse,
             responses=errors(409))
async def create_variable(body: VariableIn, request: Request, ns: Ns) -> JSONResponse:
    return ok({"variable": _globals(ns).create(body, team(request), user(request)).wire()})


@router.get("/v1/global-variables", response_model=GlobalVariableListResponse)
async def list_variables(ns: Ns, page: PageNo = 1, size: Size = 100, search: Search = None,
                         category: Annotated[str | None, Query(max_length=128)] = None
                         ) -> JSONResponse:
    """System variables ride on page 1 outside the paging (``total`` counts the team's)."""
    service = _globals(ns)
    system, rows = service.listing(search, category)
    body = paged([v.wire() for v in rows], "variables", page, size)
    if page == 1:
        body["variables"] = [v.wire() for v in system] + body["variables"]
    return ok({**body, "categories": service.categories()})


@router.get("/v1/global-variables/{variable_id}", response_model=GlobalVariableResponse,
            responses=errors(404))
async def get_variable(variable_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"variable": _globals(ns).get(variable_id).wire()})


@router.patch("/v1/global-variables/{variable_id}", response_model=GlobalVariableResponse,
              responses=errors(403, 404, 409))
async def update_variable(variable_id: ObjectId, body: VariablePatch, request: Request,
                          ns: Ns) -> JSONResponse:
    return ok({"variable": _globals(ns).update(variable_id, body, user(request)).wire()})


@router.delete("/v1/global-variables/{variable_id}", response_model=ResourceDeletedResponse,
               responses=errors(403, 404))
async def delete_variable(variable_id: ObjectId, ns: Ns) -> JSONResponse:
    _globals(ns).delete(variable_id)
    return ok({"message": "Global variable deleted", "id": variable_id})


# ---------------------------------------------------------------------- templates
@router.post("/v1/templates", response_model=WorkflowTemplateResponse,
             responses=errors(404))
async def create_template(body: TemplateConfig, request: Request, ns: Ns) -> JSONResponse:
    service = _assets(ns)
    doc = service.create_template(body, team(request), user(request))
    return ok({"workflow_template": service.template_view(doc)})


@router.get("/v1/templates", response_model=WorkflowTemplateListResponse)
async def list_templates(ns: Ns, page: PageNo = 1, size: Size = 100, search: Search = None,
                         access_level: AccessLevel | None = None) -> JSONResponse:
    rows = _assets(ns).list_templates(search, access_level)
    return ok(paged(rows, "workflow_templates", page, size))


@router.get("/v1/templates/{template_id}", response_model=WorkflowTemplateResponse,
            responses=errors(404))
async def get_template(template_id: ObjectId, ns: Ns) -> JSONResponse:
    service = _assets(ns)
    return ok({"workflow_template": service.template_view(service.template(template_id))})


@router.patch("/v1/templates/{template_id}", response_model=WorkflowTemplateResponse,
              responses=errors(404))
async def update_template(template_id: ObjectId, body: TemplatePatch, request: Request,
                          ns: Ns) -> JSONResponse:
    service = _assets(ns)
    doc = service.update_template(template_id, body, user(request))
    return ok({"workflow_template": service.template_view(doc)})


@router.delete("/v1/templates/{template_id}", response_model=ResourceDeletedResponse,
               responses=errors(404))
async def delete_template(template_id: ObjectId, ns: Ns) -> JSONResponse:
    _assets(ns).delete_template(template_id)
    return ok({"message": "Workflow template deleted", "id": template_id})


# ---------------------------------------------------------------------- categories
@router.get("/v1/workflow-categories", response_model=WorkflowCategoriesResponse)
async def workflow_categories(ns: Ns) -> JSONResponse:
    return ok({"categories": _assets(ns).categories()})


# ---------------------------------------------------------------------- node libraries
@router.post("/v1/node-libraries", response_model=NodeLibraryResponse)
async def create_library(body: NodeLibraryConfig, request: Request, ns: Ns) -> JSONResponse:
    doc = _assets(ns).create_library(body, team(request), user(request))
    return ok({"node_library": doc})


@router.get("/v1/node-libraries", response_model=NodeLibraryListResponse)
async def list_libraries(ns: Ns, page: PageNo = 1, size: Size = 100, search: Search = None,
                         access_level: AccessLevel | None = None) -> JSONResponse:
    rows = _assets(ns).list_libraries(search, access_level)
    return ok(paged(rows, "node_libraries", page, size))


@router.get("/v1/node-libraries/{library_id}", response_model=NodeLibraryResponse,
            responses=errors(404))
async def get_library(library_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"node_library": _assets(ns).library(library_id)})


@router.patch("/v1/node-libraries/{library_id}", response_model=NodeLibraryResponse,
              responses=errors(404))
async def update_library(library_id: ObjectId, body: NodeLibraryConfig, request: Request,
                         ns: Ns) -> JSONResponse:
    return ok({"node_library": _assets(ns).update_library(library_id, body, user(request))})


@router.delete("/v1/node-libraries/{library_id}", response_model=ResourceDeletedResponse,
               responses=errors(404))
async def delete_library(library_id: ObjectId, ns: Ns) -> JSONResponse:
    _assets(ns).delete_library(library_id)
    return ok({"message": "Node library deleted", "id": library_id})
