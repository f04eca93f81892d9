"""Simulations (spec §4.10): a selected workflow talks to a counter workflow, in process.

``run`` makes a group of ``number_of_simulations`` individual runs. They execute on the
namespace clock, one per ``STEP_SECONDS`` starting at once (the group is ``pending`` when the
request returns, ``running`` from the first step, then ``completed``/``failed``), so a manual
clock test advances time and a realtime emulator finishes within a second or so per run.

One individual run is a conversation between two real runs of the engine: the side that starts
gets a ``start`` turn, every assistant reply it produces becomes the user message of the other
side's next turn, and so on, until a side ends or fails, ``max_events`` events were produced,
``MAX_TURNS`` turns were taken or a side says nothing. A side still open at the end is stopped
(its run is ``cancelled``), so no session lingers. ``timeout_seconds`` and
``max_concurrent_runs`` are stored but have no effect: everything is sequential and instant.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulator.core.clock import Timer, VirtualClock
from emulator.core.errors import ApiError, NotFound, lookup
from emulator.core.ids import OBJECT_ID
from emulator.interactly.catalog import Catalog
from emulator.interactly.runs import Runs
from emulator.interactly.stateful import rearm, timer_state

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm

STEP_SECONDS = 1.0
MAX_TURNS = 40
Status = Literal["pending", "running", "completed", "failed", "cancelled"]
TERMINAL = {"completed", "failed", "cancelled"}


class WorkflowSide(BaseModel):
    """``SimulationWorkflowDetails``; ``version_number`` null means the active version."""

    model_config = ConfigDict(extra="allow")

    workflow_id: str = Field(pattern=OBJECT_ID)
    version_number: int | None = Field(0, ge=0)
    version_name: str | None = None
    name: str | None = None
    dynamic_variables: dict[str, Any] | None = None


class SimulationIn(BaseModel):
    """``SimulationConfig``; unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    logical_id: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=5000)
    selected_workflow: WorkflowSide
    counter_workflow: WorkflowSide
    timeout_seconds: int = Field(120, ge=1, le=86_400)
    max_events: int = Field(3000, ge=1, le=100_000)
    number_of_simulations: int = Field(1, ge=1, le=100)
    max_concurrent_runs: int = Field(1, ge=1, le=100)
    assistant_starts_first: bool = True
    stop_on_failure: bool = False
    status: Status = "pending"
    run_by: str | None = None


class SimulationPatch(BaseModel):
    """Only these two are updatable (the SDK documents it); anything else is refused."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(None, max_length=5000)
    status: Status | None = None


@dataclass
class Group:
    doc: dict[str, Any]
    items: list[dict[str, Any]]
    team_id: str
    user: str
    timer: Timer | None = None
    next_index: int = 0
    transcripts: dict[str, list[dict[str, str]]] = field(default_factory=dict)


class Simulations:
    def __init__(self, catalog: Catalog, runs: Runs, clock: VirtualClock,
                 new_id: Callable[[], str], new_logical: Callable[[str], str]) -> None:
        self.catalog = catalog
        self.runs = runs
        self.clock = clock
        self.new_id = new_id
        self.new_logical = new_logical
        self.configs: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, Group] = {}

    # ------------------------------------------------------------------ configs
    def create(self, body: SimulationIn, team_id: str, user: str) -> dict[str, Any]:
        config = body.model_dump()
        for side in ("selected_workflow", "counter_workflow"):
            details = config[side]
            wf = self.catalog.workflow(details["workflow_id"])  # 404 before anything is kept
            if details["version_number"] is not None:
                version = self.catalog.version(wf.id, details["version_number"])
                details["version_name"] = details["version_name"] or version.name
            details["name"] = details["name"] or wf.name
            details["dynamic_variables"] = details["dynamic_variables"] or {}
        config["logical_id"] = config["logical_id"] or self.new_logical("simulation")
        config["run_by"] = config["run_by"] or user or None
        now = self.clock.now_iso()
        doc = {"_id": self.new_id(), "simulation_config": config, "status": config["status"],
               "team_id": team_id, "created_by": user, "updated_by": user, "created_at": now,
               "updated_at": now}
        doc["id"] = doc["_id"]
        self.configs[doc["_id"]] = doc
        return doc

    def get(self, sim_id: str) -> dict[str, Any]:
        return lookup(self.configs, sim_id, "Simulation")

    def listing(self, search: str | None) -> list[dict[str, Any]]:
        rows = list(reversed(self.configs.values()))
        if search:
            needle = search.lower()
            rows = [r for r in rows if needle in str(r["simulation_config"].get("name") or "")
                    .lower() or needle in str(r["simulation_config"].get("description") or "")
                    .lower()]
        return rows

    def update(self, sim_id: str, patch: SimulationPatch, user: str) -> dict[str, Any]:
        doc = self.get(sim_id)
        changes = patch.model_dump(exclude_unset=True)
        if "description" in changes:
            doc["simulation_config"]["description"] = changes["description"]
        if changes.get("status") is not None:
            self._set_status(doc, changes["status"])
        doc["updated_by"], doc["updated_at"] = user, self.clock.now_iso()
        return doc

    def delete(self, sim_id: str) -> None:
        """Its groups go too; a group still under way is cancelled first."""
        self.get(sim_id)
        for group_id in [g for g, grp in self.groups.items()
                         if grp.doc["simulation_config_id"] == sim_id]:
            self._cancel(self.groups.pop(group_id))
        del self.configs[sim_id]

    @staticmethod
    def _set_status(doc: dict[str, Any], status: str) -> None:
        doc["status"] = doc["simulation_config"]["status"] = status

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        groups = [{"id": key, "doc": g.doc, "items": g.items, "team_id": g.team_id,
                   "user": g.user, "next_index": g.next_index, "transcripts": g.transcripts,
                   "timer": timer_state(g.timer)} for key, g in self.groups.items()]
        return {"configs": self.configs, "groups": groups}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """A group under way resumes its next step when its timer was due."""
        self.configs = dict(data.get("configs") or {})
        self.groups = {}
        timers: list[Rearm] = []
        for raw in data.get("groups", []):
            group = Group(raw["doc"], raw["items"], raw["team_id"], raw["user"],
                          next_index=int(raw.get("next_index", 0)),
                          transcripts=raw.get("transcripts") or {})
            self.groups[raw["id"]] = group
            timer = raw.get("timer")
            if timer:
                def arm(group: Group = group, due: float = timer["due"]) -> None:
                    group.timer = self.clock.call_at(due, lambda: self._step(group))

                timers.append(rearm(timer, arm))
        return timers

    # ------------------------------------------------------------------ groups
    def start(self, sim_id: str, runner_name: str | None, team_id: str, user: str) -> Group:
        sim = self.get(sim_id)
        config = sim["simulation_config"]
        now = self.clock.now_iso()
        group_id = self.new_id()
        doc = {"_id": group_id, "id": group_id, "simulation_config_id": sim_id,
               "simulation_name": config.get("name"), "status": "pending",
               "total_runs": config["number_of_simulations"], "completed_runs": 0,
               "failed_runs": 0, "cancelled_runs": 0, "runner_name": runner_name,
               "team_id": team_id, "created_by": user, "created_at": now, "updated_at": now,
               "started_at": None, "completed_at": None}
        items = []
        for index in range(config["number_of_simulations"]):
            item_id = self.new_id()
            items.append({"_id": item_id, "id": item_id, "simulation_group_id": group_id,
                          "simulation_config_id": sim_id, "run_index": index,
                          "selected_workflow_run_id": None, "counter_workflow_run_id": None,
                          "status": "pending", "error_message": None,
                          "termination_reason": None, "turns": 0, "selected_events": 0,
                          "counter_events": 0, "selected_turns": 0, "counter_turns": 0,
                          "team_id": team_id, "created_at": now, "updated_at": now,
                          "started_at": None, "completed_at": None})
        group = Group(doc, items, team_id, user)
        self.groups[group_id] = group
        self._set_status(sim, "pending")
        group.timer = self.clock.call_later(0, lambda: self._step(group))
        return group

    def group(self, group_id: str) -> Group:
        return lookup(self.groups, group_id, "Simulation run")

    def groups_of(self, sim_id: str) -> list[Group]:
        self.get(sim_id)
        return [g for g in reversed(self.groups.values())
                if g.doc["simulation_config_id"] == sim_id]

    def stop(self, group_id: str) -> Group:
        """Cancels what has not run yet; a finished group is returned as it is."""
        group = self.group(group_id)
        self._cancel(group)
        return group

    def _cancel(self, group: Group) -> None:
        if group.doc["status"] in TERMINAL:
            return
        if group.timer is not None:
            group.timer.cancel()
        now = self.clock.now_iso()
        for item in group.items:
            if item["status"] == "pending":
                item.update(status="cancelled", updated_at=now, completed_at=now,
                            termination_reason="stopped")
                group.doc["cancelled_runs"] += 1
        self._finish(group, "cancelled")

    def _finish(self, group: Group, status: str) -> None:
        now = self.clock.now_iso()
        group.doc.update(status=status, updated_at=now, completed_at=now)
        group.timer = None
        sim = self.configs.get(group.doc["simulation_config_id"])
        if sim is not None:
            self._set_status(sim, status)

    def _step(self, group: Group) -> None:
        """One individual run, then the next one is scheduled (or the group ends)."""
        group.timer = None
        doc = group.doc
        sim = self.configs.get(doc["simulation_config_id"])
        if doc["status"] in TERMINAL or sim is None:
            return
        if doc["status"] == "pending":
            doc.update(status="running", started_at=self.clock.now_iso())
            self._set_status(sim, "running")
        config = sim["simulation_config"]
        item = group.items[group.next_index]
        group.next_index += 1
        self._converse(group, item, config)
        doc["completed_runs" if item["status"] == "completed" else "failed_runs"] += 1
        doc["updated_at"] = self.clock.now_iso()
        stop_early = item["status"] == "failed" and config.get("stop_on_failure")
        if group.next_index < len(group.items) and not stop_early:
            group.timer = self.clock.call_later(STEP_SECONDS, lambda: self._step(group))
            return
        for rest in group.items[group.next_index:]:
            rest.update(status="cancelled", termination_reason="stop_on_failure",
                        updated_at=doc["updated_at"], completed_at=doc["updated_at"])
            doc["cancelled_runs"] += 1
        failed = stop_early or not doc["completed_runs"]
        self._finish(group, "failed" if failed else "completed")

    # ------------------------------------------------------------------ one conversation
    def _converse(self, group: Group, item: dict[str, Any], config: dict[str, Any]) -> None:
        now = self.clock.now_iso()
        item.update(status="running", started_at=now, updated_at=now)
        transcript: list[dict[str, str]] = []
        group.transcripts[item["_id"]] = transcript
        order = ["selected", "counter"]
        if not config.get("assistant_starts_first", True):
            order.reverse()
        speaker, message, total, reason, error = order[0], None, 0, None, None
        run_by = group.doc.get("runner_name") or group.user or None
        try:
            while reason is None:
                side = config[f"{speaker}_workflow"]
                run_id = item[f"{speaker}_workflow_run_id"]
                run, events = self.runs.execute(
                    side["workflow_id"], _turn_input(message, run_id is None, side, run_by),
                    run_id, side.get("version_number"), group.team_id, group.user)
                item[f"{speaker}_workflow_run_id"] = run.id
                item[f"{speaker}_turns"] += 1
                item[f"{speaker}_events"] += len(events)
                item["turns"] += 1
                total += len(events)
                texts = [str(e["content"]) for e in events
                         if e.get("type") == "assistant_response" and e.get("content")]
                transcript.extend({"speaker": speaker, "content": t} for t in texts)
                if run.status == "failed":
                    reason, error = f"{speaker}_workflow_failed", run.error or "run failed"
                elif run.completed:
                    reason = f"{speaker}_workflow_{run.status}"
                elif total >= config["max_events"]:
                    reason = "max_events_reached"
                elif item["turns"] >= MAX_TURNS:
                    reason = "max_turns_reached"
                elif not texts:
                    reason = f"{speaker}_workflow_silent"
                message = "\n".join(texts)
                speaker = "counter" if speaker == "selected" else "selected"
        except ApiError as exc:
            reason, error = "execution_error", str(exc.detail)
        except Exception as exc:  # a broken conversation fails its run, never the emulator
            reason, error = "execution_error", f"{type(exc).__name__}: {exc}"
        self._close_sides(group, item, config)
        now = self.clock.now_iso()
        item.update(status="failed" if error else "completed", error_message=error,
                    termination_reason=reason, updated_at=now, completed_at=now)

    def _close_sides(self, group: Group, item: dict[str, Any], config: dict[str, Any]
                     ) -> None:
        for speaker in ("selected", "counter"):
            run_id = item[f"{speaker}_workflow_run_id"]
            run = self.runs.by_id.get(run_id) if run_id else None
            if run is None or run.completed:
                continue
            # ApiError: the workflow went away meanwhile, nothing is left to stop.
            with contextlib.suppress(ApiError):
                self.runs.execute(config[f"{speaker}_workflow"]["workflow_id"],
                                  {**_turn_input(None, False, {}, None), "command": "stop"},
                                  run.id, None, group.team_id, group.user)

    # ------------------------------------------------------------------ reading
    def detailed(self, group: Group) -> list[dict[str, Any]]:
        config = self.configs.get(group.doc["simulation_config_id"], {}).get(
            "simulation_config") or {}
        rows = []
        for item in group.items:
            row = {**item, "transcript": group.transcripts.get(item["_id"], [])}
            for speaker in ("selected", "counter"):
                side = config.get(f"{speaker}_workflow") or {}
                run = self.runs.by_id.get(item[f"{speaker}_workflow_run_id"] or "")
                row[f"{speaker}_workflow_id"] = side.get("workflow_id")
                row[f"{speaker}_workflow_name"] = side.get("name")
                row[f"{speaker}_workflow_status"] = run.status if run else None
            rows.append(row)
        return rows

    def evaluation_summary(self, sim_id: str, group_id: str | None) -> dict[str, Any]:
        groups = self.groups_of(sim_id)
        if group_id is not None:
            groups = [g for g in groups if g.doc["_id"] == group_id]
            if not groups:
                raise NotFound(f"Simulation run {group_id} not found for simulation {sim_id}")
        if not groups:
            raise NotFound(f"Simulation {sim_id} has not been run")
        group = groups[0]
        config = self.get(sim_id)["simulation_config"]
        return {"simulation_id": sim_id, "group_id": group.doc["_id"],
                "group_status": group.doc["status"],
                "selected_workflow_summary": self._side_summary(group, config, "selected"),
                "counter_workflow_summary": self._side_summary(group, config, "counter")}

    def _side_summary(self, group: Group, config: dict[str, Any], speaker: str
                      ) -> dict[str, Any]:
        side = config[f"{speaker}_workflow"]
        statuses: dict[str, int] = {}
        for item in group.items:
            run = self.runs.by_id.get(item[f"{speaker}_workflow_run_id"] or "")
            status = run.status if run else "not_started"
            statuses[status] = statuses.get(status, 0) + 1
        finished = [i for i in group.items if i["status"] in ("completed", "failed")]
        turns = sum(i[f"{speaker}_turns"] for i in finished)
        events = sum(i[f"{speaker}_events"] for i in finished)
        completed = sum(1 for i in finished if i["status"] == "completed")
        return {"workflow_id": side["workflow_id"], "workflow_name": side.get("name"),
                "version_number": side.get("version_number"),
                "total_runs": len(group.items), "evaluated_runs": len(finished),
                "completed_runs": completed, "failed_runs": len(finished) - completed,
                "run_statuses": statuses, "total_turns": turns, "total_events": events,
                "average_turns": round(turns / len(finished), 2) if finished else 0.0,
                "average_events": round(events / len(finished), 2) if finished else 0.0,
                "success_rate": round(completed / len(finished), 4) if finished else 0.0}


def _turn_input(message: str | None, first: bool, side: dict[str, Any],
                run_by: str | None) -> dict[str, Any]:
    """A run input as the execute route would have parsed it."""
    inputs: list[dict[str, Any]]
    inputs = [] if message is None else [{"type": "llm", "node_logical_id": None, "messages": [
        {"content": message, "additional_kwargs": {}, "response_metadata": {},
         "type": "human", "name": None, "id": None}]}]
    return {"command": "start" if first else "data",
            "dynamic_variables": dict(side.get("dynamic_variables") or {}) if first else {},
            "runtime_variables": {}, "miscellaneous": {"simulation": True},
            "thread_to_node_inputs": {"0": {"node_run_inputs": inputs}},
            "start_node_logical_id": None, "run_by": run_by, "workflow_run_id": None,
            "version_number": None}
