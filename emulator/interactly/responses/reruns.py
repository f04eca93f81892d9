"""Re-run answers (spec §4.7): rerunnable turns, preflight, tokens and their preview, and the
started re-run."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator.interactly.responses.runs import RunStatus
from emulator.web.contract import WireModel

ResolvedMode = Literal["EXACT", "REMAPPED", "PORTABLE"]
HistoryMode = Literal["FULL", "USER_AND_ASSISTANT_ONLY", "NONE"]


class RerunnableTurn(WireModel):
    turn_index: int
    rerunnable: bool
    reason: str | None = Field(description="Why the turn cannot be re-run")
    rerun_count: int = Field(description="Re-runs already made from this turn")


class RerunnableTurnsResponse(WireModel):
    workflow_run_id: str
    turns: list[RerunnableTurn]


class RerunNodeMatch(WireModel):
    source_node_logical_id: str
    target_node_logical_id: str
    matched_by: Literal["identity", "name", "explicit"]
    source_node_name: str | None
    target_node_name: str | None


class RerunCarriesOver(WireModel):
    message_count: int
    variable_count: int


class RerunDropped(WireModel):
    node_ids: list[str]
    variable_keys: list[str]
    state_keys: list[str]


class RerunPreflightResponse(WireModel):
    """What a re-run would carry over and drop. A turn that cannot be re-run at all (no
    snapshot or checkpoint) answers only ``rerunnable: false`` and ``reason``."""

    rerunnable: bool
    reason: str | None
    resolved_mode: ResolvedMode | None = None
    is_resumable: bool | None = None
    not_resumable_reason: str | None = None
    entry_node_logical_id: str | None = None
    suggested_entry_nodes: list[str] | None = None
    node_matches: list[RerunNodeMatch] | None = None
    unmapped_node_ids: list[str] | None = None
    unmapped_variable_keys: list[str] | None = None
    carries_over: RerunCarriesOver | None = None
    dropped: RerunDropped | None = None
    warnings: list[str] | None = None


class RerunTokenResponse(WireModel):
    """A minted token: redeem it as ``rerun_token`` in a WebSocket start frame."""

    rerun_token: str
    expires_in_seconds: int
    target_workflow_id: str
    target_version_number: int
    resolved_mode: ResolvedMode
    entry_node_logical_id: str | None
    warnings: list[str]
    source_workflow_run_id: str
    turn_index: int
    restored_message_count: int


class RerunPreviewMessage(WireModel):
    index: int = Field(description="Position among the thread's displayed messages (what "
                                   "message_edits and message_deletes address)")
    id: str | None
    role: Literal["user", "assistant"]
    sender: Literal["user", "assistant"]
    text: str | list[Any] | None
    editable: bool
    not_editable_reason: str | None


class RerunPreviewThread(WireModel):
    thread_id: str
    reference_id: str
    is_resumable: bool
    messages: list[RerunPreviewMessage]
    runtime_variables: dict[str, Any]


class RerunTokenPreview(WireModel):
    """What the token would restore (the token itself is not echoed)."""

    source_workflow_run_id: str
    turn_index: int
    target_workflow_id: str
    target_version_number: int
    resolved_mode: ResolvedMode
    effective_mode: Literal["EXACT", "REMAPPED", "PORTABLE", "EDITED"]
    edited: bool
    removed_message_count: int
    entry_node_logical_id: str | None
    warnings: list[str]
    history_mode: HistoryMode
    resume_thread_id: str
    threads: list[RerunPreviewThread]
    dynamic_variables: dict[str, Any]
    expires_in_seconds: int


class RerunStartedResponse(WireModel):
    """The new run: ``started`` when asked asynchronously (202), else its status (200)."""

    workflow_run_id: str
    status: RunStatus
    resolved_mode: ResolvedMode
    entry_node_logical_id: str | None
    warnings: list[str]
