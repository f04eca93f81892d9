"""Throughput over loopback, side by side in one run: the emulator against the ceiling (a bare
FastAPI app on the same uvicorn settings answering the same routes with constant bodies),
Prism mocking an OpenAPI document of the same routes, and moto's server. Prints figures.

    bench/setup.sh                # once: wrk (apt), Prism (npm), moto[server] (venv)
    python bench/http.py [--duration 5] [--connections 32]

Two workloads:
- poll: ``GET /api/v1/tests/get_test_execution_task?task_id=...`` of a live (running)
  Revyl execution, as the CLI and the GitHub Action poll it. moto: S3 GetObject of an
  object holding the same body.
- turn: ``POST /v1/workflows/{id}/execute`` with the next user message of a live
  Interactly run (a chat node that always waits for the next message). moto: DynamoDB
  UpdateItem (a state change answered with the new item).

The load generator is wrk, one thread, keep-alive connections, in its own process pinned to
one CPU; each server is pinned to the other (``taskset``). Each figure is the best of
``--repeat`` runs after a warm-up run, since other work on a small machine only ever slows
a run down.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named http.py: with its folder first on sys.path, ``import http.client`` (in
# urllib) would find it instead of the standard library. Its folder goes last instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import servers  # noqa: E402  (bench/servers.py, beside this script)

LOGIN = "7e570000-0000-4000-8000-000000000001"
POLL_PATH = "/api/v1/tests/get_test_execution_task"
TOKEN = "Bearer bench"
START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
CHAT = {"name": "bench-chat", "workflow_config": {"name": "bench-chat"}, "edge_configs": [],
        "node_configs": [{"type": "say_llm", "logical_id": "node_chat", "name": "Chat",
                          "is_start": True}]}
# emulator / peer, at least (issue 18: polls at least the bare FastAPI app, turns Prism's)
TARGETS = {"poll": {"ceiling": 1.0, "prism": 1.8, "moto": 12.0},
           "turn": {"ceiling": 0.8, "prism": 1.0, "moto": 12.0}}


def says(message: str) -> dict:
    return {**START, "command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "node_logical_id": None, "messages": [
            {"content": message, "type": "human"}]}]}}}


@dataclass
class Load:
    """One wrk target: what to send."""
    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] | None = None


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def request(method: str, url: str, body: object = None, headers: dict | None = None,
            raw: bytes | None = None) -> bytes:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                        else None)
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as response:  # loopback only
        return response.read()


# ------------------------------------------------------------------ per-server set-up
def emulator_loads(base: str) -> tuple[dict[str, Load], dict]:
    auth = {"Authorization": TOKEN}
    task = json.loads(request("POST", base + "/api/v1/execution/api/execute_test_id_async",
                              {"test_id": LOGIN}, auth))["task_id"]
    request("POST", base + "/_emulator/clock/advance", {"seconds": 8}, auth)  # running
    poll_url = f"{base}{POLL_PATH}?task_id={task}"
    poll_body = json.loads(request("GET", poll_url, headers=auth))
    assert poll_body["status"] not in ("completed", "failed", "cancelled"), poll_body
    wid = json.loads(request("POST", base + "/v1/workflows", CHAT, auth))["workflow"]["_id"]
    turn_path = f"/v1/workflows/{wid}/execute"
    run = json.loads(request("POST", base + turn_path, {"run_input": START}, auth))
    turn = json.dumps({"run_input": says("hello"), "run_id": run["run_id"]})
    turn_body = json.loads(request("POST", base + turn_path, raw=turn.encode(), headers=auth))
    assert turn_body["status"] == "waiting_for_user_input", turn_body
    samples = {"poll_path": POLL_PATH, "poll_body": poll_body, "turn_path": turn_path,
               "turn_body": turn_body}
    return {"poll": Load(poll_url, headers=auth),
            "turn": Load(base + turn_path, "POST", turn, auth)}, samples


def peer_loads(base: str, samples: dict) -> dict[str, Load]:
    turn = json.dumps({"run_input": says("hello"), "run_id": "r"})
    return {"poll": Load(f"{base}{POLL_PATH}?task_id=x"),
            "turn": Load(base + samples["turn_path"], "POST", turn)}


def moto_loads(base: str, samples: dict) -> dict[str, Load]:
    def scope(service: str) -> dict[str, str]:  # moto routes by the credential scope
        return {"Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
                                 f"{service}/aws4_request, SignedHeaders=host, Signature=0"}

    s3 = scope("s3")
    request("PUT", base + "/bench", raw=b"", headers=s3)
    request("PUT", base + "/bench/status.json", raw=json.dumps(samples["poll_body"]).encode(),
            headers=s3)
    auth = {**scope("dynamodb"), "Content-Type": "application/x-amz-json-1.0"}

    def dynamo(target: str, body: dict) -> None:
        request("POST", base + "/", body, {**auth, "X-Amz-Target": f"DynamoDB_20120810.{target}"})

    dynamo("CreateTable", {"TableName": "runs", "BillingMode": "PAY_PER_REQUEST",
                           "AttributeDefinitions": [{"AttributeName": "id",
                                                     "AttributeType": "S"}],
                           "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]})
    update = json.dumps({"TableName": "runs", "Key": {"id": {"S": "run-1"}},
                         "UpdateExpression": "SET turns = if_not_exists(turns, :z) + :one, "
                                             "last_message = :m",
                         "ExpressionAttributeValues": {":z": {"N": "0"}, ":one": {"N": "1"},
                                                       ":m": {"S": "hello"}},
                         "ReturnValues": "ALL_NEW"})
    return {"poll": Load(base + "/bench/status.json", headers=s3),
            "turn": Load(base + "/", "POST", update,
                         {**auth, "X-Amz-Target": "DynamoDB_20120810.UpdateItem"})}


# ------------------------------------------------------------------ wrk
def wrk(load: Load, duration: float, connections: int) -> Result:
    script = Path(tempfile.mkdtemp(prefix="bench-wrk-")) / "load.lua"
    lines = [f"wrk.method = {json.dumps(load.method)}"]
    if load.body is not None:
        lines.append(f"wrk.body = {json.dumps(load.body)}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    for key, value in (load.headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    script.write_text("\n".join(lines) + "\n")
    cmd = servers.pinned(["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency",
                          "-s", str(script), load.url], servers.LOADGEN_CPU)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        found = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return float(found.group(1)) * scale

    errors = 0
    if (found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)):
        errors += int(found.group(1))
    if (found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                           r"timeout (\d+)", out)):
        errors += sum(int(n) for n in found.groups())
    return Result(rps, percentile("50"), percentile("99"), errors)


def measure(load: Load, args: argparse.Namespace) -> Result:
    wrk(load, 1, args.connections)  # warm-up
    runs = [wrk(load, args.duration, args.connections) for _ in range(args.repeat)]
    best = max(runs, key=lambda r: r.rps)
    best.errors = sum(r.errors for r in runs)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure (best kept)")
    parser.add_argument("--peers", default="ceiling,prism,moto")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install wrk (or run bench/setup.sh)")

    results: dict[str, dict[str, Result]] = {}
    with servers.emulator("--clock", "manual") as (_, base):
        loads, samples = emulator_loads(base)
        results["emulator"] = {name: measure(load, args) for name, load in loads.items()}
    peers = [p for p in args.peers.split(",") if p]
    for peer in peers:
        try:
            if peer == "ceiling":
                server = servers.ceiling(samples)
            elif peer == "prism":
                server = servers.prism(samples)
            else:
                server = servers.moto()
            with server as (_, base):
                peer_load = (moto_loads(base, samples) if peer == "moto"
                             else peer_loads(base, samples))
                results[peer] = {name: measure(load, args) for name, load in peer_load.items()}
        except FileNotFoundError as missing:
            print(f"skipped {peer}: {missing}")
    report(results, args)


def report(results: dict[str, dict[str, Result]], args: argparse.Namespace) -> None:
    print(f"\nwrk -t1 -c{args.connections}, {args.duration:g} s x {args.repeat} (best), "
          f"server and wrk on separate CPUs\n")
    print(f"{'workload':<8} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7}  emulator / this   target")
    for workload in ("poll", "turn"):
        ours = results["emulator"][workload].rps
        for server, by_load in results.items():
            r = by_load[workload]
            ratio, target = "", ""
            if server != "emulator":
                want = TARGETS[workload][server]
                got = ours / r.rps if r.rps else float("inf")
                ratio = f"{got:6.2f}x"
                target = f">= {want:g}x {'ok' if got >= want else 'MISS'}"
            print(f"{workload:<8} {server:<9} {r.rps:>9,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
                  f"{r.errors:>7}  {ratio:>15}   {target}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
