"""/_emulator/journal*: recording, redaction, find/count, near-miss hints, scoping, bound."""

import hashlib
import json

import httpx
import pytest

from emulator.core.journal import Journal
from emulator.pytest_plugin import DEFAULT_TOKEN
from emulator.web.journal import near_misses

from .conftest import EXECUTE, LOGIN, STATUS, advance, start

pytestmark = pytest.mark.anyio
NS_KEY = hashlib.sha256(DEFAULT_TOKEN.encode()).hexdigest()[:12]


def other_client(app, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test",
                             headers=headers)


async def journal(client, **params) -> dict:
    response = await client.get("/_emulator/journal", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_records_method_path_status_body_clock_and_not_its_own_reads(emulator_client):
    await advance(emulator_client, 60)
    task = await start(emulator_client, LOGIN, retries=2)
    await emulator_client.get(STATUS, params={"task_id": task})
    await journal(emulator_client)  # journal reads are not journaled
    body = await journal(emulator_client)
    assert body["namespace"] == NS_KEY and body["limit"] == 1000 and body["evicted"] == 0
    assert [(e["method"], e["path"], e["status"]) for e in body["entries"]] == [
        ("POST", "/_emulator/clock/advance", 200), ("POST", EXECUTE, 200), ("GET", STATUS, 200)]
    post = body["entries"][1]
    sent = json.dumps({"test_id": LOGIN, "retries": 2}, separators=(",", ":")).encode()
    assert post["body"] == {"test_id": LOGIN, "retries": 2}
    assert post["body_bytes"] == len(sent)
    assert post["body_digest"] == "sha256:" + hashlib.sha256(sent).hexdigest()
    assert post["namespace"] == NS_KEY and post["matched"] is True and post["fault"] is None
    assert post["time"] == "2026-01-01T00:01:00.000Z" and post["duration_ms"] >= 0
    get = body["entries"][2]
    assert get["query"] == f"task_id={task}" and get["body"] is None and get["body_digest"] is None
    assert [e["seq"] for e in body["entries"]] == [1, 2, 3]


async def test_secrets_are_redacted_everywhere(emulator_client):
    secret = {"api_key": "k-123", "nested": {"password": "hunter2", "bearer_token": "t-456",
                                             "client_secret": "c-789"},
              "max_tokens": 5, "name": "visible"}
    response = await emulator_client.post("/api/v1/telemetry/cli?api_key=q-000&x=1",
                                           json=secret, headers={"X-Api-Key": "h-111"})
    assert response.status_code == 200
    text = (await emulator_client.get("/_emulator/journal")).text
    for leaked in ("k-123", "hunter2", "t-456", "c-789", "q-000", "h-111", DEFAULT_TOKEN):
        assert leaked not in text
    entry = json.loads(text)["entries"][-1]
    assert entry["body"] == {"api_key": "[redacted]", "max_tokens": 5, "name": "visible",
                             "nested": {"password": "[redacted]", "bearer_token": "[redacted]",
                                        "client_secret": "[redacted]"}}
    assert entry["query"] == "api_key=%5Bredacted%5D&x=1"
    assert entry["headers"]["authorization"] == "Bearer [redacted]"
    assert entry["headers"]["x-api-key"] == "[redacted]"


async def test_filters_method_path_glob_status_since_limit(emulator_client):
    await start(emulator_client)
    await advance(emulator_client, 10)
    await emulator_client.get(STATUS, params={"task_id": "nope"})
    await emulator_client.get("/api/v1/tests/get_simple_tests")
    assert [e["path"] for e in (await journal(emulator_client, method="get"))["entries"]] == [
        STATUS, "/api/v1/tests/get_simple_tests"]
    globbed = await journal(emulator_client, path="/api/v1/tests/*")
    assert globbed["count"] == 2
    assert (await journal(emulator_client, path=EXECUTE))["count"] == 1
    assert [e["query"] for e in (await journal(emulator_client, status=404))["entries"]] == [
        "task_id=nope"]
    later = await journal(emulator_client, since="2026-01-01T00:00:05Z")
    assert [e["method"] for e in later["entries"]] == ["GET", "GET"]
    assert (await journal(emulator_client, since=1767225605))["count"] == 2
    assert [e["path"] for e in (await journal(emulator_client, limit=1))["entries"]] == [
        "/api/v1/tests/get_simple_tests"]


async def test_find_and_count_by_body_fields(emulator_client):
    await start(emulator_client, LOGIN, retries=2, run_config={"device": {"os": "ios"}})
    await start(emulator_client, LOGIN, retries=3)
    await start(emulator_client, LOGIN, retries=2)
    find = await emulator_client.post("/_emulator/journal/find",
                                      json={"method": "POST", "path": EXECUTE,
                                            "body": {"retries": 2}})
    assert find.status_code == 200 and find.json()["count"] == 2
    assert all(e["body"]["retries"] == 2 for e in find.json()["entries"])
    nested = await emulator_client.post("/_emulator/journal/count",
                                        json={"body": {"run_config.device.os": "ios"}})
    assert nested.json() == {"count": 1}
    none = await emulator_client.post("/_emulator/journal/count",
                                      json={"path": "/api/*", "body": {"retries": 9}})
    assert none.json() == {"count": 0}
    by_status = await emulator_client.post("/_emulator/journal/count",
                                           json={"method": "post", "status": 200})
    assert by_status.json() == {"count": 3}


async def test_unmatched_requests_come_with_near_miss_hints(emulator_client):
    # The namespace exists first: a token's typos alone make none (they go to the anonymous
    # journal, as tests/robustness/test_hostile_tenants.py checks).
    assert (await emulator_client.get("/_emulator/clock")).status_code == 200
    typo = await emulator_client.get("/api/v1/tests/get_test_execution_tsk",
                                     params={"task_id": "x"})
    assert typo.status_code == 404
    wrong_method = await emulator_client.get(EXECUTE)
    assert wrong_method.status_code == 405
    missing = await emulator_client.get(STATUS, params={"task_id": "x"})  # the route's own 404
    assert missing.status_code == 404
    listing = (await emulator_client.get("/_emulator/journal/unmatched")).json()
    assert [(e["method"], e["path"], e["status"]) for e in listing["unmatched"]] == [
        ("GET", "/api/v1/tests/get_test_execution_tsk", 404), ("GET", EXECUTE, 405)]
    first, second = listing["unmatched"]
    assert first["matched"] is False
    assert first["suggestions"][0]["path"] == STATUS
    assert "GET" in first["suggestions"][0]["methods"]
    assert second["suggestions"][0] == {"path": EXECUTE, "methods": ["POST"], "score": 1.0}
    plain = (await journal(emulator_client, status=404))["entries"]
    assert [e["matched"] for e in plain] == [False, True]


async def test_unmatched_hints_fill_path_parameters():
    table = [("/api/v1/tests/get_test_by_id/{test_id}", ["GET"]),
             ("/api/v1/workflows/status/{task_id}", ["GET"])]
    hints = near_misses("GET", "/api/v1/tests/get_test_by_idd/7e57", table)
    assert hints[0]["path"] == "/api/v1/tests/get_test_by_id/{test_id}"
    assert near_misses("GET", "/completely/else", table) == []


async def test_namespaces_are_isolated_and_all_widens(emulator_app, emulator_client):
    await emulator_client.get("/api/v1/tests/get_simple_tests")
    async with other_client(emulator_app, "other-token") as other, \
            other_client(emulator_app, None) as anonymous:
        await other.get("/_emulator/clock")
        await anonymous.get("/health_check", params={"probe": "isolation"})
        mine = await journal(emulator_client)
        theirs = await journal(other)
        everything = await journal(emulator_client, all="true")
    assert [e["path"] for e in mine["entries"]] == ["/api/v1/tests/get_simple_tests"]
    assert [e["path"] for e in theirs["entries"]] == ["/_emulator/clock"]
    assert theirs["entries"][0]["namespace"] != NS_KEY
    # Requests without a token are journaled apart; they outlive the plugin's per-test
    # registry reset (the app is reused), hence the probe that marks this test's own.
    seen = [(e["path"], e["namespace"] is None) for e in everything["entries"]
            if e["namespace"] is not None or e["query"] == "probe=isolation"]
    assert seen == [("/api/v1/tests/get_simple_tests", False), ("/_emulator/clock", False),
                    ("/health_check", True)]


async def test_delete_and_reset_empty_the_journal(emulator_client):
    await start(emulator_client)
    cleared = await emulator_client.delete("/_emulator/journal")
    assert cleared.json() == {"cleared": 1}
    assert (await journal(emulator_client))["count"] == 0
    await start(emulator_client)
    await emulator_client.post("/_emulator/faults", json={"path": "/x", "status": 500})
    assert (await emulator_client.post("/_emulator/reset")).status_code == 200
    assert (await journal(emulator_client))["count"] == 0
    assert (await emulator_client.get("/_emulator/faults")).json() == {"faults": []}


@pytest.mark.parametrize("params", [{"status": "abc"}, {"limit": 0}, {"bogus": "1"},
                                    {"since": "whenever"}, {"method": "G E T"}])
async def test_journal_query_validation(emulator_client, params):
    response = await emulator_client.get("/_emulator/journal", params=params)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("body", [{"bogus": 1}, {"body": [1]}, {"status": 42},
                                  {"query": {"a": {"b": 1}}}])
async def test_find_validation(emulator_client, body):
    for route in ("find", "count"):
        response = await emulator_client.post(f"/_emulator/journal/{route}", json=body)
        assert response.status_code == 422, response.text


async def test_journal_needs_a_token(emulator_app):
    async with other_client(emulator_app, None) as anonymous:
        response = await anonymous.get("/_emulator/journal")
    assert response.status_code == 401


def test_journal_is_bounded_oldest_evicted():
    journal_ = Journal(3)
    from emulator.core.journal import Entry

    for i in range(5):
        journal_.add(Entry("GET", f"/{i}", b"", [], None, 0.0))
    assert [e.path for e in journal_.entries] == ["/2", "/3", "/4"]
    assert journal_.recorded == 5 and journal_.evicted == 2


class TestBoundSetting:
    @pytest.fixture
    def emulator_settings(self):
        from emulator.settings import Settings

        return Settings(clock="manual", seed=0, journal_limit=3)

    async def test_journal_limit_setting_evicts_oldest(self, emulator_client):
        for i in range(5):
            await emulator_client.get("/api/v1/tests/get_simple_tests", params={"offset": i})
        body = await journal(emulator_client)
        assert [e["query"] for e in body["entries"]] == ["offset=2", "offset=3", "offset=4"]
        assert body["limit"] == 3 and body["evicted"] == 2 and body["recorded"] == 5
        assert [e["seq"] for e in body["entries"]] == [3, 4, 5]


async def test_large_bodies_keep_size_and_digest_only(emulator_client):
    payload = {"blob": "x" * 40_000, "api_key": "big-secret"}
    raw = json.dumps(payload).encode()
    response = await emulator_client.post("/api/v1/telemetry/cli", content=raw,
                                          headers={"content-type": "application/json"})
    assert response.status_code == 200
    entry = (await journal(emulator_client))["entries"][-1]
    assert entry["body_bytes"] == len(raw) and entry["body_truncated"] is True
    assert entry["body"] is None
    assert entry["body_digest"] == "sha256:" + hashlib.sha256(raw).hexdigest()
