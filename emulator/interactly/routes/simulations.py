"""Simulations and their run groups (spec §4.10). The config schema route lives in
``routes/schemas.py``; how a group executes is described in ``emulator.interactly.simulations``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.interactly.responses.extras import ResourceDeletedResponse
from emulator.interactly.responses.extras_simulations import (
    SimulationDetailedRunsResponse,
    SimulationEvaluationSummaryResponse,
    SimulationGroupListResponse,
    SimulationGroupResponse,
    SimulationIndividualRunListResponse,
    SimulationListResponse,
    SimulationResponse,
)
from emulator.interactly.routes.common import OBJECT_ID, Ns, ObjectId, PageNo, Size, team, user
from emulator.interactly.simulations import SimulationIn, SimulationPatch
from emulator.interactly.state import interactly
from emulator.interactly.wire import page as paged
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: simulations")


class RunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    runner_name: str | None = Field(None, max_length=200)


@router.post("/v1/simulations", response_model=SimulationResponse, responses=errors(404))
async def create_simulation(body: SimulationIn, request: Request, ns: Ns) -> JSONResponse:
    return ok({"simulation": interactly(ns).simulations.create(body, team(request), user(request))})


@router.get("/v1/simulations", response_model=SimulationListResponse)
async def list_simulations(ns: Ns, page: PageNo = 1, size: Size = 100,
                           search: Annotated[str | None, Query(max_length=200)] = None
                           ) -> JSONResponse:
    return ok(paged(interactly(ns).simulations.listing(search), "simulations", page, size))


@router.get("/v1/simulations/{simulation_id}", response_model=SimulationResponse,
            responses=errors(404))
async def get_simulation(simulation_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"simulation": interactly(ns).simulations.get(simulation_id)})


@router.patch("/v1/simulations/{simulation_id}", response_model=SimulationResponse,
              responses=errors(404))
async def update_simulation(simulation_id: ObjectId, body: SimulationPatch, request: Request,
                            ns: Ns) -> JSONResponse:
    return ok({"simulation": interactly(ns).simulations.update(simulation_id, body, user(request))})


@router.delete("/v1/simulations/{simulation_id}", response_model=ResourceDeletedResponse,
               responses=errors(404))
async def delete_simulation(simulation_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).simulations.delete(simulation_id)
    return ok({"message": "Simulation deleted", "id": simulation_id})


@router.post("/v1/simulations/{simulation_id}/run", response_model=SimulationGroupResponse,
             responses=errors(404))
async def run_simulation(simulation_id: ObjectId, request: Request, ns: Ns,
                         body: Annotated[RunBody | None, Body()] = None) -> JSONResponse:
    """Answers at once with the ``pending`` group; the runs happen on the namespace clock."""
    group = interactly(ns).simulations.start(simulation_id, body.runner_name if body else None,
                               team(request), user(request))
    return ok({"simulation_group": group.doc})


@router.get("/v1/simulations/{simulation_id}/runs", response_model=SimulationGroupListResponse,
            responses=errors(404))
async def list_simulation_runs(simulation_id: ObjectId, ns: Ns, page: PageNo = 1,
                               size: Size = 100) -> JSONResponse:
    groups = [g.doc for g in interactly(ns).simulations.groups_of(simulation_id)]
    return ok(paged(groups, "simulation_groups", page, size))


@router.get("/v1/simulations/{simulation_id}/evaluation-summary",
            response_model=SimulationEvaluationSummaryResponse, responses=errors(404))
async def evaluation_summary(simulation_id: ObjectId, ns: Ns,
                             group_id: Annotated[str | None, Query(pattern=OBJECT_ID)] = None
                             ) -> JSONResponse:
    return ok(interactly(ns).simulations.evaluation_summary(simulation_id, group_id))


@router.get("/v1/simulation-runs/{group_id}", response_model=SimulationGroupResponse,
            responses=errors(404))
async def get_simulation_run(group_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"simulation_group": interactly(ns).simulations.group(group_id).doc})


@router.post("/v1/simulation-runs/{group_id}/stop", response_model=SimulationGroupResponse,
             responses=errors(404))
async def stop_simulation_run(group_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok({"simulation_group": interactly(ns).simulations.stop(group_id).doc})


@router.get("/v1/simulation-runs/{group_id}/executions",
            response_model=SimulationIndividualRunListResponse, responses=errors(404))
async def list_executions(group_id: ObjectId, ns: Ns, page: PageNo = 1,
                          size: Size = 100) -> JSONResponse:
    items = interactly(ns).simulations.group(group_id).items
    return ok(paged(items, "individual_runs", page, size))


@router.get("/v1/simulation-runs/{group_id}/executions/detailed",
            response_model=SimulationDetailedRunsResponse, responses=errors(404))
async def list_detailed_executions(group_id: ObjectId, ns: Ns) -> JSONResponse:
    service = interactly(ns).simulations
    rows = service.detailed(service.group(group_id))
    return ok({"individual_runs": rows, "total": len(rows)})
