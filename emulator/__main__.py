"""``ri-emulator`` / ``python -m emulator``: start the server.

Binds the socket itself so ``--port 0`` can report the port the OS picked, and prints one line
starting with ``Ready.`` only once uvicorn accepts connections: scripts wait for that line
instead of sleeping. Start-up problems the user can fix are :class:`StartupError`: one or two
lines on stderr and exit 2 (a bad flag or ``EMULATOR_*`` value) or 1 (anything else). Any other
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import gc
import os
import signal
import socket
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, get_args

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import SettingsError

from emulator import __version__
from emulator.settings import DEFAULT_FIXTURES, LogLevel, Settings
from emulator.startup_errors import (
    PROG,
    StartupError,
    UsageError,
    describe_settings_error,
    describe_settings_source_error,
    env_name,
)

# (flag, Settings field, extra argparse options). Help text and defaults come from the field,
# so the flags, the EMULATOR_* list in --help and the settings cannot disagree. No ``type=``:
# values reach Settings as typed, and its errors say what is allowed ("an integer from 0 to
# 65535"), which argparse's "invalid int value" does not.
FLAGS: list[tuple[str, str, dict[str, Any]]] = [
    ("--host", "host", {}),
    ("--port", "port", {}),
    ("--seed", "seed", {}),
    ("--clock", "clock", {"choices": ["realtime", "manual"]}),
    ("--time-scale", "time_scale", {}),
    ("--fixtures", "fixtures", {}),
    ("--public-url", "public_url", {}),
    ("--log-level", "log_level", {"choices": list(get_args(LogLevel)), "type": str.lower}),
    ("--state-file", "state_file", {}),
    ("--keep-alive-seconds", "keep_alive_seconds", {}),
    ("--allowed-hosts", "allowed_hosts", {}),
    ("--max-finished", "max_finished", {}),
    ("--execute-tools", "interactly_execute_tools", {"action": "store_const", "const": True}),
    ("--strict", "strict", {"action": "store_const", "const": True}),
]
FLAG_FOR_FIELD = {field: flag for flag, field, _ in FLAGS}

# "serve" was once a positional argument with choices=["serve"]; a mistyped flag's value then
# landed there ("invalid choice: '9000' (choose from 'serve')"). A leading "serve" is still
# accepted, by dropping it before argparse sees the arguments.
SERVE = "serve"

DESCRIPTION = """\
Start a local HTTP server that answers like the Revyl and Interactly APIs, so
tests and CI run without network access, accounts or real devices. Point a
Revyl client at the Revyl URL and an Interactly client at the Interactly URL
printed on the Ready line; the control plane under /_emulator moves the clock,
scripts outcomes, injects faults and serves a dashboard (/_emulator/ui)."""

READY_AND_EXIT = """\
ready line:
  Once the server accepts connections it prints one line on stdout, such as
    Ready. Revyl: http://127.0.0.1:8000  Interactly: http://127.0.0.1:8000/workflows
    control: http://127.0.0.1:8000/_emulator  (pid 4242, clock realtime x1, seed 0)
  (all on one line). Scripts wait for a line starting with "Ready." instead of
  sleeping; its third word is the base URL, the only place the port chosen by
  --port 0 is printed.

exit status:
  0 after SIGTERM or Ctrl-C (the --state-file is written first); 2 for a bad
  flag or EMULATOR_* value; 1 for any other start-up problem (port in use, bad
  fixtures or state file). Start-up problems are one or two lines on stderr."""


def describe_default(name: str, field: FieldInfo) -> str | None:
    """The default as a person would type it, None when unset means something the field's
    description explains."""
    default = field.get_default(call_default_factory=True)
    if name == "fixtures" and default == DEFAULT_FIXTURES:
        return "the bundled fixtures"
    if default is None or default == []:
        return None
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, float):
        return f"{default:g}"
    return str(default)


def field_help(name: str, field: FieldInfo) -> str:
    default = describe_default(name, field)
    text = field.description or ""
    return f"{text} (default: {default})" if default is not None else text


def environment_help(width: int = 79) -> str:
    """Every Settings field as its variable, straight from the model: never out of date."""
    lines = ["environment:",
             "  Each setting below can also come from its EMULATOR_* variable; a flag given on",
             "  the command line wins over the variable."]
    column = 24
    for name, field in Settings.model_fields.items():
        variable = env_name(name)
        body = textwrap.wrap(field_help(name, field), width - column - 4)
        if len(variable) <= column - 2:
            lines.append(f"  {variable:<{column}}{body[0] if body else ''}")
            body = body[1:]
        else:
            lines.append(f"  {variable}")
        lines.extend(" " * (column + 2) + line for line in body)
    return "\n".join(lines)


class Parser(argparse.ArgumentParser):
    """Raises :class:`UsageError` instead of printing usage and exiting: ``main`` decides how
    errors look (one or two lines), and tests can call :func:`parse_settings` in-process."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\nRun '{self.prog} --help' to see every flag.")


def build_parser(prog: str = PROG) -> Parser:
    parser = Parser(prog=prog, description=DESCRIPTION,
                    epilog=environment_help() + "\n\n" + READY_AND_EXIT,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                        help="print the version and exit")
    for flag, name, options in FLAGS:
        help_text = field_help(name, Settings.model_fields[name]).replace("%", "%%")
        parser.add_argument(flag, dest=name, default=None, help=help_text, **options)
    return parser


def unrecognized(parser: Parser, extras: list[str]) -> UsageError:
    """argparse says "unrecognized arguments: --prot 9000"; name the flag and the likely one."""
    flags = [option for action in parser._actions for option in action.option_strings]
    for arg in extras:
        if not arg.startswith("-"):
            continue
        flag = arg.partition("=")[0]
        # Compared without the dashes, which every flag shares and which made "--frobnicate"
        # look like "--strict".
        names = {option.lstrip("-"): option for option in flags}
        close = difflib.get_close_matches(flag.lstrip("-"), list(names), n=1, cutoff=0.7)
        hint = (f"did you mean {names[close[0]]}?" if close
                else f"run '{parser.prog} --help' to see every flag")
        return UsageError(f"unrecognized flag {flag}: {hint}")
    return UsageError(f"unexpected argument {extras[0]!r}: this command takes only flags "
                      f"(run '{parser.prog} --help')")


def parse_settings(argv: list[str] | None = None, prog: str = PROG) -> Settings:
    """Flags over ``EMULATOR_*`` variables; every problem is a :class:`UsageError` (``--help``
    and ``--version`` still exit 0 through argparse)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [SERVE]:
        args = args[1:]
    parser = build_parser(prog)
    namespace, extras = parser.parse_known_args(args)
    if extras:
        raise unrecognized(parser, extras)
    overrides = {key: value for key, value in vars(namespace).items() if value is not None}
    try:
        return Settings(**overrides)  # flags win over EMULATOR_* variables
    except ValidationError as exc:
        given = {name: (FLAG_FOR_FIELD.get(name, name), str(value))
                 for name, value in overrides.items()}
        raise UsageError(describe_settings_error(exc, Settings.model_fields, given)) from None
    except SettingsError as exc:
        raise UsageError(describe_settings_source_error(exc, Settings.model_fields)) from None


def bind_error(exc: OSError, host: str, port: int) -> StartupError:
    """One line per way binding fails, saying what to change; the errno text alone ("Address
    already in use") names neither the port nor the fix."""
    if isinstance(exc, socket.gaierror):
        return StartupError(f"cannot resolve host {host!r} (--host / EMULATOR_HOST): pass an "
                            "IP address such as 127.0.0.1")
    if exc.errno == errno.EADDRINUSE:
        return StartupError(f"port {port} on {host} is already in use: stop what holds it, or "
                            "pass --port 0 to pick a free port")
    if exc.errno == errno.EACCES:
        return StartupError(f"not allowed to bind port {port} on {host} (ports below 1024 "
                            "need privileges): pass --port 0 or a port above 1023")
    if exc.errno == errno.EADDRNOTAVAIL:
        return StartupError(f"cannot bind {host}: no network interface here has that "
                            "address; pass --host 127.0.0.1 (or 0.0.0.0 in a container)")
    return StartupError(f"cannot listen on {host} port {port}: {exc.strerror or exc}")


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise bind_error(exc, host, port) from None
    sock.set_inheritable(True)
    return sock


@contextmanager
def sigterm_exits_cleanly() -> Iterator[None]:
    """SIGTERM is a normal way to stop the emulator, so it exits 0. uvicorn handles it (a
    graceful shutdown that writes the state file) and then re-raises it to the handler that
    was installed before; with the default one the process died with 143. This one turns
    it into ``SystemExit(0)``, also when it arrives before uvicorn runs."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (main() called from a test): leave it alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(settings: Settings) -> None:
    import uvicorn

    from emulator.app import create_app
    from emulator.core.snapshots import read_state_file
    from emulator.web.connections import uvicorn_options

    if settings.state_file is not None:
        read_state_file(settings.state_file)  # a bad file is one line now, not a lifespan trace
    sock = bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    display_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{display_host}:{port}"
    if settings.public_url is None:
        settings = settings.model_copy(update={"public_url": base})
    try:
        app = create_app(settings)  # loads the fixtures: FixtureError is a StartupError
    except BaseException:
        sock.close()
        raise
    # This process serves only the app: a young-generation collection every 10,000
    # allocations instead of 700 cut the collector's time in Interactly turns by two thirds.
    gc.set_threshold(10_000, 10, 10)
    config = uvicorn.Config(app, log_level=settings.log_level,
                            # uvicorn annotates int but only hands it to loop.call_later
                            # (a float delay), so fractional seconds work.
                            timeout_keep_alive=settings.keep_alive_seconds,  # type: ignore[arg-type]
                            lifespan="on",
                            # header caps while they arrive; header, body and idle timeouts
                            **uvicorn_options(settings))

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"Ready. Revyl: {base}  Interactly: {base}/workflows  "
                      f"control: {base}/_emulator  (pid {os.getpid()}, "
                      f"clock {settings.clock} x{settings.time_scale:g}, seed {settings.seed})",
                      flush=True)

    server = Server(config)
    server.run(sockets=[sock])
    if not server.started:  # a signal would have left run() by raising: start-up failed
        raise StartupError("the server did not start (uvicorn logged why above)")


def main(argv: list[str] | None = None, prog: str = PROG) -> None:
    try:
        with sigterm_exits_cleanly():
            serve(parse_settings(argv, prog))
    except StartupError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr, flush=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:  # Ctrl-C: uvicorn shut down gracefully, then re-raised it
        pass
    sys.exit(0)


if __name__ == "__main__":
    main(prog=f"{Path(sys.executable).name} -m emulator")
