"""Executing workflows turn by turn, and reading runs back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Body, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import JSONResponse

from emulator.interactly import wire
from emulator.interactly.responses.runs import (
    InteractiveRunResponse,
    LegacyExecuteResponse,
    WorkflowRunDeleteResponse,
    WorkflowRunListResponse,
    WorkflowRunResponse,
)
from emulator.interactly.routes.common import (
    OBJECT_ID,
    Ns,
    ObjectId,
    ObjectIdQuery,
    PageNo,
    Size,
    team,
    user,
)
from emulator.interactly.run_input import RunInput as RunInput  # where tests import it from
from emulator.interactly.run_input import invalid, parse_input
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: runs")


class ExecuteBody(BaseModel):
    """The G2/G3 body's own keys (the run input is parsed by :func:`parse_input`)."""

    model_config = ConfigDict(extra="allow")

    run_id: str | None = Field(None, pattern=OBJECT_ID)


@router.post("/v1/workflows/{workflow_id}/execute",
             response_model=InteractiveRunResponse | LegacyExecuteResponse,
             responses=errors(404, 413, service=(400,)))
async def execute(workflow_id: ObjectId, request: Request, ns: Ns,
                  body: Annotated[dict[str, Any], Body()],
                  version: Annotated[int | None, Query(ge=0)] = None) -> JSONResponse:
    """G2/G3 bodies (``{"run_input", "run_id"}``) get the G3 answer; a G1 body (a bare run
    input) gets the run document back, as old clients expect (spec §1.6)."""
    legacy = "run_input" not in body
    run_input = parse_input(body if legacy else body["run_input"],
                            ("body",) if legacy else ("body", "run_input"))
    if legacy:
        run_id = run_input.get("workflow_run_id")
    else:
        try:
            run_id = ExecuteBody.model_validate(body).run_id
        except ValidationError as exc:
            raise invalid(exc, ("body",)) from None
    run, events = interactly(ns).runs.execute(workflow_id, run_input, run_id, version,
                                              team(request), user(request))
    return ok(wire.legacy_run(run, events) if legacy else wire.interactive(run, events))


@router.post("/v1/workflows/{workflow_id}/runs/{run_id}/pump-companions",
             response_model=InteractiveRunResponse, responses=errors(404, 413))
async def pump_companions(workflow_id: ObjectId, run_id: ObjectId, ns: Ns,
                          body: Annotated[dict[str, Any] | None, Body()] = None) -> JSONResponse:
    """Background work (companion steps, waiting-edge evaluations) of a REST-driven run moves
    only when pumped; the answer is an ``InteractiveRunResponse`` of what the pump did."""
    run, events = interactly(ns).runs.pump(workflow_id, run_id)
    return ok(wire.interactive(run, events))


@router.get("/v1/workflow-runs/{run_id}", response_model=WorkflowRunResponse,
            responses=errors(404))
async def get_run(run_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(wire.run_envelope(interactly(ns).runs.get(run_id)))


@router.get("/v1/workflow-runs", response_model=WorkflowRunListResponse)
async def list_runs(ns: Ns, page: PageNo = 1, size: Size = 100,
                    workflow_id: ObjectIdQuery = None, status: str | None = None,
                    search: str | None = None, start: datetime | None = None,
                    end: datetime | None = None,
                    source_workflow_run_id: ObjectIdQuery = None,
                    source_turn_index: Annotated[int | None, Query(ge=0)] = None,
                    filters: Annotated[str | None, Query(max_length=4096)] = None
                    ) -> JSONResponse:
    """Flat query parameters as the SDK sends them; a JSON ``filters`` object (older docs) is
    read for the same keys, flat parameters winning."""
    extra = run_filters(filters)
    start = start or extra.get("start")
    end = end or extra.get("end")
    runs = interactly(ns).runs.listing(
        workflow_id or extra.get("workflow_id"), status or extra.get("status"),
        search or extra.get("search"), epoch(start), epoch(end),
        source_workflow_run_id or extra.get("source_workflow_run_id"), source_turn_index)
    return ok(wire.page([wire.run_row(r) for r in runs], "workflow_runs", page, size))


def epoch(moment: datetime | None) -> float | None:
    """Naive datetimes are UTC (the service stores UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class RunFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    workflow_id: str | None = Field(None, pattern=OBJECT_ID)
    status: str | None = None
    search: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    source_workflow_run_id: str | None = Field(None, pattern=OBJECT_ID)


def run_filters(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        parsed = RunFilters.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("query", "filters", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    return {k: v for k, v in parsed if v is not None}


@router.delete("/v1/workflow-runs/{run_id}", response_model=WorkflowRunDeleteResponse,
               responses=errors(404))
async def delete_run(run_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).runs.delete(run_id)
    return ok({"message": "Workflow run deleted", "run_id": run_id})
