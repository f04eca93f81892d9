"""JSON forms shared by the Revyl services' ``export_state`` / ``restore_state``: artifact bytes
as base64 and a pending timer as ``{"due", "seq"}``.

Each service encodes its own records (so the snapshot codec, emulator/revyl/snapshot.py, only
calls public methods); these few encodings are common to several of them and must stay the same
everywhere, or an old snapshot document would no longer import.
"""

from __future__ import annotations

import base64
from typing import Any

from emulator.core.snapshots import timer_order


def b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def unb64(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text, validate=True)


def timer(live: Any) -> dict[str, float] | None:
    """A live timer's due time and clock order, None when there is none pending."""
    order = timer_order(live)
    return None if order is None else {"due": order[0], "seq": order[1]}
