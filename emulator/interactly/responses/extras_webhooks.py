"""What the webhook routes answer (spec §4.9): subscriptions (flat, ``id`` not ``_id``, the
bearer token never shown), their events and delivery attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from emulator.interactly.responses.common import ObjectIdKey, PageFields
from emulator.interactly.responses.extras import RunStatus
from emulator.web.contract import WireModel

WebhookAction = Literal["workflow_created", "workflow_updated", "workflow_deleted",
                        "workflow_run_started", "workflow_run_completed"]


class WebhookSubscriptionResponse(WireModel):
    id: str
    name: str
    url: str
    actions: list[WebhookAction]
    enabled: bool
    has_bearer_token: bool
    timeout_seconds: int
    max_retries: int
    retry_backoff_seconds: int
    team_id: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class WebhookSubscriptionCreatedResponse(WebhookSubscriptionResponse):
    """Only the create answer carries ``signing_secret``."""

    signing_secret: str = Field(description="HMAC-SHA256 key of the deliveries while the "
                                            "subscription has no bearer token (with one, the "
                                            "token is the key)")


class WebhookSubscriptionListResponse(PageFields):
    subscriptions: list[WebhookSubscriptionResponse]


class WebhookPayload(WireModel):
    """The JSON body POSTed to the subscriber (signed in ``X-Interactly-Signature``)."""

    event_id: str
    action: WebhookAction
    timestamp: datetime
    team_id: str
    subscription_id: str
    workflow_id: str | None
    workflow_name: str | None
    workflow_run_id: str | None
    workflow_run_status: RunStatus | None


class WebhookEvent(WireModel):
    object_id: ObjectIdKey
    id: str
    event_id: str = Field(description="External id (``event_<uuid>``), also in the payload")
    subscription_id: str
    action: WebhookAction
    workflow_id: str | None
    workflow_name: str | None
    workflow_run_id: str | None
    workflow_run_status: RunStatus | None
    payload: WebhookPayload
    status: Literal["pending", "retrying", "delivered", "failed"]
    attempts_count: int
    delivered_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When the next retry is due")
    created_at: datetime
    updated_at: datetime


class WebhookEventListResponse(PageFields):
    events: list[WebhookEvent]


class WebhookAttempt(WireModel):
    object_id: ObjectIdKey
    id: str
    event_id: str
    subscription_id: str
    attempt_number: int
    action: WebhookAction
    request_url: str
    success: bool
    response_status_code: int | None = Field(description="Null when no answer came back")
    response_body: str | None
    error_message: str | None
    latency_ms: int
    created_at: datetime


class WebhookAttemptListResponse(PageFields):
    attempts: list[WebhookAttempt]


class WebhookRetryResponse(WireModel):
    message: str
    event_id: str = Field(description="The event's document id, as addressed")
