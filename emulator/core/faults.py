"""Fault injection: per-namespace rules that make matching requests fail, stall or break.

A rule matches by method and path glob and does one or more of: answer an error status (in the
APIs' ``{"detail": ...}`` shape, optionally with ``Retry-After``), wait ``delay_seconds`` on the
namespace's clock first (a manual clock releases the request when a test advances time), drop
the connection without a response, end an SSE stream after N events, or close a WebSocket with
a code. ``times`` expires a rule after N uses; ``probability`` draws from a generator seeded by
(settings.seed, namespace, rule id), so a run is reproducible. Control-plane paths
(``/_emulator/...``, except presigned uploads/downloads, which emulate storage) are never faulted.
"""

from __future__ import annotations

import asyncio
import random
from itertools import count
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from emulator.core.clock import VirtualClock
from emulator.core.globs import check_glob, compile_glob

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "WS"]
MAX_DELAY = 7 * 86400.0
FAULTABLE_CONTROL_PREFIXES = ("/_emulator/uploads/", "/_emulator/downloads/")
_WS_RESERVED_CODES = {1004, 1005, 1006, 1015}


def is_control_plane(path: str) -> bool:
    return path.startswith("/_emulator/") and not path.startswith(FAULTABLE_CONTROL_PREFIXES)


class FaultSpec(BaseModel):
    """Body of ``POST /_emulator/faults``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    method: Method | None = Field(None, description='HTTP method, or "WS" for WebSockets; '
                                  "omitted: any HTTP method")
    path: str = Field(min_length=1, max_length=1000,
                      description='exact path or glob ("*" also crosses "/"), e.g. /api/v1/tests/*')
    status: int | None = Field(None, ge=400, le=599,
                               description='answer this status with {"detail": ...}')
    detail: Any = Field(None, description="the error body's detail (default: the status phrase)")
    retry_after: int | None = Field(None, ge=0, le=86400 * 365,
                                    description="seconds, sent as Retry-After (needs status)")
    delay_seconds: float | None = Field(None, ge=0, le=MAX_DELAY,
                                        description="wait this long on the namespace clock")
    drop: bool = Field(False, description="close the connection without a response")
    truncate_sse_after: int | None = Field(None, ge=0, le=1_000_000,
                                           description="end an SSE stream after N events")
    ws_close_code: int | None = Field(None, ge=1000, le=4999,
                                      description="accept, then close a WebSocket with it")
    times: int | None = Field(None, ge=1, le=1_000_000, description="expire after N uses")
    probability: float | None = Field(None, ge=0, le=1,
                                      description="apply to this share of matches (seeded)")

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("path")
    @classmethod
    def _bounded_glob(cls, value: str) -> str:
        """Checked on every request of the namespace: its cost must stay linear in the path."""
        return check_glob(value) or value

    @model_validator(mode="after")
    def _coherent(self) -> FaultSpec:
        if not self.path.startswith("/"):
            raise ValueError("path must start with '/'")
        if is_control_plane(self.path):
            raise ValueError("control-plane paths (/_emulator/...) are never faulted")
        effects = [self.status is not None, bool(self.delay_seconds), self.drop,
                   self.truncate_sse_after is not None, self.ws_close_code is not None]
        if not any(effects):
            raise ValueError("a fault needs an effect: status, delay_seconds, drop, "
                             "truncate_sse_after or ws_close_code")
        if self.retry_after is not None and self.status is None:
            raise ValueError("retry_after needs a status")
        if self.detail is not None and self.status is None:
            raise ValueError("detail needs a status")
        if self.drop and (self.status is not None or self.truncate_sse_after is not None
                          or self.ws_close_code is not None):
            raise ValueError("drop excludes status, truncate_sse_after and ws_close_code")
        if self.status is not None and self.truncate_sse_after is not None:
            raise ValueError("status excludes truncate_sse_after")
        if self.websocket:
            if self.method not in (None, "WS"):
                raise ValueError('ws_close_code needs method "WS" (or none)')
            if self.status is not None or self.truncate_sse_after is not None:
                raise ValueError("WebSocket faults take ws_close_code, drop or delay_seconds")
        if self.ws_close_code in _WS_RESERVED_CODES or (
                self.ws_close_code is not None and 1016 <= self.ws_close_code < 3000):
            raise ValueError(f"{self.ws_close_code} is not a close code a server may send")
        return self

    @property
    def websocket(self) -> bool:
        return self.method == "WS" or self.ws_close_code is not None


class FaultRule:
    def __init__(self, rule_id: str, spec: FaultSpec, seed: str) -> None:
        self.id = rule_id
        self.spec = spec
        self.websocket = spec.websocket
        self.glob = any(c in spec.path for c in "*?[")
        self.remaining = spec.times
        self.applied = 0
        self.rng = random.Random(f"{seed}:{rule_id}") if spec.probability is not None else None

    def matches(self, method: str, path: str, websocket: bool) -> bool:
        if websocket != self.websocket:
            return False
        if self.spec.method is not None and not websocket and self.spec.method != method:
            return False
        if self.glob:
            return compile_glob(self.spec.path)(path)
        return path == self.spec.path

    def draw(self) -> bool:
        if self.rng is None:
            return True
        assert self.spec.probability is not None
        return self.rng.random() < self.spec.probability

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.spec.model_dump(exclude_defaults=True),
                "applied": self.applied, "remaining": self.remaining}


class FaultRules:
    """The rules of one namespace, first match (in creation order) wins."""

    def __init__(self, seed: str, clock: VirtualClock) -> None:
        self.seed = seed
        self._clock = clock
        self.rules: list[FaultRule] = []
        self._ids = count(1)
        self._waiting: set[asyncio.Future[None]] = set()

    def add(self, spec: FaultSpec) -> FaultRule:
        rule = FaultRule(f"fault-{next(self._ids)}", spec, self.seed)
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        for rule in self.rules:
            if rule.id == rule_id:
                self.rules.remove(rule)
                return True
        return False

    def clear(self) -> int:
        """Forget every rule and release requests still waiting out a delay."""
        cleared = len(self.rules)
        self.rules.clear()
        for waiter in list(self._waiting):
            if not waiter.done():
                waiter.set_result(None)
        return cleared

    def close(self) -> None:
        """A reset drops the rules (and with them their seeded id stream)."""
        self.clear()

    def pick(self, method: str, path: str, websocket: bool) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path, websocket) and rule.draw():
                rule.applied += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self.rules.remove(rule)
                return rule
        return None

    async def wait(self, seconds: float) -> None:
        """Sleep on the namespace clock: a timer resolves the future (manual clock: when a
        test advances time; realtime: after seconds / scale)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def release() -> None:
            if not future.done():
                future.set_result(None)

        timer = self._clock.call_later(seconds, release)
        self._waiting.add(future)
        try:
            await future
        finally:
            timer.cancel()
            self._waiting.discard(future)
