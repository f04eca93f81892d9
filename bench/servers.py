"""Starting the servers the benchmarks compare, each as its own process on a free loopback
port, pinned to one CPU when ``taskset`` is there (the load generator gets the other).

Used by bench/http.py and bench/footprint.py; nothing here is imported by the emulator.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("BENCH_TOOLS", Path.home() / ".cache" / "emulator-bench"))
SERVER_CPU = "0"
LOADGEN_CPU = "1"


def pinned(cmd: list[str], cpu: str) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", cpu, *cmd]
    return cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()  # loopback only
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error status: the server is up
                return
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up in {timeout:.0f} s")


@contextlib.contextmanager
def process(cmd: list[str], *, ready: str | None = None, url: str | None = None,
            env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Runs ``cmd``; waits for a stdout line starting with ``ready`` (its first URL is
    returned) or for ``url`` to answer. Stopped (SIGTERM, then SIGKILL) on exit."""
    proc = subprocess.Popen(pinned(cmd, SERVER_CPU), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    try:
        base = re.match(r"http://[^/]+", url).group(0) if url else ""  # type: ignore[union-attr]
        if ready is not None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith(ready):
                    found = re.search(r"http://[\w.:]+", line)
                    base = found.group(0) if found else base
                    break
            else:
                raise RuntimeError(f"{cmd[0]} exited before it was ready")
        elif url is not None:
            wait_http(url)
        # Servers that log every request (Prism, moto) would block on a full pipe.
        threading.Thread(target=lambda: proc.stdout and proc.stdout.read(), daemon=True).start()
        yield proc, base
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def emulator(*flags: str) -> contextlib.AbstractContextManager[
        tuple[subprocess.Popen[str], str]]:
    return process([sys.executable, "-m", "emulator", "--port", "0", *flags], ready="Ready.",
                   env={"PYTHONPATH": str(ROOT)})


CEILING_APP = '''
import json, sys, uvicorn
from fastapi import FastAPI, Request
samples = json.load(open(sys.argv[2]))
app = FastAPI()

@app.get(samples["poll_path"])
async def poll(task_id: str):
    return samples["poll_body"]

@app.post(samples["turn_path"])
async def turn(request: Request):
    await request.json()
    return samples["turn_body"]

@app.get("/hello")
async def hello():
    return {"hello": "world"}

uvicorn.run(  # the settings python -m emulator uses
app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", timeout_keep_alive=5)
'''


def ceiling(samples: dict) -> contextlib.AbstractContextManager[
        tuple[subprocess.Popen[str], str]]:
    """A bare FastAPI app on the emulator's uvicorn settings answering the same routes with
    the same bodies, as constants: the most any FastAPI app can do here."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-ceiling-"))
    (workdir / "app.py").write_text(CEILING_APP)
    (workdir / "samples.json").write_text(json.dumps(samples))
    port = free_port()
    return process([sys.executable, str(workdir / "app.py"), str(port),
                    str(workdir / "samples.json")], url=f"http://127.0.0.1:{port}/hello")


def prism_binary() -> str | None:
    for candidate in (os.environ.get("PRISM"), shutil.which("prism"),
                      str(TOOLS / "node_modules" / ".bin" / "prism")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def prism(samples: dict) -> contextlib.AbstractContextManager[
        tuple[subprocess.Popen[str], str]]:
    """Prism mocking an OpenAPI document of the same two operations, the same bodies as
    their examples."""
    binary = prism_binary()
    if binary is None:
        raise FileNotFoundError("prism (npm @stoplight/prism-cli): run bench/setup.sh")
    spec = {
        "openapi": "3.0.3", "info": {"title": "bench", "version": "1"},
        "paths": {
            samples["poll_path"]: {"get": {
                "parameters": [{"name": "task_id", "in": "query", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": {"description": "status", "content": {
                    "application/json": {"example": samples["poll_body"]}}}}}},
            samples["turn_path"]: {"post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object"}}}},
                "responses": {"200": {"description": "turn", "content": {
                    "application/json": {"example": samples["turn_body"]}}}}}},
        },
    }
    path = Path(tempfile.mkdtemp(prefix="bench-prism-")) / "openapi.json"
    path.write_text(json.dumps(spec))
    port = free_port()
    return process([binary, "mock", "-h", "127.0.0.1", "-p", str(port), str(path)],
                   url=f"http://127.0.0.1:{port}{samples['poll_path']}?task_id=x")


def moto_binary() -> str | None:
    for candidate in (os.environ.get("MOTO_SERVER"), shutil.which("moto_server"),
                      str(TOOLS / "moto" / "bin" / "moto_server")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def moto() -> contextlib.AbstractContextManager[tuple[subprocess.Popen[str], str]]:
    binary = moto_binary()
    if binary is None:
        raise FileNotFoundError("moto_server (PyPI moto[server]): run bench/setup.sh")
    port = free_port()
    return process([binary, "-H", "127.0.0.1", "-p", str(port)],
                   url=f"http://127.0.0.1:{port}/moto-api/")
