"""JSON schemas of the config documents, as the dashboard and the SDK's schema guard read them.

Each schema is ``Model.model_json_schema(mode="serialization")`` of the emulator's own models
(``emulator.interactly.models``), built on first request and cached for the process. The models
module is imported inside the handlers so that server start-up does not pay for building them.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from emulator.core.errors import NotFound
from emulator.interactly.responses.core import (
    EdgeSchemasResponse,
    JsonSchema,
    NodeSchemasResponse,
    ToolSchemasResponse,
    WorkflowRunSchemasResponse,
)
from emulator.interactly.routes.common import Ns
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: schemas")


def _document(name: str) -> dict[str, Any]:
    from emulator.interactly import models

    return models.document_schema(name)


@router.get("/v1/workflows/schema", response_model=JsonSchema)
async def workflow_schema(ns: Ns) -> JSONResponse:
    return ok(_document("workflow"))


@router.get("/v1/workflows/schemas/global-node-config", response_model=JsonSchema)
async def global_node_config_schema(ns: Ns) -> JSONResponse:
    return ok(_document("global_node"))


def _typed(kind: str, name: str) -> dict[str, Any]:
    """The schemas of one node, edge or tool type; an unknown type is a 404."""
    from emulator.interactly import models

    lookup = {"node": models.node_schemas, "edge": models.edge_schemas,
              "tool": models.tool_schemas}[kind]
    body = lookup(name)
    if body is None:
        raise NotFound(f"Unknown {kind} type: {name}")
    return body


@router.get("/v1/nodes/schema/{node_type}", response_model=NodeSchemasResponse,
            responses=errors(404))
async def node_schema(node_type: str, ns: Ns) -> JSONResponse:
    return ok(_typed("node", node_type))


@router.get("/v1/edges/schema/{edge_type}", response_model=EdgeSchemasResponse,
            responses=errors(404))
async def edge_schema(edge_type: str, ns: Ns) -> JSONResponse:
    return ok(_typed("edge", edge_type))


@router.get("/v1/tools/schema/{tool_type}", response_model=ToolSchemasResponse,
            responses=errors(404))
async def tool_schema(tool_type: str, ns: Ns) -> JSONResponse:
    return ok(_typed("tool", tool_type))


@router.get("/v1/schemas/llm-config", response_model=JsonSchema)
async def llm_config_schema(ns: Ns) -> JSONResponse:
    return ok(_document("llm"))


@router.get("/v1/workflow-runs/schema", response_model=WorkflowRunSchemasResponse)
async def workflow_run_schema(ns: Ns) -> JSONResponse:
    return ok({"run_schema": _document("run"), "run_input_schema": _document("run_input"),
               "run_output_schema": _document("run_output"),
               "run_input_output_pair_schema": _document("run_input_output_pair")})


@router.get("/v1/simulations/schema", response_model=JsonSchema)
async def simulation_schema(ns: Ns) -> JSONResponse:
    return ok(_document("simulation"))


@router.get("/v1/templates/schema", response_model=JsonSchema)
async def template_schema(ns: Ns) -> JSONResponse:
    return ok(_document("template"))


@router.get("/v1/node-libraries/schema", response_model=JsonSchema)
async def node_library_schema(ns: Ns) -> JSONResponse:
    return ok(_document("node_library"))
