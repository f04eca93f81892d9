"""The endpoint inventories: every Revyl seed route and every route an official client calls,
and every Interactly route of spec §4, with who calls it and the test that covers it.
``python -m tests.endpoints`` rewrites both tables in README.md; tests/test_endpoints.py checks
that every route is mounted, that every named test exists, that the README tables are current,
and that the specs list no route the inventories miss.
"""

from __future__ import annotations

import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"
IA_START, IA_END = "<!-- interactly-endpoints:start -->", "<!-- interactly-endpoints:end -->"

EXEC = "api/test_revyl_test_executions.py"
WF = "api/test_revyl_workflows.py"
BUILDS = "api/test_revyl_builds.py"
YAML = "api/test_revyl_yaml.py"
TESTS = "api/test_revyl_tests_and_account.py"
AUTH = "api/test_auth_and_limits.py"
CLI = "live/test_revyl_cli.py"
CLI_B = "live/test_revyl_cli_builds.py"
GHA = "live/test_github_action.py"
SSE = "live/test_sse_stream.py"

# (method, path, callers, test file, test function)
ENDPOINTS: list[tuple[str, str, str, str, str]] = [
    ("GET", "/health_check", "CLI", AUTH, "test_health_check_needs_no_auth"),
    ("GET", "/api/v1/entity/users/get_user_uuid", "CLI", CLI, "test_auth_status_and_ping"),
    ("POST", "/api/v1/execution/api/execute_test_id_async", "seed, CLI", EXEC,
     "test_execute_answers_200_with_task_id_and_id"),
    ("POST", "/api/execute_test_id_async", "Action", GHA,
     "test_run_test_with_test_id_passes_with_outputs"),
    ("GET", "/api/v1/tests/get_test_execution_task", "seed, CLI", EXEC,
     "test_status_follows_the_clock_through_every_phase"),
    ("GET", "/api/v1/tests/get_enhanced_test_execution_task", "Action (declared)", TESTS,
     "test_enhanced_task_lookup"),
    ("POST", "/api/v1/execution/tests/status/cancel/{task_id}", "seed, CLI", EXEC,
     "test_cancel_running_then_cancel_again"),
    ("GET", "/api/v1/tests/get_test_by_id/{test_id}", "CLI", TESTS,
     "test_get_test_by_id_and_404"),
    ("GET", "/api/v1/tests/get_simple_tests", "CLI", TESTS,
     "test_get_simple_tests_pages_and_searches"),
    ("GET", "/api/v1/tests/get_test_enhanced_history", "CLI", TESTS, "test_enhanced_history"),
    ("GET", "/api/v1/reports-v3/reports/by-execution/{task_id}/context", "CLI", TESTS,
     "test_report_context"),
    ("POST", "/api/v1/telemetry/cli-analytics", "CLI", TESTS,
     "test_telemetry_is_accepted_and_dropped"),
    ("POST", "/api/v1/execution/api/execute_workflow_id_async", "seed", WF,
     "test_every_execute_alias_answers_200_with_task_id_and_no_error_substring"),
    ("POST", "/api/v1/workflow-executions", "CLI", CLI, "test_workflow_run_passes"),
    ("POST", "/api/execute_workflow_id_async", "Action, test.sh", GHA,
     "test_scripts_test_sh_then_poll_sh"),
    ("GET", "/api/v1/workflows/status/status/{task_id}", "seed", WF,
     "test_status_aliases_follow_the_run"),
    ("GET", "/api/v1/workflows/status/{task_id}", "CLI", CLI, "test_workflow_run_passes"),
    ("GET", "/api/v1/workflows/tasks/workflow_task/{task_id}", "Action", GHA,
     "test_run_test_with_workflow_id"),
    ("GET", "/api/v1/workflows/tasks/workflow_task", "poll.sh", GHA,
     "test_scripts_test_sh_then_poll_sh"),
    ("GET", "/api/v1/workflows/history/{workflow_id}", "seed", WF, "test_history_both_paths"),
    ("GET", "/api/v1/workflows/status/history/{workflow_id}", "CLI", CLI,
     "test_workflow_cancel_status_history_and_list"),
    ("POST", "/api/v1/workflows/status/cancel/{task_id}", "CLI", CLI,
     "test_workflow_cancel_status_history_and_list"),
    ("POST", "/api/v1/execution/api/v1/workflows/status/cancel/{task_id}", "spec", WF,
     "test_cancel_workflow_cancels_children_both_paths"),
    ("GET", "/api/v1/workflows/get_workflow_info", "CLI", CLI, "test_workflow_run_passes"),
    ("GET", "/api/v1/workflows/get_with_last_status", "CLI", CLI,
     "test_workflow_run_by_name_with_a_failing_child_exits_1"),
    ("POST", "/api/v1/workflows/share/unified-report", "CLI", WF, "test_unified_report"),
    ("POST", "/api/v1/report/async-run/generate_shareable_report_link", "Action", GHA,
     "test_run_test_with_test_id_passes_with_outputs"),
    ("POST", "/api/v1/report/async-run/generate_shareable_report_link_by_task", "CLI", WF,
     "test_shareable_report_link"),
    ("GET", "/api/v1/monitor/stream/unified", "seed, Action, poll.sh, CLI (MCP)", SSE,
     "test_stream_framing_order_and_payloads_for_a_workflow"),
    ("GET", "/api/v1/builds/vars", "seed", BUILDS, "test_app_crud_in_every_family"),
    ("POST", "/api/v1/builds/vars", "seed", BUILDS, "test_app_crud_in_every_family"),
    ("GET", "/api/v1/builds/vars/{id}", "seed", BUILDS, "test_app_crud_in_every_family"),
    ("PATCH", "/api/v1/builds/vars/{id}", "seed", BUILDS, "test_app_crud_in_every_family"),
    ("DELETE", "/api/v1/builds/vars/{id}", "seed", BUILDS, "test_app_crud_in_every_family"),
    ("POST", "/api/v1/builds/vars/{id}/versions/stream-upload", "seed, upload-build.sh",
     GHA, "test_upload_build_sh"),
    ("POST", "/api/v1/builds/vars/{id}/versions/from-url", "seed, Action (expo)", GHA,
     "test_upload_build_file_mode_then_expo_url_mode"),
    ("GET", "/api/v1/builds/vars/{id}/versions", "seed", BUILDS,
     "test_build_list_get_patch_delete"),
    ("GET", "/api/v1/builds/versions/{version_id}", "seed", BUILDS,
     "test_build_list_get_patch_delete"),
    ("PATCH", "/api/v1/builds/versions/{version_id}", "seed", BUILDS,
     "test_build_list_get_patch_delete"),
    ("DELETE", "/api/v1/builds/versions/{version_id}", "seed", BUILDS,
     "test_build_list_get_patch_delete"),
    ("POST", "/api/v1/builds/vars/{id}/versions/upload-url", "Action", GHA,
     "test_upload_build_file_mode_then_expo_url_mode"),
    ("POST", "/api/v1/builds/versions/{version_id}/extract-package-id", "Action", GHA,
     "test_upload_build_file_mode_then_expo_url_mode"),
    ("POST", "/api/v1/builds/versions/{version_id}/complete-upload", "Action", GHA,
     "test_upload_build_file_mode_then_expo_url_mode"),
    ("GET", "/api/v1/apps/", "CLI", CLI_B, "test_app_create_build_upload_and_list"),
    ("POST", "/api/v1/apps/", "CLI", CLI_B, "test_app_create_build_upload_and_list"),
    ("GET", "/api/v1/apps/{app_id}", "CLI", BUILDS, "test_app_crud_in_every_family"),
    ("PATCH", "/api/v1/apps/{app_id}", "CLI", BUILDS, "test_pin_current_version_through_patch"),
    ("DELETE", "/api/v1/apps/{app_id}", "CLI", BUILDS, "test_delete_app_detaches_its_tests"),
    ("GET", "/api/v1/apps/{app_id}/builds", "CLI", CLI_B,
     "test_app_create_build_upload_and_list"),
    ("POST", "/api/v1/apps/{app_id}/builds/upload-session", "CLI", CLI_B,
     "test_app_create_build_upload_and_list"),
    ("POST", "/api/v1/apps/{app_id}/builds", "CLI", CLI_B,
     "test_app_create_build_upload_and_list"),
    ("POST", "/api/v1/apps/{app_id}/builds/upload-url", "CLI (fallback)", BUILDS,
     "test_legacy_presigned_flow_as_the_action_uses_it"),
    ("POST", "/api/v1/apps/{app_id}/builds/from-url", "CLI", BUILDS,
     "test_from_url_policy_and_idempotency"),
    ("POST", "/api/v1/apps/{app_id}/builds/stream-upload", "spec", BUILDS,
     "test_ios_bundle_id_and_fallback_and_rejections"),
    ("GET", "/api/v1/apps/builds/{version_id}", "CLI", BUILDS,
     "test_build_list_get_patch_delete"),
    ("DELETE", "/api/v1/apps/builds/{version_id}", "CLI (cleanup)", BUILDS,
     "test_build_list_get_patch_delete"),
    ("POST", "/api/v1/apps/builds/{version_id}/extract-package-id", "CLI (fallback)", BUILDS,
     "test_legacy_presigned_flow_as_the_action_uses_it"),
    ("POST", "/api/v1/apps/builds/{version_id}/complete-upload", "CLI (fallback)", BUILDS,
     "test_legacy_presigned_flow_as_the_action_uses_it"),
    ("GET", "/api/v1/builds/apps/{app_id}/builds", "spec (Feb 2026)", BUILDS,
     "test_build_list_get_patch_delete"),
    ("PUT", "/_emulator/uploads/{namespace}/{upload_id}", "CLI, Action (presigned PUT)", BUILDS,
     "test_cli_session_upload_flow"),
    ("POST", "/api/v1/yaml/from-yaml", "seed", YAML,
     "test_from_yaml_creates_a_runnable_test_and_upserts_by_name"),
    ("POST", "/api/v1/yaml/from-blocks", "seed", YAML, "test_from_blocks"),
    ("POST", "/api/v1/yaml/validate-yaml", "seed", YAML,
     "test_validate_yaml_counts_and_messages"),
    ("POST", "/api/v1/yaml/conversion/blocks-to-yaml", "seed", YAML,
     "test_conversions_round_trip"),
    ("POST", "/api/v1/yaml/conversion/yaml-to-blocks", "seed", YAML,
     "test_conversions_round_trip"),
    ("POST", "/api/v1/tests/yaml/validate-yaml", "CLI", CLI_B,
     "test_validate_valid_and_invalid"),
    ("POST", "/api/v1/tests/yaml/from-yaml", "docs", YAML,
     "test_from_yaml_creates_a_runnable_test_and_upserts_by_name"),
    ("POST", "/api/v1/tests/yaml/from-blocks", "CLI", YAML, "test_from_blocks"),
    ("POST", "/api/v1/tests/create", "CLI", CLI_B,
     "test_create_from_file_then_push_then_run"),
    ("PUT", "/api/v1/tests/update/{test_id}", "CLI (push)", CLI_B,
     "test_create_from_file_then_push_then_run"),
    ("GET", "/api/v1/tests/scripts", "CLI", CLI_B, "test_create_from_file_then_push_then_run"),
    ("GET", "/api/v1/modules/list", "CLI", CLI_B, "test_create_from_file_then_push_then_run"),
    ("GET", "/api/v1/tests/tags/tests/{test_id}", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    ("POST", "/api/v1/tests/tags/tests/{test_id}/sync", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    ("GET", "/api/v1/variables/custom/read_variables", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    ("POST", "/api/v1/variables/custom/add", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    ("DELETE", "/api/v1/variables/custom/delete_all", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    ("GET", "/api/v1/variables/org_launch_env/test-attachments", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    ("PATCH", "/api/v1/tests/{test_id}/device-target", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
]


IA = "api/test_interactly.py"
IA_GRAPH = "api/test_interactly_graph.py"
IA_WS = "live/test_interactly_ws.py"

# Interactly, spec §4: every route is mounted under /v1 and /workflows/v1 (the WebSocket and
# /v1/session as §3/§4.14 say). (method, path, SDK resource, test file, test function)
INTERACTLY: list[tuple[str, str, str, str, str]] = [
    ("POST", "/v1/workflows", "workflows.create", IA,
     "test_workflow_crud_and_versions_as_the_sdk_does_it"),
    ("GET", "/v1/workflows", "workflows.list", IA,
     "test_workflow_crud_and_versions_as_the_sdk_does_it"),
    ("GET", "/v1/workflows/{id}", "workflows.get", IA, "test_hydrated_create_then_static_turn"),
    ("PATCH", "/v1/workflows/{id}", "workflows.update", IA,
     "test_workflow_crud_and_versions_as_the_sdk_does_it"),
    ("DELETE", "/v1/workflows/{id}", "workflows.delete", IA,
     "test_workflow_crud_and_versions_as_the_sdk_does_it"),
    ("POST", "/v1/workflows/{id}/versions", "versions.create", IA,
     "test_workflow_crud_and_versions_as_the_sdk_does_it"),
    ("GET", "/v1/workflows/{id}/versions", "versions.list", IA,
     "test_workflow_crud_and_versions_as_the_sdk_does_it"),
    ("GET", "/v1/workflows/{id}/versions/{n}", "versions.get", IA_GRAPH,
     "test_version_lifecycle_activate_read_delete"),
    ("POST", "/v1/workflows/{id}/versions/{n}/activate", "versions.activate", IA_GRAPH,
     "test_version_lifecycle_activate_read_delete"),
    ("DELETE", "/v1/workflows/{id}/versions/{n}", "versions.delete", IA_GRAPH,
     "test_version_lifecycle_activate_read_delete"),
    *[(method, f"/v1/{plural}{suffix}", f"{plural}.{verb}", IA_GRAPH,
       "test_documents_by_id_read_merge_patch_and_delete")
      for plural in ("nodes", "edges", "tools")
      for method, suffix, verb in (("POST", "", "create"), ("GET", "", "list"),
                                   ("GET", "/types", "types"), ("GET", "/{id}", "get"),
                                   ("PATCH", "/{id}", "update"), ("DELETE", "/{id}", "delete"))],
    ("POST", "/v1/workflows/{id}/execute", "runs.execute", IA,
     "test_hydrated_create_then_static_turn"),
    ("POST", "/v1/workflows/{id}/runs/{run_id}/pump-companions", "runs.pump_companions", IA,
     "test_rest_runs_advance_background_work_only_when_pumped"),
    ("GET", "/v1/workflow-runs/{id}", "runs.get", IA, "test_hydrated_create_then_static_turn"),
    ("GET", "/v1/workflow-runs", "runs.list", IA,
     "test_run_list_filters_by_date_status_search_and_filters_object"),
    ("DELETE", "/v1/workflow-runs/{id}", "runs.delete", IA_GRAPH,
     "test_version_lifecycle_activate_read_delete"),
    ("WS", "/v1/workflow-runs/ws", "runs.stream", IA_WS,
     "test_static_run_streams_ack_events_and_closes_1000"),
    ("GET", "/v1/session", "runs.stream (token)", IA_WS,
     "test_static_run_streams_ack_events_and_closes_1000"),
]


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    lines = ["| Method | Path | Called by | Covered by |", "|---|---|---|---|"]
    for method, path, who, test_file, test in rows:
        lines.append(f"| {method} | `{path}` | {who} | `tests/{test_file}::{test}` |")
    return "\n".join(lines)


def _replace(readme: str, start: str, end: str, body: str) -> str:
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render(readme: str) -> str:
    readme = _replace(readme, START, END, table(ENDPOINTS))
    return _replace(readme, IA_START, IA_END, table(INTERACTLY))


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    print(f"{len(ENDPOINTS)} Revyl and {len(INTERACTLY)} Interactly endpoints written to "
          f"{README}", file=sys.stderr)
