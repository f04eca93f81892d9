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
from emulator.interactly.ws_protocol import Reply, RunStream
from emulator.web.auth import bearer_token, registry

router = APIRouter()
Batches = asyncio.Queue[list[dict[str, Any]]]


def websocket_namespace(ws: WebSocket) -> Namespace | None:
    """By a single-use session token (``?token=``, from ``GET /v1/session``), else by the
    Authorization header."""
    token = ws.query_params.get("token")
    if token:
        key = token.split(".", 1)[0]
        ns = registry(ws).by_key(key)
        if ns is not None and interactly(ns).consume_session(token):
            return ns
        return None
    try:
        return registry(ws).get(bearer_token(ws))
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
    try:
        text = await receive_text(ws)
        while text is not None:
            if not await send(ws, stream.receive(text)):
                return
            text = await next_text(ws, stream, background)
    finally:
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


async def next_text(ws: WebSocket, stream: RunStream, background: Batches) -> str | None:
    """Send background events until the client sends its next frame. None when the client
    left or background work finished the run (the socket is then closed)."""
    receive = asyncio.ensure_future(receive_text(ws))
    try:
        while True:
            pumped = asyncio.ensure_future(background.get())
            done, _ = await asyncio.wait({receive, pumped},
                                         return_when=asyncio.FIRST_COMPLETED)
            if pumped not in done:
                pumped.cancel()
                return receive.result()
            if not await send(ws, stream.pumped(pumped.result(),
                                                more_queued=not background.empty())):
                return None
    finally:
        if not receive.done():
            receive.cancel()
