"""emulator_mock / mock_emulator: code that keeps the real hosts is answered in-process, and
the in-process fixture serves sync code too (emulator/mock.py, emulator/inprocess.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
import requests

from emulator.mock import EmulatorMock, mock_emulator

from ..loopback import serve

REVYL = "https://backend.revyl.ai"
WHO = f"{REVYL}/api/v1/entity/users/get_user_uuid"
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
STATUS = "/api/v1/tests/get_test_execution_task"
LOGIN = "7e570000-0000-4000-8000-000000000001"
MONITOR = "/api/v1/monitor/stream/unified"
AUTH = {"Authorization": "Bearer sk-live-users-own-key"}


@pytest.fixture
def local_server() -> Iterator[str]:
    """A plain HTTP server on loopback: where pass-through requests really go."""

    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"real server"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serve(Hello) as url:
        yield url


# ------------------------------------------------------------------ every client kind
def test_httpx_sync_and_requests_reach_the_emulator(emulator_mock):
    assert httpx.get(WHO, headers=AUTH).json()["email"] == "qa@acme.example"
    assert requests.get(WHO, headers=AUTH, timeout=10).json()["email"] == "qa@acme.example"
    entries = emulator_mock.journal()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/api/v1/entity/users/get_user_uuid", 200)] * 2


async def test_async_httpx_reaches_the_emulator(emulator_mock):
    async with httpx.AsyncClient(base_url=REVYL, headers=AUTH) as client:
        started = await client.post(EXECUTE, json={"test_id": LOGIN})
        assert started.status_code == 200, started.text
        await emulator_mock.aio.run_until_idle()
        status = await client.get(STATUS, params={"task_id": started.json()["task_id"]})
    assert status.json()["status"] == "completed"
    assert len(await emulator_mock.aio.find_requests(method="POST", path="/api/*")) == 1


def test_every_token_lands_in_the_mocks_namespace(emulator_mock):
    """moto's one-account model: the user's own key and any other both reach the namespace
    the helpers act on; the outcome scripted through the helper is the one the run gets."""
    emulator_mock.script_outcome(test_id=LOGIN, result="fail", error_message="scripted")
    started = requests.post(REVYL + EXECUTE, json={"test_id": LOGIN}, timeout=10,
                            headers={"Authorization": "Bearer another-key"})
    emulator_mock.run_until_idle()
    status = httpx.get(REVYL + STATUS, params={"task_id": started.json()["task_id"]},
                       headers=AUTH).json()
    assert (status["status"], status["error_message"]) == ("failed", "scripted")


def test_missing_credentials_still_get_the_apis_401(emulator_mock):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        assert httpx.get(WHO, headers=headers).status_code == 401
        assert requests.get(WHO, headers=headers, timeout=10).status_code == 401


def test_interactly_hosts_and_the_workflows_prefix(emulator_mock):
    for host in ("api.interactly.ai", "api-qa.interactly.ai"):
        answer = httpx.get(f"https://{host}/workflows/v1/workflows",
                           headers={**AUTH, "teamid": "acme"})
        assert answer.status_code == 200, answer.text
    assert [e["path"] for e in emulator_mock.journal()] == ["/workflows/v1/workflows"] * 2


def test_request_bodies_query_and_methods_are_forwarded(emulator_mock):
    created = requests.post("https://api.interactly.ai/workflows/v1/workflows",
                            headers={**AUTH, "teamid": "acme"}, timeout=10,
                            json={"name": "fwd", "workflow_config": {"name": "fwd"}})
    assert created.status_code == 200, created.text
    workflow_id = created.json()["workflow"]["_id"]
    gone = httpx.delete(f"https://api.interactly.ai/workflows/v1/workflows/{workflow_id}",
                        headers={**AUTH, "teamid": "acme"})
    assert gone.status_code in (200, 204), gone.text
    found = emulator_mock.find_requests(method="POST", body={"name": "fwd"})
    assert len(found) == 1
    assert found[0]["headers"]["host"] == "emulator.test"


# ------------------------------------------------------------------ streaming
def test_sse_streams_event_by_event_through_both_clients(emulator_mock):
    with requests.get(REVYL + MONITOR, headers=AUTH, stream=True, timeout=10) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        # requests reads chunk_size bytes before it yields, as from a socket: keep it small
        assert next(answer.iter_lines(chunk_size=16)) == b"event: connection_ready"
    with httpx.stream("GET", REVYL + MONITOR, headers=AUTH) as answer:
        assert next(answer.iter_lines()) == "event: connection_ready"


async def test_async_sse_sees_an_execution_event_after_the_clock_moves(emulator_mock):
    async with httpx.AsyncClient(base_url=REVYL, headers=AUTH) as client, \
            client.stream("GET", MONITOR) as stream:
        lines = stream.aiter_lines()
        assert await anext(lines) == "event: connection_ready"
        await client.post(EXECUTE, json={"test_id": LOGIN})
        await emulator_mock.aio.advance(5)
        seen = []
        async for line in lines:
            seen.append(line)
            if line.startswith("event: test_"):
                break
    assert any(line.startswith("event: test_") for line in seen), seen


# ------------------------------------------------------------------ other hosts
def test_other_hosts_pass_through(emulator_mock, local_server):
    assert httpx.get(local_server).text == "real server"
    assert requests.get(local_server, timeout=10).text == "real server"
    assert emulator_mock.journal() == []


@pytest.mark.emulator_mock(pass_through=False)
def test_other_hosts_are_refused_when_asked(emulator_mock, local_server):
    with pytest.raises(httpx.ConnectError, match="emulator_mock refused"):
        httpx.get(local_server)
    with pytest.raises(requests.ConnectionError):
        requests.get(local_server, timeout=10)
    assert httpx.get(WHO, headers=AUTH).status_code == 200


@pytest.mark.emulator_mock(hosts=["revyl.internal"])
def test_hosts_the_user_adds(emulator_mock):
    answer = httpx.get("https://revyl.internal:8443/api/v1/entity/users/get_user_uuid",
                       headers=AUTH)
    assert answer.status_code == 200
    assert requests.get("http://REVYL.INTERNAL/api/v1/entity/users/get_user_uuid",
                        headers=AUTH, timeout=10).status_code == 200


@pytest.mark.emulator_mock(keep_credentials=True, token="tenant-a")
def test_keep_credentials_keeps_tenants_apart(emulator_mock):
    for key in ("tenant-a", "tenant-b"):
        httpx.post(REVYL + EXECUTE, json={"test_id": LOGIN},
                   headers={"Authorization": f"Bearer {key}"})
    assert len(emulator_mock.journal()) == 1
    assert len(emulator_mock.journal(token="tenant-b")) == 1


def test_keep_credentials_leaves_no_tenant_behind():
    for _ in range(2):  # the second mock must not see the first one's tenant
        with mock_emulator(keep_credentials=True) as emu:
            assert emu.journal(token="tenant-c") == []
            httpx.post(REVYL + EXECUTE, json={"test_id": LOGIN},
                       headers={"Authorization": "Bearer tenant-c"})
            assert len(emu.journal(token="tenant-c")) == 1


# ------------------------------------------------------------------ lifecycle
def test_the_patch_and_the_namespace_end_with_the_mock(local_server):
    with mock_emulator(pass_through=False) as emu:
        httpx.post(REVYL + EXECUTE, json={"test_id": LOGIN}, headers=AUTH)
        registry = emu.app.state.registry
        assert emu.thread.call(lambda: registry.find(emu.token) is not None)
    assert not emu.thread.call(lambda: registry.find(emu.token) is not None)
    assert httpx.get(local_server).text == "real server"  # no longer refused
    with pytest.raises(httpx.ConnectError):  # and no longer answered
        httpx.get(WHO, headers=AUTH, timeout=2)


def test_decorator_on_sync_and_async_functions():
    @mock_emulator()
    def sync_code() -> int:
        return httpx.get(WHO, headers=AUTH).status_code

    @mock_emulator()
    async def async_code() -> int:
        async with httpx.AsyncClient() as client:
            return (await client.get(WHO, headers=AUTH)).status_code

    import asyncio

    assert sync_code() == 200
    assert asyncio.run(async_code()) == 200


def test_two_mocks_do_not_share_state():
    with mock_emulator() as first:
        httpx.post(REVYL + EXECUTE, json={"test_id": LOGIN}, headers=AUTH)
        assert len(first.journal()) == 1
    with mock_emulator() as second:
        assert second.journal() == []
        assert second.state()["revyl"]["test_executions"] == {}


def test_many_threads_at_once(emulator_mock):
    results: list[int] = []

    def worker() -> None:
        with httpx.Client(base_url=REVYL, headers=AUTH) as client:
            for _ in range(5):
                results.append(client.post(EXECUTE, json={"test_id": LOGIN}).status_code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 40
    assert len(emulator_mock.find_requests(method="POST", path="/api/*")) == 40


def test_helpers_raise_emulator_error(emulator_mock):
    from emulator.handles import EmulatorError

    with pytest.raises(EmulatorError) as refused:
        emulator_mock.advance(-1)
    assert refused.value.status_code == 422


def test_emulator_mock_class_needs_no_pytest():
    mock = EmulatorMock().start()
    try:
        assert httpx.get(WHO, headers=AUTH).status_code == 200
    finally:
        mock.stop()


# ------------------------------------------------------------------ emulator, sync flavour
def test_the_in_process_fixture_serves_sync_tests(emulator):
    started = emulator.sync_client.post(EXECUTE, json={"test_id": LOGIN})
    assert started.status_code == 200
    emulator.sync.run_until_idle()
    task = emulator.sync_client.get(STATUS, params={"task_id": started.json()["task_id"]})
    assert task.json()["status"] == "completed"
    with httpx.Client(transport=emulator.sync_transport, base_url=emulator.revyl_base_url,
                      headers=emulator.headers) as own:
        assert own.get(STATUS, params={"task_id": started.json()["task_id"]}).status_code == 200


@pytest.mark.parametrize("test_id", [LOGIN, "00000000-0000-4000-8000-00000000dead"])
async def test_parametrized_async_tests_keep_their_parameters(emulator, test_id):
    """The plugin marks async tests for anyio at collection: added later, anyio replaced each
    case's parameters with its backend's and every case failed."""
    answer = await emulator.client.post(EXECUTE, json={"test_id": test_id})
    assert answer.status_code == (200 if test_id == LOGIN else 404)
