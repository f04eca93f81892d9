"""Bad input everywhere: never a 500, the API's own 4xx, and nothing stored from a refused
request.

The write routes (POST/PUT/PATCH) of both APIs and of the control plane are read from the app
itself, so a route added later is swept too. "Nothing stored" is checked against the control
plane's snapshot export (``GET /_emulator/snapshot``: every store of the namespace, its id
stream and its clock) taken before and after. Through the in-process app (``emulator_client``)
with body caps lowered for the module, so oversized bodies stay cheap to send.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import tracemalloc
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import params
from fastapi.routing import APIRoute

from emulator.app import UPLOAD_PATH_MARKERS
from emulator.revyl.yaml_tests import MAX_YAML_CHARS
from emulator.settings import Settings
from emulator.web.lazy import ensure_all
from emulator.web.routing import all_routes

pytestmark = pytest.mark.anyio

BODY_CAP = 256 * 1024  # above 10^5 nested arrays (200 KB) and MAX_YAML_CHARS
UPLOAD_CAP = 384 * 1024
WRITE_METHODS = ("POST", "PUT", "PATCH")
ANDROID = "a1000000-0000-4000-8000-000000000001"
LOGIN = "7e570000-0000-4000-8000-000000000001"
OBJECT_ID = "0123456789abcdef01234567"  # well-formed, unknown Interactly id
SDK_HEADERS = {"teamid": "robust-team", "uuid": "robust-user"}
UNICODE = {"emoji": "🚀 launch 👩🏽‍🚀", "rtl": "اختبار تسجيل الدخول",
           "zero-width": "lo\u200bgin\u200d", "combining": "Ångström e\u0301", "cjk": "登录测试"}


@pytest.fixture
def emulator_settings() -> Settings:
    """Smaller body caps than the defaults (1 MiB / 512 MiB), so that sending one byte more
    than the cap to every route stays cheap."""
    return Settings(clock="manual", seed=0, max_body_bytes=BODY_CAP, max_upload_bytes=UPLOAD_CAP)


@pytest.fixture
def client(emulator_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """With the Interactly SDK's team/user headers, which some Interactly routes require."""
    emulator_client.headers.update(SDK_HEADERS)
    return emulator_client


# ----------------------------------------------------------------------------- the routes
@dataclass(frozen=True)
class WriteRoute:
    """A write route as found in the app; path parameters are filled with fixture ids where
    the name says which (so handlers get past their lookups), else a well-formed unknown id."""

    method: str
    template: str
    body: str  # "json" (required), "form" (multipart), "optional" or "none"

    def url(self, namespace_key: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1).split(":")[0]
            known = {"app_id": ANDROID, "test_id": LOGIN, "turn_index": "0", "number": "1",
                     "key": namespace_key}
            if name in known:
                return known[name]
            return OBJECT_ID if self.template.startswith("/v1/") else "missing-id"
        return re.sub(r"\{([^}]+)\}", one, self.template)

    @property
    def cap(self) -> int:
        return UPLOAD_CAP if any(m in self.template for m in UPLOAD_PATH_MARKERS) else BODY_CAP


def http_routes(app: Any) -> list[Any]:
    """Every HTTP route of the app, Interactly's (built on first use) included."""
    ensure_all(app)
    return [r for r in all_routes(app) if getattr(r, "methods", None)]


def endpoint_route(route: Any) -> APIRoute | None:
    """The FastAPI route that handles ``route`` (alias routes hand over to their target)."""
    target = getattr(route, "target", route)
    return target if isinstance(target, APIRoute) else None


def write_routes(app: Any) -> list[WriteRoute]:
    found = []
    for route in http_routes(app):
        api = endpoint_route(route)
        if api is None:
            continue
        field = api.body_field
        if field is None:
            body = "none"
        elif isinstance(field.field_info, params.Form):
            body = "form"
        else:
            body = "json" if field.field_info.is_required() else "optional"
        found.extend(WriteRoute(m, route.path, body) for m in sorted(route.methods)
                     if m in WRITE_METHODS)
    return found


def streams(route: Any) -> bool:
    """SSE routes never finish; the in-process transport would wait for them forever."""
    api = endpoint_route(route)
    annotation = inspect.signature(api.endpoint).return_annotation if api else None
    return "EventSourceResponse" in str(annotation)


# ----------------------------------------------------------------------------- helpers
async def snapshot(client: httpx.AsyncClient) -> dict[str, Any]:
    """The namespace's export, less Interactly services that hold nothing: a service is made
    on its first lookup (a 404 for an unknown simulation run makes the empty simulations
    service), which is not data a client stored."""
    response = await client.get("/_emulator/snapshot")
    assert response.status_code == 200, response.text
    document = response.json()
    services = document.get("interactly", {}).get("services", {})
    for name in [n for n, data in services.items() if not holds_anything(data)]:
        del services[name]
    return document


def holds_anything(value: Any) -> bool:
    if isinstance(value, dict):
        return any(holds_anything(v) for v in value.values())
    if isinstance(value, list):
        return bool(value)
    return value not in (None, 0, "", False)


async def namespace_key(client: httpx.AsyncClient) -> str:
    return (await client.get("/_emulator/state")).json()["namespace"]


def error_shape(response: httpx.Response) -> None:
    """Revyl and FastAPI validation: ``{"detail": ...}``; Interactly's own 400s:
    ``{"message", "error"}``."""
    body = response.json()
    assert isinstance(body, dict), response.text
    assert "detail" in body or {"message", "error"} <= body.keys(), response.text


async def refused_leaves_state(client: httpx.AsyncClient,
                               send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    """Send one request; if it was refused, the namespace must look as it did before."""
    before = await snapshot(client)
    response = await send()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error_shape(response)
        assert await snapshot(client) == before, response.text
    return response


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


# ----------------------------------------------------------------------------- bodies
JSON = "application/json"
# name -> (bytes, content type, FastAPI error type for required JSON bodies or None)
MALFORMED: dict[str, tuple[bytes, str, str | None]] = {
    "text/plain": (b"name=hello", "text/plain", None),
    "form": (b"name=hello&platform=android", "application/x-www-form-urlencoded", None),
    "xml": (b"<?xml version='1.0'?><test><name>x</name></test>", "application/xml", None),
    "xml labelled json": (b"<test><name>x</name></test>", JSON, "json_invalid"),
    "truncated": (b'{"name": "x", "tasks": [{"type": "instr', JSON, "json_invalid"),
    "trailing garbage": (b'{"name": "x"} {"name": "y"}', JSON, "json_invalid"),
    "NaN": (b'{"name": NaN, "seconds": NaN, "value": [Infinity, -Infinity]}', JSON,
            "json_invalid"),
    "10^5 nested arrays": (nested(100_000), JSON, "json_invalid"),
    "200 nested objects": (b'{"a":' * 200 + b"1" + b"}" * 200, JSON, "json_invalid"),
    "lone surrogate escape": (b'{"name": "x\\ud800", "id": "\\udfff"}', JSON, "json_invalid"),
    "raw surrogate bytes": (b'{"name": "x\xed\xa0\x80"}', JSON, "json_invalid"),
    "not utf-8": (b'{"name": "\xff\xfe"}', JSON, "json_invalid"),
    "5000-digit number": (b'{"seconds": 1' + b"0" * 5000 + b"}", JSON, "json_invalid"),
    "empty": (b"", JSON, None),
    "binary": (b"\xff\xfe\x00\x01garbage", "application/octet-stream", None),
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_every_write_route_refuses_a_malformed_body_and_stores_nothing(
        emulator_app: Any, client: httpx.AsyncClient, case: str) -> None:
    raw, content_type, error_type = MALFORMED[case]
    routes = write_routes(emulator_app)
    assert sum(r.body == "json" for r in routes) > 60  # the sweep did find the app's routes
    key = await namespace_key(client)
    headers = {"content-type": content_type}
    before = await snapshot(client)
    for route in [r for r in routes if r.body in ("json", "form")]:
        response = await client.request(route.method, route.url(key), content=raw,
                                         headers=headers)
        assert response.status_code == 422, (route, response.text)
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail, response.text
        if error_type is not None and route.body == "json":
            assert detail[0]["type"] == error_type, (route, detail)
    assert await snapshot(client) == before
    for route in [r for r in routes if r.body in ("optional", "none")]:
        await refused_leaves_state(client, lambda r=route: client.request(
            r.method, r.url(key), content=raw, headers=headers))
    journal = await client.get("/_emulator/journal", params={"limit": 1000})
    assert journal.status_code == 200, journal.text  # the refused bodies are journaled


async def test_oversized_bodies_are_413_declared_or_streamed_on_every_write_route(
        emulator_app: Any, client: httpx.AsyncClient) -> None:
    key = await namespace_key(client)

    def chunked(head: bytes, total: int) -> AsyncIterator[bytes]:
        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: it just grows
            yield head
            sent = len(head)
            while sent < total:
                yield b" " * 16384
                sent += 16384
        return chunks()

    for route in write_routes(emulator_app):
        if route.body == "form":  # a well-formed multipart start: the file part goes on
            ctype = {"content-type": "multipart/form-data; boundary=x"}
            head = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.apk"'
                    b"\r\nContent-Type: application/octet-stream\r\n\r\n")
        else:
            ctype, head = {"content-type": JSON}, b'{"padding": "'
        declared = await refused_leaves_state(client, lambda r=route, h=ctype: client.request(
            r.method, r.url(key), content=b" " * (r.cap + 1), headers=h))
        assert declared.status_code == 413, (route, declared.text)
        assert "too large" in declared.json()["detail"]
        streamed = await refused_leaves_state(client, lambda r=route, h=ctype, b=head: (
            client.request(r.method, r.url(key), content=chunked(b, r.cap + 16384),
                           headers=h)))
        if route.body != "none":  # a route that never reads its body answers as usual
            assert streamed.status_code == 413, (route, streamed.text)


# ----------------------------------------------------------------------------- YAML
YAML_ROUTES = ["/api/v1/tests/yaml/validate-yaml", "/api/v1/yaml/from-yaml",
               "/api/v1/tests/yaml/conversion/yaml-to-blocks"]


def billion_laughs(levels: int = 9) -> str:
    doc = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels):
        prev, cur = chr(96 + i), chr(97 + i)
        doc += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    return doc


YAML_BOMBS = {
    "billion laughs": billion_laughs(),
    "self-referencing anchor": "test: &t\n  blocks: [*t]\n",
    "deep flow nesting": "test: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep block nesting": "test:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200)),
    # Each field path repeats its parent's key: one 50,000-character key used by 400 items
    # made 42 MB of paths out of 55 KB of YAML (2,000 items: 200 MB; it grows as keys x items).
    "long keys x many nodes": "a: &k " + "k" * 50_000 + "\ntest:\n" + "  - {*k: 1}\n" * 400,
}
MEMORY_BOMB = "long keys x many nodes"


@pytest.mark.parametrize("bomb", list(YAML_BOMBS))
@pytest.mark.parametrize("path", YAML_ROUTES)
async def test_yaml_bombs_are_refused_cheaply_and_create_nothing(
        client: httpx.AsyncClient, path: str, bomb: str) -> None:
    """The documented answers (spec §10: validate-yaml is 200 even for invalid content;
    from-yaml and conversions say ``success: false``) with ``YAML_TOO_COMPLEX``, in bounded
    memory, and no test created."""
    before = await snapshot(client)
    measure = bomb == MEMORY_BOMB and path == YAML_ROUTES[0]  # tracemalloc is slow: once
    if measure:
        tracemalloc.start()
    try:
        response = await client.post(path, json={"yaml_content": YAML_BOMBS[bomb]})
        peak = tracemalloc.get_traced_memory()[1] if measure else 0
    finally:
        if measure:
            tracemalloc.stop()
    assert response.status_code == 200, response.text
    body = response.json()
    text = json.dumps(body)
    assert "YAML_TOO_COMPLEX" in text or "nests or expands too deeply" in text, text[:500]
    assert body.get("is_valid", body.get("success")) is False
    assert peak < 24 * 1024 * 1024, f"{bomb}: peak {peak} bytes (~10 MB when bounded)"
    assert await snapshot(client) == before


@pytest.mark.parametrize("path", YAML_ROUTES)
async def test_yaml_larger_than_the_cap_is_413_before_parsing(client: httpx.AsyncClient,
                                                              path: str) -> None:
    block = "    - type: instructions\n      step_description: Tap the login button\n"
    huge = ("test:\n  metadata:\n    name: huge\n  build:\n    name: acme-shop-android\n"
            "  blocks:\n" + block * (MAX_YAML_CHARS // len(block) + 1))
    response = await refused_leaves_state(client, lambda: client.post(
        path, json={"yaml_content": huge}))
    assert response.status_code == 413
    assert "yaml_content is too large" in response.json()["detail"]


async def test_yaml_is_loaded_safely(client: httpx.AsyncClient) -> None:
    """Tags that would build Python objects are refused as syntax, never executed."""
    evil = "test: !!python/object/apply:os.system ['echo pwned']\n"
    response = await client.post("/api/v1/tests/yaml/validate-yaml",
                                 json={"yaml_content": evil})
    assert response.status_code == 200
    assert response.json()["messages"][0]["code"] == "YAML_SYNTAX_ERROR"


# ----------------------------------------------------------------------------- upload names
BAD_NAMES = {"traversal": "../../etc/passwd", "absolute": "/etc/passwd",
             "backslashes": "..\\..\\Windows\\System32\\app.apk", "drive": "C:\\tmp\\app.apk",
             "directory": "builds/app.apk", "dot-dot": "..", "NUL": "app.apk\x00.txt",
             "newline": "app\r\nX-Injected: 1.apk", "very long": "a" * 300 + ".apk"}


async def builds_of(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/apps/{ANDROID}/builds", params={"page_size": 100})
    return response.json()["items"]


def raw_multipart(file_name: str) -> bytes:
    """The name's bytes as they are (httpx would percent-encode NUL and CR/LF)."""
    return (b'--x\r\nContent-Disposition: form-data; name="file"; filename="'
            + file_name.encode() + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            b"not really an apk\r\n--x--\r\n")


def plain(file_name: str) -> bool:
    return not (set(file_name) & {"/", "\\"} or file_name in (".", "..")
                or any(ord(c) < 32 for c in file_name))


@pytest.mark.parametrize("name", list(BAD_NAMES))
async def test_upload_names_that_are_not_one_plain_file_name_are_400(
        client: httpx.AsyncClient, name: str) -> None:
    """Named in JSON or in the query: 400 and nothing stored. In a multipart upload the
    parser may already have cut a Windows path to its last part (python-multipart does, for
    old browsers); whatever reaches the service is then a plain name or a 400."""
    file_name = BAD_NAMES[name]
    for send in [lambda: client.post(f"/api/v1/apps/{ANDROID}/builds/upload-session",
                                     json={"version": "6.6.6", "file_name": file_name}),
                 lambda: client.post(f"/api/v1/builds/vars/{ANDROID}/versions/upload-url",
                                     params={"version": "6.6.6", "file_name": file_name},
                                     json={})]:
        response = await refused_leaves_state(client, send)
        assert response.status_code == 400, response.text
        assert "Invalid file_name" in response.json()["detail"]
    assert "6.6.6" not in [b["version"] for b in await builds_of(client)]
    uploaded = await refused_leaves_state(client, lambda: client.post(
        f"/api/v1/apps/{ANDROID}/builds/stream-upload", params={"version": "6.6.6"},
        content=raw_multipart(file_name),
        headers={"content-type": "multipart/form-data; boundary=x"}))
    if uploaded.status_code == 200:
        assert plain(uploaded.json()["metadata"]["file_name"]), uploaded.text
    else:
        assert uploaded.status_code == 400, uploaded.text


async def test_unicode_upload_names_are_kept_and_served_back(client: httpx.AsyncClient) -> None:
    name = "приложение-🚀-v2.apk"
    uploaded = await client.post(f"/api/v1/apps/{ANDROID}/builds/stream-upload",
                                 params={"version": "7.0.0-🚀"},
                                 files={"file": (name, b"bytes", "application/octet-stream")})
    assert uploaded.status_code == 200, uploaded.text
    build = uploaded.json()
    assert build["version"] == "7.0.0-🚀"
    got = await client.get(f"/api/v1/apps/builds/{build['id']}",
                           params={"include_download_url": "true"})
    download = await client.get(httpx.URL(got.json()["download_url"]).raw_path.decode())
    assert download.status_code == 200 and download.content == b"bytes"
    disposition = download.headers["content-disposition"]
    assert "filename*=UTF-8''" + quote(name, safe="") in disposition


@pytest.mark.parametrize("file_name, member", [("bomb.apk", "AndroidManifest.xml"),
                                               ("Bomb.zip", "Bomb.app/Info.plist")])
async def test_a_zip_bomb_upload_is_read_no_further_than_a_cap(
        client: httpx.AsyncClient, file_name: str, member: str) -> None:
    """64 MB of zeros deflated to ~64 KB, named as the file the package id is read from: the
    build is stored with the fallback id and a warning, and reading it stays small."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open(member, "w") as inside:
        for _ in range(64):
            inside.write(bytes(1024 * 1024))
    tracemalloc.start()
    try:
        response = await client.post(f"/api/v1/apps/{ANDROID}/builds/stream-upload",
                                     params={"version": "8.8.8"},
                                     files={"file": (file_name, buffer.getvalue())})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200, response.text
    warnings = response.json()["metadata"]["artifact_validation"]["warnings"]
    assert warnings == ["Could not read the artifact: ValueError"]
    assert peak < 24 * 1024 * 1024, f"peak {peak} bytes"


# ----------------------------------------------------------------------------- unicode
@pytest.mark.parametrize("kind", list(UNICODE))
async def test_unicode_names_round_trip_in_both_apis(client: httpx.AsyncClient,
                                                     kind: str) -> None:
    name = UNICODE[kind]
    app = await client.post("/api/v1/apps", json={"name": name, "platform": "android"})
    assert app.status_code == 200, app.text
    assert (await client.get(f"/api/v1/apps/{app.json()['id']}")).json()["name"] == name
    test = await client.post("/api/v1/tests/create", json={
        "name": name, "platform": "android",
        "tasks": [{"type": "instructions", "step_description": name}]})
    assert test.status_code == 200, test.text
    found = await client.get(f"/api/v1/tests/get_test_by_id/{test.json()['id']}")
    assert found.json()["name"] == name
    workflow = await client.post("/v1/workflows", json={"name": name})
    assert workflow.status_code == 200, workflow.text
    wid = workflow.json()["workflow"]["_id"]
    got = (await client.get(f"/v1/workflows/{wid}")).json()["workflow"]
    assert got["workflow_config"]["name"] == name
    assert (await client.get("/_emulator/snapshot")).status_code == 200
    assert (await client.get("/_emulator/ui/state")).status_code == 200


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "x\\udbff", "\\ude00\\ud83d"])
async def test_lone_surrogates_in_names_are_422_and_store_nothing(client: httpx.AsyncClient,
                                                                  escape: str) -> None:
    for path, template in [("/api/v1/apps", '{"name": "%s", "platform": "android"}'),
                           ("/v1/workflows", '{"name": "%s"}'),
                           ("/api/v1/tests/create", '{"name": "%s", "platform": "android", '
                            '"tasks": [{"type": "instructions", "step_description": "x"}]}')]:
        response = await refused_leaves_state(client, lambda p=path, t=template: client.post(
            p, content=(t % escape).encode(), headers={"content-type": JSON}))
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "json_invalid"


# (path parameter value, query parameter value) pairs
ODD_VALUES = [(UNICODE["emoji"], "nan"), (UNICODE["rtl"] + UNICODE["zero-width"], "1e400"),
              ("../../etc/passwd", UNICODE["combining"]), ("%00" + "a" * 2000, "9" * 40),
              (UNICODE["cjk"], "-inf")]


async def test_odd_ids_and_query_values_on_every_route_never_500(
        emulator_app: Any, client: httpx.AsyncClient) -> None:
    """Every route (any method) with its path parameters and every declared query parameter
    set to unicode, numbers that are not, traversal and very long values: never a 500, the
    API's error shape, and a route whose answers were all refusals stored nothing."""
    checked = 0
    state = await snapshot(client)
    for route in http_routes(emulator_app):
        api = endpoint_route(route)
        if api is None or streams(route):
            continue
        queries = [q.alias for q in api.dependant.query_params]
        if "{" not in route.path and not queries:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            accepted = False
            for in_path, in_query in ODD_VALUES:
                url = re.sub(r"\{[^}]+\}", quote(in_path, safe=""), route.path)
                response = await client.request(
                    method, url, params={q: in_query for q in queries},
                    json={} if method in WRITE_METHODS else None)
                assert response.status_code < 500, (method, route.path, response.text)
                if response.status_code >= 400:
                    error_shape(response)
                accepted = accepted or response.status_code < 400
                checked += 1
            if method != "GET":
                after = await snapshot(client)
                assert accepted or after == state, (method, route.path)
                state = after
    assert checked > 800


# ----------------------------------------------------------------------------- WebSocket
@pytest.mark.parametrize("frame", ['{"workflow_id": NaN}', '{"workflow_id": "\\ud800"}',
                                   "[" * 5000 + "]" * 5000, '{"a":' * 200 + "1" + "}" * 200,
                                   "not json", "[1, 2]"])
async def test_bad_websocket_frames_close_1007(emulator_app: Any, client: httpx.AsyncClient,
                                               frame: str) -> None:
    ensure_all(emulator_app)
    before = await snapshot(client)
    incoming = [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": frame}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws",
             "path": "/v1/workflow-runs/ws", "raw_path": b"/v1/workflow-runs/ws",
             "query_string": b"", "root_path": "", "subprotocols": [],
             "headers": [(b"host", b"emulator.test"),
                         (b"authorization", client.headers["authorization"].encode())]}
    await emulator_app(scope, receive, send)
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.close"]
    assert sent[-1]["code"] == 1007
    assert await snapshot(client) == before
