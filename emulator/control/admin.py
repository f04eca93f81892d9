"""The admin token (``EMULATOR_ADMIN_TOKEN``): who may look across namespaces.

Any token names a namespace of its own, which isolates suites that cooperate; on a server
several teams share it isolates nothing when every token may still say ``?all=true`` (read every
namespace's journal with its request bodies, export every namespace, wipe them all). With the
setting unset that convenience stays (a developer's own machine); set, the cross-namespace verbs
answer only a request bearing the admin token and everyone else keeps to their own namespace.
"""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection

from emulator.core.errors import Forbidden
from emulator.web.auth import bearer_token

DENIED = ("?all=true needs the admin token (EMULATOR_ADMIN_TOKEN): other tokens see only "
          "their own namespace")


def admin_token(conn: HTTPConnection) -> str | None:
    token: str | None = conn.app.state.settings.admin_token
    return token or None


def is_admin_token(conn: HTTPConnection, token: str | None) -> bool:
    """``token`` may use the cross-namespace verbs. Compared in constant time: a comparison
    that stops at the first differing byte lets a client guess the token byte by byte."""
    expected = admin_token(conn)
    if expected is None:
        return True
    if token is None:
        return False
    return hmac.compare_digest(token.encode(), expected.encode())


def require_all(conn: HTTPConnection) -> None:
    """For a route asked for ``?all=true``: 403 unless the caller may look everywhere (the
    namespace dependency has already answered 401 for a missing or malformed token)."""
    if admin_token(conn) is None:
        return
    if not is_admin_token(conn, bearer_token(conn)):
        raise Forbidden(DENIED)
