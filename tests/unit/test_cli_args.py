"""``ri-emulator`` arguments in-process: parsing, help, version, and the one-line messages for
bad flags, bad ``EMULATOR_*`` values, bad fixtures, bad state files and failed binds."""

from __future__ import annotations

import errno
import json
import socket
from pathlib import Path

import pytest

from emulator import __version__
from emulator.__main__ import FLAGS, bind, bind_error, build_parser, main, parse_settings
from emulator.core.snapshots import StateFileError, read_state_file
from emulator.revyl.catalog import FixtureError, RevylFixtures
from emulator.settings import DEFAULT_FIXTURES, Settings
from emulator.startup_errors import StartupError, UsageError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's or CI job's EMULATOR_* variables must not change what these tests see."""
    import os

    for key in list(os.environ):
        if key.upper().startswith("EMULATOR_"):
            monkeypatch.delenv(key)


def usage_error(argv: list[str]) -> str:
    with pytest.raises(UsageError) as caught:
        parse_settings(argv)
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert len(message.splitlines()) <= 2
    return message


# ------------------------------------------------------------------------------ parsing
def test_flags_reach_settings_with_their_types() -> None:
    settings = parse_settings(["--port", "9000", "--seed", "7", "--clock", "manual",
                               "--time-scale", "2.5", "--log-level", "DEBUG",
                               "--execute-tools", "--max-finished", "10"])
    assert (settings.port, settings.seed, settings.clock) == (9000, 7, "manual")
    assert settings.time_scale == 2.5 and settings.log_level == "debug"
    assert settings.interactly_execute_tools is True and settings.max_finished == 10


def test_no_flags_gives_the_defaults() -> None:
    assert parse_settings([]) == Settings()


def test_a_leading_serve_is_still_accepted() -> None:
    assert parse_settings(["serve", "--port", "9001"]).port == 9001
    assert parse_settings(["serve"]).port == 8000


@pytest.mark.parametrize("argv", [["--prot", "9000"], ["serve", "--prot", "9000"],
                                  ["--prot=9000"], ["--clock", "manual", "--prot", "9000"]])
def test_a_mistyped_flag_is_named_with_a_suggestion(argv: list[str]) -> None:
    message = usage_error(argv)
    assert message == "unrecognized flag --prot: did you mean --port?"
    assert "invalid choice" not in message


def test_an_unknown_flag_without_a_near_miss_points_at_help() -> None:
    message = usage_error(["--frobnicate"])
    assert message == "unrecognized flag --frobnicate: run 'ri-emulator --help' to see every flag"


def test_a_stray_word_says_the_command_takes_only_flags() -> None:
    message = usage_error(["start"])
    assert message.startswith("unexpected argument 'start': this command takes only flags")
    assert "invalid choice" not in message


def test_a_flag_missing_its_value_is_a_usage_error() -> None:
    message = usage_error(["--port"])
    assert message.splitlines() == ["argument --port: expected one argument",
                                    "Run 'ri-emulator --help' to see every flag."]


@pytest.mark.parametrize(("argv", "expected"), [
    (["--port", "abc"], "--port='abc' is not valid: must be an integer from 0 to 65535"),
    (["--port", "70000"], "--port='70000' is not valid: must be an integer from 0 to 65535"),
    (["--time-scale", "0"], "--time-scale='0' is not valid: must be a number greater than 0"),
    (["--keep-alive-seconds", "9999"],
     "--keep-alive-seconds='9999' is not valid: must be a number greater than 0 and at most "
     "3600"),
    (["--max-finished", "0"],
     "--max-finished='0' is not valid: must be an integer from 1 to 10000000"),
])
def test_a_bad_flag_value_says_what_is_allowed(argv: list[str], expected: str) -> None:
    assert usage_error(argv) == expected


def test_a_bad_choice_flag_lists_the_choices() -> None:
    message = usage_error(["--log-level", "loud"])
    assert message.splitlines()[0] == (
        "argument --log-level: invalid choice: 'loud' (choose from 'critical', 'error', "
        "'warning', 'info', 'debug', 'trace')")
    assert "--clock" in usage_error(["--clock", "sideways"])


# ------------------------------------------------------------------------------ environment
@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("EMULATOR_CLOCK", "slow", "EMULATOR_CLOCK='slow' is not valid: choose from realtime, manual"),
    ("EMULATOR_LOG_LEVEL", "loud", "EMULATOR_LOG_LEVEL='loud' is not valid: choose from "
                                   "critical, error, warning, info, debug, trace"),
    ("EMULATOR_PORT", "http", "EMULATOR_PORT='http' is not valid: must be an integer from 0 "
                              "to 65535"),
    ("EMULATOR_TIME_SCALE", "-1", "EMULATOR_TIME_SCALE='-1' is not valid: must be a number "
                                  "greater than 0"),
    ("EMULATOR_EPOCH", "yesterday", "EMULATOR_EPOCH='yesterday' is not valid: must be a number"),
    ("EMULATOR_INTERACTLY_STRICT", "maybe", "EMULATOR_INTERACTLY_STRICT='maybe' is not valid: "
                                            "must be true or false"),
    ("EMULATOR_FROM_URL_ALLOW_HOSTS", "files.internal",
     "EMULATOR_FROM_URL_ALLOW_HOSTS='files.internal' is not valid: must be a JSON list of "
     'strings, e.g. ["example.com"]'),
    ("EMULATOR_FROM_URL_ALLOW_HOSTS", '{"a": 1}',
     "EMULATOR_FROM_URL_ALLOW_HOSTS='{\"a\": 1}' is not valid: must be a JSON list of "
     'strings, e.g. ["example.com"]'),
])
def test_a_bad_variable_is_named_with_what_is_allowed(monkeypatch: pytest.MonkeyPatch,
                                                      variable: str, value: str,
                                                      expected: str) -> None:
    monkeypatch.setenv(variable, value)
    assert usage_error([]) == expected


def test_several_bad_variables_name_the_rest_on_a_second_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMULATOR_PORT", "x")
    monkeypatch.setenv("EMULATOR_SEED", "y")
    monkeypatch.setenv("EMULATOR_CLOCK", "z")
    assert usage_error([]).splitlines() == [
        "EMULATOR_PORT='x' is not valid: must be an integer from 0 to 65535",
        "also invalid: EMULATOR_SEED, EMULATOR_CLOCK"]


def test_a_flag_replaces_a_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMULATOR_CLOCK", "slow")
    assert parse_settings(["--clock", "manual"]).clock == "manual"


def test_the_log_level_variable_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMULATOR_LOG_LEVEL", "INFO")
    assert parse_settings([]).log_level == "info"


def test_flags_win_over_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMULATOR_PORT", "1234")
    monkeypatch.setenv("EMULATOR_SEED", "42")
    settings = parse_settings(["--port", "4321"])
    assert (settings.port, settings.seed) == (4321, 42)


# ------------------------------------------------------------------------------ help, version
def help_text(capsys: pytest.CaptureFixture[str], prog: str | None = None) -> str:
    with pytest.raises(SystemExit) as caught:
        if prog is None:
            parse_settings(["--help"])
        else:
            parse_settings(["--help"], prog=prog)
    assert caught.value.code == 0
    return capsys.readouterr().out


def test_help_explains_the_command_without_raw_markup(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    assert text.startswith("usage: ri-emulator ")
    assert "``" not in text and ":class:" not in text
    assert "Revyl and Interactly APIs" in text
    assert "{serve}" not in text


def test_help_lists_every_setting_as_a_variable(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    for name, field in Settings.model_fields.items():
        assert f"EMULATOR_{name.upper()}" in text
        assert field.description, f"Settings.{name} needs a description for --help"
    assert "EMULATOR_PORT           port to bind; 0 picks a free one (default: 8000)" in text
    assert str(DEFAULT_FIXTURES) not in text  # a path on the build machine says nothing


def test_help_describes_the_ready_line_and_exit_status(
        capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    assert 'starting with "Ready."' in text
    assert "exit status:" in text and "SIGTERM" in text


def test_every_flag_has_help_from_its_setting(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    for flag, name, _ in FLAGS:
        assert flag in text
        assert name in Settings.model_fields


def test_help_uses_the_name_it_was_started_by(capsys: pytest.CaptureFixture[str]) -> None:
    assert help_text(capsys, prog="python -m emulator").startswith(
        "usage: python -m emulator ")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_settings(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"ri-emulator {__version__}\n"


def test_the_parser_has_no_positional_arguments() -> None:
    parser = build_parser()
    assert all(action.option_strings for action in parser._actions)


# ------------------------------------------------------------------------------ main
def test_main_prints_one_line_and_exits_2_for_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--prot", "9000"])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == "ri-emulator: unrecognized flag --prot: did you mean --port?\n"
    assert captured.out == ""


def test_main_exits_1_for_bad_fixtures(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--port", "0", "--fixtures", str(tmp_path / "missing")])
    assert caught.value.code == 1
    assert capsys.readouterr().err.startswith(
        f"ri-emulator: fixtures directory {tmp_path / 'missing'} does not exist")


# ------------------------------------------------------------------------------ fixtures
def write_fixtures(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "revyl.json").write_text(text)
    return directory


def bundled_document() -> dict:
    return json.loads((DEFAULT_FIXTURES / "revyl.json").read_text())


def fixture_error(directory: Path) -> str:
    with pytest.raises(FixtureError) as caught:
        RevylFixtures.load(directory)
    assert isinstance(caught.value, StartupError) and caught.value.exit_code == 1
    message = str(caught.value)
    assert len(message.splitlines()) <= 2
    return message


def test_fixtures_with_a_syntax_error_name_file_line_and_column(tmp_path: Path) -> None:
    directory = write_fixtures(tmp_path / "fx", '{\n  "org": {"org_id": "o",}\n}\n')
    assert fixture_error(directory) == (
        f"fixtures file {directory / 'revyl.json'} is not valid JSON: Expecting property name "
        "enclosed in double quotes at line 2, column 25")


def test_fixtures_with_a_schema_error_name_the_field_path(tmp_path: Path) -> None:
    document = bundled_document()
    document["tests"][1]["platform"] = "web"
    directory = write_fixtures(tmp_path / "fx", json.dumps(document))
    assert fixture_error(directory) == (
        f"fixtures file {directory / 'revyl.json'}: tests[1].platform: Input should be 'ios' or "
        "'android' (got 'web')")


def test_several_schema_errors_name_the_others_on_a_second_line(tmp_path: Path) -> None:
    document = bundled_document()
    del document["org"]["email"]
    document["tests"][0]["blocks"] = []
    directory = write_fixtures(tmp_path / "fx", json.dumps(document))
    first, second = fixture_error(directory).splitlines()
    assert first.endswith("revyl.json: org.email: Field required")
    assert second == "also invalid in the same file: tests[0].blocks"


def test_a_workflow_naming_an_unknown_test_is_a_fixture_error(tmp_path: Path) -> None:
    document = bundled_document()
    document["workflows"][0]["tests"] = ["no-such-test"]
    directory = write_fixtures(tmp_path / "fx", json.dumps(document))
    assert fixture_error(directory).endswith("names tests that are not in its tests list: "
                                             "no-such-test")


def test_missing_fixtures_say_how_to_point_at_them(tmp_path: Path) -> None:
    hint = "point --fixtures (or EMULATOR_FIXTURES) at a directory holding revyl.json"
    assert fixture_error(tmp_path / "nope") == (
        f"fixtures directory {tmp_path / 'nope'} does not exist: {hint}")
    assert fixture_error(tmp_path) == f"no revyl.json in fixtures directory {tmp_path}: {hint}"
    (tmp_path / "file").write_text("")
    assert fixture_error(tmp_path / "file") == (
        f"fixtures path {tmp_path / 'file'} is not a directory: {hint}")


def test_unreadable_fixtures_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "revyl.json").mkdir()
    assert fixture_error(tmp_path) == (
        f"fixtures file {tmp_path / 'revyl.json'} is a directory, not a file")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "revyl.json").write_bytes(b"\xff\xfe{}")
    assert "is not UTF-8 text" in fixture_error(tmp_path / "bin")


def test_the_bundled_fixtures_load() -> None:
    assert RevylFixtures.load(DEFAULT_FIXTURES).tests


# ------------------------------------------------------------------------------ state file
def state_error(path: Path) -> str:
    with pytest.raises(StateFileError) as caught:
        read_state_file(path)
    message = str(caught.value)
    assert len(message.splitlines()) <= 2
    return message


def test_a_missing_state_file_is_a_first_run(tmp_path: Path) -> None:
    assert read_state_file(tmp_path / "state.json") is None


def test_a_state_file_with_a_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"schema_version": 1,\n "namespaces": [}\n')
    assert state_error(path) == (
        f"state file {path} is not valid JSON: Expecting value at line 2, column 17 (fix it, or "
        "move it away to start empty)")


@pytest.mark.parametrize(("document", "reason"), [
    ([1], "A snapshot must be a JSON object"),
    ({"schema_version": 9, "namespaces": []}, "Unsupported snapshot schema_version 9"),
    ({"schema_version": 1}, "An all-namespaces snapshot needs a 'namespaces' list"),
    ({"schema_version": 1, "namespaces": [{"schema_version": 1}]},
     "Every namespace snapshot needs its 'namespace' key"),
])
def test_a_state_file_that_is_no_snapshot_says_why(tmp_path: Path, document: object,
                                                    reason: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    assert state_error(path).startswith(
        f"state file {path} is not an emulator state file: {reason}")


def test_a_state_file_that_is_a_directory_is_named(tmp_path: Path) -> None:
    assert state_error(tmp_path).startswith(f"state file {tmp_path} is a directory, not a file")


def test_a_valid_state_file_is_returned(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"schema_version": 1, "namespaces": []}))
    assert read_state_file(path) == {"schema_version": 1, "namespaces": []}


# ------------------------------------------------------------------------------ binding
def test_a_port_in_use_is_named_with_the_way_out() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(StartupError) as caught:
            bind("127.0.0.1", port)
    assert str(caught.value) == (f"port {port} on 127.0.0.1 is already in use: stop what holds "
                                 "it, or pass --port 0 to pick a free port")


def test_an_address_no_interface_has_says_which_host_to_use() -> None:
    with pytest.raises(StartupError) as caught:
        bind("192.0.2.1", 0)  # TEST-NET-1: never a local address
    assert str(caught.value).startswith("cannot bind 192.0.2.1: no network interface here")


def test_an_unresolvable_host_is_named() -> None:
    with pytest.raises(StartupError) as caught:
        bind("no-such-host.invalid", 0)
    assert str(caught.value) == ("cannot resolve host 'no-such-host.invalid' (--host / "
                                 "EMULATOR_HOST): pass an IP address such as 127.0.0.1")


def test_a_privileged_port_says_how_to_avoid_it() -> None:
    """Built from the errno: the tests may run as root, where binding port 80 works."""
    error = bind_error(PermissionError(errno.EACCES, "Permission denied"), "127.0.0.1", 80)
    assert str(error) == ("not allowed to bind port 80 on 127.0.0.1 (ports below 1024 need "
                          "privileges): pass --port 0 or a port above 1023")


def test_other_bind_failures_keep_the_system_reason() -> None:
    error = bind_error(OSError(errno.ENOBUFS, "No buffer space available"), "127.0.0.1", 8000)
    assert str(error) == "cannot listen on 127.0.0.1 port 8000: No buffer space available"
