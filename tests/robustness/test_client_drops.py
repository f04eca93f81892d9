"""Clients that go away mid-request leave nothing behind: no task, no broker subscriber, no
partial upload, no memory that grows with the number of drops.

1,000 drops are driven at the raw ASGI level (our own ``scope``/``receive``/``send``), so each
one happens at an exact point and nothing waits on wall-clock time: ``receive`` hands the app a
few body chunks and then ``http.disconnect``, or blocks on an :class:`asyncio.Event` that
``send`` sets once the app has sent what we wanted to see (the SSE opening frames, a heartbeat,
the WebSocket's ``workflow_ready_for_input``). The mix:

- a multipart ``stream-upload`` that stops after two 8 KiB chunks (chunked, and with a
  Content-Length that promised more), and a presigned ``PUT /_emulator/uploads/...`` likewise;
- SSE subscribers of ``/api/v1/monitor/stream/unified`` that leave before the first frame
  (while the response start is still being sent), after the opening frames, or after a
  heartbeat published by the namespace clock; the dashboard's ``/_emulator/ui/stream`` too;
- WebSocket clients of ``/v1/workflow-runs/ws`` that close before their start frame, while the
  run waits for input, or after a second turn (Interactly has no SSE run stream: runs stream
  over this WebSocket only).
"""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from emulator.interactly.state import interactly
from emulator.pytest_plugin import IN_PROCESS_URL, fresh_token
from emulator.revyl.state import RevylState
from emulator.settings import Settings
from emulator.web.lazy import ensure_all

pytestmark = pytest.mark.anyio

ANDROID = "a1000000-0000-4000-8000-000000000001"
DROPS = 1000
WARMUP_ROUNDS = 10
JOURNAL_LIMIT = 32
CHUNK = b"\x00" * 8192
BOUNDARY = b"drop-boundary"
DROPPED_VERSION = "9.9.9-dropped"
# Memory growth allowed over 1,000 drops. The smallest thing a leaking drop can keep is a
# broker Subscription (an asyncio.Queue with its deque and getters; ~4 KiB measured), a pending
# Task with its coroutine frame (~2 KiB) or an upload's received chunks (16 KiB here): 1,000
# leaked drops keep >= ~2 MiB. 256 KiB (~260 bytes a drop) is far under that and ~5x the growth
# measured without a leak (35-56 KiB: first-use caches that stop growing, such as timestamps
# and decoder objects, and the bounded journal's turnover). With the pre-fix SSE route, the 100
# "before" drops alone (a tenth of the mix) left 110 subscribers and grew memory by ~420 KiB.
MEMORY_BOUND = 256 * 1024
STATIC_WAITING = {"name": "drops-chat"}  # a default chat workflow: waits for user input

Message = dict[str, Any]


@pytest.fixture
def emulator_settings() -> Settings:
    """Manual clock; a small journal, so its memory (bounded by design) is saturated during
    the warm-up and does not count as growth."""
    return Settings(clock="manual", seed=0, journal_limit=JOURNAL_LIMIT)


# ------------------------------------------------------------------------- ASGI plumbing
def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]],
               query: bytes = b"") -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "method": method, "scheme": "http", "path": path,
            "raw_path": path.encode(), "query_string": query, "root_path": "",
            "headers": [(b"host", b"emulator.test"), *headers],
            "client": ("127.0.0.1", 50000), "server": ("emulator.test", 80)}


def ws_scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "websocket", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "scheme": "ws", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "subprotocols": [],
            "headers": [(b"host", b"emulator.test"), *headers],
            "client": ("127.0.0.1", 50000), "server": ("emulator.test", 80)}


@dataclass
class Peer:
    """The client side of one connection: everything the app sent, and a disconnect flag
    after which sends fail as they do on a closed socket (uvicorn raises OSError there)."""

    sent: list[Message] = field(default_factory=list)
    gone: bool = False

    def status(self) -> int | None:
        start = next((m for m in self.sent if m["type"] == "http.response.start"), None)
        return start["status"] if start else None

    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent
                        if m["type"] == "http.response.body")


async def serve(app: Any, scope: dict[str, Any], receive: Callable[[], Awaitable[Message]],
                send: Callable[[Message], Awaitable[None]], peer: Peer) -> None:
    """Run one connection. ASGI 2.4 lets a server raise ``OSError`` from ``send`` once the
    client is gone, and an app may let it escape (uvicorn then closes the connection): that
    one is tolerated, only after our own disconnect."""
    try:
        await app(scope, receive, send)
    except OSError:
        if not peer.gone:
            raise


def chunks_then_disconnect(parts: list[bytes], peer: Peer) -> Callable[[], Awaitable[Message]]:
    """``receive``: the body parts (more to come after each), then the client is gone."""
    queue = list(parts)

    async def receive() -> Message:
        if queue:
            return {"type": "http.request", "body": queue.pop(0), "more_body": True}
        peer.gone = True
        return {"type": "http.disconnect"}
    return receive


def multipart_head(file_name: str = "app.apk") -> bytes:
    return (b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename=\"" + file_name.encode() + b"\"\r\nContent-Type: "
            b"application/octet-stream\r\n\r\n")


# ------------------------------------------------------------------------- the drops
@dataclass
class Target:
    """One in-process app seen by one namespace, with what the drops need."""

    app: Any
    token: str
    namespace: Any
    upload_path: str  # a presigned PUT target (session opened, never completed)
    workflow_id: str  # an Interactly chat workflow that waits for input
    client: httpx.AsyncClient

    def auth(self) -> list[tuple[bytes, bytes]]:
        return [(b"authorization", f"Bearer {self.token}".encode())]


async def drop_stream_upload(t: Target, chunked: bool) -> None:
    """Multipart upload: the file part's head and two chunks, then the client is gone."""
    peer = Peer()
    parts = [multipart_head(), CHUNK, CHUNK]
    length = (b"transfer-encoding", b"chunked") if chunked else (
        b"content-length", str(sum(map(len, parts)) * 4).encode())  # promised more
    scope = http_scope("POST", f"/api/v1/apps/{ANDROID}/builds/stream-upload", [
        *t.auth(), (b"content-type", b"multipart/form-data; boundary=" + BOUNDARY), length],
        query=f"version={DROPPED_VERSION}".encode())

    async def send(message: Message) -> None:
        peer.sent.append(message)

    await serve(t.app, scope, chunks_then_disconnect(parts, peer), send, peer)
    assert peer.gone and (peer.status() is None or 400 <= peer.status() < 500), peer.sent


async def drop_presigned_put(t: Target) -> None:
    """The CLI's PUT of the artifact to its presigned URL, cut after two chunks."""
    peer = Peer()
    scope = http_scope("PUT", t.upload_path, [(b"content-type", b"application/octet-stream"),
                                              (b"content-length", b"1000000")])

    async def send(message: Message) -> None:
        peer.sent.append(message)

    await serve(t.app, scope, chunks_then_disconnect([CHUNK, CHUNK], peer), send, peer)
    assert peer.gone and peer.status() == 499, peer.sent


async def drop_sse(t: Target, when: str) -> None:
    """An SSE subscriber that leaves ``before`` the first frame (the response start is still
    being sent when the disconnect arrives), after the ``opening`` frames, or after an
    ``event`` (a heartbeat the namespace clock publishes)."""
    peer = Peer()
    delivered = asyncio.Event()
    opened = asyncio.Event()
    heartbeat = asyncio.Event()

    async def receive() -> Message:
        if when != "before":
            await opened.wait()
        if when == "event":
            t.namespace.clock.advance(t.namespace.settings.heartbeat_seconds)
            await heartbeat.wait()
        peer.gone = True
        delivered.set()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if peer.gone:
            raise OSError("connection closed")
        peer.sent.append(message)
        if message["type"] == "http.response.start" and when == "before":
            await delivered.wait()  # a socket that does not drain: the client leaves meanwhile
            for _ in range(10):  # still draining while the app reacts to the disconnect
                await asyncio.sleep(0)
        body = peer.body()
        if b"event: initial_state" in body:
            opened.set()
        if b"event: heartbeat" in body:
            heartbeat.set()

    scope = http_scope("GET", "/api/v1/monitor/stream/unified", t.auth())
    await serve(t.app, scope, receive, send, peer)
    assert peer.status() == 200 and peer.gone
    if when == "before":
        assert peer.body() == b""  # the stream never started: the case that leaked
    else:
        assert b"event: connection_ready" in peer.body()


async def drop_dashboard_sse(t: Target) -> None:
    """The dashboard's SSE (a polling loop, no broker) left after its first snapshot."""
    peer = Peer()
    first = asyncio.Event()

    async def receive() -> Message:
        await first.wait()
        peer.gone = True
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if peer.gone:
            raise OSError("connection closed")
        peer.sent.append(message)
        if b"event: snapshot" in message.get("body", b""):
            first.set()

    await serve(t.app, http_scope("GET", "/_emulator/ui/stream", t.auth()), receive, send, peer)
    assert peer.status() == 200 and b"event: snapshot" in peer.body()


async def drop_websocket(t: Target, when: str) -> None:
    """A WebSocket run client that closes ``before`` its start frame, while the run is
    ``waiting`` for input, or after a ``second`` turn; the run is then deleted (a run the
    client left stays ``waiting_for_user_input``, as on the real service: that is state, not
    a leak, and it is not what this measures)."""
    peer = Peer()
    ready = asyncio.Event()
    frames: list[dict[str, Any]] = []
    script: list[Message | str] = [{"type": "websocket.connect"}]
    if when != "before":
        script.append({"type": "websocket.receive", "text": json.dumps(
            {"workflow_id": t.workflow_id, "command": "start"})})
        script.append("ready")
    if when == "second":
        script.append({"type": "websocket.receive", "text": json.dumps({
            "command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
                {"type": "llm", "messages": [{"type": "human", "content": "hello"}]}]}}})})
        script.append("ready")

    async def receive() -> Message:
        while script:
            step = script.pop(0)
            if step == "ready":
                await ready.wait()
                ready.clear()
                continue
            assert isinstance(step, dict)
            return step
        peer.gone = True
        return {"type": "websocket.disconnect", "code": 1001}

    async def send(message: Message) -> None:
        if peer.gone:
            raise OSError("connection closed")
        peer.sent.append(message)
        if message["type"] == "websocket.send":
            frame = json.loads(message["text"])
            frames.append(frame)
            if frame.get("type") == "workflow_ready_for_input":
                ready.set()

    await serve(t.app, ws_scope("/v1/workflow-runs/ws", t.auth()), receive, send, peer)
    assert peer.gone and peer.sent[0]["type"] == "websocket.accept"
    if when != "before":
        runs = interactly(t.namespace).runs  # not over HTTP: no per-id request caches
        run = runs.get(frames[0]["workflow_run_id"])
        assert run.status == "waiting_for_user_input"
        runs.delete(run.id)


def kinds(t: Target) -> list[Callable[[], Awaitable[None]]]:
    return [lambda: drop_stream_upload(t, chunked=True),
            lambda: drop_stream_upload(t, chunked=False),
            lambda: drop_presigned_put(t),
            lambda: drop_sse(t, "before"),
            lambda: drop_sse(t, "opening"),
            lambda: drop_sse(t, "event"),
            lambda: drop_dashboard_sse(t),
            lambda: drop_websocket(t, "before"),
            lambda: drop_websocket(t, "waiting"),
            lambda: drop_websocket(t, "second")]


# ------------------------------------------------------------------------- helpers
async def settle(baseline: int) -> int:
    """Lets cancelled tasks finish (they need loop iterations, not time): yields until the
    task count is back at ``baseline`` or 200 iterations passed. Returns the count."""
    for _ in range(200):
        if len(asyncio.all_tasks()) <= baseline:
            break
        await asyncio.sleep(0)
    return len(asyncio.all_tasks())


def total_size(snapshot: tracemalloc.Snapshot) -> int:
    return sum(stat.size for stat in snapshot.statistics("filename"))


def snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces((
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
        tracemalloc.Filter(False, "<unknown>")))


@pytest.fixture
async def target(emulator_app: Any) -> Any:
    """A namespace with an open presigned upload session (never completed: every PUT drop
    targets it) and an Interactly chat workflow that waits for input."""
    ensure_all(emulator_app)  # Interactly's routes are otherwise built on first use
    token = fresh_token("drops")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url=IN_PROCESS_URL,
                                 headers={"Authorization": f"Bearer {token}",
                                          "teamid": "drops", "uuid": "drops"}) as client:
        session = (await client.post(f"/api/v1/apps/{ANDROID}/builds/upload-session",
                                     json={"version": "8.0.0", "file_name": "app.apk"})).json()
        workflow = await client.post("/v1/workflows", json=STATIC_WAITING)
        assert workflow.status_code == 200, workflow.text
        yield Target(emulator_app, token, emulator_app.state.registry.get(token),
                     httpx.URL(session["upload_url"]).path,
                     workflow.json()["workflow"]["_id"], client)


# ------------------------------------------------------------------------- the test
async def test_a_thousand_dropped_clients_leave_no_tasks_subscribers_uploads_or_memory(
        target: Target) -> None:
    """Warm up (every kind a few times: first-use caches, sse-starlette's one shutdown
    watcher task per loop, the journal filled to its limit), then 1,000 drops round-robin over
    the ten kinds, then compare tasks, subscribers, timers, stored builds/uploads/runs and
    traced memory with the state after the warm-up."""
    ns = target.namespace
    drops = kinds(target)
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        for _ in range(WARMUP_ROUNDS):  # first-use caches, the journal filled to its limit
            for drop in drops:
                await drop()
        tasks_before = await settle(0)  # 200 loop iterations: whatever is left is baseline
        timers_before = ns.clock.pending
        before = snapshot()
        for i in range(DROPS):
            await drops[i % len(drops)]()
        tasks_after = await settle(tasks_before)
        after = snapshot()
    finally:
        if not tracing:
            tracemalloc.stop()

    growth = total_size(after) - total_size(before)
    top = "\n".join(str(s) for s in after.compare_to(before, "lineno")[:12])
    print(f"\n{DROPS} drops: tasks {tasks_before} -> {tasks_after}; traced memory "
          f"{total_size(before) / 1024:.0f} KiB -> {total_size(after) / 1024:.0f} KiB "
          f"(growth {growth / 1024:+.1f} KiB, bound {MEMORY_BOUND // 1024} KiB)")
    assert tasks_after == tasks_before
    assert [n.broker.subscribers for n in target.app.state.registry] == [0]
    assert ns.clock.pending == timers_before
    builds = (await target.client.get(f"/api/v1/apps/{ANDROID}/builds",
                                      params={"page_size": 100})).json()["items"]
    assert DROPPED_VERSION not in [b["version"] for b in builds]
    assert all(u.data is None for u in ns.state(RevylState).builds.uploads.values())
    runs = (await target.client.get("/v1/workflow-runs")).json()
    assert runs["total"] == 0, runs
    assert growth < MEMORY_BOUND, f"memory grew {growth} bytes over {DROPS} drops:\n{top}"
