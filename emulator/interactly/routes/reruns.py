"""Re-runs (spec §4.7): which turns can be re-run, preflight, tokens (mint, preview, amend) and
server-side execution. Behaviour lives in :mod:`emulator.interactly.reruns`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.core.ids import OBJECT_ID
from emulator.interactly.reruns import RerunTarget
from emulator.interactly.responses.reruns import (
    RerunnableTurnsResponse,
    RerunPreflightResponse,
    RerunStartedResponse,
    RerunTokenPreview,
    RerunTokenResponse,
)
from emulator.interactly.routes.common import Ns, ObjectId, team, user
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: re-runs")

TURN = "/v1/workflow-runs/{run_id}/turns/{turn_index}"
TurnIndex = Annotated[int, Path(ge=0)]
TokenValue = Annotated[str, Path(min_length=1, max_length=200)]


class TargetRequest(BaseModel):
    """``RerunTargetRequest``: omitted keys mean "derive" (unknown keys are ignored)."""

    model_config = ConfigDict(extra="ignore")

    target_workflow_id: str | None = Field(None, pattern=OBJECT_ID)
    target_version_number: int | None = Field(None, ge=0)
    history_mode: Literal["FULL", "USER_AND_ASSISTANT_ONLY", "NONE"] | None = None
    entry_node_logical_id: str | None = Field(None, min_length=1)
    node_id_map: dict[str, str] | None = None
    requested_mode: Literal["EXACT", "REMAPPED", "PORTABLE"] | None = None

    def target(self) -> RerunTarget:
        return RerunTarget(self.target_workflow_id, self.target_version_number,
                           self.history_mode, self.entry_node_logical_id, self.node_id_map,
                           self.requested_mode)


class ExecuteRequest(TargetRequest):
    message: str | None = Field(None, max_length=100_000)


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("Text cannot be blank; removing a turn is a separate verb.")
    return value


Text = Annotated[str, AfterValidator(_text)]


class MessageEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thread_id: str
    index: int = Field(ge=0)
    text: Text


class MessageAppend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thread_id: str
    role: Literal["user", "assistant"]
    text: Text


class MessageDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thread_id: str
    index: int = Field(ge=0)


class AmendRequest(BaseModel):
    """``RerunAmendRequest``: a description of a change; unknown keys are refused (422) so a typo
    cannot pass for an applied edit."""

    model_config = ConfigDict(extra="forbid")

    dynamic_variables: dict[str, Any] | None = None
    runtime_variables: dict[str, dict[str, Any]] | None = None
    message_edits: list[MessageEdit] | None = None
    message_appends: list[MessageAppend] | None = None
    message_deletes: list[MessageDelete] | None = None


OptionalTarget = Annotated[TargetRequest | None, Body()]


@router.get("/v1/workflow-runs/{run_id}/rerunnable-turns",
            response_model=RerunnableTurnsResponse, responses=errors(404))
async def rerunnable_turns(run_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).reruns.rerunnable_turns(run_id))


@router.post(f"{TURN}/rerun-preflight", response_model=RerunPreflightResponse,
             responses=errors(400, 404, 413))
async def preflight(run_id: ObjectId, turn_index: TurnIndex, ns: Ns,
                    body: OptionalTarget = None) -> JSONResponse:
    """No side effects: what a re-run would carry over and drop."""
    target = (body or TargetRequest()).target()
    return ok(interactly(ns).reruns.plan(run_id, turn_index, target).report)


@router.post(f"{TURN}/rerun-token", response_model=RerunTokenResponse,
             responses=errors(404, 413, service=(400,)))
async def create_token(run_id: ObjectId, turn_index: TurnIndex, ns: Ns,
                       body: OptionalTarget = None) -> JSONResponse:
    target = (body or TargetRequest()).target()
    return ok(interactly(ns).reruns.create_token(run_id, turn_index, target))


@router.get(f"{TURN}/rerun-token/{{token}}", response_model=RerunTokenPreview,
            responses=errors(404))
async def preview_token(run_id: ObjectId, turn_index: TurnIndex, token: TokenValue,
                        ns: Ns) -> JSONResponse:
    return ok(interactly(ns).reruns.preview(run_id, turn_index, token))


@router.patch(f"{TURN}/rerun-token/{{token}}", response_model=RerunTokenPreview,
              responses=errors(400, 404, 413))
async def amend_token(run_id: ObjectId, turn_index: TurnIndex, token: TokenValue,
                      body: AmendRequest, ns: Ns) -> JSONResponse:
    change = body.model_dump(exclude_unset=True)
    return ok(interactly(ns).reruns.amend(run_id, turn_index, token, change))


@router.post(f"{TURN}/rerun", status_code=202, response_model=RerunStartedResponse,
             responses={200: {"model": RerunStartedResponse,
                              "description": "async=false: the re-run's status after it ran"},
                        **errors(404, 413, service=(400,))})
async def execute(run_id: ObjectId, turn_index: TurnIndex, request: Request, ns: Ns,
                  body: Annotated[ExecuteRequest | None, Body()] = None,
                  run_async: Annotated[bool, Query(alias="async")] = True) -> JSONResponse:
    """The emulator finishes the work inside the request either way; ``async=true`` answers
    202 ``started`` as the real service does, ``async=false`` 200 with the run's status."""
    body = body or ExecuteRequest()
    run, projection = interactly(ns).reruns.execute(run_id, turn_index, body.target(),
                                                     body.message, team(request),
                                                     user(request))
    return ok({"workflow_run_id": run.id, "status": "started" if run_async else run.status,
               "resolved_mode": projection.mode,
               "entry_node_logical_id": projection.entry,
               "warnings": list(projection.warnings)}, 202 if run_async else 200)
