"""SSE monitor fan-out to 1,000 subscribers over a real server: publish-to-delivery latency.
Prints figures only (never an assertion).

    python bench/sse_fanout.py [--subscribers 1000] [--rounds 20]

Starts ``python -m emulator --port 0 --clock manual`` as a subprocess (its URL read from the
``Ready.`` line; heartbeats pushed out of the way with ``EMULATOR_HEARTBEAT_SECONDS``), opens
``--subscribers`` HTTP/1.1 connections to ``GET /api/v1/monitor/stream/unified`` from this
process as bare asyncio protocols (lighter than httpx clients or stream readers; uvloop when
installed, as uvicorn uses), and starts one test execution whose scripted outcome has a step
per virtual second. Each round advances the manual clock by one second through the control
plane, which makes the server publish exactly one ``test_updated`` event, and waits until
every subscriber has it. A subscriber stamps ``time.perf_counter()`` once the event has been
read off its socket and parsed as an SSE message (chunked framing, ``event:``/``data:``
lines); payloads are JSON-decoded and checked after the round, so decoding never delays the
next subscriber's stamp. Latency = stamp minus the instant just before the advance request
was sent (all stamps in this process), so it includes the advance request itself: an upper
bound on publish-to-delivery. After warm-up rounds: p50/p99/max over every (round,
subscriber) delivery, per-round figures, and the CPU each side spent per round.

Both sides share the machine: the server needs one core and this client most of another (it
reads a thousand sockets in one thread, so the last subscriber of a round also waits for the
999 before it). Other work on a 2-core machine shows up directly in the latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# The repository first; this folder off sys.path: its http.py would shadow the standard
# library's http package, which httpx imports.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
ROOT = _HERE.parent
LOGIN = "7e570000-0000-4000-8000-000000000001"
TARGET_P99_MS = 100.0
WARMUP_ROUNDS = 3
STREAM = "/api/v1/monitor/stream/unified"


class Subscriber(asyncio.Protocol):
    """One raw SSE connection as a bare protocol (no reader task): de-chunks the HTTP body and
    splits SSE messages as bytes arrive, stamping each message when it is parsed."""

    def __init__(self, bench: Bench, request: bytes) -> None:
        self.bench = bench
        self.request = request
        self.head: bytes | None = None  # the response head, once complete
        self.raw = bytearray()  # undecoded bytes (head, then chunked body)
        self.sse = bytearray()  # de-chunked SSE text not yet split into messages
        self.chunk_left = -1  # bytes of the current chunk still to come (-1: expecting size)
        self.ready = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.head is not None and self.chunk_left < 0 and not self.raw and not self.sse:
            # Fast path, nearly every read: exactly one whole chunk holding whole messages.
            eol = data.find(b"\r\n")
            if 0 < eol < 9:
                size = int(data[:eol], 16)
                if len(data) == eol + size + 4 and data.endswith(b"\n\n\r\n"):
                    for message in data[eol + 2:-4].split(b"\n\n"):
                        self.on_message(message)
                    return
        self.raw += data
        if self.head is None:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head = bytes(self.raw[:end])
            del self.raw[:end + 4]
            if not self.head.startswith(b"HTTP/1.1 200") or b"chunked" not in self.head.lower():
                self.bench.fail(f"unexpected stream response: {self.head[:200]!r}")
                return
        self.dechunk()
        while (end := self.sse.find(b"\n\n")) >= 0:
            message = bytes(self.sse[:end])
            del self.sse[:end + 2]
            self.on_message(message)

    def dechunk(self) -> None:
        raw = self.raw
        while raw:
            if self.chunk_left < 0:
                eol = raw.find(b"\r\n")
                if eol < 0:
                    return
                self.chunk_left = int(raw[:eol], 16) + 2  # payload + its CRLF
                del raw[:eol + 2]
            take = min(self.chunk_left, len(raw))
            self.sse += raw[:take]
            del raw[:take]
            self.chunk_left -= take
            if self.chunk_left == 0:
                del self.sse[-2:]  # the chunk's trailing CRLF
                self.chunk_left = -1

    def on_message(self, message: bytes) -> None:
        event = data = None
        for line in message.split(b"\n"):
            if line.startswith(b"event:"):
                event = line[6:].strip()
            elif line.startswith(b"data:"):
                data = line[5:].strip()
        if event is None:  # a comment (sse-starlette's keep-alive ping)
            return
        if event == b"test_updated":
            self.bench.delivered(self, time.perf_counter(), data or b"null")
        elif event == b"initial_state" and not self.ready.done():
            self.ready.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.bench.fail(f"stream closed early: {exc!r}")


class Bench:
    """Collects one stamp per subscriber per round; payloads are decoded and checked after
    the round, so JSON decoding never delays the next subscriber's stamp."""

    def __init__(self, subscribers: int) -> None:
        self.count = subscribers
        self.markers: tuple[bytes, ...] = ()  # bytes only the round's event payload holds
        self.stamps: dict[Subscriber, tuple[float, bytes]] = {}
        self.done = asyncio.Event()
        self.error: str | None = None

    def delivered(self, sub: Subscriber, stamp: float, data: bytes) -> None:
        if self.markers and all(m in data for m in self.markers) and sub not in self.stamps:
            self.stamps[sub] = (stamp, data)
            if len(self.stamps) == self.count:
                self.done.set()

    def fail(self, error: str) -> None:
        self.error = error
        self.done.set()

    async def round(self, trigger: Any, step: int
                    ) -> tuple[float, dict[Subscriber, tuple[float, bytes]]]:
        """Runs ``trigger`` (the advance) and waits for every subscriber's ``test_updated``
        at step index ``step``; returns the instant before the trigger and every stamp."""
        self.stamps = {}
        self.markers = (b'"status":"running"', b'"current_step_index":%d,' % step)
        self.done.clear()
        t0 = time.perf_counter()
        await trigger()
        await asyncio.wait_for(self.done.wait(), 60)
        self.markers = ()
        if self.error:
            raise SystemExit(self.error)
        return t0, self.stamps


def checked(stamps: dict[Subscriber, tuple[float, bytes]], task_id: str, step: int) -> int:
    """How many delivered payloads are not the expected ``test_updated`` of this round."""
    wrong = 0
    for _, data in stamps.values():
        test = json.loads(data)["test"]
        if (test["task_id"], test["status"], test["current_step_index"]) != (
                task_id, "running", step):
            wrong += 1
    return wrong


def start_server() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "EMULATOR_HEARTBEAT_SECONDS": "1000000",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--clock",
                             "manual"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if line.startswith("Ready."):
            url = re.search(r"Revyl: (http://\S+)", line)
            if url is None:
                break
            # Keep draining its output so the server never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stdout or ()],
                             daemon=True).start()
            return proc, url.group(1)
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise SystemExit("the emulator did not print its Ready. line")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), to tell server work from client work."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(url: str, server_pid: int, subscribers: int, rounds: int) -> None:
    import httpx

    loop = asyncio.get_running_loop()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    token = f"bench-sse-{os.getpid()}"
    control = httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                timeout=60)
    # Route families still being built in the background at Ready. compete for the CPU (a
    # build holds the GIL for ~100 ms): a request under each family waits until it is in place.
    for path in ("/v1/workflows", "/api/v1/apps", "/api/v1/modules/list", "/_emulator/journal"):
        (await control.get(path)).raise_for_status()

    async def advance() -> None:
        (await control.post("/_emulator/clock/advance", json={"seconds": 1})).raise_for_status()

    bench = Bench(subscribers)
    request = (f"GET {STREAM} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer "
               f"{token}\r\nAccept: text/event-stream\r\n\r\n").encode()
    subs = [Subscriber(bench, request) for _ in range(subscribers)]
    t = time.perf_counter()
    for i in range(0, subscribers, 100):  # in batches: no SYN storm on the listen backlog
        await asyncio.gather(*(loop.create_connection(lambda s=s: s, host, int(port))
                               for s in subs[i:i + 100]))
    await asyncio.wait_for(asyncio.gather(*(s.ready for s in subs)), 60)
    connect_s = time.perf_counter() - t

    total = WARMUP_ROUNDS + rounds
    r = await control.post("/_emulator/scripts/revyl/outcomes", json={"outcomes": [{
        "test_id": LOGIN, "steps": total + 5, "step_seconds": 1, "init_seconds": 1,
        "queue_seconds": 1}]})
    r.raise_for_status()
    r = await control.post("/api/v1/execution/api/execute_test_id_async",
                           json={"test_id": LOGIN})
    r.raise_for_status()
    task_id = r.json()["task_id"]
    # initializing -> queued (test_updated) -> running at step 0 (test_updated): seen by every
    # subscriber, untimed, so no setup event is left in flight when the rounds start.
    await advance()
    await bench.round(advance, 0)
    wrong = checked(bench.stamps, task_id, 0)

    latencies: list[float] = []
    per_round: list[tuple[float, float, float]] = []
    cpu: list[tuple[float, float, float]] = []  # (wall, server CPU, client CPU) per round
    for n in range(total):
        server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
        t0, stamps = await bench.round(advance, n + 1)
        wall = time.perf_counter() - t0
        wrong += checked(stamps, task_id, n + 1)
        if n < WARMUP_ROUNDS:
            continue
        cpu.append((wall, cpu_seconds(server_pid) - server_cpu,
                    time.process_time() - client_cpu))
        lat = [1000 * (stamp - t0) for stamp, _ in stamps.values()]
        latencies += lat
        per_round.append((statistics.median(lat), percentile(lat, 0.99), max(lat)))
    await control.aclose()
    for s in subs:
        if s.transport is not None:
            s.transport.close()

    p50, p99, worst = (statistics.median(latencies), percentile(latencies, 0.99),
                       max(latencies))
    print(f"SSE fan-out: {subscribers} subscribers over loopback, {rounds} rounds after "
          f"{WARMUP_ROUNDS} warm-up, one test_updated event per round "
          f"(client loop: {type(loop).__module__.split('.')[0]}; {subscribers} streams opened "
          f"in {connect_s:.1f} s; unexpected payloads: {wrong})")
    rows = [("metric", "value", "target", "ok/miss"),
            ("publish->delivery p50", f"{p50:.1f} ms", "", ""),
            ("publish->delivery p99", f"{p99:.1f} ms", f"<= {TARGET_P99_MS:g} ms",
             "ok" if p99 <= TARGET_P99_MS else "miss"),
            ("publish->delivery max", f"{worst:.1f} ms", "", ""),
            ("round wall time (median)",
             f"{1000 * statistics.median(c[0] for c in cpu):.1f} ms", "", ""),
            ("server CPU per round (median, /proc)",
             f"{1000 * statistics.median(c[1] for c in cpu):.0f} ms", "", ""),
            ("client CPU per round (median)",
             f"{1000 * statistics.median(c[2] for c in cpu):.0f} ms", "", "")]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("per round (ms): p50/p99/max")
    print("  " + ", ".join(f"{a:.0f}/{b:.0f}/{c:.0f}" for a, b, c in per_round))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    proc, url = start_server()
    try:
        try:
            import uvloop
        except ImportError:
            asyncio.run(run(url, proc.pid, args.subscribers, args.rounds))
        else:
            uvloop.run(run(url, proc.pid, args.subscribers, args.rounds))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
