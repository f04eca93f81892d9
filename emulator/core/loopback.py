"""The one rule for every outgoing request the emulator makes (Revyl's from-url downloads,
Interactly's webhook deliveries): it never reaches the internet, only loopback and the hosts a
user allow-listed (``EMULATOR_FROM_URL_ALLOW_HOSTS``)."""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_url(url: str, allow_hosts: list[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    return host in LOOPBACK or host in allow_hosts
