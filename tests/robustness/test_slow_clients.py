"""Hostile clients against a real server (``python -m emulator``), over raw sockets: oversized
header blocks are refused while they arrive and leave no memory behind; idle connections,
half-sent headers and trickling bodies are closed after a bounded time.

The timeouts are lowered to fractions of a second for the module (``EMULATOR_*``), so the
waits here are the genuine wall-clock timeouts under test, each well under a second.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.pytest_plugin import EmulatorProcess

TIMEOUT = 0.5  # header, body and keep-alive timeouts of the server under test
SLACK = 1.5  # allowed lateness of a close on a loaded 2-core machine
GET = b"GET /api/v1/tests/get_simple_tests HTTP/1.1\r\nHost: localhost\r\n"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, int]]:
    """(port, pid) of a server with every timeout at ``TIMEOUT``."""
    process = EmulatorProcess(
        args=["--keep-alive-seconds", str(TIMEOUT)],
        env={"EMULATOR_HEADER_TIMEOUT_SECONDS": str(TIMEOUT),
             "EMULATOR_BODY_TIMEOUT_SECONDS": str(TIMEOUT)}).start()
    try:
        assert process.pid is not None
        yield int(process.url.rsplit(":", 1)[1]), process.pid
    finally:
        process.stop()


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(TIMEOUT + SLACK + 2)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (a timeout here fails the test)."""
    out = b""
    while chunk := sock.recv(65536):
        out += chunk
    return out


def exchange(port: int, request: bytes) -> bytes:
    with connect(port) as sock:
        sock.sendall(request)
        return read_all(sock)


def rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    assert match
    return int(match.group(1)) * 1024


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# ------------------------------------------------------------------------------ header caps
def test_a_4_mib_bearer_token_is_refused_and_leaves_no_memory(server: tuple[int, int]) -> None:
    """Before the caps: 200, and each such request grew the server by ~13 MB for good."""
    port, pid = server
    ok = exchange(port, GET + b"Authorization: Bearer warm\r\nConnection: close\r\n\r\n")
    assert status_of(ok) == 200
    before = rss(pid)
    for i in range(3):
        token = str(i).encode() * (4 * 1024 * 1024)
        answer = exchange(port, GET + b"Authorization: Bearer " + token + b"\r\n\r\n")
        assert status_of(answer) == 431
        assert answer.endswith(b'{"detail":"Request Header Fields Too Large"}')
    growth = rss(pid) - before
    assert growth < 8 * 1024 * 1024, f"server grew by {growth} bytes"


@pytest.mark.parametrize(("extra", "target", "status"), [
    (b"".join(b"X-H%d: v\r\n" % i for i in range(101)), b"/", 431),
    (b"X-Big: " + b"v" * (8 * 1024 + 1) + b"\r\n", b"/", 431),
    (b"", b"/" + b"a" * (8 * 1024 + 1), 414),
])
def test_too_many_or_too_large_headers_and_long_urls(server: tuple[int, int], extra: bytes,
                                                     target: bytes, status: int) -> None:
    port, _ = server
    answer = exchange(port, b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n" + extra +
                      b"\r\n")
    assert status_of(answer) == status
    assert b"connection: close" in answer.lower()


def test_a_websocket_handshake_from_another_host_is_refused(server: tuple[int, int]) -> None:
    port, _ = server
    answer = exchange(port, b"GET /v1/workflow-runs/ws HTTP/1.1\r\nHost: evil.example\r\n"
                            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            b"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer t\r\n\r\n")
    assert status_of(answer) == 421
    assert b"Misdirected Request" in answer


# ------------------------------------------------------------------------------ slow clients
def closed_after(port: int, request: bytes, trickle: bytes = b"") -> tuple[float, bytes]:
    """Seconds until the server closes a connection that sent ``request`` (then ``trickle``
    a byte every 0.1 s), and what it answered."""
    with connect(port) as sock:
        started = time.monotonic()
        if request:
            sock.sendall(request)
        if trickle:
            sock.settimeout(0.1)
            answer = b""
            for byte in trickle * 100:
                try:
                    sock.send(bytes([byte]))
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                answer += chunk
                if not chunk:
                    break
            return time.monotonic() - started, answer
        answer = read_all(sock)
        return time.monotonic() - started, answer


@pytest.mark.parametrize(("name", "request_bytes", "trickle", "status"), [
    ("sends nothing", b"", b"", None),
    ("half a header block", GET, b"", 408),
    ("headers a byte at a time", GET, b"X-Slow: yes", 408),
    ("a body that never comes", b"POST /_emulator/reset HTTP/1.1\r\nHost: localhost\r\n"
                                b"Authorization: Bearer t\r\nContent-Length: 100\r\n\r\n{",
     b"", 408),
    ("a body a byte at a time", b"POST /_emulator/reset HTTP/1.1\r\nHost: localhost\r\n"
                                b"Authorization: Bearer t\r\nContent-Length: 1000\r\n\r\n",
     b" ", 408),
])
def test_slow_clients_are_closed_in_bounded_time(server: tuple[int, int], name: str,
                                                 request_bytes: bytes, trickle: bytes,
                                                 status: int | None) -> None:
    port, _ = server
    elapsed, answer = closed_after(port, request_bytes, trickle)
    assert TIMEOUT * 0.8 <= elapsed <= TIMEOUT + SLACK, f"{name}: closed after {elapsed:.2f} s"
    if status is None:
        assert answer == b""
    else:
        assert status_of(answer) == status and answer.endswith(b'{"detail":"Request Timeout"}')


def test_an_idle_keep_alive_connection_is_closed(server: tuple[int, int]) -> None:
    port, _ = server
    with connect(port) as sock:
        sock.sendall(GET + b"Authorization: Bearer t\r\n\r\n")
        first = sock.recv(65536)
        started = time.monotonic()
        assert status_of(first) == 200
        while sock.recv(65536):
            pass
        assert time.monotonic() - started <= TIMEOUT + SLACK


def test_a_steady_upload_outlasting_the_body_timeout_is_not_cut(
        server: tuple[int, int]) -> None:
    """Each 64 KiB received buys another second: 256 KiB over ~1 s (twice the timeout)."""
    port, _ = server
    size = 256 * 1024
    with connect(port) as sock:
        sock.sendall(b"PUT /_emulator/uploads/nobody/none HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size)
        for _ in range(4):
            time.sleep(TIMEOUT / 2)
            sock.sendall(b"\x00" * (size // 4))
        answer = read_all(sock)
    assert status_of(answer) != 408
