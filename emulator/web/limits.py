"""Request size caps: bodies while they stream in, header blocks and request targets before
any middleware reads them.

Bodies are counted as they arrive (not only from Content-Length), so a client that lies about
the length or uses chunked encoding cannot exhaust memory. Headers are checked outermost, so an
oversized bearer token never names a namespace (each token is one, kept for the life of the
server).

The server refuses the same oversized headers while they arrive (emulator/web/connections.py);
the check here makes the answer the same in-process, where no server parses the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Pure ASGI middleware: 413 ``{"detail": ...}`` once a body passes its cap.

    ``cap_for(path)`` lets upload routes carry a larger cap than JSON routes.
    """

    def __init__(self, app: ASGIApp, cap_for: Callable[[str], int]) -> None:
        self.app = app
        self.cap_for = cap_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    if int(value) > cap:
                        await _reject(send, cap)
                        return
                except ValueError:
                    pass
                break
        seen = 0
        started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    # Answer now and tell the app the client went away: whatever the app does
                    # with that (FastAPI turns body errors into 400s) is never sent.
                    rejected = True
                    if not started:
                        await _reject(send, cap)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise


async def _reject(send: Send, cap: int) -> None:
    body = json.dumps({"detail": f"Request body too large (limit {cap} bytes)"},
                      separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class HeaderLimits:
    """Pure ASGI middleware, outermost: 431 for too many or too large headers, 414 for a
    request target over ``max_url_bytes``; WebSocket handshakes alike (refused before their
    ``accept``)."""

    def __init__(self, app: ASGIApp, *, max_header_bytes: int, max_field_bytes: int,
                 max_count: int, max_url_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.max_field_bytes = max_field_bytes
        self.max_count = max_count
        self.max_url_bytes = max_url_bytes

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = scope["headers"]
        if len(headers) > self.max_count:
            return 431, "Request Header Fields Too Large"
        total = 0
        for name, value in headers:
            if len(value) > self.max_field_bytes:
                return 431, "Request Header Fields Too Large"
            total += len(name) + len(value)
        if total > self.max_header_bytes:
            return 431, "Request Header Fields Too Large"
        target = len(scope.get("raw_path") or scope["path"].encode()) + \
            len(scope.get("query_string", b""))
        if target > self.max_url_bytes:
            return 414, "URI Too Long"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            refused = self.refusal(scope)
            if refused is not None:
                await refuse(scope, receive, send, *refused)
                return
        await self.app(scope, receive, send)


async def refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    """Answer ``{"detail": detail}`` with ``status`` and close the connection; a WebSocket
    handshake gets the same answer where the server supports denial responses, else a 1008
    close (which servers turn into a 403)."""
    body = json.dumps({"detail": detail}, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        if "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", "status": status,
                        "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008, "reason": detail[:120]})
        return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
