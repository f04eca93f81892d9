"""Load: 200 concurrent clients against a real emulator process, then an audit of its state.

Why: every other test sends one request at a time, but the emulator's users do not. A CI
fan-out starts dozens of runs at once, dashboards and the GitHub Action hold SSE streams open
while others poll and cancel, and SDK sessions talk to Interactly in parallel. A lost update, a
duplicated execution, an event published twice, a stream dropped or a turn stored in the wrong
run only shows under that kind of interleaving.

Shape: 200 client coroutines in this process's event loop, each with its own connections, over
real sockets to the session's live server (``emulator_server``), spread over four namespaces
(tokens) so that isolation is loaded too. Each namespace's clock is put in ``manual`` mode and
moved by a driver coroutine: one virtual second per ``STEP_REQUESTS`` requests of that
namespace's clients, so executions go through initializing/queued/running/terminal while they
are polled and cancelled, at a pace tied to the work done rather than to the machine's speed.
Per namespace, 50 clients:

- 20 Revyl clients: rounds of starting tests and a workflow, polling them, cancelling at
  various points (again after it finished, which the contract answers with 200
  ``success: false``), cancelling a child; at the end, with the clock standing still, a
  fan-out of ``BATCH`` tests each.
- 10 SSE watchers: subscribe to ``/api/v1/monitor/stream/unified``, start a test and a
  workflow (some cancelled) and read until the namespace's sentinel execution has ended.
- 15 Interactly talkers: create a workflow, run conversations to their end turn by turn, run
  and stop one on the namespace's shared workflow, probe the 404 after each end.
- 5 readers: history, list and control-plane reads while everything moves.

Then the driver runs the clock to idle in one ``run-until-idle`` (the fan-out: ~1,500
transitions in one synchronous burst), starts one last sentinel execution and runs it to its
end. Work is a fixed script per client (never bounded by wall time), so what is checked is the
same on every machine; only the interleavings differ. The audit: no error anywhere (every
status the expected one), every execution each client started exists exactly once in the
history endpoints, the control plane's counts equal the clients' bookkeeping, final states
follow from the outcomes and cancels, polls never went back, every watcher's stream survived
and carried each execution's end exactly once with the status REST reports (its own ones in
order: started, updates, ``_with_data``, plain), and every run's turns are stored in order.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import importlib.util
import json
import os
import random
import ssl
import sys
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.api.conftest import (
    CHECKOUT,
    EXECUTE,
    FAILING,
    LOGIN,
    ONBOARDING_IOS,
    SDK_HEADERS,
    STATUS,
)
from tests.api.test_interactly import START, says

pytestmark = [pytest.mark.live, pytest.mark.anyio]

SMOKE = "f1000000-0000-4000-8000-000000000001"  # login-flow + onboarding-ios: passes
NIGHTLY = "f1000000-0000-4000-8000-000000000002"  # includes the [fail] test: fails
TESTS = [LOGIN, CHECKOUT, ONBOARDING_IOS, FAILING]
WORKFLOWS = [SMOKE, NIGHTLY]
EXECUTE_WORKFLOW = "/api/v1/execution/api/execute_workflow_id_async"
MONITOR = "/api/v1/monitor/stream/unified"

NAMESPACES = 4
CLIENTS = 200
# Role by a client's position inside its namespace (0..49), in blocks of ten.
ROLES = ["revyl"] * 4 + ["watcher"] * 2 + ["talker"] * 3 + ["reader"]
STEP_REQUESTS = 20  # requests of a namespace's clients per virtual second
REVYL_ROUNDS = 3
BATCH = 10  # per Revyl client: 200 tests per namespace, ~1,700 events in the final burst
CHAT_TURNS = 4
CONVERSATIONS = 2  # to the end on a talker's own workflow (then one stopped on the shared one)
READS = 10
HANG_GUARD = 300.0  # only against a deadlock; the run takes a fraction of this

TEST_RANK = {"initializing": 0, "queued": 1, "running": 2}
WORKFLOW_RANK = {"queued": 0, "setup": 1, "running": 2}
TERMINAL = {"completed", "failed", "cancelled", "timeout"}

CHAT = {"name": "load-chat", "workflow_config": {"name": "load-chat"},
        "node_configs": [
            {"type": "say_llm", "logical_id": "node_chat", "name": "Chat", "is_start": True},
            {"type": "say_static", "logical_id": "node_bye", "name": "Bye",
             "static_messages_config": {"static_messages": ["bye"]}}],
        "edge_configs": [
            {"type": "conditional", "logical_id": "edge_bye",
             "source_node_logical_id": "node_chat", "destination_node_logical_id": "node_bye",
             "condition": {"condition_freeform": "the user says goodbye"}}]}


def natural_test_outcome(test_id: str) -> str:
    """What an uncancelled execution ends as: the fixtures' ``[fail]`` test fails."""
    return "failed" if test_id == FAILING else "completed"


def natural_workflow_outcome(workflow_id: str) -> str:
    return "failed" if workflow_id == NIGHTLY else "completed"


# ---------------------------------------------------------------------------- bookkeeping
@dataclass
class TestRecord:
    """One test execution as its client knows it (direct start or workflow child)."""

    __test__ = False

    task_id: str
    test_id: str
    sent: int  # the namespace's request count when its start (or its workflow's) was sent
    parent: str | None = None
    polls: list[tuple[int, int, str]] = field(default_factory=list)
    cancelled: bool = False  # a cancel of ours answered success: true
    cancel_answers: list[str] = field(default_factory=list)  # statuses of success: false
    sse_final: str | None = None


@dataclass
class WorkflowRecord:
    task_id: str
    workflow_id: str
    sent: int
    children: list[str] = field(default_factory=list)  # as last seen in a status answer
    polls: list[tuple[int, int, str]] = field(default_factory=list)
    cancelled: bool = False
    cancel_answers: list[str] = field(default_factory=list)
    child_cancelled: bool = False  # one of its children was cancelled by a client
    sse_final: str | None = None


@dataclass
class RunRecord:
    run_id: str
    workflow_id: str
    status: str
    turns: list[tuple[str, str | None]]  # (command, user message) in the order sent


class Audit:
    """Errors are collected, not raised, so one run reports every problem at once."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.requests = 0
        self.sse_frames = 0

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def check(self, condition: bool, message: str) -> bool:
        if not condition:
            self.fail(message)
        return condition


class Tenant:
    """One namespace: its own token, clock driver and its clients' bookkeeping."""

    def __init__(self, index: int, base_url: str, audit: Audit, tls: ssl.SSLContext) -> None:
        self.index = index
        self.token = f"load-{index}-{uuid.uuid4().hex[:10]}"
        self.base_url = base_url
        self.audit = audit
        self.tls = tls
        self.tests: dict[str, TestRecord] = {}
        self.workflows: dict[str, WorkflowRecord] = {}
        self.runs: dict[str, RunRecord] = {}
        self.talker_workflows: list[str] = []
        self.shared_workflow = ""
        self.busy = 0  # clients still sending requests
        self.done_requests = 0  # by the clients (the driver's own are not counted)
        self.progress = asyncio.Event()
        self.virtual_seconds = 0.0
        self.sent = 0  # requests sent so far, in order
        self.streams: list[Stream] = []
        self.readers: list[asyncio.Task[None]] = []
        self.quiet = asyncio.Event()  # every client is done: the clock stands still
        self.fanning_out = 0  # Revyl clients still to start their batch
        self.fanned_out = asyncio.Event()
        self.burst = 0  # transitions fired by the final run-until-idle (+1 event per ending)
        self.sentinel: str | None = None  # started last: a watcher that saw it end saw all

    @contextlib.asynccontextmanager
    async def client(self, paced: bool = True) -> AsyncIterator[Client]:
        """A client of its own, as separate processes would have: a small connection pool
        (one big shared pool costs httpcore a scan of every connection per request). Its idle
        expiry is well under the server's keep-alive (5 s, as httpx's own default): with equal
        ones, a loaded server closes connections a client is just reusing (README, flags)."""
        async with httpx.AsyncClient(
                base_url=self.base_url, verify=self.tls,
                headers={"Authorization": f"Bearer {self.token}", **SDK_HEADERS},
                limits=httpx.Limits(keepalive_expiry=1.0),
                timeout=httpx.Timeout(60.0, pool=None)) as http:
            yield Client(self, http, paced)

    def client_done(self) -> None:
        self.busy -= 1
        self.progress.set()


class Client:
    """One client's connections to its namespace."""

    def __init__(self, t: Tenant, http: httpx.AsyncClient, paced: bool) -> None:
        self.t = t
        self.http = http
        self.paced = paced  # its requests move the clock (the driver's and the audit's don't)

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        """One request; an unexpected status or a transport error is an error of the run.
        Returns the JSON body, or None when the request failed."""
        t = self.t
        t.sent += 1
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            t.audit.fail(f"ns{t.index} {method} {path}: {type(exc).__name__}: {exc!r}")
            return None
        finally:
            t.audit.requests += 1
            if self.paced:
                t.done_requests += 1
                t.progress.set()
        if response.status_code != expect:
            t.audit.fail(f"ns{t.index} {method} {path} -> {response.status_code}, "
                         f"expected {expect}: {response.text[:300]}")
            return None
        return response.json()


# ---------------------------------------------------------------------------- Revyl helpers
async def start_test(c: Client, test_id: str) -> TestRecord | None:
    t = c.t
    sent = t.sent
    body = await c.call("POST", EXECUTE, json={"test_id": test_id})
    if body is None:
        return None
    record = TestRecord(body["task_id"], test_id, sent)
    t.audit.check(record.task_id not in t.tests, f"task id {record.task_id} handed out twice")
    t.tests[record.task_id] = record
    return record


async def start_workflow(c: Client, workflow_id: str) -> WorkflowRecord | None:
    t = c.t
    sent = t.sent
    body = await c.call("POST", EXECUTE_WORKFLOW, json={"workflow_id": workflow_id})
    if body is None:
        return None
    record = WorkflowRecord(body["task_id"], workflow_id, sent)
    t.audit.check(record.task_id not in t.workflows,
                  f"workflow task id {record.task_id} handed out twice")
    t.workflows[record.task_id] = record
    return record


def _progressing(audit: Audit, what: str, polls: list[tuple[int, int, str]],
                 key: tuple[int, int, str]) -> None:
    """Polls of one execution never go back: (phase rank, counter) only grows, a terminal
    status never changes. A lost or reordered update would break this."""
    if polls:
        last = polls[-1]
        if last[2] in TERMINAL:
            audit.check(key[2] == last[2], f"{what}: terminal {last[2]} became {key[2]}")
        else:
            audit.check(key[:2] >= last[:2], f"{what}: went back from {last} to {key}")
    polls.append(key)


async def poll_test(c: Client, record: TestRecord) -> None:
    t = c.t
    body = await c.call("GET", STATUS, params={"task_id": record.task_id})
    if body is None:
        return
    status = body["status"]
    t.audit.check(body["task_id"] == record.task_id, f"status of {record.task_id} answered "
                  f"for {body['task_id']}")
    t.audit.check(status in TEST_RANK or status in TERMINAL, f"unknown status {status!r}")
    rank = TEST_RANK.get(status, 3)
    _progressing(t.audit, f"test {record.task_id}", record.polls,
                 (rank, body["steps_completed"], status))


async def poll_workflow(c: Client, record: WorkflowRecord) -> None:
    t = c.t
    body = await c.call("GET", f"/api/v1/workflows/status/status/{record.task_id}")
    if body is None:
        return
    status = body["status"]
    t.audit.check(body["task_id"] == record.task_id, f"workflow status of {record.task_id} "
                  f"answered for {body['task_id']}")
    children = [child["task_id"] for child in body["child_tasks"]]
    t.audit.check(children[:len(record.children)] == record.children,
                  f"workflow {record.task_id}: children changed from {record.children} to "
                  f"{children}")
    record.children = children
    rank = WORKFLOW_RANK.get(status, 3)
    _progressing(t.audit, f"workflow {record.task_id}", record.polls,
                 (rank, body["completed_tests"], status))


async def cancel_test(c: Client, record: TestRecord) -> None:
    t = c.t
    body = await c.call("POST", f"/api/v1/execution/tests/status/cancel/{record.task_id}")
    if body is None:
        return
    t.audit.check(body["task_id"] == record.task_id, f"cancel of {record.task_id} answered "
                  f"for {body['task_id']}")
    if body["success"]:
        t.audit.check(body["status"] == "cancelled" and not record.cancelled,
                      f"cancel of {record.task_id} succeeded twice or with {body['status']}")
        record.cancelled = True
    else:  # the contract: 200, success false, the final status (README, spec §3.3)
        t.audit.check(body["status"] in TERMINAL,
                      f"refused cancel of {record.task_id} with status {body['status']}")
        record.cancel_answers.append(body["status"])


async def cancel_workflow(c: Client, record: WorkflowRecord) -> None:
    t = c.t
    body = await c.call("POST", f"/api/v1/workflows/status/cancel/{record.task_id}")
    if body is None:
        return
    if body["success"]:
        t.audit.check(body["status"] == "cancelled" and not record.cancelled,
                      f"cancel of workflow {record.task_id} succeeded twice or with "
                      f"{body['status']}")
        record.cancelled = True
    else:
        t.audit.check(body["status"] in TERMINAL,
                      f"refused cancel of workflow {record.task_id}: {body['status']}")
        record.cancel_answers.append(body["status"])


def child_record(t: Tenant, flow: WorkflowRecord, task_id: str, test_id: str) -> TestRecord:
    record = t.tests.get(task_id)
    if record is None:
        record = t.tests[task_id] = TestRecord(task_id, test_id, flow.sent,
                                               parent=flow.task_id)
    return record


# ---------------------------------------------------------------------------- clients
async def revyl_client(c: Client, i: int) -> None:
    """``REVYL_ROUNDS`` times: three tests and a workflow, polled three times, with cancels
    between the polls: the first test (again once it is over), then the workflow or one of
    its children; then one more test."""
    rng = random.Random(i)
    for _ in range(REVYL_ROUNDS):
        await revyl_round(c, rng)


async def revyl_round(c: Client, rng: random.Random) -> None:
    t = c.t
    mine = [r for r in [await start_test(c, rng.choice(TESTS)) for _ in range(3)] if r]
    flow = await start_workflow(c, rng.choice(WORKFLOWS))
    if flow is not None:  # at once, to catch it queued or in setup
        await poll_workflow(c, flow)

    async def poll_all() -> None:
        for record in mine:
            await poll_test(c, record)
        if flow is not None:
            await poll_workflow(c, flow)

    await poll_all()
    if mine:
        await cancel_test(c, mine[0])
    await poll_all()
    if flow is not None:
        if rng.random() < 0.5 or not flow.children:
            await cancel_workflow(c, flow)
        else:
            body = await c.call("GET", f"/api/v1/workflows/status/status/{flow.task_id}")
            if body is not None and body["child_tasks"]:
                child = body["child_tasks"][-1]
                record = child_record(t, flow, child["task_id"], child["test_id"])
                await cancel_test(c, record)
                flow.child_cancelled = flow.child_cancelled or record.cancelled
    if mine:
        await cancel_test(c, mine[0])
    await poll_all()
    extra = await start_test(c, rng.choice(TESTS))
    if extra is not None:
        await poll_test(c, extra)


ENDS = ("completed", "failed", "cancelled")  # event names: a timeout is reported as failed
TERMINAL_EVENTS = {f"test_{end}{suffix}" for end in ENDS for suffix in ("", "_with_data")} | {
    f"workflow_{end}" for end in ENDS}


class Stream:
    """A watcher's SSE stream, read continuously until the namespace's sentinel execution
    (started after everything else ended) has ended too.

    It keeps every terminal event of the namespace (to check later that each execution ended
    exactly once on this stream) and every event of the watcher's own test and workflow.
    Until the watcher knows its task ids (its POSTs are in flight while their first events
    already arrive) non-terminal events are parked; once ``watch`` names them, parked and
    later events are kept if their data mentions one of them. Child tests mention their
    workflow's task id (``parent_workflow_task_id``), so watching it covers its children."""

    def __init__(self, c: Client) -> None:
        self.c = c
        self.t = c.t
        self.ready = asyncio.Event()
        self.subscribed_at = 0  # executions whose start was sent later must all show up
        self.ids: list[str] | None = None
        self.parked: list[tuple[str, str]] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.terminal: collections.Counter[tuple[str, str]] = collections.Counter()
        self.ended: dict[str, str] = {}  # task id -> status of its terminal event
        self.ended_early = False

    def watch(self, test_id: str, flow_id: str) -> None:
        self.ids = [test_id, flow_id]
        for name, data in self.parked:
            self._keep(name, data, None)
        self.parked.clear()

    def _keep(self, name: str, data: str, parsed: dict[str, Any] | None) -> None:
        assert self.ids is not None
        if any(i in data for i in self.ids):
            self.events.append((name, parsed if parsed is not None else json.loads(data)))

    async def read(self) -> None:
        t = self.t
        try:
            async with self.c.http.stream(
                    "GET", MONITOR, headers={"Accept": "text/event-stream"},
                    timeout=httpx.Timeout(60.0, read=None, pool=None)) as response:
                t.audit.requests += 1
                if not t.audit.check(response.status_code == 200,
                                     f"ns{t.index} stream: {response.status_code}"):
                    return
                name = ""
                async for line in response.aiter_lines():
                    if line.startswith("event: "):
                        name = line[7:]
                        continue
                    if not line.startswith("data: "):
                        continue
                    t.audit.sse_frames += 1
                    data, parsed = line[6:], None
                    if name == "initial_state":
                        self.subscribed_at = t.sent
                        self.ready.set()
                    elif name in ("connection_ready", "heartbeat"):
                        pass
                    elif name in TERMINAL_EVENTS:
                        parsed = json.loads(data)
                        self.terminal[name, parsed["task_id"]] += 1
                        if not name.endswith("_with_data"):
                            self.ended[parsed["task_id"]] = parsed["status"]
                    if name not in ("initial_state", "connection_ready", "heartbeat"):
                        if self.ids is None:
                            self.parked.append((name, data))
                        else:
                            self._keep(name, data, parsed)
                    if t.sentinel is not None and t.sentinel in self.ended:
                        return
                self.ended_early = True  # the server closed it: dropped as too slow?
        except httpx.HTTPError as exc:
            t.audit.fail(f"ns{t.index} stream: {type(exc).__name__}: {exc!r}")
        finally:
            self.ready.set()


async def watcher(c: Client, i: int) -> None:
    """Subscribes first, then starts a test and a workflow (a third of the watchers cancel
    the test, a third the workflow), and reads until the namespace's sentinel has ended.
    The terminal statuses it saw are compared with REST in the audit."""
    t = c.t
    rng = random.Random(i)
    stream = Stream(c)
    reader = asyncio.create_task(stream.read())
    t.readers.append(reader)
    try:
        await stream.ready.wait()
        test = await start_test(c, rng.choice(TESTS))
        flow = await start_workflow(c, rng.choice(WORKFLOWS))
        if test is None or flow is None:
            reader.cancel()
            return
        stream.watch(test.task_id, flow.task_id)
        choice = i // NAMESPACES % 3
        if choice == 0:
            await cancel_test(c, test)
        elif choice == 1:
            await cancel_workflow(c, flow)
    finally:
        t.client_done()
    await asyncio.wait([reader])
    if reader.cancelled():
        return
    if t.audit.check(not stream.ended_early, f"ns{t.index} watcher {i}: stream ended before "
                     "the sentinel's terminal event"):
        t.streams.append(stream)
        check_stream(t, stream, test, flow)


def check_stream(t: Tenant, stream: Stream, test: TestRecord, flow: WorkflowRecord) -> None:
    """Per execution: started, updates that only move forward, then exactly one terminal
    ``_with_data`` event and its plain twin, and nothing after; children end before their
    workflow. The terminal statuses are compared with REST in the audit."""
    audit = t.audit
    per_task: dict[str, list[tuple[str, dict[str, Any]]]] = collections.defaultdict(list)
    order: list[tuple[str, str]] = []
    for name, data in stream.events:
        if name.startswith("test_"):
            item = data.get("test") if name in ("test_started", "test_updated") else data
            task = item["task_id"]
        elif name.startswith("workflow_"):
            task = data["workflow"]["task"]["task_id"] if "task_id" not in data \
                else data["task_id"]
        else:
            audit.fail(f"watcher: unexpected event {name}")
            continue
        per_task[task].append((name, data))
        order.append((name, task))
    label = f"ns{t.index} stream"
    flow_end = next((k for k, (n, task) in enumerate(order) if task == flow.task_id
                     and n.startswith("workflow_") and n[9:] in TERMINAL), len(order))
    for task, events in per_task.items():
        names = [n for n, _ in events]
        if task == flow.task_id:
            audit.check(names[0] == "workflow_started", f"{label}: {task} began with {names[0]}")
            ends = [n for n in names if n not in ("workflow_started", "workflow_updated")]
            audit.check(len(ends) == 1 and names[-1] == ends[0],
                        f"{label}: workflow {task} terminal events {ends} in {names}")
            keys = [(WORKFLOW_RANK[d["workflow"]["task"]["status"]],
                     d["workflow"]["task"]["completed_tests"]) for n, d in events[:-1]]
            audit.check(keys == sorted(set(keys)), f"{label}: workflow {task} updates {keys}")
            flow.sse_final = events[-1][1]["status"]
            continue
        audit.check(names[0] == "test_started", f"{label}: {task} began with {names[0]}")
        ends = [n for n in names if n not in ("test_started", "test_updated")]
        audit.check(len(ends) == 2 and ends[0].endswith("_with_data")
                    and ends[0] == ends[1] + "_with_data" and names[-2:] == ends,
                    f"{label}: test {task} terminal events {ends} in {names}")
        keys = [(TEST_RANK[d["test"]["status"]], d["test"]["steps_completed"])
                for n, d in events if n in ("test_started", "test_updated")]
        audit.check(keys == sorted(set(keys)), f"{label}: test {task} updates {keys}")
        final = events[-1][1]["status"]
        if task == test.task_id:
            test.sse_final = final
        else:
            record = child_record(t, flow, task, events[0][1]["test"]["test_id"])
            record.sse_final = final
            audit.check(order.index((names[-1], task)) < flow_end,
                        f"{label}: child {task} ended after its workflow (or it never did)")
    audit.check(test.task_id in per_task and flow.task_id in per_task,
                f"{label}: no events for {test.task_id} or {flow.task_id}")


async def talker(c: Client, i: int) -> None:
    """``CONVERSATIONS`` conversations to their end on a workflow of its own, then one stopped
    halfway on the namespace's shared workflow; a turn after each is the contract's 404."""
    t = c.t
    try:
        created = await c.call("POST", "/v1/workflows", json={**CHAT, "name": f"load-{i}"})
        if created is None:
            return
        own = created["workflow"]["_id"]
        t.talker_workflows.append(own)
        messages = [f"client {i} turn {k}: hello there" for k in range(CHAT_TURNS)]
        for _ in range(CONVERSATIONS):
            await converse(c, own, messages, f"goodbye from client {i}")
        await converse(c, t.shared_workflow, messages[:2], None)
    finally:
        t.client_done()


async def converse(c: Client, workflow_id: str, messages: list[str],
                   farewell: str | None) -> None:
    """Start, one turn per message (each answer echoes its own message: turns of concurrent
    runs never cross), then ``farewell`` (completes) or a stop (cancels)."""
    t = c.t
    execute = f"/v1/workflows/{workflow_id}/execute"
    first = await c.call("POST", execute, json={"run_input": START})
    if first is None:
        return
    run_id = first["run_id"]
    record = RunRecord(run_id, workflow_id, "", [("start", None)])
    t.audit.check(run_id not in t.runs, f"run id {run_id} handed out twice")
    t.runs[run_id] = record
    turn = first["turn_number"]
    for message in messages:
        body = await c.call("POST", execute, json={"run_input": says(message), "run_id": run_id})
        if body is None:
            return
        record.turns.append(("data", message))
        said = [e["content"] for e in body["events"] if e["type"] == "assistant_response"]
        t.audit.check(len(said) == 1 and f'"{message}"' in said[0],
                      f"run {run_id}: reply {said} to {message!r}")
        t.audit.check(body["turn_number"] == turn + 1 and body["status"] ==
                      "waiting_for_user_input", f"run {run_id}: turn {body['turn_number']} "
                      f"after {turn}, status {body['status']}")
        turn = body["turn_number"]
    if farewell is not None:
        body = await c.call("POST", execute, json={"run_input": says(farewell), "run_id": run_id})
        record.turns.append(("data", farewell))
        expected = "completed"
    else:
        body = await c.call("POST", execute, json={"run_input": {**START, "command": "stop"},
                                                  "run_id": run_id})
        record.turns.append(("stop", None))
        expected = "cancelled"
    record.status = expected
    if body is not None:
        t.audit.check(body["status"] == expected and body["is_completed"] is True,
                      f"run {run_id}: ended {body['status']}, expected {expected}")
    # A finished run has no session any more: 404 "Session not found" (spec interactly §2).
    gone = await c.call("POST", execute, 404, json={"run_input": says("still there?"),
                                                    "run_id": run_id})
    if gone is not None:
        t.audit.check(gone == {"detail": "Session not found"}, f"run {run_id}: {gone}")


async def reader(c: Client, i: int) -> None:
    """Lists and history while everything moves: every answer is whole (no id twice, totals
    that match the items)."""
    t = c.t
    rng = random.Random(i)
    try:
        for _ in range(READS):
            test_id = rng.choice(TESTS)
            body = await c.call("GET", "/api/v1/tests/get_test_enhanced_history",
                                params={"test_id": test_id, "limit": 1000})
            if body is not None:
                ids = [item["enhanced_task"]["id"] for item in body["items"]]
                t.audit.check(len(ids) == len(set(ids)) == body["total_count"],
                              f"history of {test_id}: {len(ids)} items, "
                              f"{len(set(ids))} distinct, total {body['total_count']}")
            flow_id = rng.choice(WORKFLOWS)
            body = await c.call("GET", f"/api/v1/workflows/history/{flow_id}",
                                params={"limit": 1000})
            if body is not None:
                ids = [e["task_id"] for e in body["executions"]]
                t.audit.check(len(ids) == len(set(ids)) == body["total_count"],
                              f"workflow history of {flow_id}: {len(ids)} / {body}")
            body = await c.call("GET", "/v1/workflow-runs",
                                params={"workflow_id": t.shared_workflow, "size": 500})
            if body is not None:
                ids = [r["_id"] for r in body["workflow_runs"]]
                t.audit.check(len(ids) == len(set(ids)) == body["total"],
                              f"run list: {len(ids)} ids, total {body['total']}")
            await c.call("GET", "/api/v1/workflows/get_with_last_status")
            await c.call("GET", "/_emulator/state")
    finally:
        t.client_done()


async def revyl_role(c: Client, i: int) -> None:
    """The rounds while the clock moves; then, once every client of the namespace is done and
    the clock stands still, a fan-out of ``BATCH`` tests (as a CI job starts them) that the
    final ``run-until-idle`` runs from start to end in one burst of SSE events."""
    t = c.t
    try:
        try:
            await revyl_client(c, i)
        finally:
            t.client_done()
        await t.quiet.wait()
        rng = random.Random(-i)
        for _ in range(BATCH):
            await start_test(c, rng.choice(TESTS))
    finally:
        t.fanning_out -= 1
        if t.fanning_out == 0:
            t.fanned_out.set()


async def drive(c: Client) -> None:
    """The namespace's clock: one virtual second per ``STEP_REQUESTS`` client requests while
    clients work, then ``run-until-idle``, as a test finishing everything would: all that is
    still running ends in one burst of events, which SSE watchers must still receive."""
    t = c.t
    last = 0
    while t.busy > 0:
        await t.progress.wait()
        t.progress.clear()
        if t.done_requests - last >= STEP_REQUESTS:
            seconds = (t.done_requests - last) // STEP_REQUESTS  # catch up with the work
            last += seconds * STEP_REQUESTS
            if await c.call("POST", "/_emulator/clock/advance",
                            json={"seconds": seconds}) is not None:
                t.virtual_seconds += seconds
    t.quiet.set()
    if t.fanning_out:
        await t.fanned_out.wait()
    t.burst = await run_until_idle(c)
    # One more execution once all else has ended: a watcher that sees it end has been sent
    # everything before it (a stream is in order).
    sentinel = await start_test(c, LOGIN)
    if sentinel is None:  # (an error already) the watchers would wait for it forever
        for reader_task in t.readers:
            reader_task.cancel()
        return
    t.sentinel = sentinel.task_id
    await run_until_idle(c)


async def run_until_idle(c: Client) -> int:
    """Returns how many timers fired."""
    before = await c.call("GET", "/_emulator/clock")
    body = await c.call("POST", "/_emulator/clock/run-until-idle")
    if before is None or body is None:
        return 0
    c.t.virtual_seconds += body["now_epoch"] - before["now_epoch"]
    c.t.audit.check(body["pending_timers"] == 0, f"ns{c.t.index}: idle with {body}")
    return body["fired"]


async def guarded(t: Tenant, name: str, work: Callable[[], Awaitable[None]]) -> None:
    """A bug in a client (an unexpected body shape) is an error of the run, not a crash of
    the whole gather."""
    try:
        await work()
    except Exception:
        t.audit.fail(f"ns{t.index} {name}: {traceback.format_exc(limit=4)}")


# ---------------------------------------------------------------------------- audit
def expected_test_final(t: Tenant, record: TestRecord) -> set[str]:
    if record.cancelled:
        return {"cancelled"}
    natural = natural_test_outcome(record.test_id)
    if record.parent is not None and t.workflows[record.parent].cancelled:
        return {natural, "cancelled"}  # it may have ended before its workflow was cancelled
    return {natural}


def expected_workflow_final(record: WorkflowRecord) -> str:
    if record.cancelled:
        return "cancelled"
    if record.child_cancelled:
        return "failed"  # a cancelled child is a child that did not pass
    return natural_workflow_outcome(record.workflow_id)


async def audit_tenant(c: Client) -> None:
    """Everything has run to idle: every record's final state, the history and list
    endpoints, and the control plane's counts against what the clients did."""
    t = c.t
    audit, label = t.audit, f"ns{t.index}"
    finals: dict[str, str] = {}
    for record in list(t.workflows.values()):
        body = await c.call("GET", f"/api/v1/workflows/status/status/{record.task_id}")
        if body is None:
            continue
        status = finals[record.task_id] = body["status"]
        audit.check(status == expected_workflow_final(record),
                    f"{label} workflow {record.task_id} ({record.workflow_id}) ended {status}, "
                    f"expected {expected_workflow_final(record)} ({record})")
        children = [child["task_id"] for child in body["child_tasks"]]
        audit.check(children[:len(record.children)] == record.children,
                    f"{label} workflow {record.task_id}: children {children} lost some of "
                    f"{record.children}")
        for child in body["child_tasks"]:
            child_record(t, record, child["task_id"], child["test_id"])
        if status != "cancelled":
            audit.check(len(children) == body["total_tests"] == body["completed_tests"],
                        f"{label} workflow {record.task_id}: {len(children)} children, "
                        f"counts {body['total_tests']}/{body['completed_tests']}")
            passed = sum(1 for child in body["child_tasks"] if child["status"] == "completed")
            audit.check(passed == body["passed_tests"], f"{label} workflow {record.task_id}: "
                        f"{passed} children passed, passed_tests {body['passed_tests']}")
        for answer in record.cancel_answers:
            audit.check(answer == status, f"{label} workflow {record.task_id}: a cancel "
                        f"answered {answer}, ended {status}")
        if record.sse_final is not None:
            audit.check(record.sse_final == status, f"{label} workflow {record.task_id}: SSE "
                        f"said {record.sse_final}, REST says {status}")
    for record in list(t.tests.values()):
        body = await c.call("GET", STATUS, params={"task_id": record.task_id})
        if body is None:
            continue
        status = finals[record.task_id] = body["status"]
        audit.check(status in expected_test_final(t, record),
                    f"{label} test {record.task_id} ended {status}, expected "
                    f"{expected_test_final(t, record)} ({record})")
        for answer in record.cancel_answers:
            audit.check(answer == status, f"{label} test {record.task_id}: a cancel answered "
                        f"{answer}, ended {status}")
        if record.sse_final is not None:
            audit.check(record.sse_final == status, f"{label} test {record.task_id}: SSE said "
                        f"{record.sse_final}, REST says {status}")
    audit_streams(t, finals)
    # History: every execution exactly once, nothing the clients did not start.
    for test_id in TESTS:
        body = await c.call("GET", "/api/v1/tests/get_test_enhanced_history",
                            params={"test_id": test_id, "limit": 1000})
        if body is None:
            continue
        seen = collections.Counter(item["enhanced_task"]["id"] for item in body["items"])
        mine = {r.task_id for r in t.tests.values() if r.test_id == test_id}
        audit.check(set(seen) == mine and set(seen.values()) <= {1}
                    and body["total_count"] == len(mine),
                    f"{label} history of {test_id}: {len(seen)} ids ({sum(seen.values())} "
                    f"items, total {body['total_count']}), clients started {len(mine)}; "
                    f"missing {mine - set(seen)}, unknown {set(seen) - mine}")
        for item in body["items"]:
            task = item["enhanced_task"]["id"]
            audit.check(finals.get(task, item["status"]) == item["status"],
                        f"{label} history says {task} is {item['status']}")
    for workflow_id in WORKFLOWS:
        body = await c.call("GET", f"/api/v1/workflows/history/{workflow_id}",
                            params={"limit": 1000})
        if body is None:
            continue
        seen = collections.Counter(e["task_id"] for e in body["executions"])
        mine = {r.task_id for r in t.workflows.values() if r.workflow_id == workflow_id}
        audit.check(set(seen) == mine and set(seen.values()) <= {1}
                    and body["total_count"] == len(mine),
                    f"{label} workflow history of {workflow_id}: {dict(seen)} vs {mine}")
    # The control plane's view adds up to the clients' bookkeeping, exactly.
    state = await c.call("GET", "/_emulator/state")
    if state is not None:
        tests = collections.Counter(finals[r] for r in t.tests if r in finals)
        flows = collections.Counter(finals[r] for r in t.workflows if r in finals)
        runs = collections.Counter(r.status for r in t.runs.values())
        audit.check(state["revyl"]["test_executions"] == dict(tests),
                    f"{label} state test_executions {state['revyl']['test_executions']} vs "
                    f"clients {dict(tests)}")
        audit.check(state["revyl"]["workflow_executions"] == dict(flows),
                    f"{label} state workflow_executions "
                    f"{state['revyl']['workflow_executions']} vs clients {dict(flows)}")
        audit.check(state["interactly"]["runs"] == dict(runs),
                    f"{label} state runs {state['interactly']['runs']} vs clients {dict(runs)}")
        audit.check(state["clock"]["pending_timers"] == 0,
                    f"{label} pending timers: {state['clock']}")
    # Interactly: each run listed once under its workflow, every turn stored in order.
    for workflow_id in [t.shared_workflow, *t.talker_workflows]:
        body = await c.call("GET", "/v1/workflow-runs",
                            params={"workflow_id": workflow_id, "size": 500})
        if body is None:
            continue
        listed = collections.Counter(r["_id"] for r in body["workflow_runs"])
        mine = {r.run_id for r in t.runs.values() if r.workflow_id == workflow_id}
        audit.check(set(listed) == mine and set(listed.values()) <= {1}
                    and body["total"] == len(mine),
                    f"{label} runs of {workflow_id}: listed {dict(listed)}, started {mine}")
        for row in body["workflow_runs"]:
            run = t.runs.get(row["_id"])
            if run is not None:
                audit.check(row["workflow_run"]["turn_count"] == len(run.turns),
                            f"{label} run {run.run_id}: turn_count {row['workflow_run']}")
    for run in t.runs.values():
        body = await c.call("GET", f"/v1/workflow-runs/{run.run_id}")
        if body is None:
            continue
        inner = body["workflow_run"]["workflow_run"]
        stored = [summary(pair["run_input"]) for pair in inner["input_output_pairs"]]
        audit.check(stored == run.turns and inner["status"] == run.status,
                    f"{label} run {run.run_id} ({inner['status']}): stored turns {stored}, "
                    f"sent {run.turns}")


def audit_streams(t: Tenant, finals: dict[str, str]) -> None:
    """Every watcher saw each execution of its namespace end exactly once (tests: the
    ``_with_data`` event and its plain twin), with the status REST reports; executions
    started before it subscribed at most once (replayed or live); nothing else."""
    known = {**{r.task_id: ("test", r.sent) for r in t.tests.values()},
             **{r.task_id: ("workflow", r.sent) for r in t.workflows.values()}}
    for n, stream in enumerate(t.streams):
        label = f"ns{t.index} stream {n}"
        unknown = {task for _, task in stream.terminal} - set(known)
        t.audit.check(not unknown, f"{label}: terminal events of unknown executions {unknown}")
        for task, (kind, sent) in known.items():
            counts = [stream.terminal.get((f"{kind}_{end}", task), 0) for end in ENDS]
            if kind == "test":
                counts += [stream.terminal.get((f"test_{end}_with_data", task), 0)
                           for end in ENDS]
            must = sent >= stream.subscribed_at  # else it may have ended before, unseen
            t.audit.check(max(counts) <= 1 and (sum(counts) == len(counts) // 3 or not must),
                          f"{label}: {kind} {task} (sent {sent}, subscribed at "
                          f"{stream.subscribed_at}) ended {counts} times")
            if task in stream.ended and task in finals:
                t.audit.check(stream.ended[task] == finals[task],
                              f"{label}: {task} ended {stream.ended[task]} on the stream, "
                              f"{finals[task]} by REST")


def summary(run_input: dict[str, Any]) -> tuple[str, str | None]:
    """(command, the user's message) of a stored turn."""
    inputs = run_input.get("thread_to_node_inputs", {}).get("0", {}).get("node_run_inputs", [])
    messages = inputs[0].get("messages") if inputs else None
    return run_input["command"], messages[-1]["content"] if messages else None


# ---------------------------------------------------------------------------- the test
@pytest.fixture
def fast_httpcore(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore tries ``import sniffio`` each time it makes a lock (several per request), and
    anyio 4 no longer installs sniffio: every failed import searches all of ``sys.path`` again,
    which was half of this test's client-side CPU. A ``None`` in ``sys.modules`` makes that
    import fail at once; httpcore then assumes asyncio, as it did anyway."""
    if importlib.util.find_spec("sniffio") is None:
        monkeypatch.setitem(sys.modules, "sniffio", None)


def cpu_seconds(pid: int | None) -> float:
    """CPU time a process used so far (Linux; 0 elsewhere or for a server started by someone
    else): a figure that, unlike wall time, does not depend on what else the machine runs."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


async def test_200_concurrent_clients_leave_consistent_state(emulator_server: Any,
                                                             fast_httpcore: None) -> None:
    audit = Audit()
    tls = ssl.create_default_context()  # plain HTTP: made once instead of once per client
    tenants = [Tenant(n, emulator_server.url, audit, tls) for n in range(NAMESPACES)]
    log_mark = len(emulator_server.output)
    roles = {"revyl": revyl_role, "watcher": watcher, "talker": talker, "reader": reader}

    async def client(t: Tenant, role: str, i: int) -> None:
        async with t.client() as c:
            await roles[role](c, i)

    async def driver(t: Tenant) -> None:
        async with t.client(paced=False) as c:
            await drive(c)

    try:
        for t in tenants:
            async with t.client(paced=False) as c:
                await c.call("PUT", "/_emulator/clock", json={"mode": "manual"})
                created = await c.call("POST", "/v1/workflows",
                                       json={**CHAT, "name": "load-shared"})
            assert created is not None, audit.errors
            t.shared_workflow = created["workflow"]["_id"]
        work: list[Awaitable[None]] = []
        for i in range(CLIENTS):
            t = tenants[i % NAMESPACES]
            role = ROLES[(i // NAMESPACES) % len(ROLES)]
            t.busy += 1
            t.fanning_out += role == "revyl"
            work.append(guarded(t, f"{role} {i}", lambda t=t, role=role, i=i: client(t, role, i)))
        work += [guarded(t, "driver", lambda t=t: driver(t)) for t in tenants]
        began, cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(
            emulator_server.pid)
        async with asyncio.timeout(HANG_GUARD):
            await asyncio.gather(*work)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        server_cpu = cpu_seconds(emulator_server.pid) - server_cpu
        for t in tenants:
            async with t.client(paced=False) as c:
                await audit_tenant(c)
    finally:
        for t in tenants:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{emulator_server.url}/_emulator/reset",
                           headers={"Authorization": f"Bearer {t.token}"})
    server_log = "".join(emulator_server.output[log_mark:])
    audit.check("Traceback" not in server_log and "ERROR" not in server_log,
                f"the server logged errors:\n{server_log[-3000:]}")
    executions = sum(len(t.tests) + len(t.workflows) for t in tenants)
    # The load did what it is for: executions were seen in every phase and cancels both
    # landed and came too late (else the pacing, not the emulator, would make this pass).
    seen = collections.Counter(status for t in tenants for r in [*t.tests.values(),
                               *t.workflows.values()] for *_, status in r.polls)
    cancels = collections.Counter(
        outcome for t in tenants for r in [*t.tests.values(), *t.workflows.values()]
        for outcome in ["cancelled"] * r.cancelled + ["too late"] * len(r.cancel_answers))
    audit.check(set(seen) >= {"initializing", "queued", "running", "setup", "completed",
                              "failed", "cancelled"} and len(cancels) == 2,
                f"the load missed phases: polls saw {dict(seen)}, cancels {dict(cancels)}")
    print(f"\nload: {audit.requests} requests, {audit.sse_frames} SSE frames, {executions} "
          f"Revyl executions, {sum(len(t.runs) for t in tenants)} Interactly runs, "
          f"{max(t.virtual_seconds for t in tenants):g} virtual s, final "
          f"run-until-idle fired {'/'.join(str(t.burst) for t in tenants)} transitions; "
          f"{elapsed:.1f} s wall, "
          f"CPU {cpu:.1f} s clients + {server_cpu:.1f} s server; {len(audit.errors)} errors; "
          f"polls saw {dict(seen)}; cancels {dict(cancels)}")
    assert not audit.errors, f"{len(audit.errors)} errors, first ones:\n" + "\n".join(
        audit.errors[:15])


# ---------------------------------------------------------------------------- the burst rule
async def test_one_clock_step_that_ends_hundreds_of_executions_keeps_every_subscriber(
        emulator: Any) -> None:
    """What the load test's final ``run-until-idle`` does, in-process and exact: 300 runs end
    in one synchronous burst of ~3,000 events, more than the 1,024 a subscriber could once
    lag, and each subscriber (which could not read a frame meanwhile) still gets them all."""
    from emulator.revyl.state import revyl

    ns = emulator.namespace
    subscribers = [ns.broker.subscribe() for _ in range(3)]
    tests = revyl(ns).tests
    started = [tests.start(LOGIN).id for _ in range(300)]
    fired = await emulator.run_until_idle()
    assert fired["fired"] > 1024 and ns.broker.dropped == 0
    for sub in subscribers:
        assert not sub.dropped
        frames = []
        while not sub.queue.empty():
            frames.append(sub.queue.get_nowait())
        ended = [f for f in frames if f is not None and f.startswith(b"event: test_completed\n")]
        assert sorted(json.loads(f.split(b"data: ", 1)[1])["task_id"] for f in ended) == sorted(
            started)


def test_a_subscriber_stalled_behind_is_still_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other half of the rule: a backlog over ``lag_frames`` that is not drained within
    ``stall_seconds`` (wall time: a client's socket, not the virtual clock) ends the stream,
    so a stuck client cannot pin memory; one that drains in time stays."""
    import emulator.core.broker as broker_module
    from emulator.core.broker import Broker

    now = [100.0]
    monkeypatch.setattr(broker_module.time, "monotonic", lambda: now[0])
    broker = Broker(replay_size=0, lag_frames=2, stall_seconds=10)
    stuck, draining = broker.subscribe(), broker.subscribe()
    for n in range(5):  # a burst: both 5 behind, neither dropped
        broker.publish("e", {"n": n})
    now[0] += 9
    while not draining.queue.empty():
        draining.queue.get_nowait()
    broker.publish("e", {"n": 5})  # 9 s later: stuck is still behind, within the grace
    assert not stuck.dropped and not draining.dropped
    now[0] += 2
    broker.publish("e", {"n": 6})  # 11 s behind: stuck goes, draining caught up and stays
    assert stuck.dropped and not draining.dropped and broker.subscribers == 1
