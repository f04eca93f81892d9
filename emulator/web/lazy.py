"""Route families imported and built on first use.

FastAPI spends ~1.5 ms building each route (signature analysis, one pydantic TypeAdapter per
parameter), so the ~140 Interactly routes cost ~0.4 s. Building them while the server
already accepts connections keeps ``Ready.`` fast; a request for a family that is not built
yet waits for it (in a worker thread, so the event loop keeps serving everything else) and is
then answered as usual. Nothing is ever answered from a half-built table: the routes are
appended to the app in one list operation."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.web.routing import mount

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI


# One family is built at a time, whichever thread asks: FastAPI silences a pydantic warning
# while it builds a route's fields with ``warnings.catch_warnings()``, which is not thread-safe,
# and families built side by side in their own threads let it through to stderr (under the
# ``Ready.`` line, where scripts read the last line). The GIL made parallel builds no faster.
_BUILDING = threading.Lock()


class LazyRoutes:
    """One family: ``load`` returns its routers; ``covers(path)`` says which requests need it."""

    def __init__(self, app: FastAPI, load: Callable[[], Sequence[APIRouter]],
                 covers: Callable[[str], bool]) -> None:
        self.app = app
        self.load = load
        self.covers = covers
        self.loaded = False
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None

    def ensure(self) -> None:
        """Builds and mounts the family once; callers from any thread wait for that."""
        if self.loaded:
            return
        with self._lock, _BUILDING:
            if not self.loaded:
                mount(self.app, *self.load())
                self.loaded = True
                # Routes and their models live as long as the process: out of the collector's
                # sight, a full collection no longer walks them (it was a ~200 ms pause in
                # the middle of traffic, once the heap had grown past the threshold).
                gc.freeze()

    def warm(self) -> None:
        """Builds the family in the background (the server is starting to accept requests)."""
        if not self.loaded:
            self._warming = threading.Thread(target=self.ensure, name="emulator-routes",
                                             daemon=True)
            self._warming.start()

    def settle(self, timeout: float) -> None:
        """Waits for a background build still under way. A process that exits while the build
        thread is inside pydantic-core can abort ("FATAL: exception not rethrown", exit -6)
        when the interpreter tears the daemon thread down: a SIGTERM right after ``Ready.``
        did that."""
        if self._warming is not None and self._warming.is_alive():
            self._warming.join(timeout)


def under(*prefixes: str) -> Callable[[str], bool]:
    """``covers`` for routes under these path prefixes (whole segments)."""
    def covers(path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)
    return covers


def ensure_all(app: FastAPI) -> None:
    """Everything built: for whole-table readers (OpenAPI, near-miss route hints)."""
    for family in getattr(app.state, "lazy_routes", ()):
        family.ensure()


class LazyGate:
    """ASGI middleware: a request for a family that is not built yet waits for it."""

    def __init__(self, app: ASGIApp, families: Sequence[LazyRoutes]) -> None:
        self.app = app
        self.families = families
        self.settled = False  # every family built: nothing left to check per request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.settled and scope["type"] in ("http", "websocket"):
            for family in self.families:
                if not family.loaded and family.covers(scope["path"]):
                    import anyio.to_thread

                    await anyio.to_thread.run_sync(family.ensure)
            self.settled = all(family.loaded for family in self.families)
        await self.app(scope, receive, send)
