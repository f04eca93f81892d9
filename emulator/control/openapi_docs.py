"""One OpenAPI document per API (``/openapi/revyl.json``, ``interactly``, ``control``;
``/openapi.json`` keeps everything), with Swagger and ReDoc pages that work offline.

A contract tool or a client generator pointed at the Interactly document should see the
service as its users call it, so that document names its paths as the real service does:
``/workflows/v1/...`` from the host root (the emulator registers them once under ``/v1`` and
serves ``/workflows`` by a path alias), and the gateway-only ``/v1/session`` at the root.

The pages load Swagger UI and ReDoc from the emulator itself (``/docs/assets/...``, the files the
``fastapi-offline`` package ships): FastAPI's own pages load them from a CDN, and an offline
machine, the emulator's whole point, showed a blank page.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from emulator.core.errors import NotFound
from emulator.interactly import INTERACTLY_GATEWAY_ONLY, INTERACTLY_MOUNT
from emulator.web.contract import errors, media
from emulator.web.routing import StrictJSONRoute

APIS: dict[str, tuple[str, str]] = {
    # name: (tag prefix of its routes, title)
    "revyl": ("Revyl", "Revyl API (emulated)"),
    "interactly": ("Interactly", "Interactly workflows API (emulated)"),
    "control": ("Emulator control plane", "Emulator control plane"),
}

router = APIRouter(tags=["Emulator control plane"], route_class=StrictJSONRoute)


def document(full: dict[str, Any], api: str, server: str) -> dict[str, Any]:
    """The part of ``full`` whose operations carry ``api``'s tags, with only the component
    schemas those operations reach."""
    prefix, title = APIS[api]
    paths: dict[str, Any] = {}
    for path, operations in full.get("paths", {}).items():
        kept = {method: op for method, op in operations.items()
                if isinstance(op, dict) and any(t.startswith(prefix) for t in op.get("tags", ()))}
        if not kept:
            continue
        if api == "interactly" and path.startswith("/v1/") and \
                not path.startswith(INTERACTLY_GATEWAY_ONLY):
            path = INTERACTLY_MOUNT + path
        paths[path] = kept
    schemas = full.get("components", {}).get("schemas", {})
    reached = _reachable(paths, schemas)
    doc: dict[str, Any] = {
        "openapi": full.get("openapi", "3.1.0"),
        "info": {**full.get("info", {}), "title": title},
        "servers": [{"url": server}],
        "paths": paths,
    }
    if reached:
        doc["components"] = {"schemas": {name: schemas[name] for name in sorted(reached)}}
    tags = [t for t in full.get("tags", ()) if t.get("name", "").startswith(prefix)]
    if tags:
        doc["tags"] = tags
    return copy.deepcopy(doc)


def _reachable(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """Names of the component schemas referenced from ``paths``, transitively."""
    found: set[str] = set()
    pending = [paths]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found and name in schemas:
                    found.add(name)
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _server(request: Request) -> str:
    public = request.app.state.settings.public_url
    return public or str(request.base_url).rstrip("/")


def _api(name: str) -> str:
    if name not in APIS:
        raise NotFound(f"No API named {name!r}: choose from {', '.join(APIS)}")
    return name


@router.get("/openapi/{api}.json", response_model=dict[str, Any], responses=errors(404),
            summary="The OpenAPI document of one API")
async def api_document(api: str, request: Request) -> Response:
    """``revyl``, ``interactly`` or ``control``: built once per app (and again when a lazy
    route family has since added routes to the full document)."""
    name = _api(api)
    full = request.app.openapi()
    cache: dict[str, tuple[int, bytes]] = getattr(request.app.state, "api_documents", None) \
        or {}
    request.app.state.api_documents = cache
    cached = cache.get(name)
    if cached is None or cached[0] != id(full):
        cached = cache[name] = (id(full), json.dumps(document(full, name, _server(request)),
                                                     separators=(",", ":")).encode())
    return Response(cached[1], media_type="application/json")


# name: media type; the files of fastapi_offline/static, served at /docs/assets/<name>.
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "redoc.standalone.js": "text/javascript", "favicon.png": "image/png"}
ASSET_URL = "/docs/assets/"
# No validator badge: Swagger UI would load it from validator.swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": None}


@cache
def asset(name: str) -> bytes:
    return (resources.files("fastapi_offline") / "static" / name).read_bytes()


def swagger_page(openapi_url: str, title: str) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=openapi_url, title=title,
                               swagger_js_url=ASSET_URL + "swagger-ui-bundle.js",
                               swagger_css_url=ASSET_URL + "swagger-ui.css",
                               swagger_favicon_url=ASSET_URL + "favicon.png",
                               swagger_ui_parameters=SWAGGER_PARAMETERS)


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def docs() -> HTMLResponse:
    return swagger_page("/openapi.json", "Revyl + Interactly emulator - docs")


@router.get("/redoc", response_class=HTMLResponse, include_in_schema=False)
async def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="Revyl + Interactly emulator - "
                          "ReDoc", redoc_js_url=ASSET_URL + "redoc.standalone.js",
                          redoc_favicon_url=ASSET_URL + "favicon.png", with_google_fonts=False)


@router.get(ASSET_URL + "{name}", responses={**errors(404), **media(200, "*/*", "An asset")},
            include_in_schema=False)
async def docs_asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound(f"No documentation asset named {name!r}")
    return Response(asset(name), media_type=ASSETS[name],
                    headers={"cache-control": "public, max-age=86400"})


@router.get("/docs/{api}", response_class=HTMLResponse, responses=errors(404),
            include_in_schema=False)
async def api_docs(api: str) -> HTMLResponse:
    name = _api(api)
    return swagger_page(f"/openapi/{name}.json", f"{APIS[name][1]} - docs")
