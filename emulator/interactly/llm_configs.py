"""Saved LLM configs (spec §4.5): a team's named provider/group settings, one of them the
default, plus a deterministic ``test`` that never calls a provider.

Rules kept from the real service: records are addressed by ``llm_config_id`` (a UUID); the
``api_key`` (at any depth, so group members too) is stored but answered as ``null``; names are
unique within the namespace (409); at most one default — making a second one needs
``override_default`` (else 409), which then takes the flag from the old default.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from emulator.core.clock import iso
from emulator.core.errors import Conflict, NotFound, lookup
from emulator.interactly.llm import default_reply

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm
    from emulator.interactly.state import InteractlyState

SECRET_KEYS = frozenset({"api_key"})
PROVIDER_BY_TYPE = {"openai_llm": "openai", "azure_openai_llm": "azure_openai",
                    "google_llm": "google", "anthropic_llm": "anthropic",
                    "bedrock_llm": "bedrock", "custom_llm": "custom"}


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (None if k in SECRET_KEYS else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _at_rest(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("********" if k in SECRET_KEYS and v else _at_rest(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_at_rest(v) for v in value]
    return value


def keep_secrets(stored: Any, incoming: Any) -> Any:
    """An update that carries a redacted (``null``/absent) ``api_key`` keeps the stored one."""
    if isinstance(stored, dict) and isinstance(incoming, dict):
        out = {k: keep_secrets(stored.get(k), v) for k, v in incoming.items()}
        for key in SECRET_KEYS:
            if out.get(key) is None and stored.get(key) is not None:
                out[key] = stored[key]
        return out
    return incoming


def _members(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The single configs inside a group (``llms``, ``main_llm_config.llms``)."""
    if isinstance(config.get("llms"), list):
        return [m for m in config["llms"] if isinstance(m, dict)]
    main = config.get("main_llm_config")
    return _members(main) if isinstance(main, dict) else []


def _provider(config: dict[str, Any]) -> str | None:
    provider = config.get("provider")
    return str(provider) if provider else PROVIDER_BY_TYPE.get(str(config.get("type")))


def _words(text: str) -> int:
    return len(text.split())


class LLMConfigs:
    """One namespace's saved configs, in creation order."""

    def __init__(self, state: InteractlyState) -> None:
        ns = state.ns
        self._now = lambda: iso(ns.clock.now())
        self._ids = ns.ids
        self._seed = ns.settings.seed
        self.records: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ reads
    def view(self, record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "config": redact(record["config"])}

    def get(self, llm_config_id: str) -> dict[str, Any]:
        return lookup(self.records, llm_config_id, "LLM config")

    def default(self) -> dict[str, Any]:
        found = next((r for r in self.records.values() if r["is_default"]), None)
        if found is None:
            raise NotFound("No default LLM config is set for this team")
        return found

    def listing(self, search: str | None) -> list[dict[str, Any]]:
        items = list(self.records.values())
        if search:
            needle = search.lower()
            items = [r for r in items if needle in r["name"].lower()
                     or needle in str(r.get("description") or "").lower()]
        return items

    # ------------------------------------------------------------------ writes
    def _check(self, name: str | None, is_default: bool, override: bool,
               current: str | None = None) -> None:
        """Every rule before any change, so a refused request stores nothing."""
        if name is not None and any(r["name"] == name and r["llm_config_id"] != current
                                    for r in self.records.values()):
            raise Conflict(f"An LLM config named {name!r} already exists")
        if is_default and not override:
            other = next((r for r in self.records.values()
                          if r["is_default"] and r["llm_config_id"] != current), None)
            if other is not None:
                raise Conflict(f"LLM config {other['name']!r} is already the default; pass "
                               "override_default=true to replace it")

    def _take_default(self, keep: str) -> None:
        for record in self.records.values():
            if record["llm_config_id"] != keep and record["is_default"]:
                record["is_default"] = False
                record["updated_at"] = self._now()

    def create(self, *, name: str, config: dict[str, Any], description: str | None,
               is_default: bool, override_default: bool, team_id: str,
               user: str) -> dict[str, Any]:
        self._check(name, is_default, override_default)
        now = self._now()
        record: dict[str, Any] = {
            "_id": self._ids.object_id(), "llm_config_id": self._ids.uuid(), "name": name,
            "description": description, "is_default": is_default,
            "config": copy.deepcopy(config), "team_id": team_id, "created_by": user,
            "updated_by": user, "created_at": now, "updated_at": now}
        if is_default:
            self._take_default(record["llm_config_id"])
        self.records[record["llm_config_id"]] = record
        return record

    def update(self, llm_config_id: str, changes: dict[str, Any], override_default: bool,
               user: str) -> dict[str, Any]:
        record = self.get(llm_config_id)
        becomes_default = bool(changes.get("is_default")) and not record["is_default"]
        self._check(changes.get("name"), becomes_default, override_default, llm_config_id)
        for key in ("name", "description"):
            if key in changes and (changes[key] is not None or key == "description"):
                record[key] = changes[key]
        if changes.get("config") is not None:
            record["config"] = keep_secrets(record["config"], copy.deepcopy(changes["config"]))
        if changes.get("is_default") is not None:
            record["is_default"] = bool(changes["is_default"])
            if record["is_default"]:
                self._take_default(llm_config_id)
        record["updated_by"], record["updated_at"] = user, self._now()
        return record

    def delete(self, llm_config_id: str) -> None:
        self.get(llm_config_id)
        del self.records[llm_config_id]

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """API keys are exported as a placeholder: a snapshot must hold no secret."""
        return {"records": _at_rest(self.records)}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self.records = dict(data.get("records") or {})
        return []

    # ------------------------------------------------------------------ test
    def test_saved(self, llm_config_id: str, override: dict[str, Any] | None,
                   system_prompt: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """:meth:`test` with a saved config. An inline ``override`` replaces it for this call
        only; a redacted (``api_key: null``) override reuses the stored secret."""
        stored = self.get(llm_config_id)["config"]
        config = keep_secrets(stored, override) if override is not None else stored
        return self.test(config, system_prompt, messages, llm_config_id)

    def test(self, config: dict[str, Any], system_prompt: str, messages: list[dict[str, Any]],
             key: str) -> dict[str, Any]:
        """A deterministic answer in ``LLMConfigTestResult`` shape: the fake LLM's reply to the
        latest human message; token counts are word counts; latency 0."""
        members = _members(config)
        single = members[0] if members else config
        human = [m.get("content") or "" for m in messages if m.get("role", "human") == "human"]
        label = str(single.get("model") or _provider(single) or "llm")
        reply = default_reply(self._seed, label, human[-1] if human else None, key,
                              len(messages))
        prompt_tokens = _words(system_prompt) + sum(_words(m.get("content") or "")
                                                    for m in messages)
        completion_tokens = _words(reply)
        winner = None
        if members:
            winner = {"index": 0, "logical_id": single.get("logical_id"),
                      "provider": _provider(single), "model": single.get("model")}
        return {"success": True, "response": reply, "error": None,
                "provider": _provider(single), "model": single.get("model"),
                "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens, "latency_ms": 0,
                "winning_member": winner, "backchannel_response": None,
                "backchannel_member": None, "backchannel_prompt_tokens": None,
                "backchannel_completion_tokens": None, "backchannel_total_tokens": None}
