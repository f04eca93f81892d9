"""Webhooks (spec §4.9) over HTTP, delivering to a real receiver on 127.0.0.1.

Deliveries are background HTTP requests: tests wait for them with the control plane's
``POST /_emulator/webhooks/drain`` (never a sleep), and move retries along with the manual
clock (2026-01-01T00:00:00Z = unix 1767225600).
"""

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from emulator.app import create_app
from emulator.settings import Settings
from tests.api.test_interactly import HYDRATED, START

pytestmark = pytest.mark.anyio

HOOKS = "/v1/workflow-webhooks"
EPOCH = 1767225600


class Receiver:
    """A tiny webhook endpoint: records every request, answers the next status of ``plan``
    (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.plan: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                status = receiver.plan.pop(0) if receiver.plan else 200
                reply = json.dumps({"received": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


async def subscribe(client, url: str, **body) -> dict:
    response = await client.post(HOOKS, json={
        "name": "Run lifecycle listener", "url": url,
        "actions": ["workflow_run_started", "workflow_run_completed"], **body})
    assert response.status_code == 200, response.text
    return response.json()


async def drain(client) -> dict:
    response = await client.post("/_emulator/webhooks/drain")
    assert response.status_code == 200, response.text
    return response.json()


async def advance(client, seconds: float) -> None:
    response = await client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text


async def events(client, **params) -> dict:
    response = await client.get(f"{HOOKS}/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def new_workflow(client) -> str:
    return (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]


def signed(secret: str, request: dict) -> bool:
    expected = hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-Interactly-Signature"])


async def test_subscription_crud_never_echoes_the_token(client, receiver):
    created = await subscribe(client, receiver.url, bearer_token="s3cret", max_retries=2)
    sid = created["id"]
    assert len(sid) == 24 and "_id" not in created and "bearer_token" not in created
    assert created["has_bearer_token"] is True and created["enabled"] is True
    assert created["signing_secret"].startswith("whsec_")
    assert (created["timeout_seconds"], created["max_retries"],
            created["retry_backoff_seconds"]) == (10, 2, 10)
    other = await subscribe(client, "http://localhost:9/other", name="Workflow changes",
                            actions=["workflow_created", "workflow_created"], enabled=False)
    assert other["actions"] == ["workflow_created"] and other["has_bearer_token"] is False

    listing = (await client.get(HOOKS)).json()
    assert listing["total"] == 2 and listing["page"] == 1 and listing["size"] == 20
    assert listing["pages"] == 1 and [s["id"] for s in listing["subscriptions"]] == [
        sid, other["id"]]
    assert all("signing_secret" not in s and "bearer_token" not in s
               for s in listing["subscriptions"])
    for params, expected in [({"search": "LIFECYCLE"}, [sid]), ({"search": "other"},
                                                              [other["id"]]),
                             ({"enabled": "true"}, [sid]),
                             ({"action": "workflow_created"}, [other["id"]]),
                             ({"enabled": "true", "action": "workflow_run_completed"}, [sid])]:
        found = (await client.get(HOOKS, params=params)).json()
        assert [s["id"] for s in found["subscriptions"]] == expected, params
    paged = (await client.get(HOOKS, params={"page": 2, "size": 1})).json()
    assert paged["pages"] == 2 and [s["id"] for s in paged["subscriptions"]] == [other["id"]]

    patched = await client.patch(f"{HOOKS}/{sid}", json={"enabled": False, "max_retries": 1,
                                                         "name": None})
    assert patched.status_code == 200
    body = patched.json()
    assert body["enabled"] is False and body["max_retries"] == 1
    assert body["name"] == "Run lifecycle listener" and "signing_secret" not in body
    cleared = (await client.patch(f"{HOOKS}/{sid}", json={"clear_bearer_token": True})).json()
    assert cleared["has_bearer_token"] is False
    again = (await client.patch(f"{HOOKS}/{sid}", json={"bearer_token": "t2"})).json()
    assert again["has_bearer_token"] is True

    assert (await client.delete(f"{HOOKS}/{sid}")).status_code == 200
    assert (await client.delete(f"{HOOKS}/{sid}")).status_code == 404
    assert (await client.patch(f"{HOOKS}/{sid}", json={})).status_code == 404
    assert (await client.get(HOOKS)).json()["total"] == 1


async def test_validation_and_non_loopback_urls_are_refused(client, receiver):
    good = {"name": "n", "url": receiver.url, "actions": ["workflow_created"]}
    for change, status in [({"url": "https://example.com/interactly/webhook"}, 400),
                           ({"url": "http://10.0.0.1/hook"}, 400),
                           ({"url": "ftp://127.0.0.1/hook"}, 400),
                           ({"url": "not a url"}, 400),
                           ({"actions": []}, 422), ({"actions": ["run.completed"]}, 422),
                           ({"name": ""}, 422), ({"timeout_seconds": 0}, 422),
                           ({"timeout_seconds": 61}, 422), ({"max_retries": 11}, 422),
                           ({"retry_backoff_seconds": 301}, 422), ({"surprise": 1}, 422)]:
        response = await client.post(HOOKS, json={**good, **change})
        assert response.status_code == status, (change, response.text)
        assert "detail" in response.json()
    assert (await client.post(HOOKS, json={"url": receiver.url})).status_code == 422
    assert (await client.get(HOOKS)).json()["total"] == 0
    for url in ("http://localhost:8080/x", "http://[::1]:8080/x", "https://127.0.0.1/x"):
        assert (await client.post(HOOKS, json={**good, "url": url})).status_code == 200, url

    sid = (await client.post(HOOKS, json=good)).json()["id"]
    for change, status in [({"url": "https://example.com/hook"}, 400),
                           ({"bearer_token": "x", "clear_bearer_token": True}, 422),
                           ({"max_retries": -1}, 422), ({"enabled": "maybe"}, 422),
                           ({"unknown": True}, 422)]:
        response = await client.patch(f"{HOOKS}/{sid}", json=change)
        assert response.status_code == status, (change, response.text)
    assert (await client.patch(f"{HOOKS}/nope", json={})).status_code == 422
    unchanged = [s for s in (await client.get(HOOKS)).json()["subscriptions"]
                 if s["id"] == sid]
    assert unchanged[0]["url"] == receiver.url and unchanged[0]["max_retries"] == 3
    for params in ({"action": "nope"}, {"enabled": "maybe"}, {"page": 0}, {"size": 0}):
        assert (await client.get(HOOKS, params=params)).status_code == 422
    for params in ({"status": "lost"}, {"action": "nope"}):
        assert (await client.get(f"{HOOKS}/events", params=params)).status_code == 422


async def test_allow_listed_hosts_are_accepted():
    app = create_app(Settings(clock="manual", from_url_allow_hosts=["hooks.internal"]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e",
                                 headers={"Authorization": "Bearer allow"}) as client:
        ok = await client.post(HOOKS, json={"name": "n", "url": "http://hooks.internal/h",
                                            "actions": ["workflow_created"]})
        assert ok.status_code == 200
        refused = await client.post(HOOKS, json={"name": "n", "url": "http://other/h",
                                                 "actions": ["workflow_created"]})
        assert refused.status_code == 400
    await app.state.registry.aclose()


async def test_signed_deliveries_for_workflow_and_run_actions(client, receiver):
    sub = await subscribe(client, receiver.url,
                          actions=["workflow_created", "workflow_run_started",
                                   "workflow_run_completed"])
    muted = await subscribe(client, receiver.url, enabled=False)
    wid = await new_workflow(client)
    run = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    assert run["status"] == "completed"
    assert (await drain(client))["pending_timers"] == 0

    assert len(receiver.requests) == 3
    bodies = receiver.bodies()
    # Deliveries run concurrently, so they may arrive in any order.
    by_action = {b["action"]: b for b in bodies}
    assert sorted(by_action) == ["workflow_created", "workflow_run_completed",
                                 "workflow_run_started"]
    for request, body in zip(receiver.requests, bodies, strict=True):
        assert request["path"] == "/hook" and signed(sub["signing_secret"], request)
        assert request["headers"]["X-Interactly-Timestamp"] == str(EPOCH)
        assert request["headers"]["Content-Type"] == "application/json"
        assert "Authorization" not in request["headers"]
        assert body["workflow_id"] == wid and body["workflow_name"] == "acceptance-typed"
        assert body["subscription_id"] == sub["id"] and body["event_id"].startswith("event_")
    assert by_action["workflow_created"]["workflow_run_id"] is None
    assert by_action["workflow_run_completed"]["workflow_run_id"] == run["run_id"]
    assert by_action["workflow_run_completed"]["workflow_run_status"] == "completed"

    listed = await events(client, subscription_id=sub["id"])
    assert listed["total"] == 3 and listed["page"] == 1
    newest = listed["events"][0]
    assert newest["action"] == "workflow_run_completed"  # newest first
    assert newest["status"] == "delivered" and newest["attempts_count"] == 1
    assert newest["delivered_at"] == "2026-01-01T00:00:00.000Z"
    assert newest["last_status_code"] == 200 and newest["last_error"] is None
    assert newest["payload"] == by_action["workflow_run_completed"] and len(newest["id"]) == 24
    assert newest["workflow_run_id"] == run["run_id"]
    assert (await events(client, subscription_id=muted["id"]))["total"] == 0
    assert [e["action"] for e in (await events(
        client, workflow_id=wid, action="workflow_created"))["events"]] == ["workflow_created"]
    assert (await events(client, status="failed"))["total"] == 0
    assert (await events(client, workflow_id="b" * 24))["total"] == 0

    attempts = (await client.get(f"{HOOKS}/events/{newest['event_id']}/attempts")).json()
    assert attempts["total"] == 1
    attempt = attempts["attempts"][0]
    assert attempt["success"] is True and attempt["attempt_number"] == 1
    assert attempt["response_status_code"] == 200 and attempt["request_url"] == receiver.url
    assert attempt["event_id"] == newest["event_id"] and attempt["subscription_id"] == sub["id"]
    assert json.loads(attempt["response_body"]) == {"received": True}
    assert isinstance(attempt["latency_ms"], int) and attempt["error_message"] is None


async def test_bearer_token_is_sent_and_keys_the_signature(client, receiver):
    await subscribe(client, receiver.url, actions=["workflow_created"], bearer_token="tok-1")
    await new_workflow(client)
    await drain(client)
    [request] = receiver.requests
    assert request["headers"]["Authorization"] == "Bearer tok-1"
    assert signed("tok-1", request)


async def test_failures_retry_with_exponential_backoff_on_the_clock(client, receiver):
    receiver.plan = [500, 503]
    await subscribe(client, receiver.url, actions=["workflow_created"], max_retries=3,
                    retry_backoff_seconds=10)
    await new_workflow(client)
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "retrying" and event["attempts_count"] == 1
    assert event["last_status_code"] == 500 and event["last_error"] == "HTTP 500"
    assert event["next_attempt_at"] == "2026-01-01T00:00:10.000Z"

    await advance(client, 9)
    await drain(client)
    assert len(receiver.requests) == 1
    await advance(client, 1)
    await drain(client)
    assert len(receiver.requests) == 2
    [event] = (await events(client))["events"]
    assert event["status"] == "retrying" and event["last_status_code"] == 503
    assert event["next_attempt_at"] == "2026-01-01T00:00:30.000Z"  # 10 * 2**1 later

    await advance(client, 20)
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "delivered" and event["attempts_count"] == 3
    assert event["delivered_at"] == "2026-01-01T00:00:30.000Z" and event["last_error"] is None
    timestamps = [r["headers"]["X-Interactly-Timestamp"] for r in receiver.requests]
    assert timestamps == [str(EPOCH), str(EPOCH + 10), str(EPOCH + 30)]
    attempts = (await client.get(f"{HOOKS}/events/{event['event_id']}/attempts")).json()
    assert [(a["attempt_number"], a["success"], a["response_status_code"])
            for a in attempts["attempts"]] == [(3, True, 200), (2, False, 503),
                                               (1, False, 500)]
    assert attempts["attempts"][1]["error_message"] == "HTTP 503"
    assert (await client.get("/_emulator/clock")).json()["pending_timers"] == 0


async def test_exhausted_retries_fail_then_the_retry_endpoint_requeues(client, receiver):
    receiver.plan = [502, 502, 200]
    await subscribe(client, receiver.url, actions=["workflow_created"], max_retries=1,
                    retry_backoff_seconds=5)
    await new_workflow(client)
    await drain(client)
    await advance(client, 5)
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "failed" and event["attempts_count"] == 2
    assert (await events(client, status="failed"))["total"] == 1
    await client.post("/_emulator/clock/run-until-idle")
    await drain(client)
    assert len(receiver.requests) == 2  # nothing left scheduled

    retried = await client.post(f"{HOOKS}/events/{event['id']}/retry", json={})
    assert retried.status_code == 200
    assert retried.json() == {"message": "Webhook event retry triggered", "event_id": event["id"]}
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "delivered" and event["attempts_count"] == 3
    again = await client.post(f"{HOOKS}/events/{event['id']}/retry", json={})
    assert again.status_code == 409
    assert (await client.post(f"{HOOKS}/events/{'c' * 24}/retry", json={})).status_code == 404
    assert (await client.post(f"{HOOKS}/events/nope/retry", json={})).status_code == 422
    missing = await client.get(f"{HOOKS}/events/event_missing/attempts")
    assert missing.status_code == 404


async def test_client_errors_are_not_retried(client, receiver):
    receiver.plan = [400]
    await subscribe(client, receiver.url, actions=["workflow_created"], max_retries=5)
    await new_workflow(client)
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "failed" and event["attempts_count"] == 1
    assert event["last_status_code"] == 400
    assert (await client.get("/_emulator/clock")).json()["pending_timers"] == 0


async def test_connection_errors_are_retried_then_fail(client):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await subscribe(client, f"http://127.0.0.1:{port}/hook", actions=["workflow_created"],
                    max_retries=1, retry_backoff_seconds=1)
    await new_workflow(client)
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "retrying" and event["last_status_code"] is None
    assert "ConnectError" in event["last_error"]
    await advance(client, 1)
    await drain(client)
    [event] = (await events(client))["events"]
    assert event["status"] == "failed" and event["attempts_count"] == 2
    attempts = (await client.get(f"{HOOKS}/events/{event['event_id']}/attempts")).json()
    assert all(a["response_status_code"] is None and a["error_message"]
               for a in attempts["attempts"])


async def test_deleting_a_subscription_stops_its_retries(client, receiver):
    receiver.plan = [500]
    sub = await subscribe(client, receiver.url, actions=["workflow_created"])
    await new_workflow(client)
    await drain(client)
    assert (await client.delete(f"{HOOKS}/{sub['id']}")).status_code == 200
    await client.post("/_emulator/clock/run-until-idle")
    await drain(client)
    assert len(receiver.requests) == 1
    [event] = (await events(client))["events"]
    assert event["status"] == "failed" and event["last_error"] == "Subscription deleted"
    refused = await client.post(f"{HOOKS}/events/{event['id']}/retry", json={})
    assert refused.status_code == 409


async def test_control_plane_lists_deliveries_with_attempts(client, receiver):
    receiver.plan = [500]
    await subscribe(client, receiver.url, actions=["workflow_created", "workflow_updated"],
                    retry_backoff_seconds=1)
    wid = await new_workflow(client)
    await drain(client)  # the receiver fails the first request: make it the creation's
    await client.patch(f"/v1/workflows/{wid}", json={"name": "renamed"})
    seen = (await client.get("/_emulator/webhooks/deliveries")).json()
    assert seen["total"] == 2 and seen["in_flight"] == 0
    updated, created = seen["events"]
    assert updated["action"] == "workflow_updated" and updated["workflow_name"] == "renamed"
    assert updated["status"] == "delivered" and len(updated["attempts"]) == 1
    assert created["status"] == "retrying"
    assert [a["success"] for a in created["attempts"]] == [False]
    await advance(client, 1)
    seen = (await client.get("/_emulator/webhooks/deliveries")).json()
    assert [a["success"] for a in seen["events"][1]["attempts"]] == [False, True]


async def test_control_plane_is_per_namespace(emulator_app, client, receiver):
    await subscribe(client, receiver.url, actions=["workflow_created"])
    await new_workflow(client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e",
                                 headers={"Authorization": "Bearer someone-else"}) as other:
        assert (await other.get("/_emulator/webhooks/deliveries")).json()["total"] == 0
        assert (await other.get(f"{HOOKS}/events")).json()["total"] == 0
    assert (await client.get("/_emulator/webhooks/deliveries")).json()["total"] == 1
