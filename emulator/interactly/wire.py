"""Wire shapes of Interactly: resource envelopes, paginated lists, the interactive run
response (G3) and the stored run document (spec §1.3, §4)."""

from __future__ import annotations

import math
from typing import Any

from emulator.interactly.catalog import Catalog, Version, Workflow
from emulator.interactly.engine import Run
from emulator.interactly.usage import latency_stats, token_usage


def page(items: list[Any], key: str, page_no: int, size: int) -> dict[str, Any]:
    """The real lists return only ``total``; ``page``/``size``/``pages`` make the SDK's
    ``list_all()`` work."""
    chunk = items[(page_no - 1) * size: page_no * size]
    return {key: chunk, "total": len(items), "page": page_no, "size": size,
            "pages": math.ceil(len(items) / size) if items else 0}


def workflow_doc(wf: Workflow, catalog: Catalog, hydrate: bool = False) -> dict[str, Any]:
    config: Any = wf.working_copy.workflow_config
    if hydrate:
        config = catalog.hydrated(wf.id)
    return {"_id": wf.id, "id": wf.id, "team_id": wf.team_id, "created_by": wf.created_by,
            "updated_by": wf.created_by, "active_version_number": wf.active_version_number,
            "workflow_config": config, "created_at": wf.created_at, "updated_at": wf.updated_at,
            "max_concurrent_runs": wf.max_concurrent_runs}


def workflow_envelope(wf: Workflow, catalog: Catalog, base_url: str,
                      hydrate: bool = False) -> dict[str, Any]:
    return {"workflow": workflow_doc(wf, catalog, hydrate),
            "execution_url": f"{base_url.rstrip('/')}/v1/workflows/{wf.id}/execute"}


def version_doc(wf: Workflow, version: Version) -> dict[str, Any]:
    return {"_id": version.doc_id, "workflow_id": wf.id, "version_number": version.number,
            "version_name": version.name, "workflow_config": version.workflow_config,
            "team_id": wf.team_id, "created_by": wf.created_by, "created_at": version.created_at,
            "updated_at": version.created_at,
            "is_active": version.number == wf.active_version_number}


def entity(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return {"_id": doc["_id"], "id": doc["_id"], f"{kind}_config": doc["config"],
            "team_id": doc["team_id"], "created_by": doc["created_by"],
            "updated_by": doc["updated_by"], "created_at": doc["created_at"],
            "updated_at": doc["updated_at"]}


def interactive(run: Run, events: list[dict[str, Any]]) -> dict[str, Any]:
    """``InteractiveRunResponse`` (G3) plus the harmless aliases of older docs."""
    hint = next((e for e in reversed(events) if e["type"] == "busy_wait_for_user_message"),
                None) if run.waiting else None
    return {"run_id": run.id, "status": run.status, "turn_number": run.turn_number,
            "events": events, "is_waiting_for_input": run.waiting,
            "is_completed": run.completed,
            "error": run.error if run.status == "failed" else None,
            "next_input_hint": hint,
            "has_active_companions": bool(run.active_companions()) and not run.completed,
            "has_background_work": run.background_work, "turn": run.turn_number,
            "is_terminal": run.completed, "waiting_for_input": run.waiting}


def run_document(run: Run) -> dict[str, Any]:
    """The stored run. ``workflow_config_fully_hydrated`` is the hydrated config the run
    executes, taken when it started (as the seed's run document shows it); whether a run can be
    re-run is a separate matter (``Run.config_snapshot``). Re-runs name their source run and
    turn."""
    return {"workflow_run_id": run.id, "logical_id": run.logical_id,
            "workflow_id": run.workflow_id, "version_number": run.version_number,
            "status": run.status, "termination_source": run.termination_source,
            "input_output_pairs": run.pairs, "run_by": run.run_by, "comments": run.comments,
            "llm_token_usage": token_usage(), "llm_latency_stats": latency_stats(),
            "version_name": run.version_name,
            "workflow_config_fully_hydrated": run.graph,
            "source_workflow_run_id": run.source_run_id,
            "checkpoint_source_turn_index": run.source_turn_index,
            "rerun_info": run.rerun_info, "is_evaluation_run": False,
            "evaluation_run_info": None, "error": run.error}


def run_envelope(run: Run) -> dict[str, Any]:
    return {"workflow_run": {"_id": run.id, "team_id": run.team_id, "created_by": run.run_by,
                             "created_at": run.created_at, "updated_at": run.updated_at,
                             "workflow_run": run_document(run)}}


def run_row(run: Run) -> dict[str, Any]:
    return {"_id": run.id, "team_id": run.team_id, "created_by": run.run_by,
            "created_at": run.created_at, "updated_at": run.updated_at,
            "workflow_run": {"logical_id": run.logical_id, "workflow_run_id": run.id,
                             "workflow_id": run.workflow_id, "status": run.status,
                             "version_number": run.version_number,
                             "turn_count": len(run.pairs)}}


def legacy_run(run: Run, events: list[dict[str, Any]]) -> dict[str, Any]:
    """G1 answer: the run document itself, with the G3 keys merged in."""
    return {**run_document(run), **interactive(run, events)}
