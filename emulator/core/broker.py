"""Per-namespace event fan-out for streaming subscribers (SSE now, WebSockets later).

Each event is encoded once into its final wire bytes and the same bytes object goes to every
subscriber. Publishing never blocks and never awaits: it runs inside clock callbacks, so a slow
or dead subscriber must not stall the state machine or the other subscribers. A subscriber whose
bounded queue overflows is dropped (its stream ends; clients reconnect or fall back to polling).

Recent *terminal* events are kept for replay: a client that connects just after its execution
finished (the GitHub Action opens its stream after the POST) still sees the outcome.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from typing import Any

QUEUE_SIZE = 1024
REPLAY_SIZE = 256

Encoder = Callable[[str, Any], bytes]


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

    def offer(self, frame: bytes | None) -> bool:
        try:
            self.queue.put_nowait(frame)
            return True
        except asyncio.QueueFull:
            return False

    async def next(self) -> bytes | None:
        return await self.queue.get()

    def close(self) -> None:
        self._broker.unsubscribe(self)


class Broker:
    def __init__(self, encode: Encoder = sse_frame, queue_size: int = QUEUE_SIZE,
                 replay_size: int = REPLAY_SIZE) -> None:
        self._encode = encode
        self._queue_size = queue_size
        self._subscribers: list[Subscription] = []
        self._replay: deque[bytes] = deque(maxlen=replay_size)
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
        self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def publish(self, event: str, data: Any, *, replay: bool = False) -> bytes:
        frame = self._encode(event, data)
        self.published += 1
        if replay:
            self._replay.append(frame)
        for sub in list(self._subscribers):
            if not sub.offer(frame):
                self._drop(sub)
        return frame

    def _drop(self, sub: Subscription) -> None:
        """Too slow: detach, discard its backlog and end its stream."""
        self.unsubscribe(sub)
        sub.dropped = True
        self.dropped += 1
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.offer(None)

    def clear_replay(self) -> None:
        self._replay.clear()

    def close(self) -> None:
        for sub in list(self._subscribers):
            self.unsubscribe(sub)
            sub.offer(None)
