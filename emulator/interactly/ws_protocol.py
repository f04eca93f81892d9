"""The run WebSocket's protocol (spec §3), without the socket: frames in, frames out.

``WS /v1/workflow-runs/ws`` (``emulator/interactly/routes/stream.py``) only accepts, receives
text and sends what :class:`RunStream` answers, so every rule of the conversation lives here and
is tested without a socket (``tests/unit/test_interactly_ws_protocol.py``):

* the client sends one run-input frame; the answer is an ack frame (no ``type``), then one frame
  per event. A finished run closes with 1000; a waiting run keeps the socket open and takes
  further run-input frames (``command`` defaulting to ``data``) as its next turns;
* while the client is quiet, background work (companions, waiting edges) is pumped by the
  namespace clock (:class:`~emulator.interactly.driver.BackgroundDriver`); its events are sent
  as they come, and the socket closes with 1000 once they finish the run;
* refusals close the socket: 1009 a frame over :data:`MAX_FRAME` characters, 1007 a frame that
  is not a JSON object, 4006 a start frame with ``initial_state``, 4007 a ``rerun_token`` that
  is unknown, expired, minted for another workflow/version or whose workflow changed since,
  4000 a start the service refuses and 4004 a later turn it refuses (the reason is the error,
  cut to 120 characters, what fits a close frame);
* 4012 (:data:`NAMESPACE_CLOSED`) when the namespace is reset or deleted under an open socket,
  the reason saying which: the run it drove is gone.

A valid ``rerun_token`` starts a re-run from its projection; the start frame is then the
re-run's first turn. Runs driven here store their hydrated config and per-turn checkpoints
(``Runs.mark_streamed``), which is what makes them re-runnable; REST runs are not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError

from emulator.core.errors import ApiError
from emulator.core.strict_json import strict_json_loads
from emulator.interactly.driver import BackgroundDriver
from emulator.interactly.reruns import RerunTokenInvalid
from emulator.interactly.run_input import parse_input

if TYPE_CHECKING:
    from emulator.interactly.engine import Run
    from emulator.interactly.state import InteractlyState

MAX_FRAME = 1024 * 1024
REASON_LIMIT = 120  # a close frame's reason must fit in 123 bytes
NAMESPACE_CLOSED = 4012
Frame = dict[str, Any]


@dataclass(frozen=True)
class Close:
    """Close the socket with this code and reason."""

    code: int
    reason: str = ""


@dataclass
class Reply:
    """What the socket does next: send ``frames`` in order, then close when ``close`` is set
    (else wait for the client's next frame or background events)."""

    frames: list[Frame] = field(default_factory=list)
    close: Close | None = None


def read_frame(text: str) -> Frame | Close:
    """A client frame as a JSON object, or why the socket closes instead. NaN, lone
    surrogates and absurd nesting are refused as well (``strict_json_loads``)."""
    if len(text) > MAX_FRAME:
        return Close(1009, "Frame too large")
    try:
        frame = strict_json_loads(text)
    except ValueError:
        return Close(1007, "Frames must be JSON run inputs")
    if not isinstance(frame, dict):
        return Close(1007, "Frames must be JSON objects")
    return frame


class RunStream:
    """One socket's run. ``deliver`` is called (from a clock timer) with the events background
    work produced; the socket hands each such batch back through :meth:`pumped`."""

    def __init__(self, state: InteractlyState, team: str, user: str,
                 deliver: Callable[[list[Frame]], None]) -> None:
        self.state = state
        self.team = team
        self.user = user
        self.deliver = deliver
        self.workflow_id = ""
        self.run: Run | None = None  # set once the start frame was accepted (and acked)
        self._run_id: str | None = None  # a re-run's restored run before its first turn
        self._driver: BackgroundDriver | None = None

    def receive(self, text: str) -> Reply:
        """The answer to one frame the client sent."""
        frame = read_frame(text)
        if isinstance(frame, Close):
            return Reply(close=frame)
        if self.run is None:
            return self._start(frame)
        frame.setdefault("command", "data")
        return self._turn(frame)

    def pumped(self, events: list[Frame], more_queued: bool) -> Reply:
        """Events background work produced while the client was quiet. ``more_queued``: other
        batches are already waiting (a manual clock may fire several timers at once), so the
        socket stays open for them even if the run has finished."""
        finished = self.run is not None and self.run.completed and not more_queued
        return Reply(list(events), Close(1000) if finished else None)

    def close(self) -> None:
        """The socket is gone: stop pumping (a waiting run stays ``waiting_for_user_input``)."""
        if self._driver is not None:
            self._driver.close()

    # ------------------------------------------------------------------ internals
    def _start(self, frame: Frame) -> Reply:
        if frame.get("initial_state") is not None:
            return Reply(close=Close(4006, "initial_state is not accepted over the WebSocket"))
        self.workflow_id = str(frame.get("workflow_id") or "")
        if frame.get("rerun_token") is not None:
            refused = self._redeem(frame)
            if refused is not None:
                return Reply(close=refused)
            frame = {k: v for k, v in frame.items() if k != "rerun_token"}
        return self._turn(frame)

    def _redeem(self, frame: Frame) -> Close | None:
        """Spend the start frame's ``rerun_token``: the restored run becomes the run this
        socket drives, else the reason to close (4007)."""
        token, version = frame.get("rerun_token"), frame.get("version_number")
        if not isinstance(token, str) or not (version is None or isinstance(version, int)):
            return Close(4007, "Invalid or expired rerun_token")
        reruns = self.state.reruns
        try:
            projection = reruns.redeem(token, self.workflow_id, version)
        except RerunTokenInvalid as exc:
            return Close(4007, str(exc)[:REASON_LIMIT])
        self._run_id = reruns.start(projection, self.team, self.user).id
        return None

    def _turn(self, frame: Frame) -> Reply:
        first = self.run is None
        runs = self.state.runs
        try:
            run_input = parse_input(frame, ("frame",))
            run, events = runs.execute(self.workflow_id, run_input, self._run_id, None,
                                       self.team, self.user)
        except (ApiError, RequestValidationError) as exc:
            detail = exc.detail if isinstance(exc, ApiError) else exc.errors()
            return Reply(close=Close(4000 if first else 4004, str(detail)[:REASON_LIMIT]))
        frames: list[Frame] = []
        if self._driver is None:
            self.run, self._run_id = run, run.id
            runs.mark_streamed(run)
            self._driver = BackgroundDriver(self.state.ns.clock, runs, run, self.deliver)
            frames.append({"workflow_run_id": run.id, "workflow_id": run.workflow_id,
                           "message": "Workflow run started"})
        frames.extend(events)
        if run.completed:
            return Reply(frames, Close(1000))
        self._driver.arm()  # background work due later reaches the socket through `deliver`
        return Reply(frames)
