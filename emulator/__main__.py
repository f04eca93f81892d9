"""``python -m emulator`` / ``emulator``: start the server.

Binds the socket itself so ``--port 0`` can report the port the OS picked, and prints one line
starting with ``Ready.`` only once uvicorn accepts connections: scripts wait for that line
instead of sleeping.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
from typing import Any

from emulator.settings import Settings

FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--host", {"help": "interface to bind (default 127.0.0.1; 0.0.0.0 only in containers)"}),
    ("--port", {"type": int, "help": "port to bind; 0 picks a free one (default 8000)"}),
    ("--seed", {"type": int, "help": "seed for ids and scripted randomness (default 0)"}),
    ("--clock", {"choices": ["realtime", "manual"], "help": "time source (default realtime)"}),
    ("--time-scale", {"type": float, "help": "realtime speed-up factor k (default 1)"}),
    ("--fixtures", {"help": "directory of seed data (default: the bundled fixtures/)"}),
    ("--public-url", {"help": "base URL put into links handed to clients"}),
    ("--log-level", {"help": "uvicorn log level (default warning)"}),
    ("--state-file", {"help": "JSON file of every namespace's state: loaded at start if it "
                              "exists, written at clean shutdown (SIGTERM, Ctrl-C)"}),
    ("--keep-alive-seconds", {"type": float, "help": "idle keep-alive connections are closed "
                                                     "after this long (default 5)"}),
    ("--max-finished", {"type": int, "help": "finished executions/runs kept per namespace "
                                             "(oldest forgotten first; default 5000)"}),
    ("--execute-tools", {"action": "store_const", "const": True,
                         "dest": "interactly_execute_tools",
                         "help": "run inline_python tool code in an isolated child process "
                                 "(off by default; unsafe on shared machines)"}),
]


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="emulator", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    for flag, options in FLAGS:
        parser.add_argument(flag, default=None, **options)
    args = vars(parser.parse_args(argv))
    args.pop("command")
    overrides = {key: value for key, value in args.items() if value is not None}
    return Settings(**overrides)  # flags win over EMULATOR_* variables


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    from emulator.app import create_app

    settings = parse_settings(argv)
    sock = bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    display_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{display_host}:{port}"
    if settings.public_url is None:
        settings = settings.model_copy(update={"public_url": base})
    app = create_app(settings)
    config = uvicorn.Config(app, log_level=settings.log_level,
                            timeout_keep_alive=settings.keep_alive_seconds, lifespan="on")

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"Ready. Revyl: {base}  Interactly: {base}/workflows  "
                      f"control: {base}/_emulator  (pid {os.getpid()}, "
                      f"clock {settings.clock} x{settings.time_scale:g}, seed {settings.seed})",
                      flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        Server(config).run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
