"""Variables: per-test (``revyl test var``), global (``revyl global var``), org launch
variables and their attachments to tests (``revyl global|test launch-var``, ``revyl build
secret``) and iOS StoreKit config references (``revyl app|test storekit``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import Field
from starlette.responses import JSONResponse, Response

from emulator.core.namespaces import Namespace
from emulator.revyl.files import storekit_doc
from emulator.revyl.models import _Request
from emulator.revyl.responses_variables import (
    CheckVariableExistsResponse,
    CustomVariableResponse,
    CustomVariablesResponse,
    DeleteCustomVariablesResponse,
    GlobalVariableSavedResponse,
    GlobalVariablesResponse,
    OrgLaunchVariableDeleteResponse,
    OrgLaunchVariableResponse,
    OrgLaunchVariablesResponse,
    StoreKitConfigRefResponse,
)
from emulator.revyl.state import RevylState, revyl
from emulator.revyl.variables import LaunchVariable, custom_doc, global_doc, launch_doc
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: variables")
Ns = Annotated[Namespace, Depends(namespace)]
Text = Annotated[str, Field(min_length=1)]
DELETED: dict[int | str, dict[str, Any]] = {204: {"description": "Deleted (no body)"}}


class CustomVariableIn(_Request):
    test_uid: Text
    variable_name: Text
    variable_value: str = ""


class RenameIn(_Request):
    test_uid: Text
    variable_name: Text


class NewValueIn(_Request):
    test_uid: Text
    variable_id: Text
    new_value: str = ""


class GlobalIn(_Request):
    variable_name: Text
    variable_value: str = ""
    is_secret: bool | None = None


class GlobalUpdateIn(_Request):
    variable_name: Text
    variable_value: str | None = None
    is_secret: bool | None = None


class LaunchIn(_Request):
    key: Text
    value: str = ""
    description: str | None = None
    is_secret: bool = False


class LaunchUpdateIn(_Request):
    key: str | None = None
    value: str | None = None
    description: str | None = None
    is_secret: bool | None = None


class AttachmentsIn(_Request):
    test_id: Text
    env_var_ids: list[str] = Field(default_factory=list)


class StoreKitIn(_Request):
    scope_type: Text
    scope_id: Text
    mode: Text
    file_id: str | None = None


def launch_body(state: RevylState, variable: LaunchVariable) -> dict[str, Any]:
    return launch_doc(variable, state.catalog.org, state.variables.attached_count(variable.id))


# ---------------------------------------------------------------------------- custom (per test)
@router.get("/api/v1/variables/custom/read_variables", response_model=CustomVariablesResponse,
            responses=errors(404))
async def read_variables(test_uid: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    found = revyl(ns).variables.custom(test_uid)
    return ok({"message": "Variables retrieved", "result": [custom_doc(v) for v in found]})


@router.post("/api/v1/variables/custom/add", response_model=CustomVariableResponse,
             responses=errors(400, 404, 409, 413))
async def add_variable(body: CustomVariableIn, ns: Ns) -> JSONResponse:
    added = revyl(ns).variables.add_custom(body.test_uid, body.variable_name,
                                           body.variable_value)
    return ok({"message": "Variable added", "result": custom_doc(added)})


@router.get("/api/v1/variables/custom/check_exists", response_model=CheckVariableExistsResponse,
            responses=errors(404))
async def check_exists(test_id: Annotated[str, Query()],
                       variable_name: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    found = revyl(ns).variables.find_custom(test_id, variable_name)
    if found is None:
        return ok({"exists": False})
    return ok({"exists": True, "variable_name": found.name, "variable_value": found.value})


@router.put("/api/v1/variables/custom/update/{variable_id}", response_model=CustomVariableResponse,
            responses=errors(400, 404, 409, 413))
async def rename_variable(variable_id: str, body: RenameIn, ns: Ns) -> JSONResponse:
    renamed = revyl(ns).variables.rename_custom(body.test_uid, variable_id, body.variable_name)
    return ok({"message": "Variable renamed", "result": custom_doc(renamed)})


@router.put("/api/v1/variables/custom/update_value", response_model=CustomVariableResponse,
            responses=errors(404, 413))
async def update_value(body: NewValueIn, ns: Ns) -> JSONResponse:
    updated = revyl(ns).variables.set_custom_value(body.test_uid, body.variable_id,
                                                   body.new_value)
    return ok({"message": "Variable updated", "result": custom_doc(updated)})


@router.delete("/api/v1/variables/custom/delete", response_model=CustomVariableResponse,
               responses=errors(404))
async def delete_variable(test_uid: Annotated[str, Query()],
                          variable_name: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    gone = revyl(ns).variables.delete_custom(test_uid, variable_name)
    return ok({"message": "Variable deleted", "result": custom_doc(gone)})


@router.delete("/api/v1/variables/custom/delete_all",
               response_model=DeleteCustomVariablesResponse, responses=errors(404))
async def delete_variables(test_uid: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    count = revyl(ns).variables.clear_custom(test_uid)
    return ok({"message": f"Deleted {count} variables", "deleted": count})


# ---------------------------------------------------------------------------- global (org)
@router.get("/api/v1/variables/global", response_model=GlobalVariablesResponse)
async def list_globals(ns: Ns) -> JSONResponse:
    state = revyl(ns)
    return ok({"message": "Global variables retrieved",
               "result": [global_doc(g, state.catalog.org)
                          for g in state.variables.globals.values()]})


@router.post("/api/v1/variables/global", response_model=GlobalVariableSavedResponse,
             responses=errors(400, 409, 413))
async def add_global(body: GlobalIn, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    added = state.variables.add_global(body.variable_name, body.variable_value,
                                       bool(body.is_secret))
    return ok({"message": "Global variable added", "result": global_doc(added, state.catalog.org)})


@router.put("/api/v1/variables/global/{variable_id}", response_model=GlobalVariableSavedResponse,
            responses=errors(400, 404, 409, 413))
async def update_global(variable_id: str, body: GlobalUpdateIn, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    updated = state.variables.update_global(variable_id, body.variable_name,
                                            body.variable_value, body.is_secret)
    return ok({"message": "Global variable updated",
               "result": global_doc(updated, state.catalog.org)})


@router.delete("/api/v1/variables/global/{variable_id}", response_model=GlobalVariableSavedResponse,
               responses=errors(404))
async def delete_global(variable_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    gone = state.variables.delete_global(variable_id)
    return ok({"message": "Global variable deleted", "result": global_doc(gone, state.catalog.org)})


# ---------------------------------------------------------------------------- launch variables
@router.get("/api/v1/variables/org_launch_env", response_model=OrgLaunchVariablesResponse)
async def list_launch(ns: Ns) -> JSONResponse:
    state = revyl(ns)
    return ok({"message": "Launch variables retrieved",
               "result": [launch_body(state, v) for v in state.variables.launch.values()]})


@router.post("/api/v1/variables/org_launch_env", response_model=OrgLaunchVariableResponse,
             responses=errors(400, 409, 413))
async def add_launch(body: LaunchIn, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    added = state.variables.add_launch(body.key, body.value, body.description, body.is_secret)
    return ok({"message": "Launch variable created", "result": launch_body(state, added)})


@router.put("/api/v1/variables/org_launch_env/{variable_id}",
            response_model=OrgLaunchVariableResponse, responses=errors(400, 404, 409, 413))
async def update_launch(variable_id: str, body: LaunchUpdateIn, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    updated = state.variables.update_launch(variable_id, body.model_dump(exclude_unset=True))
    return ok({"message": "Launch variable updated", "result": launch_body(state, updated)})


@router.delete("/api/v1/variables/org_launch_env/{variable_id}",
               response_model=OrgLaunchVariableDeleteResponse, responses=errors(404))
async def delete_launch(variable_id: str, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    gone, detached = state.variables.delete_launch(variable_id)
    return ok({"message": "Launch variable deleted", "result": launch_doc(gone, state.catalog.org,
                                                                          0),
               "detached_test_count": detached})


@router.get("/api/v1/variables/org_launch_env/test-attachments",
            response_model=OrgLaunchVariablesResponse, responses=errors(404))
async def test_attachments(test_id: Annotated[str, Query()], ns: Ns) -> JSONResponse:
    state = revyl(ns)
    return ok({"message": "Attachments retrieved",
               "result": [launch_body(state, v) for v in state.variables.attached(test_id)]})


@router.put("/api/v1/variables/org_launch_env/test-attachments",
            response_model=OrgLaunchVariablesResponse, responses=errors(404, 409, 413))
async def replace_attachments(body: AttachmentsIn, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    attached = state.variables.attach(body.test_id, body.env_var_ids)
    return ok({"message": "Attachments replaced",
               "result": [launch_body(state, v) for v in attached]})


# ---------------------------------------------------------------------------- StoreKit refs
@router.get("/api/v1/variables/ios_storekit/refs", response_model=StoreKitConfigRefResponse,
            responses=errors(400, 404))
async def get_storekit(scope_type: Annotated[str, Query()], scope_id: Annotated[str, Query()],
                       ns: Ns) -> JSONResponse:
    files = revyl(ns).files
    ref = files.storekit_ref(scope_type, scope_id)
    return ok({"message": "StoreKit config retrieved" if ref else "No StoreKit config",
               "result": storekit_doc(ref, files)})


@router.put("/api/v1/variables/ios_storekit/refs", response_model=StoreKitConfigRefResponse,
            responses=errors(400, 404, 413))
async def set_storekit(body: StoreKitIn, ns: Ns) -> JSONResponse:
    files = revyl(ns).files
    ref = files.set_storekit(body.scope_type, body.scope_id, body.mode, body.file_id)
    return ok({"message": "StoreKit config saved", "result": storekit_doc(ref, files)})


@router.delete("/api/v1/variables/ios_storekit/refs", status_code=204, response_class=Response,
               responses={**DELETED, **errors(400, 404)})
async def clear_storekit(scope_type: Annotated[str, Query()], scope_id: Annotated[str, Query()],
                         ns: Ns) -> Response:
    revyl(ns).files.clear_storekit(scope_type, scope_id)
    return Response(status_code=204)
