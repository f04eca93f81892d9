"""A namespace's queue of scripted behaviours (Revyl outcomes, Interactly LLM replies).

Entries are consumed in order by the first caller they apply to; an entry with ``times`` N
serves N callers before it leaves the queue. What "applies" means is the caller's business.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar


class Scripted(Protocol):
    @property
    def times(self) -> int: ...


T = TypeVar("T", bound=Scripted)


@dataclass
class _Entry(Generic[T]):
    script: T
    remaining: int


class ScriptQueue(Generic[T]):
    def __init__(self, dump: Callable[[T], dict[str, Any]]) -> None:
        self._dump = dump
        self._entries: deque[_Entry[T]] = deque()

    def push(self, scripts: list[T]) -> None:
        self._entries.extend(_Entry(s, s.times) for s in scripts)

    def take(self, applies: Callable[[T], bool]) -> T | None:
        for entry in self._entries:
            if not applies(entry.script):
                continue
            entry.remaining -= 1
            if entry.remaining == 0:
                self._entries.remove(entry)
            return entry.script
        return None

    def clear(self) -> None:
        self._entries.clear()

    def listing(self) -> list[dict[str, Any]]:
        return [{**self._dump(e.script), "remaining": e.remaining} for e in self._entries]

    # ------------------------------------------------------------------ snapshots
    def entries(self) -> list[tuple[T, int]]:
        """(script, uses left) in queue order."""
        return [(e.script, e.remaining) for e in self._entries]

    def restore(self, entries: list[tuple[T, int]]) -> None:
        self._entries = deque(_Entry(script, remaining) for script, remaining in entries)
