"""moto-style interception: code under test keeps the real base URLs and its own clients, and
every request it sends to Revyl or Interactly is answered in-process by the emulator.

    from emulator.mock import mock_emulator

    with mock_emulator() as emu:                      # or @mock_emulator() on a function
        httpx.get("https://backend.revyl.ai/api/v1/...", headers=auth)   # no socket
        emu.advance(30)

httpx (sync and async) is intercepted with respx and ``requests`` with responses: both
libraries patch the client's transport layer, keep their patches balanced when nested and are
what users of those clients already know. A request to one of ``REAL_HOSTS`` (or a host the
caller adds) is rewritten to the in-process host and served by :mod:`emulator.inprocess`;
requests to any other host go out untouched, or are refused with ``pass_through=False``.

Every non-blank bearer token lands in the mock's own namespace (moto's one-account model):
code under test keeps whatever key it reads from its environment, and the helpers see what it
did. ``keep_credentials=True`` keeps tokens apart instead (one namespace per token; the helpers
then act on ``token``). A missing or malformed ``Authorization`` still gets the API's 401.
"""

from __future__ import annotations

import functools
import inspect
import io
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import httpx

from emulator.handles import INTERACTLY_PREFIX, AsyncControl, ClientControl
from emulator.inprocess import AppThread, ThreadedTransport, app_thread

REAL_HOSTS = ("backend.revyl.ai", "api.interactly.ai", "api-qa.interactly.ai")
IN_PROCESS_HOST = "emulator.test"
IN_PROCESS_URL = f"http://{IN_PROCESS_HOST}"
# Hop-by-hop or recomputed from the forwarded request; the rest is forwarded as sent.
_DROPPED = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
F = TypeVar("F", bound=Callable[..., Any])

_APPS: dict[str, Any] = {}
_APPS_LOCK = threading.Lock()


def shared_app(settings: Any = None) -> Any:
    """One app per distinct settings for the process, served from the app thread: building
    the routes costs far more than a test, and each mock works in a namespace of its own."""
    from emulator.settings import Settings

    settings = settings or Settings(clock="manual", seed=0)
    key = settings.model_dump_json()
    with _APPS_LOCK:
        app = _APPS.get(key)
        if app is None:
            from emulator.app import create_app

            app = _APPS[key] = create_app(settings)
        return app


def _missing(package: str) -> ImportError:
    return ImportError(f"emulator_mock needs {package}: pip install "
                       f"'revyl-interactly-emulator[mock]'")


class AsyncMockControl(AsyncControl):
    """The mock's helpers as coroutines, for async tests (``await emu.aio.advance(5)``)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client


class EmulatorMock(ClientControl):
    """While started, answers the real services' hosts in-process. Sync helpers are methods
    (``advance``, ``run_until_idle``, ``script_outcome``, ``script_llm``, ``journal``,
    ``find_requests``, ``state``, ``reset``, ``set_clock``); ``aio`` has the same as
    coroutines. ``client`` / ``async_client`` talk to the emulator directly as ``token``."""

    def __init__(self, *, settings: Any = None, app: Any = None, hosts: Iterable[str] = (),
                 pass_through: bool = True, token: str | None = None,
                 keep_credentials: bool = False, thread: AppThread | None = None) -> None:
        self.app = app if app is not None else shared_app(settings)
        self.thread = thread or app_thread()
        self.transport = ThreadedTransport(self.app, self.thread)
        self.token = token or f"mock-{uuid.uuid4().hex[:16]}"
        self.hosts = frozenset(h.lower() for h in (*REAL_HOSTS, IN_PROCESS_HOST, *hosts))
        self.pass_through = pass_through
        self.keep_credentials = keep_credentials
        self.revyl_url = IN_PROCESS_URL
        self.interactly_url = IN_PROCESS_URL + INTERACTLY_PREFIX
        headers = {"Authorization": f"Bearer {self.token}"}
        super().__init__(httpx.Client(transport=self.transport, base_url=IN_PROCESS_URL,
                                      headers=headers))
        self.async_client = httpx.AsyncClient(transport=self.transport,
                                              base_url=IN_PROCESS_URL, headers=headers)
        self.aio = AsyncMockControl(self.async_client)
        self._patches: list[Any] = []
        # keep_credentials: the tokens the code under test used, whose namespaces stop() drops
        self._tenants: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        if token is not None:
            self._tenants.add(token)
        return super()._send(method, path, token, **kwargs)

    @property
    def namespace(self) -> Any:
        """The namespace object itself (white-box tests only; touch it from one thread)."""
        return self.thread.call(self.app.state.registry.get, self.token)

    # ------------------------------------------------------------------ forwarding
    def forward(self, method: str, url: httpx.URL, headers: Iterable[tuple[str, str]],
                body: bytes, timeout: float | None = None) -> httpx.Response:
        """Serve one intercepted request: same method, path, query, headers and body, sent to
        the in-process host; the credential mapped to this mock's namespace."""
        target = url.copy_with(scheme="http", host=IN_PROCESS_HOST, port=None)
        forwarded: list[tuple[str, str]] = []
        for name, value in headers:
            lower = name.lower()
            if lower in _DROPPED:
                continue
            if lower == "authorization":
                scheme, _, credential = value.strip().partition(" ")
                if scheme.lower() == "bearer" and credential.strip():
                    if self.keep_credentials:
                        self._tenants.add(credential.strip())
                    else:
                        value = f"Bearer {self.token}"
            forwarded.append((name, value))
        request = httpx.Request(method, target, headers=forwarded, content=body,
                                extensions={"timeout": {"read": timeout}})
        return self.transport.handle_request(request)

    def _from_httpx(self, request: httpx.Request) -> httpx.Response:
        timeout = (request.extensions.get("timeout") or {}).get("read")
        return self.forward(request.method, request.url, request.headers.multi_items(),
                            request.read(), timeout)

    def _from_requests(self, request: Any) -> Any:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        timeout = (getattr(request, "req_kwargs", None) or {}).get("timeout")
        if isinstance(timeout, tuple):  # requests' (connect, read)
            timeout = timeout[1]
        response = self.forward(request.method, httpx.URL(request.url),
                                request.headers.items(), body, timeout)
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() != "content-length"]
        return response.status_code, headers, io.BufferedReader(_RawBody(response))

    # ------------------------------------------------------------------ patching
    def start(self) -> EmulatorMock:
        try:
            import respx
        except ImportError:
            raise _missing("respx") from None
        try:
            import responses
        except ImportError:
            raise _missing("responses") from None
        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
        router.route(host__in=tuple(sorted(self.hosts))).mock(side_effect=self._from_httpx)
        if self.pass_through:
            router.route().pass_through()
        else:
            router.route().mock(side_effect=self._refuse)
        router.start()
        self._patches.append(router)
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        hosts = "|".join(re.escape(h) for h in sorted(self.hosts))
        pattern = re.compile(rf"^https?://(?:{hosts})(?::\d+)?(?:[/?#].*)?$", re.IGNORECASE)
        for method in _METHODS:
            mock.add_callback(method, pattern, callback=self._from_requests, content_type=None)
        if self.pass_through:
            mock.add_passthru(re.compile(r".*"))
        mock.start()
        self._patches.append(mock)
        return self

    @staticmethod
    def _refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"emulator_mock refused {request.method} {request.url}: only "
                                 "the emulated hosts are reachable (pass_through=False)",
                                 request=request)

    def stop(self) -> None:
        """Undo the patches and drop this mock's namespace (the app stays for the next)."""
        while self._patches:
            patch = self._patches.pop()
            patch.stop()
            if hasattr(patch, "reset"):
                patch.reset()
        self.client.close()
        for token in {self.token, *self._tenants}:  # the next mock starts from the fixtures
            self.thread.call(self.app.state.registry.discard, token)
        self._tenants.clear()

    def __enter__(self) -> EmulatorMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> EmulatorMock:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.async_client.aclose()
        self.stop()


class _RawBody(io.RawIOBase):
    """A streamed response body as the raw file ``requests`` reads (lazily, so an SSE stream
    read with ``stream=True`` yields its events as they come)."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks: Iterator[bytes] = response.iter_raw()
        self._response = response
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()


class mock_emulator:  # lower case: reads as a function, like moto's mock_aws
    """Context manager (sync or async) and decorator (sync or async functions) that answers
    the emulated hosts in-process for its duration. Arguments are those of
    :class:`EmulatorMock`; the decorator passes nothing to the function."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._active: EmulatorMock | None = None

    def __enter__(self) -> EmulatorMock:
        self._active = EmulatorMock(**self._options).start()
        return self._active

    def __exit__(self, *exc: object) -> None:
        if self._active is not None:
            self._active.stop()
            self._active = None

    async def __aenter__(self) -> EmulatorMock:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        if self._active is not None:
            await self._active.async_client.aclose()
        self.__exit__()

    def __call__(self, func: F) -> F:
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                async with mock_emulator(**self._options):
                    return await func(*args, **kwargs)
            return run_async  # type: ignore[return-value]

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with mock_emulator(**self._options):
                return func(*args, **kwargs)
        return run  # type: ignore[return-value]
