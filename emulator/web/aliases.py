"""One set of routes answering under a second path prefix.

Interactly's production base is ``/workflows/v1`` and its SDK's default is ``/v1``. Building
every route twice doubled start-up time, so the prefixed paths are rewritten to the bare
ones just before routing, and the prefix the caller used is kept in the scope for the links
the API hands back. The journal and fault rules sit outside and see the path as sent."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

MOUNT_KEY = "emulator.mount"


class PathAlias:
    """ASGI middleware: ``{prefix}{path}`` is served as ``{path}`` for paths under ``under``
    (except ``excluded`` ones, which exist only without the prefix)."""

    def __init__(self, app: ASGIApp, prefix: str, under: str,
                 excluded: tuple[str, ...] = ()) -> None:
        self.app = app
        self.prefix = prefix
        self.aliased = prefix + under
        self.excluded = {prefix + path for path in excluded}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if path.startswith(self.aliased) and path.rstrip("/") not in self.excluded:
                scope = dict(scope)
                scope["path"] = path[len(self.prefix):]
                raw = scope.get("raw_path")
                if raw is not None and raw.startswith(self.prefix.encode()):
                    scope["raw_path"] = raw[len(self.prefix):]
                scope[MOUNT_KEY] = self.prefix
        await self.app(scope, receive, send)


def mount_of(scope: Scope) -> str:
    """The prefix the caller used (``""`` when none)."""
    return scope.get(MOUNT_KEY, "")
