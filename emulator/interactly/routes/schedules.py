"""Scheduled runs (spec §4.8): flat schedule documents, bare JSON arrays for lists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.responses import JSONResponse

from emulator.interactly.responses.extras_schedules import ScheduleResponse
from emulator.interactly.routes.common import Ns, ObjectId, team, user
from emulator.interactly.run_input import parse_input
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: schedules")
Status = Literal["pending", "completed", "failed", "cancelled"]
Skip = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=100)]
RUN_INPUT_LOC = ("body", "run_input")


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheduled_time: datetime
    run_input: dict[str, Any] | None = None
    version: int | None = Field(None, ge=0)
    scheduled_by_name: str | None = Field(None, max_length=200)


class ScheduleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheduled_time: datetime | None = None
    run_input: dict[str, Any] | None = None
    version: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _time_not_cleared(self) -> ScheduleUpdate:
        """``run_input: null`` clears the input and ``version: null`` means "the active
        version", but a schedule cannot lose its time."""
        if "scheduled_time" in self.model_fields_set and self.scheduled_time is None:
            raise ValueError("scheduled_time cannot be null")
        return self


def execution_input(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The run input a fired schedule starts with, validated now (422) like ``execute``'s."""
    return parse_input(raw or {}, RUN_INPUT_LOC)


@router.post("/v1/workflows/{workflow_id}/schedules", response_model=ScheduleResponse,
             responses=errors(400, 404))
async def create_schedule(workflow_id: ObjectId, body: ScheduleCreate, request: Request,
                          ns: Ns) -> JSONResponse:
    prepared = execution_input(body.run_input)
    schedule = interactly(ns).schedules.create(
        workflow_id, body.scheduled_time, body.run_input, prepared, body.version,
        body.scheduled_by_name, team(request), user(request))
    return ok(schedule.doc())


@router.get("/v1/workflows/{workflow_id}/schedules", response_model=list[ScheduleResponse],
            responses=errors(404))
async def list_workflow_schedules(workflow_id: ObjectId, ns: Ns, skip: Skip = 0,
                                  limit: Limit = 50, status: Status | None = None
                                  ) -> JSONResponse:
    """Unknown workflow: 404, unless schedules of it survive its deletion (they stay readable
    with their ``failed`` outcome)."""
    found = interactly(ns).schedules.of_workflow(workflow_id, status, skip, limit)
    return ok([s.doc() for s in found])


@router.get("/v1/workflow-schedules", response_model=list[ScheduleResponse])
async def list_team_schedules(ns: Ns, skip: Skip = 0, limit: Limit = 50,
                              status: Status | None = None) -> JSONResponse:
    found = interactly(ns).schedules.listing(None, status, skip, limit)
    return ok([s.doc() for s in found])


@router.get("/v1/workflow-schedules/{schedule_id}", response_model=ScheduleResponse,
            responses=errors(404))
async def get_schedule(schedule_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).schedules.get(schedule_id).doc())


@router.patch("/v1/workflow-schedules/{schedule_id}", response_model=ScheduleResponse,
              responses=errors(400, 404, 409))
async def update_schedule(schedule_id: ObjectId, body: ScheduleUpdate, ns: Ns) -> JSONResponse:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if "run_input" in changes:
        changes["execution_input"] = execution_input(body.run_input)
    return ok(interactly(ns).schedules.update(schedule_id, changes).doc())


@router.delete("/v1/workflow-schedules/{schedule_id}", response_model=ScheduleResponse,
               responses=errors(404, 409))
async def cancel_schedule(schedule_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).schedules.cancel(schedule_id).doc())
