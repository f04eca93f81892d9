"""``GET /_emulator/ui``: a live dashboard of the emulator's namespaces, for humans.

A browser cannot send an Authorization header on a page load, so the namespace's token comes as
``?token=...`` (an ``Authorization: Bearer`` header works too). Without a token the page lists
**every** namespace, read-only: anyone who can reach the port sees them all (the emulator binds
127.0.0.1 by default). Namespaces are shown by their key (a digest), never by their token.

``GET /_emulator/ui/stream`` pushes a compact JSON ``snapshot`` event (same SSE framing as the
monitor stream: named events, one-line JSON, LF) first and then whenever the view changes; the
state is polled on a short real-time interval (no busy loop, no subscriber side effects on the
namespace broker), with a ``heartbeat`` event every 15 s of silence.

A dashboard must not cost the server more than it shows: a refresh looks at most once a second
(``MIN_INTERVAL``; six streams at ``interval=0.1`` over 3,000 namespaces left health checks
waiting over a second), streams asking within ``SHARED_SECONDS`` of each other share one
refresh, the all-namespace view shows the ``MAX_NAMESPACES`` most recently used namespaces (and
how many there are), and views are built namespace by namespace with the event loop handed
back in between. With ``EMULATOR_ADMIN_TOKEN`` set, the all-namespace view is the admin token's
(as ``?token=`` or a bearer header) and a request without a token is a 403.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sse_starlette import EventSourceResponse
from starlette.requests import HTTPConnection

from emulator.control.admin import admin_token, is_admin_token
from emulator.control.responses import DashboardResponse
from emulator.core.broker import sse_frame
from emulator.core.clock import iso
from emulator.core.errors import Forbidden
from emulator.core.namespaces import Namespace, clock_info
from emulator.core.pacing import paced
from emulator.interactly.state import interactly
from emulator.revyl.state import revyl
from emulator.web.auth import bearer_token
from emulator.web.contract import errors, media
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute

from .dashboard_page import ADVANCE_STEPS, COLUMNS, TITLES, render_page

log = logging.getLogger(__name__)
TAG = "Emulator control plane"
router = APIRouter(prefix="/_emulator", tags=[TAG], route_class=StrictJSONRoute)
UI_PREFIX = "/_emulator/ui"
ROWS = 50  # newest rows per table
JOURNAL_ROWS = 20
MESSAGE_CHARS = 240
HEARTBEAT_SECONDS = 15.0
MIN_INTERVAL = 1.0  # seconds between a stream's refreshes, whatever ?interval= asks
SHARED_SECONDS = 0.5  # streams refreshing within this long of each other share one refresh
MAX_NAMESPACES = 50  # namespaces the all-namespace view shows: the most recently used
ALL_DENIED = ("The all-namespace dashboard needs the admin token (EMULATOR_ADMIN_TOKEN) as "
              "?token= or a bearer header; other tokens see their own namespace")
UPDATES_HELP = ("close the live stream after this many snapshots (static captures: headless "
                "screenshots, saved pages)")
TOKEN_HELP = "namespace token (browsers cannot send Authorization); omit to see every namespace"
# No token is needed; a malformed Authorization header is a 401 like everywhere else, no
# token while an admin token is set a 403.
AUTH = errors(401, 403)
# The page's own 401 and 403 are JSON too, but FastAPI documents a ``model`` under the route's
# media type (text/html): name the JSON schema explicitly there.
PAGE_AUTH = {**media(401, "application/json", AUTH[401]["description"],
                     {"$ref": "#/components/schemas/ErrorResponse"}),
             **media(403, "application/json", AUTH[403]["description"],
                     {"$ref": "#/components/schemas/ErrorResponse"})}
STREAM_HELP = ("SSE: a `snapshot` event (the JSON of /_emulator/ui/state) first and on every "
               "change, a `heartbeat` event after 15 s of silence")


# --------------------------------------------------------------------------- the view
def _newest(items: dict[str, Any], limit: int = ROWS) -> list[Any]:
    return list(islice(reversed(items.values()), limit))


def _clip(text: Any, limit: int = MESSAGE_CHARS) -> str | None:
    if text is None:
        return None
    text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _revyl(state: Any) -> dict[str, Any]:
    tests = [{"id": e.id, "test_name": e.test_name, "status": e.status,
              "steps": f"{e.steps_completed}/{e.total_steps}", "progress": e.progress,
              "platform": e.platform, "workflow_execution_id": e.workflow_execution_id,
              "updated_at": iso(e.updated_at or e.created_at)}
             for e in _newest(state.tests.by_id)]
    flows = [{"id": wf.id, "workflow_name": wf.workflow_name, "status": wf.status,
              "tests": f"{wf.completed_tests}/{wf.total_tests}", "passed": wf.passed_tests,
              "failed": wf.failed_tests, "updated_at": iso(wf.updated_at or wf.created_at)}
             for wf in _newest(state.workflows.by_id)]
    return {"tests": tests, "tests_total": len(state.tests.by_id), "workflows": flows,
            "workflows_total": len(state.workflows.by_id)}


def _last_assistant(history: list[dict[str, Any]]) -> str | None:
    for message in reversed(history):
        if isinstance(message, dict) and message.get("type") == "ai" and message.get("content"):
            return _clip(message["content"])
    return None


def _interactly(state: Any) -> dict[str, Any]:
    workflows = state.catalog.workflows
    runs = []
    for run in _newest(state.runs.by_id):
        wf = workflows.get(run.workflow_id)
        runs.append({"id": run.id, "workflow_id": run.workflow_id,
                     "workflow_name": getattr(wf, "name", None), "status": run.status,
                     "turns": len(run.pairs), "turn_number": run.turn_number,
                     "last_assistant": _last_assistant(run.history),
                     "updated_at": run.updated_at or run.created_at})
    return {"runs": runs, "runs_total": len(state.runs.by_id)}


def _journal(ns: Namespace) -> list[dict[str, Any]] | None:
    """Newest entries of the namespace's request journal, without the dashboard's own
    requests; read defensively: the journal must never break the dashboard."""
    try:
        rows = []
        for entry in reversed(ns.journal.entries):
            if entry.path.startswith(UI_PREFIX):
                continue
            query = entry.query_text()  # sensitive parameters come back redacted
            rows.append({"at": iso(entry.time), "method": entry.method,
                         "path": entry.path + (f"?{query}" if query else ""),
                         "status": entry.status, "duration_ms": entry.duration_ms})
            if len(rows) == JOURNAL_ROWS:
                break
        return rows
    except Exception:  # pragma: no cover - defensive
        log.exception("dashboard: cannot read the request journal")
        return None


def namespace_view(ns: Namespace) -> dict[str, Any]:
    clock = clock_info(ns.clock)
    view: dict[str, Any] = {
        "namespace": ns.key,
        "clock": {k: clock[k] for k in ("mode", "scale", "now", "pending_timers")},
    }
    view["revyl"] = _revyl(revyl(ns))
    view["interactly"] = _interactly(interactly(ns))
    view["journal"] = _journal(ns)
    return view


def _token(conn: HTTPConnection, token: str | None) -> str | None:
    if token is not None and token.strip():
        return token.strip()
    if conn.headers.get("authorization", "").strip():
        return bearer_token(conn)  # 401 on a malformed header, like every other route
    return None


def _scope(conn: HTTPConnection, token: str | None) -> str | None:
    """The token whose namespace the view shows; None: every namespace (403 when an admin
    token is set and this is not it)."""
    if admin_token(conn) is None:
        return token
    if token is None:
        raise Forbidden(ALL_DENIED)
    return None if is_admin_token(conn, token) else token


async def _payload(app: Any, scope: str | None) -> tuple[dict[str, Any], str]:
    """The view, and its change key (:func:`_change_key`), built a namespace at a time."""
    reg = app.state.registry
    if scope is not None:
        # Looking does not make one: a stranger's ?token= must not cost a namespace.
        found = reg.find(scope)
        shown = [found] if found is not None else []
        total = len(shown)
    else:
        everyone = list(reg)  # least recently used first
        shown, total = everyone[-MAX_NAMESPACES:], len(everyone)
    views, keys = [], []
    async for view, key in paced(_keyed(namespace_view(ns)) for ns in shown):
        views.append(view)
        keys.append(key)
    return {"scoped": scope is not None, "namespaces": views, "namespaces_total": total}, \
        "\n".join(keys)


async def _shared_payload(app: Any, scope: str | None) -> tuple[dict[str, Any], str]:
    """:func:`_payload`, computed once for every stream of the same view asking within
    ``SHARED_SECONDS``: six streams cost one refresh."""
    cache: dict[str, tuple[float, asyncio.Future[tuple[dict[str, Any], str]]]] = getattr(
        app.state, "dashboard_refreshes", None) or {}
    app.state.dashboard_refreshes = cache
    key = "" if scope is None else hashlib.sha256(scope.encode()).hexdigest()
    now = time.monotonic()
    entry = cache.get(key)
    if entry is None or now - entry[0] >= SHARED_SECONDS:
        for old in [k for k, (at, _) in cache.items() if now - at >= SHARED_SECONDS]:
            del cache[old]
        entry = cache[key] = (now, asyncio.ensure_future(_payload(app, scope)))
    return await asyncio.shield(entry[1])


def _keyed(view: dict[str, Any]) -> tuple[dict[str, Any], str]:
    return view, _change_key(view)


def _change_key(view: dict[str, Any]) -> str:
    """What counts as a change: everything but a running (realtime) clock's reading."""
    clock = view["clock"]
    if clock["mode"] != "manual":
        view = {**view, "clock": {**clock, "now": None}}
    return json.dumps(view, sort_keys=True, default=str)


# --------------------------------------------------------------------------- routes
_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the URL may carry a token
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@router.get("/ui", response_class=HTMLResponse,
            responses={**media(200, "text/html", "The dashboard page"), **PAGE_AUTH})
async def dashboard(
        request: Request, token: str | None = Query(None, description=TOKEN_HELP),
        updates: int | None = Query(None, ge=1, le=1_000_000, description=UPDATES_HELP),
) -> HTMLResponse:
    """The dashboard page: Revyl executions, Interactly runs, journal tail, clock controls."""
    resolved = _token(request, token)
    scope = _scope(request, resolved)
    payload, _ = await _payload(request.app, scope)
    stream = "ui/stream"
    config = {"scoped": scope is not None, "token": resolved,
              "stream_url": stream + ("?" + urlencode({"token": resolved}) if resolved else ""),
              "advance_url": "clock/advance", "reset_url": "reset",
              "advance": list(ADVANCE_STEPS), "max_updates": updates, "columns": COLUMNS,
              "titles": TITLES}
    nonce = secrets.token_urlsafe(16)
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
           "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
           "frame-ancestors 'none'")
    return HTMLResponse(render_page(payload, config, nonce),
                        headers={**_SECURITY_HEADERS, "Content-Security-Policy": csp})


@router.get("/ui/state", response_model=DashboardResponse, responses=AUTH)
async def dashboard_state(request: Request,
                          token: str | None = Query(None, description=TOKEN_HELP)
                          ) -> JSONResponse:
    """The dashboard's view as JSON (what each ``snapshot`` event carries)."""
    payload, _ = await _payload(request.app, _scope(request, _token(request, token)))
    return ok(payload)


@router.get("/ui/stream", response_class=EventSourceResponse,
            responses={**media(200, "text/event-stream", STREAM_HELP), **AUTH})
async def dashboard_stream(
        request: Request, token: str | None = Query(None, description=TOKEN_HELP),
        interval: float = Query(1.0, ge=0.1, le=10, description="poll interval, seconds; "
                                                                "at least 1 is used"),
) -> EventSourceResponse:
    """SSE: ``snapshot`` events (the JSON of ``/_emulator/ui/state``) on every change."""
    scope = _scope(request, _token(request, token))
    interval = max(interval, MIN_INTERVAL)

    async def frames() -> AsyncIterator[bytes]:
        last_key: str | None = None
        last_sent = time.monotonic()
        while True:
            payload, key = await _shared_payload(request.app, scope)
            if key != last_key:
                last_key, last_sent = key, time.monotonic()
                yield sse_frame("snapshot", payload)
            elif time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                last_sent = time.monotonic()
                yield sse_frame("heartbeat", {"timestamp": iso(time.time())})
            await asyncio.sleep(interval)

    return EventSourceResponse(frames(), sep="\n",
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
