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
import contextlib
import fnmatch
import json
import random
from http import HTTPStatus
from itertools import count
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core.journal import FAULT_SCOPE_KEY, RAW_RECEIVE_SCOPE_KEY, scope_namespace
from emulator.core.namespaces import Namespace

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
            return fnmatch.fnmatchcase(path, self.spec.path)
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

    def __init__(self, seed: str) -> None:
        self.seed = seed
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

    async def wait(self, ns: Namespace, seconds: float) -> None:
        """Sleep on the namespace clock: a timer resolves the future (manual clock: when a
        test advances time; realtime: after seconds / scale)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def release() -> None:
            if not future.done():
                future.set_result(None)

        timer = ns.clock.call_later(seconds, release)
        self._waiting.add(future)
        try:
            await future
        finally:
            timer.cancel()
            self._waiting.discard(future)


def faults_of(ns: Namespace) -> FaultRules:
    rules = ns.extras.get("fault_rules")
    if rules is None:
        rules = ns.extras["fault_rules"] = FaultRules(f"{ns.settings.seed}:{ns.name}")
    return rules


# --------------------------------------------------------------------------- middleware
class FaultInjector:
    """Pure ASGI middleware applying the caller's fault rules (a dict lookup when none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        ns = scope_namespace(scope)
        rules: FaultRules | None = ns.extras.get("fault_rules") if ns is not None else None
        if not rules or not rules.rules or is_control_plane(scope["path"]):
            await self.app(scope, receive, send)
            return
        websocket = kind == "websocket"
        rule = rules.pick("WS" if websocket else scope["method"], scope["path"], websocket)
        if rule is None:
            await self.app(scope, receive, send)
            return
        assert ns is not None
        scope[FAULT_SCOPE_KEY] = rule.id
        spec = rule.spec
        if spec.delay_seconds:
            await rules.wait(ns, spec.delay_seconds)
        if spec.drop:
            await _drop(scope, receive, websocket)
        elif spec.ws_close_code is not None:
            await _close_websocket(receive, send, spec.ws_close_code)
        elif spec.status is not None:
            await _error(send, rule)
        elif spec.truncate_sse_after is not None:
            await _truncated(self.app, scope, receive, send, spec.truncate_sse_after)
        else:
            await self.app(scope, receive, send)


async def _error(send: Send, rule: FaultRule) -> None:
    spec = rule.spec
    assert spec.status is not None
    detail = spec.detail
    if detail is None:
        try:
            detail = HTTPStatus(spec.status).phrase
        except ValueError:
            detail = f"Error {spec.status}"
    body = json.dumps({"detail": detail}, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()),
               (b"x-emulator-fault", rule.id.encode())]
    if spec.retry_after is not None:
        headers.append((b"retry-after", str(spec.retry_after).encode()))
    await send({"type": "http.response.start", "status": spec.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(scope: Scope, receive: Receive, websocket: bool) -> None:
    """Close the connection without answering. Under a server (uvicorn) the socket is aborted,
    so the client sees a disconnect; in process (no socket) the client gets the exception
    httpx raises for a server that hung up."""
    raw = scope.get(RAW_RECEIVE_SCOPE_KEY) or receive
    cycle = getattr(raw, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        if websocket:
            with contextlib.suppress(ImportError):
                from uvicorn.protocols.utils import ClientDisconnected

                raise ClientDisconnected  # uvicorn's quiet "the peer went away"
            return
        for _ in range(20):  # let connection_lost mark the cycle, so nothing is sent after
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
        return
    try:
        import httpx
    except ImportError:  # pragma: no cover
        raise ConnectionResetError("Server disconnected without sending a response.") from None
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


async def _close_websocket(receive: Receive, send: Send, code: int) -> None:
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": code, "reason": "Injected fault"})


def _event_ends(data: bytes) -> list[int]:
    """Offsets just past each complete non-comment event block in ``data``."""
    sep = b"\r\n\r\n" if b"\r\n" in data else b"\n\n"
    ends = []
    start = 0
    while (at := data.find(sep, start)) != -1:
        block = data[start:at]
        lines = block.replace(b"\r\n", b"\n").split(b"\n")
        if any(line and not line.startswith(b":") for line in lines):
            ends.append(at + len(sep))
        start = at + len(sep)
    return ends


async def _truncated(app: ASGIApp, scope: Scope, receive: Receive, send: Send,
                     limit: int) -> None:
    """Run the app but end an SSE response cleanly after ``limit`` events, then tell the app
    the client left so the stream's generator stops. Non-SSE responses pass untouched."""
    ended = asyncio.Event()
    state: dict[str, Any] = {"sse": False, "events": 0, "carry": b""}

    async def finish(body: bytes) -> None:
        await send({"type": "http.response.body", "body": body, "more_body": False})
        ended.set()

    async def truncating_send(message: Message) -> None:
        if ended.is_set():
            return
        kind = message["type"]
        if kind == "http.response.start":
            state["sse"] = any(n == b"content-type" and v.startswith(b"text/event-stream")
                               for n, v in message.get("headers", []))
            await send(message)
            if state["sse"] and limit == 0:
                await finish(b"")
            return
        if kind == "http.response.body" and state["sse"]:
            chunk = message.get("body", b"")
            carry = state["carry"]
            data = carry + chunk
            ends = _event_ends(data)
            left = limit - state["events"]
            if len(ends) >= left:
                await finish(chunk[:ends[left - 1] - len(carry)])
                return
            state["events"] += len(ends)
            state["carry"] = data[ends[-1]:] if ends else data
        await send(message)

    async def truncating_receive() -> Message:
        if ended.is_set():
            return {"type": "http.disconnect"}
        incoming = asyncio.ensure_future(receive())
        stop = asyncio.ensure_future(ended.wait())
        try:
            await asyncio.wait({incoming, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not incoming.done():
                incoming.cancel()
        if incoming.done() and not incoming.cancelled():
            return incoming.result()
        return {"type": "http.disconnect"}

    await app(scope, truncating_receive, truncating_send)
