"""``WS /v1/workflow-runs/ws``: a run streamed event by event (spec §3).

The client sends one run-input frame; the server answers with an ack frame (no ``type``), then
one frame per event. A finished run closes with 1000; a waiting run keeps the socket open and
takes further run-input frames as the next turns; a client that leaves while the run waits
leaves it ``waiting_for_user_input``. Close 4006: the start frame carried ``initial_state``;
4007: a ``rerun_token`` that is unknown, expired, minted for another workflow/version, or whose
workflow changed since. A valid token starts a re-run from its projection; the start frame is
then the re-run's first turn (its messages, if any, answered from the restored position).

Runs driven here store their hydrated config and per-turn checkpoints (``Runs.mark_streamed``),
which is what makes them re-runnable; REST runs are not.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError

from emulator.core.errors import ApiError
from emulator.core.namespaces import Namespace
from emulator.core.strict_json import strict_json_loads
from emulator.interactly.driver import BackgroundDriver
from emulator.interactly.engine import Run
from emulator.interactly.reruns import RerunTokenInvalid, reruns
from emulator.interactly.routes.runs import parse_input
from emulator.interactly.state import interactly
from emulator.web.auth import bearer_token, registry

router = APIRouter()
MAX_FRAME = 1024 * 1024


def websocket_namespace(ws: WebSocket) -> Namespace | None:
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


async def receive_input(ws: WebSocket) -> dict[str, Any] | None:
    """The next run-input frame, or None after closing the socket for a bad one."""
    try:
        text = await ws.receive_text()
    except WebSocketDisconnect:
        return None
    if len(text) > MAX_FRAME:
        await ws.close(1009, "Frame too large")
        return None
    try:
        frame = strict_json_loads(text)  # NaN, lone surrogates, absurd nesting: refused too
    except ValueError:
        await ws.close(1007, "Frames must be JSON run inputs")
        return None
    if not isinstance(frame, dict):
        await ws.close(1007, "Frames must be JSON objects")
        return None
    return frame


@router.websocket("/v1/workflow-runs/ws")
async def run_stream(ws: WebSocket) -> None:
    ns = websocket_namespace(ws)
    if ns is None:
        await ws.close(1008, "Not authenticated")
        return
    await ws.accept()
    frame = await receive_input(ws)
    if frame is None:
        return
    if frame.get("initial_state") is not None:
        await ws.close(4006, "initial_state is not accepted over the WebSocket")
        return
    runs = interactly(ns).runs
    workflow_id = str(frame.get("workflow_id") or "")
    team, user = ws.headers.get("teamid", ""), ws.headers.get("uuid", "")
    run_id: str | None = None
    acked = False
    if frame.get("rerun_token") is not None:
        run_id = await start_rerun(ws, ns, frame, workflow_id, team, user)
        if run_id is None:
            return
        frame = {k: v for k, v in frame.items() if k != "rerun_token"}
    background: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    driver: BackgroundDriver | None = None
    try:
        while True:
            try:
                run_input = parse_input(frame, ("frame",))
                run, events = runs.execute(workflow_id, run_input, run_id, None, team, user)
            except (ApiError, RequestValidationError) as exc:
                detail = exc.detail if isinstance(exc, ApiError) else exc.errors()
                await ws.close(4000 if not acked else 4004, str(detail)[:120])
                return
            if not acked:
                acked, run_id = True, run.id
                runs.mark_streamed(run)
                driver = BackgroundDriver(ns.clock, runs, run, background.put_nowait)
                await ws.send_json({"workflow_run_id": run.id, "workflow_id": run.workflow_id,
                                    "message": "Workflow run started"})
            for event in events:
                await ws.send_json(event)
            if run.completed:
                await ws.close(1000)
                return
            assert driver is not None
            driver.arm()
            frame = await next_frame(ws, run, background)
            if frame is None:
                return  # the client left (the run stays waiting) or the run finished
            frame.setdefault("command", "data")
    finally:
        if driver is not None:
            driver.close()


async def start_rerun(ws: WebSocket, ns: Namespace, frame: dict[str, Any], workflow_id: str,
                      team: str, user: str) -> str | None:
    """Redeem the start frame's ``rerun_token``: the id of the restored run, or None after
    closing 4007 (bad token) or 4000 (a malformed frame)."""
    token, version = frame.get("rerun_token"), frame.get("version_number")
    if not isinstance(token, str) or not (version is None or isinstance(version, int)):
        await ws.close(4007, "Invalid or expired rerun_token")
        return None
    service = reruns(interactly(ns))
    try:
        projection = service.redeem(token, workflow_id, version)
    except RerunTokenInvalid as exc:
        await ws.close(4007, str(exc)[:120])
        return None
    return service.start(projection, team, user).id


async def next_frame(ws: WebSocket, run: Run,
                     background: asyncio.Queue[list[dict[str, Any]]]) -> dict[str, Any] | None:
    """Stream background events until the client sends its next run input. None when the
    client left or background work finished the run (the socket is then closed with 1000)."""
    receive = asyncio.ensure_future(receive_input(ws))
    try:
        while True:
            pumped = asyncio.ensure_future(background.get())
            done, _ = await asyncio.wait({receive, pumped},
                                         return_when=asyncio.FIRST_COMPLETED)
            if pumped not in done:
                pumped.cancel()
                return receive.result()
            for event in pumped.result():
                await ws.send_json(event)
            if run.completed and background.empty():  # a manual clock may queue several
                await ws.close(1000)
                return None
    finally:
        if not receive.done():
            receive.cancel()
