"""The pytest plugin's user-facing fixtures: ``emulator`` (in-process), ``emulator_live`` and
``emulator_server`` (live), checked directly and, where pytest itself is the subject (isolation
between tests, auto-marking, xdist, EMULATOR_URL), through ``pytester``."""

import os
import sys

import httpx
import pytest
from fastapi import FastAPI

from emulator.core.namespaces import token_digest
from emulator.pytest_plugin import Emulator, EmulatorError, EmulatorProcess

pytest_plugins = ["pytester"]

LOGIN = "7e570000-0000-4000-8000-000000000001"
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
STATUS = "/api/v1/tests/get_test_execution_task"


# ------------------------------------------------------------------------------ emulator
@pytest.mark.anyio
async def test_emulator_bundles_a_namespaced_client_and_urls(emulator):
    assert emulator.token.startswith("pytest-")
    assert emulator.client.headers["Authorization"] == f"Bearer {emulator.token}"
    assert emulator.revyl_base_url == "http://emulator.test"
    assert emulator.interactly_base_url == "http://emulator.test/workflows"
    async with httpx.AsyncClient(transport=emulator.transport,
                                 base_url=emulator.interactly_base_url,
                                 headers=emulator.headers) as own:
        assert (await own.get("/v1/workflows")).json()["total"] == 0
    assert emulator.namespace.name == token_digest(emulator.token)  # never the token itself


@pytest.mark.anyio
async def test_emulator_clock_helpers(emulator):
    assert (await emulator.clock())["mode"] == "manual"
    task = (await emulator.client.post(EXECUTE, json={"test_id": LOGIN})).json()["task_id"]
    moved = await emulator.advance(1.5)
    assert moved["now"] == "2026-01-01T00:00:01.500Z" and moved["fired"] >= 1
    await emulator.sleep(0.5)
    assert (await emulator.clock())["now"] == "2026-01-01T00:00:02.000Z"
    idle = await emulator.run_until_idle()
    assert idle["pending_timers"] == 0
    status = (await emulator.client.get(STATUS, params={"task_id": task})).json()
    assert status["status"] == "completed"


@pytest.mark.anyio
async def test_emulator_scripts_outcomes_and_llm_replies(emulator):
    queued = await emulator.script_outcome(test_id=LOGIN, result="fail", error_message="nope")
    assert queued[0]["test_id"] == LOGIN and queued[0]["result"] == "fail"
    both = await emulator.script_outcomes({"result": "pass"}, {"result": "timeout"})
    assert len(both) == 3
    task = (await emulator.client.post(EXECUTE, json={"test_id": LOGIN})).json()["task_id"]
    await emulator.run_until_idle()
    status = (await emulator.client.get(STATUS, params={"task_id": task})).json()
    assert (status["status"], status["error_message"]) == ("failed", "nope")
    replies = await emulator.script_llm(node="Front", reply="Hello")
    assert replies == [{"node": "Front", "reply": "Hello", "remaining": 1}]
    assert len(await emulator.script_llm_replies({"reply": "a"}, {"reply": "b"})) == 3


@pytest.mark.anyio
async def test_emulator_errors_say_what_went_wrong(emulator):
    with pytest.raises(EmulatorError) as caught:
        await emulator.script_outcome(test_id="00000000-0000-4000-8000-00000000dead")
    assert caught.value.status_code == 404 and "scripts/revyl/outcomes" in str(caught.value)
    with pytest.raises(EmulatorError, match="422"):
        await emulator.advance(-1)


@pytest.mark.anyio
async def test_emulator_reset_and_state(emulator):
    await emulator.client.post(EXECUTE, json={"test_id": LOGIN})
    assert sum((await emulator.state())["revyl"]["test_executions"].values()) == 1
    await emulator.reset()
    assert (await emulator.state())["revyl"]["test_executions"] == {}


async def _journal_mounted(emulator) -> bool:
    try:
        await emulator.journal()
    except EmulatorError as error:
        if "not mounted" in str(error):
            return False
    return True


@pytest.mark.anyio
async def test_journal_when_the_route_is_mounted(emulator):
    if not await _journal_mounted(emulator):
        pytest.skip("GET /_emulator/journal is not mounted yet")
    await emulator.client.post(EXECUTE, json={"test_id": LOGIN})
    await emulator.client.get(STATUS, params={"task_id": "x"})
    entries = await emulator.journal()
    assert [(e["method"], e["path"]) for e in entries if not e["path"].startswith("/_emulator")
            ] == [("POST", EXECUTE), ("GET", STATUS)]
    assert [e["path"] for e in await emulator.journal(method="POST", path="/api/*")] == [
        EXECUTE]
    assert len(await emulator.journal(limit=1)) == 1
    found = await emulator.find_requests(method="POST", body={"test_id": LOGIN})
    assert [e["path"] for e in found] == [EXECUTE]


def test_journal_over_the_wire(emulator_live):
    try:
        emulator_live.journal()
    except EmulatorError as error:
        if "not mounted" in str(error):
            pytest.skip("GET /_emulator/journal is not mounted yet")
        raise
    emulator_live.client.post(EXECUTE, json={"test_id": LOGIN})
    assert [e["path"] for e in emulator_live.journal(method="POST")] == [EXECUTE]
    assert len(emulator_live.find_requests(path=EXECUTE)) == 1


@pytest.mark.anyio
async def test_journal_on_an_app_without_the_route_raises_a_clear_error():
    bare = Emulator(FastAPI(), "t")
    try:
        with pytest.raises(EmulatorError, match="journal is not mounted"):
            await bare.journal(method="GET")
        with pytest.raises(EmulatorError, match="journal/find is not mounted"):
            await bare.find_requests(method="GET")
    finally:
        await bare.aclose()


def test_tests_never_see_each_other(pytester):
    """Two tests on the shared app: different tokens, nothing carried over, no marker needed."""
    pytester.makepyfile("""
        seen = []

        async def test_first(emulator):
            seen.append(emulator.token)
            await emulator.client.post("/v1/workflows", json={"name": "leftover"})
            await emulator.advance(60)

        async def test_second(emulator):
            assert emulator.token not in seen
            assert (await emulator.client.get("/v1/workflows")).json()["total"] == 0
            assert (await emulator.clock())["now"] == "2026-01-01T00:00:00.000Z"

        async def test_old_fixture_still_works(emulator_client):
            assert (await emulator_client.get("/_emulator/clock")).status_code == 200
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


# ------------------------------------------------------------------------------ live
def test_emulator_live_is_scoped_to_its_own_token(emulator_live, emulator_server):
    assert emulator_live.url == emulator_server.url
    assert emulator_live.revyl_url == emulator_server.revyl_url == emulator_server.url
    assert emulator_live.interactly_url == emulator_server.url + "/workflows"
    emulator_live.set_clock(mode="manual")
    emulator_live.script_outcome(test_id=LOGIN, result="fail", error_message="live fail")
    assert emulator_live.state()["revyl"]["scripted_outcomes"][0]["test_id"] == LOGIN
    task = emulator_live.client.post(EXECUTE, json={"test_id": LOGIN}).json()["task_id"]
    assert emulator_live.advance(1)["now_epoch"] > 0
    assert emulator_live.run_until_idle()["pending_timers"] == 0
    status = emulator_live.client.get(STATUS, params={"task_id": task}).json()
    assert (status["status"], status["error_message"]) == ("failed", "live fail")
    assert emulator_live.script_llm(reply="hi") == [{"reply": "hi", "remaining": 1}]
    # The server's default namespace (and everyone else's) is untouched.
    assert emulator_server.clock()["mode"] == "realtime"
    assert emulator_server.state()["revyl"]["scripted_outcomes"] == []
    with pytest.raises(EmulatorError, match="404"):
        emulator_live.script_outcome(test_id="00000000-0000-4000-8000-00000000dead")


def test_emulator_server_helpers_take_a_token(emulator_server):
    handle = emulator_server.session()
    try:
        assert handle.token.startswith("pytest-")
        emulator_server.set_clock(token=handle.token, mode="manual")
        assert handle.clock()["mode"] == "manual"
        emulator_server.advance(10, token=handle.token)
        assert handle.clock()["now_epoch"] - emulator_server.clock(handle.token)["now_epoch"] == 0
        emulator_server.script_outcome(token=handle.token, result="pass")
        assert len(handle.state()["revyl"]["scripted_outcomes"]) == 1
    finally:
        handle.close()
    assert handle.state()["revyl"]["scripted_outcomes"] == []  # close() reset the namespace


def test_emulator_url_attaches_to_a_running_server(pytester, emulator_server):
    pytester.makepyfile(f"""
        def test_attached(emulator_server, emulator_live):
            assert emulator_server.url == {emulator_server.url!r}
            assert emulator_server.pid is None
            assert emulator_live.clock()["mode"] == "realtime"
    """)
    env = {"EMULATOR_URL": emulator_server.url}
    result = run_subprocess(pytester, env)
    result.assert_outcomes(passed=1)


def run_subprocess(pytester, env, *args):
    for key, value in env.items():
        pytester._monkeypatch.setenv(key, value)
    pytester._monkeypatch.setenv("PYTHONPATH", os.pathsep.join(sys.path))
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_xdist_workers_share_one_server_and_the_controller_stops_it(pytester):
    pytest.importorskip("xdist")
    seen = pytester.path / "seen.txt"
    pytester.makepyfile(f"""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_worker(emulator_server, emulator_live, n):
            with open({str(seen)!r}, "a") as out:
                out.write(f"{{emulator_server.url}} {{emulator_live.token}}\\n")
            assert emulator_live.state()["revyl"]["scripted_outcomes"] == []
            emulator_live.script_outcome(result="fail")
    """)
    result = run_subprocess(pytester, {}, "-n", "2")
    result.assert_outcomes(passed=4)
    lines = [line.split() for line in seen.read_text().splitlines()]
    servers = {url for url, _ in lines}
    tokens = {token for _, token in lines}
    assert len(servers) == 1 and len(tokens) == 4, lines
    assert {t.split("-")[1] for t in tokens} == {"gw0", "gw1"}
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{servers.pop()}/_emulator/health", timeout=2)


def test_attach_leaves_the_server_alone(emulator_server):
    attached = EmulatorProcess.attach(emulator_server.url + "/")
    attached.stop()
    assert attached.url == emulator_server.url
    assert attached.control("GET", "health")["status"] == "ok"
