"""Path globs (``*``, ``?``, ``[...]``; ``*`` also crosses ``/``) matched in time linear in the
path, for the journal's filters and the fault rules.

``fnmatch`` turns a glob into one regular expression; with many wildcards over a long path its
backtracking made a single journal read take seconds, with the event loop held all along.
Here a glob is split at its ``*`` into fixed-length runs: the first must match at the start,
the last at the end, and each one between is searched for once, leftmost, after the one
before (leftmost is always right: a ``*`` absorbs whatever lies between). So the path is read
about once per run, never retried from earlier positions. A run between two ``*`` that holds
``?`` or ``[...]`` is tried at each position of the path, so its length is capped
(:data:`MAX_WILD_RUN`); :func:`check_glob` says so as a validation error.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from functools import lru_cache

MAX_WILD_RUN = 64
_STAR = ""  # a token no single-character pattern can be


def _tokens(pattern: str) -> list[str]:
    """One regex per character the glob consumes, ``_STAR`` for each run of ``*``; classes
    are bracketed exactly as ``fnmatch`` brackets them (an unclosed ``[`` is a literal)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not out or out[-1] != _STAR:
                out.append(_STAR)
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(c))
            else:
                out.append(fnmatch.translate(pattern[i - 1:j + 1])[4:-3])  # (?s:X)\Z -> X
                i = j + 1
        else:
            out.append(re.escape(c))
    return out


def _runs(pattern: str) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for token in _tokens(pattern):
        if token == _STAR:
            runs.append([])
        else:
            runs[-1].append(token)
    return runs


def check_glob(pattern: str | None) -> str | None:
    """``pattern`` unchanged, or a ``ValueError`` (a 422 from a request model) when a run
    between two ``*`` with ``?`` or ``[...]`` is longer than :data:`MAX_WILD_RUN`."""
    if pattern is None or not any(c in pattern for c in "*?["):
        return pattern
    for run in _runs(pattern)[1:-1]:
        wild = any((len(t) > 1 and not t.startswith("\\")) or t == "." for t in run)
        if wild and len(run) > MAX_WILD_RUN:
            raise ValueError(f"a part of the path pattern between two '*' that holds '?' or "
                             f"'[...]' may be at most {MAX_WILD_RUN} characters long")
    return pattern


class _Run:
    __slots__ = ("length", "regex")

    def __init__(self, tokens: list[str]) -> None:
        self.length = len(tokens)
        self.regex = re.compile("(?s:" + "".join(tokens) + ")")


class Glob:
    """A compiled glob; call it with a path."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        runs = [_Run(tokens) for tokens in _runs(pattern)]
        self._head, self._tail = runs[0], runs[-1]
        self._middle = [run for run in runs[1:-1] if run.length]
        self._starred = len(runs) > 1
        self._shortest = sum(run.length for run in runs)

    def __call__(self, path: str) -> bool:
        head, tail = self._head, self._tail
        if not self._starred:
            return len(path) == head.length and head.regex.match(path) is not None
        if len(path) < self._shortest:
            return False
        if head.length and head.regex.match(path) is None:
            return False
        end = len(path) - tail.length
        if tail.length and tail.regex.match(path, end) is None:
            return False
        at = head.length
        for run in self._middle:
            found = run.regex.search(path, at, end)
            if found is None:
                return False
            at = found.end()
        return True


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> Callable[[str], bool]:
    """A matcher for ``pattern``: plain equality when it has no wildcard."""
    if not any(c in pattern for c in "*?["):
        return pattern.__eq__
    return Glob(pattern)
