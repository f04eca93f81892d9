"""Scheduled runs (spec §4.8): a workflow executed once at ``scheduled_time`` on the namespace
clock.

Each pending schedule owns one clock timer. When it fires, the workflow starts through the same
``Runs.execute`` a REST ``execute`` uses (so the run lists under ``GET /v1/workflow-runs`` and
webhooks hear ``workflow_run_started``), and the schedule becomes ``completed`` with the run's
id, or ``failed`` with ``error_message`` when the start was refused (workflow deleted, bad
version, ...). Only ``pending`` schedules may be edited or cancelled; a cancelled one never
fires. A ``scheduled_time`` that is not in the future is refused (400) rather than fired at
once: the SDK documents "future UTC datetime", and a silent immediate run would hide a
client's clock or timezone bug.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.core.clock import Timer, iso
from emulator.core.errors import ApiError, BadRequest, Conflict, lookup
from emulator.interactly.stateful import rearm, timer_state

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm
    from emulator.interactly.state import InteractlyState

log = logging.getLogger(__name__)
STATUSES = ("pending", "completed", "failed", "cancelled")


@dataclass
class Schedule:
    id: str
    workflow_id: str
    team_id: str
    created_by: str | None
    scheduled_time: float
    # As the client sent it (echoed back) and as the run starts with (validated, defaults).
    run_input: dict[str, Any] | None
    execution_input: dict[str, Any]
    version: int | None
    scheduled_by_name: str | None
    created_at: str
    updated_at: str
    status: str = "pending"
    error_message: str | None = None
    workflow_run_id: str | None = None
    executed_at: str | None = None
    timer: Timer | None = field(default=None, repr=False)

    def doc(self) -> dict[str, Any]:
        """Flat, with both ``_id`` and ``id`` (the SDK accepts either)."""
        return {"_id": self.id, "id": self.id, "workflow_id": self.workflow_id,
                "team_id": self.team_id, "created_by": self.created_by, "status": self.status,
                "scheduled_time": iso(self.scheduled_time), "run_input": self.run_input,
                "version": self.version, "scheduled_by_name": self.scheduled_by_name,
                "error_message": self.error_message, "workflow_run_id": self.workflow_run_id,
                "executed_at": self.executed_at, "created_at": self.created_at,
                "updated_at": self.updated_at}


def epoch(moment: datetime) -> float:
    """Naive datetimes are UTC: the SDK sends ``datetime.isoformat()`` as given."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class Schedules:
    """The schedules of one namespace and their timers."""

    def __init__(self, state: InteractlyState) -> None:
        self.state = state
        self.clock = state.ns.clock
        self.by_id: dict[str, Schedule] = {}

    # ----------------------------------------------------------------- reading
    def get(self, schedule_id: str) -> Schedule:
        return lookup(self.by_id, schedule_id, "Schedule")

    def listing(self, workflow_id: str | None = None, status: str | None = None,
                skip: int = 0, limit: int = 50) -> list[Schedule]:
        """Soonest first (creation order breaks ties): what a "what runs next" view wants."""
        found = [s for s in self.by_id.values()
                 if (workflow_id is None or s.workflow_id == workflow_id)
                 and (status is None or s.status == status)]
        found.sort(key=lambda s: s.scheduled_time)
        return found[skip: skip + limit]

    def of_workflow(self, workflow_id: str, status: str | None = None, skip: int = 0,
                    limit: int = 50) -> list[Schedule]:
        """:meth:`listing` of one workflow. Unknown workflow: 404, unless schedules of it
        survive its deletion (they stay readable with their ``failed`` outcome)."""
        if workflow_id not in self.state.catalog.workflows and not self.listing(workflow_id):
            self.state.catalog.workflow(workflow_id)
        return self.listing(workflow_id, status, skip, limit)

    # ----------------------------------------------------------------- writing
    def create(self, workflow_id: str, scheduled_time: datetime,
               run_input: dict[str, Any] | None, execution_input: dict[str, Any],
               version: int | None, scheduled_by_name: str | None, team_id: str,
               user: str) -> Schedule:
        self._check_target(workflow_id, version)
        due = self._future(scheduled_time)
        now = self.clock.now_iso()
        schedule = Schedule(id=self.state.ns.ids.object_id(), workflow_id=workflow_id,
                            team_id=team_id, created_by=user or None, scheduled_time=due,
                            run_input=run_input, execution_input=execution_input,
                            version=version, scheduled_by_name=scheduled_by_name,
                            created_at=now, updated_at=now)
        self.by_id[schedule.id] = schedule
        self._arm(schedule)
        return schedule

    def update(self, schedule_id: str, changes: dict[str, Any]) -> Schedule:
        """``changes`` may hold ``scheduled_time`` (datetime), ``run_input`` with
        ``execution_input``, and ``version``; every check runs before anything is stored."""
        schedule = self._pending(schedule_id, "modified")
        version = changes.get("version", schedule.version)
        self._check_target(schedule.workflow_id, version)
        due = (self._future(changes["scheduled_time"]) if "scheduled_time" in changes
               else schedule.scheduled_time)
        if "run_input" in changes:
            schedule.run_input = changes["run_input"]
            schedule.execution_input = changes["execution_input"]
        schedule.version = version
        schedule.updated_at = self.clock.now_iso()
        if due != schedule.scheduled_time:
            schedule.scheduled_time = due
            self._arm(schedule)
        return schedule

    def cancel(self, schedule_id: str) -> Schedule:
        schedule = self._pending(schedule_id, "cancelled")
        if schedule.timer is not None:
            schedule.timer.cancel()
            schedule.timer = None
        schedule.status = "cancelled"
        schedule.updated_at = self.clock.now_iso()
        return schedule

    def close(self) -> None:
        for schedule in self.by_id.values():
            if schedule.timer is not None:
                schedule.timer.cancel()
                schedule.timer = None

    # ----------------------------------------------------------------- snapshots
    def export_state(self) -> dict[str, Any]:
        return {"schedules": [{**{f.name: getattr(s, f.name) for f in fields(s)
                                  if f.name != "timer"},
                               "timer": timer_state(s.timer)} for s in self.by_id.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """A pending schedule that had its timer gets it back (at its ``scheduled_time``)."""
        self.by_id = {}
        timers: list[Rearm] = []
        for raw in data.get("schedules", []):
            timer = raw.get("timer")
            schedule = Schedule(**{k: v for k, v in raw.items() if k != "timer"})
            self.by_id[schedule.id] = schedule
            if timer and schedule.status == "pending":
                def arm(schedule: Schedule = schedule) -> None:
                    self._arm(schedule)

                timers.append(rearm(timer, arm))
        return timers

    # ----------------------------------------------------------------- firing
    def fire(self, schedule: Schedule) -> None:
        """Start the run. Any refusal becomes the schedule's ``error_message``: a timer must
        never raise, and the client reads the outcome from the schedule."""
        schedule.timer = None
        if schedule.status != "pending":
            return
        try:
            run, _events = self.state.runs.execute(
                schedule.workflow_id, dict(schedule.execution_input), None, schedule.version,
                schedule.team_id, schedule.created_by or "")
        except ApiError as exc:
            schedule.status, schedule.error_message = "failed", str(exc)
        except Exception as exc:  # an engine bug must not leave the schedule pending forever
            log.exception("scheduled run %s failed", schedule.id)
            schedule.status = "failed"
            schedule.error_message = f"Emulator internal error: {type(exc).__name__}"
        else:
            schedule.status, schedule.workflow_run_id = "completed", run.id
        schedule.executed_at = schedule.updated_at = self.clock.now_iso()

    # ----------------------------------------------------------------- helpers
    def _arm(self, schedule: Schedule) -> None:
        if schedule.timer is not None:
            schedule.timer.cancel()
        schedule.timer = self.clock.call_at(schedule.scheduled_time,
                                            lambda: self.fire(schedule))

    def _pending(self, schedule_id: str, verb: str) -> Schedule:
        schedule = self.get(schedule_id)
        if schedule.status != "pending":
            raise Conflict(f"Only pending schedules can be {verb}; this one is "
                           f"{schedule.status}")
        return schedule

    def _future(self, moment: datetime) -> float:
        due = epoch(moment)
        if due <= self.clock.now():
            raise BadRequest(f"scheduled_time must be in the future (now is "
                             f"{self.clock.now_iso()})")
        return due

    def _check_target(self, workflow_id: str, version: int | None) -> None:
        """Unknown workflow or version: 404 now rather than a schedule doomed to fail."""
        if version is None:
            self.state.catalog.workflow(workflow_id)
        else:
            self.state.catalog.version(workflow_id, version)
