"""Run feedback (spec §4.6): comments and ratings on runs, events and turns, and the
evaluation result. Behaviour lives in :mod:`emulator.interactly.feedback`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import JSONResponse

from emulator.interactly import wire
from emulator.interactly.models.common import RatingValue  # the one RatingConfig stores
from emulator.interactly.responses.runs import (
    RunEvaluationResult,
    RunFeedbackResponse,
    WorkflowRunResponse,
)
from emulator.interactly.routes.common import Ns, ObjectId, user
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: run feedback")

MAX_COMMENT_LENGTH = 5000  # interactly_configs.MAX_COMMENT_LENGTH
LogicalId = Annotated[str, Path(min_length=1, max_length=200)]
TurnIndex = Annotated[int, Path(ge=0)]
RUNS = "/v1/workflow-runs/{run_id}"
# Unknown run, turn, event or comment: 404; the run still in progress: 409.
WRITE_ERRORS = errors(404, 409)
BODY_ERRORS = errors(404, 409, 413)


class CommentRequest(BaseModel):
    """``CommentRequest``: content trimmed, blank refused (422), at most 5000 characters."""

    model_config = ConfigDict(extra="ignore")

    content: str = Field(max_length=MAX_COMMENT_LENGTH)

    @field_validator("content")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        trimmed = value.strip()
        if not trimmed:
            raise ValueError("Comment content cannot be blank.")
        return trimmed


class RatingRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: RatingValue


@router.get(f"{RUNS}/evaluation-result", response_model=RunEvaluationResult,
            responses=errors(404))
async def evaluation_result(run_id: ObjectId, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.evaluation_result(run_id))


@router.post(f"{RUNS}/comments", response_model=WorkflowRunResponse,
             responses=BODY_ERRORS)
async def add_run_comment(run_id: ObjectId, body: CommentRequest, request: Request,
                          ns: Ns) -> JSONResponse:
    """Answers with the whole run envelope: the SDK digs the newest comment out of it."""
    run = interactly(ns).feedback.add_run_comment(run_id, body.content, user(request))
    return ok(wire.run_envelope(run))


@router.delete(f"{RUNS}/comments/{{comment_id}}", response_model=WorkflowRunResponse,
               responses=WRITE_ERRORS)
async def delete_run_comment(run_id: ObjectId, comment_id: LogicalId, ns: Ns) -> JSONResponse:
    return ok(wire.run_envelope(interactly(ns).feedback.delete_run_comment(run_id, comment_id)))


@router.post(f"{RUNS}/events/{{event_id}}/comments", response_model=WorkflowRunResponse,
             responses=BODY_ERRORS)
async def add_event_comment(run_id: ObjectId, event_id: LogicalId, body: CommentRequest,
                            request: Request, ns: Ns) -> JSONResponse:
    run = interactly(ns).feedback.add_event_comment(run_id, event_id, body.content,
                                                     user(request))
    return ok(wire.run_envelope(run))


@router.delete(f"{RUNS}/events/{{event_id}}/comments/{{comment_id}}",
               response_model=WorkflowRunResponse, responses=WRITE_ERRORS)
async def delete_event_comment(run_id: ObjectId, event_id: LogicalId, comment_id: LogicalId,
                               ns: Ns) -> JSONResponse:
    run = interactly(ns).feedback.delete_event_comment(run_id, event_id, comment_id)
    return ok(wire.run_envelope(run))


@router.put(f"{RUNS}/events/{{event_id}}/rating", response_model=RunFeedbackResponse,
            responses=BODY_ERRORS)
async def rate_event(run_id: ObjectId, event_id: LogicalId, body: RatingRequest,
                     request: Request, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.rate_event(run_id, event_id, body.value.value,
                                                  user(request)))


@router.delete(f"{RUNS}/events/{{event_id}}/rating", response_model=RunFeedbackResponse,
               responses=WRITE_ERRORS)
async def unrate_event(run_id: ObjectId, event_id: LogicalId, request: Request,
                       ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.unrate_event(run_id, event_id, user(request)))


@router.put(f"{RUNS}/turns/{{turn_index}}/rating", response_model=RunFeedbackResponse,
            responses=BODY_ERRORS)
async def rate_turn(run_id: ObjectId, turn_index: TurnIndex, body: RatingRequest,
                    request: Request, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.rate_turn(run_id, turn_index, body.value.value,
                                                 user(request)))


@router.delete(f"{RUNS}/turns/{{turn_index}}/rating", response_model=RunFeedbackResponse,
               responses=WRITE_ERRORS)
async def unrate_turn(run_id: ObjectId, turn_index: TurnIndex, request: Request,
                      ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.unrate_turn(run_id, turn_index, user(request)))


@router.post(f"{RUNS}/turns/{{turn_index}}/comments", response_model=RunFeedbackResponse,
             responses=BODY_ERRORS)
async def add_turn_comment(run_id: ObjectId, turn_index: TurnIndex, body: CommentRequest,
                           request: Request, ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.add_turn_comment(run_id, turn_index, body.content,
                                                        user(request)))


@router.delete(f"{RUNS}/turns/{{turn_index}}/comments/{{comment_id}}",
               response_model=RunFeedbackResponse, responses=WRITE_ERRORS)
async def delete_turn_comment(run_id: ObjectId, turn_index: TurnIndex, comment_id: LogicalId,
                              ns: Ns) -> JSONResponse:
    return ok(interactly(ns).feedback.delete_turn_comment(run_id, turn_index, comment_id))
