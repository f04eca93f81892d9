"""Everything Interactly keeps for one namespace (its API key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.clock import iso
from emulator.core.namespaces import Namespace
from emulator.interactly.catalog import Catalog
from emulator.interactly.engine import Context, Engine
from emulator.interactly.llm import LLMScripts
from emulator.interactly.runs import Runs


class InteractlyState:
    def __init__(self, ns: Namespace) -> None:
        clock, ids = ns.clock, ns.ids
        self.catalog = Catalog(lambda: iso(clock.now()), ids.object_id,
                               lambda kind: f"{kind}_{ids.uuid()}")
        self.scripts = LLMScripts()
        self.engine = Engine(Context(now=clock.now, uuid=ids.uuid, seed=ns.settings.seed,
                                     scripts=self.scripts,
                                     strict=ns.settings.interactly_strict))
        self.runs = Runs(self.catalog, self.engine, clock, ids)
        self._ids = ids
        self._key = ns.key
        self.sessions: set[str] = set()

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

    def close(self) -> None:
        pass


def builder() -> Callable[[Namespace], InteractlyState]:
    return InteractlyState


def interactly(ns: Namespace) -> InteractlyState:
    return ns.api("interactly")
