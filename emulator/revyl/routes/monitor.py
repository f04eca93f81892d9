"""``GET /api/v1/monitor/stream/unified``: the org-wide SSE stream (LF framing, named events,
one-line JSON). Subscribes before building ``initial_state`` so nothing falls in between, and
only once the stream starts (so it always unsubscribes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sse_starlette import EventSourceResponse
from starlette.types import Message, Send

from emulator.core.broker import sse_frame
from emulator.core.namespaces import Namespace
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import media
from emulator.web.routing import api_router

router = api_router("Revyl: monitor")
Ns = Annotated[Namespace, Depends(namespace)]


class MonitorStream(EventSourceResponse):
    """sse-starlette wraps every send in an anyio cancel scope for its optional send timeout.
    None is set here, so that scope is pure overhead, paid per subscriber per event: about a
    quarter of the server's CPU when an event fans out to a thousand streams."""

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        if self.send_timeout is None:
            await send(message)
        else:
            await super()._send_with_timeout(send, message)


# The stream's events (spec §6.3), each one ``event:`` line and one ``data:`` line of JSON.
STREAM = media(200, "text/event-stream",
               "Org-wide SSE: connection_ready, initial_state, then test_* / workflow_* events "
               "and heartbeats as they happen, until the client disconnects")


@router.get("/api/v1/monitor/stream/unified", response_class=MonitorStream, responses=STREAM)
async def unified_stream(ns: Ns, include_queued: bool = True) -> EventSourceResponse:
    monitor = revyl(ns).monitor

    async def frames() -> AsyncIterator[bytes]:
        # Subscribed in here, where ``finally`` is sure to run: a client that is gone before
        # the first frame goes out means this generator never starts, and a subscription made
        # in the handler then stayed in the broker forever (queueing frames, keeping the
        # heartbeat armed).
        subscription = ns.broker.subscribe()
        try:
            monitor.ensure_heartbeat()
            yield sse_frame("connection_ready", monitor.connection_ready())
            yield sse_frame("initial_state", monitor.initial_state(include_queued))
            while (burst := await subscription.next_batch()) is not None:
                yield burst  # every frame queued meanwhile, in one send
        finally:
            subscription.close()

    # LF only: scripts/poll.sh reads lines with bash `read` and never matches "...\r".
    return MonitorStream(frames(), sep="\n",
                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
