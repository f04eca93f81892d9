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

from emulator.handles import (
    INTERACTLY_PREFIX,
    AsyncControl,
    ClientControl,
    EmulatorError,
    SyncControl,
)

__all__ = ["DEFAULT_TOKEN", "IN_PROCESS_URL", "Emulator", "EmulatorError", "EmulatorProcess",
           "LiveEmulator", "fresh_token"]

DEFAULT_TOKEN = "emulator-test-token"
IN_PROCESS_URL = "http://emulator.test"
SHARED_SERVER_FILE = "emulator-server.json"


def fresh_token(prefix: str = "pytest") -> str:
    """A bearer token nobody else uses: a namespace of its own. Names the xdist worker too, so
    the dashboard and ``/_emulator/state?all=true`` show who made what."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}-{worker}-{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------------------- in-process
class Emulator(AsyncControl):
    """The ``emulator`` fixture: an in-process app seen through one namespace (token).

    Async code: ``client`` is an ``httpx.AsyncClient`` already carrying the token, and the
    helpers (``advance``, ``script_outcome``, ``journal``...) are coroutines. Code under test
    that builds its own client should accept a transport: pass ``emulator.transport`` with
    ``emulator.revyl_base_url`` / ``emulator.interactly_base_url``.

    Sync code: ``sync_client`` (an ``httpx.Client``) and ``sync_transport`` serve the same app
    from the emulator's app thread (emulator/inprocess.py), and ``sync`` has the helpers as
    plain methods; a sync test uses the fixture the same way. Keep to one flavour per test
    when the clock runs in realtime (each flavour's timers run on its own loop). Code that
    keeps the real base URLs: use ``emulator_mock``; code that needs a socket:
    ``emulator_live``.
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
        self._sync: tuple[Any, ClientControl] | None = None

    @property
    def sync_transport(self) -> Any:
        """An httpx transport for sync clients (``httpx.Client(transport=...)``), streaming."""
        return self._sync_parts()[0]

    @property
    def sync_client(self) -> Any:
        """An ``httpx.Client`` carrying the token, served in-process."""
        return self._sync_parts()[1].client

    @property
    def sync(self) -> ClientControl:
        """The helpers as plain methods: ``emulator.sync.advance(5)``."""
        return self._sync_parts()[1]

    def _sync_parts(self) -> tuple[Any, ClientControl]:
        if self._sync is None:
            import httpx

            from emulator.inprocess import ThreadedTransport

            transport = ThreadedTransport(self.app)
            client = httpx.Client(transport=transport, base_url=self.base_url,
                                  headers=self.headers)
            self._sync = (transport, ClientControl(client))
        return self._sync

    @property
    def namespace(self) -> Any:
        """The namespace object itself (white-box tests only)."""
        return self.app.state.registry.get(self.token)

    async def aclose(self) -> None:
        await self.client.aclose()
        self.close()

    def close(self) -> None:
        if self._sync is not None:
            transport, control = self._sync
            control.client.close()
            # Its timers may run on the app thread's loop: close the namespace there.
            transport.thread.call(self.app.state.registry.discard, self.token)
            self._sync = None


# ---------------------------------------------------------------------------- live server
class _SyncHelpers(SyncControl):
    """Synchronous control-plane helpers over HTTP; subclasses say where and as whom."""

    url: str

    def _token(self, token: str | None) -> str:
        raise NotImplementedError

    def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        import httpx

        return httpx.request(method, f"{self.url}{path}",
                             headers={"Authorization": f"Bearer {self._token(token)}"},
                             **kwargs)


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
        """Forget this namespace on the server (which keeps running): a shared server must not
        keep one per test forever. A server from before ``DELETE /_emulator/namespace``
        (404/405) is reset instead."""
        with contextlib.suppress(Exception):
            response = self.client.delete("/_emulator/namespace")
            if response.status_code in (404, 405):
                self.reset()
        self.client.close()


# ---------------------------------------------------------------------------- fixtures
_DEFAULT_SETTINGS: list[Any] = []


@pytest.fixture
def emulator_settings() -> Any:
    """Manual clock, seed 0, the rest from ``EMULATOR_*``. Read once per process: reading the
    environment through pydantic-settings costs ~1 ms, most of what a test used to pay."""
    if not _DEFAULT_SETTINGS:
        from emulator.settings import Settings

        _DEFAULT_SETTINGS.append(Settings(clock="manual", seed=0))
    return _DEFAULT_SETTINGS[0]


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
def emulator(emulator_app: Any) -> Iterator[Emulator]:
    """In-process emulator on a manual clock, in a namespace of this test's own. A plain
    fixture, so sync tests use it too (``sync_client``, ``sync``)."""
    handle = Emulator(emulator_app, fresh_token())
    try:
        yield handle
    finally:
        handle.close()  # emulator_app empties the registry after every test


@pytest.fixture
def emulator_mock(request: pytest.FixtureRequest, emulator_settings: Any) -> Iterator[Any]:
    """Requests that httpx (sync or async) or ``requests`` send to the real Revyl and
    Interactly hosts are answered in-process for this test, in a namespace of its own: code
    under test changes nothing. Options through the ``emulator_mock`` marker, e.g.
    ``@pytest.mark.emulator_mock(hosts=["revyl.internal"], pass_through=False)``. Needs the
    ``mock`` extra (respx, responses)."""
    from emulator.mock import EmulatorMock, shared_app

    marker = request.node.get_closest_marker("emulator_mock")
    options = dict(marker.kwargs) if marker is not None else {}
    mock = EmulatorMock(app=shared_app(emulator_settings), **options).start()
    try:
        yield mock
    finally:
        mock.stop()


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
ASYNC_FIXTURES = {"emulator", "emulator_client", "emulator_mock"}


def _wants_anyio(obj: Any) -> bool:
    """A coroutine test naming an async fixture, with no async marker of its own."""
    if not inspect.iscoroutinefunction(obj):
        return False
    marks = getattr(obj, "pytestmark", ())
    if any(mark.name in ("anyio", "asyncio", "trio") for mark in marks):
        return False
    try:
        names = set(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        return False
    return bool(names & ASYNC_FIXTURES)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: Any, name: str, obj: Any) -> None:
    """``async def test_x(emulator)`` just works: the anyio marker goes on at collection,
    before anyio's own hook and before ``parametrize`` makes the items. Added later (at
    ``modifyitems``) anyio replaced every item's parameters with its backend's, so each case
    of a parametrized test failed with ``'SubRequest' object has no attribute 'param'``."""
    if collector.istestfunction(obj, name) and _wants_anyio(obj):
        if collector.get_closest_marker("asyncio") or collector.get_closest_marker("trio"):
            return
        pytest.mark.anyio(obj)
        pytest.mark.usefixtures("anyio_backend")(obj)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The rest: coroutine tests that reach the async fixtures through another fixture (their
    signature does not name them) and carry no async marker get ``@pytest.mark.anyio`` (anyio
    ships with httpx)."""
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "emulator_mock(**options): options of the emulator_mock fixture "
                   "(hosts=[...], pass_through=False, keep_credentials=True, token=...)")


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
