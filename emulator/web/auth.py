"""Bearer credentials -> namespace. The credential is never checked against a list: any
non-blank token is valid and simply names the tenant, as an offline emulator should allow."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from emulator.core.errors import Unauthorized
from emulator.core.namespaces import Namespace, NamespaceRegistry


def bearer_token(conn: HTTPConnection) -> str:
    header = conn.headers.get("authorization", "")
    if not header.strip():
        raise Unauthorized("Not authenticated")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Invalid authentication credentials")
    return token


def registry(conn: HTTPConnection) -> NamespaceRegistry:
    return conn.app.state.registry


async def namespace(conn: HTTPConnection) -> Namespace:
    """FastAPI dependency: the caller's namespace, or 401 ``{"detail": ...}``."""
    return registry(conn).get(bearer_token(conn))
