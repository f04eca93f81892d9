"""A run input as the engine reads it (``WorkflowRunInput``), parsed the same way wherever it
arrives: the REST ``execute`` body, a schedule's ``run_input``, a WebSocket frame. Kept out of
the routes so the WebSocket protocol (:mod:`emulator.interactly.ws_protocol`) can use it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulator.core.ids import OBJECT_ID


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
    # ObjectIds are held to their pattern, as the service's model does (seed 003): the server
    # fills workflow_id in, but a malformed one is a malformed request.
    workflow_id: str | None = Field(None, pattern=OBJECT_ID)
    workflow_run_id: str | None = Field(None, pattern=OBJECT_ID)
    team_id: str | None = None
    version_number: int | None = Field(None, ge=0)


def invalid(exc: ValidationError, loc: tuple[str | int, ...]) -> RequestValidationError:
    """A pydantic error as FastAPI's 422, its locations under ``loc``."""
    return RequestValidationError(
        [{**e, "loc": (*loc, *e["loc"])} for e in exc.errors(include_url=False)])


def parse_input(raw: Any, loc: tuple[str, ...]) -> dict[str, Any]:
    """The run input as the engine reads it. A missing or null ``thread_to_node_inputs`` is
    left out, so the stored input gets the server's empty thread "0" (``Runs._enrich``): the
    service's ``WorkflowRunInput`` stores an object there, never null."""
    try:
        parsed = RunInput.model_validate(raw).model_dump()
    except ValidationError as exc:
        raise invalid(exc, loc) from None
    if parsed["thread_to_node_inputs"] is None:
        del parsed["thread_to_node_inputs"]
    return parsed
