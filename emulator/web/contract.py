"""The wire contract of every route, and ``--strict``: each response checked against it.

Routes hand FastAPI ready-made ``JSONResponse`` objects (no per-request encoder pass on the hot
path), so the ``response_model`` and ``responses`` they declare only describe the wire in the
OpenAPI documents; FastAPI never checks them. Under ``--strict`` (``EMULATOR_STRICT=1``, on for
the whole test suite) :func:`check` holds every answer, success or error, against what its
route declares: an undeclared status, a body that does not validate against the model (fields
missing, of the wrong type, or not declared at all), or a JSON body where a stream was declared
is answered as a 500 that names the route and the field, so drift between the emulator and
its published contract cannot pass a test unnoticed.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from starlette.responses import JSONResponse, Response

from emulator.core.errors import ApiError

log = logging.getLogger(__name__)

JSON = "application/json"


class WireModel(BaseModel):
    """Base of every published response model. A field the emulator sends that the model does
    not declare fails ``--strict``, so the published documents stay complete."""

    model_config = ConfigDict(extra="forbid")


class ValidationIssue(BaseModel):
    """One item of FastAPI's 422 ``detail`` list."""

    type: str
    loc: list[str | int]
    msg: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    """Revyl's (and FastAPI's) error body: ``{"detail": "<sentence>"}``; Revyl also answers an
    object in ``detail`` on a few routes, and FastAPI's 422 a list of issues."""

    model_config = ConfigDict(extra="forbid")
    detail: str | list[ValidationIssue] | dict[str, Any]


class ServiceErrorResponse(BaseModel):
    """Interactly's own validation errors: ``{"message": <category>, "error": <rule>}``."""

    model_config = ConfigDict(extra="forbid")
    message: str
    error: str


DESCRIPTIONS = {
    400: "Bad request", 401: "Missing or blank bearer token", 403: "Forbidden",
    404: "Not found", 409: "Conflict with the current state", 410: "Gone",
    413: "Body too large", 415: "Unsupported media type", 422: "Invalid input",
    429: "Too many requests", 499: "Client closed the request", 502: "Upstream failure",
}


def errors(*codes: int, service: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for error statuses answered as ``{"detail": ...}``; the codes in
    ``service`` may also answer Interactly's ``{"message", "error"}`` shape."""
    found: dict[int | str, dict[str, Any]] = {}
    for code in (*codes, *service):
        model: Any = ErrorResponse | ServiceErrorResponse if code in service else ErrorResponse
        found[code] = {"model": model, "description": DESCRIPTIONS.get(code, "Error")}
    return found


def media(code: int, media_type: str, description: str,
          schema: dict[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    """A ``responses=`` entry for a non-JSON answer (an SSE stream, a download, a page)."""
    return {code: {"description": description,
                   "content": {media_type: {"schema": schema or {"type": "string"}}}}}


# Every route may answer these without declaring them: FastAPI's request validation (422), a
# body cut off by the client (499) and, for a token the server has no room left for, the
# namespace cap (503, emulator.core.namespaces.NamespaceLimit). The APIs' routers declare 401
# for all their routes (emulator.web.routing.api_router).
IMPLICIT: dict[int, Any] = {422: ErrorResponse, 499: ErrorResponse, 503: ErrorResponse}


class Contract:
    """What one route may answer: a model (or ``None``: any body of a declared media type)
    per status code, and the media types it declared per status."""

    def __init__(self, route: APIRoute) -> None:
        self.name = f"{'/'.join(sorted(route.methods or ()))} {route.path}"
        self.models: dict[int, Any] = dict(IMPLICIT)
        self.media: dict[int, set[str]] = {code: {JSON} for code in IMPLICIT}
        success = route.status_code or 200
        default_media = getattr(route.response_class, "media_type", None) or JSON
        if route.response_model is not None:
            self.models[success] = route.response_model
            self.media[success] = {JSON}
        for code, spec in route.responses.items():
            if not str(code).isdigit():
                continue  # "default", "4XX": ranges no answer is held against
            status = int(code)
            content = set(spec.get("content", {}))
            if "model" in spec:
                self.models[status] = spec["model"]
                content.add(JSON)
            elif status not in self.models:
                self.models[status] = None
            declared = content or {default_media}
            if status == success and route.response_model is not None:
                declared.add(JSON)  # another media type besides the model, not instead of it
            self.media[status] = declared
        if success not in self.models and default_media != JSON:
            self.models[success] = None  # a page or a download declared by its response class
            self.media[success] = {default_media}

    def problems(self, response: Response) -> str | None:
        status = response.status_code
        if status not in self.models:
            return (f"status {status} is not declared (declared: "
                    f"{', '.join(str(c) for c in sorted(self.models))})")
        media_type = (response.headers.get("content-type") or "").split(";")[0].strip()
        declared = self.media.get(status, {JSON})
        if media_type and declared and not any(covers(d, media_type) for d in declared):
            return (f"status {status} answered {media_type}, declared "
                    f"{', '.join(sorted(declared))}")
        model = self.models[status]
        if model is None or media_type != JSON or not hasattr(response, "body"):
            return None
        try:
            adapter(model).validate_json(bytes(response.body))
        except ValidationError as error:
            issues = "; ".join(
                f"{'.'.join(str(p) for p in issue['loc']) or '(body)'}: {issue['msg']}"
                for issue in error.errors(include_url=False)[:5])
            return f"status {status} body does not match {model_name(model)}: {issues}"
        return None


def covers(declared: str, media_type: str) -> bool:
    """``declared`` names ``media_type`` itself or a range of it (``*/*``, ``image/*``): a
    download answers the media type its file was stored with."""
    if declared == media_type or declared == "*/*":
        return True
    kind, _, sub = declared.partition("/")
    return sub == "*" and media_type.partition("/")[0] == kind


@cache
def adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def model_name(model: Any) -> str:
    return getattr(model, "__name__", None) or repr(model)


_CONTRACT_ATTR = "_emulator_contract"


def contract_of(route: APIRoute) -> Contract:
    """Built on first use and kept on the route itself: a table keyed by ``id(route)`` gave
    a new route the contract of a collected one that had had the same id."""
    found: Contract | None = getattr(route, _CONTRACT_ATTR, None)
    if found is None:
        found = Contract(route)
        setattr(route, _CONTRACT_ATTR, found)
    return found


def check(route: APIRoute, method: str, response: Response) -> Response:
    """``response`` when it keeps the route's contract, else the strict-mode 500."""
    problem = contract_of(route).problems(response)
    if problem is None:
        return response
    message = f"Strict mode: {method} {route.path} broke its contract: {problem}"
    log.error("%s", message)
    return JSONResponse({"detail": message}, status_code=500)


def check_error(route: APIRoute, method: str, error: ApiError) -> Response | None:
    """The strict-mode 500 when an error the route raised breaks its contract, else ``None``
    (the app's exception handler then renders the error as usual)."""
    rendered = JSONResponse(error.body(), status_code=error.status_code)
    checked = check(route, method, rendered)
    return None if checked is rendered else checked
