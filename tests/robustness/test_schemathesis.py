"""Property-based fuzzing of every operation in the emulator's own OpenAPI, with schemathesis.

Why: the emulator answers ~220 operations, and the hand-written tests walk the paths clients
take. The fuzzer sends what nobody thought of (boundary numbers, odd strings, wrong types,
missing fields, existing ids in the wrong place) and checks each answer against the typed
contract every route declares: no 5xx, the status is one the operation documents, the body
matches the response model declared for that status, and the content type is the declared
one. The app also runs with ``--strict`` (tests/conftest.py), which holds the same answers
against the same models from the inside.

How:

- In-process, through schemathesis' own ASGI transport (one event loop thread for the whole
  session), against a dedicated ``create_app(Settings(clock="manual"))``. The operations are
  whatever ``/openapi.json`` lists, so the test does not care which prefix Interactly's
  routes are documented under.
- A *world* is built once through the API (Revyl executions running and finished, an upload
  and a build, Interactly workflows with versions, nodes, edges and tools, a WebSocket-style
  run with turns, comments, ratings and a re-run token, a completed run, LLM configs, global
  variables, a template, a node library, a simulation and its run, a super-node interface, a
  schedule, a webhook subscription and its events) and exported as a snapshot. Before every
  case the registry is emptied and the snapshot parked under the fuzzer's token, so each case
  starts from that same world whatever the previous one did (reset, clock jumps, seeding,
  snapshot imports, ``?all=true``, fault rules).
- Path, query and top-level body values whose name is one of the world's id kinds are, when
  Hypothesis chooses so, replaced by an id that exists in the world, so cases reach past the
  404 of a random id into the handlers' real work.
- After every case that may change state, the namespace must still export and render (a
  request that answers 200 but leaves state that breaks later reads is a bug too).
- A 5xx is accepted only where the operation's OpenAPI documents it (from-url's 502).
- Requests the exploratory runs found failing are replayed by a plain parametrized test.

Deterministic by default (a fixed seed, no example database). Explore with more examples and
other seeds: ``EMULATOR_FUZZ_EXAMPLES=200 EMULATOR_FUZZ_SEED=$RANDOM pytest <this file>``.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from emulator.app import create_app
from emulator.settings import Settings

TOKEN = "schemathesis-fuzz"
NAMESPACE_KEY = hashlib.sha256(TOKEN.encode()).hexdigest()[:12]
# What the Interactly SDK sends with every request; Revyl ignores them.
HEADERS = {"Authorization": f"Bearer {TOKEN}", "teamid": "fuzz-team", "uuid": "fuzz-user"}
MAX_EXAMPLES = int(os.environ.get("EMULATOR_FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("EMULATOR_FUZZ_SEED", "20260101"))
# Schemathesis' coverage phase (every boundary and every kind of invalid value of every
# parameter, ~30 s more): on in exploratory runs, off in CI where the fuzzing phase suffices.
COVERAGE = os.environ.get("EMULATOR_FUZZ_COVERAGE", "0") == "1"

# Revyl fixtures (fixtures/revyl.json).
LOGIN = "7e570000-0000-4000-8000-000000000001"
FIXTURE_WORKFLOW = "f1000000-0000-4000-8000-000000000001"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
FIXTURE_BUILD = "b1000000-0000-4000-8000-000000000002"

# The fuzzer's query strings can pass the 8 KiB request-target cap, a transport limit answered
# (414) before any route and tested in test_shared_server.py: lifted so the routes are fuzzed.
APP = create_app(Settings(clock="manual", max_url_bytes=1 << 20))
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, config=schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        # Stateful (link-following) runs need a test of their own; the world stands in for it.
        "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": COVERAGE}},
    }),
).exclude(
    # Never-ending SSE streams: an answer is complete only when the client hangs up, and on a
    # manual clock no heartbeat ever comes, so every case would wait out a read timeout. Both
    # are covered by tests/live/test_sse_stream.py and tests/api/test_dashboard.py.
    path_regex=r"^(/api/v1/monitor/stream/unified|/_emulator/ui/stream)$",
)
# WebSocket routes are not in the OpenAPI at all (tests/live/test_interactly_ws.py drives them).
# Interactly's base as the OpenAPI documents it (``/v1`` or ``/workflows/v1``: both are served).
V1 = next(path.removesuffix("/workflows/{workflow_id}/execute")
          for path in schema.raw_schema["paths"]
          if path.endswith("v1/workflows/{workflow_id}/execute"))

# Id kind -> values that exist in the world; filled by the ``world`` fixture.
KNOWN: dict[str, list[Any]] = {}


# ------------------------------------------------------------------------------ the world
class _Builder:
    """Sync calls through schemathesis' ASGI client, each one required to succeed."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.client.request(method, path, json=body, params=params or None,
                                       headers=HEADERS)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()


def _known(**values: Any) -> None:
    for kind, value in values.items():
        KNOWN.setdefault(kind, [])
        for item in value if isinstance(value, list) else [value]:
            if item not in KNOWN[kind]:
                KNOWN[kind].append(item)


START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}


def _says(message: str) -> dict[str, Any]:
    return {**START, "command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "node_logical_id": None, "messages": [
            {"content": message, "additional_kwargs": {}, "response_metadata": {},
             "type": "human", "name": None, "id": None}]}]}}}


def _static(logical_id: str, text: str, start: bool = False) -> dict[str, Any]:
    return {"type": "say_static", "logical_id": logical_id, "name": logical_id,
            "is_start": start, "static_messages_config": {"static_messages": [text]}}


GREETER = {"name": "greeter", "workflow_config": {"name": "greeter", "description": "hi"},
           "node_configs": [_static("node_hi", "hi {{who}}", start=True),
                            _static("node_bye", "bye")],
           "edge_configs": [{"type": "direct", "logical_id": "edge_1",
                             "source_node_logical_id": "node_hi",
                             "destination_node_logical_id": "node_bye"}],
           "dynamic_variables": {"who": "Ada"}, "runtime_variables": {}}
CHAT = {"name": "chat", "workflow_config": {"name": "chat"},
        "node_configs": [{"type": "say_llm", "logical_id": "node_chat", "name": "Chat",
                          "is_start": True, "wait_for_user_message": True,
                          "self_loop": True}],
        "edge_configs": []}
INTERFACE = {"input_fields": [
    {"name": "slot", "description": "When", "value_type": "string", "min_length": 1,
     "mappings": [{"target_type": "dynamic_variable", "target_variable_name": "slot"}]}]}


def _build_revyl(call: _Builder) -> None:
    finished = call("POST", "/api/v1/execution/api/execute_test_id_async",
                    {"test_id": LOGIN})["task_id"]
    wf_finished = call("POST", "/api/v1/execution/api/execute_workflow_id_async",
                       {"workflow_id": FIXTURE_WORKFLOW})["task_id"]
    call("POST", "/_emulator/clock/run-until-idle")
    running = call("POST", "/api/v1/execution/api/execute_test_id_async",
                   {"test_id": LOGIN})["task_id"]
    wf_running = call("POST", "/api/v1/execution/api/execute_workflow_id_async",
                      {"workflow_id": FIXTURE_WORKFLOW})["task_id"]
    _known(task_id=[finished, running, wf_finished, wf_running], test_id=LOGIN, test_uid=LOGIN,
           workflow_id=FIXTURE_WORKFLOW, app_id=ANDROID_APP, build_id=FIXTURE_BUILD)
    call("POST", "/api/v1/variables/custom/add",
         {"test_uid": LOGIN, "variable_name": "pin", "variable_value": "1234"})
    # A build with a stored artifact (download), and an upload still waiting for its bytes.
    for version, send in (("9.9.0", True), ("9.9.1", False)):
        ticket = call("POST", f"/api/v1/apps/{ANDROID_APP}/builds/upload-session",
                      {"version": version, "file_name": f"fuzz-{version}.apk"})
        url = next(v for v in ticket.values() if isinstance(v, str) and "/_emulator/uploads/"
                   in v)
        _, _, key, upload_id = urlsplit(url).path.rsplit("/", 3)
        _known(key=key, upload_id=upload_id)
        if send:
            put = call.client.put(urlsplit(url).path, data=b"PK\x03\x04 fuzz build")
            assert put.status_code == 200, put.text
            build = call("POST", f"/api/v1/apps/{ANDROID_APP}/builds",
                         {"upload_id": upload_id, "version": version})
            _known(build_id=build["id"], stored_build=build["id"])


def _build_interactly(call: _Builder, app: Any) -> None:
    from emulator.interactly.state import interactly

    greeter = call("POST", f"{V1}/workflows", GREETER)["workflow"]["_id"]
    chat = call("POST", f"{V1}/workflows", CHAT)["workflow"]["_id"]
    empty = call("POST", f"{V1}/workflows", {"name": "empty"})["workflow"]["_id"]
    call("POST", f"{V1}/workflows/{greeter}/versions", {"mark_as_active": False,
                                                        "version_name": "v1"})
    _known(workflow_id=[greeter, chat, empty], number=[0, 1], v1=[0, 1], v2=[0, 1],
           version_number=[0, 1], turn_index=[0, 1])
    for plural in ("nodes", "edges"):
        listing = call("GET", f"{V1}/{plural}", workflow_id=greeter)
        _known(doc_id=[doc["_id"] for doc in listing[plural]])
    tool = call("POST", f"{V1}/tools", {
        "type": "inline_python", "name": "Capital Lookup", "workflow_id": greeter,
        "signature": "Return the capital city of the given country.",
        "args_schema": {"type": "object", "required": ["country"],
                        "properties": {"country": {"type": "string"}}},
        "code": "def lookup_capital(country):\n    raise SystemExit('never run')\n"})
    _known(doc_id=tool["tool"]["_id"], tool_id=tool["tool"]["_id"])
    for kind, path in (("node_type", f"{V1}/nodes/types"), ("edge_type", f"{V1}/edges/types"),
                       ("tool_type", f"{V1}/tools/types")):
        listing = call("GET", path)
        values = next(v for v in listing.values() if isinstance(v, list))
        _known(**{kind: [v if isinstance(v, str) else v.get("type") for v in values][:4]})
    _known(key="call_forward")

    # Runs: one completed, one WebSocket-style (re-runnable) waiting for input.
    completed = call("POST", f"{V1}/workflows/{greeter}/execute", {"run_input": START})
    run_id = call("POST", f"{V1}/workflows/{chat}/execute", {"run_input": START})["run_id"]
    ns = app.state.registry.get(TOKEN)
    runs = interactly(ns).runs
    runs.mark_streamed(runs.get(run_id))
    call("POST", f"{V1}/workflows/{chat}/execute", {"run_input": _says("hi"), "run_id": run_id})
    done = completed["run_id"]
    _known(run_id=[done, run_id], source_workflow_run_id=done)
    event_id = next(e["logical_id"] for e in completed["events"]
                    if e["type"] == "assistant_response")
    _known(event_id=event_id)
    runs_path = f"{V1}/workflow-runs/{done}"
    call("POST", f"{runs_path}/comments", {"content": "Reviewed"})
    call("POST", f"{runs_path}/turns/0/comments", {"content": "turn"})
    call("POST", f"{runs_path}/events/{event_id}/comments", {"content": "ev"})
    _known(comment_id=_comment_ids(call("GET", runs_path)))
    call("PUT", f"{runs_path}/turns/0/rating", {"value": "up"})
    call("PUT", f"{runs_path}/events/{event_id}/rating", {"value": "down"})
    token = call("POST", f"{V1}/workflow-runs/{run_id}/turns/1/rerun-token")["rerun_token"]
    _known(token=token)

    llm = call("POST", f"{V1}/llm-configs", {
        "name": "gpt", "config": {"type": "openai_llm", "provider": "openai",
                                  "model": "gpt-5.4", "api_key": "sk-fuzz"}})
    _known(llm_config_id=llm["llm_config"]["llm_config_id"])
    variable = call("POST", f"{V1}/global-variables", {"name": "company_name", "value": "Acme",
                                                     "is_secret": False})
    _known(variable_id=variable["variable"]["_id"])
    template = call("POST", f"{V1}/templates", {"workflow_id": greeter})
    _known(template_id=template["workflow_template"]["_id"])
    library = call("POST", f"{V1}/node-libraries", {
        "node_type": "say_static_message", "name": "Greeting",
        "static_messages_config": {"static_messages": ["Hi there!"]}})
    _known(library_id=library["node_library"]["_id"])
    simulation = call("POST", f"{V1}/simulations", {
        "name": "Sim", "selected_workflow": {"workflow_id": empty, "version_number": 0},
        "counter_workflow": {"workflow_id": greeter, "version_number": 0},
        "number_of_simulations": 1, "max_events": 50})["simulation"]["_id"]
    group = call("POST", f"{V1}/simulations/{simulation}/run", {})["simulation_group"]["_id"]
    _known(simulation_id=simulation, group_id=group)
    call("PUT", f"{V1}/workflows/{greeter}/super-node-interface", {"interface": INTERFACE})
    schedule = call("POST", f"{V1}/workflows/{greeter}/schedules",
                    {"scheduled_time": "2026-01-01T00:05:00Z"})
    _known(schedule_id=_find_id(schedule))
    hook = call("POST", f"{V1}/workflow-webhooks", {
        "name": "listener", "url": "http://127.0.0.1:9/hook",  # loopback discard port
        "actions": ["workflow_run_started", "workflow_run_completed"]})
    _known(subscription_id=hook["id"])
    call("POST", f"{V1}/workflows/{greeter}/execute", {"run_input": START})
    events = call("GET", f"{V1}/workflow-webhooks/events")
    ids = [e["id"] for e in next(v for v in events.values() if isinstance(v, list))]
    assert ids, events
    _known(event_id=ids[:2], event_doc_id=ids[:2])


def _comment_ids(document: Any) -> list[str]:
    """The ``logical_id`` of every comment anywhere in a stored run."""
    found: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "comments" and isinstance(value, list):
                found += [c["logical_id"] for c in value if isinstance(c, dict)]
            else:
                found += _comment_ids(value)
    elif isinstance(document, list):
        for value in document:
            found += _comment_ids(value)
    return found


def _find_id(document: Any) -> str:
    """The first ``_id``/``id`` in a response, however deep: the shapes differ per family."""
    if isinstance(document, dict):
        for key in ("_id", "id", "comment_id", "schedule_id"):
            if isinstance(document.get(key), str):
                return document[key]
        for value in document.values():
            found = _find_id(value) if isinstance(value, dict | list) else None
            if found:
                return found
    if isinstance(document, list):
        for value in document:
            found = _find_id(value)
            if found:
                return found
    return ""


def _empty(app: Any) -> None:
    """Forget every namespace and the anonymous journal: the app as just created."""
    app.state.registry.reset()
    journal = getattr(app.state, "anonymous_journal", None)
    if journal is not None:
        journal.clear()


# Cases sent per operation, reported at the end of the module (CI logs show the coverage).
CASES: dict[str, int] = {}


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The world's snapshot (built once), with ``KNOWN`` filled in."""
    _empty(APP)
    CASES.clear()
    KNOWN.clear()
    with get_client(APP) as client:
        call = _Builder(client)
        _build_revyl(call)
        _build_interactly(call, APP)
        snapshot = call("GET", "/_emulator/snapshot")
    assert snapshot["namespace"] == NAMESPACE_KEY
    yield snapshot
    _empty(APP)
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin(
        "capturemanager")
    if reporter is not None and capture is not None and CASES:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nschemathesis: {sum(CASES.values())} cases over "
                                f"{len(CASES)} operations (max_examples={MAX_EXAMPLES}, "
                                f"seed={SEED})")


# ------------------------------------------------------------------------------ the test
def _with_known_ids(values: Any) -> st.SearchStrategy[Any]:
    """``values`` with, for each key naming an id kind, either its generated value or one
    that exists in the world (Hypothesis picks, so failures shrink to the generated one)."""
    if not isinstance(values, dict):
        return st.just(values)
    keys = [key for key in values if KNOWN.get(key)]
    if not keys:
        return st.just(values)
    choices = {key: st.one_of(st.just(values[key]), st.sampled_from(KNOWN[key]))
               for key in keys}
    return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    return _with_known_ids(path_parameters)


@schema.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    return _with_known_ids(query)


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _with_known_ids(body)


def not_an_undocumented_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """``not_a_server_error``, except for a 5xx the operation's OpenAPI documents as part of
    the contract (Revyl's from-url answers 502 for a URL it cannot fetch, spec §9.2)."""
    if str(response.status_code) in case.operation.definition.raw.get("responses", {}):
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [not_an_undocumented_server_error, response_schema_conformance,
          content_type_conformance, response_headers_conformance, status_code_conformance]
# Read after every case that may change state (any method but GET): whatever the request did,
# the namespace must still be observable. An import of a snapshot with an infinite clock scale
# answered 200 and then broke every answer that printed the clock; this catches that kind of
# poisoned state. The snapshot exports every store; the dashboard's state renders them.
PROBES = ("/_emulator/snapshot", "/_emulator/ui/state")


@schema.parametrize()
@settings(deadline=None, derandomize=False, database=None,
          suppress_health_check=list(HealthCheck))
def test_operation_answers_within_its_schema(case: Any, world: dict[str, Any]) -> None:
    """One generated request against a fresh copy of the world: no 5xx, and the answer's body
    and content type are the ones the OpenAPI declares for its status code."""
    _empty(APP)
    APP.state.registry.park(NAMESPACE_KEY, world)
    CASES[case.operation.label] = CASES.get(case.operation.label, 0) + 1
    response = case.call(headers=HEADERS)
    case.validate_response(response, checks=CHECKS)
    if case.method.upper() == "GET":
        return
    with get_client(APP) as client:
        for path in PROBES:
            probe = client.get(path, headers=HEADERS)
            assert probe.status_code == 200, (
                f"after {case.method} {case.formatted_path} -> {response.status_code}: "
                f"GET {path} -> {probe.status_code} {probe.text[:300]}")


# ------------------------------------------------------------------------------ regressions
def _clock_changed(world: dict[str, Any], **clock: Any) -> dict[str, Any]:
    document = copy.deepcopy(world)
    document["clock"].update(clock)
    return document


# Requests the exploratory runs found failing, replayed through the same checks every run
# (a fuzzer with a fixed seed may not draw them again). Each builds its Case from the world.
REGRESSIONS: dict[str, Callable[[dict[str, Any]], tuple[str, str, dict[str, Any]]]] = {
    # A "now" past year 9999 (or past time_t) was a 500 from the clock's printing.
    "clock-year-10000": lambda world: ("/_emulator/clock", "PUT",
                                       {"body": {"now": 253402300800.0}}),
    "clock-past-time_t": lambda world: ("/_emulator/clock", "PUT",
                                        {"body": {"now": 9.223372036854776e18}}),
    # A refused snapshot's 422 ``detail`` is a sentence: the OpenAPI said FastAPI's list only.
    "snapshot-refused": lambda world: ("/_emulator/snapshot", "POST", {"body": {}}),
    # An infinite scale or a year-10000 clock imported fine, then every answer printing the
    # clock was a 500 (the probes after the case catch that).
    "snapshot-infinite-scale": lambda world: (
        "/_emulator/snapshot", "POST", {"body": _clock_changed(world, scale="inf")}),
    "snapshot-clock-year-10000": lambda world: (
        "/_emulator/snapshot", "POST", {"body": _clock_changed(world, now_epoch=2.6e11)}),
    # Spec §9.2: an unfetchable URL is a 502; the OpenAPI did not say so.
    "from-url-unfetchable": lambda world: (
        "/api/v1/builds/vars/{app_id}/versions/from-url", "POST",
        {"path_parameters": {"app_id": ANDROID_APP},
         "body": {"from_url": "https://example.invalid/app.apk", "version": "7.7.7"}}),
    # An artifact download is the artifact's own media type; the OpenAPI said JSON.
    "download-artifact": lambda world: (
        "/_emulator/downloads/{key}/{build_id}", "GET",
        {"path_parameters": {"key": NAMESPACE_KEY, "build_id": KNOWN["stored_build"][0]}}),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_requests_found_by_fuzzing_stay_fixed(name: str, world: dict[str, Any]) -> None:
    """The same checks and probes as the fuzzed cases, on requests that once failed them."""
    path, method, parts = REGRESSIONS[name](world)
    case = schema[path][method].Case(**parts)
    _empty(APP)
    APP.state.registry.park(NAMESPACE_KEY, world)
    response = case.call(headers=HEADERS)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500 or name == "from-url-unfetchable", response.text
    with get_client(APP) as client:
        for probe_path in PROBES:
            probe = client.get(probe_path, headers=HEADERS)
            assert probe.status_code == 200, (probe_path, probe.status_code, probe.text[:300])
