"""The request journal's middleware: records every HTTP request and WebSocket connection
(except reads of the journal itself) into the caller's namespace journal
(:mod:`emulator.core.journal`), resolving the namespace once per request; plus the route table
that ``near_misses`` ranks when a request matched no route.
"""

from __future__ import annotations

import difflib
import hashlib
import time
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core.journal import (
    BODY_CAPTURE_BYTES,
    FAULT_SCOPE_KEY,
    JOURNAL_READ_PREFIX,
    NS_SCOPE_KEY,
    RAW_RECEIVE_SCOPE_KEY,
    Entry,
    Journal,
)
from emulator.core.namespaces import Namespace
from emulator.web.auth import BEARER_NS_SCOPE_KEY, CLAIM_SCOPE_KEY, Claim

_MISSING = object()
# What near_misses compares of a path at most: whole, and per segment.
NEAR_MISS_CHARS = 96
NEAR_MISS_SEGMENT_CHARS = 32


# --------------------------------------------------------------------------- namespace lookup
def scope_namespace(scope: Scope) -> Namespace | None:
    """The caller's namespace, resolved once per request and cached in the scope: the bearer
    token of a namespace that exists (both APIs). None for anonymous requests, and for those
    whose route must first vouch for them (a new token, a WebSocket's single-use ``?token=<ns
    key>.<nonce>``, a presigned upload/download path: the key in them is public, so only the
    route that checks the nonce or upload id may claim the request for the namespace)."""
    ns = scope.get(NS_SCOPE_KEY, _MISSING)
    if ns is _MISSING:
        ns = scope[NS_SCOPE_KEY] = _resolve(scope)
    return ns


def _resolve(scope: Scope) -> Namespace | None:
    app = scope.get("app")
    registry = getattr(getattr(app, "state", None), "registry", None)
    if registry is None:
        return None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token:
                ns = registry.find(token)
                if ns is None:
                    scope[CLAIM_SCOPE_KEY] = Claim()
                    return None
                scope[BEARER_NS_SCOPE_KEY] = ns
                return ns
            return None
    if scope["type"] == "websocket":
        if b"token=" in scope.get("query_string", b""):
            scope[CLAIM_SCOPE_KEY] = Claim()
        return None
    if scope["path"].startswith(("/_emulator/uploads/", "/_emulator/downloads/")):
        scope[CLAIM_SCOPE_KEY] = Claim()
    return None


def _claimed(scope: Scope, entry: Entry, journal: Journal) -> Journal:
    """Where an entry opened as anonymous goes: the namespace its route vouched for, if any."""
    holder: Claim | None = scope.get(CLAIM_SCOPE_KEY)
    ns = holder.ns if holder is not None else None
    if ns is None:
        return journal
    entry.namespace = ns.key
    entry.time = ns.clock.now()
    return ns.journal


def anonymous_journal(app: Any) -> Journal:
    """Requests without credentials (shown with ``?all=true``)."""
    journal = getattr(app.state, "anonymous_journal", None)
    if journal is None:
        limit = app.state.settings.journal_limit
        journal = app.state.anonymous_journal = Journal(limit)
    return journal


# --------------------------------------------------------------------------- near misses
def route_table(app: Any) -> list[tuple[str, list[str]]]:
    """``(path template, methods)`` of every route of the app, cached on the app."""
    table = getattr(app.state, "route_table", None)
    if table is not None:
        return table
    from emulator.web.lazy import ensure_all

    ensure_all(app)
    from emulator.web.routing import all_routes

    routes: Iterable[Any] = all_routes(app)
    merged: dict[str, set[str]] = {}
    for route in routes:
        path = getattr(route, "path", None)
        if not path:
            continue
        methods = getattr(route, "methods", None) or {"WS"}
        merged.setdefault(path, set()).update(m for m in methods if m != "HEAD")
    table = app.state.route_table = [(p, sorted(m)) for p, m in merged.items()]
    return table


def near_misses(method: str, path: str, table: list[tuple[str, list[str]]],
                n: int = 3, cutoff: float = 0.6) -> list[dict[str, Any]]:
    """Routes most like ``method path``: templates are filled with the request's own segments
    (so ids do not count as differences), then compared with difflib; the same method earns a
    small bonus. Best first. difflib's cost grows with the square of the lengths (a 4 KB path
    took seconds): a long path is compared by the start of each segment and of the whole."""
    segments = path.strip("/").split("/")
    if len(path) > NEAR_MISS_CHARS:
        segments = [s[:NEAR_MISS_SEGMENT_CHARS] for s in segments]
        path = ("/" + "/".join(segments))[:NEAR_MISS_CHARS]
    scored = []
    # The path is the indexed side, indexed once; each template only replaces the other side.
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(path)
    for template, methods in table:
        parts = template.strip("/").split("/")
        if len(parts) == len(segments):
            filled = "/" + "/".join(s if p.startswith("{") else p
                                    for s, p in zip(segments, parts, strict=True))
        else:
            filled = template
        filled = filled[:NEAR_MISS_CHARS]
        if 2.0 * min(len(path), len(filled)) < cutoff * (len(path) + len(filled)):
            continue  # real_quick_ratio, before anything is indexed
        matcher.set_seq1(filled)
        if matcher.quick_ratio() < cutoff:
            continue
        ratio = matcher.ratio()
        if ratio < cutoff:
            continue
        score = ratio + (0.05 if method in methods else 0.0)
        scored.append((score, template, methods))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [{"path": t, "methods": m, "score": round(min(s, 1.0), 3)} for s, t, m in scored[:n]]


# --------------------------------------------------------------------------- middleware
class RequestJournal:
    """Pure ASGI middleware (streams untouched): records each request in its namespace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["path"].startswith(JOURNAL_READ_PREFIX):
                await self.app(scope, receive, send)
                return
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _open(self, scope: Scope, method: str) -> tuple[Entry, Journal]:
        ns = scope_namespace(scope)
        if ns is None:
            journal = anonymous_journal(scope["app"])
            entry = Entry(method, scope["path"], scope.get("query_string", b""),
                          scope["headers"], None, time.time())
        else:
            journal = ns.journal
            entry = Entry(method, scope["path"], scope.get("query_string", b""),
                          scope["headers"], ns.key, ns.clock.now())
        return entry, journal

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_RECEIVE_SCOPE_KEY] = receive  # faults abort the real connection through it
        entry, journal = self._open(scope, scope["method"])
        length = -1
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else -1
                break
            if name == b"transfer-encoding":
                length = -2
        app_receive = receive
        hasher = None
        captured = bytearray()
        seen = 0
        if 0 < length <= BODY_CAPTURE_BYTES:
            # Small body: read it now (so even requests no route reads are journaled), replay it.
            first = await receive()
            chunks = [first.get("body", b"")]
            while first["type"] == "http.request" and first.get("more_body", False):
                first = await receive()
                chunks.append(first.get("body", b""))
            body = b"".join(chunks)
            entry.raw = body
            entry.body_bytes = len(body)
            entry.digest = "sha256:" + hashlib.sha256(body).hexdigest() if body else None
            replay: Message = ({"type": "http.request", "body": body, "more_body": False}
                               if first["type"] == "http.request" else first)
            replayed = False

            async def replay_receive() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return replay
                return await receive()

            app_receive = replay_receive
        elif length != -1 and length != 0:
            hasher = hashlib.sha256()

            async def tap_receive() -> Message:
                nonlocal seen
                message = await receive()
                if message["type"] == "http.request":
                    chunk = message.get("body", b"")
                    if chunk:
                        assert hasher is not None
                        hasher.update(chunk)
                        seen += len(chunk)
                        if len(captured) <= BODY_CAPTURE_BYTES:
                            captured.extend(chunk[:BODY_CAPTURE_BYTES + 1 - len(captured)])
                return message

            app_receive = tap_receive
        recorded = False

        async def journal_send(message: Message) -> None:
            nonlocal recorded, journal
            if message["type"] == "http.response.start" and not recorded:
                entry.status = message["status"]
                if entry.namespace is None:
                    journal = _claimed(scope, entry, journal)
                journal.add(entry)  # now, so a long-lived stream shows while it runs
                recorded = True
            await send(message)

        try:
            await self.app(scope, app_receive, journal_send)
        finally:
            entry.duration_ms = round((time.perf_counter() - entry.started) * 1000, 3)
            if hasher is not None and seen:
                entry.body_bytes = seen
                entry.digest = "sha256:" + hasher.hexdigest()
                entry.raw = bytes(captured) if seen <= BODY_CAPTURE_BYTES else None
            entry.fault = scope.get(FAULT_SCOPE_KEY)
            status = entry.status
            if entry.fault is None and (status == 405 or (status == 404
                                                          and "endpoint" not in scope)):
                entry.matched = False  # the router's own answer: no route took it
            if not recorded:
                if entry.namespace is None:
                    journal = _claimed(scope, entry, journal)
                journal.add(entry)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_RECEIVE_SCOPE_KEY] = receive
        entry, journal = self._open(scope, "WS")
        # Known at once, or once the route vouched for it (its first message).
        recorded = entry.namespace is not None
        if recorded:
            journal.add(entry)

        def record() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                _claimed(scope, entry, journal).add(entry)

        async def ws_send(message: Message) -> None:
            record()
            kind = message["type"]
            if kind == "websocket.accept":
                entry.status = 101
            elif kind == "websocket.close":
                if entry.close_code is None:
                    entry.close_code = message.get("code", 1000)
                if entry.status is None:
                    entry.status = 403  # closed before the handshake: a rejection
            elif kind == "websocket.http.response.start":
                entry.status = message["status"]
            await send(message)

        async def ws_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.disconnect" and entry.close_code is None:
                entry.close_code = message.get("code", 1005)
            return message

        try:
            await self.app(scope, ws_receive, ws_send)
        finally:
            record()
            entry.duration_ms = round((time.perf_counter() - entry.started) * 1000, 3)
            entry.fault = scope.get(FAULT_SCOPE_KEY)
            if entry.fault is None and "endpoint" not in scope:
                entry.matched = False
