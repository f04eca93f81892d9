"""Mounting one handler at several paths: the emulated APIs kept old paths alive as they
moved, and clients of different ages call different ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, compile_path
from starlette.types import Receive, Scope, Send

from emulator.core.errors import ApiError
from emulator.core.strict_json import strict_json_loads

Handler = Callable[..., Any]


class StrictJSONRequest(Request):
    """A request whose JSON body is decoded by :func:`strict_json_loads`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json_loads(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """Every route of the emulator (give it to every ``APIRouter`` as ``route_class``):
    NaN/Infinity, lone surrogates and absurd nesting in a JSON body are a 422 ``json_invalid``
    before the handler runs, so they are never stored; and under ``--strict`` every answer is
    held against the route's declared contract (:mod:`emulator.web.contract`). Strictness is
    read per request because one route object serves every app built in a process. A request
    is answered by the route's lean handler (:mod:`emulator.web.lean`) when it can, else by
    FastAPI's: the dependency solver was half of a status poll's time in the app."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        route = self
        lean: Any = None  # emulator.web.lean, analysed on the first request (not at start-up)

        async def answer(request: Request) -> Response:
            nonlocal lean
            if lean is None:
                from emulator.web.lean import lean_handler

                try:
                    lean = lean_handler(route) or False
                except Exception:  # FastAPI internals it does not know: FastAPI answers
                    lean = False
            if lean:
                response = await lean(request)
                if response is not None:
                    return response
            return await handler(request)

        async def strict_json(request: Request) -> Response:
            request = StrictJSONRequest(request.scope, request.receive)
            if not request.app.state.settings.strict:
                return await answer(request)
            from emulator.web import contract

            try:
                response = await answer(request)
            except ApiError as error:
                broken = contract.check_error(route, request.method, error)
                if broken is None:
                    raise
                return broken
            return contract.check(route, request.method, response)
        return strict_json


def on_paths(router: APIRouter, method: str, paths: list[str],
             documented: int = 0, **options: Any) -> Callable[[Handler], Handler]:
    """Decorator: mount the handler at every path; only ``paths[documented]`` is listed in
    the OpenAPI schema, so the docs show each operation once. The other paths are
    :class:`AliasRoute` s of that one route, which FastAPI then builds only once.
    ``options`` go to ``add_api_route`` (``responses=`` for documented error answers)."""
    def mount_all(handler: Handler) -> Handler:
        router.add_api_route(paths[documented], handler, methods=[method], **options)
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
        # As Starlette's Route: methods None means every method.
        if self.methods and scope["method"] not in self.methods:
            return Match.PARTIAL, child
        return Match.FULL, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.target.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)


def api_router(*tags: str) -> APIRouter:
    """A router of an emulated API: every route needs a bearer token, which names the
    caller's namespace (401 ``{"detail": ...}`` without one)."""
    from emulator.web.auth import namespace
    from emulator.web.contract import errors

    return APIRouter(tags=list(tags), dependencies=[Depends(namespace)],
                     responses=errors(401), route_class=StrictJSONRoute)


def mount(app: FastAPI, *routers: APIRouter) -> None:
    """Adds the routers' routes, as they were built, to the app's :class:`RouteIndex`.
    ``include_router`` would build every route's dependency graph again, once per nesting
    level (that was ~1 s of start-up for ~600 routes); the routers here already carry their
    prefix, tags and dependencies. Routes are put in :func:`specificity` order, so neither the
    order of the routers nor of the routes in a module decides which route a path reaches."""
    index = getattr(app.state, "route_index", None)
    if index is None:
        index = app.state.route_index = RouteIndex()
        app.router.routes.append(index)
    index.add(sorted((route for router in routers for route in router.routes),
                     key=specificity))


def specificity(route: BaseRoute) -> tuple[int, ...]:
    """Sort key: a literal segment before a parameter at the first place two templates
    differ (``/v1/workflows/schema`` before ``/v1/workflows/{workflow_id}``, which would
    otherwise take it for an id). Stable sort: equal keys keep their declared order."""
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return ()
    return tuple(1 if "{" in segment else 0 for segment in path.split("/")[1:])


def all_routes(app: FastAPI) -> list[BaseRoute]:
    """Every route of the app, the indexed ones in place of their index (OpenAPI, hints)."""
    found: list[BaseRoute] = []
    for route in app.router.routes:
        found.extend(route.routes if isinstance(route, RouteIndex) else [route])
    return found


ROUTE_KEY = "emulator.route"


class RouteIndex(BaseRoute):
    """Many routes behind one entry of the app's route list. Starlette tries routes one by
    one, and an Interactly turn came after ~230 failed regex matches (~1 ms); here a request
    is tried only against the routes whose leading static path segments equal its own, in
    their original order, so the first match is the same route as before. A candidate's own
    path regex is tried first: FastAPI's ``matches`` costs ~4 µs even when the path differs,
    and a turn still had ~20 candidates under ``/v1/workflows``."""

    DEPTH = 3  # leading segments indexed

    def __init__(self) -> None:
        self.routes: list[BaseRoute] = []
        self._buckets: dict[tuple[str, ...], list[tuple[int, BaseRoute]]] = {}
        self._candidates: dict[tuple[str, ...], list[tuple[Any, BaseRoute]]] = {}

    def add(self, routes: list[BaseRoute]) -> None:
        """Whole-table swap: a request matched concurrently sees the old or the new table."""
        buckets = {key: list(entries) for key, entries in self._buckets.items()}
        for offset, route in enumerate(routes, start=len(self.routes)):
            buckets.setdefault(_static_prefix(route, self.DEPTH), []).append((offset, route))
        self._buckets = buckets
        self._candidates = {}
        self.routes = [*self.routes, *routes]

    def candidates(self, path: str) -> list[tuple[Any, BaseRoute]]:
        """``(pre-check regex or None, route)`` for the routes a path may reach, in order."""
        segments = tuple(path.split("/")[1:self.DEPTH + 1])
        cached = self._candidates.get(segments)
        if cached is None:
            found: list[tuple[int, BaseRoute]] = []
            for k in range(len(segments) + 1):
                found.extend(self._buckets.get(segments[:k], ()))
            found.sort(key=lambda entry: entry[0])
            cached = [(_precheck(route), route) for _, route in found]
            if len(self._candidates) < 4096:  # bounded: paths carry ids
                self._candidates[segments] = cached
        return cached

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        partial: tuple[Match, Scope] | None = None
        path = get_route_path(scope)
        for regex, route in self.candidates(path):
            if regex is not None and regex.match(path) is None:
                continue  # the route's own matches() would answer Match.NONE
            match, child = route.matches(scope)
            if match is Match.FULL:
                child[ROUTE_KEY] = route
                return match, child
            if match is Match.PARTIAL and partial is None:
                child[ROUTE_KEY] = route
                partial = (match, child)
        return partial or (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope[ROUTE_KEY].handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


_PRECHECKED = (APIRoute, AliasRoute)


def _precheck(route: BaseRoute) -> Any:
    """The regex a path must match for ``route.matches`` to be anything but ``Match.NONE``:
    for the route classes whose ``matches`` starts with exactly that test on the route path
    (a Mount or a Host is always asked)."""
    return route.path_regex if isinstance(route, _PRECHECKED) else None


def _static_prefix(route: BaseRoute, depth: int) -> tuple[str, ...]:
    """The leading segments of the route's path that hold no parameter (at most ``depth``);
    a route without a path is tried for every request."""
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return ()
    prefix: list[str] = []
    for segment in path.split("/")[1:depth + 1]:
        if "{" in segment:
            break
        prefix.append(segment)
    return tuple(prefix)
