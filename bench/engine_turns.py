"""Interactly engine turns per second on a 5-node workflow. Prints figures only (never an
assertion).

    python bench/engine_turns.py [--runs 300] [--reps 5]

The workflow: ``Welcome`` (say_static, start) -> ``Front`` (say_llm, with the worker
``Extractor`` as its companion) -> conditional ``isPresent([[order_id]])`` -> ``Lookup``
(tool_node, stubbed result) -> conditional ``[[order_success]] == true`` -> ``Goodbye``
(say_static, ends the run). Each run is four turns: ``start`` (greets, parks on Front), two
messages Front answers with a scripted reply and self-loops on, then ``order id: 42``, which
the Extractor reads, so the condition routes through Lookup to Goodbye. LLM replies are
scripted; the tool never runs code. Nothing random.

Three ways, turns/s as the median (and best) over ``--reps`` batches of ``--runs`` runs, after
warm-up: ``Engine.turn`` alone (one graph shared by every run, as tests/unit drive it), the
namespace's ``Runs.execute`` (what the REST route calls: per-run graph copy, run-input
enrichment, stored turns, real seeded ids) and ``POST /v1/workflows/{id}/execute`` through
httpx's ASGI transport for reference (that figure includes httpx's own per-request work and
encoding/decoding the ~9 KB turn answer).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
# The repository first; this folder off sys.path: its http.py would shadow the standard
# library's http package, which httpx imports.
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

TARGET = 1000.0
WARMUP_RUNS = 30
TEAM, USER = "bench-team", "bench-user"
MESSAGES = ["hi there", "where is my parcel?", "order id: 42"]
TURNS_PER_RUN = 1 + len(MESSAGES)
FRONT_REPLY = "Could you give me your order id?"


def node(lid: str, kind: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"logical_id": lid, "type": kind, "name": name, **extra}


def edge(src: str, dst: str, kind: str = "direct", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "source_node_logical_id": src, "destination_node_logical_id": dst,
            "name": f"{src}->{dst}", "logical_id": f"edge_{src}_{dst}", **extra}


NODES = [
    node("node_welcome", "say_static", "Welcome", is_start=True,
         static_messages_config={"static_messages": ["Welcome to {{company}}!"]}),
    node("node_front", "say_llm", "Front"),
    node("node_extract", "worker_llm", "Extractor", wait_for_user_message=False,
         structured_output_schema={"properties": {"order_id": {"type": "string"}}}),
    node("node_lookup", "tool_node", "Lookup",
         tool_config={"type": "inline_python", "name": "lookup_order"},
         tool_arguments={"order": "[[order_id]]"}, result_runtime_variable_name="order"),
    node("node_bye", "say_static", "Goodbye", static_messages_config={
        "static_messages": ["Order [[order_id]] is on its way. Bye!"]}),
]
EDGES = [
    edge("node_welcome", "node_front"),
    edge("node_front", "node_extract", "companion"),
    edge("node_front", "node_lookup", "conditional",
         condition={"condition_expression": "isPresent([[order_id]])"}),
    edge("node_lookup", "node_bye", "conditional",
         condition={"condition_expression": "[[order_success]] == true"}),
]
WORKFLOW = {"name": "bench-5-nodes",
            "workflow_config": {"name": "bench-5-nodes", "miscellaneous": {
                "default_dynamic_variables": {"company": "Acme"}}},
            "node_configs": NODES, "edge_configs": EDGES}


def start_input() -> dict[str, Any]:
    return {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
            "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}


def say(text: str) -> dict[str, Any]:
    return {"command": "data", "dynamic_variables": {}, "runtime_variables": {},
            "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": [
                {"type": "llm", "node_logical_id": None, "messages": [
                    {"content": text, "additional_kwargs": {}, "response_metadata": {},
                     "type": "human", "name": None, "id": None}]}]}}}


def front_scripts(runs: int) -> list[Any]:
    from emulator.interactly.llm import LLMScript

    return [LLMScript(node="Front", reply=FRONT_REPLY, times=2 * runs)]


def check(status: str, said: list[str]) -> None:
    if status != "completed" or said[-1] != "Order 42 is on its way. Bye!" or \
            said.count(FRONT_REPLY) != 2:
        raise SystemExit(f"unexpected run: {status!r}, said {said!r}")


def said(events: list[dict[str, Any]]) -> list[str]:
    return [e["content"] for e in events if e["type"] == "assistant_response"]


# ------------------------------------------------------------------------- Engine.turn alone
def engine_batch(runs: int) -> float:
    from emulator.interactly.engine import Context, Engine, Run
    from emulator.interactly.llm import LLMScripts

    counter = itertools.count()
    scripts = LLMScripts()
    scripts.push(front_scripts(runs))
    engine = Engine(Context(now=lambda: 1000.0, uuid=lambda: f"u{next(counter)}", seed=0,
                            scripts=scripts))
    graph = {"workflow_config": WORKFLOW["workflow_config"], "node_configs": NODES,
             "edge_configs": EDGES, "dynamic_variables": {"company": "Acme"}}
    inputs = [start_input(), *map(say, MESSAGES)]
    last: list[dict[str, Any]] = []
    t = time.perf_counter()
    for i in range(runs):
        run = Run(id=f"{i:024x}", logical_id=f"workflow_run_{i}", workflow_id="b" * 24,
                  version_number=0, version_name="v0", graph=graph, team_id=TEAM,
                  run_by=USER, created_at="", dynamic={"company": "Acme"})
        text: list[str] = []
        for n, run_input in enumerate(inputs):
            last = engine.turn(run, run_input, "start" if n == 0 else "data")
            text += said(last)
        if i == 0:
            check(run.status, text)
    return runs * TURNS_PER_RUN / (time.perf_counter() - t)


# ------------------------------------------------------------------------- Runs.execute
def runs_batch(state: Any, workflow_id: str, runs: int) -> float:
    state.scripts.push(front_scripts(runs))
    t = time.perf_counter()
    for i in range(runs):
        run, events = state.runs.execute(workflow_id, start_input(), None, None, TEAM, USER)
        text = said(events)
        for message in MESSAGES:
            run, events = state.runs.execute(workflow_id, say(message), run.id, None, TEAM,
                                             USER)
            text += said(events)
        if i == 0:
            check(run.status, text)
    rate = runs * TURNS_PER_RUN / (time.perf_counter() - t)
    state.runs.by_id.clear()  # a fresh store per batch: every batch measures the same thing
    return rate


# ------------------------------------------------------------------------- REST over ASGI
async def rest_batches(app: Any, runs: int, reps: int) -> list[float]:
    import httpx

    headers = {"Authorization": "Bearer bench-rest", "teamid": TEAM, "uuid": USER}
    rates: list[float] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench", headers=headers) as client:
        r = await client.post("/v1/workflows", json=WORKFLOW)
        r.raise_for_status()
        wid = r.json()["workflow"]["_id"]
        url = f"/v1/workflows/{wid}/execute"
        for rep in range(reps + 1):
            count = WARMUP_RUNS if rep == 0 else runs
            r = await client.post("/_emulator/scripts/interactly/llm", json={"replies": [
                {"node": "Front", "reply": FRONT_REPLY, "times": 2 * count}]})
            r.raise_for_status()
            t = time.perf_counter()
            for i in range(count):
                r = await client.post(url, json={"run_input": start_input()})
                r.raise_for_status()
                run_id, text = r.json()["run_id"], said(r.json()["events"])
                for message in MESSAGES:
                    r = await client.post(url, json={"run_input": say(message),
                                                     "run_id": run_id})
                    r.raise_for_status()
                    text += said(r.json()["events"])
                if i == 0:
                    check(r.json()["status"], text)
            if rep:
                rates.append(count * TURNS_PER_RUN / (time.perf_counter() - t))
    return rates


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs per batch")
    parser.add_argument("--reps", type=int, default=5, help="batches (median reported)")
    args = parser.parse_args()

    from emulator.app import create_app
    from emulator.interactly.state import interactly
    from emulator.settings import Settings

    app = create_app(Settings(clock="manual"))
    rows: list[tuple[str, ...]] = [("metric", "median", "best", "target", "ok/miss")]

    def add(name: str, rates: list[float], target: float | None) -> None:
        value = statistics.median(rates)
        verdict = "" if target is None else ("ok" if value >= target else "miss")
        rows.append((name, f"{value:,.0f} turns/s", f"{max(rates):,.0f} turns/s",
                     "" if target is None else f">= {target:,.0f}", verdict))

    engine_batch(WARMUP_RUNS)
    add("Engine.turn alone", [engine_batch(args.runs) for _ in range(args.reps)], TARGET)

    state = interactly(app.state.registry.get("bench-runs"))
    wf = state.catalog.create_workflow(WORKFLOW["name"], None, WORKFLOW["workflow_config"],
                                       TEAM, USER, NODES, EDGES)
    runs_batch(state, wf.id, WARMUP_RUNS)
    add("Runs.execute (what the REST route calls)",
        [runs_batch(state, wf.id, args.runs) for _ in range(args.reps)], TARGET)

    add("POST .../execute over ASGI (reference)",
        asyncio.run(rest_batches(app, args.runs, args.reps)), None)
    asyncio.run(app.state.registry.aclose())
    print(f"engine turns: 5-node workflow, {TURNS_PER_RUN} turns per run, {args.runs} runs "
          f"per batch, median of {args.reps} batches")
    table(rows)


if __name__ == "__main__":
    main()
