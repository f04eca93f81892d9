"""Request body size caps, enforced while the body streams in (not only from Content-Length),
so a client that lies about the length or uses chunked encoding cannot exhaust memory; and
:func:`strict_json_loads`, the one JSON decoder for request bodies and WebSocket frames."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

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


# Where a lone surrogate can hide: a ``\uD800``-``\uDFFF`` escape or its raw (CESU-8) bytes, which
# ``json.loads(bytes)`` decodes with "surrogatepass". A cheap scan; the exact check runs only
# when it matches (a valid escaped pair is fine: the decoder joins it into one code point).
_SUSPECT_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SUSPECT_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Real bodies nest a few levels (workflow configs, tool schemas, snapshots: < 30). Deeper values
# were accepted up to the interpreter's recursion limit, stored as extra fields, and then broke
# whatever recursed over them later (deepcopy in snapshots, the JSON encoder): a 500 on reads.
MAX_JSON_DEPTH = 128


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def strict_json_loads(raw: bytes | str) -> Any:
    """``json.loads`` for what clients send, refusing what is not interoperable JSON (RFC 8259,
    I-JSON): ``NaN``/``Infinity``, lone surrogates, nesting deeper than ``MAX_JSON_DEPTH``,
    bytes that are not UTF-8, integers past Python's digit limit. Every failure is a
    :class:`json.JSONDecodeError`, which FastAPI answers as a 422 ``json_invalid``. Accepting
    such values stored them, and then every answer that had to serialise them failed (500s,
    SSE frames that could not be encoded)."""
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        message = "JSON nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise json.JSONDecodeError(message, _text(raw), 0) from None
    # Cheap scans first (C speed); the walk runs only when one says it might find something.
    if isinstance(raw, bytes):
        suspect = _SUSPECT_BYTES.search(raw) is not None
        brackets = raw.count(b"[") + raw.count(b"{")
    else:
        suspect = _SUSPECT_TEXT.search(raw) is not None
        brackets = raw.count("[") + raw.count("{")
    if suspect or brackets > MAX_JSON_DEPTH:
        problem = _problem(value, suspect)
        if problem is not None:
            raise json.JSONDecodeError(problem, _text(raw), 0)
    return value


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _problem(value: Any, surrogates: bool) -> str | None:
    """What makes a decoded value unacceptable, if anything: nesting deeper than
    ``MAX_JSON_DEPTH`` or (when ``surrogates``) a lone surrogate. Iterative (the value may be
    nested as deep as the decoder allowed)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates and _SURROGATE.search(item):
                return "Lone surrogate in a string (not valid Unicode)"
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None
