"""Interactly state <-> snapshot JSON: workflows with versions, node/edge/tool documents, runs
(pairs, history, variables, parked node, companions, checkpoints), LLM scripts, WebSocket
session tokens and the data of every service made so far.

Each part says how it is saved (``export_state`` / ``restore_state`` of the catalog, the runs
and every :class:`~emulator.interactly.stateful.Stateful` service); this module only puts the
parts together, so it knows no service's insides. A service not made yet is not in the
document; on import, a service the document names is made (through its ``InteractlyState``
property, so listeners and dynamic variable sources are wired as usual) and then filled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.core.snapshots import Rearm, SnapshotError
from emulator.interactly.llm import LLMScript
from emulator.interactly.stateful import Stateful, Stateless

if TYPE_CHECKING:
    from emulator.interactly.state import InteractlyState


# ------------------------------------------------------------------------------ export
def export(state: InteractlyState, skipped: list[str]) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for name, service in state.made_services().items():
        if isinstance(service, Stateful):
            services[name] = service.export_state()
        elif not isinstance(service, Stateless):
            # Neither saves nor says it keeps nothing: named rather than silently lost
            # (tests/unit/test_interactly_services.py fails before this can ship).
            skipped.append(f"interactly.{name}")
    runs = state.runs.export_state()
    secrets = _secret_values(state)
    if secrets:
        runs = _masked(runs, secrets)
    return {
        **state.catalog.export_state(),
        **runs,
        "scripts": [{"script": s.model_dump(), "remaining": n}
                    for s, n in state.scripts.entries()],
        "sessions": sorted(state.sessions),
        "services": services,
    }


def _secret_values(state: InteractlyState) -> dict[str, str]:
    """Secret globals by name (only if the service was made: nothing else can hold one)."""
    if "globals" not in state.made_services():
        return {}
    return {v.name: v.value for v in state.globals.by_id.values() if v.is_secret and v.value}


def _masked(value: Any, secrets: dict[str, str]) -> Any:
    """A copy in which every ``name: value`` of a secret global (a run's copy of its variables,
    bare or under ``global``, and its checkpoints' copies) reads as the mask: a run restored
    from a snapshot sees the placeholder, as the globals themselves do."""
    from emulator.interactly.global_variables import MASK

    if isinstance(value, dict):
        return {k: MASK if secrets.get(k) == v and isinstance(v, str) else _masked(v, secrets)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, secrets) for v in value]
    return value


# ------------------------------------------------------------------------------ import
def restore(state: InteractlyState, data: dict[str, Any]) -> list[Rearm]:
    state.catalog.restore_state(data)
    state.runs.restore_state(data)
    state.scripts.restore([(LLMScript.model_validate(s["script"]), int(s["remaining"]))
                           for s in data.get("scripts", [])])
    state.sessions = set(data.get("sessions", []))
    rearm: list[Rearm] = []
    for name, payload in (data.get("services") or {}).items():
        service = _stateful(state, name)
        rearm.extend(service.restore_state(payload) or [])
    return rearm


def _stateful(state: InteractlyState, name: str) -> Stateful:
    """The service a document names, made now; a name that is no service, or one that keeps
    nothing (never exported), is not something this version can restore."""
    try:
        service = state.make_service(name)
    except KeyError:
        service = None
    if not isinstance(service, Stateful):
        raise SnapshotError(f"Unknown Interactly service {name!r} in the snapshot")
    return service
