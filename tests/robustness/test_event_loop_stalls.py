"""No request may stall the event loop: health answers throughout a hostile run on a real
server (issue 19). Before the fix one health check of this run waited over 30 s.

The run is ``bench/hostile.py``'s, scaled down for a 2-core CI machine: a few hundred
namespaces, a few hundred journaled requests with 3 KB paths, three all-namespace dashboard
streams at ``interval=0.1``, ``snapshot?all=true``, journal reads filtered by a glob of 40
wildcards and ``journal/unmatched?limit=1000``, all at once, while another process samples
``GET /_emulator/health`` every 20 ms. The bounds leave room for a loaded CI machine (the
server shares two cores with the load and the sampler); the figures are printed (``-s``).

The cheaper pieces are checked in-process: the glob matcher against ``fnmatch``, the cap on
wildcard runs (a 422), and suggestions for a long unmatched path.
"""

from __future__ import annotations

import asyncio
import fnmatch
import importlib.util
import random
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.core.globs import MAX_WILD_RUN, compile_glob
from emulator.web.journal import near_misses, route_table

BENCH = Path(__file__).resolve().parents[2] / "bench" / "hostile.py"


def load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_hostile", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.live
def test_health_answers_throughout_a_hostile_run() -> None:
    bench = load_bench()
    proc, url = bench.start_server()
    try:
        asyncio.run(bench.setup(url, namespaces=300, long_paths=200, path_bytes=3000))
        figures = asyncio.run(bench.hostile_run(url, streams=3, seconds=5.0))
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"\nhealth during the hostile run: {figures}")
    assert figures["samples"] >= 20, figures  # one stalled check would leave few samples
    assert figures["p50_ms"] < 150, figures
    assert figures["max_ms"] < 500, figures
    completed = figures["completed"]
    for kind in ("journal glob", "journal/count glob", "dashboard events"):
        assert completed.get(kind, 0) >= 1, figures


# ------------------------------------------------------------------------------ in-process
def test_the_glob_matcher_agrees_with_fnmatch() -> None:
    rng = random.Random(19)
    for _ in range(20_000):
        pattern = "".join(rng.choice("ab/*?[]!-") for _ in range(rng.randint(0, 8)))
        path = "".join(rng.choice("ab/-]![") for _ in range(rng.randint(0, 10)))
        assert compile_glob(pattern)(path) == fnmatch.fnmatchcase(path, pattern), (
            pattern, path)


@pytest.mark.parametrize("pattern", [
    "/api/" + "*a" * 400 + "*", "*" + "?" * 60 + "*", "*" + "[ab]" * 63 + "c*", "/x/*?*?*?*b"])
def test_many_wildcards_over_a_long_path_are_quick(pattern: str) -> None:
    """The worst allowed run (63 classes, retried at each of 8,000 positions) is the slowest
    of these: a few ms a path."""
    match = compile_glob(pattern)
    path = "/api/" + "a" * 8000
    began = time.perf_counter()
    for _ in range(20):
        match(path)
    assert time.perf_counter() - began < 0.5


@pytest.mark.anyio
async def test_a_long_wildcard_run_is_a_422(emulator_client: httpx.AsyncClient) -> None:
    pattern = "*" + "?a" * MAX_WILD_RUN + "*"
    for answer in (await emulator_client.get("/_emulator/journal", params={"path": pattern}),
                   await emulator_client.post("/_emulator/journal/count",
                                              json={"path": pattern}),
                   await emulator_client.post("/_emulator/faults",
                                              json={"path": pattern, "status": 500})):
        assert answer.status_code == 422, answer.text
        assert "at most" in answer.text
    fine = await emulator_client.get("/_emulator/journal", params={"path": "/api/" + "*a" * 100})
    assert fine.status_code == 200


def test_suggestions_for_a_long_path_are_bounded(emulator_app: Any) -> None:
    table = route_table(emulator_app)
    path = "/api/v1/tests/" + "x" * 8000
    began = time.perf_counter()
    near_misses("GET", path, table)
    assert time.perf_counter() - began < 0.25  # seconds before: difflib on the whole path
    assert near_misses("GET", "/api/v1/tests/get_test_execution_tsk", table)[0]["path"] == \
        "/api/v1/tests/get_test_execution_task"
