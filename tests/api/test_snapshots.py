"""/_emulator/seed and /_emulator/snapshot: fixtures in, whole namespaces out and back."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from .conftest import CHECKOUT, LOGIN, STATUS, advance, start, status

pytestmark = pytest.mark.anyio

SDK = {"teamid": "emu-team", "uuid": "emu-user"}
SMOKE = "f1000000-0000-4000-8000-000000000001"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
PINNED = "5eed00000000000000000001"
NEW_TEST = {"id": "7e570000-0000-4000-8000-0000000000aa", "name": "seeded-smoke",
            "platform": "android", "app_id": ANDROID_APP, "step_seconds": 2,
            "blocks": [{"type": "instructions", "step_description": "Open the app"},
                       {"type": "validation", "step_description": "See the home screen"}]}
NEW_WORKFLOW = {"id": "f1000000-0000-4000-8000-0000000000aa", "name": "seeded-flow",
                "tests": [NEW_TEST["id"], LOGIN]}
NEW_APP = {"id": "a1000000-0000-4000-8000-0000000000aa", "name": "seeded-app",
           "platform": "Android", "created_at": "2026-01-01T00:00:00Z",
           "versions": [{"id": "b1000000-0000-4000-8000-0000000000aa", "version": "9.9.9",
                         "uploaded_at": "2026-01-01T00:00:00Z", "current": True}]}
CHAT = {
    "id": PINNED, "name": "seeded-chat",
    "workflow_config": {"name": "seeded-chat"},
    "node_configs": [
        {"type": "say_llm", "logical_id": "node_front", "name": "Front", "is_start": True},
        {"type": "say_static", "logical_id": "node_done", "name": "Done",
         "static_messages_config": {"static_messages": ["bye {{who}}"]}}],
    "edge_configs": [{"type": "conditional", "logical_id": "edge_bye",
                      "source_node_logical_id": "node_front",
                      "destination_node_logical_id": "node_done",
                      "condition": {"condition_freeform": "the user says goodbye"}}],
    "dynamic_variables": {"who": "Ada"}, "runtime_variables": {}}


def says(message: str) -> dict[str, Any]:
    return {**START, "command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "node_logical_id": None, "messages": [
            {"content": message, "additional_kwargs": {}, "response_metadata": {},
             "type": "human", "name": None, "id": None}]}]}}}


def other(app: Any, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test",
                             headers={"Authorization": f"Bearer {token}", **SDK})


@pytest.fixture
def client(emulator_client):
    emulator_client.headers.update(SDK)
    return emulator_client


def unsequenced(document: Any) -> Any:
    """Timer sequence numbers are the clock's bookkeeping, renumbered by every import."""
    if isinstance(document, dict):
        return {k: unsequenced(v) for k, v in document.items() if k != "seq"}
    if isinstance(document, list):
        return [unsequenced(v) for v in document]
    return document


# ------------------------------------------------------------------------------ seed
async def test_seed_merges_revyl_and_interactly_fixtures(client):
    response = await client.post("/_emulator/seed", json={
        "revyl": {"apps": [NEW_APP], "tests": [NEW_TEST], "workflows": [NEW_WORKFLOW]},
        "interactly": {"workflows": [CHAT]}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "merge"
    assert body["revyl"] == {"tests": 1, "workflows": 1, "apps": 1,
                             "totals": {"tests": 5, "workflows": 3, "apps": 3}}
    assert body["interactly"]["workflow_ids"] == [PINNED]
    test = (await client.get(f"/api/v1/tests/get_test_by_id/{NEW_TEST['id']}")).json()
    assert test["name"] == "seeded-smoke"
    task = await start(client, NEW_TEST["id"])
    await client.post("/_emulator/clock/run-until-idle")
    assert (await status(client, task))["status"] == "completed"
    wf = await client.post("/api/v1/execution/api/execute_workflow_id_async",
                           json={"workflow_id": NEW_WORKFLOW["id"]})
    assert wf.status_code == 200
    got = (await client.get(f"/v1/workflows/{PINNED}")).json()["workflow"]
    assert got["workflow_config"]["name"] == "seeded-chat" and got["team_id"] == "emu-team"
    run = (await client.post(f"/v1/workflows/{PINNED}/execute",
                             json={"run_input": START})).json()
    done = (await client.post(f"/v1/workflows/{PINNED}/execute",
                              json={"run_input": says("goodbye"),
                                    "run_id": run["run_id"]})).json()
    assert done["status"] == "completed"
    assert "bye Ada" in [e.get("content") for e in done["events"]]


async def test_seed_replace_swaps_the_definitions(client):
    await client.post("/v1/workflows", json={"name": "old"})
    response = await client.post("/_emulator/seed", json={
        "mode": "replace", "revyl": {"tests": [{**NEW_TEST, "app_id": None}]},
        "interactly": {"workflows": [CHAT]}})
    assert response.status_code == 200, response.text
    assert response.json()["revyl"]["totals"] == {"tests": 1, "workflows": 0, "apps": 0}
    tests = (await client.get("/api/v1/tests/get_simple_tests")).json()
    assert [t["name"] for t in tests["tests"]] == ["seeded-smoke"]
    assert (await client.get(f"/api/v1/tests/get_test_by_id/{LOGIN}")).status_code == 404
    listing = (await client.get("/v1/workflows")).json()
    assert listing["total"] == 1


@pytest.mark.parametrize("document", [
    # a workflow naming a test that exists nowhere
    {"revyl": {"tests": [NEW_TEST], "workflows": [{**NEW_WORKFLOW, "tests": ["nope"]}]}},
    # a test pointing at an unknown app
    {"revyl": {"tests": [{**NEW_TEST, "app_id": "no-such-app"}]}},
    # a good Revyl part with a broken Interactly graph
    {"revyl": {"tests": [NEW_TEST]}, "interactly": {"workflows": [
        {**CHAT, "edge_configs": [{"type": "direct", "source_node_logical_id": "node_front"}]}]}},
    # shapes: unknown field, missing blocks, bad mode, bad pinned id
    {"revyl": {"tests": [NEW_TEST], "bogus": 1}},
    {"revyl": {"tests": [{**NEW_TEST, "blocks": []}]}},
    {"mode": "sideways", "revyl": {"tests": [NEW_TEST]}},
    {"revyl": {"tests": [NEW_TEST]}, "interactly": {"workflows": [{**CHAT, "id": "xyz"}]}},
    # a name clash with a fixture test under another id
    {"revyl": {"tests": [NEW_TEST, {**NEW_TEST, "id": "other", "name": "login-flow"}]}},
])
async def test_seed_refuses_a_bad_document_and_loads_nothing(client, document):
    before = (await client.get("/_emulator/snapshot")).json()
    response = await client.post("/_emulator/seed", json=document)
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], list)
    assert (await client.get(f"/api/v1/tests/get_test_by_id/{NEW_TEST['id']}")).status_code \
        == 404
    assert (await client.get(f"/v1/workflows/{PINNED}")).status_code == 404
    assert unsequenced((await client.get("/_emulator/snapshot")).json()) == unsequenced(before)


# ------------------------------------------------------------------------------ snapshot
async def observe(client, tasks: list[str], wf_task: str, run_id: str, build_id: str,
                  sched: str) -> dict[str, Any]:
    """What a client can see of everything the round-trip test creates."""
    seen: dict[str, Any] = {
        "tests": [(await client.get(STATUS, params={"task_id": t})).json() for t in tasks],
        "workflow": (await client.get(f"/api/v1/workflows/status/{wf_task}")).json(),
        "history": (await client.get("/api/v1/tests/get_test_enhanced_history",
                                     params={"test_id": LOGIN})).json(),
        "build": (await client.get(f"/api/v1/builds/versions/{build_id}")).json(),
        "run": (await client.get(f"/v1/workflow-runs/{run_id}")).json(),
        "workflows": (await client.get("/v1/workflows")).json(),
        "variables": (await client.get("/v1/global-variables")).json(),
        "schedule": (await client.get(f"/v1/workflows/{PINNED}/schedules")).json(),
        "outcomes": (await client.get("/_emulator/scripts/revyl/outcomes")).json(),
        "llm": (await client.get("/_emulator/scripts/interactly/llm")).json(),
        "clock": (await client.get("/_emulator/clock")).json(),
        "state": (await client.get("/_emulator/state")).json(),
    }
    assert sched in str(seen["schedule"])
    return seen


async def test_snapshot_reset_import_gives_back_the_same_observable_state(client):
    await client.post("/_emulator/seed", json={"interactly": {"workflows": [CHAT]}})
    done = await start(client, LOGIN)
    await advance(client, 60)
    running = await start(client, LOGIN)
    await client.post("/_emulator/scripts/revyl/outcomes", json={"outcomes": [
        {"test_id": LOGIN, "result": "fail"}, {"test_id": CHECKOUT, "result": "error"}]})
    failing = await start(client, LOGIN)
    wf_task = (await client.post("/api/v1/execution/api/execute_workflow_id_async",
                                 json={"workflow_id": SMOKE})).json()["task_id"]
    await advance(client, 5)
    upload = await client.post(f"/api/v1/builds/vars/{ANDROID_APP}/versions/stream-upload",
                               params={"version": "7.0.0"},
                               files={"file": ("app.apk", b"\x00bytes\xff", "x/y")})
    assert upload.status_code == 200, upload.text
    build_id = upload.json()["id"] if "id" in upload.json() else upload.json()["version_id"]
    await client.post("/_emulator/scripts/interactly/llm", json={"replies": [
        {"workflow_id": PINNED, "node": "Front", "reply": "Scripted hello"},
        {"workflow_id": PINNED, "node": "Front", "reply": "Second scripted"}]})
    run = (await client.post(f"/v1/workflows/{PINNED}/execute",
                             json={"run_input": START})).json()
    await client.post(f"/v1/workflows/{PINNED}/execute",
                      json={"run_input": says("hello"), "run_id": run["run_id"]})
    await client.post("/v1/global-variables", json={"name": "company", "value": "Acme",
                                                    "is_secret": False})
    sched = (await client.post(f"/v1/workflows/{PINNED}/schedules", json={
        "scheduled_time": "2026-01-01T02:00:00Z"})).json()
    sched_id = sched.get("_id") or sched["schedule"]["_id"]
    tasks = [done, running, failing]
    before = await observe(client, tasks, wf_task, run["run_id"], build_id, sched_id)
    assert before["tests"][1]["status"] == "running"
    snapshot = (await client.get("/_emulator/snapshot")).json()
    assert snapshot["schema_version"] == 1 and snapshot["skipped"] == []
    assert set(snapshot) >= {"namespace", "clock", "ids", "revyl", "interactly"}

    await client.post("/_emulator/reset")
    assert (await client.get(STATUS, params={"task_id": running})).status_code == 404
    imported = await client.post("/_emulator/snapshot", json=snapshot)
    assert imported.status_code == 200, imported.text
    assert await observe(client, tasks, wf_task, run["run_id"], build_id, sched_id) == before
    again = (await client.get("/_emulator/snapshot")).json()
    assert unsequenced(again) == unsequenced(snapshot)
    download = (await client.get(f"/_emulator/downloads/{snapshot['namespace']}/{build_id}"))
    assert download.content == b"\x00bytes\xff"

    # Time goes on from where it was: pending work completes, the run takes its next turn.
    await client.post("/_emulator/clock/run-until-idle")
    assert (await status(client, running))["status"] == "completed"
    assert (await status(client, failing))["status"] == "failed"  # the queued outcome
    flow = (await client.get(f"/api/v1/workflows/status/{wf_task}")).json()
    assert flow["status"] in ("completed", "failed")
    turn = (await client.post(f"/v1/workflows/{PINNED}/execute", json={
        "run_input": says("more"), "run_id": run["run_id"]})).json()
    assert [e["content"] for e in turn["events"] if e["type"] == "assistant_response"] == [
        "Second scripted"]
    assert len(before["outcomes"]["queued"]) == 1  # still queued for checkout
    fired = (await client.get(f"/v1/workflows/{PINNED}/schedules")).json()
    assert "completed" in str(fired)


async def test_ids_continue_from_the_snapshot(client):
    snapshot = (await client.get("/_emulator/snapshot")).json()
    first = await start(client, LOGIN)
    await client.post("/_emulator/snapshot", json=snapshot)
    assert await start(client, LOGIN) == first


async def test_a_pending_execution_completes_after_import_on_the_original_schedule(client):
    task = await start(client, LOGIN)
    await advance(client, 4)
    snapshot = (await client.get("/_emulator/snapshot")).json()
    await advance(client, 100)
    finished = await status(client, task)
    await client.post("/_emulator/snapshot", json=snapshot)
    assert (await status(client, task))["status"] != "completed"
    await advance(client, 100)
    assert await status(client, task) == finished


@pytest.mark.parametrize("version", [2, 0, None, "1"])
async def test_schema_version_mismatch_is_422_with_a_clear_message(client, version):
    snapshot = (await client.get("/_emulator/snapshot")).json()
    task = await start(client, LOGIN)
    bad = copy.deepcopy(snapshot)
    if version is None:
        del bad["schema_version"]
    else:
        bad["schema_version"] = version
    response = await client.post("/_emulator/snapshot", json=bad)
    assert response.status_code == 422
    assert "schema_version" in response.json()["detail"]
    assert (await status(client, task))["status"]  # nothing replaced


async def test_a_broken_document_leaves_the_namespace_as_it_was(client):
    task = await start(client, LOGIN)
    snapshot = (await client.get("/_emulator/snapshot")).json()
    broken = copy.deepcopy(snapshot)
    broken["revyl"]["test_executions"][0]["plan"] = {"nonsense": True}
    response = await client.post("/_emulator/snapshot", json=broken)
    assert response.status_code == 422 and "left as it was" in response.json()["detail"]
    assert unsequenced((await client.get("/_emulator/snapshot")).json()) == \
        unsequenced(snapshot)
    await client.post("/_emulator/clock/run-until-idle")
    assert (await status(client, task))["status"] == "completed"


async def test_all_namespaces_export_and_import(emulator_app, client):
    async with other(emulator_app, "second-tenant") as second:
        mine = await start(client, LOGIN)
        theirs = await start(second, LOGIN)
        everything = (await client.get("/_emulator/snapshot", params={"all": "true"})).json()
        assert everything["schema_version"] == 1
        keys = [n["namespace"] for n in everything["namespaces"]]
        assert len(keys) == 2 and len(set(keys)) == 2
        await client.post("/_emulator/reset", params={"all": "true"})
        assert (await client.get(STATUS, params={"task_id": mine})).status_code == 404
        imported = await client.post("/_emulator/snapshot", params={"all": "true"},
                                     json=everything)
        assert imported.json()["imported"] == 2, imported.text
        assert (await status(client, mine))["task_id"] == mine
        assert (await status(second, theirs))["task_id"] == theirs

    # Namespaces not seen yet by this process wait for their token (as after a restart).
    emulator_app.state.registry.reset()
    imported = (await client.post("/_emulator/snapshot", params={"all": "true"},
                                  json=everything)).json()
    assert imported["imported"] == 1 and imported["parked"] == 1
    again = (await client.get("/_emulator/snapshot", params={"all": "true"})).json()
    assert len(again["namespaces"]) == 2  # the parked one is exported as it is
    async with other(emulator_app, "second-tenant") as second:
        assert (await status(second, theirs))["task_id"] == theirs


async def test_snapshot_routes_need_a_token_and_are_documented(emulator_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test") as anonymous:
        for method, path in [("GET", "/_emulator/snapshot"), ("POST", "/_emulator/snapshot"),
                             ("POST", "/_emulator/seed")]:
            assert (await anonymous.request(method, path, json={})).status_code == 401
        spec = (await anonymous.get("/openapi.json")).json()
    for path in ("/_emulator/snapshot", "/_emulator/seed"):
        operations = spec["paths"][path].values()
        assert all(op["tags"] == ["Emulator control plane"] for op in operations)


async def test_every_interactly_service_round_trips(emulator_app, client):
    """Services keep their own data: fill each, export, import into another namespace, and
    the export there is the same document."""
    from emulator.core.snapshots import export_namespace, import_namespace
    from emulator.interactly.global_variables import Variable
    from emulator.interactly.reruns import Projection, Token
    from emulator.interactly.simulations import Group
    from emulator.interactly.state import InteractlyState, interactly
    from emulator.interactly.stateful import Stateful
    from emulator.interactly.super_node_registry import Publication
    from emulator.interactly.threads import Thread, WaitingState
    from emulator.interactly.webhooks import Attempt, WebhookEvent

    await client.post("/_emulator/seed", json={"interactly": {"workflows": [CHAT]}})
    run = (await client.post(f"/v1/workflows/{PINNED}/execute",
                             json={"run_input": START})).json()
    await client.post("/v1/workflow-webhooks", json={
        "name": "hook", "url": "http://127.0.0.1:9/hook", "actions": ["workflow_created"]})
    registry = emulator_app.state.registry
    ns = next(iter(registry))  # the client's
    state = interactly(ns)
    stored = state.runs.by_id[run["run_id"]]
    stored.companions["0_companion_x"] = Thread("0_companion_x", "x", {"k": 1}, {"n": 2},
                                                node="node_front", due=5.0, steps=3)
    stored.wait_state["edge_bye"] = WaitingState(2, 1.5, 1)
    stored.checkpoints[0] = stored.checkpoint()
    for name in InteractlyState.service_names():
        state.make_service(name)
    stateful = {name for name, service in state.made_services().items()
                if isinstance(service, Stateful)}
    state.globals.by_id["v1"] = Variable("v1", "company", "Acme", None, None, False, "t",
                                         "u", "u", "now", "now")
    state.assets.templates["t1"] = {"_id": "t1", "workflow_template_config": {
        "workflow_id": PINNED}}
    state.assets.libraries["l1"] = {"_id": "l1"}
    state.favorites.add("emu-user", PINNED)
    state.llm_configs.records["c1"] = {"llm_config_id": "c1", "config": {"model": "m"}}
    state.super_nodes.published[(PINNED, 0)] = Publication(PINNED, 0, {"input_fields": []},
                                                           {"x": 1}, "now")
    state.simulations.configs["s1"] = {"_id": "s1", "simulation_config": {}}
    state.simulations.groups["g1"] = Group({"_id": "g1", "simulation_config_id": "s1",
                                            "status": "completed"}, [{"_id": "i1"}], "t",
                                           "u", next_index=1, transcripts={"i1": []})
    hooks = state.webhooks
    event = WebhookEvent("e1", "event_1", next(iter(hooks.subscriptions)), "workflow_created",
                         {"workflow_id": PINNED}, "now", "now", status="failed",
                         attempts_count=1)
    event.attempts.append(Attempt("a1", "event_1", event.subscription_id, 1,
                                  "workflow_created", "http://127.0.0.1:9/hook", False, None,
                                  None, "refused", 3, "now"))
    hooks.events["e1"] = event
    state.reruns.tokens["tok"] = Token("tok", Projection(
        run["run_id"], 0, PINNED, 0, {"node_configs": []}, "fp", "EXACT", "FULL", None, [],
        {}, {}, {}), 99.0, {"a": 1})
    state.sessions.add("session-token")

    document = export_namespace(ns)
    assert document["skipped"] == []
    assert set(document["interactly"]["services"]) == stateful
    target = registry.get("another-tenant")
    import_namespace(target, copy.deepcopy(document))
    copied = export_namespace(target)
    assert unsequenced({**copied, "namespace": None}) == unsequenced(
        {**document, "namespace": None})
    restored = interactly(target)
    assert restored.favorites.of("emu-user") == {PINNED}
    thread = restored.runs.by_id[run["run_id"]].companions["0_companion_x"]
    assert (thread.node, thread.due, thread.runtime) == ("node_front", 5.0, {"k": 1})
    assert state.listeners and restored.listeners  # webhooks listen again


@pytest.mark.parametrize("path, value", [
    (("revyl", "test_executions", 0, "updated_at"), 1e308),
    (("revyl", "test_executions", 0, "created_at"), "yesterday"),
    (("revyl", "test_executions", 0, "plan", "step_seconds"), "soon"),
    (("interactly", "runs", 0, "workflow_id"), "000000000000000000000000"),
])
async def test_a_document_that_imports_but_cannot_be_read_back_is_refused(client, path, value):
    """Found by fuzzing: such documents used to import with 200, then every read of the
    namespace (state, snapshot, dashboard, run-until-idle) answered 500."""
    await start(client, LOGIN)
    wid = (await client.post("/v1/workflows", json={"name": "w"})).json()["workflow"]["_id"]
    await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": {"command": "start"}})
    snapshot = (await client.get("/_emulator/snapshot")).json()
    broken = copy.deepcopy(snapshot)
    target = broken
    for key in path[:-1]:
        target = target[key]
    assert path[-1] in target  # the field exists: the test really changes it
    target[path[-1]] = value
    response = await client.post("/_emulator/snapshot", json=broken)
    assert response.status_code == 422 and "left as it was" in response.json()["detail"]
    for read in ("/_emulator/state", "/_emulator/snapshot", "/_emulator/ui/state"):
        assert (await client.get(read)).status_code == 200, read
    assert (await client.post("/_emulator/clock/run-until-idle")).status_code == 200
