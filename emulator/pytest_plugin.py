"""pytest fixtures for code under test that talks to Revyl and Interactly.

Registered as a ``pytest11`` entry point, so installing the package is enough. Imports of the
app and of httpx happen inside the fixtures: merely having the plugin installed costs nothing.

Start here:

- ``emulator``: in-process app (httpx ASGI transport), manual clock, a **fresh namespace per
  test** (its own bearer token), helpers: ``client``, ``transport``, ``advance``, ``sleep``,
  ``run_until_idle``, ``script_outcome``, ``script_llm``, ``journal``, ``state``. Async tests.
- ``emulator_live``: the session's live server plus a fresh token per test, with the same
  helpers as plain methods (for sync code, subprocesses, SDKs that only take a URL).
- ``emulator_server``: the live ``python -m emulator`` process itself (session-wide, clock x20).
  Shared by every pytest-xdist worker of a run (namespaces keep them apart); ``EMULATOR_URL``
  points it at a server you started yourself.

Lower level, kept for existing suites: ``emulator_app`` (one app per settings, emptied between
tests), ``emulator_settings``, ``emulator_token``, ``emulator_client``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

DEFAULT_TOKEN = "emulator-test-token"
IN_PROCESS_URL = "http://emulator.test"
INTERACTLY_PREFIX = "/workflows"
SHARED_SERVER_FILE = "emulator-server.json"


class EmulatorError(RuntimeError):
    """A control-plane call the emulator refused (or a route this version does not have)."""

    def __init__(self, message: str, status_code: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


def fresh_token(prefix: str = "pytest") -> str:
    """A bearer token nobody else uses: a namespace of its own. Names the xdist worker too, so
    the dashboard and ``/_emulator/state?all=true`` show who made what."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}-{worker}-{uuid.uuid4().hex[:12]}"


def _answer(response: Any, method: str, path: str) -> Any:
    """JSON of a 2xx control-plane answer, else an ``EmulatorError`` that says what went wrong."""
    if response.status_code == 404 and path.startswith("journal"):
        try:
            body = response.json()
        except ValueError:
            body = None
        detail = body.get("detail") if isinstance(body, dict) else None
        if detail == "Not Found":  # FastAPI's own 404: no such route
            raise EmulatorError(
                f"/_emulator/{path} is not mounted in this emulator version (the journal "
                "needs a newer emulator package)", 404, detail)
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        raise EmulatorError(f"{method} /_emulator/{path} -> {response.status_code}: {body}",
                            response.status_code, body)
    return response.json() if response.content else None


def _filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Query parameters for the journal: booleans as ``true``/``false``, ``None`` dropped."""
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


def _entries(body: Any) -> Any:
    return body["entries"] if isinstance(body, dict) and "entries" in body else body


# ---------------------------------------------------------------------------- in-process
class Emulator:
    """The ``emulator`` fixture: an in-process app seen through one namespace (token).

    ``client`` is an ``httpx.AsyncClient`` already carrying the token. Code under test that
    builds its own client should accept a transport: pass ``emulator.transport`` with
    ``emulator.revyl_base_url`` / ``emulator.interactly_base_url``. Code that only takes a URL
    needs a real socket: use ``emulator_live`` instead.
    """

    def __init__(self, app: Any, token: str, base_url: str = IN_PROCESS_URL) -> None:
        import httpx

        self.app = app
        self.token = token
        self.base_url = base_url
        self.revyl_base_url = base_url
        self.interactly_base_url = base_url + INTERACTLY_PREFIX
        self.headers = {"Authorization": f"Bearer {token}"}
        self.transport = httpx.ASGITransport(app=app)
        self.client = httpx.AsyncClient(transport=self.transport, base_url=base_url,
                                        headers=self.headers)

    @property
    def namespace(self) -> Any:
        """The namespace object itself (white-box tests only)."""
        return self.app.state.registry.get(self.token)

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call ``/_emulator/<path>`` in this namespace; JSON out, ``EmulatorError`` on 4xx/5xx."""
        response = await self.client.request(method, f"/_emulator/{path}", **kwargs)
        return _answer(response, method, path)

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the virtual clock ``seconds`` forward, firing every timer on the way."""
        return await self.control("POST", "clock/advance", json={"seconds": seconds})

    async def sleep(self, seconds: float) -> None:
        """Drop-in for ``asyncio.sleep`` in code under test: advances virtual time instead."""
        await self.advance(seconds)

    async def run_until_idle(self) -> dict[str, Any]:
        """Jump from timer to timer until nothing is pending (every run finishes)."""
        return await self.control("POST", "clock/run-until-idle")

    async def clock(self) -> dict[str, Any]:
        return await self.control("GET", "clock")

    async def set_clock(self, **update: Any) -> dict[str, Any]:
        """``PUT /_emulator/clock``: ``mode="realtime"|"manual"``, ``scale=k``, ``now=...``."""
        return await self.control("PUT", "clock", json=update)

    async def script_outcome(self, **outcome: Any) -> list[dict[str, Any]]:
        """Queue one Revyl outcome, e.g. ``script_outcome(test_id=..., result="fail")``."""
        return await self.script_outcomes(outcome)

    async def script_outcomes(self, *outcomes: dict[str, Any]) -> list[dict[str, Any]]:
        body = await self.control("POST", "scripts/revyl/outcomes",
                                  json={"outcomes": list(outcomes)})
        return body["queued"]

    async def script_llm(self, **reply: Any) -> list[dict[str, Any]]:
        """Queue one Interactly LLM behaviour, e.g. ``script_llm(node="Front", reply="Hi")``."""
        return await self.script_llm_replies(reply)

    async def script_llm_replies(self, *replies: dict[str, Any]) -> list[dict[str, Any]]:
        body = await self.control("POST", "scripts/interactly/llm",
                                  json={"replies": list(replies)})
        return body["queued"]

    async def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Requests this namespace sent, oldest first: ``GET /_emulator/journal`` with
        ``filters`` (``method``, ``path`` (glob), ``status``, ``since``, ``limit``) as query."""
        return _entries(await self.control("GET", "journal", params=_filters(filters)))

    async def find_requests(self, **match: Any) -> list[dict[str, Any]]:
        """``POST /_emulator/journal/find``: like ``journal`` plus ``query={...}`` and
        ``body={"dotted.path": value}`` matching."""
        return _entries(await self.control("POST", "journal/find", json=match))

    async def state(self) -> dict[str, Any]:
        return await self.control("GET", "state")

    async def reset(self) -> dict[str, Any]:
        """Back to the fixtures (this namespace only)."""
        return await self.control("POST", "reset")

    async def aclose(self) -> None:
        await self.client.aclose()


# ---------------------------------------------------------------------------- live server
class _SyncHelpers:
    """Synchronous control-plane helpers over HTTP; subclasses say where and as whom."""

    url: str

    def _token(self, token: str | None) -> str:
        raise NotImplementedError

    def control(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        """Call ``/_emulator/<path>`` synchronously, e.g. ``control("POST", "clock/advance",
        json={"seconds": 5})``. JSON out, ``EmulatorError`` on 4xx/5xx."""
        import httpx

        response = httpx.request(method, f"{self.url}/_emulator/{path}",
                                 headers={"Authorization": f"Bearer {self._token(token)}"},
                                 **kwargs)
        return _answer(response, method, path)

    def advance(self, seconds: float, token: str | None = None) -> dict[str, Any]:
        return self.control("POST", "clock/advance", token, json={"seconds": seconds})

    def run_until_idle(self, token: str | None = None) -> dict[str, Any]:
        return self.control("POST", "clock/run-until-idle", token)

    def clock(self, token: str | None = None) -> dict[str, Any]:
        return self.control("GET", "clock", token)

    def set_clock(self, token: str | None = None, **update: Any) -> dict[str, Any]:
        return self.control("PUT", "clock", token, json=update)

    def script_outcome(self, token: str | None = None, **outcome: Any) -> list[dict[str, Any]]:
        return self.script_outcomes(outcome, token=token)

    def script_outcomes(self, *outcomes: dict[str, Any],
                        token: str | None = None) -> list[dict[str, Any]]:
        return self.control("POST", "scripts/revyl/outcomes", token,
                            json={"outcomes": list(outcomes)})["queued"]

    def script_llm(self, token: str | None = None, **reply: Any) -> list[dict[str, Any]]:
        return self.script_llm_replies(reply, token=token)

    def script_llm_replies(self, *replies: dict[str, Any],
                           token: str | None = None) -> list[dict[str, Any]]:
        return self.control("POST", "scripts/interactly/llm", token,
                            json={"replies": list(replies)})["queued"]

    def journal(self, token: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        return _entries(self.control("GET", "journal", token, params=_filters(filters)))

    def find_requests(self, token: str | None = None, **match: Any) -> list[dict[str, Any]]:
        return _entries(self.control("POST", "journal/find", token, json=match))

    def state(self, token: str | None = None) -> dict[str, Any]:
        return self.control("GET", "state", token)

    def reset(self, token: str | None = None) -> dict[str, Any]:
        return self.control("POST", "reset", token)


@dataclass
class EmulatorProcess(_SyncHelpers):
    """A live emulator started with ``python -m emulator --port 0`` (or attached to one that
    runs elsewhere). Helpers act on ``DEFAULT_TOKEN``'s namespace unless given ``token=``; on
    a shared server prefer ``session(token)`` or the ``emulator_live`` fixture."""

    args: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    startup_timeout: float = 30.0
    url: str = ""
    output: list[str] = field(default_factory=list)
    pid: int | None = None
    _proc: subprocess.Popen[str] | None = None

    @property
    def revyl_url(self) -> str:
        return self.url

    @property
    def interactly_url(self) -> str:
        return self.url + INTERACTLY_PREFIX

    def _token(self, token: str | None) -> str:
        return token or DEFAULT_TOKEN

    @classmethod
    def attach(cls, url: str, pid: int | None = None) -> EmulatorProcess:
        """A handle on a server that something else started (``stop()`` leaves it alone)."""
        return cls(url=url.rstrip("/"), pid=pid)

    def start(self, log_file: Path | None = None) -> EmulatorProcess:
        """Start and wait for the ``Ready.`` line. With ``log_file`` the output goes there and
        the process gets its own session, so it can outlive the pytest process that started it
        (xdist: the controller stops it)."""
        env = {**os.environ, **(self.env or {})}
        command = [sys.executable, "-m", "emulator", "--port", "0", *self.args]
        if log_file is not None:
            return self._start_detached(command, env, log_file)
        self._proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, env=env)
        self.pid = self._proc.pid
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

    def _start_detached(self, command: list[str], env: dict[str, str],
                        log_file: Path) -> EmulatorProcess:
        with open(log_file, "w") as log:
            self._proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, text=True, env=env,
                                          start_new_session=True)
        self.pid = self._proc.pid
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            text = log_file.read_text()
            ready = next((ln for ln in text.splitlines() if ln.startswith("Ready.")), None)
            if ready:
                self.output = text.splitlines(keepends=True)
                self.url = ready.split()[2]
                return self
            if self._proc.poll() is not None:
                raise RuntimeError("emulator exited during start-up: " + text)
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("emulator did not print Ready.: " + log_file.read_text())

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def session(self, token: str | None = None) -> LiveEmulator:
        """A handle scoped to one namespace (a fresh token unless given)."""
        return LiveEmulator(self, token or fresh_token())


class LiveEmulator(_SyncHelpers):
    """The ``emulator_live`` fixture: the live server seen through one namespace (token).

    ``client`` is an ``httpx.Client`` with the token; ``url`` / ``revyl_url`` /
    ``interactly_url`` and ``token`` are what an SDK, CLI or subprocess needs. The server's
    clock runs at x20 realtime; ``set_clock(mode="manual")`` stops it for this namespace only.
    """

    def __init__(self, server: EmulatorProcess, token: str) -> None:
        import httpx

        self.server = server
        self.token = token
        self.url = server.url
        self.revyl_url = server.revyl_url
        self.interactly_url = server.interactly_url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.client = httpx.Client(base_url=server.url, headers=self.headers, timeout=30)

    def _token(self, token: str | None) -> str:
        return token or self.token

    def close(self) -> None:
        """Stop this namespace's timers and drop its data (the server keeps running)."""
        self.client.close()
        with contextlib.suppress(Exception):
            self.reset()


# ---------------------------------------------------------------------------- fixtures
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
    _empty(app)
    yield app
    _empty(app)


def _empty(app: Any) -> None:
    """Back to a just-created app: no namespaces, no journal of anonymous requests."""
    app.state.registry.reset()
    if getattr(app.state, "anonymous_journal", None) is not None:
        app.state.anonymous_journal.clear()


@pytest.fixture
def emulator_token() -> str:
    return DEFAULT_TOKEN


@pytest.fixture
async def emulator_client(emulator_app: Any, emulator_token: str) -> AsyncIterator[Any]:
    import httpx

    transport = httpx.ASGITransport(app=emulator_app)
    async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL,
                                 headers={"Authorization": f"Bearer {emulator_token}"}) as c:
        yield c
    await emulator_app.state.registry.aclose()


@pytest.fixture
async def emulator(emulator_app: Any) -> AsyncIterator[Emulator]:
    """In-process emulator on a manual clock, in a namespace of this test's own."""
    handle = Emulator(emulator_app, fresh_token())
    try:
        yield handle
    finally:
        await handle.aclose()
        await emulator_app.state.registry.aclose()


def _xdist_shared_dir(config: pytest.Config) -> Path | None:
    """The controller's basetemp when this process is an xdist worker, else None."""
    if not hasattr(config, "workerinput"):
        return None
    factory = getattr(config, "_tmp_path_factory", None)
    return factory.getbasetemp().parent if factory is not None else None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


SERVER_ARGS = ["--time-scale", "20"]


@pytest.fixture(scope="session")
def emulator_server(request: pytest.FixtureRequest) -> Iterator[EmulatorProcess]:
    """The live emulator for this run: ``EMULATOR_URL`` if set; under pytest-xdist one server
    for all workers (the first to ask starts it, the controller stops it); else our own."""
    import httpx

    if os.environ.get("EMULATOR_URL"):
        server = EmulatorProcess.attach(os.environ["EMULATOR_URL"])
        httpx.get(f"{server.url}/_emulator/health", timeout=10).raise_for_status()
        yield server
        return
    shared = _xdist_shared_dir(request.config)
    if shared is not None and sys.platform != "win32":
        with _file_lock(shared / (SHARED_SERVER_FILE + ".lock")):
            info_file = shared / SHARED_SERVER_FILE
            if info_file.exists():
                info = json.loads(info_file.read_text())
                server = EmulatorProcess.attach(info["url"], info["pid"])
            else:
                server = EmulatorProcess(args=SERVER_ARGS).start(
                    log_file=shared / "emulator-server.log")
                info_file.write_text(json.dumps({"url": server.url, "pid": server.pid}))
        yield server  # stopped by the controller's pytest_unconfigure
        return
    server = EmulatorProcess(args=SERVER_ARGS).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator_live(emulator_server: EmulatorProcess) -> Iterator[LiveEmulator]:
    """The live server plus a fresh namespace (token) for this test; sync helpers."""
    handle = emulator_server.session()
    try:
        yield handle
    finally:
        handle.close()


# ---------------------------------------------------------------------------- hooks
ASYNC_FIXTURES = {"emulator", "emulator_client"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``async def test_x(emulator)`` just works: coroutine tests that use the async fixtures
    and carry no async marker of their own get ``@pytest.mark.anyio`` (anyio ships with httpx)."""
    for item in items:
        function = getattr(item, "function", None)
        names = set(getattr(item, "fixturenames", ()))
        if function is None or not inspect.iscoroutinefunction(function):
            continue
        if not names & ASYNC_FIXTURES:
            continue
        if any(item.get_closest_marker(m) for m in ("anyio", "asyncio", "trio")):
            continue
        item.add_marker(pytest.mark.anyio)


def pytest_unconfigure(config: pytest.Config) -> None:
    """xdist controller: stop the server the workers shared, if one of them started it."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    factory = getattr(config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None) if factory is not None else None
    if basetemp is None:
        return
    info_file = Path(basetemp) / SHARED_SERVER_FILE
    if not info_file.exists():
        return
    with contextlib.suppress(ValueError, KeyError, OSError):
        pid = json.loads(info_file.read_text())["pid"]
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)  # raises once it is gone
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
    info_file.unlink(missing_ok=True)
