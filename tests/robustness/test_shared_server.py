"""A shared server's defences, in-process: the Host check (DNS rebinding), header and URL
caps, the offline documentation pages, and the bounds of ``from-url`` downloads.

Each refusal is checked for its status and body and for what it must not leave behind: no
namespace (a bearer token names one, kept for the life of the server), no journal entry, no
build. The slow-client timeouts and the caps as the server enforces them while bytes arrive
are in test_slow_clients.py (a real server, raw sockets).
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import tracemalloc
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from emulator.app import create_app
from emulator.pytest_plugin import IN_PROCESS_URL
from emulator.settings import Settings

from ..loopback import serve

pytestmark = pytest.mark.anyio

ANDROID = "a1000000-0000-4000-8000-000000000001"
TOKEN = "shared-server"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def emulator_settings() -> Settings:
    """Small from-url bounds, so hitting them is cheap."""
    return Settings(clock="manual", seed=0, from_url_timeout_seconds=0.5,
                    max_upload_bytes=64 * 1024)


def registry_size(app: Any) -> int:
    return len(app.state.registry)


# ------------------------------------------------------------------------------ Host check
@pytest.mark.parametrize("host", [
    "localhost", "localhost:8000", "127.0.0.1:9", "[::1]:8000", "emulator.test",
    "e.test", "app.localhost", "testserver", "emulator:8000", "10.1.2.3", "LOCALHOST."])
async def test_hosts_that_cannot_be_rebound_are_served(emulator_client: httpx.AsyncClient,
                                                       host: str) -> None:
    response = await emulator_client.get("/_emulator/ui/state", headers={"host": host})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io",
    "evil.example.", "emulator.test.evil.example", "[::1", "localhost:http"])
async def test_other_hosts_are_refused_and_nothing_is_kept(
        emulator_app: Any, emulator_client: httpx.AsyncClient, host: str) -> None:
    for method, path in (("GET", "/_emulator/ui/state"), ("POST", "/_emulator/reset")):
        response = await emulator_client.request(method, path, headers={"host": host})
        assert response.status_code == 421, (host, response.text)
        detail = response.json()["detail"]
        assert detail.startswith("Misdirected Request: host ") and "not served here" in detail
        assert "access-control-allow-origin" not in response.headers
    assert registry_size(emulator_app) == 0
    assert not emulator_app.state.anonymous_journal if hasattr(
        emulator_app.state, "anonymous_journal") else True


async def test_a_rebound_request_cannot_reset_a_namespace(
        emulator_client: httpx.AsyncClient) -> None:
    moved = await emulator_client.post("/_emulator/clock/advance", json={"seconds": 60})
    assert moved.status_code == 200
    before = (await emulator_client.get("/_emulator/clock")).json()
    refused = await emulator_client.post("/_emulator/reset", headers={"host": "evil.example"})
    assert refused.status_code == 421
    assert (await emulator_client.get("/_emulator/clock")).json() == before


@pytest.mark.parametrize(("allowed", "host", "served"), [
    ("ci.example.com", "ci.example.com:8000", True),
    ("ci.example.com", "other.example.com", False),
    ("ci.example.com, .corp.example", "build.corp.example", True),
    (".corp.example", "corp.example", True),
    (".corp.example", "evilcorp.example", False),
    ("*", "evil.example", True),
])
async def test_allowed_hosts_setting(allowed: str, host: str, served: bool) -> None:
    app = create_app(Settings(clock="manual", allowed_hosts=allowed))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url=IN_PROCESS_URL, headers=AUTH) as client:
        response = await client.get("/_emulator/ui/state", headers={"host": host})
    assert response.status_code == (200 if served else 421)


def ws_scope(host: bytes, denial: bool) -> dict[str, Any]:
    return {"type": "websocket", "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "scheme": "ws", "path": "/v1/workflow-runs/ws",
            "raw_path": b"/v1/workflow-runs/ws", "query_string": b"", "root_path": "",
            "headers": [(b"host", host), *[(k.lower().encode(), v.encode())
                                           for k, v in AUTH.items()]],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "subprotocols": [],
            "extensions": {"websocket.http.response": {}} if denial else {}}


@pytest.mark.parametrize("denial", [True, False])
async def test_websocket_handshakes_are_checked_too(emulator_app: Any, denial: bool) -> None:
    sent: list[dict[str, Any]] = []
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop()
        await asyncio.sleep(3600)  # never: the check must not wait for more
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(emulator_app(ws_scope(b"evil.example", denial), receive, send), 5)
    if denial:
        assert sent[0]["type"] == "websocket.http.response.start" and sent[0]["status"] == 421
        assert b"Misdirected Request" in sent[1]["body"]
    else:
        assert sent == [{"type": "websocket.close", "code": 1008, "reason": sent[0]["reason"]}]
    assert not any(m["type"] == "websocket.accept" for m in sent)
    assert registry_size(emulator_app) == 0


# ------------------------------------------------------------------------------ header caps
@pytest.mark.parametrize(("headers", "path", "status", "detail"), [
    ({"x-big": "v" * (8 * 1024 + 1)}, "/_emulator/ui/state", 431,
     "Request Header Fields Too Large"),
    ({f"x-h{i}": "v" * 8000 for i in range(5)}, "/_emulator/ui/state", 431,
     "Request Header Fields Too Large"),
    ({f"x-h{i}": "v" for i in range(100)}, "/_emulator/ui/state", 431,
     "Request Header Fields Too Large"),
    ({}, "/_emulator/ui/state?q=" + "a" * 8 * 1024, 414, "URI Too Long"),
    ({}, "/" + "a" * 8 * 1024, 414, "URI Too Long"),
])
async def test_oversized_requests_are_refused_before_anything_reads_them(
        emulator_app: Any, emulator_client: httpx.AsyncClient, headers: dict[str, str],
        path: str, status: int, detail: str) -> None:
    response = await emulator_client.get(path, headers=headers)
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert response.headers["connection"] == "close"
    assert registry_size(emulator_app) == 0


async def test_just_under_the_caps_is_served(emulator_client: httpx.AsyncClient) -> None:
    headers = {f"x-h{i}": "v" * 6000 for i in range(4)}
    response = await emulator_client.get("/_emulator/ui/state?q=" + "a" * 7000,
                                         headers=headers)
    assert response.status_code == 200


async def test_a_huge_bearer_token_keeps_nothing(emulator_app: Any,
                                                 emulator_client: httpx.AsyncClient) -> None:
    """Before the cap, each 4 MiB token named a namespace of its own, kept for good."""
    for warm in range(2):
        await emulator_client.get("/api/v1/tests/get_simple_tests",
                                  headers={"Authorization": f"Bearer warm{warm}"})
    emulator_app.state.registry.reset()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for i in range(3):
            token = str(i) * (4 * 1024 * 1024)
            response = await emulator_client.get("/api/v1/tests/get_simple_tests",
                                                 headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 431
            del token, response  # the response holds its request, token and all
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert growth < 1024 * 1024, f"{growth} bytes kept after three 4 MiB tokens"
    assert registry_size(emulator_app) == 0


# ------------------------------------------------------------------------------ /docs offline
class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/revyl", "/docs/interactly",
                                  "/docs/control"])
async def test_documentation_pages_load_nothing_from_elsewhere(
        emulator_client: httpx.AsyncClient, page: str) -> None:
    response = await emulator_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = Links()
    parser.feed(response.text)
    assert parser.urls, "the page references no asset"
    assert "fonts.googleapis" not in response.text and "cdn" not in response.text.lower()
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url}"
        asset = await emulator_client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rfind("."):]
        assert asset.headers["content-type"].startswith(CONTENT_TYPES[suffix]), url
        assert len(asset.content) > 1000
    scripts = [url for url in parser.urls if url.endswith(".js")]
    assert scripts, f"{page} has no script"


async def test_an_unknown_asset_is_a_404(emulator_client: httpx.AsyncClient) -> None:
    response = await emulator_client.get("/docs/assets/..%2Fcore.py")
    assert response.status_code == 404


# ------------------------------------------------------------------------------ from-url bounds
class Artifacts(BaseHTTPRequestHandler):
    """``/endless``: a body that never ends, a little at a time; ``/declared-huge``: a
    Content-Length over the cap; ``/stream-huge``: no length, more than the cap. Records when
    each endless stream stopped being read."""

    stopped: list[float] = []
    started = threading.Event()

    def do_GET(self) -> None:
        if self.path == "/declared-huge.apk":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 1024 * 1024))
            self.end_headers()
            self.wfile.write(b"x" * 1024)
            return
        self.send_response(200)
        self.end_headers()  # no length: read until the connection closes
        chunk = b"x" * (4096 if self.path == "/stream-huge.apk" else 256)
        Artifacts.started.set()
        try:
            for _ in range(100_000):
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(0.002 if self.path == "/stream-huge.apk" else 0.02)
        except OSError:
            Artifacts.stopped.append(time.monotonic())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def artifacts() -> Iterator[str]:
    Artifacts.stopped.clear()
    Artifacts.started.clear()
    with serve(Artifacts) as url:
        yield url


async def from_url(client: httpx.AsyncClient, url: str) -> httpx.Response:
    return await client.post(f"/api/v1/apps/{ANDROID}/builds/from-url",
                             json={"from_url": url, "version": "7.7.7"})


async def versions(client: httpx.AsyncClient) -> list[str]:
    response = await client.get(f"/api/v1/apps/{ANDROID}/builds")
    return [item["version"] for item in response.json()["items"]]


@pytest.mark.parametrize(("path", "status", "limit"), [
    ("/endless.apk", 408, "EMULATOR_FROM_URL_TIMEOUT_SECONDS"),
    ("/declared-huge.apk", 413, "EMULATOR_MAX_UPLOAD_BYTES"),
    ("/stream-huge.apk", 413, "EMULATOR_MAX_UPLOAD_BYTES"),
])
async def test_from_url_downloads_are_bounded(emulator_client: httpx.AsyncClient,
                                              artifacts: str, path: str, status: int,
                                              limit: str) -> None:
    started = time.monotonic()
    response = await from_url(emulator_client, artifacts + path)
    assert response.status_code == status, response.text
    assert limit in response.json()["detail"]
    assert time.monotonic() - started < 5
    assert "7.7.7" not in await versions(emulator_client)


async def test_from_url_stops_downloading_when_its_client_leaves(emulator_app: Any,
                                                                 artifacts: str) -> None:
    """At the ASGI level: the client disconnects once the endless download has started."""
    app = create_app(Settings(clock="manual", from_url_timeout_seconds=30))
    body = (b'{"from_url": "' + artifacts.encode() + b'/endless.apk", "version": "7.7.7"}')
    path = f"/api/v1/apps/{ANDROID}/builds/from-url"
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
             "http_version": "1.1", "method": "POST", "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"emulator.test"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()),
                         (b"authorization", f"Bearer {TOKEN}".encode())],
             "client": ("127.0.0.1", 50000), "server": ("emulator.test", 80)}
    sent: list[dict[str, Any]] = []
    messages = iter([{"type": "http.request", "body": body, "more_body": False}])

    async def receive() -> dict[str, Any]:
        message = next(messages, None)
        if message is not None:
            return message
        await asyncio.to_thread(Artifacts.started.wait, 10)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 10)
    left = time.monotonic()
    for _ in range(200):  # the stream's writer notices within a write or two (20 ms each)
        if Artifacts.stopped:
            break
        await asyncio.sleep(0.01)
    assert Artifacts.stopped, "the download went on after its client left"
    assert Artifacts.stopped[0] - left < 2
    assert sent[0]["status"] == 499
    ns = app.state.registry.get(TOKEN)
    from emulator.revyl.state import revyl

    assert revyl(ns).builds.existing(ANDROID, "7.7.7") is None
    await app.state.registry.aclose()
