"""The user code as it runs in production, unchanged: `run_test_sync` defaults to
https://backend.revyl.ai and polls with real sleeps. `emulator_mock` answers that host
in-process (no socket, no API key), and a fast realtime clock lets the polling loop finish.
"""

from acme_qa import run_test_sync

LOGIN = "7e570000-0000-4000-8000-000000000001"  # a test from the emulator's bundled fixtures


def test_the_production_url_is_answered_in_process(emulator_mock):
    emulator_mock.script_outcome(test_id=LOGIN, result="fail",
                                 error_message="Login button not found")
    emulator_mock.set_clock(mode="realtime", scale=1000)  # ~15 virtual seconds in ~15 ms
    status = run_test_sync("the-key-from-my-environment", LOGIN, poll_interval=0.01)
    assert status["status"] == "failed"
    assert status["error_message"] == "Login button not found"
    polls = emulator_mock.journal(method="GET", path="/api/v1/tests/*")
    assert polls and all(entry["status"] == 200 for entry in polls)
