"""A 30-minute virtual Revyl test execution on the manual clock, in real milliseconds. Prints
figures only (never an assertion): the point of a manual clock is that a test suite never
waits for virtual time, so a long run must cost next to nothing in real time.

    python bench/manual_clock.py [--reps 50] [--steps 600]

One repetition starts one execution of the login test with a scripted outcome of ``--steps``
steps lasting 1800 virtual seconds in all (no provisioning or queue time), then advances the
clock by 1800 s; it must end ``completed``. Measured in process (``TestExecutions.start`` +
``VirtualClock.advance``) without and with an SSE subscriber attached (with one, every step
builds and encodes a ``test_updated`` event), then through the control plane over ASGI
(``POST /_emulator/scripts/revyl/outcomes``, ``POST .../execute_test_id_async``,
``POST /_emulator/clock/advance``) for reference. Medians over ``--reps`` after warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# The repository first; this folder off sys.path: its http.py would shadow the standard
# library's http package, which httpx imports.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

LOGIN = "7e570000-0000-4000-8000-000000000001"
VIRTUAL_SECONDS = 1800.0
TARGET_MS = 10.0
WARMUP = 5


def script(steps: int) -> dict[str, Any]:
    """1800 virtual seconds of running, split into ``steps`` steps, nothing before them."""
    return {"test_id": LOGIN, "result": "pass", "steps": steps, "duration": VIRTUAL_SECONDS,
            "init_seconds": 0, "queue_seconds": 0}


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def in_process(app: Any, token: str, steps: int, reps: int, subscribe: bool) -> list[float]:
    """Real seconds per (start + advance 1800 s), one fresh execution each repetition."""
    from emulator.revyl.outcomes import OutcomeScript
    from emulator.revyl.state import revyl

    ns = app.state.registry.get(token)
    state = revyl(ns)
    subscription = ns.broker.subscribe() if subscribe else None
    samples: list[float] = []
    for i in range(WARMUP + reps):
        state.outcomes.push([OutcomeScript.model_validate(script(steps))])
        t = time.perf_counter()
        execution = state.tests.start(LOGIN)
        ns.clock.advance(VIRTUAL_SECONDS)
        elapsed = time.perf_counter() - t
        if execution.status != "completed":
            raise SystemExit(f"run ended {execution.status!r}, expected 'completed'")
        if subscription is not None:  # the reader side: drain what the run published
            while not subscription.queue.empty():
                subscription.queue.get_nowait()
        if i >= WARMUP:
            samples.append(elapsed)
    if subscription is not None:
        subscription.close()
    return samples


async def over_asgi(app: Any, steps: int, reps: int) -> tuple[list[float], list[float]]:
    """(whole flow, advance call alone) in real seconds per repetition."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    samples: list[float] = []
    advances: list[float] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                 headers={"Authorization": "Bearer bench-asgi"}) as client:
        for i in range(WARMUP + reps):
            t = time.perf_counter()
            r = await client.post("/_emulator/scripts/revyl/outcomes",
                                  json={"outcomes": [script(steps)]})
            r.raise_for_status()
            r = await client.post("/api/v1/execution/api/execute_test_id_async",
                                  json={"test_id": LOGIN})
            r.raise_for_status()
            task = r.json()["task_id"]
            a = time.perf_counter()
            r = await client.post("/_emulator/clock/advance", json={"seconds": VIRTUAL_SECONDS})
            r.raise_for_status()
            done = time.perf_counter()
            r = await client.get("/api/v1/tests/get_test_execution_task",
                                 params={"task_id": task})
            if r.json()["status"] != "completed":
                raise SystemExit(f"run ended {r.json()['status']!r}, expected 'completed'")
            if i >= WARMUP:
                samples.append(done - t)
                advances.append(done - a)
    return samples, advances


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--steps", type=int, default=600,
                        help="steps of the 30-minute run (1..1000; 600 = one per 3 s)")
    args = parser.parse_args()

    from emulator.app import create_app
    from emulator.settings import Settings

    app = create_app(Settings(clock="manual", heartbeat_seconds=15))
    rows: list[tuple[str, ...]] = [("metric", "median", "best", "p90", "target", "ok/miss")]

    def add(name: str, samples: list[float], target: float | None) -> None:
        value = median_ms(samples)
        verdict = "" if target is None else ("ok" if value <= target else "miss")
        rows.append((name, f"{value:.2f} ms", f"{1000 * min(samples):.2f} ms",
                     f"{1000 * sorted(samples)[int(0.9 * len(samples))]:.2f} ms",
                     "" if target is None else f"<= {target:g} ms", verdict))

    add(f"30-min run, {args.steps} steps, in-process",
        in_process(app, "bench-plain", args.steps, args.reps, False), TARGET_MS)
    add("30-min run, the fixture's 6 steps, in-process",
        in_process(app, "bench-six", 6, args.reps, False), TARGET_MS)
    add(f"reference: {args.steps} steps + 1 SSE subscriber (an event per step)",
        in_process(app, "bench-sub", args.steps, args.reps, True), None)
    whole, advance = asyncio.run(over_asgi(app, args.steps, args.reps))
    add("reference over ASGI: script + start + advance", whole, None)
    add("reference over ASGI: the advance call alone", advance, None)
    asyncio.run(app.state.registry.aclose())
    print(f"manual clock: 1800 virtual s per run, {args.steps} steps, {args.reps} repetitions "
          f"after {WARMUP} warm-up (best: least disturbed by other work on the machine)")
    table(rows)


if __name__ == "__main__":
    main()
