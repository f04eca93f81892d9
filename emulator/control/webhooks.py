"""``/_emulator/webhooks/*``: where tests see (and wait for) outgoing webhook deliveries.

Deliveries are real HTTP requests made in background tasks, so a test needs a way to wait for
them without sleeping: both routes first await every delivery in flight (``drain``). Retries
that are due later stay on the namespace clock; advance it, then drain again.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse

from emulator.control.responses import DrainResponse, WebhookDeliveriesResponse
from emulator.control.routes import TAG, Ns
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute

router = APIRouter(prefix="/_emulator/webhooks", tags=[TAG], route_class=StrictJSONRoute,
                   responses=errors(401))


@router.post("/drain", response_model=DrainResponse)
async def drain(ns: Ns) -> JSONResponse:
    """Wait for every in-flight delivery of this namespace; answers how many were awaited."""
    awaited = await interactly(ns).webhooks.drain()
    return ok({"drained": awaited, "pending_timers": ns.clock.pending})


@router.get("/deliveries", response_model=WebhookDeliveriesResponse)
async def deliveries(ns: Ns, drain: bool = True) -> JSONResponse:
    """Every webhook event of the namespace, newest first, each with its attempts (oldest
    first). ``drain=false`` reads without waiting for deliveries in flight."""
    service = interactly(ns).webhooks
    if drain:
        await service.drain()
    events = [{**e.doc(), "attempts": [a.doc() for a in e.attempts]}
              for e in service.event_listing()]
    return ok({"events": events, "total": len(events),
               "in_flight": sum(1 for e in service.events.values() if e.in_flight)})
