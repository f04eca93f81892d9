"""A lean request handler for routes whose parameters need none of FastAPI's per-request
machinery beyond validation: what status polls and Interactly turns go through.

FastAPI's handler solves the dependency graph on every request: for a poll that is three
passes of ``solve_dependencies`` (the route, the router's namespace dependency, the route's
own ``ns`` parameter), about half of the request's time in the app. Here the route's
parameters are analysed once, and a request is answered by calling the namespace dependency
once, FastAPI's own ``request_params_to_args`` / ``request_body_to_args`` for the values,
then the endpoint. Whenever anything is unusual (a missing or invalid value, a body that is
not ``application/json``, JSON that does not decode) the lean handler steps aside and
FastAPI's own handler answers the same request object (its body already read and kept), so
every error answer stays exactly FastAPI's. Routes with anything else (headers, cookies,
background tasks, a ``Response`` parameter, dependencies with their own parameters, an
endpoint that does not return a ``Response``) never take the lean path.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

try:  # the functions solve_dependencies itself uses; without them, FastAPI answers alone
    from fastapi import params as _params
    from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
except ImportError:  # pragma: no cover - a FastAPI that moved them
    request_params_to_args = None  # type: ignore[assignment]

LeanHandler = Callable[[Request], Awaitable[Response | None]]
JSON_MEDIA_TYPE = "application/json"


def _returns_response(call: Callable[..., Any]) -> bool:
    try:
        annotation = inspect.signature(call, eval_str=True).return_annotation
    except Exception:  # an annotation that does not evaluate: not worth guessing
        return False
    return inspect.isclass(annotation) and issubclass(annotation, Response)


def _connection_only(sub: Any) -> str | None:
    """The parameter name a sub-dependency takes the request by, when that is all it takes
    (``emulator.web.auth.namespace``); None when it needs FastAPI to solve it."""
    if (sub.dependencies or sub.path_params or sub.query_params or sub.header_params
            or sub.cookie_params or sub.body_params or sub.websocket_param_name
            or sub.response_param_name or sub.background_tasks_param_name
            or sub.security_scopes_param_name or sub.own_oauth_scopes or not sub.use_cache
            or not inspect.iscoroutinefunction(sub.call)):
        return None
    names = [n for n in (sub.request_param_name, sub.http_connection_param_name) if n]
    return names[0] if len(names) == 1 else None


def _plain_string(field: Any) -> bool:
    """A required ``str`` parameter without constraints or aliases: whatever string the
    request carries is its value, as validating it would confirm."""
    info = field.field_info
    return (info.annotation is str and not info.metadata and info.alias in (None, field.name)
            and info.validation_alias in (None, field.name) and not field.config
            and info.is_required())


def _query(raw: bytes) -> dict[str, str]:
    """Starlette's ``QueryParams`` as a dict (the last value of a repeated name wins, as
    ``.get`` answers); splitting by hand when nothing needs unquoting."""
    text = raw.decode("latin-1")
    if "%" in text or "+" in text:
        return dict(parse_qsl(text, keep_blank_values=True))
    found: dict[str, str] = {}
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            found[name] = value
    return found


def lean_handler(route: APIRoute) -> LeanHandler | None:
    """The lean handler of ``route``, or None when FastAPI must answer all its requests."""
    if request_params_to_args is None:
        return None
    dependant = route.dependant
    call = dependant.call
    if (call is None or not inspect.iscoroutinefunction(call) or dependant.header_params
            or dependant.cookie_params or dependant.websocket_param_name
            or dependant.http_connection_param_name or dependant.response_param_name
            or dependant.background_tasks_param_name or dependant.security_scopes_param_name
            or getattr(route.dependency_overrides_provider, "dependency_overrides", None)
            or not _returns_response(call)):
        return None
    # One call per dependency function (FastAPI caches them per request alike); the names
    # that receive its value (None: a router-level dependency, run for its 401 alone).
    dependencies: dict[Callable[..., Any], tuple[str, list[str]]] = {}
    for sub in dependant.dependencies:
        connection = _connection_only(sub)
        if connection is None or sub.call is None:
            return None
        _, names = dependencies.setdefault(sub.call, (connection, []))
        if sub.name:
            names.append(sub.name)
    body_fields = dependant.body_params
    if body_fields and (len(body_fields) != 1 or getattr(route, "_embed_body_fields", True)
                        or not isinstance(body_fields[0].field_info, _params.Body)
                        or isinstance(body_fields[0].field_info, _params.Form)):
        return None
    body_field = body_fields[0] if body_fields else None
    path_fields = dependant.path_params
    query_fields = dependant.query_params
    plain_query = [field.name for field in query_fields] \
        if all(_plain_string(field) for field in query_fields) else None
    request_name = dependant.request_param_name

    async def lean(request: Request) -> Response | None:
        values: dict[str, Any] = {}
        if body_field is not None:  # read first, as FastAPI does (a bad body: 422 before 401)
            content_type = request.headers.get("content-type")
            if content_type is None or \
                    content_type.partition(";")[0].strip().lower() != JSON_MEDIA_TYPE:
                return None
            try:
                received = await request.json() if await request.body() else None
            except Exception:
                return None
            if received is None:
                return None
            found, errors = await request_body_to_args([body_field], received, False)
            if errors:
                return None
            values.update(found)
        for dependency, (connection, names) in dependencies.items():
            value = await dependency(**{connection: request})
            for name in names:
                values[name] = value
        if path_fields:
            found, errors = request_params_to_args(path_fields, request.path_params)
            if errors:
                return None
            values.update(found)
        if plain_query:
            query = _query(request.scope.get("query_string", b""))
            for name in plain_query:
                value = query.get(name)
                if value is None:
                    return None
                values[name] = value
        elif query_fields:
            found, errors = request_params_to_args(query_fields, request.query_params)
            if errors:
                return None
            values.update(found)
        if request_name:
            values[request_name] = request
        response: Response = await call(**values)
        return response

    return lean
