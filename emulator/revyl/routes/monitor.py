"""``GET /api/v1/monitor/stream/unified``: the org-wide SSE stream (LF framing, named events,
one-line JSON). Subscribes before building ``initial_state`` so nothing falls in between."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sse_starlette import EventSourceResponse

from emulator.core.auth import namespace
from emulator.core.broker import sse_frame
from emulator.core.namespaces import Namespace
from emulator.core.routing import api_router
from emulator.revyl.state import revyl

router = api_router("Revyl: monitor")
Ns = Annotated[Namespace, Depends(namespace)]


@router.get("/api/v1/monitor/stream/unified")
async def unified_stream(ns: Ns, include_queued: bool = True) -> EventSourceResponse:
    monitor = revyl(ns).monitor
    subscription = ns.broker.subscribe()
    monitor.ensure_heartbeat()
    opening = [sse_frame("connection_ready", monitor.connection_ready()),
               sse_frame("initial_state", monitor.initial_state(include_queued))]

    async def frames() -> AsyncIterator[bytes]:
        try:
            for frame in opening:
                yield frame
            while (frame := await subscription.next()) is not None:
                yield frame
        finally:
            subscription.close()

    # LF only: scripts/poll.sh reads lines with bash `read` and never matches "...\r".
    return EventSourceResponse(frames(), sep="\n",
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
