"""The one rule for every outgoing request the emulator makes (Revyl's from-url downloads,
Interactly's webhook deliveries): it never reaches the internet, only loopback and the hosts a
user allow-listed (``EMULATOR_FROM_URL_ALLOW_HOSTS``)."""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def host_of(url: str) -> str | None:
    """The lower-cased host of an http(s) URL, None for anything else (another scheme, no
    host, or a URL ``urlsplit`` cannot read, such as an unclosed IPv6 bracket)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return host.lower()


def allowed_url(url: str, allow_hosts: list[str]) -> bool:
    host = host_of(url)
    return host is not None and (host in LOOPBACK or host in allow_hosts)
