"""Mounting one handler at several paths: the emulated APIs kept old paths alive as they
moved, and clients of different ages call different ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import Receive, Scope, Send

Handler = Callable[..., Any]


def on_paths(router: APIRouter, method: str, paths: list[str],
             documented: int = 0) -> Callable[[Handler], Handler]:
    """Decorator: mount the handler at every path; only ``paths[documented]`` is listed in
    the OpenAPI schema, so the docs show each operation once. The other paths are
    :class:`AliasRoute` s of that one route, which FastAPI then builds only once."""
    def mount_all(handler: Handler) -> Handler:
        router.add_api_route(paths[documented], handler, methods=[method])
        target = router.routes[-1]
        assert isinstance(target, APIRoute)
        for i, path in enumerate(paths):
            if i != documented:
                router.routes.append(AliasRoute(router.prefix + path, target))
        return handler
    return mount_all


class AliasRoute(BaseRoute):
    """Another path template for an already-built route (same path parameter names): matched
    on its own template, handled by the target, without a second dependency graph."""

    def __init__(self, path: str, target: APIRoute) -> None:
        self.path = path
        self.target = target
        self.name = target.name
        self.methods = target.methods
        self.include_in_schema = False
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        found = self.path_regex.match(get_route_path(scope))
        if found is None:
            return Match.NONE, {}
        params = {key: self.param_convertors[key].convert(value)
                  for key, value in found.groupdict().items()}
        child = {"endpoint": self.target.endpoint,
                 "path_params": {**scope.get("path_params", {}), **params}}
        return (Match.FULL if scope["method"] in self.methods else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.target.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


def api_router(*tags: str) -> APIRouter:
    """A router of an emulated API: every route needs a bearer token, which names the
    caller's namespace (401 ``{"detail": ...}`` without one)."""
    from emulator.core.auth import namespace

    return APIRouter(tags=list(tags), dependencies=[Depends(namespace)])


def mount(app: FastAPI, *routers: APIRouter) -> None:
    """Adds the routers' routes to the app as they were built. ``include_router`` builds every
    route's dependency graph again, once per nesting level: that was ~1 s of start-up for ~600
    routes. The routers here already carry their prefix, tags and dependencies."""
    routes = [route for router in routers for route in router.routes]
    app.router.routes.extend(routes)  # one list operation: a concurrent match sees all or none
    changed = getattr(app.router, "_mark_routes_changed", None)  # FastAPI >= 0.16x caches
    if changed is not None:
        changed()
