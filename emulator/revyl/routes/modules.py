"""Modules (``revyl module ...``): reusable groups of blocks that tests import, with their
versions and the tests using them. Every answer but usage and versions is ``{message,
result}``, as the CLI decodes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl.models import _Request
from emulator.revyl.modules import module_wire, usage_wire, version_wire
from emulator.revyl.responses_modules import (
    ModuleDeleteResponse,
    ModuleListResponse,
    ModuleResponse,
    ModuleRestoreResponse,
    ModuleUsageResponse,
    ModuleVersionsResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: modules")
Ns = Annotated[Namespace, Depends(namespace)]


class ModuleCreate(_Request):
    name: str = Field(min_length=1)
    description: str | None = None
    blocks: list[Any]


class ModuleUpdate(_Request):
    name: str | None = Field(None, min_length=1)
    description: str | None = None
    blocks: list[Any] | None = None
    expected_version: int | None = None


class ModuleRestore(_Request):
    version: int = Field(ge=1)


def org_id(ns: Namespace) -> str:
    return str(revyl(ns).catalog.org["org_id"])


@router.get("/api/v1/modules/list", response_model=ModuleListResponse)
async def list_modules(ns: Ns) -> JSONResponse:
    modules = revyl(ns).modules.listing()
    return ok({"message": f"{len(modules)} module(s)",
               "result": [module_wire(m, org_id(ns)) for m in modules]})


@router.post("/api/v1/modules/create", response_model=ModuleResponse,
             responses=errors(400, 409, 413))
async def create_module(body: ModuleCreate, ns: Ns) -> JSONResponse:
    module = revyl(ns).modules.create(name=body.name, description=body.description,
                                      blocks=body.blocks)
    return ok({"message": "Module created", "result": module_wire(module, org_id(ns))})


@router.get("/api/v1/modules/{module_id}", response_model=ModuleResponse, responses=errors(404))
async def get_module(module_id: str, ns: Ns) -> JSONResponse:
    module = revyl(ns).modules.get(module_id)
    return ok({"message": "Module retrieved", "result": module_wire(module, org_id(ns))})


@router.put("/api/v1/modules/update/{module_id}", response_model=ModuleResponse,
            responses=errors(400, 404, 409, 413))
async def update_module(module_id: str, body: ModuleUpdate, ns: Ns) -> JSONResponse:
    """409 when ``expected_version`` is not the module's version (or the new name is taken)."""
    changes = body.model_dump(exclude_unset=True, exclude={"expected_version"})
    module = revyl(ns).modules.update(module_id, changes, body.expected_version)
    return ok({"message": "Module updated", "result": module_wire(module, org_id(ns))})


@router.delete("/api/v1/modules/delete/{module_id}", response_model=ModuleDeleteResponse,
               responses=errors(404, 409))
async def delete_module(module_id: str, ns: Ns) -> JSONResponse:
    """409 while a test imports the module (the CLI says so and names them)."""
    module = revyl(ns).modules.delete(module_id)
    return ok({"message": f"Module '{module.name}' deleted"})


@router.post("/api/v1/modules/{module_id}/restore", response_model=ModuleRestoreResponse,
             responses=errors(404, 409, 413))
async def restore_module(module_id: str, body: ModuleRestore, ns: Ns) -> JSONResponse:
    module = revyl(ns).modules.restore(module_id, body.version)
    return ok({"message": f"Module restored to version {body.version}",
               "result": module_wire(module, org_id(ns))})


@router.get("/api/v1/modules/{module_id}/tests", response_model=ModuleUsageResponse,
            responses=errors(404))
async def module_usage(module_id: str, ns: Ns) -> JSONResponse:
    return ok(usage_wire(revyl(ns).modules.usage(module_id), modules=False))


@router.get("/api/v1/modules/{module_id}/versions", response_model=ModuleVersionsResponse,
            responses=errors(404))
async def module_versions(module_id: str, ns: Ns,
                          limit: Annotated[int, Query(ge=1, le=1000)] = 50,
                          offset: Annotated[int, Query(ge=0)] = 0) -> JSONResponse:
    module, page, total = revyl(ns).modules.versions(module_id, limit, offset)
    return ok({"total": total, "versions": [version_wire(module, v) for v in page]})
