"""Re-runs (spec §4.7) over HTTP: which turns can be re-run, preflight, tokens (mint, preview,
amend, expiry) and server-side execution with lineage.

Only WebSocket-driven runs are re-runnable. In-process there is no socket, so ``streamed`` drives
a run over REST and then marks it exactly as the WebSocket route does after its first turn
(``Runs.mark_streamed``); the socket path itself is covered in tests/live/test_interactly_ws.py.
"""

import pytest

from emulator.interactly.reruns import NO_SNAPSHOT, TOKEN_TTL_SECONDS
from emulator.interactly.state import interactly
from tests.api.test_interactly import HYDRATED, START, says

pytestmark = pytest.mark.anyio

RUNS = "/v1/workflow-runs"
CHAT = {"name": "rerun-chat", "workflow_config": {"name": "rerun-chat"},
        "node_configs": [{"type": "say_llm", "logical_id": "node_chat", "name": "Chat",
                          "is_start": True, "wait_for_user_message": True,
                          "self_loop": True}],
        "edge_configs": []}


@pytest.fixture
def state(emulator_app, emulator_token):
    return lambda: interactly(emulator_app.state.registry.get(emulator_token))


async def execute(client, wid: str, run_input: dict, run_id: str | None = None) -> dict:
    body = {"run_input": run_input, **({"run_id": run_id} if run_id else {})}
    response = await client.post(f"/v1/workflows/{wid}/execute", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def streamed(client, state, config: dict, *messages: str) -> tuple[str, str]:
    """(workflow id, run id) of a run marked WebSocket-driven after its first turn, then
    driven by ``messages``."""
    wid = (await client.post("/v1/workflows", json=config)).json()["workflow"]["_id"]
    run_id = (await execute(client, wid, START))["run_id"]
    runs = state().runs
    runs.mark_streamed(runs.get(run_id))
    for message in messages:
        await execute(client, wid, says(message), run_id)
    return wid, run_id


async def stored(client, run_id: str) -> dict:
    return (await client.get(f"{RUNS}/{run_id}")).json()["workflow_run"]["workflow_run"]


async def test_a_rest_run_is_not_rerunnable_and_says_why(client):
    wid = (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]
    run_id = (await execute(client, wid, START))["run_id"]
    turns = (await client.get(f"{RUNS}/{run_id}/rerunnable-turns")).json()
    assert turns == {"workflow_run_id": run_id, "turns": [
        {"turn_index": 0, "rerunnable": False, "reason": NO_SNAPSHOT, "rerun_count": 0}]}
    assert NO_SNAPSHOT.startswith("This run predates workflow config snapshots")
    preflight = (await client.post(f"{RUNS}/{run_id}/turns/0/rerun-preflight", json={})).json()
    assert preflight["rerunnable"] is False and preflight["reason"] == NO_SNAPSHOT
    for path in ("rerun-token", "rerun"):
        refused = await client.post(f"{RUNS}/{run_id}/turns/0/{path}", json={})
        assert refused.status_code == 400 and NO_SNAPSHOT in refused.json()["error"]
    # The run document carries the config it ran; being re-runnable is a separate matter.
    assert (await stored(client, run_id))["workflow_config_fully_hydrated"]["node_configs"]
    assert (await client.get(f"{RUNS}", params={"source_workflow_run_id": run_id})).json()[
        "total"] == 0


async def test_the_full_flow_on_a_finished_streamed_run(client, state):
    wid, run_id = await streamed(client, state, HYDRATED)
    doc = await stored(client, run_id)
    assert doc["status"] == "completed" and doc["workflow_config_fully_hydrated"]["node_configs"]
    turns = (await client.get(f"/workflows{RUNS}/{run_id}/rerunnable-turns")).json()["turns"]
    assert turns[0]["rerunnable"] is True and turns[0]["reason"] is None

    preflight = (await client.post(f"{RUNS}/{run_id}/turns/0/rerun-preflight")).json()
    assert preflight["rerunnable"] is True and preflight["resolved_mode"] == "EXACT"
    assert {m["matched_by"] for m in preflight["node_matches"]} == {"identity"}
    assert len(preflight["node_matches"]) == 2 and preflight["unmapped_node_ids"] == []
    assert preflight["carries_over"]["message_count"] == 2  # "hi Ada", "bye"
    assert preflight["is_resumable"] is False  # the conversation ended in this turn
    assert preflight["entry_node_logical_id"] == "node_hi"

    token = (await client.post(f"{RUNS}/{run_id}/turns/0/rerun-token", json={})).json()
    assert token["rerun_token"] and token["expires_in_seconds"] == TOKEN_TTL_SECONDS
    assert token["restored_message_count"] == 2 and token["resolved_mode"] == "EXACT"
    assert token["source_workflow_run_id"] == run_id and token["target_workflow_id"] == wid
    assert token["target_version_number"] == 0 and token["turn_index"] == 0
    preview = (await client.get(
        f"{RUNS}/{run_id}/turns/0/rerun-token/{token['rerun_token']}")).json()
    assert "rerun_token" not in preview and preview["edited"] is False
    assert preview["effective_mode"] == "EXACT" and preview["resume_thread_id"] == "0"
    assert [m["text"] for m in preview["threads"][0]["messages"]] == ["hi Ada", "bye"]
    assert preview["threads"][0]["messages"][0]["editable"] is True
    assert preview["dynamic_variables"]["who"] == "Ada"

    started = await client.post(f"{RUNS}/{run_id}/turns/0/rerun", params={"async": "true"},
                                json={})
    assert started.status_code == 202
    body = started.json()
    assert body["status"] == "started" and body["resolved_mode"] == "EXACT"
    new_id = body["workflow_run_id"]
    assert new_id != run_id
    new = await stored(client, new_id)
    assert new["status"] == "waiting_for_user_input" and new["input_output_pairs"] == []
    assert new["source_workflow_run_id"] == run_id and new["checkpoint_source_turn_index"] == 0
    lineage = (await client.get(RUNS, params={"source_workflow_run_id": run_id})).json()
    assert lineage["total"] == 1 and lineage["workflow_runs"][0]["_id"] == new_id
    narrowed = (await client.get(RUNS, params={"source_workflow_run_id": run_id,
                                               "source_turn_index": 0})).json()
    assert narrowed["total"] == 1
    assert (await client.get(RUNS, params={"source_workflow_run_id": run_id,
                                           "source_turn_index": 1})).json()["total"] == 0
    turns = (await client.get(f"{RUNS}/{run_id}/rerunnable-turns")).json()["turns"]
    assert turns[0]["rerun_count"] == 1


async def test_a_message_rerun_replays_from_the_restored_conversation(client, state):
    _, run_id = await streamed(client, state, CHAT, "hello", "second")
    turns = (await client.get(f"{RUNS}/{run_id}/rerunnable-turns")).json()["turns"]
    assert [t["rerunnable"] for t in turns] == [True, True, True]
    source = state().runs.get(run_id)
    assert len(source.history) == 4

    preflight = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-preflight")).json()
    assert preflight["is_resumable"] is True and preflight["entry_node_logical_id"] == \
        "node_chat"
    assert preflight["carries_over"]["message_count"] == 2

    started = await client.post(f"{RUNS}/{run_id}/turns/1/rerun", params={"async": "false"},
                                json={"message": "something else"})
    assert started.status_code == 200
    assert started.json()["status"] == "waiting_for_user_input"
    new = state().runs.get(started.json()["workflow_run_id"])
    texts = [m["content"] for m in new.history]
    assert texts[:2] == [m["content"] for m in source.history[:2]]
    assert texts[2] == "something else" and len(texts) == 4
    assert new.source_turn_index == 1 and len(new.pairs) == 1
    # A re-run has the config snapshot too, so it can itself be re-run.
    again = (await client.get(f"{RUNS}/{new.id}/rerunnable-turns")).json()["turns"]
    assert again == [{"turn_index": 0, "rerunnable": True, "reason": None, "rerun_count": 0}]


async def test_amending_marks_the_projection_edited_and_is_all_or_nothing(client, state):
    _, run_id = await streamed(client, state, CHAT, "hello")
    token = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-token")).json()["rerun_token"]
    path = f"{RUNS}/{run_id}/turns/1/rerun-token/{token}"
    before = (await client.get(path)).json()
    assert [m["sender"] for m in before["threads"][0]["messages"]] == ["user", "assistant"]

    refused = await client.patch(path, json={"dynamic_variables": {"x": 1},
                                             "message_edits": [{"thread_id": "0", "index": 9,
                                                                "text": "nope"}]})
    assert refused.status_code == 400
    assert (await client.get(path)).json() == before  # nothing half-applied

    for bad in [{"message_edit": []}, {"message_edits": [{"thread_id": "0", "index": 0}]},
                {"message_edits": [{"thread_id": "0", "index": 0, "text": "  "}]},
                {"message_appends": [{"thread_id": "0", "role": "system", "text": "x"}]},
                {"message_deletes": [{"thread_id": "0", "index": -1}]},
                {"message_deletes": [{"thread_id": "0", "index": 0, "extra": 1}]}]:
        assert (await client.patch(path, json=bad)).status_code == 422, bad
    for bad in [{"message_edits": [{"thread_id": "7", "index": 0, "text": "x"}]},
                {"message_appends": [{"thread_id": "7", "role": "user", "text": "x"}]},
                {"runtime_variables": {"7": {"a": 1}}},
                {"message_edits": [{"thread_id": "0", "index": 0, "text": "x"}],
                 "message_deletes": [{"thread_id": "0", "index": 0}]}]:
        assert (await client.patch(path, json=bad)).status_code == 400, bad

    amended = await client.patch(path, json={
        "dynamic_variables": {"tier": "gold"}, "runtime_variables": {"0": {"n": 1}},
        "message_edits": [{"thread_id": "0", "index": 0, "text": "Edited"}],
        "message_deletes": [{"thread_id": "0", "index": 1}],
        "message_appends": [{"thread_id": "0", "role": "assistant", "text": "Added"}]})
    assert amended.status_code == 200
    body = amended.json()
    assert body["edited"] is True and body["effective_mode"] == "EDITED"
    assert body["resolved_mode"] == "EXACT" and body["removed_message_count"] == 1
    assert [m["text"] for m in body["threads"][0]["messages"]] == ["Edited", "Added"]
    assert body["dynamic_variables"]["tier"] == "gold"
    assert body["threads"][0]["runtime_variables"]["n"] == 1
    assert (await client.get(path)).json() == body


async def test_tokens_are_bound_to_run_and_turn_and_expire_on_the_namespace_clock(
        client, state):
    _, run_id = await streamed(client, state, CHAT, "hello")
    _, other_id = await streamed(client, state, CHAT)
    token = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-token")).json()["rerun_token"]
    assert (await client.get(f"{RUNS}/{run_id}/turns/1/rerun-token/{token}")).status_code == 200
    for wrong in (f"{RUNS}/{run_id}/turns/0/rerun-token/{token}",
                  f"{RUNS}/{other_id}/turns/1/rerun-token/{token}",
                  f"{RUNS}/{run_id}/turns/1/rerun-token/rrt_unknown"):
        assert (await client.get(wrong)).status_code == 404, wrong
        assert (await client.patch(wrong, json={})).status_code == 404, wrong
    assert (await client.post("/_emulator/clock/advance",
                              json={"seconds": 600})).status_code == 200
    preview = (await client.get(f"{RUNS}/{run_id}/turns/1/rerun-token/{token}")).json()
    assert preview["expires_in_seconds"] == TOKEN_TTL_SECONDS - 600
    await client.post("/_emulator/clock/advance", json={"seconds": TOKEN_TTL_SECONDS - 600})
    expired = await client.get(f"{RUNS}/{run_id}/turns/1/rerun-token/{token}")
    assert expired.status_code == 404 and "expired" in expired.json()["detail"]


async def test_other_targets_resolve_remapped_or_portable(client, state):
    wid, run_id = await streamed(client, state, CHAT, "hello")
    # A new version copies the nodes (same logical ids) but is another config.
    await client.post(f"/v1/workflows/{wid}/versions", json={"mark_as_active": False})
    preflight = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-preflight",
                                   json={"target_version_number": 1})).json()
    assert preflight["resolved_mode"] == "REMAPPED"
    assert {m["matched_by"] for m in preflight["node_matches"]} == {"identity"}
    assert preflight["carries_over"]["message_count"] == 2 and preflight["warnings"]

    renamed = {**CHAT, "node_configs": [{**CHAT["node_configs"][0],
                                         "logical_id": "node_other"}]}
    other = (await client.post("/v1/workflows", json=renamed)).json()["workflow"]["_id"]
    by_name = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-preflight",
                                 json={"target_workflow_id": other})).json()
    assert by_name["resolved_mode"] == "REMAPPED"
    assert by_name["node_matches"][0]["matched_by"] == "name"
    assert by_name["entry_node_logical_id"] == "node_other"

    stranger = {**CHAT, "node_configs": [{**CHAT["node_configs"][0], "logical_id": "node_s",
                                          "name": "Stranger"}]}
    far = (await client.post("/v1/workflows", json=stranger)).json()["workflow"]["_id"]
    portable = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-preflight",
                                  json={"target_workflow_id": far})).json()
    assert portable["resolved_mode"] == "PORTABLE" and portable["unmapped_node_ids"] == [
        "node_chat"]
    assert portable["is_resumable"] is False and portable["dropped"]["node_ids"] == [
        "node_chat"]
    explicit = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-preflight", json={
        "target_workflow_id": far, "node_id_map": {"node_chat": "node_s"}})).json()
    assert explicit["resolved_mode"] == "REMAPPED"
    assert explicit["node_matches"][0]["matched_by"] == "explicit"

    strict = {"target_workflow_id": far, "requested_mode": "EXACT"}
    refused = (await client.post(f"{RUNS}/{run_id}/turns/1/rerun-preflight",
                                 json=strict)).json()
    assert refused["rerunnable"] is False and "EXACT" in refused["reason"]
    assert (await client.post(f"{RUNS}/{run_id}/turns/1/rerun", json=strict)).status_code == 400
    before = len(state().runs.by_id)
    started = await client.post(f"{RUNS}/{run_id}/turns/1/rerun",
                                json={"target_workflow_id": far, "message": "hi"})
    assert started.status_code == 202 and started.json()["resolved_mode"] == "PORTABLE"
    new = state().runs.get(started.json()["workflow_run_id"])
    assert new.workflow_id == far and len(state().runs.by_id) == before + 1


async def test_bad_requests_are_422_400_or_404_and_start_nothing(client, state):
    _, run_id = await streamed(client, state, CHAT, "hello")
    unknown = "0" * 24
    before = len(state().runs.by_id)
    cases = [
        ("GET", f"{RUNS}/not-an-id/rerunnable-turns", None, 422),
        ("GET", f"{RUNS}/{unknown}/rerunnable-turns", None, 404),
        ("POST", f"{RUNS}/{unknown}/turns/0/rerun-preflight", {}, 404),
        ("POST", f"{RUNS}/{run_id}/turns/5/rerun-preflight", {}, 404),
        ("POST", f"{RUNS}/{run_id}/turns/-1/rerun-token", {}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"history_mode": "SOME"}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"requested_mode": "LOOSE"}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"target_workflow_id": "x"}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"target_version_number": -1}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"message": 5}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"target_workflow_id": unknown}, 404),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"target_version_number": 9}, 404),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"entry_node_logical_id": "node_x"}, 400),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"node_id_map": {"node_chat": "n"}}, 400),
        ("POST", f"{RUNS}/{run_id}/turns/0/rerun", {"node_id_map": {"a": "node_chat"}}, 400),
    ]
    for method, path, body, status in cases:
        response = await client.request(method, path, json=body)
        assert response.status_code == status, (method, path, body, response.text)
    assert len(state().runs.by_id) == before
