"""The Host check: the emulator answers only requests that name it by a name nobody else can
point at it, so a web page cannot reach it by DNS rebinding.

The attack: a page on ``evil.example`` re-resolves its own name to 127.0.0.1 and, being
same-origin with itself, reads the emulator's answers (the dashboard's state, a namespace's
journal) or resets it. The browser still sends ``Host: evil.example``; refusing names like it
is the defence, and the emulator sends no CORS headers for anything else to rely on.

Served without configuration, because no attacker controls what they resolve to:

- IP addresses (an address cannot be re-resolved) and ``localhost``;
- one-label names (``emulator``, ``testserver``): resolved by the hosts file, the local search
  domain or Docker's DNS (service-container names), never by a public zone;
- ``*.test`` and ``*.localhost`` (RFC 6761: never delegated in public DNS). ``emulator.test``
  is the in-process fixtures' host and the host real-host interception rewrites to.

Anything else needs ``EMULATOR_ALLOWED_HOSTS`` (``*`` turns the check off). A request with
no Host header at all (HTTP/1.0 tools) is served: browsers always send one.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.web.limits import refuse

RESERVED_SUFFIXES = (".test", ".localhost")
CACHE_SIZE = 256  # distinct Host values remembered; a hostile client can send many


def parse_allowed(text: str | None) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """``EMULATOR_ALLOWED_HOSTS`` as (exact names, ``.suffix`` domains, serve any)."""
    names: set[str] = set()
    suffixes: list[str] = []
    for raw in (text or "").split(","):
        entry = raw.strip().lower().rstrip(".")
        if not entry:
            continue
        if entry == "*":
            return frozenset(), (), True
        if entry.startswith("*."):
            entry = entry[1:]
        if entry.startswith("."):
            suffixes.append(entry)
            names.add(entry[1:])
        else:
            names.add(_hostname(entry) or entry)
    return frozenset(names), tuple(suffixes), False


def _hostname(host: str) -> str | None:
    """The name part of a Host value, lower-cased, without port, brackets or trailing dot;
    None when it is not a host at all."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        rest = host[end + 1:]
        if end < 0 or (rest and not (rest[:1] == ":" and rest[1:].isdigit())):
            return None
        return host[1:end]
    name, _, port = host.partition(":")
    if port and not port.isdigit():
        return None
    return name.rstrip(".")


def served_without_configuration(name: str) -> bool:
    if "." not in name and name and ":" not in name:
        return True  # one label: localhost, docker service names
    if name.endswith(RESERVED_SUFFIXES):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostCheck:
    """Pure ASGI middleware: 421 ``{"detail": "Misdirected Request: ..."}`` for a Host this
    server does not answer to, HTTP and WebSocket alike, before anything reads the request."""

    def __init__(self, app: ASGIApp, allowed: str | None = None) -> None:
        self.app = app
        self.names, self.suffixes, self.any = parse_allowed(allowed)
        self.decided: dict[bytes, bool] = {}

    def allows(self, host: bytes) -> bool:
        decided = self.decided.get(host)
        if decided is None:
            name = _hostname(host.decode("latin-1"))
            decided = name is not None and (
                served_without_configuration(name) or name in self.names
                or name.endswith(self.suffixes))
            if len(self.decided) >= CACHE_SIZE:
                self.decided.clear()
            self.decided[host] = decided
        return decided

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"host":
                if not self.allows(value):
                    shown = value.decode("latin-1")[:100]
                    await refuse(scope, receive, send, 421,
                                 f"Misdirected Request: host {shown!r} is not served here "
                                 "(add it to EMULATOR_ALLOWED_HOSTS to serve it)")
                    return
                break
        await self.app(scope, receive, send)
