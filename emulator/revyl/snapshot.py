"""Revyl state <-> snapshot JSON: definitions, apps and builds (bytes as base64), pending
uploads, scripted outcomes, test and workflow executions with their pending timers."""

from __future__ import annotations

import base64
from collections import deque
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from emulator.core.snapshots import Rearm, SnapshotError, timer_order
from emulator.revyl.builds import PendingUpload
from emulator.revyl.catalog import App, Build, TestDef, WorkflowDef
from emulator.revyl.machine import Plan, TestExecution
from emulator.revyl.outcomes import OutcomeScript
from emulator.revyl.workflows import WorkflowExecution, WorkflowPlan

if TYPE_CHECKING:
    from emulator.revyl.state import RevylState

_EXECUTION_FIELDS = [f.name for f in fields(TestExecution) if f.name not in ("plan", "timer")]
_WORKFLOW_FIELDS = [f.name for f in fields(WorkflowExecution)
                    if f.name not in ("plan", "timer", "deadline", "children", "pending")]


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text, validate=True)


def _timer(order: tuple[float, int] | None) -> dict[str, float] | None:
    return None if order is None else {"due": order[0], "seq": order[1]}


# ------------------------------------------------------------------------------ export
def export(state: RevylState, skipped: list[str]) -> dict[str, Any]:
    catalog = state.catalog
    executions: dict[str, TestExecution] = dict(state.tests.by_id)
    for wf in state.workflows.by_id.values():  # children forgotten by the test index
        for child in wf.children:
            executions.setdefault(child.id, child)
    return {
        "org": dict(catalog.org),
        "tests": [asdict(t) for t in catalog.tests.values()],
        "workflows": [asdict(w) for w in catalog.workflows.values()],
        "apps": [_app(a) for a in catalog.apps.values()],
        "uploads": [{**{k: v for k, v in asdict(u).items() if k != "data"},
                     "data": _b64(u.data)} for u in state.builds.uploads.values()],
        "outcomes": [{"script": s.model_dump(), "remaining": n}
                     for s, n in state.outcomes.entries()],
        "test_executions": [_execution(e, e.id in state.tests.by_id)
                            for e in executions.values()],
        "finished_order": list(state.tests._finished),
        "workflow_executions": [_workflow(wf) for wf in state.workflows.by_id.values()],
    }


def _app(app: App) -> dict[str, Any]:
    data = {k: v for k, v in asdict(app).items() if k != "builds"}
    data["builds"] = [{**{k: v for k, v in asdict(b).items() if k != "data"},
                       "data": _b64(b.data)} for b in app.builds]
    return data


def _execution(e: TestExecution, indexed: bool) -> dict[str, Any]:
    data = {name: getattr(e, name) for name in _EXECUTION_FIELDS}
    data.update(plan=asdict(e.plan), timer=_timer(timer_order(e.timer)), indexed=indexed)
    return data


def _workflow(wf: WorkflowExecution) -> dict[str, Any]:
    data = {name: getattr(wf, name) for name in _WORKFLOW_FIELDS}
    data.update(plan=asdict(wf.plan), children=[c.id for c in wf.children],
                pending=list(wf.pending), timer=_timer(timer_order(wf.timer)),
                deadline=_timer(timer_order(wf.deadline)))
    return data


# ------------------------------------------------------------------------------ import
def restore(state: RevylState, data: dict[str, Any]) -> list[Rearm]:
    catalog, tests, workflows = state.catalog, state.tests, state.workflows
    org = data.get("org")
    if org is not None:
        if not isinstance(org, dict) or "org_id" not in org:
            raise SnapshotError("revyl.org must be an object with an org_id")
        catalog.org.clear()
        catalog.org.update(org)
        state.monitor.org_id = org["org_id"]
    catalog.tests = {t["id"]: TestDef(**t) for t in data.get("tests", [])}
    catalog.workflows = {w["id"]: WorkflowDef(**w) for w in data.get("workflows", [])}
    catalog.apps = {}
    for raw in data.get("apps", []):
        app = App(**{k: v for k, v in raw.items() if k != "builds"})
        app.builds = [Build(**{**b, "data": _unb64(b.get("data"))})
                      for b in raw.get("builds", [])]
        catalog.apps[app.id] = app
    state.builds.uploads = {}
    for raw in data.get("uploads", []):
        upload = PendingUpload(**{**raw, "data": _unb64(raw.get("data"))})
        state.builds.uploads[upload.id] = upload
    state.outcomes.restore([(OutcomeScript.model_validate(o["script"]), int(o["remaining"]))
                            for o in data.get("outcomes", [])])

    rearm: list[Rearm] = []
    every: dict[str, TestExecution] = {}
    tests.by_id.clear()
    tests._by_test.clear()
    for raw in data.get("test_executions", []):
        e = TestExecution(**{k: raw[k] for k in _EXECUTION_FIELDS if k in raw},
                          plan=Plan(**raw["plan"]))
        every[e.id] = e
        if raw.get("indexed", True):
            tests.by_id[e.id] = e
            tests._by_test.setdefault(e.test_id, []).append(e.id)
        if raw.get("timer") and not e.terminal:
            rearm.append(_test_timer(state, e, raw["timer"]))
    tests._finished = deque(i for i in data.get("finished_order", []) if i in tests.by_id)

    workflows.by_id.clear()
    workflows._by_workflow.clear()
    for raw in data.get("workflow_executions", []):
        try:
            children = [every[i] for i in raw.get("children", [])]
        except KeyError as exc:
            raise SnapshotError(f"workflow execution {raw.get('id')} names an unknown "
                                f"child execution {exc}") from None
        wf = WorkflowExecution(**{k: raw[k] for k in _WORKFLOW_FIELDS if k in raw},
                               plan=WorkflowPlan(**raw["plan"]), children=children,
                               pending=deque(raw.get("pending", [])))
        workflows.by_id[wf.id] = wf
        workflows._by_workflow.setdefault(wf.workflow_id, []).append(wf.id)
        if raw.get("timer") and not wf.terminal:
            rearm.append(_workflow_timer(state, wf, raw["timer"]))
        if raw.get("deadline") and not wf.terminal:
            rearm.append(_deadline(state, wf, raw["deadline"]))
    return rearm


def _test_timer(state: RevylState, e: TestExecution, timer: dict[str, float]) -> Rearm:
    """The machine decides which event comes next from the execution's state: let it arm its
    timer as usual, then move that timer to the saved due time."""

    def arm() -> None:
        state.tests.machine._schedule(e)
        scheduled = e.timer
        assert scheduled is not None
        scheduled.cancel()
        e.timer = state.tests.clock.call_at(timer["due"], scheduled.callback)

    return float(timer["due"]), float(timer["seq"]), arm


_WORKFLOW_NEXT = {"queued": "setup_started", "setup": "setup_done"}


def _workflow_timer(state: RevylState, wf: WorkflowExecution,
                    timer: dict[str, float]) -> Rearm:
    event = _WORKFLOW_NEXT.get(wf.status)
    if wf.status == "setup" and wf.plan.setup_error:
        event = "setup_failed"

    def arm() -> None:
        if event is not None:
            wf.timer = state.workflows.clock.call_at(
                timer["due"], lambda: state.workflows.fire(wf, event))

    return float(timer["due"]), float(timer["seq"]), arm


def _deadline(state: RevylState, wf: WorkflowExecution, timer: dict[str, float]) -> Rearm:
    def arm() -> None:
        wf.deadline = state.workflows.clock.call_at(timer["due"],
                                                    lambda: state.workflows._time_out(wf))

    return float(timer["due"]), float(timer["seq"]), arm
