"""Pydantic models of what the control plane (``/_emulator``) answers (declared on the routes
as ``response_model``; checked under ``--strict``, published in ``/openapi/control.json``).

The control plane is the emulator's own API (no real service to copy), so these models *are*
its contract: test harnesses and generated clients read these fields, and the docs site
describes them from here. Names carry a control-plane flavour (``Journal...``, ``Fault...``,
``Dashboard...``, ``Emulator...``) so they never collide with the emulated APIs' schema names.
The queued-script and fault-rule listings subclass the request models they echo, so a field
added to a request body is declared in its listing too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from emulator.core.faults import FaultSpec
from emulator.interactly.llm import LLMScript
from emulator.revyl.outcomes import OutcomeScript
from emulator.web.contract import WireModel

#: An instant on the namespace clock: ISO-8601 in UTC with milliseconds (``...T00:00:03.000Z``).
Instant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
ClockMode = Literal["realtime", "manual"]
#: Revyl test-execution statuses (Revyl's ``SessionStatus``, plus ``initializing``).
TestExecutionStatus = Literal["initializing", "queued", "starting", "running", "verifying",
                              "stopping", "completed", "failed", "cancelled", "timeout"]
#: Revyl workflow-execution statuses (Revyl's ``WorkflowStatus``).
WorkflowExecutionStatus = Literal["queued", "setup", "running", "completed", "failed",
                                  "cancelled", "timeout"]
#: Interactly run statuses (Interactly's ``WorkflowStatus``).
RunStatus = Literal["not_started", "started", "running", "failed", "completed", "paused",
                    "waiting_for_user_input", "cancelled", "aborted_looping_risk"]
StatusCounts = Annotated[dict[str, int], Field(description="How many, by status")]


# ---------------------------------------------------------------------------- clock, health
class ClockResponse(WireModel):
    """The caller's namespace clock."""

    mode: ClockMode = Field(description="manual: time moves only when a test moves it")
    scale: float = Field(description="realtime mode: virtual seconds per wall-clock second")
    now: Instant
    now_epoch: float = Field(description="`now` as unix seconds")
    pending_timers: int = Field(description="Timers waiting on this clock (pending work)")


class ClockAdvanceResponse(ClockResponse):
    """The clock after the move."""

    fired: int = Field(description="Timers that fired on the way")


class FixtureCounts(WireModel):
    tests: int
    workflows: int
    apps: int


class FixtureSummary(WireModel):
    """What the seed data every new namespace starts from holds."""

    revyl: FixtureCounts


class EmulatorHealthResponse(WireModel):
    status: Literal["ok"]
    ready: bool = Field(description="false until start-up is complete (seed data, state file)")
    fixtures: FixtureSummary
    namespaces: int = Field(description="Namespaces (bearer tokens) seen so far")


class ResetResponse(WireModel):
    reset: int = Field(description="How many namespaces were reset")
    namespace: str = Field(description="The caller's namespace key")


# ---------------------------------------------------------------------------- scripts
class QueuedOutcome(OutcomeScript, WireModel):
    """A queued Revyl outcome as it was pushed (fields left out there are absent here)."""

    remaining: int = Field(description="Executions that will still consume it")


class QueuedOutcomesResponse(WireModel):
    queued: list[QueuedOutcome] = Field(description="In the order they will be consumed")


class QueuedLLMScript(LLMScript, WireModel):
    """A queued fake-LLM behaviour as it was pushed (only the fields given, defaults left
    out)."""

    remaining: int = Field(description="Turns that will still consume it")


class QueuedLLMScriptsResponse(WireModel):
    queued: list[QueuedLLMScript] = Field(description="In the order they will be consumed")


# ---------------------------------------------------------------------------- state
class RevylStateSummary(WireModel):
    tests: int
    workflows: int
    apps: int
    builds: int = Field(description="Builds that are ready (uploaded), across every app")
    pending_uploads: int = Field(description="Presigned uploads not finished yet")
    test_executions: StatusCounts
    workflow_executions: StatusCounts
    scripted_outcomes: list[QueuedOutcome]


class InteractlyStateSummary(WireModel):
    workflows: int
    nodes: int
    edges: int
    runs: StatusCounts
    scripted_llm: list[QueuedLLMScript]


class NamespaceStateResponse(WireModel):
    """Counts of one namespace's definitions, executions and queued scripts."""

    namespace: str = Field(description="The namespace key (a digest of its token)")
    clock: ClockResponse
    revyl: RevylStateSummary
    interactly: InteractlyStateSummary


class AllNamespacesStateResponse(WireModel):
    """``?all=true``: every namespace."""

    namespaces: list[NamespaceStateResponse]


# ---------------------------------------------------------------------------- journal
class JournalEntry(WireModel):
    """One recorded request (or WebSocket connection). Credentials are redacted."""

    seq: int = Field(description="1-based position in the namespace's journal")
    method: str = Field(description='HTTP method, or "WS" for a WebSocket')
    path: str
    query: str = Field(description="The query string, sensitive parameters redacted")
    status: int | None = Field(description="null while a WebSocket has not been answered yet")
    namespace: str | None = Field(description="null for requests without a token")
    time: Instant = Field(description="When it arrived, on the namespace clock")
    time_epoch: float
    duration_ms: float | None = Field(description="null while the request is still running")
    matched: bool = Field(description="false when no route took it (the router's 404/405)")
    fault: str | None = Field(description="Id of the fault rule that answered it")
    headers: dict[str, str]
    body_bytes: int
    body_digest: str | None = Field(description='"sha256:<hex>" of the body; null if empty')
    body: Any = Field(description="The JSON body (redacted); null when absent, not JSON, or "
                                  "larger than the 16 KiB kept")
    body_truncated: bool = Field(description="The body was larger than what is kept")
    close_code: int | None = Field(None, description="WebSockets only: the close code")


class JournalResponse(WireModel):
    namespace: str
    entries: list[JournalEntry] = Field(description="Oldest first")
    count: int = Field(description="Entries in this answer")
    recorded: int = Field(description="Requests recorded in this namespace since its reset")
    evicted: int = Field(description="Oldest entries dropped to stay within `limit`")
    limit: int = Field(description="Entries a namespace keeps (EMULATOR_JOURNAL_LIMIT)")


class JournalFindResponse(WireModel):
    entries: list[JournalEntry]
    count: int


class JournalCountResponse(WireModel):
    count: int


class RouteSuggestion(WireModel):
    path: str = Field(description="A route's path template")
    methods: list[str]
    score: float = Field(description="Similarity, 0 to 1 (best first)")


class UnmatchedJournalEntry(JournalEntry):
    suggestions: list[RouteSuggestion] = Field(description="The closest routes, best first")


class UnmatchedResponse(WireModel):
    unmatched: list[UnmatchedJournalEntry]
    count: int


class ClearedResponse(WireModel):
    cleared: int = Field(description="How many were removed")


# ---------------------------------------------------------------------------- faults
class FaultRuleResponse(FaultSpec, WireModel):
    """A fault rule as it was added (fields left at their defaults are absent)."""

    id: str = Field(description='"fault-<n>": for DELETE /_emulator/faults/{fault_id}')
    applied: int = Field(description="Requests it has answered so far")
    remaining: int | None = Field(description="Uses left (null: no `times` limit)")


class FaultListResponse(WireModel):
    faults: list[FaultRuleResponse] = Field(description="In matching order")


class FaultsClearedResponse(WireModel):
    cleared: int
    faults: list[FaultRuleResponse] = Field(description="Always empty")


class FaultDeletedResponse(WireModel):
    deleted: str = Field(description="The removed rule's id")


# ---------------------------------------------------------------------------- seed, snapshot
class RevylCatalogTotals(WireModel):
    tests: int
    workflows: int
    apps: int


class SeedRevylResult(WireModel):
    """What the document's ``revyl`` part loaded; ``totals``: what the namespace now has."""

    tests: int
    workflows: int
    apps: int
    totals: RevylCatalogTotals


class InteractlyCatalogTotals(WireModel):
    workflows: int


class SeedInteractlyResult(WireModel):
    workflows: int
    workflow_ids: list[str] = Field(description="Ids of the loaded workflows, in order")
    totals: InteractlyCatalogTotals


class SeedResponse(WireModel):
    mode: Literal["merge", "replace"]
    namespace: str
    revyl: SeedRevylResult | None = Field(None, description="Absent when not in the document")
    interactly: SeedInteractlyResult | None = Field(
        None, description="Absent when not in the document")


class SnapshotClock(WireModel):
    mode: ClockMode
    scale: float
    now_epoch: float
    now: Instant
    start_epoch: float = Field(description="Where a reset puts a manual clock back")


class IdStreamState(WireModel):
    """The seeded id generator's state (Python ``random`` state): ids continue after an
    import exactly as they would have."""

    version: int
    internal: list[int]
    gauss_next: float | None


class NamespaceSnapshot(WireModel):
    """One namespace as a document ``POST /_emulator/snapshot`` takes back. The per-API parts
    are the emulator's own records, versioned by ``schema_version`` as a whole."""

    schema_version: Literal[1] = Field(description="An import refuses any other version")
    namespace: str
    clock: SnapshotClock
    ids: IdStreamState
    revyl: dict[str, Any] = Field(description="Definitions, builds (base64), executions with "
                                              "their pending timers, queued outcomes")
    interactly: dict[str, Any] = Field(description="Workflows with versions, nodes, edges, "
                                                   "tools, runs, scripts and every service")
    skipped: list[str] = Field(description="Parts this emulator cannot export (normally none)")


class AllNamespacesSnapshot(WireModel):
    """``?all=true``: every namespace, including those imported but not used since."""

    schema_version: Literal[1]
    namespaces: list[NamespaceSnapshot | dict[str, Any]] = Field(
        description="Live namespaces, then snapshots waiting for their token's first request "
                    "(given back exactly as they were imported)")


class SnapshotImportResponse(WireModel):
    imported: int = Field(description="Namespaces replaced now")
    parked: int | None = Field(None, description="?all=true only: namespaces restored on "
                                                 "their token's first request")
    namespace: str = Field(description="The caller's namespace key")


# ---------------------------------------------------------------------------- dashboard
class DashboardClock(WireModel):
    mode: ClockMode
    scale: float
    now: Instant
    pending_timers: int


class DashboardTestRow(WireModel):
    id: str
    test_name: str
    status: TestExecutionStatus
    steps: str = Field(description='"<completed>/<total>"')
    progress: float = Field(description="Percent")
    platform: str
    workflow_execution_id: str | None
    updated_at: Instant


class DashboardWorkflowRow(WireModel):
    id: str
    workflow_name: str
    status: WorkflowExecutionStatus
    tests: str = Field(description='"<completed>/<total>"')
    passed: int
    failed: int
    updated_at: Instant


class DashboardRevyl(WireModel):
    tests: list[DashboardTestRow] = Field(description="The newest 50, newest first")
    tests_total: int
    workflows: list[DashboardWorkflowRow] = Field(description="The newest 50, newest first")
    workflows_total: int


class DashboardRunRow(WireModel):
    id: str
    workflow_id: str
    workflow_name: str | None = Field(description="null once the workflow is deleted")
    status: RunStatus
    turns: int
    turn_number: int
    last_assistant: str | None = Field(description="The last assistant message, clipped")
    updated_at: Instant


class DashboardInteractly(WireModel):
    runs: list[DashboardRunRow] = Field(description="The newest 50, newest first")
    runs_total: int


class DashboardJournalRow(WireModel):
    at: Instant
    method: str
    path: str = Field(description="With the query string, sensitive parameters redacted")
    status: int | None
    duration_ms: float | None


class DashboardNamespace(WireModel):
    namespace: str
    clock: DashboardClock
    revyl: DashboardRevyl
    interactly: DashboardInteractly
    journal: list[DashboardJournalRow] | None = Field(
        description="The newest 20 requests, newest first, without the dashboard's own")


class DashboardResponse(WireModel):
    """What the page shows; each ``snapshot`` event of the stream carries the same."""

    scoped: bool = Field(description="false: no token was given, every namespace is listed")
    namespaces: list[DashboardNamespace] = Field(
        description="Unscoped: the 50 most recently used namespaces, least recent first")
    namespaces_total: int = Field(description="How many namespaces there are in the view's "
                                              "scope (scoped: 1, or 0 before its first use)")


# ---------------------------------------------------------------------------- webhooks
class DrainResponse(WireModel):
    drained: int = Field(description="Deliveries awaited")
    pending_timers: int = Field(description="Timers still on the clock (retries due later)")


class EmulatorWebhookAttempt(WireModel):
    """One delivery try of an Interactly webhook event."""

    mongo_id: str = Field(alias="_id")
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
    created_at: Instant


class EmulatorWebhookEvent(WireModel):
    """An Interactly webhook event (as Interactly lists it) with every attempt, oldest
    first."""

    mongo_id: str = Field(alias="_id")
    id: str
    event_id: str
    subscription_id: str
    action: str
    workflow_id: str | None
    workflow_name: str | None
    workflow_run_id: str | None
    workflow_run_status: str | None
    payload: dict[str, Any] = Field(description="The body that is delivered")
    status: Literal["pending", "retrying", "delivered", "failed"]
    attempts_count: int
    delivered_at: Instant | None
    last_attempt_at: Instant | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: Instant | None
    created_at: Instant
    updated_at: Instant
    attempts: list[EmulatorWebhookAttempt]


class WebhookDeliveriesResponse(WireModel):
    events: list[EmulatorWebhookEvent] = Field(description="Newest first")
    total: int
    in_flight: int = Field(description="Deliveries being sent right now")
