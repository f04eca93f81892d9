"""Tenants: every bearer token (Revyl) or API key (Interactly) gets its own isolated world.

A namespace owns a clock, an id stream, its request journal and fault rules, and one state
object per API. Each API registers itself once (:class:`ApiRegistration`): how to build its
state, how to snapshot and restore it, and how to seed it. Nothing here knows which APIs exist;
an API's own code reaches its state by type (``ns.state(RevylState)``), never by a string.
Namespaces are created on first use, so a test suite can isolate itself just by picking a fresh
token.

The token itself is a credential (often a real API key pasted by mistake), so nothing here keeps
it: a namespace is known by the SHA-256 of its token (``name``) and shown by a prefix of that
(``key``). A shared server must also not grow without bound, so the registry holds at most
``EMULATOR_MAX_NAMESPACES`` and forgets the least recently used idle one to make room.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from emulator.core.broker import Broker
from emulator.core.clock import VirtualClock
from emulator.core.errors import ApiError
from emulator.core.faults import FaultRules
from emulator.core.ids import IdGenerator
from emulator.core.journal import Journal
from emulator.settings import Settings


class ApiState(Protocol):
    def snapshot(self) -> dict[str, Any]: ...

    def verify(self) -> None: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=ApiState)
# (due, original order, arm): what a codec's restore asks to put back on the clock.
Rearm = tuple[float, float, Callable[[], None]]


class Codec(Protocol[S]):  # type: ignore[misc]
    """How an API's state becomes a snapshot document and back (``emulator.core.snapshots``
    calls it; an API without one cannot be registered, so nothing is silently dropped)."""

    def export(self, state: S, skipped: list[str]) -> dict[str, Any]: ...

    def restore(self, state: S, data: dict[str, Any]) -> list[Rearm]: ...


class Seeder(Protocol[S]):  # type: ignore[misc]
    """How ``POST /_emulator/seed`` loads an API's part of a seed document: ``check`` reports
    every problem (nothing stored yet), ``apply`` stores and answers counts."""

    def check(self, state: S, part: Any, replace: bool, problems: Problems) -> None: ...

    def apply(self, state: S, part: Any, replace: bool, caller: dict[str, str]
              ) -> dict[str, Any]: ...


class Problems:
    """Every problem of a seed document, as FastAPI's 422 list items."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, loc: list[Any], msg: str, value: Any = None) -> None:
        self.items.append({"type": "value_error", "loc": ["body", *loc], "msg": msg,
                           "input": value})


@dataclass(frozen=True)
class ApiRegistration(Generic[S]):
    """One emulated API, as the core sees it. ``name`` keys its part of snapshot and seed
    documents and of ``GET /_emulator/state``."""

    name: str
    state_type: type[S]
    build: Callable[[Namespace], S]
    codec: Codec[S]
    seeder: Seeder[S] | None = None


def token_digest(token: str) -> str:
    """What a namespace is known by instead of its token (which may be a real credential)."""
    return hashlib.sha256(token.encode()).hexdigest()


class NamespaceLimit(ApiError):
    """Every slot is taken by a namespace with live work: nothing can be forgotten to make
    room for a new token."""

    status_code = 503


class Namespace:
    def __init__(self, name: str, settings: Settings,
                 apis: tuple[ApiRegistration[Any], ...]) -> None:
        # The registry passes the token's digest (``token_digest``), never the token: the id
        # streams and fault draws are seeded from it, so they stay deterministic per token.
        self.name = name
        # Short, stable and safe to print: the public face of the digest.
        self.key = name[:12]
        # Open streams and WebSockets (beyond SSE subscribers, which the broker counts): a
        # namespace holding one is never evicted.
        self.connections = 0
        self.settings = settings
        self.clock = VirtualClock(settings.clock, settings.time_scale, settings.epoch)
        self.start_epoch = self.clock.now()
        self.registrations = apis
        self.ids = IdGenerator(settings.seed, name)
        # Survives reset, its streams do not: ``close_streams`` ends them (a reset, a deletion).
        self.broker = Broker()
        self.apis: dict[str, ApiState] = {}
        self._by_type: dict[type, Any] = {}
        self.rebuild()

    def rebuild(self) -> None:
        # Cross-cutting state that a reset drops as well: what this tenant sent, and the
        # faults it asked for (their seeded draws start over too).
        self.journal = Journal(self.settings.journal_limit)
        self.faults = FaultRules(f"{self.settings.seed}:{self.name}", self.clock)
        for api in self.registrations:
            state = self.apis[api.name] = api.build(self)
            self._by_type[api.state_type] = state

    def state(self, kind: type[S]) -> S:
        """This namespace's state of one API, typed: ``ns.state(RevylState)``."""
        found: S = self._by_type[kind]
        return found

    def close_streams(self, reason: str) -> None:
        """End this namespace's open streams: SSE streams after a last ``reset`` event carrying
        ``reason``, WebSockets with close code 4012. What they follow is gone (a reset, a
        deletion), and a stream left open went on reporting it."""
        self.broker.end(reason, self.key)

    def reset(self) -> None:
        """Back to the fixtures, the seeded id stream and (manual clock) the start time; open
        streams end first."""
        self.close_streams("namespace reset")
        self.clock.cancel_all()
        for state in self.apis.values():
            state.close()
        if self.clock.mode == "manual":
            self.clock.configure(now=self.start_epoch)
        self.ids = IdGenerator(self.settings.seed, self.name)
        self.broker.clear_replay()
        self.faults.close()
        self.rebuild()

    def idle(self) -> bool:
        """Nothing would be lost mid-flight by forgetting it: no timer (a running execution or
        run, a schedule, a pending fault delay), no stream, no WebSocket."""
        return not (self.connections or self.clock.pending or self.broker.subscribers)

    def snapshot(self) -> dict[str, Any]:
        return {
            "namespace": self.key,
            "clock": clock_info(self.clock),
            **{api: state.snapshot() for api, state in self.apis.items()},
        }


def clock_info(clock: VirtualClock) -> dict[str, Any]:
    return {"mode": clock.mode, "scale": clock.scale, "now": clock.now_iso(),
            "now_epoch": clock.now(), "pending_timers": clock.pending}


Restorer = Callable[[Namespace, dict[str, Any]], None]


class NamespaceRegistry:
    def __init__(self, settings: Settings, restore: Restorer | None = None) -> None:
        """``restore`` puts a parked snapshot into its namespace when that is first used
        (``emulator.core.snapshots.restore_parked``; passed in, so this module does not depend
        on the snapshot format)."""
        self.settings = settings
        self._apis: tuple[ApiRegistration[Any], ...] = ()
        self._restore = restore
        # By token digest, least recently used first (``get``/``find`` move a hit to the end).
        self._namespaces: OrderedDict[str, Namespace] = OrderedDict()
        self.evicted = 0
        # Snapshots of namespaces not created yet in this process (``--state-file``, an
        # ``all=true`` import), by key: the first request with the matching token restores it.
        self._parked: dict[str, dict[str, Any]] = {}

    def register(self, api: ApiRegistration[Any]) -> None:
        if any(known.name == api.name for known in self._apis):
            raise ValueError(f"API {api.name!r} is registered twice")
        self._apis = (*self._apis, api)

    @property
    def apis(self) -> tuple[ApiRegistration[Any], ...]:
        return self._apis

    def get(self, token: str) -> Namespace:
        """The token's namespace, made on first use (after forgetting the least recently used
        idle one when the registry is full; :class:`NamespaceLimit` when none is idle)."""
        digest = token_digest(token)
        ns = self._namespaces.get(digest)
        if ns is not None:
            self._namespaces.move_to_end(digest)
            return ns
        if len(self._namespaces) >= self.settings.max_namespaces:
            self._evict_one()
        ns = self._namespaces[digest] = Namespace(digest, self.settings, self._apis)
        parked = self._parked.pop(ns.key, None)
        if parked is not None and self._restore is not None:
            self._restore(ns, parked)
        return ns

    def find(self, token: str) -> Namespace | None:
        """The token's namespace if it exists: what code that must not create one asks (the
        journal, for every request, before any route has said the request is authorised)."""
        digest = token_digest(token)
        ns = self._namespaces.get(digest)
        if ns is not None:
            self._namespaces.move_to_end(digest)
        return ns

    def _evict_one(self) -> None:
        for digest, ns in self._namespaces.items():
            if ns.idle():
                del self._namespaces[digest]
                _close(ns)
                self.evicted += 1
                return
        raise NamespaceLimit(
            f"The emulator holds its maximum of {self.settings.max_namespaces} namespaces "
            "(EMULATOR_MAX_NAMESPACES) and each has live work; retry later, or free one with "
            "DELETE /_emulator/namespace")

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

    def discard(self, token: str) -> bool:
        """Forget the token's namespace (timers cancelled, services closed); False if there
        was none. Call it on the loop the app runs on."""
        ns = self._namespaces.pop(token_digest(token), None)
        if ns is None:
            return False
        ns.close_streams("namespace deleted")
        _close(ns)
        return True

    def reset(self) -> None:
        """Forget every namespace (timers cancelled, services closed): the app behaves as if
        just created. The pytest plugin reuses one app per settings this way, since building
        the app's routes costs far more than a test."""
        for ns in self:
            _close(ns)
        self._namespaces.clear()
        self._parked.clear()


def _close(ns: Namespace) -> None:
    ns.clock.cancel_all()
    ns.clock.stop_driver()
    ns.broker.close()
    for state in ns.apis.values():
        state.close()
