"""Interactly routers: the API under ``/workflows/v1`` (production base) and ``/v1`` (the
SDK's default base), plus the session-token endpoint at the gateway root."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from emulator.core.auth import namespace
from emulator.interactly.routes import (
    assets,
    catalog_extras,
    feedback,
    graph,
    reruns,
    runs,
    schedules,
    schemas,
    session,
    simulations,
    stream,
    super_nodes,
    webhooks,
    workflows,
)


def router() -> APIRouter:
    api = APIRouter(dependencies=[Depends(namespace)])
    # Fixed paths (``/v1/workflows/schema``, ``/v1/llm-configs/default``, ...) before the
    # ``/{id}`` routes they would otherwise be taken for.
    for module in (schemas, catalog_extras, assets, simulations, super_nodes, schedules,
                   webhooks, reruns, feedback, workflows, graph, runs):
        api.include_router(module.router)
    root = APIRouter()
    root.include_router(api, prefix="/workflows")
    root.include_router(api, include_in_schema=False)
    root.include_router(session.router)
    root.include_router(stream.router, prefix="/workflows")
    root.include_router(stream.router)
    return root
