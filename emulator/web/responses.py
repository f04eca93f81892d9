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
