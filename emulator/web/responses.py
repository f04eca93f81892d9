"""Compact JSON responses without FastAPI's per-request ``jsonable_encoder`` pass.

Routers hand over dicts that are already JSON-ready, so encoding them again through the
encoder would be pure overhead on the polling hot path. Compact separators also matter on the
wire: scripts/upload-build.sh greps for ``"id":"`` with no space.

The bytes are orjson's where that gives what Starlette's ``json.dumps(ensure_ascii=False,
allow_nan=False, separators=(",", ":"))`` gives, and the standard library's everywhere else:
an Interactly turn's ~6 KB body took ~100 µs to encode, ~10 µs with orjson (bench/http.py).
orjson differs in three places, and each sends the body to the standard encoder instead:
it writes ``null`` for NaN and Infinity, which Starlette refuses (a non-finite float is
looked for in ``marshal``'s bytes of the body, at C speed); it encodes subclasses, dataclasses
and datetimes, which Starlette does not (passed through to a ``default`` that refuses them);
and it refuses non-string keys and integers past 64 bits, which Starlette encodes. What is
left: a float of extreme magnitude may be written in the other notation (``0.00001`` for
Python's ``1e-05``), the same number; and a UUID or a plain ``Enum``, which no route hands
over (Starlette would refuse it with a 500), is encoded.
"""

from __future__ import annotations

import json
import marshal
from typing import Any

from starlette.responses import JSONResponse

try:
    import orjson
except ImportError:  # pragma: no cover - a declared dependency; the standard encoder still works
    orjson = None  # type: ignore[assignment]

_STANDARD = json.JSONEncoder(ensure_ascii=False, allow_nan=False, indent=None,
                             separators=(",", ":"))
_ORJSON_OPTIONS = (orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_PASSTHROUGH_DATETIME) if orjson is not None else 0
# marshal writes a float as b"g" (or b"\xe7", with its reference flag) and 8 little-endian bytes;
# NaN and the infinities have every exponent bit set: the last two bytes are [f0-ff][7f|ff].
_FLOAT_TYPES = (ord("g"), ord("g") | 0x80)
_EXPONENT_HIGH = (0x7F, 0xFF)  # memchr-fast to look for; a regex over the bytes was 5x slower


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is left to the standard encoder")


def _may_hold_nonfinite(content: Any) -> bool:
    """False only when ``content`` certainly holds no NaN or infinity (a true answer may be
    wrong: the caller then uses the standard encoder, which decides)."""
    try:
        data = marshal.dumps(content)
    except (ValueError, RecursionError):
        return True
    for high in _EXPONENT_HIGH:
        at = data.find(high, 8)
        while at != -1:
            if data[at - 1] >= 0xF0 and data[at - 8] in _FLOAT_TYPES:
                return True
            at = data.find(high, at + 1)
    return False


def encode_json(content: Any) -> bytes:
    """What Starlette's ``JSONResponse`` renders, byte for byte (floats aside, see above)."""
    if orjson is not None:
        try:
            encoded: bytes = orjson.dumps(content, default=_refuse, option=_ORJSON_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError too
            pass
        else:
            if b"null" not in encoded or not _may_hold_nonfinite(content):
                return encoded
    return _STANDARD.encode(content).encode("utf-8")


class CompactJSONResponse(JSONResponse):
    """A ``JSONResponse`` (as ``--strict`` and the exception handlers expect) rendered by
    :func:`encode_json`."""

    def render(self, content: Any) -> bytes:
        return encode_json(content)


def ok(body: Any, status_code: int = 200) -> JSONResponse:
    return CompactJSONResponse(body, status_code=status_code)
