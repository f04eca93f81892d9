"""The route index (first match is the same route as a linear scan), alias routes, and route
families built on first use."""

import re
import threading

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from emulator.web.lazy import LazyGate, LazyRoutes
from emulator.web.routing import RouteIndex, all_routes, mount, on_paths


def make_router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/workflows/schema")
    async def schema() -> dict:
        return {"route": "schema"}

    @router.get("/v1/workflows/{workflow_id}")
    async def workflow(workflow_id: str) -> dict:
        return {"route": "workflow", "id": workflow_id}

    @router.post("/v1/{kind}/bulk")
    async def bulk(kind: str) -> dict:
        return {"route": "bulk", "kind": kind}

    @on_paths(router, "GET", ["/api/v1/builds/{build_id}", "/api/v2/b/{build_id}"])
    async def build(build_id: str) -> dict:
        return {"route": "build", "id": build_id}

    return router


async def call(app: FastAPI, method: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        return await client.request(method, path)


@pytest.mark.anyio
async def test_index_keeps_declaration_order_params_methods_and_aliases():
    app = FastAPI()
    mount(app, make_router())
    assert (await call(app, "GET", "/v1/workflows/schema")).json() == {"route": "schema"}
    assert (await call(app, "GET", "/v1/workflows/w1")).json() == {"route": "workflow",
                                                                    "id": "w1"}
    assert (await call(app, "POST", "/v1/x/bulk")).json() == {"route": "bulk", "kind": "x"}
    assert (await call(app, "POST", "/v1/workflows/w1")).status_code == 405
    assert (await call(app, "GET", "/v1/nothing/here/at/all")).status_code == 404
    assert (await call(app, "GET", "/api/v2/b/7")).json() == {"route": "build", "id": "7"}
    assert (await call(app, "DELETE", "/api/v2/b/7")).status_code == 405
    assert len([r for r in app.router.routes if isinstance(r, RouteIndex)]) == 1
    paths = [getattr(r, "path", None) for r in all_routes(app)]
    assert "/api/v2/b/{build_id}" in paths and "/v1/workflows/schema" in paths


@pytest.mark.anyio
async def test_a_lazy_family_is_built_once_by_the_first_request_that_needs_it():
    app = FastAPI()
    loads: list[int] = []

    def load() -> tuple[APIRouter, ...]:
        loads.append(threading.get_ident())
        return (make_router(),)

    family = LazyRoutes(app, load=load, covers=lambda path: path.startswith("/v1/"))
    app.add_middleware(LazyGate, families=[family])
    assert (await call(app, "GET", "/api/v1/builds/1")).status_code == 404  # not covered
    assert not family.loaded and loads == []
    replies = [await call(app, "GET", "/v1/workflows/schema") for _ in range(3)]
    assert all(r.json() == {"route": "schema"} for r in replies)
    assert family.loaded and len(loads) == 1
    assert (await call(app, "GET", "/api/v1/builds/1")).json()["route"] == "build"


def test_every_route_of_each_lazy_family_is_under_its_declared_prefixes():
    """Otherwise a request could reach the router before its family is built (a false 404)."""
    from emulator.app import LAZY_FAMILIES
    from emulator.web.lazy import under

    for load, prefixes in LAZY_FAMILIES:
        covers = under(*prefixes)
        paths = [route.path for router in load() for route in router.routes]
        assert paths and all(covers(path) for path in paths), [
            path for path in paths if not covers(path)]


@pytest.mark.anyio
async def test_declaration_order_does_not_decide_which_route_a_path_reaches():
    """The parameter route declared first: the literal one still gets its path."""
    router = APIRouter()

    @router.get("/v1/workflows/{workflow_id}")
    async def workflow(workflow_id: str) -> dict:
        return {"route": "workflow"}

    @router.get("/v1/workflows/schema")
    async def schema() -> dict:
        return {"route": "schema"}

    app = FastAPI()
    mount(app, router)
    assert (await call(app, "GET", "/v1/workflows/schema")).json() == {"route": "schema"}
    assert (await call(app, "GET", "/v1/workflows/w1")).json() == {"route": "workflow"}


def test_no_route_of_the_app_is_shadowed_by_another():
    """Every route's own template, filled with a sample value, reaches that route (or an
    alias of it) first: no route is unreachable behind a parameter route of another."""
    from starlette.routing import Match

    from emulator.app import create_app
    from emulator.settings import Settings
    from emulator.web.lazy import ensure_all
    from emulator.web.routing import ROUTE_KEY, AliasRoute

    app = create_app(Settings(clock="manual"))
    ensure_all(app)
    index = app.state.route_index
    shadowed = []
    for route in index.routes:
        path = route.path
        sample = re.sub(r"\{[^}]+\}", "0123456789abcdef01234567", path)
        kind = "websocket" if type(route).__name__ == "APIWebSocketRoute" else "http"
        method = sorted(getattr(route, "methods", None) or {"GET"})[0]
        scope = {"type": kind, "path": sample, "root_path": "", "method": method}
        match, child = index.matches(scope)
        found = child.get(ROUTE_KEY)
        target = found.target if isinstance(found, AliasRoute) else found
        own = route.target if isinstance(route, AliasRoute) else route
        if match is not Match.FULL or target is not own:
            shadowed.append((method, path, getattr(found, "path", None)))
    assert shadowed == []
