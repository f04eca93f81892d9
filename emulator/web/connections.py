"""Limits on a connection that only the server can enforce, as a uvicorn HTTP protocol.

By the time the app sees a request, uvicorn (with httptools) has buffered its whole header
block, however large: a 4 MiB bearer token was answered 200 and named a namespace. And a client
that sends nothing, half a header block or a body one byte at a time held its connection (and
its buffers) forever: uvicorn arms its keep-alive timer only after a response. This protocol
counts header bytes as they arrive and times each phase of a request:

- a connection that has sent nothing is closed after the keep-alive time, like an idle one;
- a request's headers must arrive within ``header_seconds`` of its first byte, and may not
  exceed the header and URL caps (431, 414, checked while they arrive);
- its body must arrive within ``body_seconds``, plus one second per ``BODY_MIN_RATE`` bytes
  received (Apache's mod_reqtimeout rule: a slow link with a big upload keeps going, a trickle
  is cut), else 408 and the connection closes (the app hears a disconnect, as for a client
  that left). Once the request is in, the app's own pace (SSE streams) is not limited here.

The app checks the same header caps again (emulator/web/limits.py), exactly and also
in-process; this layer keeps the server from buffering past them.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from emulator.settings import Settings

BODY_MIN_RATE = 64 * 1024  # bytes per second that buy a body another second
LINGER_SECONDS = 1.0  # after a refusal, time the client gets to stop sending and read it
REASONS = {408: "Request Timeout", 414: "URI Too Long", 431: "Request Header Fields Too Large"}


@dataclass(frozen=True)
class ConnectionLimits:
    header_bytes: int
    field_bytes: int
    header_count: int
    url_bytes: int
    idle_seconds: float
    header_seconds: float
    body_seconds: float

    @property
    def raw_header_bytes(self) -> int:
        """The request line and header block as sent: names and values, the target, and
        the separators around them."""
        return self.header_bytes + self.url_bytes + 4 * self.header_count + 64


class Refused(Exception):
    """Raised from a parser callback: httptools stops parsing, uvicorn answers through
    ``send_400_response``, which sends this status instead."""

    def __init__(self, status: int) -> None:
        super().__init__(REASONS[status])
        self.status = status


def response_bytes(status: int) -> bytes:
    body = json.dumps({"detail": REASONS[status]}, separators=(",", ":")).encode()
    return (f"HTTP/1.1 {status} {REASONS[status]}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


def protocol_class(limits: ConnectionLimits) -> type[asyncio.Protocol] | None:
    """uvicorn's httptools protocol with ``limits``; None without httptools (installed by
    ``uvicorn[standard]``), when the caller falls back to h11's own header cap."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - uvicorn[standard] installs it
        return None

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.phase = "idle"  # idle -> headers -> body -> app -> (response) headers ...
            self.raw = 0
            self.header_started = 0.0
            self.header_total = 0
            self.header_count = 0
            self.url_length = 0
            self.body_started = 0.0
            self.body_bytes = 0
            self.refused: int | None = None
            self.timer: asyncio.TimerHandle | None = None

        # -------------------------------------------------------------- timers
        def arm(self, delay: float) -> None:
            self.disarm()
            self.timer = self.loop.call_later(delay, self.expired)

        def disarm(self) -> None:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None

        def expired(self) -> None:
            self.timer = None
            if self.transport.is_closing():
                return
            if self.phase in ("idle", "refused"):
                self.transport.close()
            elif self.phase == "headers":
                self.reject(408)
            elif self.phase == "body":
                left = self.body_due() - self.loop.time()
                if self.flow.read_paused:
                    # uvicorn stopped reading because the app is not taking the body: the
                    # wait is the app's, not the client's. A fresh grace once it reads again.
                    self.body_started, self.body_bytes = self.loop.time(), 0
                    self.arm(limits.body_seconds)
                elif left > 0:
                    self.arm(left)
                elif self.cycle is not None and not self.cycle.response_started:
                    self.reject(408)
                else:
                    self.transport.close()

        def reject(self, status: int) -> None:
            """Answer, then read and drop what the client still sends for a moment before
            closing: closed at once, a client still writing gets a reset and never reads the
            answer."""
            self.refused = status
            self.phase = "refused"
            self.transport.write(response_bytes(status))
            if self.transport.can_write_eof():
                self.transport.write_eof()
                self.arm(LINGER_SECONDS)
            else:  # pragma: no cover - TCP transports can
                self.disarm()
                self.transport.close()

        # -------------------------------------------------------------- transport
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.arm(limits.idle_seconds)

        def connection_lost(self, exc: Exception | None) -> None:
            self.disarm()
            super().connection_lost(exc)

        def body_due(self) -> float:
            return self.body_started + limits.body_seconds + self.body_bytes / BODY_MIN_RATE

        def data_received(self, data: bytes) -> None:
            """Timers are armed here, once a chunk has left a request unfinished: a request
            that arrives whole in one chunk (nearly all of them) costs no timer at all."""
            if self.refused is not None:
                return
            before = self.phase
            super().data_received(data)
            if self.refused is not None:
                return
            if self.phase == "headers":
                self.raw = self.raw + len(data) if before == "headers" else len(data)
                if self.raw > limits.raw_header_bytes:
                    self.reject(431)
                elif self.timer is None:
                    self.arm(self.header_started + limits.header_seconds - self.loop.time())
            elif self.phase == "body":
                if before == "body":
                    self.body_bytes += len(data)
                if self.timer is None:
                    self.arm(self.body_due() - self.loop.time())

        def send_400_response(self, msg: str) -> None:
            if self.refused is None:
                super().send_400_response(msg)
            else:
                self.reject(self.refused)

        def handle_websocket_upgrade(self) -> None:
            self.disarm()  # the WebSocket protocol takes the transport over
            self.phase = "upgraded"
            super().handle_websocket_upgrade()

        # -------------------------------------------------------------- parser callbacks
        def refuse(self, status: int) -> None:
            self.refused = status
            raise Refused(status)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.phase = "headers"
            self.header_total = self.header_count = self.url_length = 0
            self.header_started = self.loop.time()
            self.disarm()  # the idle timer of a new connection

        def on_url(self, url: bytes) -> None:
            self.url_length += len(url)
            if self.url_length > limits.url_bytes:
                self.refuse(414)
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self.header_count += 1
            self.header_total += len(name) + len(value)
            if self.header_count > limits.header_count or len(value) > limits.field_bytes \
                    or self.header_total > limits.header_bytes:
                self.refuse(431)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self.phase = "body"
            self.body_started = self.loop.time()
            self.body_bytes = 0
            self.disarm()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self.phase = "app"
            self.disarm()
            super().on_message_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.phase == "app":
                self.phase = "idle"  # uvicorn's keep-alive timer is armed

    return LimitedHttpToolsProtocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The ``uvicorn.Config`` arguments that apply ``settings``' connection limits."""
    limits = ConnectionLimits(
        header_bytes=settings.max_header_bytes, field_bytes=settings.max_header_field_bytes,
        header_count=settings.max_header_count, url_bytes=settings.max_url_bytes,
        idle_seconds=settings.keep_alive_seconds, header_seconds=settings.header_timeout_seconds,
        body_seconds=settings.body_timeout_seconds)
    protocol = protocol_class(limits)
    if protocol is None:  # pragma: no cover - h11 caps the header block (as a 400), no timers
        return {"http": "h11", "h11_max_incomplete_event_size": limits.raw_header_bytes}
    return {"http": protocol}
