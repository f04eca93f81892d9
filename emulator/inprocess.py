"""An ASGI app served in-process to sync and async callers alike, from an event loop of its own
on a background thread, with streamed responses.

Sync code (``requests``, ``httpx.Client``, an SDK's sync client) cannot await an app that
lives on its caller's loop, and httpx's own ``ASGITransport`` reads a whole body before it
answers, so an SSE stream that ends only when the clock moves would never answer at all. Here
the app runs on one loop thread for the whole process; a request becomes a task there, its
response head comes back as a future and its body as chunks through a pipe that a sync
reader blocks on and an async reader awaits. No socket is opened.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import unquote

import httpx

T = TypeVar("T")
CLIENT_ADDRESS = ("127.0.0.1", 123)


class AppThread:
    """One event loop on a daemon thread. Every app dispatched through it lives on that loop,
    so its timers, tasks and streams see one loop whoever calls."""

    def __init__(self, name: str = "emulator-app") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]

    def run(self, coro: Awaitable[T], timeout: float | None = None) -> T:
        """Run ``coro`` on the app loop and wait for it (from any other thread)."""
        return self.submit(coro).result(timeout)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run plain ``fn(*args)`` on the app loop: state the app owns is touched there only."""
        async def call() -> T:
            return fn(*args)
        return self.run(call())

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self.loop.is_closed()


_SHARED: list[AppThread] = []
_SHARED_LOCK = threading.Lock()


def app_thread() -> AppThread:
    """The process's app thread, started on first use."""
    with _SHARED_LOCK:
        if not _SHARED or not _SHARED[0].alive:
            _SHARED[:] = [AppThread()]
        return _SHARED[0]


class _Pipe:
    """Body chunks from the app thread to one reader, sync or async; ``None`` ends it, an
    exception is raised to the reader."""

    def __init__(self) -> None:
        self._items: deque[bytes | BaseException | None] = deque()
        self._ready = threading.Condition()
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None

    def put(self, item: bytes | BaseException | None) -> None:
        with self._ready:
            self._items.append(item)
            self._ready.notify()
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            loop, future = waiter
            loop.call_soon_threadsafe(_wake, future)

    def get(self, timeout: float | None) -> bytes | BaseException | None:
        with self._ready:
            if not self._ready.wait_for(lambda: self._items, timeout):
                raise httpx.ReadTimeout("no response data from the in-process emulator within "
                                        f"{timeout} s")
            return self._items.popleft()

    async def aget(self, timeout: float | None) -> bytes | BaseException | None:
        while True:
            with self._ready:
                if self._items:
                    return self._items.popleft()
                loop = asyncio.get_running_loop()
                future: asyncio.Future[None] = loop.create_future()
                self._waiter = (loop, future)
            try:
                async with asyncio.timeout(timeout):
                    await future
            except TimeoutError:
                raise httpx.ReadTimeout("no response data from the in-process emulator "
                                        f"within {timeout} s") from None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Exchange:
    """One request served on the app thread. ``head`` resolves to (status, headers) as soon as
    the app starts its response; the body follows through ``body``."""

    def __init__(self, thread: AppThread, app: Any, scope: dict[str, Any], body: bytes) -> None:
        self.head: concurrent.futures.Future[tuple[int, list[tuple[bytes, bytes]]]] = (
            concurrent.futures.Future())
        self.body = _Pipe()
        self._thread = thread
        self._closed = False
        self._gone: asyncio.Event | None = None
        thread.submit(self._serve(app, scope, body))

    async def _serve(self, app: Any, scope: dict[str, Any], body: bytes) -> None:
        self._gone = asyncio.Event()
        if self._closed:
            self._gone.set()
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await self._gone.wait()  # type: ignore[union-attr]
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.head.set_result((message["status"], list(message.get("headers", []))))
            elif message["type"] == "http.response.body" and not self.head.done():
                raise RuntimeError("response body sent before its start")
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if chunk:
                    self.body.put(bytes(chunk))
                if not message.get("more_body", False):
                    self.body.put(None)

        try:
            await app(scope, receive, send)
        except Exception as exc:  # reaches the caller, as a server error would
            if not self.head.done():
                self.head.set_exception(exc)
            self.body.put(exc)
        finally:
            if not self.head.done():  # returned without answering, or cancelled
                self.head.set_exception(RuntimeError("the app returned without a response"))
            self.body.put(None)

    def close(self) -> None:
        """The reader left: the app's next ``receive`` says ``http.disconnect`` (an SSE stream
        stops there)."""
        self._thread.loop.call_soon_threadsafe(self._disconnect)

    def _disconnect(self) -> None:
        self._closed = True
        if self._gone is not None:
            self._gone.set()


def scope_for(request: httpx.Request) -> dict[str, Any]:
    """The ASGI scope of an httpx request, as a server would build it."""
    url = request.url
    port = url.port or (443 if url.scheme == "https" else 80)
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": request.method, "scheme": url.scheme,
        "path": unquote(url.path), "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query, "root_path": "",
        "headers": [(key.lower(), value) for key, value in request.headers.raw],
        "server": (url.host, port), "client": CLIENT_ADDRESS,
    }


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed response body, readable from a sync or an async client."""

    def __init__(self, exchange: Exchange, timeout: float | None) -> None:
        self._exchange = exchange
        self._timeout = timeout

    def __iter__(self) -> Iterator[bytes]:
        while True:
            item = self._exchange.body.get(self._timeout)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            item = await self._exchange.body.aget(self._timeout)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._exchange.close()

    async def aclose(self) -> None:
        self._exchange.close()


def _timeout(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    read: float | None = timeouts.get("read")
    return read


class ThreadedTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport (sync and async) that serves requests from ``app`` on ``thread``."""

    def __init__(self, app: Any, thread: AppThread | None = None) -> None:
        self.app = app
        self.thread = thread or app_thread()

    def _start(self, request: httpx.Request, body: bytes) -> Exchange:
        return Exchange(self.thread, self.app, scope_for(request), body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeout = _timeout(request)
        exchange = self._start(request, request.read())
        try:
            status, headers = exchange.head.result(timeout)
        except concurrent.futures.TimeoutError:
            exchange.close()
            raise httpx.ReadTimeout("the in-process emulator did not answer within "
                                    f"{timeout} s", request=request) from None
        return httpx.Response(status, headers=headers, stream=_Body(exchange, timeout),
                              request=request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = _timeout(request)
        exchange = self._start(request, await request.aread())
        try:
            async with asyncio.timeout(timeout):
                status, headers = await asyncio.wrap_future(exchange.head)
        except TimeoutError:
            exchange.close()
            raise httpx.ReadTimeout("the in-process emulator did not answer within "
                                    f"{timeout} s", request=request) from None
        return httpx.Response(status, headers=headers, stream=_Body(exchange, timeout),
                              request=request)

