"""What ``revyl test create/push`` touches around a definition: scripts and modules (the org
has none), tags, per-test variables, launch-variable attachments and device targets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl.models import _Request
from emulator.revyl.responses import TestTag
from emulator.revyl.responses_yaml import (
    AddCustomVariableResponse,
    CustomVariablesResponse,
    DeleteCustomVariablesResponse,
    DeviceTargetResponse,
    LaunchVariablesResponse,
    ModulesListResponse,
    SyncTagsResponse,
    TestScriptsResponse,
)
from emulator.revyl.state import revyl
from emulator.revyl.wire import stable_id, tag_id
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: test extras")
Ns = Annotated[Namespace, Depends(namespace)]


class SyncTags(_Request):
    tag_names: list[str]


class CustomVariable(_Request):
    test_uid: str = Field(min_length=1)
    variable_name: str = Field(min_length=1)
    variable_value: str = ""


class Attachments(_Request):
    test_id: str = Field(min_length=1)
    env_var_ids: list[str] = Field(default_factory=list)


class DeviceTarget(_Request):
    device_model: str | None = None
    os_version: str | None = None
    orientation: str | None = None


def tag(name: str) -> dict[str, Any]:
    return {"id": tag_id(name), "name": name, "color": "#6366f1"}


@router.get("/api/v1/tests/scripts", response_model=TestScriptsResponse)
async def list_scripts(ns: Ns, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                       offset: Annotated[int, Query(ge=0)] = 0) -> JSONResponse:
    return ok({"scripts": [], "count": 0})


@router.get("/api/v1/modules/list", response_model=ModulesListResponse)
async def list_modules(ns: Ns) -> JSONResponse:
    return ok({"message": "Modules retrieved", "result": []})


@router.get("/api/v1/tests/tags/tests/{test_id}", response_model=list[TestTag],
            responses=errors(404))
async def get_tags(test_id: str, ns: Ns) -> JSONResponse:
    return ok([tag(name) for name in revyl(ns).catalog.test(test_id).tags])


@router.post("/api/v1/tests/tags/tests/{test_id}/sync", response_model=SyncTagsResponse,
             responses=errors(404, 413))
async def sync_tags(test_id: str, body: SyncTags, ns: Ns) -> JSONResponse:
    test = revyl(ns).definitions.sync_tags(test_id, body.tag_names)
    return ok({"test_id": test.id, "tags": [tag(name) for name in test.tags]})


def variable(test_id: str, name: str, value: str) -> dict[str, Any]:
    return {"id": stable_id("variable", f"{test_id}:{name}"), "test_uid": test_id,
            "variable_name": name, "variable_value": value}


@router.get("/api/v1/variables/custom/read_variables", response_model=CustomVariablesResponse,
            responses=errors(404))
async def read_variables(test_uid: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    test = revyl(ns).catalog.test(test_uid)
    return ok({"message": "Variables retrieved",
               "result": [variable(test.id, k, v) for k, v in test.variables.items()]})


@router.post("/api/v1/variables/custom/add", response_model=AddCustomVariableResponse,
             responses=errors(404, 409, 413))
async def add_variable(body: CustomVariable, ns: Ns) -> JSONResponse:
    test = revyl(ns).definitions.add_variable(body.test_uid, body.variable_name,
                                              body.variable_value)
    return ok({"message": "Variable added",
               "result": variable(test.id, body.variable_name, body.variable_value)})


@router.delete("/api/v1/variables/custom/delete_all",
               response_model=DeleteCustomVariablesResponse, responses=errors(404))
async def delete_variables(test_uid: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    count = revyl(ns).definitions.clear_variables(test_uid)
    return ok({"message": f"Deleted {count} variables", "deleted": count})


@router.get("/api/v1/variables/org_launch_env", response_model=LaunchVariablesResponse)
async def org_launch_env(ns: Ns) -> JSONResponse:
    return ok({"message": "Launch variables retrieved", "result": []})


@router.get("/api/v1/variables/org_launch_env/test-attachments",
            response_model=LaunchVariablesResponse, responses=errors(404))
async def test_attachments(test_id: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    revyl(ns).catalog.test(test_id)
    return ok({"message": "Attachments retrieved", "result": []})


@router.put("/api/v1/variables/org_launch_env/test-attachments",
            response_model=LaunchVariablesResponse, responses=errors(404, 409, 413))
async def replace_attachments(body: Attachments, ns: Ns) -> JSONResponse:
    revyl(ns).definitions.attach_launch_variables(body.test_id, body.env_var_ids)
    return ok({"message": "Attachments replaced", "result": []})


@router.patch("/api/v1/tests/{test_id}/device-target", response_model=DeviceTargetResponse,
              responses=errors(404, 413))
async def device_target(test_id: str, body: DeviceTarget, ns: Ns) -> JSONResponse:
    test = revyl(ns).definitions.set_device_target(test_id, body.model_dump(exclude_none=True))
    return ok({"id": test.id, "mobile_targets": [test.device] if test.device else []})
