"""Start-up time and memory of the emulator process. Prints figures.

    python bench/footprint.py [--starts 7] [--executions 10000]

- start to ready: from spawning ``python -m emulator`` to its ``Ready.`` line (median of
  ``--starts``), beside a bare FastAPI hello on the same uvicorn settings, and the time to
  the first answered Revyl and Interactly requests (Interactly's routes are built in the
  background after ``Ready.``; a request for them waits);
- idle RSS after start;
- RSS after ``--executions`` test executions were started and finished (manual clock), and
  after as many again: with ``EMULATOR_MAX_FINISHED`` (default 5000) the second batch must
  not grow it further.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's http package: this folder goes last.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

import servers  # noqa: E402  (bench/servers.py, beside this script)

LOGIN = "7e570000-0000-4000-8000-000000000001"
HELLO = '''
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()

@app.get("/hello")
async def hello():
    return {"hello": "world"}

class Server(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets)
        print("Ready.", flush=True)

Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                      timeout_keep_alive=5)).run()
'''
TARGETS = {"start to Ready.": (800, "ms"), "idle RSS": (80, "MB"),  # Ready.: issue 18
           "RSS growth, 10,000 finished": (40, "MB")}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Installed packages start from bytecode pip compiled; a checkout only once Python has written
# it. With PYTHONDONTWRITEBYTECODE set it never is, and every start compiled ~90 modules
# (~150 ms): the starts may write it, and one untimed start per command goes first.
BYTECODE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_to_ready(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=servers.ROOT, env=BYTECODE_ENV)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Ready."):
            break
    elapsed = time.perf_counter() - t0
    proc.terminate()
    proc.wait()
    return elapsed


def first_answers() -> tuple[float, float, float]:
    """Spawn to Ready., to the first Revyl answer, to the first Interactly answer (s)."""
    t0 = time.perf_counter()
    with servers.emulator() as (_, base):
        ready = time.perf_counter() - t0
        auth = {"Authorization": "Bearer bench"}
        get(base + "/api/v1/tests/get_simple_tests", auth)
        revyl = time.perf_counter() - t0
        get(base + "/v1/workflows", auth)
        interactly = time.perf_counter() - t0
    return ready, revyl, interactly


def get(url: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # loopback only
        return response.read()


def post(url: str, body: dict, headers: dict[str, str]) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=60) as response:  # loopback only
        return json.loads(response.read())


def finish_executions(base: str, count: int) -> None:
    import http.client

    host = base.removeprefix("http://")
    conn = http.client.HTTPConnection(host, timeout=60)  # one keep-alive connection
    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    body = json.dumps({"test_id": LOGIN})
    for i in range(count):
        conn.request("POST", "/api/v1/execution/api/execute_test_id_async", body, headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        if i % 1000 == 999:
            post(base + "/_emulator/clock/advance", {"seconds": 3600}, headers)
    post(base + "/_emulator/clock/advance", {"seconds": 3600}, headers)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=7)
    parser.add_argument("--executions", type=int, default=10_000)
    args = parser.parse_args()

    emulator_cmd = [sys.executable, "-m", "emulator", "--port", "0"]
    hello = Path(tempfile.mkdtemp(prefix="bench-hello-")) / "hello.py"
    hello.write_text(HELLO)
    time_to_ready(emulator_cmd)  # bytecode written, caches warm
    time_to_ready([sys.executable, str(hello)])
    ours, bare = [], []
    for _ in range(args.starts):  # interleaved, so machine noise hits both alike
        ours.append(time_to_ready(emulator_cmd))
        bare.append(time_to_ready([sys.executable, str(hello)]))
    answers = [first_answers() for _ in range(3)]

    with servers.emulator("--clock", "manual") as (proc, base):
        get(base + "/api/v1/tests/get_simple_tests", {"Authorization": "Bearer bench"})
        time.sleep(1.0)  # let the background route build finish before reading RSS
        idle = rss_mb(proc.pid)
        finish_executions(base, args.executions)
        after_first = rss_mb(proc.pid)
        finish_executions(base, args.executions)
        after_second = rss_mb(proc.pid)

    rows = [
        ("start to Ready.", statistics.median(ours) * 1000, "ms"),
        ("  bare FastAPI hello, same settings", statistics.median(bare) * 1000, "ms"),
        ("  first Revyl answer", statistics.median(a[1] for a in answers) * 1000, "ms"),
        ("  first Interactly answer", statistics.median(a[2] for a in answers) * 1000, "ms"),
        ("idle RSS", idle, "MB"),
        ("RSS growth, 10,000 finished", after_first - idle, "MB"),
        ("  growth from 10,000 more (capped)", after_second - after_first, "MB"),
    ]
    print(f"\n{'metric':<38} {'value':>9}   target")
    for name, value, unit in rows:
        target = ""
        if name in TARGETS:
            limit, _ = TARGETS[name]
            target = f"<= {limit:g} {unit} {'ok' if value <= limit else 'MISS'}"
        print(f"{name:<38} {value:>7.0f} {unit:<2}  {target}")


if __name__ == "__main__":
    main()
