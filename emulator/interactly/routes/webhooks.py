"""Webhook subscriptions, their events and delivery attempts (spec §4.9).

Subscriptions are flat objects with ``id`` (not ``_id``) and never show the bearer token. The
fixed ``/events`` paths are declared before ``/{subscription_id}``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Body, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.responses import JSONResponse

from emulator.interactly import wire
from emulator.interactly.responses.extras import ResourceDeletedResponse
from emulator.interactly.responses.extras_webhooks import (
    WebhookAttemptListResponse,
    WebhookEventListResponse,
    WebhookRetryResponse,
    WebhookSubscriptionCreatedResponse,
    WebhookSubscriptionListResponse,
    WebhookSubscriptionResponse,
)
from emulator.interactly.routes.common import Ns, ObjectId, ObjectIdQuery, PageNo, Size, team, user
from emulator.interactly.state import interactly
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Interactly: webhooks")
Action = Literal["workflow_created", "workflow_updated", "workflow_deleted",
                 "workflow_run_started", "workflow_run_completed"]
EventStatus = Literal["pending", "retrying", "delivered", "failed"]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Url = Annotated[str, Field(min_length=1, max_length=2048)]
Actions = Annotated[list[Action], Field(min_length=1, max_length=20)]
Token = Annotated[str, Field(min_length=1, max_length=4096)]
Timeout = Annotated[int, Field(ge=1, le=60)]
Retries = Annotated[int, Field(ge=0, le=10)]
Backoff = Annotated[int, Field(ge=1, le=300)]
EventKey = Annotated[str, Path(min_length=1, max_length=200)]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    url: Url
    actions: Actions
    enabled: bool = True
    bearer_token: Token | None = None
    timeout_seconds: Timeout = 10
    max_retries: Retries = 3
    retry_backoff_seconds: Backoff = 10


class SubscriptionUpdate(BaseModel):
    """Every field optional; an explicit ``null`` leaves the field as it is."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    url: Url | None = None
    actions: Actions | None = None
    enabled: bool | None = None
    bearer_token: Token | None = None
    clear_bearer_token: bool = False
    timeout_seconds: Timeout | None = None
    max_retries: Retries | None = None
    retry_backoff_seconds: Backoff | None = None

    @model_validator(mode="after")
    def _one_token_verb(self) -> SubscriptionUpdate:
        if self.clear_bearer_token and self.bearer_token is not None:
            raise ValueError("bearer_token and clear_bearer_token are mutually exclusive")
        return self


@router.post("/v1/workflow-webhooks", response_model=WebhookSubscriptionCreatedResponse,
             responses=errors(400))
async def create_subscription(body: SubscriptionCreate, request: Request,
                              ns: Ns) -> JSONResponse:
    """The only answer that carries ``signing_secret``: the HMAC key used while the
    subscription has no bearer token (with a token, the token is the key)."""
    settings = body.model_dump(exclude={"bearer_token"})
    sub = interactly(ns).webhooks.create(settings, body.bearer_token, team(request),
                                          user(request))
    return ok({**sub.doc(), "signing_secret": sub.secret})


@router.get("/v1/workflow-webhooks", response_model=WebhookSubscriptionListResponse)
async def list_subscriptions(ns: Ns, page: PageNo = 1, size: Size = 20,
                             search: Annotated[str | None, Query(max_length=200)] = None,
                             enabled: bool | None = None,
                             action: Action | None = None) -> JSONResponse:
    found = interactly(ns).webhooks.listing(search, enabled, action)
    return ok(wire.page([s.doc() for s in found], "subscriptions", page, size))


@router.get("/v1/workflow-webhooks/events", response_model=WebhookEventListResponse)
async def list_events(ns: Ns, page: PageNo = 1, size: Size = 20,
                      subscription_id: ObjectIdQuery = None,
                      workflow_id: ObjectIdQuery = None,
                      action: Action | None = None,
                      status: EventStatus | None = None) -> JSONResponse:
    found = interactly(ns).webhooks.event_listing(subscription_id, workflow_id, action, status)
    return ok(wire.page([e.doc() for e in found], "events", page, size))


@router.get("/v1/workflow-webhooks/events/{event_id}/attempts",
            response_model=WebhookAttemptListResponse, responses=errors(404))
async def list_attempts(event_id: EventKey, ns: Ns, page: PageNo = 1,
                        size: Size = 20) -> JSONResponse:
    """By the external ``event_id`` (the document id works too); newest first."""
    event = interactly(ns).webhooks.event(event_id)
    return ok(wire.page([a.doc() for a in reversed(event.attempts)], "attempts", page, size))


@router.post("/v1/workflow-webhooks/events/{event_doc_id}/retry",
             response_model=WebhookRetryResponse, responses=errors(404, 409))
async def retry_event(event_doc_id: ObjectId, ns: Ns,
                      body: Annotated[dict | None, Body()] = None) -> JSONResponse:
    interactly(ns).webhooks.retry(event_doc_id)
    return ok({"message": "Webhook event retry triggered", "event_id": event_doc_id})


@router.patch("/v1/workflow-webhooks/{subscription_id}",
              response_model=WebhookSubscriptionResponse, responses=errors(400, 404))
async def update_subscription(subscription_id: ObjectId, body: SubscriptionUpdate,
                              ns: Ns) -> JSONResponse:
    sub = interactly(ns).webhooks.update(subscription_id, body.model_dump(exclude_unset=True))
    return ok(sub.doc())


@router.delete("/v1/workflow-webhooks/{subscription_id}", response_model=ResourceDeletedResponse,
               responses=errors(404))
async def delete_subscription(subscription_id: ObjectId, ns: Ns) -> JSONResponse:
    interactly(ns).webhooks.delete(subscription_id)
    return ok({"message": "Webhook subscription deleted", "id": subscription_id})
