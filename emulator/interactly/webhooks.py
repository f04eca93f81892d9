"""Outbound webhooks (spec §4.9): subscriptions, events, signed deliveries with retries.

Each matching change notification (``workflow_created`` ... ``workflow_run_completed``) for an
enabled subscription becomes a :class:`WebhookEvent`, POSTed as JSON to the subscription's
``url``. Only loopback or allow-listed hosts (the rule Revyl's ``from-url`` uses) are accepted,
so the emulator never reaches the internet.

Signing: ``X-Interactly-Signature`` is the hex HMAC-SHA256 of the raw body, keyed with the
subscription's bearer token when it has one, else with a per-subscription ``signing_secret``
that is returned once, by the create call. ``X-Interactly-Timestamp`` is the namespace clock in
unix seconds.

Retries follow the SDK's delivery guide: a network error, a timeout or one of
:data:`RETRYABLE` statuses is retried after ``retry_backoff_seconds * 2**(n-1)`` seconds (capped
at 30 minutes, no jitter so tests can predict it) on the namespace clock, up to
``max_retries``; any other status fails the event at once. Every attempt is recorded.

HTTP happens in asyncio tasks started from synchronous code (notifications, clock timers);
:meth:`Webhooks.drain` awaits them so tests never sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from emulator.core.clock import Timer, iso
from emulator.core.errors import BadRequest, Conflict, NotFound, lookup
from emulator.core.loopback import allowed_url
from emulator.interactly.stateful import rearm, timer_state

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm
    from emulator.interactly.state import InteractlyState

log = logging.getLogger(__name__)
ACTIONS = ("workflow_created", "workflow_updated", "workflow_deleted", "workflow_run_started",
           "workflow_run_completed")
EVENT_STATUSES = ("pending", "retrying", "delivered", "failed")
RETRYABLE = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 1800.0
RESPONSE_BODY_CAP = 2000
SETTINGS = ("name", "url", "actions", "enabled", "timeout_seconds", "max_retries",
            "retry_backoff_seconds")


@dataclass
class Subscription:
    id: str
    name: str
    url: str
    actions: list[str]
    enabled: bool
    bearer_token: str | None
    secret: str
    timeout_seconds: int
    max_retries: int
    retry_backoff_seconds: int
    team_id: str
    created_by: str | None
    created_at: str
    updated_at: str

    @property
    def signing_key(self) -> str:
        return self.bearer_token or self.secret

    def doc(self) -> dict[str, Any]:
        """Flat with ``id``; the token never leaves, only ``has_bearer_token``."""
        return {"id": self.id, "name": self.name, "url": self.url,
                "actions": list(self.actions), "enabled": self.enabled,
                "has_bearer_token": self.bearer_token is not None,
                "timeout_seconds": self.timeout_seconds, "max_retries": self.max_retries,
                "retry_backoff_seconds": self.retry_backoff_seconds, "team_id": self.team_id,
                "created_by": self.created_by, "created_at": self.created_at,
                "updated_at": self.updated_at}


@dataclass
class Attempt:
    id: str
    event_id: str
    subscription_id: str
    attempt_number: int
    action: str
    request_url: str
    success: bool
    response_status_code: int | None
    response_body: str | None
    error_message: str | None
    latency_ms: int
    created_at: str

    def doc(self) -> dict[str, Any]:
        return {"_id": self.id, "id": self.id, "event_id": self.event_id,
                "subscription_id": self.subscription_id, "attempt_number": self.attempt_number,
                "action": self.action, "request_url": self.request_url,
                "success": self.success, "response_status_code": self.response_status_code,
                "response_body": self.response_body, "error_message": self.error_message,
                "latency_ms": self.latency_ms, "created_at": self.created_at}


@dataclass
class WebhookEvent:
    id: str
    event_id: str
    subscription_id: str
    action: str
    payload: dict[str, Any]
    created_at: str
    updated_at: str
    status: str = "pending"
    attempts_count: int = 0
    # Failed tries since the last (re)queue: what ``max_retries`` is compared with.
    cycle_failures: int = 0
    delivered_at: str | None = None
    last_attempt_at: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    next_attempt_at: str | None = None
    in_flight: bool = False
    attempts: list[Attempt] = field(default_factory=list)
    timer: Timer | None = field(default=None, repr=False)

    def doc(self) -> dict[str, Any]:
        p = self.payload
        return {"_id": self.id, "id": self.id, "event_id": self.event_id,
                "subscription_id": self.subscription_id, "action": self.action,
                "workflow_id": p.get("workflow_id"), "workflow_name": p.get("workflow_name"),
                "workflow_run_id": p.get("workflow_run_id"),
                "workflow_run_status": p.get("workflow_run_status"), "payload": p,
                "status": self.status, "attempts_count": self.attempts_count,
                "delivered_at": self.delivered_at, "last_attempt_at": self.last_attempt_at,
                "last_status_code": self.last_status_code, "last_error": self.last_error,
                "next_attempt_at": self.next_attempt_at, "created_at": self.created_at,
                "updated_at": self.updated_at}


def sign(key: str, body: bytes) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def backoff(base_seconds: float, retry_number: int) -> float:
    """Delay before retry ``retry_number`` (1-based)."""
    return min(base_seconds * 2 ** (retry_number - 1), MAX_BACKOFF_SECONDS)


class Webhooks:
    """Subscriptions, events and the delivery machinery of one namespace."""

    def __init__(self, state: InteractlyState) -> None:
        self.state = state
        self.ns = state.ns
        self.clock = state.ns.clock
        self.subscriptions: dict[str, Subscription] = {}
        self.events: dict[str, WebhookEvent] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._queued: list[WebhookEvent] = []
        state.listeners.append(self.on_action)

    # ----------------------------------------------------------------- subscriptions
    def create(self, settings: dict[str, Any], bearer_token: str | None, team_id: str,
               user: str) -> Subscription:
        self._check_url(settings["url"])
        now = self.clock.now_iso()
        sub = Subscription(id=self.ns.ids.object_id(), bearer_token=bearer_token,
                           secret=f"whsec_{self.ns.ids.token(24)}", team_id=team_id,
                           created_by=user or None, created_at=now, updated_at=now,
                           **{**settings, "actions": unique(settings["actions"])})
        self.subscriptions[sub.id] = sub
        return sub

    def subscription(self, subscription_id: str) -> Subscription:
        return lookup(self.subscriptions, subscription_id, "Webhook subscription")

    def update(self, subscription_id: str, changes: dict[str, Any]) -> Subscription:
        """``changes``: any of :data:`SETTINGS`, ``bearer_token``, ``clear_bearer_token``;
        ``None`` values mean "unchanged" (the SDK forwards explicit ``None``)."""
        sub = self.subscription(subscription_id)
        given = {k: v for k, v in changes.items() if v is not None}
        if "url" in given:
            self._check_url(given["url"])
        for key in SETTINGS:
            if key in given:
                setattr(sub, key, unique(given[key]) if key == "actions" else given[key])
        if given.get("clear_bearer_token"):
            sub.bearer_token = None
        elif "bearer_token" in given:
            sub.bearer_token = given["bearer_token"]
        sub.updated_at = self.clock.now_iso()
        return sub

    def delete(self, subscription_id: str) -> None:
        """Its events stay readable; queued retries stop (nowhere left to deliver)."""
        self.subscription(subscription_id)
        del self.subscriptions[subscription_id]
        for event in self.events.values():
            if event.subscription_id == subscription_id and event.status in ("pending",
                                                                              "retrying"):
                self._cancel_timer(event)
                if not event.in_flight:
                    self._finish(event, "failed", "Subscription deleted")

    def listing(self, search: str | None = None, enabled: bool | None = None,
                action: str | None = None) -> list[Subscription]:
        needle = (search or "").lower()
        return [s for s in self.subscriptions.values()
                if (not needle or needle in s.name.lower() or needle in s.url.lower())
                and (enabled is None or s.enabled == enabled)
                and (action is None or action in s.actions)]

    # ----------------------------------------------------------------- events
    def event_listing(self, subscription_id: str | None = None, workflow_id: str | None = None,
                      action: str | None = None, status: str | None = None
                      ) -> list[WebhookEvent]:
        """Newest first, as the SDK documents."""
        return [e for e in reversed(self.events.values())
                if (subscription_id is None or e.subscription_id == subscription_id)
                and (workflow_id is None or e.payload.get("workflow_id") == workflow_id)
                and (action is None or e.action == action)
                and (status is None or e.status == status)]

    def event(self, key: str) -> WebhookEvent:
        """By document id or by the external ``event_id`` (attempts are listed by the
        latter, retries address the former; accepting both costs nothing)."""
        found = self.events.get(key) or next(
            (e for e in self.events.values() if e.event_id == key), None)
        if found is None:
            raise NotFound(f"Webhook event {key} not found")
        return found

    def retry(self, key: str) -> WebhookEvent:
        """Re-queue now with a fresh retry budget. A delivered event or one being sent right
        now is left alone (409)."""
        event = self.event(key)
        if event.status == "delivered":
            raise Conflict("Webhook event was already delivered")
        if event.in_flight:
            raise Conflict("Webhook event is being delivered right now")
        if event.subscription_id not in self.subscriptions:
            raise Conflict("The event's webhook subscription was deleted")
        self._cancel_timer(event)
        event.status, event.cycle_failures, event.next_attempt_at = "pending", 0, None
        event.updated_at = self.clock.now_iso()
        self._dispatch(event)
        return event

    # ----------------------------------------------------------------- notifications
    def on_action(self, action: str, payload: dict[str, Any]) -> None:
        """The :class:`InteractlyState` listener: one event per enabled, subscribed
        subscription."""
        for sub in list(self.subscriptions.values()):
            if sub.enabled and action in sub.actions:
                self._dispatch(self._new_event(sub, action, payload))

    def _new_event(self, sub: Subscription, action: str,
                   info: dict[str, Any]) -> WebhookEvent:
        now = self.clock.now_iso()
        event_id = f"event_{self.ns.ids.uuid()}"
        payload = {"event_id": event_id, "action": action, "timestamp": now,
                   "team_id": sub.team_id, "subscription_id": sub.id,
                   "workflow_id": info.get("workflow_id"),
                   "workflow_name": info.get("workflow_name"),
                   "workflow_run_id": info.get("workflow_run_id"),
                   "workflow_run_status": info.get("workflow_run_status")}
        event = WebhookEvent(id=self.ns.ids.object_id(), event_id=event_id,
                             subscription_id=sub.id, action=action, payload=payload,
                             created_at=now, updated_at=now)
        self.events[event.id] = event
        return event

    # ----------------------------------------------------------------- delivery
    def _dispatch(self, event: WebhookEvent) -> None:
        """Start a delivery task; without a running loop (plain unit tests), queue it for
        :meth:`drain`."""
        event.timer = None
        event.in_flight = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._queued.append(event)
            return
        self._start(loop, event)

    def _start(self, loop: asyncio.AbstractEventLoop, event: WebhookEvent) -> None:
        task = loop.create_task(self._deliver(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> int:
        """Await every delivery in flight (and any started by those finishing). Retries due
        later stay on the clock: move time to send them. Returns deliveries awaited."""
        loop = asyncio.get_running_loop()
        awaited = 0
        while self._queued or self._tasks:
            queued, self._queued = self._queued, []
            for event in queued:
                self._start(loop, event)
            tasks = list(self._tasks)
            awaited += len(tasks)
            await asyncio.gather(*tasks, return_exceptions=True)
        return awaited

    async def _deliver(self, event: WebhookEvent) -> None:
        try:
            sub = self.subscriptions.get(event.subscription_id)
            if sub is None:
                self._finish(event, "failed", "Subscription deleted")
                return
            await self._attempt(event, sub)
        except Exception as exc:  # pragma: no cover - defensive: never strand an event
            log.exception("webhook delivery of %s crashed", event.event_id)
            self._finish(event, "failed", f"Emulator internal error: {type(exc).__name__}")
        finally:
            event.in_flight = False

    async def _attempt(self, event: WebhookEvent, sub: Subscription) -> None:
        body = json.dumps(event.payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "Interactly-Webhooks",
                   "X-Interactly-Signature": sign(sub.signing_key, body),
                   "X-Interactly-Timestamp": str(int(self.clock.now())),
                   "X-Interactly-Event-Id": event.event_id,
                   "X-Interactly-Action": event.action}
        if sub.bearer_token:
            headers["Authorization"] = f"Bearer {sub.bearer_token}"
        url = sub.url
        status: int | None = None
        text: str | None = None
        error: str | None = None
        started = time.monotonic()
        if not self._allowed(url):  # settings can't change, but never risk the network
            error = "URL host is not loopback or allow-listed"
        else:
            import httpx  # only when a delivery happens: ~0.1 s of start-up otherwise

            try:
                async with httpx.AsyncClient(timeout=sub.timeout_seconds, trust_env=False,
                                             follow_redirects=False) as client:
                    response = await client.post(url, content=body, headers=headers)
                status, text = response.status_code, response.text[:RESPONSE_BODY_CAP]
            except httpx.TimeoutException:
                error = f"Timed out after {sub.timeout_seconds}s"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:RESPONSE_BODY_CAP]
        success = status is not None and 200 <= status < 300
        if status is not None and not success:
            error = f"HTTP {status}"
        self._record(event, sub, url, status, text, error, success,
                     int((time.monotonic() - started) * 1000))
        if success:
            event.delivered_at = event.last_attempt_at
            self._finish(event, "delivered", None)
            return
        event.cycle_failures += 1
        retryable = status is None or status in RETRYABLE
        live = self.subscriptions.get(sub.id)
        if not retryable or live is None or event.cycle_failures > live.max_retries:
            self._finish(event, "failed", error)
            return
        delay = backoff(live.retry_backoff_seconds, event.cycle_failures)
        event.status = "retrying"
        event.next_attempt_at = iso(self.clock.now() + delay)
        event.timer = self.clock.call_later(delay, lambda: self._dispatch(event))

    def _record(self, event: WebhookEvent, sub: Subscription, url: str, status: int | None,
                text: str | None, error: str | None, success: bool, latency_ms: int) -> None:
        now = self.clock.now_iso()
        event.attempts_count += 1
        event.attempts.append(Attempt(
            id=self.ns.ids.object_id(), event_id=event.event_id, subscription_id=sub.id,
            attempt_number=event.attempts_count, action=event.action, request_url=url,
            success=success, response_status_code=status, response_body=text,
            error_message=None if success else error, latency_ms=latency_ms, created_at=now))
        event.last_attempt_at = event.updated_at = now
        event.last_status_code, event.last_error = status, None if success else error

    def _finish(self, event: WebhookEvent, status: str, error: str | None) -> None:
        event.status, event.next_attempt_at = status, None
        if error is not None:
            event.last_error = error
        event.updated_at = self.clock.now_iso()

    # ----------------------------------------------------------------- snapshots
    def export_state(self) -> dict[str, Any]:
        events = []
        for e in self.events.values():
            raw = {f.name: getattr(e, f.name) for f in fields(e)
                   if f.name not in ("timer", "attempts")}
            raw["attempts"] = [asdict(a) for a in e.attempts]
            raw["timer"] = timer_state(e.timer)
            events.append(raw)
        # A receiver's bearer token is a credential: exported as a placeholder.
        return {"subscriptions": [{**asdict(s), "bearer_token": "********"} if s.bearer_token
                                  else asdict(s) for s in self.subscriptions.values()],
                "events": events}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Events still to deliver go on: a retry due later at its time, one that was being
        delivered when the snapshot was taken at once (the attempt in flight is lost)."""
        self.subscriptions = {s["id"]: Subscription(**s) for s in data.get("subscriptions", [])}
        self.events = {}
        timers: list[Rearm] = []
        for raw in data.get("events", []):
            timer = raw.get("timer")
            event = WebhookEvent(**{k: v for k, v in raw.items()
                                    if k not in ("timer", "attempts")})
            event.attempts = [Attempt(**a) for a in raw.get("attempts", [])]
            event.in_flight = False
            self.events[event.id] = event
            if event.status not in ("pending", "retrying"):
                continue
            if timer:  # a retry due later
                def arm(event: WebhookEvent = event, due: float = timer["due"]) -> None:
                    event.timer = self.clock.call_at(due, lambda: self._dispatch(event))

                timers.append(rearm(timer, arm))
            else:  # was being delivered: deliver again
                def send(event: WebhookEvent = event) -> None:
                    self._dispatch(event)

                timers.append((float("-inf"), 0.0, send))
        return timers

    # ----------------------------------------------------------------- helpers
    def _allowed(self, url: str) -> bool:
        return allowed_url(url, self.ns.settings.from_url_allow_hosts)

    def _check_url(self, url: str) -> None:
        if not self._allowed(url):
            raise BadRequest(f"Webhook url {url!r} refused: the emulator only delivers to "
                             "http(s) loopback hosts (127.0.0.1, ::1, localhost) or hosts "
                             "in from_url_allow_hosts")

    def _cancel_timer(self, event: WebhookEvent) -> None:
        if event.timer is not None:
            event.timer.cancel()
            event.timer = None

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.state.listeners.remove(self.on_action)
        for event in self.events.values():
            self._cancel_timer(event)
        for task in list(self._tasks):
            task.cancel()
        self._queued.clear()


def unique(actions: list[str]) -> list[str]:
    return list(dict.fromkeys(actions))
