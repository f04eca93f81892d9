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
import time
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import count
from typing import Any
from urllib.parse import parse_qsl, urlencode

from emulator.core.clock import iso
from emulator.core.globs import compile_glob
from emulator.core.strict_json import strict_json_loads

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
              "set_cookie", "credentials", "secret_overrides", "aws_secret_access_key"}
_SENSITIVE_SUFFIXES = ("_token", "_secret", "_password", "_api_key", "_apikey")
# A variable's value is a secret when its own object says ``is_secret: true``; on the routes
# that change a global or launch variable by id the body may not say so (a patch of the value
# alone), so there every value is taken for a secret unless the object says ``is_secret: false``.
_VALUE_KEYS = frozenset({"value", "variable_value", "new_value"})
_SECRET_VALUE_PATHS = ("/global-variables", "/variables/global", "/variables/org_launch_env")


def is_sensitive(name: str) -> bool:
    key = name.lower().replace("-", "_")
    if key.startswith(("is_", "has_")):
        return False  # a flag about a secret (``is_secret``), not one
    return key in _SENSITIVE or key.endswith(_SENSITIVE_SUFFIXES)


def redact(value: Any, values_secret: bool = False) -> Any:
    """A copy of a parsed JSON value with every sensitive field's value replaced: credentials
    by name, and the values of secret variables (``values_secret``: on a variable route)."""
    if isinstance(value, dict):
        flag = value.get("is_secret")
        secret_values = flag is True or (values_secret and flag is not False)
        return {k: (REDACTED if v is not None and (is_sensitive(str(k)) or (
                    secret_values and k in _VALUE_KEYS)) else redact(v, values_secret))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, values_secret) for v in value]
    return value


def secret_values_route(path: str) -> bool:
    return any(marker in path for marker in _SECRET_VALUE_PATHS)


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
                    self._body = redact(strict_json_loads(raw), secret_values_route(self.path))
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

    def __len__(self) -> int:
        """Entries held, so ``not journal`` reads "nothing recorded" (tests of what a refused
        request left behind)."""
        return len(self.entries)

    @property
    def evicted(self) -> int:
        return self.recorded - len(self.entries)

    def clear(self) -> int:
        cleared = len(self.entries)
        self.entries.clear()
        return cleared




# --------------------------------------------------------------------------- queries
def path_matches(pattern: str | None, path: str) -> bool:
    return pattern is None or compile_glob(pattern)(path)


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
    path_match = compile_glob(path) if path is not None else None  # once, not per entry
    for entry in entries:
        if method is not None and entry.method != method:
            continue
        if status is not None and entry.status != status:
            continue
        if since is not None and entry.time < since:
            continue
        if matched is not None and entry.matched != matched:
            continue
        if path_match is not None and not path_match(entry.path):
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
