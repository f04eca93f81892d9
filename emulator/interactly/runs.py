"""Interactive runs of one namespace: start, resume, pause, stop, read, list, delete.

The engine moves a run; this service owns the run store, the session rules of the real API
(finished or stopped runs have no session: further turns are 404 "Session not found") and the
enrichment of the stored ``run_input`` (ids and evaluated variables filled in, spec §6.4).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, fields
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, NotFound, lookup
from emulator.core.ids import IdGenerator
from emulator.core.retention import trim_finished
from emulator.interactly import supernodes
from emulator.interactly.catalog import Catalog
from emulator.interactly.engine import Engine, Run
from emulator.interactly.threads import Thread, WaitingState
from emulator.interactly.validation import check_run_graph

RESUME_COMMANDS = {"start", "data", "resume", "pause"}
# The Run fields a snapshot stores as they are; the others are nested and handled by
# :func:`run_state` / :func:`restored_run`.
_RUN_FIELDS = [f.name for f in fields(Run)
               if f.init and f.name not in ("companions", "wait_state", "checkpoints")]


def _finished(run: Run) -> bool:
    return run.completed


class Runs:
    def __init__(self, catalog: Catalog, engine: Engine, clock: VirtualClock,
                 ids: IdGenerator,
                 notify: Callable[[str, dict[str, Any]], None] | None = None,
                 max_finished: int = 5000) -> None:
        self.catalog = catalog
        self.engine = engine
        self.clock = clock
        self.ids = ids
        self.by_id: dict[str, Run] = {}
        self.max_finished = max_finished  # finished runs kept (oldest forgotten first)
        self.notify = notify or (lambda action, payload: None)
        # Extra dynamic variables merged under each new run's own (team globals, ...).
        self.dynamic_sources: list[Callable[[], dict[str, Any]]] = []

    def execute(self, workflow_id: str, run_input: dict[str, Any], run_id: str | None,
                version: int | None, team_id: str, user: str) -> tuple[Run, list[dict]]:
        wf = self.catalog.workflow(workflow_id)
        command = str(run_input.get("command") or "start")
        if run_id:
            run = self.by_id.get(run_id)
            if run is None or run.workflow_id != wf.id or run.completed:
                raise NotFound("Session not found")
            if command == "stop":
                return run, self._stop(run, run_input)
            if run.status == "paused" and command == "pause":
                raise BadRequest("The run is already paused")
            return run, self._turn(run, run_input, "pause" if command == "pause" else "data")
        if command == "stop":
            raise BadRequest("run_id is required to stop a run")
        number = wf.active_version_number if version is None else version
        graph = check_run_graph(supernodes.expand(
            copy.deepcopy(self.catalog.hydrated(wf.id, number)), self._sub_workflow))
        now = self.clock.now_iso()
        run = Run(id=self.ids.object_id(), logical_id=f"workflow_run_{self.ids.uuid()}",
                  workflow_id=wf.id, version_number=number,
                  version_name=wf.versions[number].name, graph=graph, team_id=team_id,
                  run_by=run_input.get("run_by") or user or None, created_at=now,
                  updated_at=now, dynamic=self._dynamic(graph["dynamic_variables"]),
                  started=self.clock.now())
        self._store(run)
        self.notify("workflow_run_started", self.payload(run))
        return run, self._turn(run, run_input, "start")

    def _store(self, run: Run) -> None:
        trim_finished(self.by_id, self.max_finished - 1, _finished)
        self.by_id[run.id] = run

    def _dynamic(self, defaults: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for source in self.dynamic_sources:
            merged.update(source())
        merged.update(defaults)
        return merged

    def payload(self, run: Run) -> dict[str, Any]:
        wf = self.catalog.workflows.get(run.workflow_id)
        return {"workflow_id": run.workflow_id, "workflow_name": wf.name if wf else None,
                "workflow_run_id": run.id, "workflow_run_status": run.status}

    def _after(self, run: Run, was_completed: bool) -> None:
        if run.completed and not was_completed:
            self.notify("workflow_run_completed", self.payload(run))

    def _sub_workflow(self, workflow_id: str, version: int | None) -> dict[str, Any] | None:
        wf = self.catalog.workflows.get(workflow_id)
        if wf is None:
            return None
        number = wf.active_version_number if version is None else version
        if number not in wf.versions:
            return None
        return self.catalog.hydrated(wf.id, number)

    def pump(self, workflow_id: str, run_id: str) -> tuple[Run, list[dict]]:
        """``pump-companions``: advance due background work without a user turn. A finished
        run answers with no events (nothing left to advance)."""
        run = self.by_id.get(run_id)
        if run is None or run.workflow_id != self.catalog.workflow(workflow_id).id:
            raise NotFound("Session not found")
        return run, self.advance(run)

    def advance(self, run: Run) -> list[dict]:
        """One pump of ``run``'s background work (REST pump or the WebSocket's timer)."""
        was_completed = run.completed
        events = self.engine.pump(run)
        if events:
            run.updated_at = self.clock.now_iso()
            self._record(run)
        self._after(run, was_completed)
        return events

    def _turn(self, run: Run, run_input: dict[str, Any], command: str) -> list[dict]:
        events = self.engine.turn(run, self._enrich(run, run_input), command)
        run.updated_at = self.clock.now_iso()
        self._record(run)
        self._after(run, False)
        return events

    # ---------------------------------------------------------------- re-runs
    def _record(self, run: Run) -> None:
        """Keep the state at the end of the latest turn, for re-runs. Only runs with a config
        snapshot (WebSocket-driven, or re-runs themselves) can be re-run, so only they pay."""
        if run.config_snapshot and run.pairs:
            run.checkpoints[len(run.pairs) - 1] = run.checkpoint()

    def mark_streamed(self, run: Run) -> None:
        """The WebSocket driver stores the hydrated config on its runs (spec §3), which is
        what makes them re-runnable; called after the run's first turn."""
        run.config_snapshot = True
        self._record(run)

    def graph_for(self, workflow_id: str, version: int | None) -> tuple[Any, int, dict]:
        """(workflow, version number, run-ready graph) as a new run of it would use. Unknown
        workflow or version: 404."""
        wf = self.catalog.workflow(workflow_id)
        number = wf.active_version_number if version is None else version
        if number not in wf.versions:
            raise NotFound(f"Version {number} of workflow {workflow_id} not found")
        graph = supernodes.expand(copy.deepcopy(self.catalog.hydrated(wf.id, number)),
                                  self._sub_workflow)
        return wf, number, graph

    def spawn(self, workflow_id: str, number: int, graph: dict[str, Any], team_id: str,
              user: str, **state: Any) -> Run:
        """Register a new run made from restored state (re-runs); ``state`` are Run fields."""
        wf = self.catalog.workflow(workflow_id)
        now = self.clock.now_iso()
        run = Run(id=self.ids.object_id(), logical_id=f"workflow_run_{self.ids.uuid()}",
                  workflow_id=wf.id, version_number=number,
                  version_name=wf.versions[number].name, graph=graph, team_id=team_id,
                  run_by=user or None, created_at=now, updated_at=now,
                  started=self.clock.now(), **state)
        self._store(run)
        self.notify("workflow_run_started", self.payload(run))
        return run

    def resume(self, run: Run, run_input: dict[str, Any]) -> list[dict]:
        """One ``data`` turn on a run that is not finished (a re-run's first message)."""
        if run.completed:
            raise NotFound("Session not found")
        return self._turn(run, run_input, "data")

    def _stop(self, run: Run, run_input: dict[str, Any]) -> list[dict]:
        run.turn_number += 1
        run.status, run.parked_node, run.background_work = "cancelled", None, False
        for thread in run.companions.values():
            thread.active = False
        run.updated_at = self.clock.now_iso()
        run.pairs.append({"run_input": self._enrich(run, run_input),
                          "run_output": {"events": [], "thread_to_node_outputs": {}},
                          "evaluation": {}, "iteration_end_state_miscellaneous": {},
                          "comments": [], "ratings": []})
        self._record(run)
        self._after(run, False)
        return []

    def _enrich(self, run: Run, run_input: dict[str, Any]) -> dict[str, Any]:
        """The stored ``run_input``: the server fills the ids in; ``team_id`` is kept as sent
        and filled from the ``teamid`` header only when the caller sent none (spec §1.2)."""
        sent_team = run_input.get("team_id")
        enriched = {**run_input, "workflow_id": run.workflow_id, "workflow_run_id": run.id,
                    "team_id": run.team_id if sent_team is None else sent_team,
                    "version_number": run.version_number}
        enriched.setdefault("thread_to_node_inputs", {"0": {"node_run_inputs": []}})
        return enriched

    def get(self, run_id: str) -> Run:
        return lookup(self.by_id, run_id, "Workflow run")

    def delete(self, run_id: str) -> None:
        del self.by_id[self.get(run_id).id]

    def listing(self, workflow_id: str | None = None, status: str | None = None,
                search: str | None = None, start: float | None = None,
                end: float | None = None, source_run_id: str | None = None,
                source_turn_index: int | None = None) -> list[Run]:
        """Newest first. ``source_turn_index`` narrows ``source_run_id`` and means nothing on
        its own (as the SDK documents)."""
        runs = list(reversed(self.by_id.values()))
        if workflow_id:
            runs = [r for r in runs if r.workflow_id == workflow_id]
        if status:
            runs = [r for r in runs if r.status == status]
        if search:
            needle = search.lower()
            runs = [r for r in runs if needle in r.logical_id.lower() or needle in r.id]
        if start is not None:
            runs = [r for r in runs if r.started >= start]
        if end is not None:
            runs = [r for r in runs if r.started <= end]
        if source_run_id:
            runs = [r for r in runs if r.source_run_id == source_run_id and (
                source_turn_index is None or r.source_turn_index == source_turn_index)]
        return runs

    def drop_workflow(self, workflow_id: str) -> None:
        for run_id in [r.id for r in self.by_id.values() if r.workflow_id == workflow_id]:
            del self.by_id[run_id]

    # ---------------------------------------------------------------- snapshots
    def export_state(self) -> dict[str, Any]:
        """Every stored run, oldest first: a snapshot document's ``runs``."""
        return {"runs": [run_state(r) for r in self.by_id.values()]}

    def restore_state(self, data: dict[str, Any]) -> None:
        """Replace every run with those :meth:`export_state` answered (the document's
        ``runs``; its other keys are not read)."""
        self.by_id = {}
        for raw in data.get("runs", []):
            run = restored_run(raw)
            self.by_id[run.id] = run


def run_state(run: Run) -> dict[str, Any]:
    """A run as JSON values: pairs, history, variables, parked node, companions, waiting edges,
    checkpoints (keys as strings) and the main thread's position."""
    data = {name: getattr(run, name) for name in _RUN_FIELDS}
    data["companions"] = {tid: asdict(t) for tid, t in run.companions.items()}
    data["wait_state"] = {edge: asdict(w) for edge, w in run.wait_state.items()}
    data["checkpoints"] = {str(k): v for k, v in run.checkpoints.items()}
    main = run.main
    data["main"] = {"node": main.node, "due": main.due, "active": main.active,
                    "steps": main.steps}
    return data


def restored_run(raw: dict[str, Any]) -> Run:
    run = Run(**{k: raw[k] for k in _RUN_FIELDS if k in raw})
    run.companions = {tid: Thread(**t) for tid, t in (raw.get("companions") or {}).items()}
    run.wait_state = {e: WaitingState(**w) for e, w in (raw.get("wait_state") or {}).items()}
    run.checkpoints = {int(k): v for k, v in (raw.get("checkpoints") or {}).items()}
    for key, value in (raw.get("main") or {}).items():
        setattr(run.main, key, value)
    return run
