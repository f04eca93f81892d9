"""Per-namespace event fan-out for streaming subscribers, and the end of every open stream of a
namespace (SSE subscribers and attached WebSockets) when it is reset or deleted.

Each event is encoded once into its final wire bytes and the same bytes object goes to every
subscriber. Publishing never blocks and never awaits: it runs inside clock callbacks, so a slow
or dead subscriber must not stall the state machine or the other subscribers. A subscriber that
stays more than ``LAG_FRAMES`` behind for ``STALL_SECONDS`` (a stalled client), or falls
``QUEUE_SIZE`` behind at all, is dropped (its stream ends; clients reconnect or poll). A burst is
no reason: one clock advance (``run-until-idle``) that ends a few hundred executions publishes
thousands of events before any subscriber can run, and used to drop every one of them.

Recent *terminal* events are kept for replay: a client that connects just after its execution
finished (the GitHub Action opens its stream after the POST) still sees the outcome.

Streams do not outlive what they follow: :meth:`Broker.end` (a namespace reset or deletion) sends
each SSE subscriber a last ``reset`` event and ends it, and asks every attached socket (the
Interactly run WebSocket) to close. A stream kept open across a reset went on reporting runs the
namespace no longer had.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable
from typing import Any

# Queue entries are the shared frames (a pointer each), so the hard bound can be generous; the
# memory a stalled subscriber pins is bounded by the stall rule long before.
QUEUE_SIZE = 65_536
LAG_FRAMES = 1024
STALL_SECONDS = 10.0  # wall time: how long a client may take to drain a backlog
REPLAY_SIZE = 256

Encoder = Callable[[str, Any], bytes]
# Told why its namespace's streams end; a socket closes itself (it runs on the same loop).
Closer = Callable[[str], None]
RESET_EVENT = "reset"


def sse_frame(event: str, data: Any) -> bytes:
    """One SSE message: a named event, one line of compact JSON, LF line endings only."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event}\ndata: {body}\n\n".encode()


class Subscription:
    """A subscriber's bounded queue. ``None`` in the queue means "stream is over"."""

    def __init__(self, broker: Broker, size: int) -> None:
        self._broker = broker
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(size)
        self.dropped = False
        self.behind_since: float | None = None  # when its backlog last went over LAG_FRAMES
        self._ended = False  # next_batch took the end marker along with the last frames

    def offer(self, frame: bytes | None) -> bool:
        try:
            self.queue.put_nowait(frame)
            return True
        except asyncio.QueueFull:
            return False

    async def next(self) -> bytes | None:
        return await self.queue.get()

    async def next_batch(self) -> bytes | None:
        """Every frame queued so far as one bytes object (``None`` once the stream is over).

        Frames come in bursts: a clock advance fires many transitions at once and a terminal
        event is two frames. Sending them together costs a stream one ASGI send and one socket
        write per burst instead of one per event, which is most of what a subscriber costs the
        server."""
        if self._ended:
            return None
        frame = await self.queue.get()
        if frame is None or self.queue.empty():
            return frame
        frames = [frame]
        while not self.queue.empty():
            more = self.queue.get_nowait()
            if more is None:
                self._ended = True
                break
            frames.append(more)
        return b"".join(frames)

    def close(self) -> None:
        self._broker.unsubscribe(self)


class Broker:
    def __init__(self, encode: Encoder = sse_frame, queue_size: int = QUEUE_SIZE,
                 replay_size: int = REPLAY_SIZE, lag_frames: int = LAG_FRAMES,
                 stall_seconds: float = STALL_SECONDS) -> None:
        self._encode = encode
        self._queue_size = queue_size
        self._lag_frames = lag_frames
        self._stall_seconds = stall_seconds
        # A dict as an ordered set: unsubscribing is O(1) when a thousand streams close.
        self._subscribers: dict[Subscription, None] = {}
        self._replay: deque[bytes] = deque(maxlen=replay_size)
        self._closers: dict[Closer, None] = {}
        self.published = 0
        self.dropped = 0

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> Subscription:
        """New subscription, primed with the replay buffer (oldest first)."""
        sub = Subscription(self, self._queue_size + len(self._replay))
        for frame in self._replay:
            sub.offer(frame)
        self._subscribers[sub] = None
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.pop(sub, None)

    def publish(self, event: str, data: Any, *, replay: bool = False) -> bytes:
        frame = self._encode(event, data)
        self.published += 1
        if replay:
            self._replay.append(frame)
        now = None
        for sub in list(self._subscribers):
            if not sub.offer(frame):
                self._drop(sub)
            elif sub.queue.qsize() > self._lag_frames:
                now = time.monotonic() if now is None else now
                if sub.behind_since is None:
                    sub.behind_since = now
                elif now - sub.behind_since > self._stall_seconds:
                    self._drop(sub)
            elif sub.behind_since is not None:
                sub.behind_since = None
        return frame

    def _drop(self, sub: Subscription) -> None:
        """Too slow (or gone without closing): detach, discard its backlog, end its stream."""
        self.unsubscribe(sub)
        sub.dropped = True
        self.dropped += 1
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.offer(None)

    def clear_replay(self) -> None:
        self._replay.clear()

    def attach(self, closer: Closer) -> Callable[[], None]:
        """Register a stream that is no subscription (a WebSocket) to be ended with the others;
        answers the function that detaches it again."""
        self._closers[closer] = None

        def detach() -> None:
            self._closers.pop(closer, None)

        return detach

    def end(self, reason: str, namespace: str) -> None:
        """End every stream: SSE subscribers after a last ``reset`` event (its backlog is
        dropped: what it reported is gone), attached sockets through their closer."""
        frame = self._encode(RESET_EVENT, {"reason": reason, "namespace": namespace})
        for sub in list(self._subscribers):
            self.unsubscribe(sub)
            while not sub.queue.empty():
                sub.queue.get_nowait()
            sub.offer(frame)
            sub.offer(None)
        self._close_sockets(reason)

    def _close_sockets(self, reason: str) -> None:
        closers, self._closers = list(self._closers), {}
        for closer in closers:
            closer(reason)

    def close(self) -> None:
        for sub in list(self._subscribers):
            self.unsubscribe(sub)
            sub.offer(None)
        self._close_sockets("namespace closed")
