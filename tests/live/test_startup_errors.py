"""Start-up problems of a real ``python -m emulator`` process: one or two plain lines on
stderr, never a traceback, exit 2 for usage errors and 1 for the rest; SIGTERM exits 0."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator.settings import DEFAULT_FIXTURES

pytestmark = pytest.mark.live
TIMEOUT = 30


@dataclass
class Exited:
    code: int
    stdout: str
    stderr: str


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's EMULATOR_* variables would change what the process does: drop them."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("EMULATOR_")}
    return {**env, **extra}


def run(*args: str, **env: str) -> Exited:
    done = subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, env=clean_env(**env))
    return Exited(done.returncode, done.stdout, done.stderr)


def assert_plain(result: Exited, code: int) -> str:
    """At most two lines, no traceback, nothing on stdout (so no Ready. line): the message."""
    assert result.code == code, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("ri-emulator: "), result.stderr
    assert "Ready." not in result.stdout
    return result.stderr


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port something else is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_port_in_use_names_the_port_and_suggests_port_0(held_port: int) -> None:
    stderr = assert_plain(run("--port", str(held_port)), 1)
    assert stderr == (f"ri-emulator: port {held_port} on 127.0.0.1 is already in use: stop "
                      "what holds it, or pass --port 0 to pick a free port\n")


def test_port_in_use_from_the_environment(held_port: int) -> None:
    stderr = assert_plain(run(EMULATOR_PORT=str(held_port)), 1)
    assert f"port {held_port} on 127.0.0.1 is already in use" in stderr


def test_fixtures_with_a_json_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "revyl.json").write_text('{\n  "org": {\n    "org_id": "o"\n    "x": 1}}\n')
    stderr = assert_plain(run("--port", "0", "--fixtures", str(tmp_path)), 1)
    assert stderr == (f"ri-emulator: fixtures file {tmp_path / 'revyl.json'} is not valid "
                      "JSON: Expecting ',' delimiter at line 4, column 5\n")


def test_fixtures_with_a_schema_error(tmp_path: Path) -> None:
    document = json.loads((DEFAULT_FIXTURES / "revyl.json").read_text())
    document["tests"][0]["platform"] = "web"
    (tmp_path / "revyl.json").write_text(json.dumps(document))
    stderr = assert_plain(run("--port", "0", "--fixtures", str(tmp_path)), 1)
    assert stderr == (f"ri-emulator: fixtures file {tmp_path / 'revyl.json'}: "
                      "tests[0].platform: Input should be 'ios' or 'android' (got 'web')\n")


def test_a_fixtures_directory_without_revyl_json(tmp_path: Path) -> None:
    stderr = assert_plain(run("--port", "0", EMULATOR_FIXTURES=str(tmp_path)), 1)
    assert stderr == (f"ri-emulator: no revyl.json in fixtures directory {tmp_path}: point "
                      "--fixtures (or EMULATOR_FIXTURES) at a directory holding revyl.json\n")


def test_a_malformed_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"schema_version": 1, "namespaces": [')
    stderr = assert_plain(run("--port", "0", "--state-file", str(state)), 1)
    assert stderr == (f"ri-emulator: state file {state} is not valid JSON: Expecting value at "
                      "line 1, column 38 (fix it, or move it away to start empty)\n")


def test_a_state_file_that_is_not_a_snapshot(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"tests": []}')
    stderr = assert_plain(run("--port", "0", "--state-file", str(state)), 1)
    assert stderr.startswith(f"ri-emulator: state file {state} is not an emulator state file: "
                             "Unsupported snapshot schema_version None")


def test_bad_clock_variable() -> None:
    stderr = assert_plain(run("--port", "0", EMULATOR_CLOCK="slow"), 2)
    assert stderr == ("ri-emulator: EMULATOR_CLOCK='slow' is not valid: choose from realtime, "
                      "manual\n")


def test_bad_log_level_flag() -> None:
    stderr = assert_plain(run("--port", "0", "--log-level", "loud"), 2)
    assert stderr.splitlines()[0] == (
        "ri-emulator: argument --log-level: invalid choice: 'loud' (choose from 'critical', "
        "'error', 'warning', 'info', 'debug', 'trace')")


def test_bad_log_level_variable() -> None:
    stderr = assert_plain(run("--port", "0", EMULATOR_LOG_LEVEL="verbose"), 2)
    assert stderr == ("ri-emulator: EMULATOR_LOG_LEVEL='verbose' is not valid: choose from "
                      "critical, error, warning, info, debug, trace\n")


def test_bad_port_flag_value() -> None:
    stderr = assert_plain(run("--port", "99999"), 2)
    assert stderr == ("ri-emulator: --port='99999' is not valid: must be an integer from 0 to "
                      "65535\n")


def test_a_mistyped_flag_suggests_the_right_one() -> None:
    stderr = assert_plain(run("--prot", "9000"), 2)
    assert stderr == "ri-emulator: unrecognized flag --prot: did you mean --port?\n"
    assert "invalid choice" not in stderr


def test_an_unresolvable_host() -> None:
    stderr = assert_plain(run("--port", "0", "--host", "no-such-host.invalid"), 1)
    assert "cannot resolve host 'no-such-host.invalid'" in stderr


def test_version_and_help_exit_0() -> None:
    version = run("--version")
    assert version.code == 0 and version.stdout.startswith("ri-emulator ")
    shown = run("--help")
    assert shown.code == 0 and shown.stderr == ""
    assert shown.stdout.startswith("usage: ") and "EMULATOR_CLOCK" in shown.stdout


def start_until_ready(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start the server and return once it printed its Ready. line (or fail on exit/timeout)."""
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=clean_env())
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=TIMEOUT)
        except queue.Empty:
            proc.kill()
            raise AssertionError("no Ready. line") from None
        if line is None:
            assert proc.stderr is not None
            raise AssertionError(f"exited {proc.wait()} during start-up: {proc.stderr.read()}")
        if line.startswith("Ready."):
            return proc, line


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_exits_0_without_a_traceback(sig: signal.Signals) -> None:
    proc, _ready = start_until_ready()
    try:
        proc.send_signal(sig)
        code = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert code == 0, stderr
    assert "Traceback" not in stderr


def test_sigterm_still_writes_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc, _ready = start_until_ready("--state-file", str(state))
    proc.terminate()
    assert proc.wait(timeout=TIMEOUT) == 0
    assert json.loads(state.read_text())["schema_version"] == 1
    assert proc.stderr is not None
    proc.stderr.close()
