"""Tool export/import bundles (``GET /v1/tools/{id}/export``, ``POST /v1/tools/import``).

Bundle keys follow the shape the SDK's tests captured from the real service: ``export_format``,
``exported_at``, ``source_tool_id``, ``source_tool_name``, ``tool_type``, ``tool_config``,
``redactions``, ``warnings``. Secrets never leave: sensitive ``api_headers`` values are blanked
and their dotted paths (``api_headers.Authorization``) listed in ``redactions`` so an importer
knows what to re-supply through ``secret_overrides``.

Import rules: an ``inline_python`` bundle carries code, so it is refused (400) unless
``confirm_executable`` is true; ``secret_overrides`` may only name redacted paths;
``clear_unresolved_refs`` clears knowledge-base ids and the integration id, which the emulator
has no store for and therefore can never resolve.
"""

from __future__ import annotations

import copy
from typing import Any

from emulator.core.errors import BadRequest, ServiceError

EXPORT_FORMAT = 1
TOOL_TYPES = ("inbuilt_function", "inline_python", "external_api", "knowledge_base")
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
SENSITIVE_MARKERS = ("token", "secret", "password", "api-key", "api_key", "apikey", "auth")
REDACTED = ""


def is_secret_header(name: str) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or any(m in lowered for m in SENSITIVE_MARKERS)


def redacted_headers(headers: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(headers with secret values blanked, the header names that were blanked)."""
    out: dict[str, Any] = {}
    names: list[str] = []
    for key, value in headers.items():
        if is_secret_header(str(key)) and value not in (None, ""):
            out[key], names = REDACTED, [*names, str(key)]
        else:
            out[key] = value
    return out, names


def export(doc: dict[str, Any], now: str) -> dict[str, Any]:
    config = {k: copy.deepcopy(v) for k, v in doc["config"].items()
              if k not in ("workflow_id", "version_number")}
    redactions: list[str] = []
    warnings: list[str] = []
    headers = config.get("api_headers")
    if isinstance(headers, dict):
        config["api_headers"], names = redacted_headers(headers)
        redactions += [f"api_headers.{n}" for n in names]
    if config.get("type") == "inline_python":
        warnings.append("This bundle contains executable code; importing it requires "
                        "confirm_executable=true")
    auth = config.get("integration_auth")
    if config.get("target_knowledge_base_ids") or (isinstance(auth, dict)
                                                   and auth.get("integration_id")):
        warnings.append("Team-scoped references (knowledge bases, integrations) may not "
                        "resolve in the importing team")
    return {"export_format": EXPORT_FORMAT, "exported_at": now, "source_tool_id": doc["_id"],
            "source_tool_name": config.get("name"), "tool_type": config.get("type"),
            "tool_config": config, "redactions": redactions, "warnings": warnings}


def _set_path(config: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        config[head] = value
        return
    child = config.get(head)
    if not isinstance(child, dict):
        child = config[head] = {}
    if head == "api_headers":  # header names may themselves contain dots
        child[rest] = value
    else:
        _set_path(child, rest, value)


def prepare_import(bundle: dict[str, Any], *, confirm_executable: bool,
                   clear_unresolved_refs: bool, name_override: str | None,
                   secret_overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The tool config to store, or an error before anything is stored."""
    config = bundle.get("tool_config")
    if not isinstance(config, dict):
        raise BadRequest("Invalid bundle: tool_config must be an object")
    kind = config.get("type") or bundle.get("tool_type")
    if kind not in TOOL_TYPES:
        raise BadRequest(f"Invalid bundle: unknown tool type {kind!r}")
    if kind == "inline_python" and not confirm_executable:
        raise ServiceError("Refusing to import executable code",
                           "an inline_python bundle requires confirm_executable=true")
    config = {k: copy.deepcopy(v) for k, v in config.items()
              if k not in ("workflow_id", "version_number", "logical_id")}
    config["type"] = kind
    redactions = [r for r in bundle.get("redactions") or [] if isinstance(r, str)] \
        if isinstance(bundle.get("redactions"), list) else []
    unknown = [p for p in (secret_overrides or {}) if p not in redactions]
    if unknown:
        raise BadRequest(f"secret_overrides names fields that were not redacted: {unknown} "
                         f"(redacted: {redactions})")
    for path, value in (secret_overrides or {}).items():
        _set_path(config, path, value)
    if clear_unresolved_refs:
        if config.get("target_knowledge_base_ids"):
            config["target_knowledge_base_ids"] = []
        if isinstance(config.get("integration_auth"), dict):
            config["integration_auth"] = None
    if name_override is not None:
        config["name"] = name_override
    return config
