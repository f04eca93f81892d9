"""``GET /_emulator/ui``: a live dashboard of the emulator's namespaces, for humans.

A browser cannot send an Authorization header on a page load, so the namespace's token comes as
``?token=...`` (an ``Authorization: Bearer`` header works too). Without a token the page lists
**every** namespace, read-only: anyone who can reach the port sees them all (the emulator binds
127.0.0.1 by default). Namespaces are shown by their key (a digest), never by their token.

``GET /_emulator/ui/stream`` pushes a compact JSON ``snapshot`` event (same SSE framing as the
monitor stream: named events, one-line JSON, LF) first and then whenever the view changes; the
state is polled on a short real-time interval (no busy loop, no subscriber side effects on the
namespace broker), with a ``heartbeat`` event every 15 s of silence.
"""

from __future__ import annotations

import asyncio
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

from emulator.control.responses import DashboardResponse
from emulator.core.broker import sse_frame
from emulator.core.clock import iso
from emulator.core.namespaces import Namespace, clock_info
from emulator.interactly.state import interactly
from emulator.revyl.state import revyl
from emulator.web.auth import bearer_token, registry
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
UPDATES_HELP = ("close the live stream after this many snapshots (static captures: headless "
                "screenshots, saved pages)")
TOKEN_HELP = "namespace token (browsers cannot send Authorization); omit to see every namespace"
# No token is needed; a malformed Authorization header is a 401 like everywhere else.
AUTH = errors(401)
# The page's own 401 is JSON too, but FastAPI documents a ``model`` under the route's media
# type (text/html): name the JSON schema explicitly there.
PAGE_AUTH = media(401, "application/json", AUTH[401]["description"],
                  {"$ref": "#/components/schemas/ErrorResponse"})
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


def _payload(conn: HTTPConnection, token: str | None) -> dict[str, Any]:
    if token is not None:
        views = [namespace_view(registry(conn).get(token))]
    else:
        views = [namespace_view(ns) for ns in registry(conn)]
    return {"scoped": token is not None, "namespaces": views}


def _change_key(payload: dict[str, Any]) -> str:
    """What counts as a change: everything but a running (realtime) clock's reading."""
    views = []
    for view in payload["namespaces"]:
        clock = view["clock"]
        if clock["mode"] != "manual":
            view = {**view, "clock": {**clock, "now": None}}
        views.append(view)
    return json.dumps(views, sort_keys=True, default=str)


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
    payload = _payload(request, resolved)
    stream = "ui/stream"
    config = {"scoped": resolved is not None, "token": resolved,
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
    return ok(_payload(request, _token(request, token)))


@router.get("/ui/stream", response_class=EventSourceResponse,
            responses={**media(200, "text/event-stream", STREAM_HELP), **AUTH})
async def dashboard_stream(
        request: Request, token: str | None = Query(None, description=TOKEN_HELP),
        interval: float = Query(0.5, ge=0.1, le=10, description="poll interval, seconds"),
) -> EventSourceResponse:
    """SSE: ``snapshot`` events (the JSON of ``/_emulator/ui/state``) on every change."""
    resolved = _token(request, token)

    async def frames() -> AsyncIterator[bytes]:
        last_key: str | None = None
        last_sent = time.monotonic()
        while True:
            payload = _payload(request, resolved)
            key = _change_key(payload)
            if key != last_key:
                last_key, last_sent = key, time.monotonic()
                yield sse_frame("snapshot", payload)
            elif time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                last_sent = time.monotonic()
                yield sse_frame("heartbeat", {"timestamp": iso(time.time())})
            await asyncio.sleep(interval)

    return EventSourceResponse(frames(), sep="\n",
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
