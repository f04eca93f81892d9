"""Health latency while hostile requests run (issue 19): prints figures only.

    python -P bench/hostile.py [--namespaces 3000] [--long-paths 300] [--path-bytes 4000]
                            [--streams 6] [--seconds 10]

Starts ``python -m emulator --port 0 --clock manual`` (the ``emulator`` on ``PYTHONPATH``, so an
older tree can be measured the same way: ``git archive HEAD | tar -x -C /tmp/old`` and
``PYTHONPATH=/tmp/old``), makes ``--namespaces`` namespaces with one execution each, and
journals ``--long-paths`` unmatched requests with paths of ``--path-bytes`` in an attacker's
namespace. Then, for ``--seconds``, all at once: ``--streams`` all-namespace dashboard streams
at ``interval=0.1``, ``GET /_emulator/snapshot?all=true`` in a loop, journal reads filtered by
a glob of many wildcards, and ``GET /_emulator/journal/unmatched?limit=1000`` in a loop; while
``GET /_emulator/health`` is sampled every 20 ms. Prints p50/p99/max of the health latencies
and how many of each hostile request completed. ``tests/robustness/test_event_loop_stalls.py``
runs a smaller version and asserts on the maximum. (``-P``: this folder's ``http.py`` would
shadow the standard library's ``http`` that httpx imports.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

LOGIN = "7e570000-0000-4000-8000-000000000001"
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
ATTACKER = {"Authorization": "Bearer attacker"}
# Many wildcards over long paths: fnmatch's regex took seconds per read of a full journal.
GLOB = "/api/" + "*a" * 40 + "*"


SAMPLER = """
import http.client, json, sys, time
from urllib.parse import urlsplit
url, seconds = urlsplit(sys.argv[1]), float(sys.argv[2])
latencies, end = [], time.monotonic() + seconds
while time.monotonic() < end:
    began = time.perf_counter()
    try:  # a stalled server answers late or not at all: either is the figure
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request("GET", "/_emulator/health")
        conn.getresponse().read()
        conn.close()
    except OSError:
        pass
    latencies.append(time.perf_counter() - began)
    time.sleep(0.02)
print(json.dumps(latencies))
"""


def start_server(extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "EMULATOR_STRICT": "0", **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--clock",
                             "manual"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, cwd=tempfile.gettempdir())
    # (not this checkout's folder: ``-m`` puts the working directory before PYTHONPATH)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Ready."):
            return proc, line.split()[2]
    raise RuntimeError("the emulator exited before Ready.")


async def setup(url: str, namespaces: int, long_paths: int, path_bytes: int) -> None:
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        gate = asyncio.Semaphore(32)

        async def tenant(i: int) -> None:
            async with gate:
                answer = await client.post(EXECUTE, json={"test_id": LOGIN},
                                           headers={"Authorization": f"Bearer hostile-{i}"})
                answer.raise_for_status()

        async def long_path(i: int) -> None:
            async with gate:
                path = "/api/v1/" + "a" * path_bytes + f"/{i}"
                await client.get(path, headers=ATTACKER)

        await asyncio.gather(*(tenant(i) for i in range(namespaces)))
        # A namespace is made by a route that reads the token; a 404 does not make one.
        (await client.get("/_emulator/clock", headers=ATTACKER)).raise_for_status()
        await asyncio.gather(*(long_path(i) for i in range(long_paths)))


async def hostile_run(url: str, *, streams: int, seconds: float,
                      only: set[str] | None = None) -> dict[str, Any]:
    """Run the hostile requests for ``seconds`` while sampling health; the figures."""
    done: dict[str, int] = {}
    stop = asyncio.Event()

    async def repeat(name: str, call: Callable[[httpx.AsyncClient], Awaitable[None]]) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            while not stop.is_set():
                await call(client)
                if not stop.is_set():
                    done[name] = done.get(name, 0) + 1

    async def stream(client: httpx.AsyncClient) -> None:
        params = {"interval": "0.1"}
        async with client.stream("GET", "/_emulator/ui/stream", params=params) as answer:
            async for _ in answer.aiter_bytes():
                done["dashboard events"] = done.get("dashboard events", 0) + 1
                if stop.is_set():
                    return

    async def snapshot(client: httpx.AsyncClient) -> None:
        answer = await client.get("/_emulator/snapshot", params={"all": "true"},
                                  headers=ATTACKER)
        answer.raise_for_status()

    async def journal(client: httpx.AsyncClient) -> None:
        answer = await client.get("/_emulator/journal", params={"path": GLOB},
                                  headers=ATTACKER)
        answer.raise_for_status()

    async def count(client: httpx.AsyncClient) -> None:
        answer = await client.post("/_emulator/journal/count", json={"path": GLOB},
                                   headers=ATTACKER)
        answer.raise_for_status()

    async def unmatched(client: httpx.AsyncClient) -> None:
        answer = await client.get("/_emulator/journal/unmatched", params={"limit": "1000"},
                                  headers=ATTACKER)
        answer.raise_for_status()

    async def sample() -> list[float]:
        await asyncio.sleep(0.5)  # the hostile requests are under way
        # Another process: reading megabytes of hostile answers keeps this one's loop busy,
        # which would show up as health latency the server is not to blame for.
        sampler = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SAMPLER, url, str(seconds - 0.5),
            stdout=asyncio.subprocess.PIPE, cwd=tempfile.gettempdir())
        out, _ = await sampler.communicate()
        latencies: list[float] = json.loads(out)
        return latencies

    kinds = {"snapshot?all=true": snapshot, "journal glob": journal,
             "journal/count glob": count, "journal/unmatched": unmatched}
    tasks = [asyncio.ensure_future(repeat("dashboard streams", stream))
             for _ in range(streams if only is None or "dashboard" in only else 0)]
    tasks += [asyncio.ensure_future(repeat(name, call)) for name, call in kinds.items()
              if only is None or name in only]
    latencies = await sample()
    stop.set()
    for task in tasks:  # what is still running is not waited for
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies.sort()
    ms = [round(x * 1000, 1) for x in latencies]
    return {"samples": len(ms), "p50_ms": statistics.median(ms),
            "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))], "max_ms": ms[-1],
            "completed": done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--namespaces", type=int, default=3000)
    parser.add_argument("--long-paths", type=int, default=300)
    parser.add_argument("--path-bytes", type=int, default=4000)
    parser.add_argument("--streams", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", help="comma list of: dashboard, " + ", ".join(
        ("snapshot?all=true", "journal glob", "journal/count glob", "journal/unmatched")))
    args = parser.parse_args()
    proc, url = start_server()
    try:
        began = time.perf_counter()
        asyncio.run(setup(url, args.namespaces, args.long_paths, args.path_bytes))
        print(f"setup: {time.perf_counter() - began:.1f} s", file=sys.stderr)
        only = set(args.only.split(",")) if args.only else None
        figures = asyncio.run(hostile_run(url, streams=args.streams, seconds=args.seconds,
                                          only=only))
        print(json.dumps({**vars(args), **figures}, indent=2))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # still busy with the hostile requests
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
