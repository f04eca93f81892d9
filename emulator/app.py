"""``create_app(settings)``: one FastAPI app serving both emulated APIs and the control plane."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect, Request

from emulator import __version__
from emulator.core.errors import ApiError
from emulator.core.namespaces import NamespaceRegistry
from emulator.interactly import INTERACTLY_GATEWAY_ONLY, INTERACTLY_MOUNT
from emulator.settings import Settings
from emulator.web.aliases import PathAlias
from emulator.web.faults import FaultInjector
from emulator.web.hosts import HostCheck
from emulator.web.journal import RequestJournal
from emulator.web.lazy import LazyGate, LazyRoutes, ensure_all, under
from emulator.web.limits import BodySizeLimit, HeaderLimits
from emulator.web.routing import all_routes, mount

log = logging.getLogger(__name__)
UPLOAD_PATH_MARKERS = ("/stream-upload", "/_emulator/uploads/")  # larger body cap


def interactly_routers() -> tuple[Any, ...]:
    from emulator.interactly.routes import routers

    return routers()


def builds_routers() -> tuple[Any, ...]:
    from emulator.revyl.routes import builds, uploads

    return (uploads.router, builds.router)


def revyl_management_routers() -> tuple[Any, ...]:
    from emulator.revyl.routes import management_routers

    return management_routers()


def revyl_workflow_routers() -> tuple[Any, ...]:
    from emulator.revyl.routes import workflow_routers

    return workflow_routers()


def control_extra_routers() -> tuple[Any, ...]:
    from emulator.control import dashboard, observe, snapshots, webhooks

    return (observe.router, snapshots.router, dashboard.router, webhooks.router)


# Route families built on first use or in the background once the server is up
# (emulator.web.lazy): a loader and the path prefixes its routes live under (a test checks
# that every route of a family is under one of them). Interactly's are after the alias.
LAZY_FAMILIES: tuple[tuple[Callable[[], tuple[Any, ...]], tuple[str, ...]], ...] = (
    (interactly_routers, ("/v1",)),
    (builds_routers, ("/api/v1/apps", "/api/v1/builds", "/_emulator/uploads",
                      "/_emulator/downloads")),
    (revyl_workflow_routers, ("/api/v1/workflows", "/api/v1/workflow-executions",
                              "/api/execute_workflow_id_async",
                              "/api/v1/execution/api/execute_workflow_id_async",
                              "/api/v1/execution/api/v1/workflows")),
    (revyl_management_routers, ("/api/v1/modules", "/api/v1/tests/scripts", "/api/v1/tests/tags",
                                "/api/v1/variables", "/api/v1/files")),
    (control_extra_routers, ("/_emulator/faults", "/_emulator/journal", "/_emulator/seed",
                             "/_emulator/snapshot", "/_emulator/ui", "/_emulator/webhooks")),
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    from emulator.control import openapi_docs
    from emulator.control.routes import router as control_router
    from emulator.core.snapshots import restore_parked
    from emulator.interactly.state import registration as interactly_api
    from emulator.revyl.catalog import RevylFixtures
    from emulator.revyl.routes import routers as revyl_routers
    from emulator.revyl.state import registration as revyl_api

    fixtures = RevylFixtures.load(settings.fixtures)
    registry = NamespaceRegistry(settings, restore=restore_parked)
    registry.register(revyl_api(fixtures))
    registry.register(interactly_api())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.state_file is not None:
            from emulator.core.snapshots import load_state_file

            load_state_file(registry, settings.state_file)
        for family in app.state.lazy_routes:
            if settings.state_file is not None:
                # A parked namespace is restored by the first request that names it, and the
                # restore imports and validates what the route families import: done in the
                # request while a background build imports the same modules, it could fail
                # (the namespace then started empty). With a state file, build them first.
                family.ensure()
            else:
                family.warm()
        app.state.ready = True
        yield
        app.state.ready = False
        for family in app.state.lazy_routes:
            family.settle(timeout=30)
        try:
            if settings.state_file is not None:
                from emulator.core.snapshots import save_state_file

                save_state_file(registry, settings.state_file)
        finally:
            await registry.aclose()

    # /docs and /redoc are openapi_docs' pages: FastAPI's own load their assets from a CDN.
    # FastAPI's OpenTelemetry hooks off: asking whether a provider is configured cost ~4 % of
    # every request (bench/http.py); the emulator reports through its journal instead.
    app = FastAPI(title="Revyl + Interactly emulator", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False,
                             "operation_spans": False})
    app.state.settings = settings
    app.state.registry = registry
    app.state.ready = False
    app.state.fixture_summary = {"revyl": {"tests": len(fixtures.tests),
                                           "workflows": len(fixtures.workflows),
                                           "apps": len(fixtures.apps)}}

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's own 422, except that the ``input`` echo of a body that is not JSON (raw
        bytes, maybe not UTF-8) is decoded with replacement characters: FastAPI's encoder
        raised UnicodeDecodeError there, which made every such request a 500."""
        errors = jsonable_encoder(exc.errors(), custom_encoder={
            bytes: lambda raw: raw.decode("utf-8", "replace")})
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, exc: ClientDisconnect) -> JSONResponse:
        """The client left while its body streamed in (a dropped upload): nothing went wrong
        here and nobody is left to answer. It used to reach the catch-all below (an "internal
        error" logged with a traceback, re-raised to the server); now the journal shows 499,
        as nginx logs a closed request, and nothing was stored."""
        return JSONResponse({"detail": "Client closed the request"}, status_code=499)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": f"Emulator internal error: {type(exc).__name__}"},
                            status_code=500)

    def cap_for(path: str) -> int:
        if any(marker in path for marker in UPLOAD_PATH_MARKERS):
            return settings.max_upload_bytes
        return settings.max_body_bytes

    app.state.lazy_routes = tuple(LazyRoutes(app, load=load, covers=under(*prefixes))
                                  for load, prefixes in LAZY_FAMILIES)
    app.add_middleware(LazyGate, families=app.state.lazy_routes)
    app.add_middleware(PathAlias, prefix=INTERACTLY_MOUNT, under="/v1/",
                       excluded=INTERACTLY_GATEWAY_ONLY)
    app.add_middleware(BodySizeLimit, cap_for=cap_for)
    app.add_middleware(FaultInjector)  # inside the journal, so faulted answers are journaled
    app.add_middleware(RequestJournal)
    # Outermost: a refused Host or header block is answered before anything reads it.
    app.add_middleware(HostCheck, allowed=settings.allowed_hosts)
    app.add_middleware(HeaderLimits, max_header_bytes=settings.max_header_bytes,
                       max_field_bytes=settings.max_header_field_bytes,
                       max_count=settings.max_header_count, max_url_bytes=settings.max_url_bytes)
    mount(app, control_router, openapi_docs.router, *revyl_routers())

    def complete_openapi() -> dict[str, Any]:
        """FastAPI's schema, of every route (the lazy families built, the index opened)."""
        if app.openapi_schema is None or not all(f.loaded for f in app.state.lazy_routes):
            from fastapi.openapi.utils import get_openapi

            ensure_all(app)
            app.openapi_schema = get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version,
                description=app.description, routes=all_routes(app), tags=app.openapi_tags,
                servers=app.servers)
        return app.openapi_schema

    # FastAPI's documented way to customise the schema; its stubs declare a method.
    app.openapi = complete_openapi  # type: ignore[method-assign]
    return app
