"""What the schedule routes answer (spec §4.8): flat schedule documents, bare arrays for
lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from emulator.interactly.responses.common import ObjectIdKey
from emulator.web.contract import WireModel


class ScheduleResponse(WireModel):
    """A scheduled run. Fired, it becomes ``completed`` with the run's id, or ``failed`` with
    ``error_message`` when the start was refused."""

    object_id: ObjectIdKey
    id: str
    workflow_id: str
    team_id: str
    created_by: str | None
    status: Literal["pending", "completed", "failed", "cancelled"]
    scheduled_time: datetime
    run_input: dict[str, Any] | None = Field(description="The run input as the client sent it")
    version: int | None = Field(description="Version to run; null: the active one")
    scheduled_by_name: str | None
    error_message: str | None
    workflow_run_id: str | None
    executed_at: datetime | None
    created_at: datetime
    updated_at: datetime
