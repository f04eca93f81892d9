"""Tenants: every bearer token (Revyl) or API key (Interactly) gets its own isolated world.

A namespace owns a clock, an id stream and one state object per API, built by the API's
builder from the fixtures. Namespaces are created on first use, so a test suite can isolate
itself just by picking a fresh token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from emulator.core.broker import Broker
from emulator.core.clock import VirtualClock
from emulator.core.ids import IdGenerator
from emulator.settings import Settings


class ApiState(Protocol):
    def snapshot(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


Builder = Callable[["Namespace"], ApiState]


class Namespace:
    def __init__(self, name: str, settings: Settings, builders: dict[str, Builder]) -> None:
        self.name = name
        # Short, stable and safe to print: the token itself is a credential.
        self.key = hashlib.sha256(name.encode()).hexdigest()[:12]
        self.settings = settings
        self.clock = VirtualClock(settings.clock, settings.time_scale, settings.epoch)
        self._start = self.clock.now()
        self._builders = builders
        self.ids = IdGenerator(settings.seed, name)
        # Survives reset: connected streams stay connected across a reset.
        self.broker = Broker()
        self.apis: dict[str, ApiState] = {}
        # Cross-cutting per-namespace state (request journal, fault rules), made on first use
        # by its feature and dropped by reset (after its ``close()``, if it has one).
        self.extras: dict[str, Any] = {}
        self._build()

    def _build(self) -> None:
        for api, build in self._builders.items():
            self.apis[api] = build(self)

    def api(self, name: str) -> Any:
        return self.apis[name]

    def reset(self) -> None:
        """Back to the fixtures, the seeded id stream and (manual clock) the start time."""
        self.clock.cancel_all()
        for state in self.apis.values():
            state.close()
        if self.clock.mode == "manual":
            self.clock.configure(now=self._start)
        self.ids = IdGenerator(self.settings.seed, self.name)
        self.broker.clear_replay()
        for extra in self.extras.values():
            closer = getattr(extra, "close", None)
            if closer is not None:
                closer()
        self.extras.clear()
        self._build()

    def snapshot(self) -> dict[str, Any]:
        return {
            "namespace": self.key,
            "clock": clock_info(self.clock),
            **{api: state.snapshot() for api, state in self.apis.items()},
        }


def clock_info(clock: VirtualClock) -> dict[str, Any]:
    return {"mode": clock.mode, "scale": clock.scale, "now": clock.now_iso(),
            "now_epoch": clock.now(), "pending_timers": clock.pending}


class NamespaceRegistry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._builders: dict[str, Builder] = {}
        self._namespaces: dict[str, Namespace] = {}
        # Snapshots of namespaces not created yet in this process (``--state-file``, an
        # ``all=true`` import), by key: the first request with the matching token restores it.
        self._parked: dict[str, dict[str, Any]] = {}

    def register(self, api: str, builder: Builder) -> None:
        self._builders[api] = builder

    def get(self, name: str) -> Namespace:
        ns = self._namespaces.get(name)
        if ns is None:
            ns = self._namespaces[name] = Namespace(name, self.settings, self._builders)
            parked = self._parked.pop(ns.key, None)
            if parked is not None:
                from emulator.core.snapshots import restore_parked

                restore_parked(ns, parked)
        return ns

    def park(self, key: str, document: dict[str, Any]) -> None:
        """Keep a namespace snapshot until the namespace with this key is first used."""
        self._parked[key] = document

    def parked(self) -> list[dict[str, Any]]:
        """Snapshots still waiting for their namespace (exported again as they are)."""
        return list(self._parked.values())

    def by_key(self, key: str) -> Namespace | None:
        """The namespace whose public key (a digest of its token) is ``key``."""
        return next((ns for ns in self._namespaces.values() if ns.key == key), None)

    def __iter__(self) -> Iterator[Namespace]:
        return iter(list(self._namespaces.values()))

    def __len__(self) -> int:
        return len(self._namespaces)

    async def aclose(self) -> None:
        for ns in self:
            await ns.clock.aclose()
            ns.broker.close()
            for state in ns.apis.values():
                state.close()

    def reset(self) -> None:
        """Forget every namespace (timers cancelled, services closed): the app behaves as if
        just created. The pytest plugin reuses one app per settings this way, since building
        the app's routes costs far more than a test."""
        for ns in self:
            ns.clock.cancel_all()
            ns.broker.close()
            for state in ns.apis.values():
                state.close()
        self._namespaces.clear()
        self._parked.clear()
