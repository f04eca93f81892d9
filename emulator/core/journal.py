"""Request journal: what each namespace sent, for ``verify``-style assertions and typo hunting.

A pure ASGI middleware records every HTTP request and WebSocket connection (except reads of the
journal itself) into the caller's namespace: method, path, query, status, duration, the time on
the namespace's clock, a SHA-256 digest of the body and, for bodies up to ``BODY_CAPTURE_BYTES``,
the raw bytes. Nothing is parsed, copied or redacted on the hot path: JSON bodies, headers and
queries are parsed and redacted only when someone reads the journal. Response bodies are never
touched. Requests that the router itself answered 404/405 (no route) are flagged ``matched:
false``; ``near_misses`` ranks the app's routes by similarity so a typo shows what was meant.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import hashlib
import time
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import count
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.core.clock import iso
from emulator.core.limits import strict_json_loads
from emulator.core.namespaces import Namespace

#: Bodies up to this size are kept (and parsed on read); larger ones only get size and digest.
BODY_CAPTURE_BYTES = 16 * 1024
JOURNAL_READ_PREFIX = "/_emulator/journal"
NS_SCOPE_KEY = "emulator.namespace"
FAULT_SCOPE_KEY = "emulator.fault"
RAW_RECEIVE_SCOPE_KEY = "emulator.raw_receive"
REDACTED = "[redacted]"
_MISSING = object()
_SENSITIVE = {"authorization", "proxy_authorization", "password", "passwd", "secret", "token",
              "api_key", "apikey", "x_api_key", "bearer", "bearer_token", "access_token",
              "refresh_token", "id_token", "client_secret", "private_key", "cookie",
              "set_cookie"}
_SENSITIVE_SUFFIXES = ("_token", "_secret", "_password", "_api_key", "_apikey")


def is_sensitive(name: str) -> bool:
    key = name.lower().replace("-", "_")
    return key in _SENSITIVE or key.endswith(_SENSITIVE_SUFFIXES)


def redact(value: Any) -> Any:
    """A copy of a parsed JSON value with every sensitive field's value replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if is_sensitive(str(k)) and v is not None else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


# --------------------------------------------------------------------------- namespace lookup
def scope_namespace(scope: Scope) -> Namespace | None:
    """The caller's namespace, resolved once per request and cached in the scope: the bearer
    token (both APIs), a WebSocket's single-use ``?token=<ns key>.<nonce>``, or the namespace key
    in a presigned upload/download path. None for anonymous requests."""
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
                return registry.get(token)
            return None
    if scope["type"] == "websocket":
        for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
            if name == "token" and value:
                return registry.by_key(value.split(".", 1)[0])
        return None
    path: str = scope["path"]
    if path.startswith(("/_emulator/uploads/", "/_emulator/downloads/")):
        parts = path.split("/")
        return registry.by_key(parts[3]) if len(parts) > 3 else None
    return None


# --------------------------------------------------------------------------- entries
class Entry:
    """One request. Mutable while the request runs (status, duration, body); rendered lazily."""

    __slots__ = ("_body", "body_bytes", "close_code", "digest", "duration_ms", "fault",
                 "headers", "matched", "method", "namespace", "path", "query", "raw", "seq",
                 "started", "status", "time")

    def __init__(self, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]],
                 namespace: str | None, at: float) -> None:
        self.seq = 0
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers  # the scope's own list: no copy
        self.namespace = namespace
        self.time = at
        self.started = time.perf_counter()
        self.duration_ms: float | None = None
        self.status: int | None = None
        self.matched = True
        self.fault: str | None = None
        self.body_bytes = 0
        self.digest: str | None = None
        self.raw: bytes | None = None
        self.close_code: int | None = None
        self._body: Any = _MISSING

    @property
    def body(self) -> Any:
        """The JSON body, parsed and redacted on first read; None when absent, not JSON or
        larger than ``BODY_CAPTURE_BYTES``."""
        if self._body is _MISSING:
            self._body = None
            raw = self.raw
            if raw and raw.lstrip()[:1] in (b"{", b"["):
                # What the routes refused is journaled too: NaN, lone surrogates or nesting
                # too deep to parse (or to redact) leave the body out instead of a 500 here.
                with contextlib.suppress(ValueError, RecursionError):
                    self._body = redact(strict_json_loads(raw))
        return self._body

    def query_text(self) -> str:
        text = self.query.decode("latin-1")
        if not text:
            return ""
        pairs = parse_qsl(text, keep_blank_values=True)
        if not any(is_sensitive(k) for k, _ in pairs):
            return text
        return urlencode([(k, REDACTED if is_sensitive(k) else v) for k, v in pairs])

    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query_text(), keep_blank_values=True))

    def header_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for raw_name, raw_value in self.headers:
            name = raw_name.decode("latin-1")
            value = raw_value.decode("latin-1")
            if is_sensitive(name):
                scheme, sep, _ = value.partition(" ")
                value = f"{scheme} {REDACTED}" if sep and name.endswith("authorization") \
                    else REDACTED
            out[name] = f"{out[name]}, {value}" if name in out else value
        return out

    def to_dict(self) -> dict[str, Any]:
        out = {"seq": self.seq, "method": self.method, "path": self.path,
               "query": self.query_text(), "status": self.status, "namespace": self.namespace,
               "time": iso(self.time), "time_epoch": self.time,
               "duration_ms": self.duration_ms, "matched": self.matched, "fault": self.fault,
               "headers": self.header_dict(), "body_bytes": self.body_bytes,
               "body_digest": self.digest, "body": self.body,
               "body_truncated": self.body_bytes > BODY_CAPTURE_BYTES}
        if self.method == "WS":
            out["close_code"] = self.close_code
        return out


class Journal:
    """Bounded, newest last; the oldest entry is evicted when full."""

    def __init__(self, limit: int) -> None:
        self.entries: deque[Entry] = deque(maxlen=limit)
        self._seq = count(1)
        self.recorded = 0

    def add(self, entry: Entry) -> None:
        entry.seq = next(self._seq)
        self.recorded += 1
        self.entries.append(entry)

    @property
    def evicted(self) -> int:
        return self.recorded - len(self.entries)

    def clear(self) -> int:
        cleared = len(self.entries)
        self.entries.clear()
        return cleared


def journal_of(ns: Namespace) -> Journal:
    journal = ns.extras.get("request_journal")
    if journal is None:
        journal = ns.extras["request_journal"] = Journal(ns.settings.journal_limit)
    return journal


def anonymous_journal(app: Any) -> Journal:
    """Requests without credentials (shown with ``?all=true``)."""
    journal = getattr(app.state, "anonymous_journal", None)
    if journal is None:
        limit = app.state.settings.journal_limit
        journal = app.state.anonymous_journal = Journal(limit)
    return journal


# --------------------------------------------------------------------------- queries
def path_matches(pattern: str | None, path: str) -> bool:
    if pattern is None:
        return True
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(path, pattern)
    return path == pattern


_ABSENT = object()


def dotted(value: Any, path: str) -> Any:
    """``a.b.0.c`` inside parsed JSON; ``_ABSENT`` when a step is missing."""
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, _ABSENT)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else _ABSENT
        else:
            return _ABSENT
        if value is _ABSENT:
            return _ABSENT
    return value


def select(entries: Iterable[Entry], *, method: str | None = None, path: str | None = None,
           status: int | None = None, since: float | None = None,
           matched: bool | None = None, body: dict[str, Any] | None = None,
           query: dict[str, str] | None = None) -> Iterator[Entry]:
    method = method.upper() if method else None
    for entry in entries:
        if method is not None and entry.method != method:
            continue
        if status is not None and entry.status != status:
            continue
        if since is not None and entry.time < since:
            continue
        if matched is not None and entry.matched != matched:
            continue
        if not path_matches(path, entry.path):
            continue
        if query:
            params = entry.query_params()
            if any(params.get(k) != v for k, v in query.items()):
                continue
        if body:
            parsed = entry.body
            if parsed is None or any(dotted(parsed, k) != v for k, v in body.items()):
                continue
        yield entry


# --------------------------------------------------------------------------- near misses
def route_table(app: Any) -> list[tuple[str, list[str]]]:
    """``(path template, methods)`` of every route of the app, cached on the app."""
    table = getattr(app.state, "route_table", None)
    if table is not None:
        return table
    from emulator.core.lazy import ensure_all

    ensure_all(app)
    from emulator.core.routing import all_routes

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
    small bonus. Best first."""
    segments = path.strip("/").split("/")
    scored = []
    for template, methods in table:
        parts = template.strip("/").split("/")
        if len(parts) == len(segments):
            filled = "/" + "/".join(s if p.startswith("{") else p
                                    for s, p in zip(segments, parts, strict=True))
        else:
            filled = template
        matcher = difflib.SequenceMatcher(None, path, filled, autojunk=False)
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
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
            journal = journal_of(ns)
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
            nonlocal recorded
            if message["type"] == "http.response.start" and not recorded:
                entry.status = message["status"]
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
                journal.add(entry)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[RAW_RECEIVE_SCOPE_KEY] = receive
        entry, journal = self._open(scope, "WS")
        journal.add(entry)

        async def ws_send(message: Message) -> None:
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
            entry.duration_ms = round((time.perf_counter() - entry.started) * 1000, 3)
            entry.fault = scope.get(FAULT_SCOPE_KEY)
            if entry.fault is None and "endpoint" not in scope:
                entry.matched = False
