"""Everything Interactly keeps for one namespace (its API key)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from emulator.core.clock import iso
from emulator.core.namespaces import ApiRegistration, Namespace, Rearm
from emulator.interactly.catalog import Catalog
from emulator.interactly.engine import Context, Engine
from emulator.interactly.llm import LLMScripts
from emulator.interactly.runs import Runs

log = logging.getLogger(__name__)
T = TypeVar("T")
Listener = Callable[[str, dict[str, Any]], None]


class InteractlyState:
    def __init__(self, ns: Namespace) -> None:
        clock, ids = ns.clock, ns.ids
        self.catalog = Catalog(lambda: iso(clock.now()), ids.object_id,
                               lambda kind: f"{kind}_{ids.uuid()}")
        self.scripts = LLMScripts()
        self.engine = Engine(Context(now=clock.now, uuid=ids.uuid, seed=ns.settings.seed,
                                     scripts=self.scripts,
                                     strict=ns.settings.interactly_strict,
                                     execute_tools=ns.settings.interactly_execute_tools))
        self.listeners: list[Listener] = []
        self.runs = Runs(self.catalog, self.engine, clock, ids, notify=self.notify,
                         max_finished=ns.settings.max_finished)
        self.ns = ns
        self._ids = ids
        self._key = ns.key
        self.sessions: set[str] = set()
        self._services: dict[str, Any] = {}

    def service(self, name: str, factory: Callable[[InteractlyState], T]) -> T:
        """One instance per namespace of a feature's service (webhooks, schedules, ...), made on
        first use, so each feature lives in its own module without this class knowing it."""
        found = self._services.get(name)
        if found is None:
            found = self._services[name] = factory(self)
        return found

    def notify(self, action: str, payload: dict[str, Any]) -> None:
        """Tell listeners (webhooks) that something happened: ``workflow_created``,
        ``workflow_updated``, ``workflow_deleted``, ``workflow_run_started``,
        ``workflow_run_completed``. A listener that fails never breaks the request."""
        for listener in list(self.listeners):
            try:
                listener(action, payload)
            except Exception:  # pragma: no cover - defensive
                log.exception("listener failed for %s", action)

    def new_session(self) -> str:
        """A single-use WebSocket token that names its namespace (the socket has no
        Authorization header to go by when the token is used)."""
        token = f"{self._key}.{self._ids.token()}"
        self.sessions.add(token)
        return token

    def consume_session(self, token: str) -> bool:
        if token in self.sessions:
            self.sessions.remove(token)
            return True
        return False

    def snapshot(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for run in self.runs.by_id.values():
            statuses[run.status] = statuses.get(run.status, 0) + 1
        return {"workflows": len(self.catalog.workflows), "nodes": len(self.catalog.nodes),
                "edges": len(self.catalog.edges), "runs": statuses,
                "scripted_llm": self.scripts.listing()}

    def verify(self) -> None:
        """Every run renders and belongs to a stored workflow (see RevylState.verify)."""
        docs: list[Any] = [self.snapshot()]
        for run in self.runs.by_id.values():
            self.catalog.workflow(run.workflow_id)
            docs.append(self.runs.payload(run))
        json.dumps(docs, allow_nan=False)

    def close(self) -> None:
        for service in self._services.values():
            closer = getattr(service, "close", None)
            if closer is not None:
                closer()


class _Codec:
    """emulator/interactly/snapshot.py, imported when a snapshot is first taken or loaded."""

    def export(self, state: InteractlyState, skipped: list[str]) -> dict[str, Any]:
        from emulator.interactly import snapshot

        return snapshot.export(state, skipped)

    def restore(self, state: InteractlyState, data: dict[str, Any]) -> list[Rearm]:
        from emulator.interactly import snapshot

        return snapshot.restore(state, data)


class _Seeder:
    """emulator/interactly/seed.py, imported on the first ``POST /_emulator/seed``."""

    def check(self, state: InteractlyState, part: Any, replace: bool, problems: Any) -> None:
        from emulator.interactly import seed

        seed.check(state, part, replace, problems)

    def apply(self, state: InteractlyState, part: Any, replace: bool, caller: dict[str, str]
              ) -> dict[str, Any]:
        from emulator.interactly import seed

        return seed.apply(state, part, replace, caller)


def registration() -> ApiRegistration[InteractlyState]:
    """How the namespace registry builds, snapshots and seeds Interactly's state."""
    return ApiRegistration("interactly", InteractlyState, InteractlyState, _Codec(), _Seeder())


def interactly(ns: Namespace) -> InteractlyState:
    return ns.state(InteractlyState)
