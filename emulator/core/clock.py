"""Virtual clock and timer scheduler: the only source of time for every behaviour.

State machines never sleep. They schedule timers on their namespace's clock, and the clock fires
them either as real time passes (``realtime``, optionally scaled by ``k``) or only when a caller
moves time (``manual``: ``advance`` / ``run_until_idle``). A test therefore controls every
transition and never waits on wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

log = logging.getLogger(__name__)

ClockMode = Literal["realtime", "manual"]
MANUAL_EPOCH = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
# The latest instant a caller may move a clock to (PUT /_emulator/clock, advances, snapshot
# imports): datetime, and so every timestamp the APIs print, ends at year 9999, and timers
# scheduled from there must still be printable.
MAX_INSTANT = datetime(9000, 1, 1, tzinfo=UTC).timestamp()
# run_until_idle refuses to run forever: a state machine that keeps re-arming itself is a bug.
MAX_IDLE_FIRINGS = 1_000_000


@dataclass(order=True)
class Timer:
    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    background: bool = field(default=False, compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """Virtual time in unix seconds plus a heap of timers.

    ``background`` timers (heartbeats and other periodic chores) fire like any other timer but do
    not keep ``run_until_idle`` going: idle means "no state machine has anything left to do".
    """

    def __init__(self, mode: ClockMode = "realtime", scale: float = 1.0,
                 epoch: float | None = None) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self._mode: ClockMode = mode
        self._scale = scale
        start = epoch if epoch is not None else (MANUAL_EPOCH if mode == "manual" else time.time())
        self._anchor_virtual = start
        self._anchor_real = time.monotonic()
        self._timers: list[Timer] = []
        self._seq = itertools.count()
        self._firing_at: float | None = None
        self._wake: asyncio.Event | None = None
        self._driver: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- reading time
    @property
    def mode(self) -> ClockMode:
        return self._mode

    @property
    def scale(self) -> float:
        return self._scale

    def now(self) -> float:
        """Virtual unix time. While a timer fires, exactly its due time (repeatable durations)."""
        if self._firing_at is not None:
            return self._firing_at
        if self._mode == "manual":
            return self._anchor_virtual
        return self._anchor_virtual + (time.monotonic() - self._anchor_real) * self._scale

    def now_iso(self) -> str:
        return iso(self.now())

    @property
    def pending(self) -> int:
        return sum(1 for t in self._timers if not t.cancelled and not t.background)

    def next_due(self) -> float | None:
        self._drop_cancelled_head()
        return self._timers[0].due if self._timers else None

    # ----------------------------------------------------------------- configuring
    def configure(self, mode: ClockMode | None = None, scale: float | None = None,
                  now: float | None = None) -> None:
        """Switch mode/scale or jump to an absolute time without losing the current reading."""
        if scale is not None and scale <= 0:
            raise ValueError("scale must be positive")
        current = self.now() if now is None else now
        if mode is not None:
            self._mode = mode
        if scale is not None:
            self._scale = scale
        self._anchor_virtual = current
        self._anchor_real = time.monotonic()
        self._kick()

    # ----------------------------------------------------------------- scheduling
    def call_at(self, due: float, callback: Callable[[], None], *,
                background: bool = False) -> Timer:
        timer = Timer(due, next(self._seq), callback, background)
        heapq.heappush(self._timers, timer)
        self._kick()
        return timer

    def call_later(self, delay: float, callback: Callable[[], None], *,
                   background: bool = False) -> Timer:
        return self.call_at(self.now() + max(0.0, delay), callback, background=background)

    def cancel_all(self) -> None:
        for timer in self._timers:
            timer.cancelled = True
        self._timers.clear()

    # ----------------------------------------------------------------- moving time
    def advance(self, seconds: float) -> int:
        """Move time forward, firing every timer due on the way in order. Returns timers fired."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        target = self.now() + seconds
        fired = self._fire_until(target)
        self._set_now(target)
        return fired

    def run_until_idle(self) -> int:
        """Jump from timer to timer until no foreground timer is left. Returns timers fired."""
        fired = 0
        while self.pending:
            due = self.next_due()
            assert due is not None
            fired += self._fire_until(due)
            if fired > MAX_IDLE_FIRINGS:
                raise RuntimeError("run_until_idle: timers keep re-arming, giving up")
        return fired

    def _fire_until(self, limit: float) -> int:
        fired = 0
        while True:
            self._drop_cancelled_head()
            if not self._timers or self._timers[0].due > limit:
                return fired
            timer = heapq.heappop(self._timers)
            if timer.due > self.now():
                self._set_now(timer.due)
            # Realtime: the due time itself, so chained timers keep exact planned durations.
            self._firing_at = timer.due if self._mode == "realtime" else max(timer.due, self.now())
            try:
                timer.callback()
            except Exception:  # a broken callback must not stop the clock for everyone else
                log.exception("timer callback failed")
            finally:
                self._firing_at = None
            fired += 1

    def _set_now(self, value: float) -> None:
        if value > self.now():
            self._anchor_virtual = value
            self._anchor_real = time.monotonic()

    def _drop_cancelled_head(self) -> None:
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)

    # ----------------------------------------------------------------- realtime driver
    def _kick(self) -> None:
        """Wake (or lazily start) the driver task when a timer or the mode changed."""
        if self._mode != "realtime":
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (plain unit tests): timers fire when someone advances the clock
        if self._driver is None or self._driver.done():
            self._wake = asyncio.Event()
            self._driver = loop.create_task(self._drive())
        elif self._wake is not None:
            self._wake.set()

    async def _drive(self) -> None:
        assert self._wake is not None
        wake = self._wake
        while self._mode == "realtime":
            due = self.next_due()
            if due is None:
                await wake.wait()
                wake.clear()
                continue
            delay = (due - self.now()) / self._scale
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), delay)
                wake.clear()
                continue
            now = self.now()
            self._fire_until(now)
        self._driver = None

    def stop_driver(self) -> None:
        """Cancel the realtime driver without waiting for it (from sync teardown code). Its
        loop may be closed already; then there is nothing left to cancel."""
        driver, self._driver = self._driver, None
        if driver is not None and not driver.done():
            with contextlib.suppress(RuntimeError):
                driver.cancel()

    async def aclose(self) -> None:
        self.cancel_all()
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._driver
            self._driver = None


def iso(ts: float) -> str:
    """RFC 3339 in UTC with a ``Z``: the form Go's time.Time and JavaScript's Date both parse.

    Every SSE event and status answer prints a few of these, so building a datetime each time
    was most of an SSE test event's cost. Same text as ``datetime.fromtimestamp(ts, UTC)
    .isoformat(timespec="milliseconds")`` (which rounds to microseconds half-even, then
    truncates to milliseconds), with the whole-second part cached."""
    frac, whole = math.modf(ts)
    micros = round(frac * 1e6)
    if micros >= 1_000_000:
        whole, micros = whole + 1, micros - 1_000_000
    elif micros < 0:
        whole, micros = whole - 1, micros + 1_000_000
    return f"{_iso_seconds(int(whole))}.{micros // 1000:03d}Z"


@functools.lru_cache(maxsize=4096)
def _iso_seconds(whole: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` of a whole unix second (a running clock reuses each one)."""
    return datetime.fromtimestamp(whole, UTC).isoformat()[:19]
