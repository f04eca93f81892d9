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


# Where the request journal leaves the namespace it resolved from this same bearer token (the
# first Authorization header, parsed as bearer_token parses it): no second parse per request.
BEARER_NS_SCOPE_KEY = "emulator.bearer_namespace"


# The journal never makes a namespace (a 404, a health check or a stranger's token must not cost
# one). When a request names one that does not exist yet, or one only its route can vouch for (a
# WebSocket session token, a presigned path), the journal leaves a Claim here; the route fills
# it once it has resolved (or made) the namespace, and the request is journaled there. An object
# rather than a scope key: middlewares below the journal may copy the scope.
CLAIM_SCOPE_KEY = "emulator.claim"


class Claim:
    __slots__ = ("ns",)

    def __init__(self) -> None:
        self.ns: Namespace | None = None


def claim(conn: HTTPConnection, ns: Namespace) -> Namespace:
    """Say that this request is genuinely ``ns``'s (its journal then records it)."""
    holder: Claim | None = conn.scope.get(CLAIM_SCOPE_KEY)
    if holder is not None:
        holder.ns = ns
    return ns


def registry(conn: HTTPConnection) -> NamespaceRegistry:
    return conn.app.state.registry


async def namespace(conn: HTTPConnection) -> Namespace:
    """FastAPI dependency: the caller's namespace (made on first use), or 401 ``{"detail":
    ...}``, or 503 when the registry is full of namespaces with live work."""
    found: Namespace | None = conn.scope.get(BEARER_NS_SCOPE_KEY)
    if found is not None:
        return found
    return claim(conn, registry(conn).get(bearer_token(conn)))
