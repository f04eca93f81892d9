"""Interactly state <-> snapshot JSON: workflows with versions, node/edge/tool documents, runs
(pairs, history, variables, parked node, companions, checkpoints), LLM scripts, WebSocket
session tokens and the data of every lazily-created service.

Services are re-created through the same factories the routes use (so listeners and dynamic
variable sources are wired as usual), then filled. A service this module does not know is
exported as absent and named in the document's ``skipped`` list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from emulator.core.snapshots import Rearm, SnapshotError, timer_order
from emulator.interactly import shapes
from emulator.interactly.catalog import Version, Workflow
from emulator.interactly.engine import Run
from emulator.interactly.llm import LLMScript
from emulator.interactly.threads import Thread, WaitingState

if TYPE_CHECKING:
    from emulator.interactly.state import InteractlyState

_RUN_FIELDS = [f.name for f in fields(Run)
               if f.init and f.name not in ("companions", "wait_state", "checkpoints")]
# Services that keep nothing of their own (they read and write runs): recreated on demand.
STATELESS = frozenset({"feedback", "tool_runner"})


# ------------------------------------------------------------------------------ export
def export(state: InteractlyState, skipped: list[str]) -> dict[str, Any]:
    catalog = state.catalog
    services: dict[str, Any] = {}
    for name, service in state._services.items():
        if name in STATELESS:
            continue
        codec = SERVICES.get(name)
        if codec is None:
            skipped.append(f"interactly.{name}")
            continue
        services[name] = codec[0](service)
    return {
        "workflows": [_workflow(wf) for wf in catalog.workflows.values()],
        "nodes": list(catalog.nodes.values()),
        "edges": list(catalog.edges.values()),
        "tools": list(catalog.tools.values()),
        "runs": [_run(r) for r in state.runs.by_id.values()],
        "scripts": [{"script": s.model_dump(), "remaining": n}
                    for s, n in state.scripts.entries()],
        "sessions": sorted(state.sessions),
        "services": services,
    }


def _workflow(wf: Workflow) -> dict[str, Any]:
    data = {k: v for k, v in asdict(wf).items() if k != "versions"}
    data["versions"] = [asdict(v) for v in wf.versions.values()]
    return data


def _run(run: Run) -> dict[str, Any]:
    data = {name: getattr(run, name) for name in _RUN_FIELDS}
    data["companions"] = {tid: asdict(t) for tid, t in run.companions.items()}
    data["wait_state"] = {edge: asdict(w) for edge, w in run.wait_state.items()}
    data["checkpoints"] = {str(k): v for k, v in run.checkpoints.items()}
    main = run.main
    data["main"] = {"node": main.node, "due": main.due, "active": main.active,
                    "steps": main.steps}
    return data


# ------------------------------------------------------------------------------ import
def restore(state: InteractlyState, data: dict[str, Any]) -> list[Rearm]:
    catalog = state.catalog
    catalog.workflows = {}
    for raw in data.get("workflows", []):
        wf = Workflow(**{k: v for k, v in raw.items() if k != "versions"})
        for v in raw.get("versions", []):
            version = Version(**v)
            wf.versions[version.number] = version
        if not wf.versions:
            raise SnapshotError(f"workflow {wf.id} has no versions")
        catalog.workflows[wf.id] = wf
    for key, check in (("nodes", shapes.node), ("edges", shapes.edge), ("tools", shapes.tool)):
        docs = data.get(key, [])
        for doc in docs:  # the models hold restored configs as they hold saved ones
            doc["config"] = check(doc["config"], f"{key[:-1]} {doc['_id']}")
        setattr(catalog, key, {d["_id"]: d for d in docs})
    state.runs.by_id = {}
    for raw in data.get("runs", []):
        run = _restore_run(raw)
        state.runs.by_id[run.id] = run
    state.scripts.restore([(LLMScript.model_validate(s["script"]), int(s["remaining"]))
                           for s in data.get("scripts", [])])
    state.sessions = set(data.get("sessions", []))
    rearm: list[Rearm] = []
    for name, payload in (data.get("services") or {}).items():
        codec = SERVICES.get(name)
        if codec is None:
            raise SnapshotError(f"Unknown Interactly service {name!r} in the snapshot")
        service = state.service(name, codec[2])
        rearm.extend(codec[1](service, payload) or [])
    return rearm


def _restore_run(raw: dict[str, Any]) -> Run:
    run = Run(**{k: raw[k] for k in _RUN_FIELDS if k in raw})
    run.companions = {tid: Thread(**t) for tid, t in (raw.get("companions") or {}).items()}
    run.wait_state = {e: WaitingState(**w) for e, w in (raw.get("wait_state") or {}).items()}
    run.checkpoints = {int(k): v for k, v in (raw.get("checkpoints") or {}).items()}
    for key, value in (raw.get("main") or {}).items():
        setattr(run.main, key, value)
    return run


# ------------------------------------------------------------------------------ services
def _timer(timer: Any) -> dict[str, float] | None:
    order = timer_order(timer)
    return None if order is None else {"due": order[0], "seq": order[1]}


def _globals_export(svc: Any) -> dict[str, Any]:
    return {"variables": [asdict(v) for v in svc.by_id.values()], "created": svc._created}


def _globals_restore(svc: Any, data: dict[str, Any]) -> None:
    from emulator.interactly.global_variables import Variable

    svc.by_id = {v["id"]: Variable(**v) for v in data.get("variables", [])}
    svc._created = data.get("created", svc._created)


def _assets_export(svc: Any) -> dict[str, Any]:
    return {"templates": svc.templates, "libraries": svc.libraries}


def _assets_restore(svc: Any, data: dict[str, Any]) -> None:
    svc.templates = dict(data.get("templates") or {})
    svc.libraries = dict(data.get("libraries") or {})


def _favorites_export(svc: Any) -> dict[str, Any]:
    return {"by_user": {user: sorted(ids) for user, ids in svc._by_user.items()}}


def _favorites_restore(svc: Any, data: dict[str, Any]) -> None:
    svc._by_user = {user: set(ids) for user, ids in (data.get("by_user") or {}).items()}


def _llm_configs_export(svc: Any) -> dict[str, Any]:
    return {"records": svc.records}


def _llm_configs_restore(svc: Any, data: dict[str, Any]) -> None:
    svc.records = dict(data.get("records") or {})


def _super_nodes_export(svc: Any) -> dict[str, Any]:
    return {"published": [asdict(p) for p in svc.published.values()]}


def _super_nodes_restore(svc: Any, data: dict[str, Any]) -> None:
    from emulator.interactly.super_node_registry import Publication

    svc.published = {}
    for raw in data.get("published", []):
        pub = Publication(**raw)
        svc.published[(pub.workflow_id, pub.version_number)] = pub


def _simulations_export(svc: Any) -> dict[str, Any]:
    groups = [{"id": key, "doc": g.doc, "items": g.items, "team_id": g.team_id,
               "user": g.user, "next_index": g.next_index, "transcripts": g.transcripts,
               "timer": _timer(g.timer)} for key, g in svc.groups.items()]
    return {"configs": svc.configs, "groups": groups}


def _simulations_restore(svc: Any, data: dict[str, Any]) -> list[Rearm]:
    from emulator.interactly.simulations import Group

    svc.configs = dict(data.get("configs") or {})
    svc.groups = {}
    rearm: list[Rearm] = []
    for raw in data.get("groups", []):
        group = Group(raw["doc"], raw["items"], raw["team_id"], raw["user"],
                      next_index=int(raw.get("next_index", 0)),
                      transcripts=raw.get("transcripts") or {})
        svc.groups[raw["id"]] = group
        timer = raw.get("timer")
        if timer:
            def arm(group: Any = group, due: float = timer["due"]) -> None:
                group.timer = svc.clock.call_at(due, lambda: svc._step(group))

            rearm.append((float(timer["due"]), float(timer["seq"]), arm))
    return rearm


def _schedules_export(svc: Any) -> dict[str, Any]:
    return {"schedules": [{**{k: v for k, v in asdict_shallow(s).items() if k != "timer"},
                           "timer": _timer(s.timer)} for s in svc.by_id.values()]}


def _schedules_restore(svc: Any, data: dict[str, Any]) -> list[Rearm]:
    from emulator.interactly.schedules import Schedule

    svc.by_id = {}
    rearm: list[Rearm] = []
    for raw in data.get("schedules", []):
        timer = raw.get("timer")
        schedule = Schedule(**{k: v for k, v in raw.items() if k != "timer"})
        svc.by_id[schedule.id] = schedule
        if timer and schedule.status == "pending":
            def arm(schedule: Any = schedule) -> None:
                svc._arm(schedule)

            rearm.append((float(timer["due"]), float(timer["seq"]), arm))
    return rearm


def _webhooks_export(svc: Any) -> dict[str, Any]:
    events = []
    for e in svc.events.values():
        raw = {k: v for k, v in asdict_shallow(e).items() if k not in ("timer", "attempts")}
        raw["attempts"] = [asdict(a) for a in e.attempts]
        raw["timer"] = _timer(e.timer)
        events.append(raw)
    return {"subscriptions": [asdict(s) for s in svc.subscriptions.values()], "events": events}


def _webhooks_restore(svc: Any, data: dict[str, Any]) -> list[Rearm]:
    from emulator.interactly.webhooks import Attempt, Subscription, WebhookEvent

    svc.subscriptions = {s["id"]: Subscription(**s) for s in data.get("subscriptions", [])}
    svc.events = {}
    rearm: list[Rearm] = []
    for raw in data.get("events", []):
        timer = raw.get("timer")
        event = WebhookEvent(**{k: v for k, v in raw.items() if k not in ("timer", "attempts")})
        event.attempts = [Attempt(**a) for a in raw.get("attempts", [])]
        event.in_flight = False
        svc.events[event.id] = event
        if event.status not in ("pending", "retrying"):
            continue
        if timer:  # a retry due later
            def arm(event: Any = event, due: float = timer["due"]) -> None:
                event.timer = svc.clock.call_at(due, lambda: svc._dispatch(event))

            rearm.append((float(timer["due"]), float(timer["seq"]), arm))
        else:  # was being delivered: deliver again
            def send(event: Any = event) -> None:
                svc._dispatch(event)

            rearm.append((float("-inf"), 0.0, send))
    return rearm


def _reruns_export(svc: Any) -> dict[str, Any]:
    return {"tokens": [{"value": t.value, "projection": asdict(t.projection),
                        "expires_at": t.expires_at, "extra": t.extra}
                       for t in svc.tokens.values()]}


def _reruns_restore(svc: Any, data: dict[str, Any]) -> None:
    from emulator.interactly.reruns import Projection, Token

    svc.tokens = {}
    for raw in data.get("tokens", []):
        token = Token(raw["value"], Projection(**raw["projection"]), float(raw["expires_at"]),
                      dict(raw.get("extra") or {}))
        svc.tokens[token.value] = token


def asdict_shallow(obj: Any) -> dict[str, Any]:
    """Field values as they are (no recursion into Timer objects, which ``asdict`` copies)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _factory(module: str, attr: str) -> Callable[[Any], Any]:
    def make(state: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(f"emulator.interactly.{module}"), attr)(state)

    return make


# name -> (export, restore, factory): factories are the ones the routes pass to service().
SERVICES: dict[str, tuple[Callable[[Any], dict[str, Any]], Callable[[Any, dict[str, Any]], Any],
                          Callable[[Any], Any]]] = {
    "globals": (_globals_export, _globals_restore, _factory("global_variables", "service")),
    "assets": (_assets_export, _assets_restore, _factory("assets", "service")),
    "favorites": (_favorites_export, _favorites_restore, _factory("favorites", "Favorites")),
    "llm_configs": (_llm_configs_export, _llm_configs_restore,
                    _factory("llm_configs", "LLMConfigs")),
    "super_nodes": (_super_nodes_export, _super_nodes_restore,
                    _factory("super_node_registry", "service")),
    "simulations": (_simulations_export, _simulations_restore,
                    _factory("simulations", "service")),
    "schedules": (_schedules_export, _schedules_restore, _factory("schedules", "Schedules")),
    "webhooks": (_webhooks_export, _webhooks_restore, _factory("webhooks", "Webhooks")),
    "reruns": (_reruns_export, _reruns_restore, _factory("reruns", "Reruns")),
}
