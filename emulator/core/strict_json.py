"""The one JSON decoder for request bodies, WebSocket frames and journal reads: stricter than
``json.loads`` where a lax decode would store something later reads cannot render."""

from __future__ import annotations

import json
import re
from typing import Any

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
