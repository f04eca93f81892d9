"""``WS /v1/workflow-runs/ws``: a run streamed event by event (spec §3).

Only the socket lives here: who the caller is, accepting, receiving text, sending frames,
closing, and handing background events (pumped by a clock timer) to the socket. What to answer
is :class:`emulator.interactly.ws_protocol.RunStream`'s business; the protocol is described
there.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from emulator.core.errors import ApiError
from emulator.core.namespaces import Namespace
from emulator.interactly.state import interactly
from emulator.interactly.ws_protocol import NAMESPACE_CLOSED, REASON_LIMIT, Reply, RunStream
from emulator.web.auth import bearer_token, claim, registry

router = APIRouter()
Batches = asyncio.Queue[list[dict[str, Any]]]
Ended = asyncio.Future[str]  # why the namespace's streams were ended


def websocket_namespace(ws: WebSocket) -> Namespace | None:
    """By a single-use session token (``?token=``, from ``GET /v1/session``), else by the
    Authorization header."""
    token = ws.query_params.get("token")
    if token:
        key = token.split(".", 1)[0]
        ns = registry(ws).by_key(key)
        if ns is not None and interactly(ns).consume_session(token):
            return claim(ws, ns)
        return None
    try:
        return claim(ws, registry(ws).get(bearer_token(ws)))
    except ApiError:
        return None


@router.websocket("/v1/workflow-runs/ws")
async def run_stream(ws: WebSocket) -> None:
    ns = websocket_namespace(ws)
    if ns is None:
        await ws.close(1008, "Not authenticated")
        return
    await ws.accept()
    background: Batches = asyncio.Queue()
    stream = RunStream(interactly(ns), ws.headers.get("teamid", ""), ws.headers.get("uuid", ""),
                       background.put_nowait)
    ns.connections += 1  # an open socket: the namespace is not evicted under it
    ended: Ended = asyncio.get_running_loop().create_future()

    def end(reason: str) -> None:  # the namespace was reset or deleted under the socket
        if not ended.done():
            ended.set_result(reason)

    detach = ns.broker.attach(end)
    try:
        text = await next_text(ws, stream, background, ended)
        while text is not None:
            if not await send(ws, stream.receive(text)):
                return
            text = await next_text(ws, stream, background, ended)
    finally:
        detach()
        ns.connections -= 1
        stream.close()


async def receive_text(ws: WebSocket) -> str | None:
    """The client's next frame, None once it left."""
    try:
        return await ws.receive_text()
    except WebSocketDisconnect:
        return None


async def send(ws: WebSocket, reply: Reply) -> bool:
    """Send a reply; False when it closed the socket."""
    for frame in reply.frames:
        await ws.send_json(frame)
    if reply.close is not None:
        await ws.close(reply.close.code, reply.close.reason)
        return False
    return True


async def next_text(ws: WebSocket, stream: RunStream, background: Batches,
                    ended: Ended) -> str | None:
    """Send background events until the client sends its next frame. None when the client
    left, background work finished the run or the namespace was reset (the socket is then
    closed: 4012 for a reset, :data:`NAMESPACE_CLOSED`)."""
    receive = asyncio.ensure_future(receive_text(ws))
    try:
        while True:
            pumped = asyncio.ensure_future(background.get())
            waiting: set[asyncio.Future[Any]] = {receive, pumped, ended}
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if ended.done():
                pumped.cancel()
                if not receive.done() or receive.result() is not None:  # still connected
                    await ws.close(NAMESPACE_CLOSED, ended.result()[:REASON_LIMIT])
                return None
            if pumped not in done:
                pumped.cancel()
                return receive.result()
            if not await send(ws, stream.pumped(pumped.result(),
                                                more_queued=not background.empty())):
                return None
    finally:
        if not receive.done():
            receive.cancel()
