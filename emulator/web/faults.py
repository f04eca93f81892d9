"""The fault-injection middleware: applies the caller's namespace fault rules
(:mod:`emulator.core.faults`) to matching requests: an error answer, a delay on the namespace
clock, a dropped connection, an SSE stream cut short, a WebSocket closed with a code."""

from __future__ import annotations

import asyncio
import contextlib
import json
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core.faults import FaultRule, is_control_plane
from emulator.core.journal import FAULT_SCOPE_KEY, RAW_RECEIVE_SCOPE_KEY
from emulator.web.journal import scope_namespace


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
        rules = ns.faults if ns is not None else None
        if rules is None or not rules.rules or is_control_plane(scope["path"]):
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
            await rules.wait(spec.delay_seconds)
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
