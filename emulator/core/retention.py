"""Bounded history: long-lived servers forget the oldest finished items beyond a setting
(``EMULATOR_MAX_FINISHED``), so memory stays flat however many executions pass through."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def trim_finished(items: dict[str, T], limit: int, finished: Callable[[T], bool],
                  forget: Callable[[T], None] | None = None) -> int:
    """Drops the oldest finished items beyond ``limit`` (a dict keeps insertion order, so the
    first finished ones met are the oldest). Unfinished items are never dropped: a live
    execution is never lost, even when more than ``limit`` are live. Returns how many went."""
    excess = len(items) - limit
    if excess <= 0:
        return 0
    doomed: list[str] = []
    for key, item in items.items():
        if finished(item):
            doomed.append(key)
            if len(doomed) == excess:
                break
    for key in doomed:
        item = items.pop(key)
        if forget is not None:
            forget(item)
    return len(doomed)
