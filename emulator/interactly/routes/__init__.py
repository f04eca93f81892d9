"""Interactly routers, built once at the SDK's default base (``/v1``); the production base
``/workflows/v1`` is the same routes behind :class:`emulator.web.aliases.PathAlias`, and
they are built on first use or in the background (:mod:`emulator.web.lazy`)."""

from __future__ import annotations

from fastapi import APIRouter

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


def routers() -> tuple[APIRouter, ...]:
    """Every Interactly router; their order does not matter (``emulator.web.routing.mount``
    puts ``/v1/workflows/schema`` before ``/v1/workflows/{workflow_id}`` by itself)."""
    return (schemas.router, catalog_extras.router, assets.router, simulations.router,
            super_nodes.router, schedules.router, webhooks.router, reruns.router,
            feedback.router, workflows.router, graph.router, runs.router, session.router,
            stream.router)
