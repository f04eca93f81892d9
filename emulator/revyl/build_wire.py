"""Wire shapes of apps and builds (``AppResponse``, ``BuildResponse``, upload answers).

``id`` comes first in build bodies: scripts/upload-build.sh takes the first ``"id":"…"`` match.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from emulator.revyl.branches import Branch, BuildBranches, Resolution
from emulator.revyl.builds import PendingUpload
from emulator.revyl.catalog import App, Build, Catalog
from emulator.revyl.machine import TestExecution
from emulator.revyl.multipart import MultipartSession, etag


def app_response(app: App, catalog: Catalog, branches: BuildBranches) -> dict[str, Any]:
    current, latest = app.current_build(), app.latest_build()
    default = branches.default(app)
    ready = app.ready_builds()
    attached = sum(1 for t in catalog.tests.values() if t.app_id == app.id)
    return {
        "id": app.id,
        "org_id": catalog.org["org_id"],
        "name": app.name,
        "platform": app.platform,
        "description": app.description,
        "system_prompt": app.system_prompt,
        "static_url": app.static_url,
        "current_version": current.version if current else None,
        "latest_version": latest.version if latest else None,
        "versions_count": len(ready),
        "builds_count": len(ready),
        "latest_build_id": latest.id if latest else None,
        "current_build_id": current.id if current else None,
        "created_at": app.created_at,
        "attached_tests": attached,
        "pinned_tests": 0,
        "recent_executions": 0,
        "rolling_pass_rate": None,
        "attribution_ready": False,
        "expo_synced": False,
        "has_atlas": None,
        "default_branch_id": default.id,
        "default_branch_name": default.name,
        "default_branch_pinned_build_id": branches.pinned_id(app, default),
        "auto_git_branch_enabled": False,
    }


def build_response(build: Build, app: App, catalog: Catalog, branches: BuildBranches, *,
                   download_url: str | None = None,
                   was_reused: bool | None = None) -> dict[str, Any]:
    current = app.current_build()
    branch = branches.branch_of(app, build)
    return {
        "id": build.id,
        "app_id": build.app_id,
        "version": build.version,
        "artifact_url": f"{catalog.org['org_id']}/{app.id}/{build.version}/{build.file_name}",
        "metadata": build.metadata,
        "owner": catalog.org["user_id"],
        "uploaded_at": build.uploaded_at,
        "download_url": download_url,
        "package_name": build.package_name,
        "package_id": build.package_name,
        "was_reused": was_reused,
        "artifact_kind": _text(build.metadata.get("artifact_kind")),
        "is_current": current is not None and current.id == build.id,
        "status": build.status,
        "size": build.size,
        "branch_id": branch.id,
        "branch_name": branch.name,
    }


def _text(value: Any) -> str | None:
    """A metadata value the wire types as a string (the CLI's decoder rejects anything else):
    metadata is also the uploader's to write, so whatever it put there may not be one."""
    return value if isinstance(value, str) else None


def platform_counts(apps: list[App]) -> dict[str, int]:
    """How many of the listed apps (all pages) are on each platform."""
    return {"android": sum(a.platform == "Android" for a in apps),
            "ios": sum(a.platform == "iOS" for a in apps),
            "web": sum(a.platform == "Web" for a in apps), "total": len(apps)}


def paginated(items: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    return {"items": items, **meta}


def upload_ticket(upload: PendingUpload, url: str) -> dict[str, Any]:
    body: dict[str, Any] = {"upload_id": upload.id, "upload_url": url,
                            "content_type": upload.content_type,
                            "upload_expires_at": int(upload.expires_at),
                            "version": upload.version}
    if upload.build_id is not None:
        body = {"version_id": upload.build_id, **body}
    return body


# ---------------------------------------------------------------------------- CLI 0.1.195
def branch_response(branch: Branch, app: App, branches: BuildBranches) -> dict[str, Any]:
    pinned_id = branches.pinned_id(app, branch)
    pinned = branches.pinned_build(app, branch)
    latest = branches.latest(app, branch)
    return {
        "id": branch.id,
        "app_id": app.id,
        "name": branch.name,
        "pinned_build_id": pinned_id,
        "pinned_build_version": pinned.version if pinned else None,
        "pinned_build_available": (pinned is not None) if pinned_id else None,
        "is_default": branches.default(app).id == branch.id,
        "created_at": branch.created_at,
        "auto_git_branch_enabled": False,
        "latest_build": {"id": latest.id, "uploaded_at": latest.uploaded_at,
                         "version": latest.version} if latest else None,
    }


def resolution_response(found: Resolution, download_url: str | None) -> dict[str, Any]:
    build, branch, app = found.build, found.branch, found.app
    return {
        "build_var_id": app.id,
        "app_name": app.name,
        "platform": app.platform.lower(),
        "resolution_status": found.status,
        "version_id": build.id if build else None,
        "version": build.version if build else None,
        "branch_id": branch.id if branch else None,
        "branch_name": branch.name if branch else None,
        "branch_source": found.source,
        "git_branch_name": found.git_branch_name,
        "auto_git_branch_enabled": False,
        "download_url": download_url,
        "artifact_kind": _text(build.metadata.get("artifact_kind")) if build else None,
        "artifact_url": (f"{app.id}/{build.version}/{build.file_name}"
                         if build and build.data is not None else None),
        "deploy_url": _text(build.metadata.get("deploy_url")) if build else None,
        "static_url": app.static_url,
    }


def build_run(e: TestExecution, version: str | None) -> dict[str, Any]:
    return {
        "execution_id": e.id,
        "test_id": e.test_id,
        "test_name": e.test_name,
        "status": e.status,
        "success": e.success,
        "started_at": e.timestamp(e.started_at),
        "completed_at": e.timestamp(e.completed_at),
        "execution_time_seconds": e.execution_time_seconds,
        "source": e.source,
        "resolved_build_version": version,
        "metadata": {"platform": e.platform, "workflow_execution_id": e.workflow_execution_id},
        "report_metadata": {"test_history_id": e.test_history_id},
    }


def web_build(build: Build, app: App, branches: BuildBranches, reused: bool) -> dict[str, Any]:
    branch = branches.branch_of(app, build)
    return {"id": build.id, "app_id": app.id, "artifact_kind": "web_url",
            "version": build.version, "was_reused": reused, "branch_id": branch.id,
            "branch_name": branch.name, "deploy_url": _text(build.metadata.get("deploy_url")),
            "auto_git_branch_enabled": False}


def multipart_ticket(session: MultipartSession, base: str,
                     uploaded: bool = False) -> dict[str, Any]:
    """Start (and, with ``uploaded``, resume) answer; ``base`` is the upload's own URL."""
    body: dict[str, Any] = {
        "upload_id": session.upload_id, "s3_upload_id": session.s3_upload_id,
        "part_size": session.part_size,
        "parts": [{"part_number": n,
                   "upload_url": f"{base}?partNumber={n}&uploadId={session.s3_upload_id}"}
                  for n in range(1, session.part_count + 1)],
        "complete_url": f"{base}?uploadId={session.s3_upload_id}",
        "abort_url": f"{base}?uploadId={session.s3_upload_id}"}
    if uploaded:
        body["uploaded_parts"] = [{"part_number": n, "etag": etag(d), "size": len(d)}
                                  for n, d in sorted(session.parts.items())]
    return body


def s3_complete(session: MultipartSession, location: str, object_etag: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult>'
            f"<Location>{escape(location)}</Location><Bucket>emulator</Bucket>"
            f"<Key>{escape(session.app_id + '/' + session.version + '/' + session.file_name)}"
            f"</Key><ETag>{escape(object_etag)}</ETag></CompleteMultipartUploadResult>")
