"""``POST /v1/tools/{id}/execute`` and ``POST /v1/tools/execute``: a tool run without a
workflow, answered as ``ToolExecuteResult`` (spec §4.4).

Tool code is data here: **nothing is ever executed and nothing reaches the network.** The
answer comes, in order, from:

1. leftover ``{{dynamic}}`` / ``[[runtime]]`` placeholders in the arguments or the config (after
   the team's global variables, then the request's own ``dynamic_variables`` /
   ``runtime_variables``, are filled in), or an
   ``external_api`` endpoint that is not an absolute URL → ``success: false``,
   ``error_code: "unresolved_variables"``;
2. a missing argument the ``args_schema`` requires → ``error_code: "missing_arguments"``;
3. the scripted queue: the first entry whose ``node`` names the tool (its ``name`` or
   ``logical_id``) — ``tool_result`` (or ``reply``) is the result, ``fail`` a failure;
4. a deterministic stub: inbuilt tools from :mod:`tool_registry`; ``inline_python`` and
   ``external_api`` answer ``dry_run: true`` with a description of what would have run;
   ``knowledge_base`` finds no documents.

Failures of the tool are ``success: false`` bodies, never HTTP errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Literal

from emulator.core.errors import NotFound
from emulator.core.scripts import ScriptQueue
from emulator.interactly.expressions import MISSING, lookup
from emulator.interactly.llm import LLMScript, LLMScripts
from emulator.interactly.tool_bundles import redacted_headers
from emulator.interactly.tool_registry import INBUILT, run_inbuilt

DYNAMIC = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
RUNTIME = re.compile(r"\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")
# Config fields that never reach the tool's call (identity, bookkeeping, display).
NOT_SUBSTITUTED = frozenset({"logical_id", "workflow_id", "version_number", "name",
                             "description", "static_messages_config"})


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _fill(value: Any, dynamic: dict[str, Any], runtime: dict[str, Any]) -> Any:
    """Substitute supplied variables (dotted paths too). A blank value is not supplied."""
    if isinstance(value, str):
        def dyn(m: re.Match[str]) -> str:
            got = lookup(dynamic, m.group(1))
            return m.group(0) if got is MISSING or got in (None, "") else str(got)

        def rt(m: re.Match[str]) -> str:
            got = lookup(runtime, m.group(1))
            return m.group(0) if got is MISSING or got in (None, "") else str(got)

        return RUNTIME.sub(rt, DYNAMIC.sub(dyn, value))
    if isinstance(value, dict):
        return {k: _fill(v, dynamic, runtime) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, dynamic, runtime) for v in value]
    return value


def result(success: bool, side_effect: str, *, value: Any = None, error: str | None = None,
           error_type: str | None = None, error_code: str | None = None,
           dry_run: bool = False) -> dict[str, Any]:
    return {"success": success, "result": value, "error": error, "latency_ms": 0,
            "error_type": error_type, "error_code": error_code, "dry_run": dry_run,
            "side_effect": side_effect}


def _no_tool(tool_id: str) -> dict[str, Any]:
    raise NotFound(f"Tool {tool_id} not found")


class ToolRunner:
    """Direct tool runs. Keeps nothing of its own (results are not stored; scripts belong to
    the namespace), so a snapshot has nothing to save. ``globals_`` answers the team's global
    variables when a run needs them; ``saved`` a saved tool's config (404 when unknown)."""

    stateless: ClassVar[Literal[True]] = True

    def __init__(self, scripts: LLMScripts, now_iso: Callable[[], str],
                 globals_: Callable[[], dict[str, Any]] = dict,
                 saved: Callable[[str], dict[str, Any]] = _no_tool) -> None:
        self.scripts = scripts
        self.now_iso = now_iso
        self.globals = globals_
        self.saved = saved

    def execute_saved(self, tool_id: str, args: dict[str, Any],
                      dynamic: dict[str, Any] | None = None,
                      runtime: dict[str, Any] | None = None) -> dict[str, Any]:
        """:meth:`execute` with a saved tool's config (404 first when there is none)."""
        return self.execute(self.saved(tool_id), args, dynamic, runtime)

    def execute(self, config: dict[str, Any], args: dict[str, Any],
                dynamic: dict[str, Any] | None = None,
                runtime: dict[str, Any] | None = None) -> dict[str, Any]:
        kind = str(config.get("type") or "")
        inbuilt = INBUILT.get(str(config.get("tool_id") or "")) if kind == "inbuilt_function" \
            else None
        side_effect = str(config.get("side_effect") or (inbuilt.side_effect if inbuilt
                                                        else "unknown"))
        # As the live runtime does: team globals underneath the caller's non-blank values.
        supplied = {k: v for k, v in (dynamic or {}).items() if v not in (None, "")}
        dynamic, runtime = {**self.globals(), **supplied}, runtime or {}
        callable_part = {k: v for k, v in config.items() if k not in NOT_SUBSTITUTED}
        if kind == "inline_python" and config.get("allow_code_variable_substitution") is False:
            callable_part.pop("code", None)
        filled_args = _fill(args, dynamic, runtime)
        filled_config = _fill(callable_part, dynamic, runtime)
        leftover = sorted({m.group(0) for text in _strings([filled_args, filled_config])
                           for pattern in (DYNAMIC, RUNTIME) for m in pattern.finditer(text)})
        endpoint = filled_config.get("api_endpoint")
        if kind == "external_api" and not (isinstance(endpoint, str)
                                           and re.match(r"https?://[^/\s]+", endpoint)):
            leftover.append(f"api_endpoint {endpoint!r} is not an absolute URL")
        if leftover:
            return result(False, side_effect, error="Unresolved variables: " + ", ".join(leftover),
                          error_type="validation", error_code="unresolved_variables")
        schema = config.get("args_schema") or (inbuilt.args_schema if inbuilt else {})
        required = schema.get("required") if isinstance(schema, dict) else None
        missing = [r for r in required if isinstance(r, str) and r not in filled_args] \
            if isinstance(required, list) else []
        if missing:
            return result(False, side_effect, error=f"Missing required arguments: {missing}",
                          error_type="validation", error_code="missing_arguments")
        script = self._script(config, filled_args)
        if script is not None:
            if script.fail:
                return result(False, side_effect, error=script.fail, error_type="execution",
                              error_code="tool_error")
            value = script.tool_result if script.tool_result is not None else script.reply
            return result(True, side_effect, value=value)
        return self._stub(kind, config, filled_config, filled_args, side_effect)

    def _script(self, config: dict[str, Any], args: dict[str, Any]) -> LLMScript | None:
        """Only entries that name this tool: a catch-all entry queued for a workflow run must
        not be used up by a direct tool call. ``match`` is tried against the JSON arguments."""
        names = {config.get("name"), config.get("logical_id")} - {None, ""}
        text = json.dumps(args, sort_keys=True)
        return ScriptQueue.take(self.scripts, lambda s: (
            s.node in names and s.workflow_id is None
            and (s.match is None or re.search(s.match, text, re.I) is not None)))

    def _stub(self, kind: str, config: dict[str, Any], filled: dict[str, Any],
              args: dict[str, Any], side_effect: str) -> dict[str, Any]:
        name = config.get("name") or kind
        if kind == "inbuilt_function":
            tool = INBUILT.get(str(config.get("tool_id") or ""))
            if tool is None:
                return result(False, side_effect, error=f"Unknown inbuilt tool "
                              f"{config.get('tool_id')!r}", error_type="validation",
                              error_code="unknown_tool")
            try:
                value, dry_run = run_inbuilt(tool, args, self.now_iso())
            except ValueError as exc:
                return result(False, side_effect, error=str(exc), error_type="validation",
                              error_code="invalid_arguments")
            return result(True, side_effect, value=value, dry_run=dry_run)
        if kind == "inline_python":
            return result(True, side_effect, dry_run=True, value={
                "emulated": True, "tool": name, "arguments": args,
                "note": "inline_python code is not executed by the emulator; queue a script "
                        "with node=<tool name> and tool_result to return a value"})
        if kind == "external_api":
            raw_headers = filled.get("api_headers")
            headers = redacted_headers(raw_headers)[0] if isinstance(raw_headers, dict) else {}
            return result(True, side_effect, dry_run=True, value={
                "emulated": True, "tool": name, "request": {
                    "method": filled.get("api_method") or "GET", "url": filled.get("api_endpoint"),
                    "headers": headers, "body": filled.get("api_body"), "arguments": args},
                "note": "external_api tools never reach the network in the emulator"})
        if kind == "knowledge_base":
            return result(True, side_effect, value={
                "emulated": True, "tool": name, "query": args, "documents": []})
        return result(False, side_effect, error=f"Unknown tool type {kind!r}",
                      error_type="validation", error_code="unknown_tool_type")
