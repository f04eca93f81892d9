"""Request body size caps, enforced while the body streams in (not only from Content-Length),
so a client that lies about the length or uses chunked encoding cannot exhaust memory."""

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
