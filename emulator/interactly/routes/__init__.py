"""Interactly routers: the API under ``/workflows/v1`` (production base) and ``/v1`` (the
SDK's default base), plus the session-token endpoint at the gateway root."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from emulator.core.auth import namespace
from emulator.interactly.routes import graph, runs, session, stream, workflows


def router() -> APIRouter:
    api = APIRouter(dependencies=[Depends(namespace)])
    for module in (workflows, graph, runs):
        api.include_router(module.router)
    root = APIRouter()
    root.include_router(api, prefix="/workflows")
    root.include_router(api, include_in_schema=False)
    root.include_router(session.router)
    root.include_router(stream.router, prefix="/workflows")
    root.include_router(stream.router)
    return root
