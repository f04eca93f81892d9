"""Namespace snapshots: export everything a client can observe as one JSON document, import it
back (``/_emulator/snapshot``, ``--state-file``).

A document is ``{"schema_version", "namespace", "clock", "ids", <one part per registered API>,
"skipped"}``. Each API registers its codec with the namespace registry
(:class:`~emulator.core.namespaces.ApiRegistration`); this module knows none of them. Timers are
not data: codecs export the due time (and order) of every pending timer and, on import, hand
back "re-arm" actions that this module schedules on the namespace clock in the original order.

An import replaces the namespace's state as a whole; if any part of the document is refused,
the namespace is put back as it was (nothing half-loaded) and :class:`SnapshotError` says why.
An import of several namespaces is all or nothing across them: every document is first loaded
into a scratch namespace of its own (:func:`stage_all`, which a caller may pace between
documents), and only when all of them load are the live namespaces replaced; one refused
document used to leave the namespaces before it already replaced.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from emulator.core.clock import MAX_INSTANT
from emulator.core.namespaces import Namespace, NamespaceRegistry, Rearm
from emulator.startup_errors import StartupError, read_json

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1
MAX_SCALE = 1_000_000.0  # as PUT /_emulator/clock allows
__all__ = ["Rearm", "SnapshotError", "export_namespace", "import_namespace", "timer_order"]
# Makes a throwaway namespace named so (the registry's settings and APIs) to load a document
# into before any live namespace is touched.
Stage = Callable[[str], Namespace]


class Registry(Protocol):
    """What :func:`import_all` needs of a :class:`NamespaceRegistry`: its live namespaces, and
    somewhere to park the others."""

    def __iter__(self) -> Iterator[Namespace]: ...

    def park(self, key: str, document: dict[str, Any]) -> None: ...


class SnapshotError(ValueError):
    """A document that cannot be imported; the message is meant for the caller."""


def timer_order(timer: Any) -> tuple[float, int] | None:
    """(due, sequence) of a live timer, None when there is none to keep."""
    if timer is None or timer.cancelled:
        return None
    return timer.due, timer.seq


# ------------------------------------------------------------------------------ export
def export_namespace(ns: Namespace) -> dict[str, Any]:
    skipped: list[str] = []
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "namespace": ns.key,
        "clock": {"mode": ns.clock.mode, "scale": ns.clock.scale, "now_epoch": ns.clock.now(),
                  "now": ns.clock.now_iso(), "start_epoch": ns.start_epoch},
        "ids": ns.ids.getstate(),
    }
    for api in ns.registrations:
        document[api.name] = api.codec.export(ns.apis[api.name], skipped)
    document["skipped"] = skipped
    return document


def export_all(registry: NamespaceRegistry) -> dict[str, Any]:
    """Every namespace, including snapshots still waiting for their first request."""
    return {"schema_version": SCHEMA_VERSION, "namespaces": list(export_documents(registry))}


def export_documents(registry: NamespaceRegistry) -> Iterator[dict[str, Any]]:
    """The namespaces of :func:`export_all` one at a time, each exported when it is reached
    (a caller streaming thousands of them yields to the event loop in between)."""
    keys = set()
    parked = registry.parked()  # now: one restored meanwhile is still exported, as it was
    for ns in registry:
        document = export_namespace(ns)
        keys.add(document["namespace"])
        yield document
    for document in parked:
        if document.get("namespace") not in keys:
            yield document


# ------------------------------------------------------------------------------ import
def check_version(document: Any) -> None:
    if not isinstance(document, dict):
        raise SnapshotError("A snapshot must be a JSON object")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SnapshotError(f"Unsupported snapshot schema_version {version!r}: this emulator "
                            f"reads schema_version {SCHEMA_VERSION}")


def import_namespace(ns: Namespace, document: dict[str, Any]) -> None:
    """Replace ``ns``'s state with the document's. All or nothing."""
    _replace(ns, document)


def _replace(ns: Namespace, document: dict[str, Any]) -> dict[str, Any]:
    """:func:`import_namespace`, answering the namespace's document from before (what puts it
    back if a later namespace of the same import is refused)."""
    check_version(document)
    for key in ("clock", "ids"):
        if not isinstance(document.get(key), dict):
            raise SnapshotError(f"Snapshot is missing its '{key}' object")
    before = copy.deepcopy(export_namespace(ns))
    try:
        _apply(ns, copy.deepcopy(document))
        _verify(ns)
    except Exception as exc:
        _apply(ns, before)
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"Snapshot refused ({type(exc).__name__}: {exc}); "
                            "the namespace was left as it was") from exc
    return before


def _verify(ns: Namespace) -> None:
    """What was imported can be read back: exported, and rendered by each API's own
    ``verify`` (wire forms of every record)."""
    json.dumps(export_namespace(ns), allow_nan=False)
    for state in ns.apis.values():
        state.verify()


def namespace_entries(document: Any) -> list[dict[str, Any]]:
    """The per-namespace documents of an all-namespaces snapshot, each checked on its face."""
    check_version(document)
    entries = document.get("namespaces")
    if not isinstance(entries, list):
        raise SnapshotError("An all-namespaces snapshot needs a 'namespaces' list")
    for entry in entries:
        check_version(entry)
        if not isinstance(entry.get("namespace"), str):
            raise SnapshotError("Every namespace snapshot needs its 'namespace' key")
    return entries


def live_entries(entries: list[dict[str, Any]], registry: Registry) -> list[dict[str, Any]]:
    """The documents an import replaces a live namespace with (the others are parked)."""
    keys = {ns.key for ns in registry}
    return [entry for entry in entries if entry["namespace"] in keys]


def stage_all(entries: list[dict[str, Any]], stage: Stage) -> Iterator[None]:
    """Load every document into a scratch namespace of its own (then thrown away), so a
    refused one is found before anything live changes; yields after each, for a caller that
    must not hold the event loop for all of them at once."""
    for entry in entries:
        scratch = stage(entry["namespace"])
        try:
            import_namespace(scratch, entry)
        except SnapshotError as exc:
            raise SnapshotError(f"namespace {entry['namespace']}: {exc}; nothing was imported"
                                ) from exc
        finally:
            _discard(scratch)
        yield


def _discard(ns: Namespace) -> None:
    ns.clock.cancel_all()
    ns.clock.stop_driver()
    ns.broker.close()
    for state in ns.apis.values():
        state.close()


def import_all(registry: Registry, document: dict[str, Any],
               stage: Stage | None = None, staged: bool = False) -> dict[str, int]:
    """``{"namespaces": [...]}``: live namespaces are replaced at once, others are parked
    until their token is first used (kept as they are, restored then). All or nothing: with
    ``stage`` the document of every live namespace is loaded into a scratch namespace first
    (``staged``: the caller already ran :func:`stage_all`), and a live namespace refused anyway
    puts back those replaced before it."""
    entries = namespace_entries(document)
    by_key = {ns.key: ns for ns in registry}
    if stage is not None and not staged:
        for _ in stage_all(live_entries(entries, registry), stage):
            pass
    replaced: list[tuple[Namespace, dict[str, Any]]] = []
    try:
        for entry in entries:
            ns = by_key.get(entry["namespace"])
            if ns is not None:
                replaced.append((ns, _replace(ns, entry)))
    except SnapshotError:
        for ns, before in reversed(replaced):
            _apply(ns, before)
        raise
    parked = 0
    for entry in entries:
        if entry["namespace"] not in by_key:
            registry.park(entry["namespace"], entry)
            parked += 1
    return {"imported": len(replaced), "parked": parked}


def restore_parked(ns: Namespace, document: dict[str, Any]) -> None:
    try:
        import_namespace(ns, document)
    except SnapshotError:
        log.exception("could not restore the saved state of namespace %s", ns.key)


def _apply(ns: Namespace, document: dict[str, Any]) -> None:
    ns.clock.cancel_all()
    for state in ns.apis.values():
        state.close()
    ns.broker.clear_replay()
    clock = document["clock"]
    mode = clock.get("mode", ns.clock.mode)
    if mode not in ("realtime", "manual"):
        raise SnapshotError(f"clock.mode must be realtime or manual, not {mode!r}")
    now = _clock_number(clock, "now_epoch", ns.clock.now(), 0.0, MAX_INSTANT)
    scale = _clock_number(clock, "scale", ns.clock.scale, 0.0, MAX_SCALE)
    if scale <= 0:
        raise SnapshotError("clock.scale must be positive")
    ns.clock.configure(mode=mode, scale=scale, now=now)
    ns.start_epoch = _clock_number(clock, "start_epoch", ns.start_epoch, 0.0, MAX_INSTANT)
    ns.rebuild()
    try:
        ns.ids.setstate(document["ids"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"Snapshot 'ids' is not a valid id stream state: {exc}") from exc
    rearm: list[Rearm] = []
    for api in ns.registrations:
        data = document.get(api.name)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise SnapshotError(f"Snapshot '{api.name}' must be an object")
        rearm.extend(api.codec.restore(ns.apis[api.name], data))
    for _due, _order, arm in sorted(rearm, key=lambda r: (r[0], r[1])):
        arm()


def _clock_number(clock: dict[str, Any], key: str, default: float, low: float,
                  high: float) -> float:
    """A clock field within what the clock can hold: an infinite scale or a year-10000 "now"
    was imported fine and then made every later answer that prints the clock a 500."""
    try:
        value = float(clock.get(key, default))
    except (TypeError, ValueError) as exc:
        raise SnapshotError(f"clock.{key} must be a number") from exc
    if not low <= value <= high:  # NaN fails too
        raise SnapshotError(f"clock.{key} must be between {low:g} and {high:g}")
    return value


# ------------------------------------------------------------------------------ files
def write_atomically(path: Path, text: str) -> None:
    """Temp file in the same directory, fsync, rename: a crash leaves the old file or the new
    one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_state_file(registry: NamespaceRegistry, path: Path) -> int:
    import json

    document = export_all(registry)
    write_atomically(path, json.dumps(document, separators=(",", ":")))
    return len(document["namespaces"])


class StateFileError(StartupError):
    """``--state-file`` exists but cannot be loaded: said in one line at start-up, before the
    server listens, rather than as a traceback from inside uvicorn's lifespan."""


class _ParkNothing:
    """Stands in for the registry so :func:`import_all`'s own checks can run on a document
    without parking it anywhere (a fresh registry has no live namespaces: parking is all
    ``import_all`` would do)."""

    def __iter__(self) -> Iterator[Namespace]:
        return iter(())

    def park(self, key: str, document: dict[str, Any]) -> None:
        pass


def read_state_file(path: Path) -> dict[str, Any] | None:
    """The document in ``path``, checked as :func:`import_all` checks it; None when there is no
    file yet (the first run). Anything else wrong is a :class:`StateFileError` naming the file
    (and the line and column of a JSON syntax error). ``main`` calls this before starting the
    server so a bad file is reported plainly; the lifespan reads the file again to load it."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        document = read_json(path, "state file")
    except StartupError as exc:
        raise StateFileError(f"{exc} (fix it, or move it away to start empty)") from None
    try:
        import_all(_ParkNothing(), document)
    except SnapshotError as exc:
        raise StateFileError(f"state file {path} is not an emulator state file: {exc}"
                             ) from None
    return document


def load_state_file(registry: NamespaceRegistry, path: Path) -> int:
    """Park every namespace of the file (restored on first use). Missing file: nothing."""
    document = read_state_file(path)
    if document is None:
        return 0
    return sum(import_all(registry, document).values())
