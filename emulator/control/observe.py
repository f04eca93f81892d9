"""``/_emulator/journal*`` and ``/_emulator/faults*``: what a namespace sent, and what should
go wrong for it. The recording and the fault injection themselves are ASGI middleware
(emulator/core/journal.py, emulator/core/faults.py); these routes read and configure them."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import JSONResponse

from emulator.control.admin import require_all
from emulator.control.responses import (
    ClearedResponse,
    FaultDeletedResponse,
    FaultListResponse,
    FaultRuleResponse,
    FaultsClearedResponse,
    JournalCountResponse,
    JournalFindResponse,
    JournalResponse,
    UnmatchedResponse,
)
from emulator.core.errors import NotFound
from emulator.core.faults import FaultSpec
from emulator.core.globs import check_glob
from emulator.core.journal import Entry, select
from emulator.core.namespaces import Namespace
from emulator.core.pacing import paced
from emulator.web.auth import namespace, registry
from emulator.web.contract import errors
from emulator.web.journal import anonymous_journal, near_misses, route_table
from emulator.web.responses import ok
from emulator.web.routing import StrictJSONRoute

TAG = "Emulator control plane"
# Every route reads the bearer token: 401 without one; a JSON body past the request body cap
# is a 413 (answered before the route runs).
BODY = errors(413)
router = APIRouter(prefix="/_emulator", tags=[TAG], route_class=StrictJSONRoute,
                   responses=errors(401))
# ``?all=true`` without the admin token, when one is set (emulator/control/admin.py).
ADMIN = errors(403)
Ns = Annotated[Namespace, Depends(namespace)]
METHOD = r"^[A-Za-z]{1,10}$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _PathFilter(_Body):
    @field_validator("path", check_fields=False)
    @classmethod
    def _bounded_glob(cls, value: str | None) -> str | None:
        """Matched against every entry: its cost must stay linear in the paths."""
        return check_glob(value)


class JournalQuery(_PathFilter):
    method: str | None = Field(None, pattern=METHOD, description='e.g. "POST", or "WS"')
    path: str | None = Field(None, max_length=1000, description="exact path or glob")
    status: int | None = Field(None, ge=100, le=599)
    since: datetime | None = Field(None, description="namespace-clock time: ISO-8601 or unix s")
    limit: int | None = Field(None, ge=1, le=1_000_000, description="only the newest N")
    all: bool = Field(False, description="every namespace, and requests without a token")


class UnmatchedQuery(_Body):
    limit: int = Field(50, ge=1, le=1000, description="only the newest N")
    all: bool = False


class JournalMatch(_PathFilter):
    method: str | None = Field(None, pattern=METHOD)
    path: str | None = Field(None, max_length=1000, description="exact path or glob")
    status: int | None = Field(None, ge=100, le=599)
    query: dict[str, str] | None = Field(None, description="query parameters that must match")
    body: dict[str, Any] | None = Field(
        None, description='JSON body fields by dotted path, e.g. {"run_config.retries": 2}')


def _entries(request: Request, ns: Namespace, everywhere: bool) -> list[Entry]:
    if not everywhere:
        return list(ns.journal.entries)
    require_all(request)
    merged = list(anonymous_journal(request.app).entries)
    for other in registry(request):
        merged.extend(other.journal.entries)
    merged.sort(key=lambda e: e.started)
    return merged


def _since(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


@router.get("/journal", response_model=JournalResponse, responses=ADMIN)
async def get_journal(request: Request, ns: Ns,
                      q: Annotated[JournalQuery, Query()]) -> JSONResponse:
    """Recorded requests, newest last (reads of the journal itself are not recorded)."""
    found = [e async for e in paced(select(_entries(request, ns, q.all), method=q.method,
                                           path=q.path, status=q.status,
                                           since=_since(q.since)))]
    if q.limit is not None:
        found = found[-q.limit:]
    journal = ns.journal
    return ok({"namespace": ns.key, "entries": [d async for d in paced(e.to_dict() for e in found)],
               "count": len(found), "recorded": journal.recorded, "evicted": journal.evicted,
               "limit": ns.settings.journal_limit})


@router.post("/journal/find", response_model=JournalFindResponse, responses=BODY)
async def find_requests(match: JournalMatch, ns: Ns) -> JSONResponse:
    """Recorded requests matching every given criterion, oldest first."""
    found = [d async for d in paced(e.to_dict() for e in select(
        list(ns.journal.entries), method=match.method, path=match.path, status=match.status,
        query=match.query, body=match.body))]
    return ok({"entries": found, "count": len(found)})


@router.post("/journal/count", response_model=JournalCountResponse, responses=BODY)
async def count_requests(match: JournalMatch, ns: Ns) -> JSONResponse:
    """How many recorded requests match every given criterion."""
    found = select(list(ns.journal.entries), method=match.method, path=match.path,
                   status=match.status, query=match.query, body=match.body)
    return ok({"count": len([e async for e in paced(found)])})


@router.get("/journal/unmatched", response_model=UnmatchedResponse, responses=ADMIN)
async def unmatched_requests(request: Request, ns: Ns,
                             q: Annotated[UnmatchedQuery, Query()]) -> JSONResponse:
    """Requests no route took (the router's own 404/405), with the closest known routes."""
    found = list(select(_entries(request, ns, q.all), matched=False))[-q.limit:]
    table = route_table(request.app)
    hints = _hint_cache(request.app)

    def described(entry: Entry) -> dict[str, Any]:
        key = (entry.method, entry.path)
        if key not in hints:
            hints[key] = near_misses(entry.method, entry.path, table)
            while len(hints) > HINTS_KEPT:
                hints.popitem(last=False)
        return {**entry.to_dict(), "suggestions": hints[key]}

    # Each entry ranks every route: a thousand of them held the event loop for seconds.
    out = [item async for item in paced(described(entry) for entry in found)]
    return ok({"unmatched": out, "count": len(out)})


HINTS_KEPT = 4096


def _hint_cache(app: Any) -> OrderedDict[tuple[str, str], list[dict[str, Any]]]:
    """Suggestions by (method, path), kept across reads (the routes do not change once
    built): a client polling ``unmatched`` ranks each new path once."""
    cache: OrderedDict[tuple[str, str], list[dict[str, Any]]] | None = getattr(
        app.state, "near_miss_hints", None)
    if cache is None:
        cache = app.state.near_miss_hints = OrderedDict()
    return cache


@router.delete("/journal", response_model=ClearedResponse, responses=ADMIN)
async def clear_journal(request: Request, ns: Ns, all: bool = False) -> JSONResponse:
    """Forget the recorded requests (``?all=true``: of every namespace, and anonymous)."""
    if all:
        require_all(request)
    targets = list(registry(request)) if all else [ns]
    cleared = sum(target.journal.clear() for target in targets)
    if all:
        cleared += anonymous_journal(request.app).clear()
    return ok({"cleared": cleared})


@router.post("/faults", response_model=FaultRuleResponse, responses=BODY)
async def add_fault(spec: FaultSpec, ns: Ns) -> JSONResponse:
    """Add a rule; the first matching rule (in creation order) applies to a request."""
    return ok(ns.faults.add(spec).to_dict())


@router.get("/faults", response_model=FaultListResponse)
async def list_faults(ns: Ns) -> JSONResponse:
    """The fault rules, in matching order, with how often each has applied."""
    return ok({"faults": [rule.to_dict() for rule in ns.faults.rules]})


@router.delete("/faults", response_model=FaultsClearedResponse)
async def clear_faults(ns: Ns) -> JSONResponse:
    """Remove every rule; requests waiting out a delay are released."""
    return ok({"cleared": ns.faults.clear(), "faults": []})


@router.delete("/faults/{fault_id}", response_model=FaultDeletedResponse,
                responses=errors(404))
async def delete_fault(fault_id: str, ns: Ns) -> JSONResponse:
    """Remove one rule."""
    if not ns.faults.remove(fault_id):
        raise NotFound("Fault not found")
    return ok({"deleted": fault_id})
