"""Mounting one handler at several paths: the emulated APIs kept old paths alive as they
moved, and clients of different ages call different ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

Handler = Callable[..., Any]


def on_paths(router: APIRouter, method: str, paths: list[str],
             documented: int = 0) -> Callable[[Handler], Handler]:
    """Decorator: mount the handler at every path; only ``paths[documented]`` is listed in
    the OpenAPI schema, so the docs show each operation once."""
    def mount(handler: Handler) -> Handler:
        for i, path in enumerate(paths):
            router.add_api_route(path, handler, methods=[method],
                                 include_in_schema=i == documented)
        return handler
    return mount


def api_router(*tags: str) -> APIRouter:
    """A router of an emulated API: every route needs a bearer token, which names the
    caller's namespace (401 ``{"detail": ...}`` without one)."""
    from emulator.core.auth import namespace

    return APIRouter(tags=list(tags), dependencies=[Depends(namespace)])


def mount(app: FastAPI, *routers: APIRouter) -> None:
    """Adds the routers' routes to the app as they were built. ``include_router`` builds every
    route's dependency graph again, once per nesting level: that was ~1 s of start-up for ~600
    routes. The routers here already carry their prefix, tags and dependencies."""
    app.router.routes.extend(route for router in routers for route in router.routes)
    changed = getattr(app.router, "_mark_routes_changed", None)  # FastAPI >= 0.16x caches
    if changed is not None:
        changed()
