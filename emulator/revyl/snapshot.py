"""Revyl state <-> snapshot JSON (Revyl's codec, registered in emulator/revyl/state.py).

Each service encodes its own records through public ``export_state`` / ``restore_state``; this
module only puts their parts side by side in one flat object: definitions and apps with their
builds (bytes as base64) from the catalog, pending uploads, scripted outcomes, test and
workflow executions with their pending timers, the org's tags and the tests' saved
versions, its scripts and modules. The keys and their order are the document format: old
documents must keep importing, so a part is never renamed or nested.

Two services depend on each other here: a workflow's children are test executions, some of
them already forgotten by the test index, so the test service exports those too and hands all
it restored to the workflow service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.core.namespaces import Rearm

if TYPE_CHECKING:
    from emulator.revyl.state import RevylState


def export(state: RevylState, skipped: list[str]) -> dict[str, Any]:
    """Nothing of Revyl's is left out, so ``skipped`` stays as it is."""
    return {
        **state.catalog.export_state(),  # org, tests, workflows, apps
        **state.builds.export_state(),  # uploads
        **state.branches.export_state(),  # build_branches, default_branches
        **state.multipart.export_state(),  # multipart_uploads
        **state.build_runs.export_state(),  # build_runs
        **state.outcomes.export_state(),  # outcomes
        **state.tests.export_state(also=state.workflows.children()),
        **state.workflows.export_state(),  # workflow_executions
        **state.tags.export_state(),  # tags
        **state.test_versions.export_state(),  # test_versions
        **state.scripts.export_state(),  # scripts
        **state.modules.export_state(),  # modules
        **state.variables.export_state(),  # custom_variable_ids, global_variables, launch_*
        **state.files.export_state(),  # org_files, org_file_uploads, storekit_refs
        **state.account.export_state(),  # revoked_api_keys, support_requests
    }


def restore(state: RevylState, data: dict[str, Any]) -> list[Rearm]:
    """Definitions first (executions name them), test executions before the workflows that
    hold them; the timers come back as re-arm actions for the core to schedule in order."""
    rearm = state.catalog.restore_state(data)
    rearm += state.builds.restore_state(data)
    rearm += state.branches.restore_state(data)
    rearm += state.multipart.restore_state(data)
    rearm += state.build_runs.restore_state(data)
    rearm += state.tags.restore_state(data)
    rearm += state.test_versions.restore_state(data)
    rearm += state.scripts.restore_state(data)
    rearm += state.modules.restore_state(data)
    rearm += state.variables.restore_state(data)
    rearm += state.files.restore_state(data)
    rearm += state.account.restore_state(data)
    rearm += state.outcomes.restore_state(data)
    tests_rearm, executions = state.tests.restore_executions(data)
    rearm += tests_rearm
    rearm += state.workflows.restore_state(data, executions)
    return rearm
