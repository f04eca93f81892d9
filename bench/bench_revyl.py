"""Revyl hot paths, in process (httpx ASGI transport, manual clock). Prints figures only.

    python bench/bench_revyl.py [--polls 5000] [--starts 2000]

Measures: app start-up (import + create_app), execution starts per second, status polls per
second (the CLI polls every 2 s per running test), the clock firing every transition of all
started executions, and SSE fan-out to 100 subscribers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

# bench/http.py would shadow the standard library's http package (httpx needs it): run with
# the repository root on the path instead of this folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

LOGIN = "7e570000-0000-4000-8000-000000000001"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--polls", type=int, default=5000)
    parser.add_argument("--starts", type=int, default=2000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from emulator.app import create_app
    from emulator.settings import Settings

    t1 = time.perf_counter()
    app = create_app(Settings(clock="manual"))
    t2 = time.perf_counter()
    print(f"start-up: import {1000 * (t1 - t0):.1f} ms, create_app {1000 * (t2 - t1):.1f} ms")
    asyncio.run(run(app, args.polls, args.starts))


async def run(app, polls: int, starts: int) -> None:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b",
                                 headers={"Authorization": "Bearer bench"}) as client:
        t = time.perf_counter()
        tasks = []
        for _ in range(starts):
            r = await client.post("/api/v1/execution/api/execute_test_id_async",
                                  json={"test_id": LOGIN, "retries": 1})
            tasks.append(r.json()["task_id"])
        elapsed = time.perf_counter() - t
        print(f"execute_test_id_async: {starts / elapsed:,.0f} starts/s")

        latencies = []
        for i in range(polls):
            task = tasks[i % len(tasks)]
            t = time.perf_counter()
            r = await client.get("/api/v1/tests/get_test_execution_task",
                                 params={"task_id": task})
            latencies.append(time.perf_counter() - t)
            assert r.status_code == 200
        total = sum(latencies)
        p50 = statistics.median(latencies) * 1e6
        p99 = sorted(latencies)[int(0.99 * len(latencies))] * 1e6
        print(f"get_test_execution_task: {polls / total:,.0f} polls/s "
              f"(p50 {p50:.0f} us, p99 {p99:.0f} us)")

        # Server-side only: the same poll as a bare ASGI call, without httpx's client overhead.
        raw = []
        for i in range(polls):
            t = time.perf_counter()
            status, _ = await asgi_get(app, "/api/v1/tests/get_test_execution_task",
                                       f"task_id={tasks[i % len(tasks)]}")
            raw.append(time.perf_counter() - t)
            assert status == 200
        print(f"get_test_execution_task, bare ASGI: {polls / sum(raw):,.0f} polls/s "
              f"(p50 {statistics.median(raw) * 1e6:.0f} us)")

        ns = app.state.registry.get("bench")
        t = time.perf_counter()
        fired = ns.clock.run_until_idle()
        elapsed = time.perf_counter() - t
        print(f"clock: {fired:,} transitions in {1000 * elapsed:.1f} ms "
              f"({fired / elapsed:,.0f}/s)")
        # SSE fan-out: one encoding per event, shared by every subscriber's queue.
        subscribers = [ns.broker.subscribe() for _ in range(100)]
        for sub in subscribers:  # skip the replayed backlog
            while not sub.queue.empty():
                sub.queue.get_nowait()
        t = time.perf_counter()
        events = 1000
        for i in range(events):
            ns.broker.publish("test_updated", {"test": {"id": tasks[i % len(tasks)], "n": i}})
            if i % 500 == 499:
                for sub in subscribers:
                    while not sub.queue.empty():
                        sub.queue.get_nowait()
        elapsed = time.perf_counter() - t
        print(f"SSE fan-out: {events:,} events x {len(subscribers)} subscribers in "
              f"{1000 * elapsed:.1f} ms ({events * len(subscribers) / elapsed:,.0f} "
              f"deliveries/s)")
    await app.state.registry.aclose()


async def asgi_get(app, path: str, query: str) -> tuple[int, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": query.encode(), "server": ("b", 80),
             "client": ("127.0.0.1", 1), "headers": [(b"authorization", b"Bearer bench")]}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


if __name__ == "__main__":
    main()
