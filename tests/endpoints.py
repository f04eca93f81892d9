"""The endpoint inventories: every Revyl seed route and every route an official client calls,
and every Interactly route of spec §4, with who calls it and the test that covers it.
``python -m tests.endpoints`` rewrites both tables, each in its page of the documentation site
(docs/coverage-revyl.md, docs/coverage-interactly.md, between their markers);
tests/test_endpoints.py checks that every route is mounted, that every named test exists, that
the tables are current, and that the specs list no route the inventories miss.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.revyl_cli_paths import CLI_PATHS, OUT_OF_SCOPE_FAMILIES, CliPath

DOCS = Path(__file__).resolve().parents[1] / "docs"
REVYL_PAGE = DOCS / "coverage-revyl.md"
INTERACTLY_PAGE = DOCS / "coverage-interactly.md"
CLI_PAGE = DOCS / "coverage-revyl-cli.md"
START, END = "<!-- endpoints:start -->", "<!-- endpoints:end -->"
CLI_START, CLI_END = "<!-- cli-paths:start -->", "<!-- cli-paths:end -->"
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
VARS = "api/test_revyl_variables_files.py"
CLI_V = "live/test_revyl_cli_variables_files.py"

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
    ("DELETE", "/api/v1/tests/delete/{test_id}", "CLI", TESTS,
     "test_delete_test_removes_it_from_lists_workflows_and_runs"),
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
    # CLI 0.1.195 builds: branches, resolve, runs, Web builds, multipart uploads
    ("GET", "/api/v1/apps/{app_id}/branches", "CLI", "live/test_revyl_cli_builds_more.py",
     "test_branches_upload_list_pin_rename_default_and_offline_from_url"),
    ("POST", "/api/v1/apps/{app_id}/branches", "CLI", "live/test_revyl_cli_builds_more.py",
     "test_branches_upload_list_pin_rename_default_and_offline_from_url"),
    ("GET", "/api/v1/apps/{app_id}/branches/{branch_id}", "CLI",
     "api/test_revyl_builds_branches.py",
     "test_every_app_has_a_default_first_branch_and_branches_are_crud"),
    ("PATCH", "/api/v1/apps/{app_id}/branches/{branch_id}", "CLI",
     "live/test_revyl_cli_builds_more.py",
     "test_branches_upload_list_pin_rename_default_and_offline_from_url"),
    ("POST", "/api/v1/apps/resolve", "CLI", "api/test_revyl_builds_branches.py",
     "test_resolve_every_selection_and_status"),
    ("GET", "/api/v1/apps/builds/{build_id}/runs", "CLI", "live/test_revyl_cli_builds_more.py",
     "test_build_runs_lists_the_run_of_a_test"),
    ("POST", "/api/v1/apps/{app_id}/builds/external", "CLI",
     "live/test_revyl_cli_builds_more.py", "test_web_app_registers_a_deployment_url"),
    ("POST", "/api/v1/apps/{app_id}/builds/multipart-upload/start", "CLI",
     "live/test_revyl_cli_builds_more.py", "test_an_artifact_over_64_mib_goes_up_in_parts"),
    ("POST", "/api/v1/apps/{app_id}/builds/multipart-upload/resume", "CLI",
     "api/test_revyl_builds_branches.py",
     "test_multipart_upload_start_parts_complete_and_create"),
    ("POST", "/_emulator/uploads/{namespace}/{upload_id}",
     "CLI (presigned CompleteMultipartUpload)", "live/test_revyl_cli_builds_more.py",
     "test_an_artifact_over_64_mib_goes_up_in_parts"),
    ("DELETE", "/_emulator/uploads/{namespace}/{upload_id}",
     "CLI (presigned AbortMultipartUpload)", "api/test_revyl_builds_branches.py",
     "test_multipart_errors_resume_conflicts_and_abort"),
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
    # modules and scripts (tests/*/test_revyl_modules_scripts.py, the live CLI's file)
    ("GET", "/api/v1/modules/list", "CLI", "live/test_revyl_cli_modules_scripts.py",
     "test_module_create_list_get_update_versions_restore_delete"),
    ("POST", "/api/v1/modules/create", "CLI", "live/test_revyl_cli_modules_scripts.py",
     "test_module_create_list_get_update_versions_restore_delete"),
    ("GET", "/api/v1/modules/{module_id}", "CLI", "live/test_revyl_cli_modules_scripts.py",
     "test_module_create_list_get_update_versions_restore_delete"),
    ("PUT", "/api/v1/modules/update/{module_id}", "CLI", "api/test_revyl_modules_scripts.py",
     "test_module_create_list_get_update_versions_restore_delete"),
    ("DELETE", "/api/v1/modules/delete/{module_id}", "CLI",
     "live/test_revyl_cli_modules_scripts.py",
     "test_a_test_importing_a_module_is_validated_created_and_run"),
    ("POST", "/api/v1/modules/{module_id}/restore", "CLI", "api/test_revyl_modules_scripts.py",
     "test_module_create_list_get_update_versions_restore_delete"),
    ("GET", "/api/v1/modules/{module_id}/tests", "CLI", "api/test_revyl_modules_scripts.py",
     "test_a_test_importing_a_module_validates_runs_and_holds_the_module"),
    ("GET", "/api/v1/modules/{module_id}/versions", "CLI", "api/test_revyl_modules_scripts.py",
     "test_module_create_list_get_update_versions_restore_delete"),
    ("GET", "/api/v1/tests/scripts", "CLI", "api/test_revyl_modules_scripts.py",
     "test_script_create_list_get_update_delete"),
    ("POST", "/api/v1/tests/scripts", "CLI", "live/test_revyl_cli_modules_scripts.py",
     "test_script_create_list_get_update_usage_delete"),
    ("GET", "/api/v1/tests/scripts/{script_id}", "CLI", "api/test_revyl_modules_scripts.py",
     "test_script_create_list_get_update_delete"),
    ("PUT", "/api/v1/tests/scripts/{script_id}", "CLI", "api/test_revyl_modules_scripts.py",
     "test_script_create_list_get_update_delete"),
    ("DELETE", "/api/v1/tests/scripts/{script_id}", "CLI", "api/test_revyl_modules_scripts.py",
     "test_script_create_list_get_update_delete"),
    ("GET", "/api/v1/tests/scripts/{script_id}/tests", "CLI",
     "api/test_revyl_modules_scripts.py", "test_script_usage_by_tests_and_modules"),
    ("GET", "/api/v1/tests/tags/tests/{test_id}", "CLI", "api/test_revyl_tests_tags.py",
     "test_sync_and_bulk_sync_use_the_org_store"),
    ("POST", "/api/v1/tests/tags/tests/{test_id}/sync", "CLI", "api/test_revyl_tests_tags.py",
     "test_sync_and_bulk_sync_use_the_org_store"),
    # test management: the org's tags, the tagged list, duplicates, versions
    ("GET", "/api/v1/tests/tags", "CLI", "live/test_revyl_cli_tests_tags.py",
     "test_tags_create_add_list_filter_rename_delete"),
    ("POST", "/api/v1/tests/tags", "CLI", "live/test_revyl_cli_tests_tags.py",
     "test_tags_create_add_list_filter_rename_delete"),
    ("PATCH", "/api/v1/tests/tags/{tag_id}", "CLI", "api/test_revyl_tests_tags.py",
     "test_tag_crud_with_counts_and_cascades"),
    ("DELETE", "/api/v1/tests/tags/{tag_id}", "CLI", "api/test_revyl_tests_tags.py",
     "test_tag_crud_with_counts_and_cascades"),
    ("POST", "/api/v1/tests/tags/tests/bulk-sync", "CLI", "api/test_revyl_tests_tags.py",
     "test_sync_and_bulk_sync_use_the_org_store"),
    ("GET", "/api/v1/tests/get_tests", "CLI", "api/test_revyl_tests_tags.py",
     "test_get_tests_filters_sorts_and_pages"),
    ("POST", "/api/v1/tests/duplicate", "CLI", "api/test_revyl_tests_tags.py",
     "test_duplicate_makes_a_runnable_copy"),
    ("GET", "/api/v1/tests/{test_id}/versions", "CLI", "api/test_revyl_tests_tags.py",
     "test_versions_restore_and_the_update_version_check"),
    ("POST", "/api/v1/tests/{test_id}/restore", "CLI", "live/test_revyl_cli_tests_tags.py",
     "test_versions_restore_push_conflict_duplicate_and_query"),
    # variables, org files and account (emulator/revyl/variables.py, files.py, account.py)
    *[(method, f"/api/v1/variables/custom/{path}", "CLI", VARS,
       "test_custom_variables_crud_with_stable_ids")
      for method, path in [("GET", "read_variables"), ("POST", "add"), ("GET", "check_exists"),
                           ("PUT", "update/{variable_id}"), ("PUT", "update_value"),
                           ("DELETE", "delete"), ("DELETE", "delete_all")]],
    *[(method, path, "CLI", VARS, "test_global_variables_secrets_and_conflicts")
      for method, path in [("GET", "/api/v1/variables/global"),
                           ("POST", "/api/v1/variables/global"),
                           ("PUT", "/api/v1/variables/global/{variable_id}"),
                           ("DELETE", "/api/v1/variables/global/{variable_id}")]],
    *[(method, path, "CLI", VARS, "test_launch_variables_attachments_and_delete_detaches")
      for method, path in [("GET", "/api/v1/variables/org_launch_env"),
                           ("POST", "/api/v1/variables/org_launch_env"),
                           ("PUT", "/api/v1/variables/org_launch_env/{variable_id}"),
                           ("DELETE", "/api/v1/variables/org_launch_env/{variable_id}"),
                           ("GET", "/api/v1/variables/org_launch_env/test-attachments"),
                           ("PUT", "/api/v1/variables/org_launch_env/test-attachments")]],
    *[(method, "/api/v1/variables/ios_storekit/refs", "CLI", VARS,
       "test_storekit_refs_point_at_org_files") for method in ("GET", "PUT", "DELETE")],
    *[(method, path, "CLI", VARS, "test_org_files_upload_list_download_edit_replace_delete")
      for method, path in [("GET", "/api/v1/files/"), ("POST", "/api/v1/files/upload-url"),
                           ("POST", "/api/v1/files/{file_id}/complete-upload"),
                           ("GET", "/api/v1/files/{file_id}/download-url"),
                           ("PUT", "/api/v1/files/{file_id}"),
                           ("PUT", "/api/v1/files/{file_id}/replace-url"),
                           ("DELETE", "/api/v1/files/{file_id}")]],
    ("PUT", "/_emulator/uploads/{namespace}/files/{upload_id}", "CLI (presigned PUT)", CLI_V,
     "test_file_upload_list_download_replace_delete"),
    ("GET", "/_emulator/downloads/{namespace}/files/{file_id}", "CLI (presigned GET)", CLI_V,
     "test_file_upload_list_download_replace_delete"),
    ("GET", "/api/v1/execution/billing/plan", "CLI", CLI_V, "test_billing_plan_and_feedback"),
    ("POST", "/api/v1/support/requests", "CLI", CLI_V, "test_billing_plan_and_feedback"),
    ("GET", "/api/v1/entity/users/get_dashboard_metrics", "CLI", VARS,
     "test_billing_plan_and_dashboard_metrics_follow_the_state"),
    *[(method, path, "CLI", VARS,
       "test_revoke_key_support_request_session_link_and_device_logs")
      for method, path in [
          ("POST", "/api/v1/entity/users/revoke_cli_api_key"),
          ("POST", "/api/v1/report/async-run/generate_shareable_report_link_by_session"),
          ("GET", "/api/v1/reports-v3/reports/{report_id}/device-logs")]],
    ("GET", "/api/v1/reports-v3/reports/by-session/{session_id}/context", "CLI", CLI_V,
     "test_variables_are_used_by_a_run_and_shown_in_its_report"),
    ("PATCH", "/api/v1/tests/{test_id}/device-target", "CLI", YAML,
     "test_extras_tags_variables_scripts_modules"),
    # workflow management (emulator/revyl/workflow_defs.py)
    ("POST", "/api/v1/workflows/create", "CLI", "live/test_revyl_cli_workflows_manage.py",
     "test_workflow_lifecycle_through_the_cli"),
    ("DELETE", "/api/v1/workflows/delete/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_delete_makes_the_workflow_404_but_keeps_its_executions"),
    ("GET", "/api/v1/workflows/get_info/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_a_created_workflow_is_listed_described_and_runs"),
    ("PUT", "/api/v1/workflows/update_name/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_rename_and_replace_tests"),
    ("PUT", "/api/v1/workflows/update_tests/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_rename_and_replace_tests"),
    ("PUT", "/api/v1/workflows/update_build_config/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_app_override_decides_the_build_children_run"),
    ("PUT", "/api/v1/workflows/update_location_config/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_location_override_is_stored_and_applied"),
    ("PUT", "/api/v1/workflows/update_run_config/{workflow_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_run_config_caps_concurrency_and_sets_retries"),
    ("GET", "/api/v1/workflows/workflow/{workflow_id}/tests", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_quarantined_failures_do_not_fail_the_run"),
    ("PATCH", "/api/v1/workflows/workflow-tests/{workflow_test_id}", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_quarantined_failures_do_not_fail_the_run"),
    ("POST", "/api/v1/workflows/share/generate_shareable_link", "CLI",
     "api/test_revyl_workflow_management.py",
     "test_share_link_for_a_workflow_execution"),
]


IA = "api/test_interactly.py"
IA_GRAPH = "api/test_interactly_graph.py"
IA_WS = "live/test_interactly_ws.py"
IA_SCHEMA = "api/test_interactly_schemas.py"
IA_EXTRAS = "api/test_interactly_catalog_extras.py"
IA_TOOLS = "api/test_interactly_tools_llm.py"
IA_FEEDBACK = "api/test_interactly_feedback.py"
IA_RERUNS = "api/test_interactly_reruns.py"
IA_SCHED = "api/test_interactly_schedules.py"
IA_HOOKS = "api/test_interactly_webhooks.py"
IA_SIM = "api/test_interactly_simulations.py"
IA_ASSETS = "api/test_interactly_assets.py"
IA_SUPER = "api/test_interactly_super_nodes.py"

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
    # workflow, version and tool utilities, LLM configs (spec §4.1, §4.2, §4.4, §4.5)
    ("POST", "/v1/workflows/{id}/clone", "workflows.clone", IA_EXTRAS,
     "test_clone_copies_every_version_with_new_ids"),
    ("PATCH", "/v1/workflows/{id}/concurrency", "workflows.set_concurrency", IA_EXTRAS,
     "test_concurrency_is_stored_and_validated"),
    ("GET", "/v1/workflows/{id}/export", "workflows.export", IA_EXTRAS,
     "test_export_import_round_trip_preserves_the_graph"),
    ("POST", "/v1/workflows/import/bundle", "workflows.import_bundle", IA_EXTRAS,
     "test_export_import_round_trip_preserves_the_graph"),
    ("GET", "/v1/workflows/dynamic-variables/{id}", "workflows.dynamic_variables", IA_EXTRAS,
     "test_dynamic_variables_lists_used_names_and_defaults"),
    ("POST", "/v1/workflows/{id}/favorite", "workflows.favorite", IA_EXTRAS,
     "test_favorites_are_per_user_and_filter_active_versions"),
    ("DELETE", "/v1/workflows/{id}/favorite", "workflows.unfavorite", IA_EXTRAS,
     "test_favorites_are_per_user_and_filter_active_versions"),
    ("PATCH", "/v1/workflows/{id}/versions/{n}", "versions.update", IA_EXTRAS,
     "test_rename_and_update_version_config"),
    ("PATCH", "/v1/workflows/{id}/versions/{n}/config", "versions.update_config", IA_EXTRAS,
     "test_rename_and_update_version_config"),
    ("GET", "/v1/workflows/{id}/versions/{v1}/diff/{v2}", "versions.diff", IA_EXTRAS,
     "test_diff_reports_added_removed_and_modified"),
    ("GET", "/v1/workflows/versions/active", "versions.list_active", IA_EXTRAS,
     "test_active_versions_filters_and_pagination_walk"),
    ("GET", "/v1/tools/inbuilt", "tools.list_inbuilt", IA_TOOLS,
     "test_inbuilt_and_configurable_registry"),
    ("GET", "/v1/tools/configurable-inbuilt", "tools.list_configurable_inbuilt", IA_TOOLS,
     "test_inbuilt_and_configurable_registry"),
    ("GET", "/v1/tools/configurable-inbuilt/{key}", "tools.get_configurable_inbuilt", IA_TOOLS,
     "test_inbuilt_and_configurable_registry"),
    ("GET", "/v1/tools/{id}/export", "tools.export", IA_TOOLS,
     "test_tool_export_redacts_secrets_and_import_round_trips"),
    ("POST", "/v1/tools/import", "tools.import_bundle", IA_TOOLS, "test_tool_import_rules"),
    ("POST", "/v1/tools/{id}/execute", "tools.execute", IA_TOOLS,
     "test_execute_saved_inline_python_is_a_dry_run_unless_scripted"),
    ("POST", "/v1/tools/execute", "tools.execute_inline", IA_TOOLS,
     "test_execute_inline_unresolved_variables_and_stubs"),
    ("POST", "/v1/llm-configs", "llm_configs.create", IA_TOOLS,
     "test_llm_config_crud_redacts_the_key"),
    ("GET", "/v1/llm-configs", "llm_configs.list", IA_TOOLS,
     "test_llm_config_pagination_walk_over_250"),
    ("GET", "/v1/llm-configs/default", "llm_configs.get_default", IA_TOOLS,
     "test_llm_config_default_and_name_rules"),
    *[(method, "/v1/llm-configs/{llm_config_id}", f"llm_configs.{verb}", IA_TOOLS,
       "test_llm_config_crud_redacts_the_key")
      for method, verb in (("GET", "get"), ("PATCH", "update"), ("DELETE", "delete"))],
    ("POST", "/v1/llm-configs/{id}/test", "llm_configs.test", IA_TOOLS,
     "test_llm_config_test_and_inline_test_are_deterministic"),
    ("POST", "/v1/llm-configs/test", "llm_configs.test_inline", IA_TOOLS,
     "test_llm_config_test_and_inline_test_are_deterministic"),
    # schemas (spec §4.1-§4.6, §4.10, §4.12)
    ("GET", "/v1/workflows/schema", "workflows.schema", IA_SCHEMA, "test_workflow_schema"),
    ("GET", "/v1/workflows/schemas/global-node-config", "workflows.global_node_config_schema",
     IA_SCHEMA, "test_global_node_config_schema"),
    ("GET", "/v1/nodes/schema/{node_type}", "nodes.schema", IA_SCHEMA,
     "test_every_listed_node_type_has_a_schema"),
    ("GET", "/v1/edges/schema/{edge_type}", "edges.schema", IA_SCHEMA,
     "test_every_listed_edge_type_has_a_schema"),
    ("GET", "/v1/tools/schema/{tool_type}", "tools.schema", IA_SCHEMA,
     "test_every_listed_tool_type_has_a_schema"),
    ("GET", "/v1/schemas/llm-config", "llm_configs.schema", IA_SCHEMA, "test_llm_config_schema"),
    ("GET", "/v1/workflow-runs/schema", "runs.schema", IA_SCHEMA, "test_workflow_run_schemas"),
    ("GET", "/v1/simulations/schema", "simulations.schema", IA_SCHEMA,
     "test_catalogue_document_schemas"),
    ("GET", "/v1/templates/schema", "templates.schema", IA_SCHEMA,
     "test_catalogue_document_schemas"),
    ("GET", "/v1/node-libraries/schema", "node_libraries.schema", IA_SCHEMA,
     "test_catalogue_document_schemas"),
    # run feedback (spec §4.6)
    ("GET", "/v1/workflow-runs/{id}/evaluation-result", "runs.evaluation_result", IA_FEEDBACK,
     "test_evaluation_result_is_null_until_a_turn_records_an_evaluation"),
    ("POST", "/v1/workflow-runs/{id}/comments", "runs.add_comment", IA_FEEDBACK,
     "test_run_comments_answer_with_the_run_envelope"),
    ("DELETE", "/v1/workflow-runs/{id}/comments/{comment_logical_id}", "runs.delete_comment",
     IA_FEEDBACK, "test_run_comments_answer_with_the_run_envelope"),
    ("POST", "/v1/workflow-runs/{id}/events/{event_logical_id}/comments",
     "runs.add_event_comment", IA_FEEDBACK,
     "test_event_comments_and_ratings_live_on_the_stored_event"),
    ("DELETE", "/v1/workflow-runs/{id}/events/{event_logical_id}/comments/{comment_logical_id}",
     "runs.delete_event_comment", IA_FEEDBACK,
     "test_event_comments_and_ratings_live_on_the_stored_event"),
    *[(method, f"/v1/workflow-runs/{{id}}/{target}/rating", f"runs.{verb}_{kind}_rating",
       IA_FEEDBACK, test)
      for target, kind, test in (
          ("events/{event_logical_id}", "event",
           "test_event_comments_and_ratings_live_on_the_stored_event"),
          ("turns/{turn_index}", "turn",
           "test_turn_ratings_replace_per_user_and_turn_comments_are_trimmed"))
      for method, verb in (("PUT", "set"), ("DELETE", "delete"))],
    ("POST", "/v1/workflow-runs/{id}/turns/{turn_index}/comments", "runs.add_turn_comment",
     IA_FEEDBACK, "test_turn_ratings_replace_per_user_and_turn_comments_are_trimmed"),
    ("DELETE", "/v1/workflow-runs/{id}/turns/{turn_index}/comments/{comment_logical_id}",
     "runs.delete_turn_comment", IA_FEEDBACK,
     "test_turn_ratings_replace_per_user_and_turn_comments_are_trimmed"),
    # re-runs (spec §4.7)
    ("GET", "/v1/workflow-runs/{id}/rerunnable-turns", "reruns.rerunnable_turns", IA_RERUNS,
     "test_a_rest_run_is_not_rerunnable_and_says_why"),
    ("POST", "/v1/workflow-runs/{id}/turns/{t}/rerun-preflight", "reruns.preflight", IA_RERUNS,
     "test_other_targets_resolve_remapped_or_portable"),
    ("POST", "/v1/workflow-runs/{id}/turns/{t}/rerun-token", "reruns.create_token", IA_RERUNS,
     "test_the_full_flow_on_a_finished_streamed_run"),
    ("GET", "/v1/workflow-runs/{id}/turns/{t}/rerun-token/{token}", "reruns.preview_token",
     IA_RERUNS, "test_tokens_are_bound_to_run_and_turn_and_expire_on_the_namespace_clock"),
    ("PATCH", "/v1/workflow-runs/{id}/turns/{t}/rerun-token/{token}", "reruns.amend_token",
     IA_RERUNS, "test_amending_marks_the_projection_edited_and_is_all_or_nothing"),
    ("POST", "/v1/workflow-runs/{id}/turns/{t}/rerun", "reruns.execute", IA_RERUNS,
     "test_a_message_rerun_replays_from_the_restored_conversation"),
    # schedules (spec §4.8)
    ("POST", "/v1/workflows/{id}/schedules", "schedules.create", IA_SCHED,
     "test_schedule_fires_at_its_time_and_records_the_run"),
    ("GET", "/v1/workflows/{id}/schedules", "schedules.list", IA_SCHED,
     "test_lists_are_bare_arrays_with_skip_limit_and_status"),
    ("GET", "/v1/workflow-schedules", "schedules.list_all", IA_SCHED,
     "test_lists_are_bare_arrays_with_skip_limit_and_status"),
    ("GET", "/v1/workflow-schedules/{id}", "schedules.get", IA_SCHED,
     "test_schedule_fires_at_its_time_and_records_the_run"),
    ("PATCH", "/v1/workflow-schedules/{id}", "schedules.update", IA_SCHED,
     "test_patch_reschedules_only_while_pending"),
    ("DELETE", "/v1/workflow-schedules/{id}", "schedules.cancel", IA_SCHED,
     "test_cancelled_schedule_never_fires"),
    # webhooks (spec §4.9)
    ("POST", "/v1/workflow-webhooks", "webhooks.create", IA_HOOKS,
     "test_subscription_crud_never_echoes_the_token"),
    ("GET", "/v1/workflow-webhooks", "webhooks.list", IA_HOOKS,
     "test_subscription_crud_never_echoes_the_token"),
    ("PATCH", "/v1/workflow-webhooks/{id}", "webhooks.update", IA_HOOKS,
     "test_subscription_crud_never_echoes_the_token"),
    ("DELETE", "/v1/workflow-webhooks/{id}", "webhooks.delete", IA_HOOKS,
     "test_subscription_crud_never_echoes_the_token"),
    ("GET", "/v1/workflow-webhooks/events", "webhooks.list_events", IA_HOOKS,
     "test_signed_deliveries_for_workflow_and_run_actions"),
    ("GET", "/v1/workflow-webhooks/events/{event_id}/attempts", "webhooks.list_attempts",
     IA_HOOKS, "test_failures_retry_with_exponential_backoff_on_the_clock"),
    ("POST", "/v1/workflow-webhooks/events/{event_doc_id}/retry", "webhooks.retry_event",
     IA_HOOKS, "test_exhausted_retries_fail_then_the_retry_endpoint_requeues"),
    # simulations (spec §4.10)
    ("POST", "/v1/simulations", "simulations.create", IA_SIM, "test_simulation_crud_and_errors"),
    ("GET", "/v1/simulations", "simulations.list", IA_SIM, "test_simulation_crud_and_errors"),
    *[(method, "/v1/simulations/{id}", f"simulations.{verb}", IA_SIM,
       "test_simulation_crud_and_errors")
      for method, verb in (("GET", "get"), ("PATCH", "update"), ("DELETE", "delete"))],
    ("POST", "/v1/simulations/{id}/run", "simulations.run", IA_SIM,
     "test_simulation_runs_to_completion"),
    ("GET", "/v1/simulations/{id}/runs", "simulations.list_runs", IA_SIM,
     "test_simulation_runs_to_completion"),
    ("GET", "/v1/simulations/{id}/evaluation-summary", "simulations.evaluation_summary", IA_SIM,
     "test_simulation_runs_to_completion"),
    ("GET", "/v1/simulation-runs/{id}", "simulations.get_run", IA_SIM,
     "test_simulation_runs_to_completion"),
    ("POST", "/v1/simulation-runs/{id}/stop", "simulations.stop_run", IA_SIM,
     "test_stop_cancels_pending_runs"),
    ("GET", "/v1/simulation-runs/{id}/executions", "simulations.list_executions", IA_SIM,
     "test_simulation_runs_to_completion"),
    ("GET", "/v1/simulation-runs/{id}/executions/detailed", "simulations.detailed", IA_SIM,
     "test_simulation_runs_to_completion"),
    # global variables (spec §4.11)
    ("POST", "/v1/global-variables", "global_variables.create", IA_ASSETS,
     "test_global_variable_crud_masking_and_system_rows"),
    ("POST", "/v1/global-variables/bulk", "global_variables.bulk_create", IA_ASSETS,
     "test_global_variable_bulk_reports_errors_per_item"),
    ("GET", "/v1/global-variables", "global_variables.list", IA_ASSETS,
     "test_global_variable_crud_masking_and_system_rows"),
    ("GET", "/v1/global-variables/resolve", "global_variables.resolve", IA_ASSETS,
     "test_global_variable_crud_masking_and_system_rows"),
    *[(method, "/v1/global-variables/{id}", f"global_variables.{verb}", IA_ASSETS,
       "test_global_variable_crud_masking_and_system_rows")
      for method, verb in (("GET", "get"), ("PATCH", "update"), ("DELETE", "delete"))],
    # templates, categories, node libraries (spec §4.12)
    *[(method, f"/v1/{plural}{suffix}", f"{plural.replace('-', '_')}.{verb}", IA_ASSETS, test)
      for plural, test in (("templates", "test_templates_crud_filter_and_cascade"),
                           ("node-libraries", "test_node_libraries_crud_as_notebook_11"))
      for method, suffix, verb in (("POST", "", "create"), ("GET", "", "list"),
                                   ("GET", "/{id}", "get"), ("PATCH", "/{id}", "update"),
                                   ("DELETE", "/{id}", "delete"))],
    ("GET", "/v1/workflow-categories", "categories.list", IA_ASSETS,
     "test_categories_are_defaults_then_team_categories"),
    # super nodes (spec §4.13)
    ("GET", "/v1/super-nodes", "super_nodes.list", IA_SUPER,
     "test_publish_then_run_a_workflow_embedding_it_by_id"),
    ("GET", "/v1/super-nodes/{workflow_id}", "super_nodes.get", IA_SUPER,
     "test_publish_then_run_a_workflow_embedding_it_by_id"),
    ("GET", "/v1/super-nodes/{workflow_id}/schema", "super_nodes.schema", IA_SUPER,
     "test_publish_then_run_a_workflow_embedding_it_by_id"),
    ("PUT", "/v1/workflows/{id}/super-node-interface", "super_nodes.publish", IA_SUPER,
     "test_publish_then_run_a_workflow_embedding_it_by_id"),
    ("DELETE", "/v1/workflows/{id}/super-node-interface", "super_nodes.unpublish", IA_SUPER,
     "test_super_node_errors"),
    ("GET", "/v1/workflows/{id}/super-node-dependents", "super_nodes.dependents", IA_SUPER,
     "test_pinned_version_and_republish"),
    ("POST", "/v1/workflows/{id}/expand-preview", "super_nodes.expand_preview", IA_SUPER,
     "test_expand_preview_reports_unresolved_super_nodes"),
    ("GET", "/v1/workflows/{id}/super-node-snapshot-status", "super_nodes.snapshot_status",
     IA_SUPER, "test_pinned_version_and_republish"),
]


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    lines = ["| Method | Path | Called by | Covered by |", "|---|---|---|---|"]
    for method, path, who, test_file, test in rows:
        lines.append(f"| {method} | `{path}` | {who} | `tests/{test_file}::{test}` |")
    return "\n".join(lines)


def template_key(method: str, path: str) -> tuple[str, str]:
    """A route as the router sees it: parameter names do not matter (the CLI's Go code says
    ``{execution_id}`` where a route says ``{task_id}``), nor does a trailing slash."""
    return method, re.sub(r"\{[^}]+\}", "{}", path).rstrip("/") or "/"


def cli_coverage() -> list[tuple[CliPath, tuple[str, str, str, str, str] | None, str | None]]:
    """Each path the CLI calls, with the inventory entry that serves it (None when not
    served) and the reason it is out of scope (None when it is in scope)."""
    served = {template_key(e[0], e[1]): e for e in ENDPOINTS}
    return [(cli, served.get(template_key(cli.method, cli.path)),
              OUT_OF_SCOPE_FAMILIES.get(cli.family)) for cli in CLI_PATHS]


def cli_table() -> str:
    lines = ["| Family | Method | CLI path | Read from | Served as | Covered by |",
             "|---|---|---|---|---|---|"]
    for cli, entry, reason in cli_coverage():
        if entry is not None:
            served, test = f"`{entry[1]}`", f"`tests/{entry[3]}::{entry[4]}`"
        elif reason is not None:
            served, test = "out of scope", reason
        else:
            served, test = "**not served**", ""
        lines.append(f"| {cli.family} | {cli.method} | `{cli.path}` | {cli.source} | {served} "
                     f"| {test} |")
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, body: str) -> str:
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def pages() -> dict[Path, tuple[str, str, str]]:
    """Each generated page: its markers and the table that goes between them."""
    return {REVYL_PAGE: (START, END, table(ENDPOINTS)),
            INTERACTLY_PAGE: (IA_START, IA_END, table(INTERACTLY)),
            CLI_PAGE: (CLI_START, CLI_END, cli_table())}


def render(page: Path, text: str) -> str:
    """``text`` (the page's current content) with its table regenerated."""
    start, end, body = pages()[page]
    return _replace(text, start, end, body)


if __name__ == "__main__":
    for page in pages():
        page.write_text(render(page, page.read_text()))
    print(f"{len(ENDPOINTS)} Revyl and {len(INTERACTLY)} Interactly endpoints written to "
          f"{REVYL_PAGE} and {INTERACTLY_PAGE}", file=sys.stderr)
