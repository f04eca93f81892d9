"""Background work of a WebSocket-driven run, moved by the namespace clock (spec §3: "the
WebSocket driver pumps background work itself while it waits for the next message").

A timer is armed for the moment the run next has background work due; when it fires, the
driver pumps the run and hands the events to the socket. The pump happens inside the timer
callback, so a manual clock's ``advance`` / ``run-until-idle`` moves companions exactly like
real time does, and the next timer is armed before the callback returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core.clock import Timer, VirtualClock
from emulator.interactly.engine import Run
from emulator.interactly.runs import Runs


class BackgroundDriver:
    def __init__(self, clock: VirtualClock, runs: Runs, run: Run,
                 deliver: Callable[[list[dict[str, Any]]], None]) -> None:
        self.clock = clock
        self.runs = runs
        self.run = run
        self.deliver = deliver
        self._timer: Timer | None = None
        self.closed = False

    def arm(self) -> None:
        """(Re)arm the timer for the next due background work, if any."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.closed or not self.run.background_work:
            return
        due = self.runs.engine.next_due(self.run)
        if due is not None:
            self._schedule(due)

    def _schedule(self, due: float) -> None:
        # Companions are bounded (their self loops end), so they keep run-until-idle going;
        # a parked thread's waiting edge may stay armed forever, so it alone does not.
        self._timer = self.clock.call_at(due, self._fire,
                                         background=not self.run.active_companions())

    def _fire(self) -> None:
        self._timer = None
        if self.closed or self.runs.by_id.get(self.run.id) is not self.run:
            return  # the socket went away, or the run was deleted
        before = self.clock.now()
        events = self.runs.advance(self.run)
        if events:
            self.deliver(events)
        due = self.runs.engine.next_due(self.run)
        if due is not None and due <= before and not events:
            # Armed but not yet evaluable (debounced at this instant): try again a moment later
            # rather than spinning on the same timestamp.
            due = before + 0.05
        if self.run.background_work and due is not None:
            self._schedule(due)

    def close(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
