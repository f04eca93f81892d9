"""Code-execution scripts (``revyl script ...``). The code is stored and handed back, never run;
a delete answers 204 with no body, as the real API does (the CLI special-cases it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import Field
from starlette.responses import JSONResponse, Response

from emulator.core.namespaces import Namespace
from emulator.revyl.models import _Request
from emulator.revyl.modules import usage_wire
from emulator.revyl.responses_modules import (
    Runtime,
    ScriptInfo,
    ScriptListResponse,
    ScriptUsageResponse,
)
from emulator.revyl.scripts import script_wire
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: scripts")
Ns = Annotated[Namespace, Depends(namespace)]


class ScriptCreate(_Request):
    name: str = Field(min_length=1)
    code: str
    runtime: Runtime
    description: str | None = None


class ScriptUpdate(_Request):
    name: str | None = Field(None, min_length=1)
    code: str | None = None
    runtime: Runtime | None = None
    description: str | None = None


@router.get("/api/v1/tests/scripts", response_model=ScriptListResponse)
async def list_scripts(ns: Ns, runtime: str | None = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                       offset: Annotated[int, Query(ge=0)] = 0) -> JSONResponse:
    page, count = revyl(ns).scripts.listing(runtime, limit, offset)
    return ok({"scripts": [script_wire(s) for s in page], "count": count})


@router.post("/api/v1/tests/scripts", response_model=ScriptInfo, responses=errors(409, 413))
async def create_script(body: ScriptCreate, ns: Ns) -> JSONResponse:
    """409 for a name another script has (blocks name scripts)."""
    script = revyl(ns).scripts.create(name=body.name, code=body.code, runtime=body.runtime,
                                      description=body.description)
    return ok(script_wire(script))


@router.get("/api/v1/tests/scripts/{script_id}", response_model=ScriptInfo,
            responses=errors(404))
async def get_script(script_id: str, ns: Ns) -> JSONResponse:
    return ok(script_wire(revyl(ns).scripts.get(script_id)))


@router.put("/api/v1/tests/scripts/{script_id}", response_model=ScriptInfo,
            responses=errors(404, 409, 413))
async def update_script(script_id: str, body: ScriptUpdate, ns: Ns) -> JSONResponse:
    script = revyl(ns).scripts.update(script_id, body.model_dump(exclude_none=True))
    return ok(script_wire(script))


@router.delete("/api/v1/tests/scripts/{script_id}", status_code=204, response_class=Response,
               responses={204: {"description": "Deleted (no body)"}, **errors(404, 409)})
async def delete_script(script_id: str, ns: Ns) -> Response:
    """409 while a test or a module uses the script."""
    revyl(ns).scripts.delete(script_id)
    return Response(status_code=204)


@router.get("/api/v1/tests/scripts/{script_id}/tests", response_model=ScriptUsageResponse,
            responses=errors(404))
async def script_usage(script_id: str, ns: Ns) -> JSONResponse:
    return ok(usage_wire(revyl(ns).scripts.usage(script_id), modules=True))
