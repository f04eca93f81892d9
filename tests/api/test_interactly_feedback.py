"""Run feedback (spec §4.6): comments and ratings on runs, events and turns, the 409 rule for
runs in progress, and the evaluation result — as the SDK's ``client.runs`` calls them."""

import pytest

from emulator.interactly.feedback import Feedback
from emulator.interactly.state import interactly
from tests.api.test_interactly import HYDRATED, START

pytestmark = pytest.mark.anyio

RUNS = "/v1/workflow-runs"
IN_PROGRESS = "Feedback cannot be left while the run is still in progress"


async def finished_run(client) -> str:
    wid = (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]
    run = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    assert run["status"] == "completed"
    return run["run_id"]


async def waiting_run(client) -> str:
    wid = (await client.post("/v1/workflows", json={"name": "chat"})).json()["workflow"]["_id"]
    run = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    assert run["status"] == "waiting_for_user_input"
    return run["run_id"]


async def stored(client, run_id: str) -> dict:
    return (await client.get(f"{RUNS}/{run_id}")).json()["workflow_run"]["workflow_run"]


async def test_turn_ratings_replace_per_user_and_turn_comments_are_trimmed(client):
    run_id = await finished_run(client)
    first = await client.put(f"{RUNS}/{run_id}/turns/0/rating", json={"value": "up"})
    assert first.status_code == 200
    body = first.json()
    assert [r["value"] for r in body["ratings"]] == ["up"] and body["comments"] == []
    rating = body["ratings"][0]
    assert rating["logical_id"].startswith("rating_") and rating["createdBy"] == "emu-user"
    assert set(rating) >= {"updatedBy", "createdAt", "updatedAt"}
    assert body["feedback_users"]["emu-user"]["id"] == "emu-user"
    again = (await client.put(f"{RUNS}/{run_id}/turns/0/rating",
                              json={"value": "strong_up"})).json()
    assert [r["value"] for r in again["ratings"]] == ["strong_up"]
    assert again["ratings"][0]["logical_id"] == rating["logical_id"]  # replaced, not added
    other = (await client.put(f"{RUNS}/{run_id}/turns/0/rating", json={"value": "down"},
                              headers={"uuid": "someone-else"})).json()
    assert sorted(r["value"] for r in other["ratings"]) == ["down", "strong_up"]
    assert set(other["feedback_users"]) == {"emu-user", "someone-else"}

    commented = (await client.post(f"{RUNS}/{run_id}/turns/0/comments",
                                   json={"content": "  trimmed on the server  "})).json()
    assert commented["ratings"] == []
    comment = commented["comments"][0]
    assert comment["content"] == "trimmed on the server"
    assert comment["logical_id"].startswith("comment_")

    pair = (await stored(client, run_id))["input_output_pairs"][0]
    assert len(pair["ratings"]) == 2 and pair["comments"][0]["content"] == comment["content"]

    removed = (await client.delete(f"{RUNS}/{run_id}/turns/0/rating")).json()
    assert [r["value"] for r in removed["ratings"]] == ["down"]
    assert (await client.delete(f"{RUNS}/{run_id}/turns/0/rating")).status_code == 200
    gone = await client.delete(f"{RUNS}/{run_id}/turns/0/comments/{comment['logical_id']}")
    assert gone.status_code == 200 and gone.json()["comments"] == []
    missing = await client.delete(f"{RUNS}/{run_id}/turns/0/comments/{comment['logical_id']}")
    assert missing.status_code == 404


async def test_run_comments_answer_with_the_run_envelope(client):
    run_id = await finished_run(client)
    added = await client.post(f"{RUNS}/{run_id}/comments", json={"content": " Reviewed "})
    assert added.status_code == 200
    comments = added.json()["workflow_run"]["workflow_run"]["comments"]
    assert comments[-1]["content"] == "Reviewed" and comments[-1]["createdBy"] == "emu-user"
    logical_id = comments[-1]["logical_id"]
    assert (await stored(client, run_id))["comments"][0]["logical_id"] == logical_id
    deleted = await client.delete(f"{RUNS}/{run_id}/comments/{logical_id}")
    assert deleted.status_code == 200
    assert deleted.json()["workflow_run"]["workflow_run"]["comments"] == []
    assert (await client.delete(f"{RUNS}/{run_id}/comments/{logical_id}")).status_code == 404


async def test_event_comments_and_ratings_live_on_the_stored_event(client):
    run_id = await finished_run(client)
    events = (await stored(client, run_id))["input_output_pairs"][0]["run_output"]["events"]
    event_id = next(e["logical_id"] for e in events if e["type"] == "assistant_response")
    rated = (await client.put(f"{RUNS}/{run_id}/events/{event_id}/rating",
                              json={"value": "down"})).json()
    assert [r["value"] for r in rated["ratings"]] == ["down"]
    commented = await client.post(f"{RUNS}/{run_id}/events/{event_id}/comments",
                                  json={"content": "This is the bad reply"})
    assert commented.status_code == 200
    run = commented.json()["workflow_run"]["workflow_run"]
    event = next(e for e in run["input_output_pairs"][0]["run_output"]["events"]
                 if e["logical_id"] == event_id)
    assert event["comments"][0]["content"] == "This is the bad reply"
    assert event["ratings"][0]["value"] == "down"
    comment_id = event["comments"][0]["logical_id"]
    assert (await client.delete(f"{RUNS}/{run_id}/events/{event_id}/rating")).json()[
        "ratings"] == []
    deleted = await client.delete(f"{RUNS}/{run_id}/events/{event_id}/comments/{comment_id}")
    assert deleted.status_code == 200
    for method, path, body in [
            ("PUT", f"{RUNS}/{run_id}/events/event_nope/rating", {"value": "up"}),
            ("POST", f"{RUNS}/{run_id}/events/event_nope/comments", {"content": "x"}),
            ("DELETE", f"{RUNS}/{run_id}/events/{event_id}/comments/{comment_id}", None)]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 404, (method, path)


async def test_feedback_on_a_run_in_progress_is_409_and_changes_nothing(client):
    run_id = await waiting_run(client)
    writes = [("PUT", "turns/0/rating", {"value": "up"}), ("DELETE", "turns/0/rating", None),
              ("POST", "turns/0/comments", {"content": "x"}),
              ("DELETE", "turns/0/comments/comment_x", None),
              ("POST", "comments", {"content": "x"}), ("DELETE", "comments/comment_x", None),
              ("PUT", "events/event_x/rating", {"value": "up"}),
              ("DELETE", "events/event_x/rating", None),
              ("POST", "events/event_x/comments", {"content": "x"}),
              ("DELETE", "events/event_x/comments/comment_x", None)]
    for method, path, body in writes:
        response = await client.request(method, f"{RUNS}/{run_id}/{path}", json=body)
        assert response.status_code == 409, (method, path)
        assert response.json()["detail"] == IN_PROGRESS
    run = await stored(client, run_id)
    assert run["comments"] == [] and run["input_output_pairs"][0]["ratings"] == []


async def test_bad_input_is_422_and_unknown_targets_404(client):
    run_id = await finished_run(client)
    unknown = "0" * 24
    cases = [
        ("PUT", f"{RUNS}/{run_id}/turns/0/rating", {"value": "meh"}, 422),
        ("PUT", f"{RUNS}/{run_id}/turns/0/rating", {}, 422),
        ("PUT", f"{RUNS}/{run_id}/turns/-1/rating", {"value": "up"}, 422),
        ("PUT", f"{RUNS}/{run_id}/turns/x/rating", {"value": "up"}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/comments", {"content": "   "}, 422),
        ("POST", f"{RUNS}/{run_id}/turns/0/comments", {"content": "x" * 5001}, 422),
        ("POST", f"{RUNS}/{run_id}/comments", {"content": ""}, 422),
        ("POST", f"{RUNS}/{run_id}/comments", {}, 422),
        ("POST", f"{RUNS}/not-an-id/comments", {"content": "x"}, 422),
        ("GET", f"{RUNS}/not-an-id/evaluation-result", None, 422),
        ("PUT", f"{RUNS}/{run_id}/turns/1/rating", {"value": "up"}, 404),
        ("POST", f"{RUNS}/{run_id}/turns/7/comments", {"content": "x"}, 404),
        ("DELETE", f"{RUNS}/{run_id}/turns/3/rating", None, 404),
        ("PUT", f"{RUNS}/{unknown}/turns/0/rating", {"value": "up"}, 404),
        ("POST", f"{RUNS}/{unknown}/comments", {"content": "x"}, 404),
        ("GET", f"{RUNS}/{unknown}/evaluation-result", None, 404),
    ]
    for method, path, body, status in cases:
        response = await client.request(method, path, json=body)
        assert response.status_code == status, (method, path, body, response.text)
    pair = (await stored(client, run_id))["input_output_pairs"][0]
    assert pair["ratings"] == [] and pair["comments"] == []


async def test_evaluation_result_is_null_until_a_turn_records_an_evaluation(
        client, emulator_app, emulator_token):
    run_id = await finished_run(client)
    empty = await client.get(f"/workflows{RUNS}/{run_id}/evaluation-result")
    assert empty.status_code == 200
    assert empty.json() == {"score": None, "passed": None, "details": None,
                            "evaluated_at": None}
    state = interactly(emulator_app.state.registry.get(emulator_token))
    state.runs.get(run_id).pairs[0]["evaluation"] = {"score": 0.75, "passed": True}
    result = (await client.get(f"{RUNS}/{run_id}/evaluation-result")).json()
    assert result["score"] == 0.75 and result["passed"] is True
    assert result["details"] == {"score": 0.75, "passed": True} and result["evaluated_at"]


def test_the_feedback_response_names_only_known_authors():
    body = Feedback.response(ratings=[{"createdBy": "u1"}, {"createdBy": None}])
    assert body["comments"] == [] and set(body["feedback_users"]) == {"u1"}
    assert set(body["feedback_users"]["u1"]) == {"id", "firstName", "lastName", "email"}
