"""Wire shapes of apps and builds (``AppResponse``, ``BuildResponse``, upload answers).

``id`` comes first in build bodies: scripts/upload-build.sh takes the first ``"id":"…"`` match.
"""

from __future__ import annotations

from typing import Any

from emulator.revyl.builds import PendingUpload
from emulator.revyl.catalog import App, Build, Catalog


def app_response(app: App, catalog: Catalog) -> dict[str, Any]:
    current, latest = app.current_build(), app.latest_build()
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
    }


def build_response(build: Build, app: App, catalog: Catalog, *, download_url: str | None = None,
                   was_reused: bool | None = None) -> dict[str, Any]:
    current = app.current_build()
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
    }


def _text(value: Any) -> str | None:
    """A metadata value the wire types as a string (the CLI's decoder rejects anything else):
    metadata is also the uploader's to write, so whatever it put there may not be one."""
    return value if isinstance(value, str) else None


def platform_counts(apps: list[App]) -> dict[str, int]:
    """How many of the listed apps (all pages) are on each platform."""
    return {"android": sum(a.platform == "Android" for a in apps),
            "ios": sum(a.platform == "iOS" for a in apps), "total": len(apps)}


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
