"""``/_emulator/*``: the control plane tests use to reset state, move time and pick outcomes.

Every route but ``health`` is scoped to the caller's namespace (its bearer token), so parallel
test suites with different tokens never step on each other; ``?all=true`` widens reset/state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from emulator.control.admin import require_all
from emulator.control.responses import (
    AllNamespacesStateResponse,
    ClockAdvanceResponse,
    ClockResponse,
    EmulatorHealthResponse,
    NamespaceStateResponse,
    QueuedLLMScriptsResponse,
    QueuedOutcomesResponse,
    ResetResponse,
)
from emulator.core.clock import MAX_INSTANT, iso
from emulator.core.errors import BadRequest, NotFound
from emulator.core.namespaces import Namespace, clock_info, token_digest
from emulator.core.pacing import paced
from emulator.interactly.llm import LLMScript
from emulator.interactly.state import interactly
from emulator.revyl.outcomes import OutcomeScript
from emulator.revyl.state import revyl
from emulator.web.auth import bearer_token, namespace, registry
from emulator.web.contract import WireModel, errors
from emulator.web.journal import anonymous_journal
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute

TAG = "Emulator control plane"
router = APIRouter(prefix="/_emulator", tags=[TAG], route_class=StrictJSONRoute)
Ns = Annotated[Namespace, Depends(namespace)]
MAX_ADVANCE = 10 * 365 * 86400.0
Instant = Annotated[float, Field(ge=0, le=MAX_INSTANT, allow_inf_nan=False)]
# Every route here but ``health`` reads the bearer token (``Ns``): 401 without one. A JSON
# body past the request body cap is a 413 (answered before the route runs).
AUTH = errors(401)
# ``?all=true`` without the admin token, when one is set (emulator/control/admin.py).
ADMIN = errors(401, 403)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClockUpdate(_Body):
    mode: Literal["realtime", "manual"] | None = None
    scale: float | None = Field(None, gt=0, le=1_000_000)
    now: datetime | Instant | None = Field(
        None, description="jump to this instant (ISO-8601 or unix seconds); forward only")


class Advance(_Body):
    seconds: float = Field(ge=0, le=MAX_ADVANCE)


class OutcomeBatch(_Body):
    outcomes: list[OutcomeScript] = Field(min_length=1, max_length=1000)


@router.get("/health", response_model=EmulatorHealthResponse)
async def health(request: Request) -> JSONResponse:
    """Liveness and readiness; needs no token (wait for ``ready`` before a run)."""
    app_state = request.app.state
    return ok({"status": "ok", "ready": app_state.ready, "fixtures": app_state.fixture_summary,
               "namespaces": len(registry(request))})


@router.post("/reset", response_model=ResetResponse, responses=ADMIN)
async def reset(request: Request, ns: Ns, all: bool = False) -> JSONResponse:
    """Back to the seed data: executions, runs, scripts, id stream, journal, fault rules and a
    manual clock's start time; the namespace's open streams end (``?all=true``: every
    namespace, and the app-wide journal)."""
    if all:
        require_all(request)
    targets = list(registry(request)) if all else [ns]
    for target in targets:
        target.reset()
    if all:
        anonymous_journal(request.app).clear()
    return ok({"reset": len(targets), "namespace": ns.key})


# A shared server keeps every namespace until told otherwise (or until EMULATOR_MAX_NAMESPACES
# evicts an idle one): a suite that is done frees its own. Read through bearer_token, not the
# namespace dependency, which would make the namespace it is asked to delete.
class NamespaceDeletedResponse(WireModel):
    deleted: bool = Field(description="False when there was none (already deleted, or never "
                                      "made)")
    namespace: str = Field(description="The caller's namespace key")


@router.delete("/namespace", response_model=NamespaceDeletedResponse, responses=AUTH)
async def delete_namespace(request: Request) -> JSONResponse:
    """Forget the caller's namespace now: data, timers, streams, journal, fault rules. The
    same token makes a fresh one on its next use; deleting twice is fine (200 both times)."""
    token = bearer_token(request)
    deleted = registry(request).discard(token)
    return ok({"deleted": deleted, "namespace": token_digest(token)[:12]})


@router.get("/state",
            response_model=NamespaceStateResponse | AllNamespacesStateResponse,
            responses=ADMIN)
async def state(request: Request, ns: Ns, all: bool = False) -> JSONResponse:
    """Counts of the namespace's definitions and executions by status, queued scripts, the
    clock (``?all=true``: every namespace)."""
    if all:
        require_all(request)
        return ok({"namespaces": [s async for s in paced(n.snapshot() for n in registry(request))]})
    return ok(ns.snapshot())


@router.get("/clock", response_model=ClockResponse, responses=AUTH)
async def get_clock(ns: Ns) -> JSONResponse:
    """The namespace's virtual clock."""
    return ok(clock_info(ns.clock))


@router.put("/clock", response_model=ClockResponse, responses=errors(400, 401, 413))
async def put_clock(update: ClockUpdate, ns: Ns) -> JSONResponse:
    """Switch mode or scale, or jump forward to ``now`` (timers on the way fire); the clock
    never moves back (400)."""
    now = update.now.timestamp() if isinstance(update.now, datetime) else update.now
    if now is not None and now < ns.clock.now():
        raise BadRequest("The clock only moves forward; use POST /_emulator/reset to rewind")
    if now is not None and now > MAX_INSTANT:
        raise BadRequest(f"The clock cannot go past {iso(MAX_INSTANT)}")
    if now is not None:
        ns.clock.advance(now - ns.clock.now())
    ns.clock.configure(mode=update.mode, scale=update.scale)
    return ok(clock_info(ns.clock))


@router.post("/clock/advance", response_model=ClockAdvanceResponse,
             responses=errors(400, 401, 413))
async def advance(body: Advance, ns: Ns) -> JSONResponse:
    """Move the clock forward, firing every timer due on the way, in order."""
    if ns.clock.now() + body.seconds > MAX_INSTANT:
        raise BadRequest(f"The clock cannot go past {iso(MAX_INSTANT)}")
    fired = ns.clock.advance(body.seconds)
    return ok({**clock_info(ns.clock), "fired": fired})


@router.post("/clock/run-until-idle", response_model=ClockAdvanceResponse,
             responses=AUTH)
async def run_until_idle(ns: Ns) -> JSONResponse:
    """Jump from timer to timer until nothing is pending: all started work finishes."""
    fired = ns.clock.run_until_idle()
    return ok({**clock_info(ns.clock), "fired": fired})


@router.post("/scripts/revyl/outcomes", response_model=QueuedOutcomesResponse,
             responses=errors(401, 404, 413))
async def push_outcomes(batch: OutcomeBatch, ns: Ns) -> JSONResponse:
    """Queue outcomes for the next Revyl executions (an unknown test or workflow id is a
    404); answers the whole queue."""
    state = revyl(ns)
    for script in batch.outcomes:  # a typo in an id should fail loudly, not never match
        if script.test_id is not None:
            state.catalog.test(script.test_id)
        if script.workflow_id is not None and script.workflow_id not in state.catalog.workflows:
            raise NotFound("Workflow not found")
    queue = state.outcomes
    queue.push(batch.outcomes)
    return ok({"queued": queue.listing()})


class LLMScriptBatch(_Body):
    replies: list[LLMScript] = Field(min_length=1, max_length=1000)


@router.post("/scripts/interactly/llm", response_model=QueuedLLMScriptsResponse,
             responses=errors(401, 404, 413))
async def push_llm_scripts(batch: LLMScriptBatch, ns: Ns) -> JSONResponse:
    """Queue fake-LLM behaviours for Interactly turns (an unknown workflow id is a 404);
    answers the whole queue."""
    state = interactly(ns)
    for script in batch.replies:
        if script.workflow_id is not None:
            state.catalog.workflow(script.workflow_id)
    state.scripts.push(batch.replies)
    return ok({"queued": state.scripts.listing()})


@router.get("/scripts/interactly/llm", response_model=QueuedLLMScriptsResponse,
            responses=AUTH)
async def list_llm_scripts(ns: Ns) -> JSONResponse:
    """The queued fake-LLM behaviours, with the uses each has left."""
    return ok({"queued": interactly(ns).scripts.listing()})


@router.delete("/scripts/interactly/llm", response_model=QueuedLLMScriptsResponse,
               responses=AUTH)
async def clear_llm_scripts(ns: Ns) -> JSONResponse:
    """Drop every queued fake-LLM behaviour."""
    interactly(ns).scripts.clear()
    return ok({"queued": []})


@router.get("/scripts/revyl/outcomes", response_model=QueuedOutcomesResponse,
            responses=AUTH)
async def list_outcomes(ns: Ns) -> JSONResponse:
    """The queued Revyl outcomes, with the uses each has left."""
    return ok({"queued": revyl(ns).outcomes.listing()})


@router.delete("/scripts/revyl/outcomes", response_model=QueuedOutcomesResponse,
               responses=AUTH)
async def clear_outcomes(ns: Ns) -> JSONResponse:
    """Drop every queued Revyl outcome."""
    revyl(ns).outcomes.clear()
    return ok({"queued": []})
