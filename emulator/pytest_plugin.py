"""pytest fixtures for code under test that talks to Revyl: in-process or as a live server.

Registered as a ``pytest11`` entry point, so installing the package is enough. Imports of the
app and of httpx happen inside the fixtures: merely having the plugin installed costs nothing.

- ``emulator_app``: the ASGI app on a manual clock (time moves only when the test says so).
- ``emulator_client``: an ``httpx.AsyncClient`` bound to that app, with a bearer token.
- ``emulator_server``: a real ``python -m emulator`` process on a free port (session-wide).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

DEFAULT_TOKEN = "emulator-test-token"


@dataclass
class EmulatorProcess:
    """A live emulator started with ``python -m emulator --port 0``."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    startup_timeout: float = 30.0
    url: str = ""
    output: list[str] = field(default_factory=list)
    _proc: subprocess.Popen[str] | None = None

    def start(self) -> EmulatorProcess:
        env = {**os.environ, **(self.env or {})}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--port", "0", *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                self.output.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        while True:
            try:
                line = lines.get(timeout=self.startup_timeout)
            except queue.Empty:
                self.stop()
                output = "".join(self.output)
                raise RuntimeError(f"emulator did not print Ready.: {output}") from None
            if line is None:
                raise RuntimeError("emulator exited during start-up: " + "".join(self.output))
            if line.startswith("Ready."):
                self.url = line.split()[2]
                return self

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def control(self, method: str, path: str, token: str = DEFAULT_TOKEN,
                **kwargs: Any) -> Any:
        """Call the control plane synchronously, e.g. ``control("POST", "clock/advance", ...)``."""
        import httpx

        response = httpx.request(method, f"{self.url}/_emulator/{path}",
                                 headers={"Authorization": f"Bearer {token}"}, **kwargs)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def emulator_settings() -> Any:
    from emulator.settings import Settings

    return Settings(clock="manual", seed=0)


_APPS: dict[str, Any] = {}


@pytest.fixture
def emulator_app(emulator_settings: Any) -> Iterator[Any]:
    """One app per distinct settings for the whole session, emptied after every test: building
    the routes takes far longer than a test, and a fresh registry is all a test can observe."""
    from emulator.app import create_app

    key = emulator_settings.model_dump_json()
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(emulator_settings)
    app.state.registry.reset()
    yield app
    app.state.registry.reset()


@pytest.fixture
def emulator_token() -> str:
    return DEFAULT_TOKEN


@pytest.fixture
async def emulator_client(emulator_app: Any, emulator_token: str) -> AsyncIterator[Any]:
    import httpx

    transport = httpx.ASGITransport(app=emulator_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test",
                                 headers={"Authorization": f"Bearer {emulator_token}"}) as c:
        yield c
    await emulator_app.state.registry.aclose()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorProcess]:
    server = EmulatorProcess(args=["--time-scale", "20"]).start()
    try:
        yield server
    finally:
        server.stop()
