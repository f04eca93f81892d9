"""`python -m emulator` as a user starts it: Ready line, free port, flags over env."""

import httpx

from emulator.pytest_plugin import EmulatorProcess


def test_port_zero_prints_ready_with_a_working_url():
    server = EmulatorProcess(args=["--clock", "manual"]).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert not server.url.endswith(":0")
        health = httpx.get(f"{server.url}/_emulator/health")
        assert health.status_code == 200 and health.json()["ready"] is True
        assert httpx.get(f"{server.url}/health_check").status_code == 200
        clock = server.control("GET", "clock")
        assert clock["mode"] == "manual"
    finally:
        server.stop()


def test_flags_win_over_environment():
    server = EmulatorProcess(args=["--clock", "realtime", "--time-scale", "7"],
                             env={"EMULATOR_CLOCK": "manual", "EMULATOR_TIME_SCALE": "3",
                                  "EMULATOR_SEED": "42"}).start()
    try:
        clock = server.control("GET", "clock")
        assert (clock["mode"], clock["scale"]) == ("realtime", 7)
        assert "seed 42" in server.output[-1]
    finally:
        server.stop()


def test_bad_flag_value_exits_with_an_error():
    server = EmulatorProcess(args=["--clock", "sideways"], startup_timeout=20)
    try:
        server.start()
    except RuntimeError as error:
        assert "invalid choice" in str(error)
    else:
        server.stop()
        raise AssertionError("the emulator started with an invalid --clock")
