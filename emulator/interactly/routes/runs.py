"""Executing workflows turn by turn, and reading runs back."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import JSONResponse

from emulator.core.responses import ok
from emulator.interactly import wire
from emulator.interactly.routes.common import OBJECT_ID, Ns, ObjectId, PageNo, Size, team, user
from emulator.interactly.state import interactly

router = APIRouter(tags=["Interactly: runs"])


class RunInput(BaseModel):
    """``WorkflowRunInput``: lenient (unknown keys kept), but typed where the engine reads."""

    model_config = ConfigDict(extra="allow")

    command: Literal["start", "data", "resume", "pause", "stop"] = "start"
    dynamic_variables: dict[str, Any] = Field(default_factory=dict)
    runtime_variables: dict[str, Any] = Field(default_factory=dict)
    miscellaneous: dict[str, Any] = Field(default_factory=dict)
    thread_to_node_inputs: dict[str, Any] | None = None
    start_node_logical_id: str | None = None
    run_by: str | None = None
    workflow_run_id: str | None = Field(None, pattern=OBJECT_ID)
    version_number: int | None = Field(None, ge=0)


def parse_input(raw: Any, loc: tuple[str, ...]) -> dict[str, Any]:
    try:
        return RunInput.model_validate(raw).model_dump()
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": (*loc, *e["loc"])} for e in exc.errors(include_url=False)]) from None


@router.post("/v1/workflows/{workflow_id}/execute")
async def execute(workflow_id: ObjectId, request: Request, ns: Ns,
                  body: Annotated[dict[str, Any], Body()],
                  version: Annotated[int | None, Query(ge=0)] = None) -> JSONResponse:
    """G2/G3 bodies (``{"run_input", "run_id"}``) get the G3 answer; a G1 body (a bare run
    input) gets the run document back, as old clients expect (spec §1.6)."""
    legacy = "run_input" not in body
    run_input = parse_input(body if legacy else body["run_input"],
                            ("body",) if legacy else ("body", "run_input"))
    run_id = run_input.get("workflow_run_id") if legacy else body.get("run_id")
    if run_id is not None and not isinstance(run_id, str):
        raise RequestValidationError([{"type": "string_type", "loc": ("body", "run_id"),
                                       "msg": "Input should be a valid string",
                                       "input": run_id}])
    run, events = interactly(ns).runs.execute(workflow_id, run_input, run_id, version,
                                              team(request), user(request))
    return ok(wire.legacy_run(run, events) if legacy else wire.interactive(run, events))


@router.get("/v1/workflow-runs/{run_id}")
async def get_run(run_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(wire.run_envelope(interactly(ns).runs.get(run_id)))


@router.get("/v1/workflow-runs")
async def list_runs(ns: Ns, page: PageNo = 1, size: Size = 100,
                    workflow_id: str | None = None, status: str | None = None,
                    search: str | None = None) -> JSONResponse:
    runs = interactly(ns).runs.listing(workflow_id, status, search)
    return ok(wire.page([wire.run_row(r) for r in runs], "workflow_runs", page, size))


@router.delete("/v1/workflow-runs/{run_id}")
async def delete_run(run_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).runs.delete(run_id)
    return ok({"message": "Workflow run deleted", "run_id": run_id})
