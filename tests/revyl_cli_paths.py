"""Every backend HTTP route the official Revyl CLI (``revyl==0.1.195``) calls, kept as data.

This is the CLI-coverage view of docs/coverage-revyl.md: a test walks ``CLI_PATHS`` and fails
when a route is neither served by the emulator nor in a family of ``OUT_OF_SCOPE_FAMILIES``, so
a CLI upgrade that starts calling a new route shows up as a failing test, not as a CLI error
against the emulator.

How it was read (facts only: paths, field names, statuses; no CLI code is copied):

* The routes are the string constants of the Go binary the ``revyl`` 0.1.195 wheel ships
  (``revyl/_bin/revyl-linux-amd64``, ``revyl version`` says v0.1.195, commit 2a1dcf21df3d):
  each ``api.(*Client)`` method's path literal, the HTTP method it passes to the request helper,
  and the JSON field names of its request and response structs, taken from the binary's type
  metadata and debug info.  Query parameters built with ``url.Values`` are listed by key.
* They were cross-read with the mirrored CLI source, RevylAI/revyl-cli at HEAD d426e2a.  That
  HEAD is v0.1.92, *older* than 0.1.195, so ``source`` is the file and line of the path literal
  in that HEAD when it has one, and otherwise the file and line recorded in the 0.1.195
  binary's DWARF, marked ``[0.1.195 DWARF]`` (those files are not in the mirror).
* ``commands`` is best effort: the command handlers that reach the method in the binary's call
  graph, completed from ``revyl --help`` and the mirrored cmd/revyl sources; "revyl" alone is
  the interactive hub, "revyl mcp serve" the MCP server's tools.
* ``request`` names the JSON body fields (``?`` = omitted when empty) and query keys;
  ``response`` is the Go struct the CLI decodes and its JSON fields (abbreviated when long).

Behaviour common to every route (so not repeated per entry): the CLI sends
``Authorization: Bearer <key>``, ``User-Agent: revyl-cli/<version>``, ``X-Revyl-Client: cli``
and, in CI, the CI headers; it retries network errors, 5xx and 429 (honouring Retry-After);
it reads error bodies from ``detail`` (string or object), ``message``, ``error``, ``code`` and
``errors[{field, message, type}]``; a 401 adds a "run revyl auth login" hint and a 402 a
"revyl auth billing" hint.

Not listed, because the backend hands the CLI the full URL: presigned upload and download URLs
(``upload_url``, ``download_url``, ``url``), the multipart ``complete_url``/``abort_url``, the
device worker's own URLs and its WebSocket, and the hot-reload relay tunnel.

Routes found only in the mirror's HEAD source, absent from the 0.1.195 binary (not listed):

* POST /api/v1/execution/api/execute_workflow_id_async (internal/api/client.go:909,
  ExecuteWorkflow); 0.1.195 posts to /api/v1/workflow-executions instead.
* GET /api/v1/scm/github/configs (internal/api/client.go:2910, ListGithubScmConfigs).
* POST /api/v1/scm/github/configs/push (internal/api/client.go:2747, PushPRReviewConfig).

Same routes whose query string changed between HEAD and 0.1.195: GET /api/v1/apps/{app_id}/builds
(HEAD page/page_size only), GET /api/v1/workflows/get_with_last_status (0.1.195 adds
history_limit=1), GET /api/v1/apps/builds/{version_id} (HEAD always include_download_url=true),
GET /api/v1/execution/device-sessions/history (HEAD limit/offset only).

Entries are unique per (method, path) and sorted by family, then path, then method.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CliPath:
    """One backend route the CLI calls.

    ``path`` is a FastAPI-style template whose parameter names are the Go code's, in snake
    case; ``{action:path}`` spans several segments.
    """

    method: str
    path: str
    source: str
    client_method: str
    commands: tuple[str, ...]
    family: str
    status_handling: str
    request: str
    response: str


FAMILIES: tuple[str, ...] = (
    "tests", "workflows", "modules", "scripts", "tags", "variables", "files", "builds", "apps",
    "executions", "reports", "account", "billing", "dashboard", "shareable-links", "devices",
    "streaming", "grounding", "remote-builds", "hot-reload", "atlas", "explorations",
    "recordings", "source-control", "device-login", "telemetry", "other",
)

OUT_OF_SCOPE_FAMILIES: dict[str, str] = {
    "devices": "device sessions, the device proxy and computer runs need a real device or host",
    "streaming": "the worker-connection URL leads to a live device video/WebSocket stream",
    "grounding": "grounding locates an element on a live device screenshot with a vision model",
    "remote-builds": "remote builds and build caches compile the app on Revyl build runners",
    "hot-reload": "hot-reload relays tunnel a developer's local Metro/Expo server to a device",
    "atlas": "Atlas maps and annotations come from exploration runs on real devices",
    "explorations": "explorations are autonomous agent runs on real devices",
    "recordings": "recording compilation turns a recorded device session into test steps",
    "source-control": "GitHub/GitLab integrations, project config and PR proof need an SCM app",
    "device-login": "the browser device-code login needs Revyl's web app; the emulator uses keys",
    "telemetry": "CLI analytics and traces; the CLI is run with REVYL_TELEMETRY_DISABLED=1",
}

CLI_PATHS: tuple[CliPath, ...] = (
    CliPath(
        method="GET",
        path="/api/v1/entity/users/get_user_uuid",
        source="internal/api/client.go:2639",
        client_method="ValidateAPIKey",
        commands=(
            "revyl auth login",
            "revyl auth status",
            "revyl ping",
            "revyl sync",
            "revyl test create",
            "revyl mcp serve",
        ),
        family="account",
        status_handling="401 means an invalid or expired key (login prompt / re-auth hint)",
        request="",
        response="ValidateAPIKeyResponse {user_id, org_id, org_name, email, concurrency_limit}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/entity/users/revoke_cli_api_key",
        source="internal/api/client.go:2657",
        client_method="RevokeCLIAPIKey",
        commands=("revyl auth logout",),
        family="account",
        status_handling="401 and 404 ignored on logout",
        request="json {api_key_id}",
        response="RevokeCLIAPIKeyResponse {success, message}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/",
        source="internal/api/client.go:3309",
        client_method="listApps",
        commands=(
            "revyl app delete",
            "revyl app list",
            "revyl app storekit clear",
            "revyl app storekit disable",
            "revyl app storekit set",
            "revyl app storekit show",
            "revyl atlas area",
            "revyl atlas brief",
            "revyl atlas edge",
            "revyl mcp serve",
        ),
        family="apps",
        status_handling="",
        request="query page, page_size, platform? (ios|android|web), search?",
        response=(
            "CLIPaginatedAppsResponse {items, total, page, page_size, total_pages, has_next, "
            "has_previous}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/",
        source="internal/api/client.go:3483",
        client_method="CreateApp",
        commands=("revyl app create", "revyl build upload", "revyl init", "revyl mcp serve"),
        family="apps",
        status_handling=(
            "409, or 500 whose text contains 'already exists', means the app exists (init/build "
            "upload link it)"
        ),
        request="json {name, platform, description?}",
        response="CreateAppResponse {default_branch_id?, default_branch_name?, id, name, platform}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/apps/{app_id}",
        source="internal/api/client.go:4475",
        client_method="DeleteApp",
        commands=("revyl app delete", "revyl mcp serve"),
        family="apps",
        status_handling="",
        request="",
        response="CLIDeleteAppResponse {message, detached_tests?}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/{app_id}",
        source="internal/api/client.go:3428",
        client_method="getApp",
        commands=(
            "revyl app delete",
            "revyl app storekit clear",
            "revyl app storekit disable",
            "revyl app storekit set",
            "revyl app storekit show",
            "revyl workflow app set",
            "revyl workflow app show",
            "revyl atlas area",
            "revyl atlas brief",
            "revyl mcp serve",
        ),
        family="apps",
        status_handling="",
        request="",
        response=(
            "App {auto_git_branch_enabled?, default_branch_id?, default_branch_name?, "
            "default_branch_pinned_build_id?, id, name, platform, description?, system_prompt?, "
            "current_version?, latest_version?, versions_count}"
        ),
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/apps/{app_id}",
        source="internal/api/build_branches.go:418 [0.1.195 DWARF]",
        client_method="SetDefaultBuildBranch",
        commands=("revyl app branch default",),
        family="apps",
        status_handling="",
        request="json {default_branch_id}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/annotations/feedback",
        source="internal/api/atlas_annotations.go:33",
        client_method="ListAtlasAnnotationFeedback",
        commands=("revyl atlas annotations list", "revyl report annotations list"),
        family="atlas",
        status_handling="",
        request="query app_id?, session_id?, observation_id?, status?, severity?, cursor?, limit?",
        response="AtlasAnnotationFeedbackResponse {closed_count, items, next_cursor?, open_count}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-attachments/uploads",
        source="internal/api/atlas_annotations.go:287 [0.1.195 DWARF]",
        client_method="DeclareAtlasAnnotationAttachmentUpload",
        commands=("revyl atlas annotations create", "revyl report annotations create"),
        family="atlas",
        status_handling="",
        request=(
            "json AtlasAttachmentUploadRequest {byte_size, client_upload_id, content_type, "
            "filename}"
        ),
        response=(
            "AtlasAttachmentUploadResponse {attachment?, attachment_id, status, "
            "upload_expires_at?, upload_headers?, upload_url?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-attachments/{attachment_id}/complete",
        source="internal/api/atlas_annotations.go:307 [0.1.195 DWARF]",
        client_method="CompleteAtlasAnnotationAttachmentUpload",
        commands=("revyl atlas annotations create", "revyl report annotations create"),
        family="atlas",
        status_handling="",
        request="",
        response=(
            "AtlasAttachment {byte_size, content_type, filename, height?, id, render_tier, url, "
            "url_expires_at, width?}"
        ),
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-comments/{comment_id}",
        source="internal/api/atlas_annotations.go:232",
        client_method="DeleteAtlasAnnotationComment",
        commands=("revyl atlas annotations delete",),
        family="atlas",
        status_handling="",
        request="",
        response=(
            "AtlasAnnotationComment {agent_tool_mentions?, attachments?, author, body?, "
            "created_at, deleted?, edited_at?, id, mentions?, thread_id, version?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-comments/{comment_id}",
        source="internal/api/atlas_annotations.go:139 [0.1.195 DWARF]",
        client_method="GetAtlasAnnotationComment",
        commands=("revyl atlas annotations edit",),
        family="atlas",
        status_handling="",
        request="",
        response=(
            "AtlasAnnotationComment {agent_tool_mentions?, attachments?, author, body?, "
            "created_at, deleted?, edited_at?, id, mentions?, thread_id, version?}"
        ),
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-comments/{comment_id}",
        source="internal/api/atlas_annotations.go:211",
        client_method="EditAtlasAnnotationComment",
        commands=("revyl atlas annotations edit",),
        family="atlas",
        status_handling="",
        request=(
            "json AtlasAnnotationCommentEditRequest {add_attachment_ids?, body?, "
            "clear_attachments?, expected_version?, mentions?, remove_attachment_ids?}"
        ),
        response=(
            "AtlasAnnotationComment {agent_tool_mentions?, attachments?, author, body?, "
            "created_at, deleted?, edited_at?, id, mentions?, thread_id, version?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}",
        source="internal/api/atlas_annotations.go:51",
        client_method=(
            "GetAtlasAnnotationThreadForSession / GetAtlasAnnotationThreadScreenshotURLForSession"
        ),
        commands=("revyl atlas annotations get", "revyl report annotations get"),
        family="atlas",
        status_handling="",
        request="",
        response="AtlasAnnotationThreadResponse {thread}",
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}/anchor",
        source="internal/api/atlas_annotations.go:189",
        client_method="MoveAtlasAnnotationThread",
        commands=("revyl atlas annotations move",),
        family="atlas",
        status_handling="",
        request="json AtlasAnnotationAnchorMoveRequest {expected_version, x, y}",
        response="AtlasAnnotationThreadResponse {thread}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}/dismiss",
        source="internal/api/atlas_annotations.go:165",
        client_method="ChangeAtlasAnnotationStatusForSession",
        commands=(
            "revyl atlas annotations dismiss",
            "revyl atlas annotations reopen",
            "revyl atlas annotations resolve",
        ),
        family="atlas",
        status_handling="",
        request="json AtlasAnnotationStatusChangeRequest {expected_version}",
        response="AtlasAnnotationThreadResponse {thread}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}/reopen",
        source="internal/api/atlas_annotations.go:167",
        client_method="ChangeAtlasAnnotationStatusForSession",
        commands=(
            "revyl atlas annotations dismiss",
            "revyl atlas annotations reopen",
            "revyl atlas annotations resolve",
        ),
        family="atlas",
        status_handling="",
        request="json AtlasAnnotationStatusChangeRequest {expected_version}",
        response="AtlasAnnotationThreadResponse {thread}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}/replies",
        source="internal/api/atlas_annotations.go:138",
        client_method="AddAtlasAnnotationReplyForSession",
        commands=("revyl atlas annotations reply", "revyl report annotations reply"),
        family="atlas",
        status_handling="",
        request=(
            "json AtlasAnnotationReplyRequest {agent_tool_mentions?, attachment_ids?, body, "
            "client_request_id?, mentions?}"
        ),
        response=(
            "AtlasAnnotationCommentResponse {comment, idempotent_replay?, thread_last_activity_at}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}/resolve",
        source="internal/api/atlas_annotations.go:163",
        client_method="ChangeAtlasAnnotationStatusForSession",
        commands=(
            "revyl atlas annotations dismiss",
            "revyl atlas annotations reopen",
            "revyl atlas annotations resolve",
        ),
        family="atlas",
        status_handling="",
        request="json AtlasAnnotationStatusChangeRequest {expected_version}",
        response="AtlasAnnotationThreadResponse {thread}",
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/atlas/v2/apps/{app_id}/annotation-threads/{thread_id}/severity",
        source="internal/api/atlas_annotations.go:413 [0.1.195 DWARF]",
        client_method="SetAtlasAnnotationSeverityForSession",
        commands=("revyl atlas annotations severity", "revyl report annotations severity"),
        family="atlas",
        status_handling="",
        request="json AtlasAnnotationSeverityChangeRequest {expected_version, severity?}",
        response="AtlasAnnotationThreadResponse {thread}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/edge-runs",
        source="internal/api/client.go:3231",
        client_method="GetAtlasEdgeRuns",
        commands=("revyl atlas edge",),
        family="atlas",
        status_handling="",
        request="query source, target, action_type?, action_label?, limit?",
        response="AtlasResponse (free-form JSON object)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/entities/{entity_id}/observations",
        source="internal/api/client.go:3251",
        client_method="GetAtlasEntityObservations",
        commands=("revyl atlas observations",),
        family="atlas",
        status_handling="",
        request="",
        response="AtlasResponse (free-form JSON object)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/graph",
        source="internal/api/client.go:3179",
        client_method="GetAtlasGraph",
        commands=(
            "revyl atlas area",
            "revyl atlas brief",
            "revyl atlas edge",
            "revyl atlas graph",
            "revyl atlas map",
            "revyl atlas neighbors",
            "revyl atlas report",
            "revyl atlas screen",
            "revyl atlas search",
        ),
        family="atlas",
        status_handling="",
        request="",
        response="AtlasResponse (free-form JSON object)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/observations/{observation_id}",
        source="internal/api/client.go:3255",
        client_method="GetAtlasObservation",
        commands=("revyl atlas observation", "revyl atlas report"),
        family="atlas",
        status_handling="",
        request="",
        response="AtlasResponse (free-form JSON object)",
    ),
    CliPath(
        method="POST",
        path=(
            "/api/v1/atlas/v2/apps/{app_id}/observations/{observation_id}/annotation-anchor-previe"
            "w"
        ),
        source="internal/api/atlas_annotations.go:94",
        client_method="PreviewAtlasAnnotationAnchor",
        commands=("revyl atlas annotations create",),
        family="atlas",
        status_handling="",
        request="json AtlasAnnotationAnchorPreviewRequest {target}",
        response=(
            "AtlasAnnotationAnchorPreviewResponse {evidence?, normalized_x, normalized_y, "
            "observation_id, pixel_x, pixel_y, screenshot_height, screenshot_width}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/observations/{observation_id}/annotation-threads",
        source="internal/api/atlas_annotations.go:72",
        client_method="ListAtlasObservationAnnotationThreads",
        commands=("revyl atlas observation",),
        family="atlas",
        status_handling="",
        request="",
        response=(
            "AtlasAnnotationObservationThreadsResponse {closed_count, observation_id, open_count, "
            "threads}"
        ),
    ),
    CliPath(
        method="POST",
        path=(
            "/api/v1/atlas/v2/apps/{app_id}/observations/{observation_id}/grounded-annotation-thre"
            "ads"
        ),
        source="internal/api/atlas_annotations.go:116",
        client_method="CreateGroundedAtlasAnnotationThread",
        commands=("revyl atlas annotations create",),
        family="atlas",
        status_handling="",
        request=(
            "json AtlasGroundedAnnotationThreadCreateRequest {attachment_ids?, body, "
            "client_request_id, mentions?, severity?, target}"
        ),
        response=(
            "AtlasGroundedAnnotationThreadCreateResponse {atlas_url?, grounding, "
            "idempotent_replay?, thread}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/apps/{app_id}/structure",
        source="internal/api/client.go:3247",
        client_method="GetAtlasStructure",
        commands=("revyl atlas",),
        family="atlas",
        status_handling="",
        request="",
        response="AtlasResponse (free-form JSON object)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/atlas/v2/index",
        source="internal/api/client.go:3193",
        client_method="GetAtlasIndex",
        commands=("revyl atlas apps",),
        family="atlas",
        status_handling="",
        request="query search?, limit, offset, content_only?, olap_ready?, summary_first?",
        response="AtlasResponse (free-form JSON object)",
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/sessions/{session_id}/annotation-anchor-preview",
        source="internal/api/atlas_annotations.go:203 [0.1.195 DWARF]",
        client_method="PreviewSessionAtlasAnnotationAnchor",
        commands=("revyl report annotations create",),
        family="atlas",
        status_handling="",
        request=(
            "json AtlasSessionAnnotationAnchorPreviewRequest {action_id?, screenshot_role?, "
            "target}"
        ),
        response=(
            "AtlasSessionAnnotationAnchorPreviewResponse {app_id, evidence?, normalized_x, "
            "normalized_y, observation_id, pixel_x, pixel_y, preview_receipt, screenshot_height, "
            "screenshot_url, screenshot_width}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/atlas/v2/sessions/{session_id}/grounded-annotation-threads",
        source="internal/api/atlas_annotations.go:245 [0.1.195 DWARF]",
        client_method="CreateSessionGroundedAtlasAnnotationThread",
        commands=("revyl report annotations create",),
        family="atlas",
        status_handling="",
        request=(
            "json AtlasSessionGroundedAnnotationThreadCreateRequest {action_id?, body, "
            "client_request_id, mentions?, preview_receipt?, screenshot_role?, severity?, target}"
        ),
        response=(
            "AtlasGroundedAnnotationThreadCreateResponse {atlas_url?, grounding, "
            "idempotent_replay?, thread}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/entity/orgs/members",
        source="internal/api/atlas_annotations.go:228 [0.1.195 DWARF]",
        client_method="ListAtlasAnnotationMembers",
        commands=("revyl atlas annotations members",),
        family="atlas",
        status_handling="",
        request="query query?, limit",
        response="OrganizationMembersResponse {members}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/billing/plan",
        source="internal/api/client.go:840",
        client_method="GetBillingPlan",
        commands=("revyl auth billing",),
        family="billing",
        status_handling="",
        request="",
        response="BillingPlanResponse {plan, display_name, monthly_base, free_credit_label}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/builds/{build_id}/runs",
        source="internal/api/build_runs.go:34 [0.1.195 DWARF]",
        client_method="GetBuildRuns",
        commands=("revyl build runs",),
        family="builds",
        status_handling="",
        request="query page, page_size",
        response=(
            "BuildRunsPage {items, total, page, page_size, total_pages, has_next, has_previous}"
        ),
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/apps/builds/{version_id}",
        source="internal/api/client.go:5566",
        client_method="DeleteBuildVersion",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request="no body (best-effort cleanup of a failed upload)",
        response="DeleteBuildVersionResponse {message}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/builds/{version_id}",
        source="internal/api/client.go:4016",
        client_method="GetBuildVersionDetail / GetWebBuild",
        commands=(
            "revyl test build set",
            "revyl test build show",
            "revyl atlas area",
            "revyl atlas brief",
            "revyl atlas edge",
            "revyl atlas graph",
            "revyl atlas map",
            "revyl atlas neighbors",
            "revyl atlas observation",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request="query include_download_url=true|false (absent for Web builds)",
        response=(
            "BuildVersionDetail {auto_git_branch_enabled?, branch_source?, git_branch_name?, "
            "branch_id?, branch_name?, id, app_id?, version, download_url?, package_name?, "
            "metadata?}; Web builds read as WebBuild {id, app_id, artifact_kind, version?, ...}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/builds/{version_id}/complete-upload",
        source="internal/api/client.go:1172",
        client_method="finalizeRowBackedUpload / UploadManagedWebBuild",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request=(
            "json {version_id, metadata (source=cli_upload, package_id, ...), package_name, pin?};"
            " managed Web builds add branch_id?, branch_name?, git_branch_name?, web?{artifact?, "
            "run?, sha256, size_bytes}"
        ),
        response=(
            "UploadBuildResponse {branch_id?, branch_name?, version_id, version, package_id?, "
            "warnings?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/builds/{version_id}/extract-package-id",
        source="internal/api/client.go:1145",
        client_method="finalizeRowBackedUpload",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling=(
            "a 200 with error set, or with no package_id, fails the upload (then DELETE the "
            "version)"
        ),
        request="no body",
        response="extractBuildPackageIDResponse {package_id?, error?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/resolve",
        source="internal/api/build_branches.go:289 [0.1.195 DWARF]",
        client_method="ResolveBranchWithGitBranch / resolveBuildSelection / GetLatestWebBuild",
        commands=(
            "revyl build list",
            "revyl test build set",
            "revyl test build show",
            "revyl atlas area",
            "revyl atlas brief",
            "revyl atlas edge",
            "revyl atlas graph",
            "revyl atlas map",
            "revyl atlas neighbors",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling=(
            "resolution_status branch_has_no_builds / no_compatible_build handled as user errors"
        ),
        request=(
            "query include_download_url=true|false (optional); json {build_var_id, "
            "git_branch_name?, branch_id?, branch_name?, build_selection? "
            "(latest|latest_all_branches|pinned|inherit), pinned_build_id?}"
        ),
        response=(
            "buildResolutionResult {auto_git_branch_enabled?, branch_source, git_branch_name, "
            "build_var_id, app_name, version_id, branch_id, branch_name, resolution_status, "
            "download_url}; Web: BuildResolutionResponse adds artifact_kind, artifact_url, "
            "deploy_url, static_url, platform, version"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/{app_id}/branches",
        source="internal/api/build_branches.go:257 [0.1.195 DWARF]",
        client_method="ListBuildBranches",
        commands=(
            "revyl app branch list",
            "revyl build list",
            "revyl test build set",
            "revyl test build show",
            "revyl atlas area",
            "revyl atlas brief",
            "revyl atlas edge",
            "revyl atlas graph",
            "revyl atlas map",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request="query name?, search?, page, page_size",
        response="BuildBranchesPage {branches, total, page, page_size, total_pages}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/branches",
        source="internal/api/build_branches.go:348 [0.1.195 DWARF]",
        client_method="CreateBuildBranch",
        commands=("revyl app branch create",),
        family="builds",
        status_handling="",
        request="json {name}",
        response=(
            "BuildBranch {auto_git_branch_enabled?, id, app_id, name, pinned_build_id, "
            "pinned_build_version, pinned_build_available, is_default?, created_at?, "
            "branch_source?, git_branch_name?, latest_build?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/{app_id}/branches/{branch_id}",
        source="internal/api/build_branches.go:333 [0.1.195 DWARF]",
        client_method="ResolveBranchWithGitBranch",
        commands=(
            "revyl build list",
            "revyl test build set",
            "revyl test build show",
            "revyl atlas area",
            "revyl atlas brief",
            "revyl atlas edge",
            "revyl atlas graph",
            "revyl atlas map",
            "revyl atlas neighbors",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request="",
        response=(
            "BuildBranch {auto_git_branch_enabled?, id, app_id, name, pinned_build_id, "
            "pinned_build_version, pinned_build_available, is_default?, created_at?, "
            "branch_source?, git_branch_name?, latest_build?}"
        ),
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/apps/{app_id}/branches/{branch_id}",
        source="internal/api/build_branches.go:406 [0.1.195 DWARF]",
        client_method="UpdateBuildBranch",
        commands=("revyl app branch pin", "revyl app branch rename", "revyl app branch unpin"),
        family="builds",
        status_handling="",
        request="json {name?, pinned_build_id? (null unpins)}",
        response=(
            "BuildBranch {auto_git_branch_enabled?, id, app_id, name, pinned_build_id, "
            "pinned_build_version, pinned_build_available, is_default?, created_at?, "
            "branch_source?, git_branch_name?, latest_build?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/{app_id}/builds",
        source="internal/api/client.go:2321",
        client_method="ListBuildVersionsWithOptions",
        commands=(
            "revyl build",
            "revyl build list",
            "revyl build upload",
            "revyl build which",
            "revyl test build set",
            "revyl test build show",
            "revyl app delete",
            "revyl app list",
            "revyl app storekit clear",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request="query page, page_size, search?, branch_id?, branch_name?, exact_version?",
        response=(
            "BuildVersionsPage {items, total, page, page_size, total_pages, has_next, "
            "has_previous}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds",
        source="internal/api/client.go:1039",
        client_method="createBuildFromStagedUpload",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request="json {upload_id, version, metadata (source=cli_upload + user metadata), pin?}",
        response=(
            "buildCreatedResponse {branch_id?, branch_name?, id, version, package_name?, "
            "metadata?}; metadata may carry artifact validation warnings"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds/external",
        source="internal/api/device_web.go:55 [0.1.195 DWARF]",
        client_method="CreateExternalURLBuild",
        commands=("revyl build upload", "revyl mcp serve"),
        family="builds",
        status_handling="",
        request="json {url, branch_id?, branch_name?, commit_sha?, metadata?}",
        response=(
            "WebBuild {auto_git_branch_enabled?, id, app_id, artifact_kind, version?, was_reused?,"
            " branch_id?, branch_name?, branch_source?, git_branch_name?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds/from-url",
        source="internal/api/client.go:2148",
        client_method="CreateBuildFromURL",
        commands=("revyl build upload",),
        family="builds",
        status_handling="",
        request=(
            "json {from_url, version, headers?, metadata?, pin?, git_branch_name?, branch_id?, "
            "branch_name?}"
        ),
        response=(
            "CreateBuildFromURLResponse {branch_id?, branch_name?, id, app_id, version, "
            "artifact_url, package_name?, was_reused?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds/multipart-upload/resume",
        source="internal/api/client.go:1426",
        client_method="resumeMultipartPlan",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="409 or 410 discards the saved upload and starts a new one",
        request="json {upload_id, s3_upload_id, version, file_name, file_size}",
        response=(
            "multipartResumeResponse {upload_id, s3_upload_id, part_size, parts, uploaded_parts, "
            "complete_url, abort_url}; uploaded_parts[{part_number, etag, size}]"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds/multipart-upload/start",
        source="internal/api/client.go:1356",
        client_method="uploadBuildMultipart",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request=(
            "query source=cli_upload; json {version, file_name, file_size, git_branch_name?, "
            "branch_id?, branch_name?}; then PUT parts, POST complete_url, DELETE abort_url on "
            "failure"
        ),
        response=(
            "multipartUploadStartResponse {upload_id, s3_upload_id, part_size, parts, "
            "complete_url, abort_url}; parts[{part_number, upload_url}]"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds/upload-session",
        source="internal/api/client.go:998",
        client_method="uploadBuildViaSession",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling=(
            "404 or 405 makes the CLI fall back to the legacy upload-url flow; 401, or 404 'App "
            "not found', gets a hint"
        ),
        request=(
            "query source=cli_upload; json {version, file_name, git_branch_name?, branch_id?, "
            "branch_name?}; then PUT bytes to upload_url"
        ),
        response=(
            "uploadSessionResponse {branch_id?, branch_name?, upload_id, upload_url, content_type}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/{app_id}/builds/upload-url",
        source="internal/api/client.go:1101",
        client_method="uploadBuildLegacyPresigned / UploadManagedWebBuild",
        commands=(
            "revyl build",
            "revyl build upload",
            "revyl dev",
            "revyl init",
            "revyl test run",
            "revyl workflow run",
            "revyl mcp serve",
        ),
        family="builds",
        status_handling="",
        request=(
            "query version, file_name, source=cli_upload (managed Web builds add branch_id?, "
            "branch_name?, git_branch_name?); no body; then PUT bytes to upload_url"
        ),
        response="{version_id, version, upload_url, content_type}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/entity/users/get_dashboard_metrics",
        source="internal/api/client.go:5013",
        client_method="GetDashboardMetrics",
        commands=("revyl",),
        family="dashboard",
        status_handling="",
        request="",
        response=(
            "DashboardMetrics {analytics_degraded?, atlas_generation_running?, avg_test_duration, "
            "avg_test_duration_wow?, checklist_app_uploaded?, checklist_session_started?, "
            "checklist_test_created?, connected_integrations?, dashboard_state?, "
            "failure_run_count?, has_atlas_map?, has_exploration?, org_has_apps?, "
            "success_run_count?, ... (+11 more)}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/entity/users/cli-device-authorizations",
        source="internal/api/cli_device_auth.go:9",
        client_method="CreateCLIDeviceAuthorization / auth.DeviceAuth.CreateAuthorization",
        commands=("revyl auth login", "revyl mcp serve"),
        family="device-login",
        status_handling="",
        request=(
            "json CreateCLIDeviceAuthorizationRequest {client_instance_id?, client_source?, "
            "device_label?}"
        ),
        response=(
            "CreateCLIDeviceAuthorizationResponse {device_code, expires_in, interval, user_code, "
            "verification_uri, verification_uri_complete}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/entity/users/cli-device-authorizations/credentials",
        source="internal/api/cli_device_auth.go:10",
        client_method="RedeemCLIDeviceCredential / auth.DeviceAuth.redeem",
        commands=("revyl auth login",),
        family="device-login",
        status_handling="",
        request="json RedeemCLIDeviceCredentialRequest {device_code}",
        response=(
            "RedeemCLIDeviceCredentialResponse {api_key_id?, api_key_token?, email?, org_id?, "
            "state, user_id?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs",
        source="internal/api/computer_runs.go:79 [0.1.195 DWARF]",
        client_method="ListComputerRuns",
        commands=("revyl computer list",),
        family="devices",
        status_handling="",
        request="query limit",
        response="ComputerRunListResponse {computers, limit, offset, total}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/computer-runs",
        source="internal/api/computer_runs.go:26 [0.1.195 DWARF]",
        client_method="CreateComputerRun",
        commands=("revyl computer create",),
        family="devices",
        status_handling="",
        request="json ComputerRunCreate {computer_session_id, os}",
        response=(
            "ComputerReport {as_of, child_reports?, computer_session_id, created_at, "
            "evidence_completeness?, evidence_write_status?, execution_ended_at?, "
            "execution_started_at?, expires_at, failure_reason?, kind?, org_id, os, release?, ... "
            "(+6 more)}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}",
        source="internal/api/computer_runs.go:31 [0.1.195 DWARF]",
        client_method="GetComputerRun",
        commands=("revyl computer get",),
        family="devices",
        status_handling="",
        request="",
        response=(
            "ComputerReportDetail {as_of, child_reports?, computer_session_id, created_at, "
            "evidence_completeness?, evidence_write_status?, execution_ended_at?, "
            "execution_started_at?, expires_at, failure_reason?, kind?, org_id, os, release?, ... "
            "(+6 more)}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}/export/harbor",
        source="internal/api/computer_runs.go:44 [0.1.195 DWARF]",
        client_method="ExportComputerHarbor",
        commands=("revyl computer export",),
        family="devices",
        status_handling="",
        request="",
        response="archive bytes streamed to a file",
    ),
    CliPath(
        method="POST",
        path="/api/v1/computer-runs/{id}/operations",
        source="internal/api/computer_runs.go:149 [0.1.195 DWARF]",
        client_method="SubmitComputerOperation",
        commands=(
            "revyl computer exec",
            "revyl computer files read",
            "revyl computer process list",
        ),
        family="devices",
        status_handling="",
        request="json ComputerCommandRequest {command, computer_session_id, request_id}",
        response="ComputerCommandResponse {computer_session_id, evidence, execution, operation_id}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}/operations/{operation_id}",
        source="internal/api/computer_runs.go:206 [0.1.195 DWARF]",
        client_method="GetComputerOperation",
        commands=("revyl computer operation get",),
        family="devices",
        status_handling="",
        request="",
        response="ComputerCommandResponse {computer_session_id, evidence, execution, operation_id}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}/report",
        source="internal/api/computer_runs.go:92 [0.1.195 DWARF]",
        client_method="GetComputerReport",
        commands=("revyl computer report",),
        family="devices",
        status_handling="",
        request="",
        response=(
            "ComputerReport {as_of, child_reports?, computer_session_id, created_at, "
            "evidence_completeness?, evidence_write_status?, execution_ended_at?, "
            "execution_started_at?, expires_at, failure_reason?, kind?, org_id, os, release?, ... "
            "(+6 more)}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}/report/atif",
        source="internal/api/computer_runs.go:97 [0.1.195 DWARF]",
        client_method="GetComputerATIF",
        commands=("revyl computer report",),
        family="devices",
        status_handling="",
        request="",
        response=(
            "ComputerATIFTrajectory {agent?, extra, schema_version?, session_id, steps, "
            "trajectory_id}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}/report/performance",
        source="internal/api/computer_runs.go:116 [0.1.195 DWARF]",
        client_method="GetComputerPerformanceReport",
        commands=("revyl computer report",),
        family="devices",
        status_handling="",
        request="query cursor, limit",
        response=(
            "ComputerPerformancePage {as_of, capture_running, computer_session_id, items?, kind?, "
            "latest, next_cursor, source, state, summary, version?, json}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/computer-runs/{id}/screen/actions",
        source="internal/api/computer_screen.go:159 [0.1.195 DWARF]",
        client_method="PerformComputerScreenAction",
        commands=(
            "revyl computer click",
            "revyl computer key",
            "revyl computer type",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request="json ComputerScreenActionRequest {action, screenshot, via}",
        response="ComputerScreenActionResult {screenshot, cursor}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/computer-runs/{id}/screen/screenshot",
        source="internal/api/computer_screen.go:179 [0.1.195 DWARF]",
        client_method="GetComputerScreenshot",
        commands=("revyl computer screenshot", "revyl mcp serve"),
        family="devices",
        status_handling="",
        request="query region?, via?",
        response="ComputerScreenshot {width, height, observed_at, png, cursor}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/computer-runs/{id}/stop",
        source="internal/api/computer_runs.go:138 [0.1.195 DWARF]",
        client_method="StopComputerRun",
        commands=("revyl computer stop",),
        family="devices",
        status_handling="",
        request="",
        response=(
            "ComputerReport {as_of, child_reports?, computer_session_id, created_at, "
            "evidence_completeness?, evidence_write_status?, execution_ended_at?, "
            "execution_started_at?, expires_at, failure_reason?, kind?, org_id, os, release?, ... "
            "(+6 more)}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/computers",
        source="internal/api/computers.go:10 [0.1.195 DWARF]",
        client_method="ListComputers",
        commands=(),
        family="devices",
        status_handling="",
        request="",
        response="CustomerComputerList {computers}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/computers/{instance_id}/shell-sessions",
        source="internal/api/computers.go:24 [0.1.195 DWARF]",
        client_method="OpenComputerShellSession",
        commands=(),
        family="devices",
        status_handling="",
        request="",
        response="MacShellSession {instance_id, region, session_id, stream_url, token_value}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/device-proxy/{workflow_run_id}/{action:path}",
        source="internal/api/client.go:5622",
        client_method="ProxyWorkerRequestDetailed",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl device screenshot",
            "revyl device state list",
            "revyl device tap",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request=(
            "GET for device_state and device_state/list, POST with a JSON body for every other "
            "worker action (tap, swipe, screenshot, install_async, ...)"
        ),
        response="worker response passed through (bytes + status)",
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/device-proxy/{workflow_run_id}/{action:path}",
        source="internal/api/client.go:5622",
        client_method="ProxyWorkerRequestDetailed",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl device screenshot",
            "revyl device state list",
            "revyl device tap",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request=(
            "GET for device_state and device_state/list, POST with a JSON body for every other "
            "worker action (tap, swipe, screenshot, install_async, ...)"
        ),
        response="worker response passed through (bytes + status)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/device-sessions/active",
        source="internal/api/client.go:4285",
        client_method="GetActiveDeviceSessions",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request="query org_id",
        response=(
            "ActiveDeviceSessionsResponse {android_concurrency_limit?, computer_slots_in_use?, "
            "concurrency_limit?, concurrency_mode?, ios_concurrency_limit?, org_id, proof_run_id?,"
            " sessions, web_concurrency_limit?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/device-sessions/history",
        source="internal/api/client.go:5543",
        client_method="QueryDeviceSessionHistory",
        commands=("revyl device history",),
        family="devices",
        status_handling="",
        request="query built from filters (limit, offset, app_id?, branch_id?, branch_name?, ...)",
        response="CLIDeviceSessionHistoryResponse {sessions, total, limit, offset}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/device-sessions/{session_id}",
        source="internal/api/client.go:4331",
        client_method="GetDeviceSessionByID",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl run logs",
            "revyl run network",
            "revyl run perf",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request="",
        response=(
            "DeviceSessionDetail {app_id?, build_id?, branch_id?, branch_name?, build_version?, "
            "commit_sha?, viewer_kind?, id, org_id, source, source_metadata?, platform, "
            "device_model, os_version, ... (+19 more)}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/device-sessions/{session_id}/artifacts/upload-url",
        source="internal/api/client.go:6724",
        client_method="GetSessionArtifactUploadURL",
        commands=("revyl device push",),
        family="devices",
        status_handling="",
        request="json SessionArtifactUploadRequest {content_type?, file_size}",
        response="SessionArtifactUploadResponse {download_url, expires_in, s3_key, upload_url}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/device-targets",
        source="internal/api/client.go:4173",
        client_method="GetDeviceTargets",
        commands=("revyl device targets",),
        family="devices",
        status_handling="",
        request="",
        response="AllPlatformTargets {platforms}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/device/sessions/{session_id}/stop",
        source="internal/api/client.go:4734 [0.1.195 DWARF]",
        client_method="StopDeviceSession",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl device stop",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request="",
        response=(
            "CancelDeviceResponse {success, message?, workflow_run_id?, db_updated?, "
            "request_accepted?, session_settled?, device_released?, hatchet_cancelled?, "
            "session_id?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/device/status/cancel/{workflow_run_id}",
        source="internal/api/client.go:4370",
        client_method="CancelDevice",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl device stop",
            "revyl test create",
            "revyl test open",
            "revyl mcp serve",
        ),
        family="devices",
        status_handling="",
        request="",
        response=(
            "CancelDeviceResponse {success, message?, workflow_run_id?, db_updated?, "
            "request_accepted?, session_settled?, device_released?, hatchet_cancelled?, "
            "session_id?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/mac/shell-sessions",
        source="internal/api/mac_shell.go:9 [0.1.195 DWARF]",
        client_method="OpenMacShellSession",
        commands=(),
        family="devices",
        status_handling="",
        request="",
        response="MacShellSession {instance_id, region, session_id, stream_url, token_value}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/execution/mac/shell-sessions/{session_id}",
        source="internal/api/mac_shell.go:24 [0.1.195 DWARF]",
        client_method="TerminateMacShellSession",
        commands=(),
        family="devices",
        status_handling="",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/start_device",
        source="internal/api/client.go:4143",
        client_method="StartDevice",
        commands=("revyl device start", "revyl test create", "revyl test open", "revyl mcp serve"),
        family="devices",
        status_handling="",
        request=(
            "json StartDeviceRequest {git_branch_name?, branch_id?, branch_name?, "
            "build_selection?, pinned_build_id?, platform, web?, test_id?, ... (+16 more)}"
        ),
        response=(
            "StartDeviceResponse {auto_git_branch_enabled?, branch_source?, error?, error_detail?,"
            " git_branch_name?, iframe_url?, message?, platform, retry_allowed?, session_id?, "
            "status, trace_id?, websocket_url?, workflow_run_id?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/api/execute_test_id_async",
        source="internal/api/client.go:857",
        client_method="ExecuteTest",
        commands=("revyl test run", "revyl mcp serve"),
        family="executions",
        status_handling="",
        request=(
            "json ExecuteTestRequest {test_id, retries?, build_version_id?, git_branch_name?, "
            "branch_id?, branch_name?, build_selection?, pinned_build_id?, "
            "run_config?{execution_mode?{initial_location?, initial_orientation?}, fail_fast?}, "
            "launch_url?, launch_env_var_ids?, device_model?, os_version?, launch_env_vars?, "
            "launch_arguments?, variable_overrides?}"
        ),
        response=(
            "ExecuteTestResponse {auto_git_branch_enabled?, branch_source?, git_branch_name?, "
            "branch_name?, id, task_id, status, message}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/tests/status/cancel/{task_id}",
        source="internal/api/client.go:3853",
        client_method="CancelTest",
        commands=("revyl test cancel", "revyl test run", "revyl mcp serve"),
        family="executions",
        status_handling="404 'execution not found'; 403 permission denied",
        request="no body",
        response="CancelTestResponse {message, status?, success, task_id}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/monitor/stream/unified",
        source="internal/sse/client.go:295",
        client_method=(
            "sse.Monitor.monitorTestSSE / sse.Monitor.monitorWorkflowSSE / execution.RunTest / "
            "execution.RunWorkflow"
        ),
        commands=("revyl test run", "revyl workflow run", "revyl mcp serve"),
        family="executions",
        status_handling=(
            "non-200 or a dropped stream makes the CLI fall back to polling the status routes"
        ),
        request=(
            "no query; headers Authorization: Bearer, Accept: text/event-stream, Cache-Control: "
            "no-cache (SSE)"
        ),
        response=(
            "text/event-stream; JSON event data with org test/workflow monitor items "
            "(sse.OrgTestMonitorItem, sse.OrgWorkflowMonitorItem)"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/get_test_enhanced_history",
        source="internal/api/client.go:5045",
        client_method="GetTestEnhancedHistory",
        commands=(
            "revyl test history",
            "revyl test status",
            "revyl test report",
            "revyl test share",
        ),
        family="executions",
        status_handling="",
        request="query test_id, limit, offset",
        response="CLIEnhancedHistoryResponse {items, total_count, requested_count, found_count}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/get_test_execution_task",
        source="internal/api/client.go:3829",
        client_method="GetTestStatus / sse.Monitor.pollTestStatus",
        commands=("revyl test run", "revyl test share", "revyl mcp serve"),
        family="executions",
        status_handling="",
        request="query task_id",
        response=(
            "CLITestStatusResponse {id, test_id, status, progress, current_step?, "
            "current_step_index, total_steps, steps_completed, error_message?, success?, "
            "workflow_run_id?, started_at?, completed_at?, execution_time_seconds?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/workflow-executions",
        source="internal/api/client.go:1051 [0.1.195 DWARF]",
        client_method="ExecuteWorkflow",
        commands=("revyl workflow run", "revyl mcp serve"),
        family="executions",
        status_handling="",
        request=(
            "json ExecuteWorkflowRequest {workflow_id, retries?, concurrency_limit_override?, "
            "git_branch_name?, branch_name?, build_selection?, build_config?{android_build?, "
            "ios_build?}, override_build_config?, location_config?{latitude, longitude}, "
            "override_location?, variable_overrides?, launch_env_var_ids?, launch_env_vars?, "
            "launch_arguments?}"
        ),
        response="ExecuteWorkflowResponse {task_id}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/workflows/status/cancel/{task_id}",
        source="internal/api/client.go:3877",
        client_method="CancelWorkflow",
        commands=("revyl workflow cancel", "revyl workflow run", "revyl mcp serve"),
        family="executions",
        status_handling="404 'execution not found'; 403 permission denied",
        request="no body",
        response="WorkflowCancelResponse {message, success, task_id}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/workflows/status/history/{workflow_id}",
        source="internal/api/client.go:5348",
        client_method="GetWorkflowHistory",
        commands=(
            "revyl workflow history",
            "revyl workflow status",
            "revyl workflow info",
            "revyl workflow report",
            "revyl workflow share",
        ),
        family="executions",
        status_handling="",
        request="query limit, offset",
        response=(
            "CLIWorkflowHistoryResponse {workflow_id, executions, total_count, success_rate, "
            "average_duration?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/workflows/status/{task_id}",
        source="internal/api/client.go:5332",
        client_method="GetWorkflowStatus / sse.Monitor.pollWorkflowStatus",
        commands=(
            "revyl workflow run",
            "revyl workflow status",
            "revyl workflow report",
            "revyl workflow share",
            "revyl mcp serve",
        ),
        family="executions",
        status_handling=(
            "404 makes status/report/share treat the argument as a workflow id and use its latest "
            "execution (history)"
        ),
        request="",
        response=(
            "CLIWorkflowStatusResponse {child_tasks?, execution_id?, workflow_id, status, "
            "progress, completed_tests, total_tests, passed_tests, failed_tests, started_at?, "
            "estimated_completion?, duration?, error_message?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/explorations/apps/{app_id}",
        source="internal/api/exploration.go:11",
        client_method="LaunchExploration",
        commands=("revyl explore run",),
        family="explorations",
        status_handling="",
        request=(
            "json ExplorationLaunchRequest {auth_instructions?, branch_id?, branch_name?, "
            "build_id?, build_selection?, device_model?, env_vars?, git_branch_name?, ... (+12 "
            "more)}"
        ),
        response="ExplorationLaunchResponse {report_url, run}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/explorations/{run_id}",
        source="internal/api/exploration.go:12",
        client_method="GetExploration",
        commands=("revyl explore status",),
        family="explorations",
        status_handling="",
        request="",
        response=(
            "ExplorationRunResponse {app_id, atlas_status, branch_id?, branch_name?, build_id?, "
            "build_version?, completed_at?, config?, created_at, customer_status, "
            "execution_status, findings?, id, mode, ... (+4 more)}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/explorations/{run_id}/cancel",
        source="internal/api/exploration.go:14",
        client_method="CancelExploration",
        commands=("revyl explore cancel",),
        family="explorations",
        status_handling="",
        request="",
        response="ExplorationCancelResponse {execution_status, hatchet_cancelled, run_id}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/explorations/{run_id}/report",
        source="internal/api/exploration.go:13",
        client_method="GetExplorationReport",
        commands=("revyl explore status",),
        family="explorations",
        status_handling="",
        request="",
        response=(
            "ExplorationRunReportResponse {app_name?, app_platform?, children?, "
            "completed_children?, progress?, run, total_children?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/files/",
        source="internal/api/client.go:6255",
        client_method="ListOrgFiles",
        commands=(
            "revyl file delete",
            "revyl file download",
            "revyl file edit",
            "revyl file list",
            "revyl app storekit set",
            "revyl test storekit set",
            "revyl mcp serve",
        ),
        family="files",
        status_handling="",
        request="query limit, offset",
        response="CLIOrgFileListResponse {files, count}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/files/upload-url",
        source="internal/api/client.go:6269",
        client_method="GetOrgFileUploadURL",
        commands=(
            "revyl file upload",
            "revyl app storekit set",
            "revyl test storekit set",
            "revyl mcp serve",
        ),
        family="files",
        status_handling="",
        request=(
            "json {filename, file_size, display_name?, description?, content_type?}; then PUT "
            "bytes to upload_url"
        ),
        response="CLIOrgFileUploadResponse {file, upload_url, s3_key?, expires_in, content_type}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/files/{file_id}",
        source="internal/api/client.go:6326",
        client_method="DeleteOrgFile",
        commands=("revyl file delete", "revyl mcp serve"),
        family="files",
        status_handling="204 (empty body) accepted",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/files/{file_id}",
        source="internal/api/client.go:6297",
        client_method="UpdateOrgFile",
        commands=("revyl file edit", "revyl mcp serve"),
        family="files",
        status_handling="",
        request="json {filename?, description?}",
        response=(
            "CLIOrgFile {id, org_id, user_id, filename, file_size, content_type?, description?, "
            "status?, created_at, updated_at}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/files/{file_id}/complete-upload",
        source="internal/api/client.go:6340",
        client_method="CompleteOrgFileUpload",
        commands=(
            "revyl file edit",
            "revyl file upload",
            "revyl app storekit set",
            "revyl test storekit set",
            "revyl mcp serve",
        ),
        family="files",
        status_handling="",
        request="json {s3_key?, filename?, file_size?, content_type?, description?}",
        response=(
            "CLIOrgFile {id, org_id, user_id, filename, file_size, content_type?, description?, "
            "status?, created_at, updated_at}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/files/{file_id}/download-url",
        source="internal/api/client.go:6283",
        client_method="GetOrgFileDownloadURL",
        commands=(
            "revyl file delete",
            "revyl file download",
            "revyl file edit",
            "revyl app storekit set",
            "revyl test storekit set",
            "revyl mcp serve",
        ),
        family="files",
        status_handling="",
        request="then GET url",
        response="CLIOrgFileDownloadResponse {url, filename, expires_in}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/files/{file_id}/replace-url",
        source="internal/api/client.go:6312",
        client_method="GetOrgFileReplaceURL",
        commands=("revyl file edit", "revyl mcp serve"),
        family="files",
        status_handling="",
        request=(
            "json {filename, file_size, display_name?, description?, content_type?}; then PUT "
            "bytes to upload_url"
        ),
        response="CLIOrgFileUploadResponse {file, upload_url, s3_key?, expires_in, content_type}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/execution/ground",
        source="internal/api/client.go:4233",
        client_method="GroundElement",
        commands=("revyl mcp serve",),
        family="grounding",
        status_handling="",
        request=(
            "json GroundElementRequest {target, image_base64, width, height, platform?, "
            "session_id?}"
        ),
        response="GroundElementResponse {x, y, found, error?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/hotreload/relays",
        source="internal/api/client.go:3895",
        client_method="CreateHotReloadRelay",
        commands=("revyl dev", "revyl mcp serve"),
        family="hot-reload",
        status_handling="",
        request="json HotReloadRelayCreateParams {provider?, platform?}",
        response=(
            "HotReloadRelaySession {relay_id, public_url, connect_url, connect_token, transport, "
            "expires_at}"
        ),
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/hotreload/relays/{relay_id}",
        source="internal/api/client.go:3934",
        client_method="RevokeHotReloadRelay",
        commands=("revyl dev", "revyl mcp serve"),
        family="hot-reload",
        status_handling="",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="POST",
        path="/api/v1/hotreload/relays/{relay_id}/heartbeat",
        source="internal/api/client.go:3915",
        client_method="HeartbeatHotReloadRelay",
        commands=("revyl dev",),
        family="hot-reload",
        status_handling="",
        request="",
        response="HotReloadRelayHeartbeatStatus {relay_id, expires_at, active}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/modules/create",
        source="internal/api/client.go:4596",
        client_method="CreateModule",
        commands=("revyl module create", "revyl mcp serve"),
        family="modules",
        status_handling="",
        request="json {name, description?, blocks[]}",
        response="CLIModuleSingleResponse {message, result}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/modules/delete/{module_id}",
        source="internal/api/client.go:4645",
        client_method="DeleteModule",
        commands=("revyl module delete", "revyl mcp serve"),
        family="modules",
        status_handling="409 means the module is in use by tests",
        request="",
        response="CLIDeleteModuleResponse {message}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/modules/list",
        source="internal/api/client.go:4549",
        client_method="ListModules",
        commands=(
            "revyl module delete",
            "revyl module get",
            "revyl module insert",
            "revyl module list",
            "revyl module restore",
            "revyl module update",
            "revyl module usage",
            "revyl module versions",
            "revyl init",
            "revyl mcp serve",
        ),
        family="modules",
        status_handling="",
        request="",
        response="CLIModulesListResponse {message, result}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/modules/update/{module_id}",
        source="internal/api/client.go:4621",
        client_method="UpdateModule",
        commands=("revyl module update",),
        family="modules",
        status_handling="409 means modified by someone else (expected_version mismatch)",
        request="json {name?, description?, blocks?, expected_version?}",
        response="CLIModuleSingleResponse {message, result}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/modules/{module_id}",
        source="internal/api/client.go:4573",
        client_method="GetModule",
        commands=(
            "revyl module delete",
            "revyl module get",
            "revyl module insert",
            "revyl module restore",
            "revyl module update",
            "revyl module usage",
            "revyl module versions",
            "revyl test create",
            "revyl mcp serve",
        ),
        family="modules",
        status_handling="",
        request="",
        response="CLIModuleSingleResponse {message, result}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/modules/{module_id}/restore",
        source="internal/api/client.go:4698",
        client_method="RestoreModuleVersion",
        commands=("revyl module restore",),
        family="modules",
        status_handling="",
        request="json {version}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/modules/{module_id}/tests",
        source="internal/api/client.go:4717",
        client_method="GetModuleUsage",
        commands=("revyl module usage",),
        family="modules",
        status_handling="",
        request="",
        response="ModuleUsageResponse {tests, total}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/modules/{module_id}/versions",
        source="internal/api/client.go:4672",
        client_method="GetModuleVersions",
        commands=("revyl module versions",),
        family="modules",
        status_handling="",
        request="query limit, offset",
        response="ModuleVersionListResponse {total, versions}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/support/requests",
        source="internal/api/support.go:8 [0.1.195 DWARF]",
        client_method="CreateSupportRequest",
        commands=("revyl feedback",),
        family="other",
        status_handling="",
        request=(
            "json {type, message, current_url?, context?{cli_version?, os?, arch?, ...}, "
            "attachments?[{name, size, type?, last_modified?}]}"
        ),
        response="SupportRequestResponse {attachments_uploaded?, sent}",
    ),
    CliPath(
        method="GET",
        path="/health_check",
        source="cmd/revyl/doctor.go:370",
        client_method="hotreload.CheckRelayConnectivity / main.checkAPIConnectivity / main.runPing",
        commands=("revyl ping", "revyl doctor", "revyl dev", "revyl"),
        family="other",
        status_handling="anything but 200 is reported as unreachable",
        request="no auth needed; only the status code is read",
        response="status code only",
    ),
    CliPath(
        method="POST",
        path="/api/v1/recordings/compile",
        source="internal/api/client.go:2568",
        client_method="StartRecordingCompile",
        commands=("revyl test create",),
        family="recordings",
        status_handling="",
        request=(
            "json CompileRecordingRequest {interval_end?, interval_end_time?, interval_start?, "
            "interval_start_time?, source_id, source_type, user_feedback?}"
        ),
        response="CompileRecordingStartResponse {job_id, status?}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/recordings/compile/{job_id}",
        source="internal/api/client.go:2584",
        client_method="GetRecordingCompileStatus",
        commands=("revyl test create",),
        family="recordings",
        status_handling="",
        request="",
        response="CompileRecordingStatusResponse {error?, job_id, progress?, result?, status}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/build-caches",
        source="internal/api/client.go:7075",
        client_method="ListBuildCaches",
        commands=("revyl cache list",),
        family="remote-builds",
        status_handling="",
        request="",
        response="BuildCacheListResponse {caches}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/apps/build-caches/{key}",
        source="internal/api/client.go:7099",
        client_method="DeleteBuildCache",
        commands=("revyl cache delete",),
        family="remote-builds",
        status_handling="",
        request="",
        response="BuildCacheDeleteResponse {deleted_objects, key}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/remote",
        source="internal/api/client.go:6787",
        client_method="TriggerRemoteBuild / TriggerManagedWebBuild",
        commands=("revyl build", "revyl dev"),
        family="remote-builds",
        status_handling="",
        request=(
            "json RemoteBuildRequest {branch_id?, branch_name?, build_definition_hash?, "
            "clean_build?, config?, git_branch_name?, image?, pin?, ... (+5 more)}"
        ),
        response="RemoteBuildTriggerResponse {branch_id?, build_job_id, status?}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/remote/runners/available",
        source="internal/api/client.go:6855",
        client_method="CheckBuildRunnersAvailable",
        commands=("revyl dev",),
        family="remote-builds",
        status_handling="",
        request="query platform",
        response="BuildRunnerStatus {available, runner_count, unavailable_reason?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/apps/remote/upload-url",
        source="internal/api/client.go:6759",
        client_method="GetRemoteBuildUploadURL",
        commands=("revyl build", "revyl dev"),
        family="remote-builds",
        status_handling="",
        request="json {app_id, filename?, file_size?}; then a presigned POST of the source archive",
        response=(
            "RemoteBuildSourceUploadResponse {expires_in, max_size_bytes, source_key, "
            "upload_fields?, upload_url}"
        ),
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/apps/remote/{build_job_id}",
        source="internal/api/client.go:6982",
        client_method="CancelRemoteBuild",
        commands=("revyl build cancel",),
        family="remote-builds",
        status_handling="",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/remote/{build_job_id}/logs",
        source="internal/api/client.go:6821",
        client_method="GetRemoteBuildLogs",
        commands=("revyl build", "revyl build status", "revyl dev", "revyl dev logs"),
        family="remote-builds",
        status_handling="",
        request="query after_id?, limit",
        response=(
            "RemoteBuildLogsResponse {events?, has_more_before?, next_cursor?, previous_cursor?, "
            "step_total_count?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/apps/remote/{build_job_id}/status",
        source="internal/api/client.go:6808",
        client_method="GetRemoteBuildStatus",
        commands=("revyl build", "revyl build status", "revyl dev", "revyl dev logs"),
        family="remote-builds",
        status_handling="",
        request="",
        response=(
            "RemoteBuildStatusResponse {app_id?, artifact_type?, branch_id?, branch_name?, "
            "candidate_artifacts?, cloud_agent_conversation?, completed_at?, created_at?, "
            "duration_ms?, error?, has_legacy_logs?, has_post_build_logs?, package_id?, phase?, "
            "... (+10 more)}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/reports-v3/reports/by-execution/{execution_id}/context",
        source="internal/api/client.go:5074",
        client_method="GetReportContextByExecution",
        commands=(
            "revyl atlas report",
            "revyl test report",
            "revyl run logs",
            "revyl run network",
            "revyl run perf",
            "revyl run state",
            "revyl run summary",
            "revyl run trace",
            "revyl test run",
            "revyl mcp serve",
        ),
        family="reports",
        status_handling=(
            "404 with detail.use_legacy=true means no reports-v3 context; a plain 404 'Not Found' "
            "means the route is missing; both print the web report URL"
        ),
        request="query include_steps, include_actions, include_llm_calls (true|false)",
        response=(
            "ReportContextResponse {app_id?, app_name?, branch_id?, branch_name?, build_version?, "
            "completed_at?, created_at?, device_metadata?, device_model?, device_state_partial?, "
            "... (+51 more)}; raw JSON kept for --json"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/reports-v3/reports/by-session/{session_id}/context",
        source="internal/api/client.go:5100",
        client_method="GetReportBySession",
        commands=(
            "revyl atlas report",
            "revyl run logs",
            "revyl run network",
            "revyl run perf",
            "revyl run state",
            "revyl run summary",
            "revyl run trace",
            "revyl mcp serve",
        ),
        family="reports",
        status_handling="404 mapped to 'report not found'",
        request="query include_steps, include_actions, include_llm_calls (true|false)",
        response=(
            "ReportContextResponse {app_id?, app_name?, branch_id?, branch_name?, build_version?, "
            "completed_at?, created_at?, device_metadata?, device_model?, device_state_partial?, "
            "... (+51 more)}; raw JSON kept for --json"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/reports-v3/reports/{report_id}/device-logs",
        source="internal/api/client.go:5129",
        client_method="GetDeviceLogsDownloadURL",
        commands=("revyl run logs",),
        family="reports",
        status_handling="",
        request="",
        response=(
            "DeviceLogsDownloadResponse {compressed, download_url, file_size_bytes?, filename, "
            "partial?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/workflows/share/unified-report",
        source="internal/api/client.go:5368",
        client_method="GetWorkflowUnifiedReport / sse.Monitor.fetchChildTestProgress",
        commands=("revyl workflow report", "revyl workflow run", "revyl mcp serve"),
        family="reports",
        status_handling=(
            "404 prints 'No report available' and the web URL; the run monitor ignores failures"
        ),
        request="json {workflow_task_id}",
        response=(
            "CLIUnifiedWorkflowReportResponse {workflow_task, workflow_detail?, test_info, "
            "child_tasks}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/scripts",
        source="internal/api/client.go:5753",
        client_method="ListScripts",
        commands=(
            "revyl script delete",
            "revyl script get",
            "revyl script insert",
            "revyl script list",
            "revyl script update",
            "revyl script usage",
            "revyl init",
            "revyl sync",
            "revyl test create",
            "revyl mcp serve",
        ),
        family="scripts",
        status_handling="",
        request="query runtime?, limit, offset",
        response="CLIScriptListResponse {scripts, count}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/scripts",
        source="internal/api/client.go:5797",
        client_method="CreateScript",
        commands=("revyl script create", "revyl mcp serve"),
        family="scripts",
        status_handling="",
        request="json {name, code, runtime, description?}",
        response="CLIScriptInfo {id, name, code, runtime, description?, created_at, updated_at}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/tests/scripts/{script_id}",
        source="internal/api/client.go:5829",
        client_method="DeleteScript",
        commands=("revyl script delete", "revyl mcp serve"),
        family="scripts",
        status_handling="204 (empty body) accepted",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/scripts/{script_id}",
        source="internal/api/client.go:5782",
        client_method="GetScript",
        commands=(
            "revyl script delete",
            "revyl script get",
            "revyl script insert",
            "revyl script update",
            "revyl script usage",
            "revyl mcp serve",
        ),
        family="scripts",
        status_handling="",
        request="",
        response="CLIScriptInfo {id, name, code, runtime, description?, created_at, updated_at}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/tests/scripts/{script_id}",
        source="internal/api/client.go:5813",
        client_method="UpdateScript",
        commands=("revyl script update", "revyl mcp serve"),
        family="scripts",
        status_handling="",
        request="json {name?, code?, runtime?, description?}",
        response="CLIScriptInfo {id, name, code, runtime, description?, created_at, updated_at}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/scripts/{script_id}/tests",
        source="internal/api/client.go:5846",
        client_method="GetScriptUsage",
        commands=("revyl script usage",),
        family="scripts",
        status_handling="",
        request="",
        response="CLIScriptUsageResponse {tests, modules, total}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/report/async-run/generate_shareable_report_link_by_session",
        source="internal/api/client.go:5211",
        client_method="GenerateShareableSessionLink",
        commands=("revyl session share",),
        family="shareable-links",
        status_handling="",
        request="json {session_id, origin?, expiration_hours (null when unset)}",
        response="CLIShareableLinkResponse {shareable_link}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/report/async-run/generate_shareable_report_link_by_task",
        source="internal/api/client.go:5189",
        client_method="GenerateShareableLink",
        commands=("revyl test share", "revyl test report"),
        family="shareable-links",
        status_handling="",
        request="json {task_id, origin?, expiration_hours (null when unset)}",
        response="CLIShareableLinkResponse {shareable_link}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/workflows/share/generate_shareable_link",
        source="internal/api/client.go:5233",
        client_method="GenerateWorkflowShareableLink",
        commands=("revyl workflow share",),
        family="shareable-links",
        status_handling="",
        request="json {workflow_task_id, origin?, expiration_hours (null when unset)}",
        response="CLIWorkflowShareableLinkResponse {shareable_link, child_links_created?}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/integrations/github/install-url",
        source="internal/api/client.go:2848",
        client_method="GetGithubInstallURL",
        commands=("revyl github connect",),
        family="source-control",
        status_handling="",
        request="",
        response="GithubInstallURLResponse {state_token, install_url}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/integrations/github/repositories",
        source="internal/api/client.go:2873",
        client_method="GetGithubRepositories",
        commands=("revyl github connect", "revyl github status"),
        family="source-control",
        status_handling="",
        request="",
        response="GithubRepositoriesResponse {repositories, installation, has_access}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/integrations/gitlab/connection",
        source="internal/api/gitlab.go:8 [0.1.195 DWARF]",
        client_method="GetGitlabConnection",
        commands=("revyl gitlab connect", "revyl gitlab setup", "revyl gitlab status"),
        family="source-control",
        status_handling="",
        request="",
        response=(
            "GitlabConnectionSummary {configured, connected, connected_at?, connected_by?, "
            "enabled?, instance_url?, needs_reconnect?, token_expires_at?, username?}"
        ),
    ),
    CliPath(
        method="PUT",
        path="/api/v1/integrations/gitlab/connection",
        source="internal/api/gitlab.go:20 [0.1.195 DWARF]",
        client_method="ConnectGitlab",
        commands=("revyl gitlab connect", "revyl gitlab setup"),
        family="source-control",
        status_handling="",
        request="json GitlabConnectRequest {access_token?, instance_url?}",
        response=(
            "GitlabConnectionSummary {configured, connected, connected_at?, connected_by?, "
            "enabled?, instance_url?, needs_reconnect?, token_expires_at?, username?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/integrations/gitlab/repositories",
        source="internal/api/gitlab.go:32 [0.1.195 DWARF]",
        client_method="CheckGitlabAccess",
        commands=("revyl gitlab status",),
        family="source-control",
        status_handling="",
        request="query per_page=1 (access probe)",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/integrations/gitlab/webhook",
        source="internal/api/gitlab.go:43 [0.1.195 DWARF]",
        client_method="GetGitlabWebhook",
        commands=("revyl gitlab setup", "revyl gitlab status"),
        family="source-control",
        status_handling="",
        request="query namespace, repository_name",
        response="GitlabWebhookStatus {configured, last_delivery_at?, verified_at?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/projects/catalog",
        source="internal/api/project_configuration.go:26 [0.1.195 DWARF]",
        client_method="ListRepositoryProjects",
        commands=("revyl config pull", "revyl gitlab setup", "revyl gitlab status"),
        family="source-control",
        status_handling="",
        request=(
            "json RepositoryProjectCatalogQuery {instance_url?, namespace, provider, "
            "repository_name}"
        ),
        response="RepositoryProjectCatalogResponse {projects, repository}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/projects/{project_id}/configuration",
        source="internal/api/project_configuration.go:94 [0.1.195 DWARF]",
        client_method="ReplaceProjectConfiguration",
        commands=("revyl config push",),
        family="source-control",
        status_handling="",
        request=(
            "json ProjectConfigurationReplaceRequest {configuration, force?, locator, "
            "precondition}"
        ),
        response="ProjectConfigurationReplaceResponse {outcome, resource}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/projects/{project_id}/configuration/read",
        source="internal/api/project_configuration.go:51 [0.1.195 DWARF]",
        client_method="ReadProjectConfiguration",
        commands=("revyl config pull", "revyl config show"),
        family="source-control",
        status_handling="",
        request="json ProjectConfigurationReadRequest {locator}",
        response="ProjectConfigurationReadResponse {resource?, state}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/projects/{project_id}/configuration/validate",
        source="internal/api/project_configuration.go:72 [0.1.195 DWARF]",
        client_method="ValidateProjectConfiguration",
        commands=("revyl config validate",),
        family="source-control",
        status_handling="",
        request="json ProjectConfigurationValidateRequest {configuration, locator}",
        response=(
            "ProjectConfigurationValidateResponse {candidate_project_configuration_hash, current, "
            "status}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/projects/{project_id}/cursor-proof-authorization",
        source="internal/api/project_configuration.go:113 [0.1.195 DWARF]",
        client_method="GetProjectCursorProofAuthorization",
        commands=("revyl config authorize-cursor-proof",),
        family="source-control",
        status_handling="",
        request="",
        response=(
            "ProjectCursorProofAuthorizationResponse {authorized, authorized_at?, project_id, "
            "repository, required}"
        ),
    ),
    CliPath(
        method="PUT",
        path="/api/v1/projects/{project_id}/cursor-proof-authorization",
        source="internal/api/project_configuration.go:134 [0.1.195 DWARF]",
        client_method="AuthorizeProjectCursorProof",
        commands=("revyl config authorize-cursor-proof",),
        family="source-control",
        status_handling="",
        request="",
        response=(
            "ProjectCursorProofAuthorizationResponse {authorized, authorized_at?, project_id, "
            "repository, required}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/reports-v3/sessions/{session_id}/proof-media",
        source="internal/api/proof_media.go:21",
        client_method="PublishSessionProofMedia",
        commands=("revyl session publish",),
        family="source-control",
        status_handling="",
        request="multipart/form-data, one part named file",
        response="SessionProofMediaResponse {file_name, public_url}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/scm/proof-runs/comment",
        source="internal/api/proof_comment.go:19",
        client_method="PublishProofComment",
        commands=("revyl proof comment", "revyl session publish"),
        family="source-control",
        status_handling="",
        request="json {body, problem?, blocked?}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/execution/streaming/worker-connection/{workflow_run_id}",
        source="internal/api/client.go:4260",
        client_method="GetWorkerWSURL",
        commands=(
            "revyl dev",
            "revyl dev attach",
            "revyl dev auth refresh",
            "revyl dev stop",
            "revyl dev use",
            "revyl device push",
            "revyl test create",
            "revyl test open",
            "revyl mcp serve",
        ),
        family="streaming",
        status_handling="",
        request="",
        response=(
            "WorkerConnectionResponse {device_height?, device_width?, ice_servers?, message?, "
            "signal_url?, status, whep_url?, worker_ws_url?, workflow_run_id}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/tags",
        source="internal/api/client.go:4814",
        client_method="ListTags",
        commands=("revyl tag delete", "revyl tag list", "revyl tag update", "revyl mcp serve"),
        family="tags",
        status_handling="",
        request="",
        response="CLITagListResponse {tags}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/tags",
        source="internal/api/client.go:4837",
        client_method="CreateTag",
        commands=("revyl tag create", "revyl mcp serve"),
        family="tags",
        status_handling="",
        request="json {name, color?}",
        response="CLITagResponse {id, name, color?, description?, test_count?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/tags/tests/bulk-sync",
        source="internal/api/client.go:4953",
        client_method="BulkSyncTestTags",
        commands=("revyl tag add", "revyl tag remove", "revyl mcp serve"),
        family="tags",
        status_handling="",
        request="json {test_ids[], tags_to_add?[], tags_to_remove?[]}",
        response="CLIBulkSyncTagsResponse {results, success_count, error_count}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/tags/tests/{test_id}",
        source="internal/api/client.go:4904",
        client_method="GetTestTags",
        commands=(
            "revyl tag get",
            "revyl init",
            "revyl sync",
            "revyl test create",
            "revyl test pull",
            "revyl mcp serve",
        ),
        family="tags",
        status_handling="",
        request="",
        response="bare JSON array of CLITagResponse {id, name, color?, description?, test_count?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/tags/tests/{test_id}/sync",
        source="internal/api/client.go:4930",
        client_method="SyncTestTags",
        commands=(
            "revyl tag set",
            "revyl sync",
            "revyl test create",
            "revyl test push",
            "revyl mcp serve",
        ),
        family="tags",
        status_handling="",
        request="json {tag_names[]} (full replacement; unknown names are created)",
        response="CLISyncTagsResponse {test_id, tags}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/tests/tags/{tag_id}",
        source="internal/api/client.go:4885",
        client_method="DeleteTag",
        commands=("revyl tag delete", "revyl mcp serve"),
        family="tags",
        status_handling="",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/tests/tags/{tag_id}",
        source="internal/api/client.go:4862",
        client_method="UpdateTag",
        commands=("revyl tag update",),
        family="tags",
        status_handling="",
        request="json {name?, color?, description?}",
        response="CLITagResponse {id, name, color?, description?, test_count?}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/telemetry/cli-analytics",
        source="internal/analytics/analytics.go:14",
        client_method="analytics.postTelemetryPayload",
        commands=("revyl <any command>",),
        family="telemetry",
        status_handling="",
        request="json analytics event batch, posted by a detached subprocess",
        response="ignored",
    ),
    CliPath(
        method="POST",
        path="/api/v1/telemetry/cli-spans",
        source="internal/api/telemetry.go:33",
        client_method="postCLISpan",
        commands=("revyl dev", "revyl mcp serve"),
        family="telemetry",
        status_handling="",
        request="serialized span payload bytes, header X-Request-ID",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="POST",
        path="/api/v1/telemetry/cli-traces",
        source="internal/api/telemetry.go:32",
        client_method="postCLITrace",
        commands=("revyl dev",),
        family="telemetry",
        status_handling="",
        request="serialized trace payload bytes, header X-Request-ID",
        response="cliTraceIngestResponse {handoff_token, trace_id, request_id}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/create",
        source="internal/api/client.go:2480",
        client_method="CreateTest",
        commands=(
            "revyl sync",
            "revyl test create",
            "revyl test push",
            "revyl init",
            "revyl mcp serve",
        ),
        family="tests",
        status_handling=(
            "409, or 500 whose text contains 'already exists', is a name conflict (init/sync then "
            "link or update)"
        ),
        request=(
            "json CreateTestRequest {branch_id, build_selection, pinned_build_id (always sent, may"
            " be null), pinned_version?, name, platform, tasks, app_id?, org_id?}; the CLI refuses"
            " to send it without app_id"
        ),
        response="CreateTestResponse {id, version, name?}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/tests/delete/{test_id}",
        source="internal/api/client.go:4403",
        client_method="DeleteTest",
        commands=("revyl test delete", "revyl mcp serve"),
        family="tests",
        status_handling="404 treated as already deleted (warning, exit 0); 403 permission denied",
        request="",
        response="DeleteTestResponse {id, message}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/duplicate",
        source="internal/api/client.go:6064",
        client_method="DuplicateTest",
        commands=("revyl test duplicate",),
        family="tests",
        status_handling="",
        request=(
            "json {test_id, new_name, copy_cookies?, copy_variables?, new_app_id?, "
            "target_platform?}"
        ),
        response=(
            "DuplicateTestResponse {cookies_copied?, message, name, platform, steps_count?, "
            "success, tags_copied?, test_id, variables_copied?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/get_simple_tests",
        source="internal/api/client.go:2961",
        client_method="ListOrgTests",
        commands=(
            "revyl sync",
            "revyl test create",
            "revyl test delete",
            "revyl test duplicate",
            "revyl test history",
            "revyl test open",
            "revyl test pull",
            "revyl test remote",
            "revyl test rename",
            "revyl mcp serve",
        ),
        family="tests",
        status_handling="",
        request="query limit, offset (the CLI pages until it has count tests)",
        response="CLISimpleTestListResponse {tests, count}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/get_test_by_id/{test_id}",
        source="internal/api/client.go:2348",
        client_method="GetTest",
        commands=(
            "revyl sync",
            "revyl test build set",
            "revyl test build show",
            "revyl test config set",
            "revyl test config show",
            "revyl test config unset",
            "revyl test create",
            "revyl test delete",
            "revyl test diff",
            "revyl mcp serve",
        ),
        family="tests",
        status_handling=(
            "sync: 404/400/401/403 mark the local test's remote link orphaned; 404 also handled by"
            " test run and test build show"
        ),
        request="",
        response=(
            "TestSummary {branch_id?, build_selection?, pinned_build_id?, id, name, platform, "
            "description?, tasks, version, last_modified_by?, app_id?, pinned_version?, metadata?,"
            " mobile_targets?, orientation?, run_config?}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/get_tests",
        source="internal/api/client.go:3063",
        client_method="ListOrgTestsWithTags / QueryTests",
        commands=("revyl test query", "revyl test remote"),
        family="tests",
        status_handling="",
        request=(
            "query limit, offset; `test query` adds search, platform, app_id, sort_by=name, "
            "sort_dir=asc"
        ),
        response="CLITestListWithTagsResponse {tests, count, total_count?}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/tests/update/{test_id}",
        source="internal/api/client.go:2422",
        client_method="UpdateTest",
        commands=(
            "revyl sync",
            "revyl test build clear",
            "revyl test build set",
            "revyl test config set",
            "revyl test config unset",
            "revyl test create",
            "revyl test open",
            "revyl test push",
            "revyl test rename",
            "revyl mcp serve",
        ),
        family="tests",
        status_handling=(
            "409 with detail.error=version_conflict is a version conflict (push --force resends "
            "without expected_version); other 409s are plain errors"
        ),
        request=(
            "json UpdateTestRequest {branch_id, build_selection, pinned_build_id (always sent, may"
            " be null), name?, description?, tasks?, app_id?, pinned_version?, expected_version?, "
            "run_config?}"
        ),
        response="UpdateTestResponse {id, version}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/yaml/from-blocks",
        source="internal/api/client.go:2553",
        client_method="CreateTestFromBlocks",
        commands=("revyl test create",),
        family="tests",
        status_handling="",
        request="json {blocks[], metadata, options?}",
        response=(
            "CreateTestFromBlocksResponse {success, test_id, blocks_count, generated_ids, errors?,"
            " created_at?}"
        ),
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/yaml/validate-yaml",
        source="internal/api/client.go:2538",
        client_method="ValidateYAML",
        commands=("revyl sync", "revyl test create", "revyl test push", "revyl test validate"),
        family="tests",
        status_handling="",
        request="json {yaml_content, validation_type?, platform?}",
        response="ValidateYAMLResponse {is_valid, validation_type, errors, warnings, messages}",
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/tests/{test_id}/device-target",
        source="internal/api/client.go:5430",
        client_method="UpdateDeviceTarget",
        commands=("revyl sync", "revyl test push"),
        family="tests",
        status_handling="",
        request="json {device_model, os_version, orientation}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="POST",
        path="/api/v1/tests/{test_id}/restore",
        source="internal/api/client.go:6109",
        client_method="RestoreTestVersion",
        commands=("revyl test restore",),
        family="tests",
        status_handling="",
        request="json {version}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/tests/{test_id}/versions",
        source="internal/api/client.go:6087",
        client_method="GetTestVersions",
        commands=("revyl test versions",),
        family="tests",
        status_handling="",
        request="",
        response="TestVersionListResponse {total, versions}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/variables/custom/add",
        source="internal/api/client.go:5929",
        client_method="AddCustomVariable",
        commands=("revyl test var set", "revyl sync", "revyl test push", "revyl mcp serve"),
        family="variables",
        status_handling="",
        request="json {test_uid, variable_name, variable_value}",
        response="CustomVariableResponse {message, result}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/variables/custom/check_exists",
        source="internal/api/client.go:6038",
        client_method="CheckCustomVariableExists",
        commands=(),
        family="variables",
        status_handling="",
        request="query test_id, variable_name",
        response="CheckVariableExistsResponse {exists, variable_name?, variable_value?}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/variables/custom/delete",
        source="internal/api/client.go:6000",
        client_method="DeleteCustomVariable",
        commands=("revyl test var delete", "revyl mcp serve"),
        family="variables",
        status_handling="",
        request="query test_uid, variable_name",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/variables/custom/delete_all",
        source="internal/api/client.go:6018",
        client_method="DeleteAllCustomVariables",
        commands=("revyl test var clear", "revyl sync", "revyl test push", "revyl mcp serve"),
        family="variables",
        status_handling="",
        request="query test_uid",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/variables/custom/read_variables",
        source="internal/api/client.go:5898",
        client_method="ListCustomVariables",
        commands=(
            "revyl test var get",
            "revyl test var list",
            "revyl test var rename",
            "revyl test var set",
            "revyl init",
            "revyl sync",
            "revyl test create",
            "revyl test pull",
            "revyl mcp serve",
        ),
        family="variables",
        status_handling="",
        request="query test_uid",
        response="CustomVariablesResponse {message, result}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/variables/custom/update/{variable_id}",
        source="internal/api/client.go:5982",
        client_method="RenameCustomVariable",
        commands=("revyl test var rename",),
        family="variables",
        status_handling="",
        request="json {test_uid, variable_name}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/variables/custom/update_value",
        source="internal/api/client.go:5958",
        client_method="UpdateCustomVariableValue",
        commands=("revyl test var set", "revyl mcp serve"),
        family="variables",
        status_handling="",
        request="json {test_uid, variable_id, new_value}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/variables/global",
        source="internal/api/client.go:6546",
        client_method="ListGlobalVariables",
        commands=(
            "revyl global var delete",
            "revyl global var get",
            "revyl global var list",
            "revyl global var set",
            "revyl sync",
            "revyl test create",
            "revyl test push",
            "revyl mcp serve",
        ),
        family="variables",
        status_handling="",
        request="",
        response="GlobalVariablesResponse {message, result}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/variables/global",
        source="internal/api/client.go:6573",
        client_method="AddGlobalVariable",
        commands=("revyl global var set",),
        family="variables",
        status_handling="",
        request="json {variable_name, variable_value, is_secret?}",
        response="GlobalVariableResponse {message, result}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/variables/global/{variable_id}",
        source="internal/api/client.go:6613",
        client_method="DeleteGlobalVariable",
        commands=("revyl global var delete",),
        family="variables",
        status_handling="",
        request="",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/variables/global/{variable_id}",
        source="internal/api/client.go:6597",
        client_method="UpdateGlobalVariable",
        commands=("revyl global var set",),
        family="variables",
        status_handling="",
        request="json {variable_name, variable_value?, is_secret?}",
        response="GlobalVariableResponse {message, result}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/variables/ios_storekit/refs",
        source="internal/api/client.go:7052",
        client_method="DeleteStoreKitConfigRef",
        commands=("revyl app storekit clear", "revyl test storekit clear"),
        family="variables",
        status_handling="204 (empty body) accepted",
        request="query scope_type, scope_id",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/variables/ios_storekit/refs",
        source="internal/api/client.go:7036",
        client_method="GetStoreKitConfigRef",
        commands=("revyl app storekit show", "revyl test storekit show"),
        family="variables",
        status_handling="",
        request="query scope_type, scope_id",
        response="StoreKitConfigRefResponse {message, result?}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/variables/ios_storekit/refs",
        source="internal/api/client.go:7022",
        client_method="UpsertStoreKitConfigRef",
        commands=(
            "revyl app storekit disable",
            "revyl app storekit set",
            "revyl test storekit disable",
            "revyl test storekit set",
        ),
        family="variables",
        status_handling="",
        request="json {scope_type, scope_id, mode, file_id (may be null)}",
        response="StoreKitConfigRefResponse {message, result?}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/variables/org_launch_env",
        source="internal/api/client.go:6624",
        client_method="ListOrgLaunchVariables",
        commands=(
            "revyl build secret delete",
            "revyl build secret list",
            "revyl build secret set",
            "revyl global launch-var list",
            "revyl test launch-var attach",
            "revyl test launch-var detach",
            "revyl test launch-var set",
            "revyl sync",
            "revyl test push",
        ),
        family="variables",
        status_handling="",
        request="",
        response="OrgLaunchVariablesResponse {message, result}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/variables/org_launch_env",
        source="internal/api/client.go:6649",
        client_method="AddOrgLaunchVariable",
        commands=("revyl build secret set", "revyl global launch-var create"),
        family="variables",
        status_handling="",
        request="json {key, value, description?, is_secret?}",
        response="OrgLaunchVariableResponse {message, result}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/variables/org_launch_env/test-attachments",
        source="internal/api/client.go:5385",
        client_method="ListTestLaunchEnvVarAttachments",
        commands=(
            "revyl test launch-var attach",
            "revyl test launch-var detach",
            "revyl test launch-var list",
            "revyl init",
            "revyl sync",
            "revyl test create",
            "revyl test pull",
        ),
        family="variables",
        status_handling="",
        request="query test_id",
        response="OrgLaunchVariablesResponse {message, result}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/variables/org_launch_env/test-attachments",
        source="internal/api/client.go:5405",
        client_method="ReplaceTestLaunchEnvVarAttachments",
        commands=(
            "revyl test launch-var attach",
            "revyl test launch-var detach",
            "revyl test launch-var set",
            "revyl sync",
            "revyl test push",
        ),
        family="variables",
        status_handling="",
        request="json {test_id, env_var_ids[]} (full replacement)",
        response="OrgLaunchVariablesResponse {message, result}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/variables/org_launch_env/{variable_id}",
        source="internal/api/client.go:6694",
        client_method="DeleteOrgLaunchVariable",
        commands=("revyl build secret delete", "revyl global launch-var delete"),
        family="variables",
        status_handling="",
        request="",
        response="OrgLaunchVariableDeleteResponse {message, result, detached_test_count}",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/variables/org_launch_env/{variable_id}",
        source="internal/api/client.go:6678",
        client_method="UpdateOrgLaunchVariable",
        commands=("revyl build secret set", "revyl global launch-var update"),
        family="variables",
        status_handling="",
        request="json {key?, value?, description?, is_secret?}",
        response="OrgLaunchVariableResponse {message, result}",
    ),
    CliPath(
        method="POST",
        path="/api/v1/workflows/create",
        source="internal/api/client.go:3562",
        client_method="CreateWorkflow",
        commands=("revyl workflow create", "revyl mcp serve"),
        family="workflows",
        status_handling="",
        request="json {name, tests[], schedule, owner, org_id?}",
        response="CLICreateWorkflowResponse {data: {id, name}}",
    ),
    CliPath(
        method="DELETE",
        path="/api/v1/workflows/delete/{workflow_id}",
        source="internal/api/client.go:4437",
        client_method="DeleteWorkflow",
        commands=("revyl workflow delete", "revyl mcp serve"),
        family="workflows",
        status_handling="404 treated as already deleted (warning, exit 0); 403 permission denied",
        request="",
        response=(
            "DeleteWorkflowResponse {data: WorkflowsBaseSchema {id, name, owner, schedule, "
            "deleted, ...}, message}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/workflows/get_info/{workflow_id}",
        source="internal/api/client.go:3803",
        client_method="GetWorkflowInfo",
        commands=("revyl workflow info", "revyl sync"),
        family="workflows",
        status_handling="",
        request="",
        response=(
            "{data: WorkflowInfoResponse {id, name, test_info[{id, name, platform, last_status?, "
            "last_execution_time?, last_duration?}]}}"
        ),
    ),
    CliPath(
        method="GET",
        path="/api/v1/workflows/get_with_last_status",
        source="internal/api/client.go:3690",
        client_method="ListWorkflowsPage",
        commands=("revyl workflow list", "revyl workflow rename", "revyl mcp serve"),
        family="workflows",
        status_handling="",
        request="query limit, offset, history_limit=1",
        response="CLIWorkflowListResponse {data, count, has_more?, limit?, offset?, total_count?}",
    ),
    CliPath(
        method="GET",
        path="/api/v1/workflows/get_workflow_info",
        source="internal/api/client.go:3759",
        client_method="GetWorkflow",
        commands=(
            "revyl workflow add-tests",
            "revyl workflow app enable",
            "revyl workflow app set",
            "revyl workflow app show",
            "revyl workflow config set",
            "revyl workflow config show",
            "revyl workflow info",
            "revyl workflow location show",
            "revyl workflow remove-tests",
            "revyl mcp serve",
        ),
        family="workflows",
        status_handling=(
            "404 makes the CLI resolve the argument as a workflow name instead; 403 reported by "
            "workflow config show"
        ),
        request="query workflow_id",
        response=(
            "Workflow {default_concurrency_limit, id, name, tests?, schedule?, location_config?, "
            "override_location?, build_config?, override_build_config?, run_config?, "
            "override_run_config?}"
        ),
    ),
    CliPath(
        method="PUT",
        path="/api/v1/workflows/update_build_config/{workflow_id}",
        source="internal/api/client.go:5484",
        client_method="SetWorkflowBuildOverrideEnabled / UpdateWorkflowBuildConfig",
        commands=(
            "revyl workflow app clear",
            "revyl workflow app disable",
            "revyl workflow app enable",
            "revyl workflow app set",
            "revyl mcp serve",
        ),
        family="workflows",
        status_handling="",
        request=(
            "json {build_config, override_build_config}; `workflow app enable|disable` sends only "
            "{override_build_config}"
        ),
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/workflows/update_location_config/{workflow_id}",
        source="internal/api/client.go:5469",
        client_method="UpdateWorkflowLocationConfig",
        commands=(
            "revyl workflow location clear",
            "revyl workflow location set",
            "revyl mcp serve",
        ),
        family="workflows",
        status_handling="",
        request="json {location_config, override_location}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/workflows/update_name/{workflow_id}",
        source="internal/api/client.go:5455",
        client_method="UpdateWorkflowName",
        commands=("revyl workflow rename",),
        family="workflows",
        status_handling="",
        request="json {name}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/workflows/update_run_config/{workflow_id}",
        source="internal/api/client.go:5509",
        client_method="UpdateWorkflowRunConfig",
        commands=("revyl workflow config set",),
        family="workflows",
        status_handling="",
        request=(
            "json {run_config?, override_run_config?, default_concurrency_limit? (null clears it)}"
        ),
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PUT",
        path="/api/v1/workflows/update_tests/{workflow_id}",
        source="internal/api/client.go:6179",
        client_method="UpdateWorkflowTests",
        commands=("revyl workflow add-tests", "revyl workflow remove-tests", "revyl mcp serve"),
        family="workflows",
        status_handling="",
        request="json bare array of test ids (full replacement)",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="PATCH",
        path="/api/v1/workflows/workflow-tests/{workflow_test_id}",
        source="internal/api/client.go:6162",
        client_method="UpdateWorkflowTestFailurePolicy",
        commands=("revyl workflow quarantine add", "revyl workflow quarantine remove"),
        family="workflows",
        status_handling="",
        request="json {failure_policy}",
        response="ignored (any 2xx)",
    ),
    CliPath(
        method="GET",
        path="/api/v1/workflows/workflow/{workflow_id}/tests",
        source="internal/api/client.go:6137",
        client_method="GetWorkflowTestsWithPolicy",
        commands=(
            "revyl workflow quarantine add",
            "revyl workflow quarantine list",
            "revyl workflow quarantine remove",
        ),
        family="workflows",
        status_handling="",
        request="",
        response=(
            "{data: [WorkflowTestWithPolicy {id, test_id, test_name?, platform?, "
            "failure_policy?}]}"
        ),
    ),
)
