"""Runs on the wire: the interactive execute answer (G3), the stored run document and its
envelope, list rows, and the feedback answers (spec §1.3, §1.6, §4.6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, SkipValidation

from emulator.interactly.models.common import CommentConfig, RatingConfig
from emulator.interactly.models.runs import WorkflowRun
from emulator.interactly.models.workflow import WorkflowConfigFullyHydrated
from emulator.interactly.responses.common import ObjectIdKey, PageFields
from emulator.interactly.responses.events import (
    BusyWaitForUserMessageEvent,
    LatencyStats,
    RunEvent,
    RunInputOutputPair,
    TokenUsage,
)
from emulator.web.contract import WireModel

#: ``WorkflowStatus`` (spec §1.7).
RunStatus = Literal["not_started", "started", "running", "failed", "completed", "paused",
                    "waiting_for_user_input", "cancelled", "aborted_looping_risk"]


class InteractiveRunResponse(WireModel):
    """The execute answer (G3): this turn's events and where the run stands. ``turn``,
    ``is_terminal`` and ``waiting_for_input`` repeat ``turn_number``, ``is_completed`` and
    ``is_waiting_for_input`` under the names older docs used."""

    run_id: str = Field(description="The run's ObjectId; send it back as run_id next turn")
    status: RunStatus
    turn_number: int = Field(description="Turns executed so far (1 after the first)")
    events: list[RunEvent]
    is_waiting_for_input: bool
    is_completed: bool = Field(description="The status is terminal")
    error: str | None = Field(description='Set when status is "failed"')
    next_input_hint: BusyWaitForUserMessageEvent | None
    has_active_companions: bool
    has_background_work: bool = Field(
        description="Companions or an armed waiting evaluation: poll pump-companions")
    turn: int
    is_terminal: bool
    waiting_for_input: bool


class RerunInfo(WireModel):
    """How a re-run was restored (only on runs made by a re-run)."""

    resolved_mode: Literal["EXACT", "REMAPPED", "PORTABLE"]
    effective_mode: Literal["EXACT", "REMAPPED", "PORTABLE", "EDITED"]
    edited: bool
    history_mode: Literal["FULL", "USER_AND_ASSISTANT_ONLY", "NONE"]
    entry_node_logical_id: str | None


class WorkflowRunDocument(WorkflowRun, WireModel):
    """The stored run (``WorkflowRun``) as the emulator sends it. ``llm_token_usage`` and
    ``llm_latency_stats`` are always there, their ``breakdown_by_models`` a list (empty: no LLM
    is called). ``workflow_config_fully_hydrated`` is the hydrated config the run executes
    (super nodes inlined), taken when the run started; its configs are the stored ones (not
    validated again under ``--strict``, see :mod:`.common`)."""

    workflow_config_fully_hydrated: SkipValidation[WorkflowConfigFullyHydrated] = Field(
        description="The hydrated workflow config the run executes, as of its start")
    llm_token_usage: TokenUsage
    llm_latency_stats: LatencyStats
    # The stored pair, typed tighter than the published one (a subclass, in an invariant list).
    input_output_pairs: list[RunInputOutputPair]  # type: ignore[assignment]
    rerun_info: RerunInfo | None
    error: str | None


class LegacyExecuteResponse(WorkflowRunDocument, InteractiveRunResponse):
    """The execute answer to a G1 body (a bare run input): the run document, with the G3
    fields merged in."""


class WorkflowRunRecord(WireModel):
    """The stored record around a run document."""

    object_id: ObjectIdKey
    team_id: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    workflow_run: WorkflowRunDocument


class WorkflowRunResponse(WireModel):
    """``{"workflow_run": {...}}``: a run, or the run a comment was added to or removed from
    (the SDK finds the newest comment in it)."""

    workflow_run: WorkflowRunRecord


class WorkflowRunSummary(WireModel):
    logical_id: str
    workflow_run_id: str
    workflow_id: str
    status: RunStatus
    version_number: int
    turn_count: int


class WorkflowRunRow(WireModel):
    """A list row: the record with a projection of the run."""

    object_id: ObjectIdKey
    team_id: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    workflow_run: WorkflowRunSummary


class WorkflowRunListResponse(PageFields):
    workflow_runs: list[WorkflowRunRow] = Field(description="Newest first")


class WorkflowRunDeleteResponse(WireModel):
    message: str
    run_id: str


# ------------------------------------------------------------------------------ feedback
class RunEvaluationResult(WireModel):
    """The newest evaluation recorded on the run's turns; every field null when none was."""

    score: float | None
    passed: bool | None
    details: dict[str, Any] | None
    evaluated_at: datetime | None


class FeedbackUser(WireModel):
    id: str
    firstName: str
    lastName: str
    email: str


class RunFeedbackResponse(WireModel):
    """The whole list of the target's ratings or comments after the change (the other list
    is empty), and the display identity of each author."""

    ratings: list[RatingConfig]
    comments: list[CommentConfig]
    feedback_users: dict[str, FeedbackUser] = Field(description="user id -> identity")
