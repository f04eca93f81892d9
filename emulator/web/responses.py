"""Compact JSON responses without FastAPI's per-request ``jsonable_encoder`` pass.

Routers hand over dicts that are already JSON-ready, so encoding them again through the
encoder would be pure overhead on the polling hot path. Compact separators also matter on the
wire: scripts/upload-build.sh greps for ``"id":"`` with no space.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def ok(body: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code)


def detail_error(description: str, *, or_validation: bool = False) -> dict[str, Any]:
    """An OpenAPI ``responses`` entry for an error answered as ``{"detail": "<sentence>"}``;
    ``or_validation``: the status is also FastAPI's own 422 (a ``detail`` list). Declared so
    that clients, and the schemathesis run in tests/robustness, can rely on the shape."""
    schema: dict[str, Any] = {"type": "object", "required": ["detail"],
                              "properties": {"detail": {"type": "string"}}}
    if or_validation:
        schema = {"anyOf": [{"$ref": "#/components/schemas/HTTPValidationError"}, schema]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}
