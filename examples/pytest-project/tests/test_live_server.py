"""Sync code over real sockets: the session's live emulator, a fresh namespace per test."""

from acme_qa import run_test_sync

LOGIN = "7e570000-0000-4000-8000-000000000001"


def test_sync_runner_against_the_live_server(emulator_live):
    result = run_test_sync(emulator_live.token, LOGIN, emulator_live.revyl_url)
    assert result["status"] == "completed"


def test_scripted_failure_over_the_wire(emulator_live):
    emulator_live.script_outcome(test_id=LOGIN, result="fail", error_message="Crashed on launch")
    result = run_test_sync(emulator_live.token, LOGIN, emulator_live.revyl_url)
    assert (result["status"], result["error_message"]) == ("failed", "Crashed on launch")


def test_manual_clock_on_a_live_namespace(emulator_live):
    emulator_live.set_clock(mode="manual")
    started = emulator_live.client.post("/api/v1/execution/api/execute_test_id_async",
                                        json={"test_id": LOGIN}).json()
    emulator_live.run_until_idle()
    status = emulator_live.client.get("/api/v1/tests/get_test_execution_task",
                                      params={"task_id": started["task_id"]}).json()
    assert status["status"] == "completed"
