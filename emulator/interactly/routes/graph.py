"""Nodes, edges and tools: flat configs in, ``{"node"|"edge"|"tool": {...}}`` out."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse

from emulator.interactly import wire
from emulator.interactly.catalog import NODE_TYPES
from emulator.interactly.responses.common import (
    EdgeResponse,
    NodeResponse,
    PageFields,
    ToolResponse,
)
from emulator.interactly.responses.core import (
    EdgeListResponse,
    EdgeTypesResponse,
    EntityDeleteResponse,
    NodeListResponse,
    NodeTypesResponse,
    ToolListResponse,
    ToolTypesResponse,
)
from emulator.interactly.routes.common import (
    Ns,
    ObjectId,
    ObjectIdQuery,
    PageNo,
    Size,
    check_object_id,
    team,
    user,
)
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: nodes, edges, tools")
KINDS = {"nodes": "node", "edges": "edge", "tools": "tool"}


# plural -> (single-document envelope, list envelope)
MODELS: dict[str, tuple[type[Any], type[PageFields]]] = {
    "nodes": (NodeResponse, NodeListResponse), "edges": (EdgeResponse, EdgeListResponse),
    "tools": (ToolResponse, ToolListResponse)}


@router.get("/v1/nodes/types", response_model=NodeTypesResponse)
async def node_types(ns: Ns) -> JSONResponse:
    return ok({"node_types": [{"type": t, "primary_category": p, "secondary_category": s}
                              for t, (p, s) in NODE_TYPES.items()]})


@router.get("/v1/edges/types", response_model=EdgeTypesResponse)
async def edge_types(ns: Ns) -> JSONResponse:
    return ok({"edge_types": ["direct", "conditional", "companion"]})


@router.get("/v1/tools/types", response_model=ToolTypesResponse)
async def tool_types(ns: Ns) -> JSONResponse:
    return ok({"tool_types": ["inbuilt_function", "inline_python", "external_api",
                              "knowledge_base"]})


def _store(ns: Any, plural: str) -> dict[str, dict[str, Any]]:
    return getattr(interactly(ns).catalog, plural)


def mount(plural: str) -> None:
    kind = KINDS[plural]

    async def create(request: Request, ns: Ns,
                     config: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        catalog = interactly(ns).catalog
        wrapped = f"{kind}_config" in config
        body = config[f"{kind}_config"] if wrapped else config
        if not isinstance(body, dict):
            raise RequestValidationError([{"type": "dict_type", "loc": ("body", f"{kind}_config"),
                                           "msg": "Input should be a valid dictionary",
                                           "input": body}])
        if kind != "tool":  # the workflow a node or edge joins: an ObjectId (tools join none)
            check_object_id(body.get("workflow_id"),
                            ("body", *((f"{kind}_config",) if wrapped else ()), "workflow_id"))
        add = {"node": catalog.add_node, "edge": catalog.add_edge, "tool": catalog.add_tool}
        doc = add[kind](body, team(request), user(request))
        return ok({kind: wire.entity(doc, kind)})

    async def listing(ns: Ns, page: PageNo = 1, size: Size = 100, search: str | None = None,
                      type: str | None = None, workflow_id: ObjectIdQuery = None
                      ) -> JSONResponse:
        docs = interactly(ns).catalog.filtered(_store(ns, plural), workflow_id, type, search)
        return ok(wire.page([wire.entity(d, kind) for d in docs], plural, page, size))

    async def get(doc_id: ObjectId, ns: Ns) -> JSONResponse:
        doc = interactly(ns).catalog.doc(_store(ns, plural), kind, doc_id)
        return ok({kind: wire.entity(doc, kind)})

    async def patch(doc_id: ObjectId, ns: Ns,
                    changes: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        doc = interactly(ns).catalog.patch(_store(ns, plural), kind, doc_id, changes)
        return ok({kind: wire.entity(doc, kind)})

    async def delete(doc_id: ObjectId, ns: Ns) -> JSONResponse:
        interactly(ns).catalog.remove(_store(ns, plural), kind, doc_id)
        return ok({"message": f"{kind.capitalize()} deleted", "id": doc_id})

    single, many = MODELS[plural]
    # A node or edge names the workflow version it joins (404 when it does not exist); tools
    # belong to no workflow. A config its model refuses is the service's 400.
    create_errors = errors(413, service=(400,)) if kind == "tool" else \
        errors(404, 413, service=(400,))
    router.add_api_route(f"/v1/{plural}", create, methods=["POST"], name=f"create_{kind}",
                         response_model=single, responses=create_errors)
    router.add_api_route(f"/v1/{plural}", listing, methods=["GET"], name=f"list_{plural}",
                         response_model=many)
    for method, handler, model, codes in (
            ("GET", get, single, errors(404)),
            ("PATCH", patch, single, errors(404, 413, service=(400,))),
            ("DELETE", delete, EntityDeleteResponse, errors(404))):
        router.add_api_route(f"/v1/{plural}/{{doc_id}}", handler, methods=[method],
                             name=f"{method.lower()}_{kind}", response_model=model,
                             responses=codes)


for _plural in KINDS:
    mount(_plural)
