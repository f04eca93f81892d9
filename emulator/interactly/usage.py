"""The LLM accounting objects of runs and events (spec §2.3): ``LLMTokenUsage``,
``LLMLatencyStats`` and the per-call ``LLMUsageInfo``. No LLM is ever called, so every count is
zero; kept apart from the engine because the run document (``wire``) reports them too."""

from __future__ import annotations

from typing import Any


def token_usage() -> dict[str, Any]:
    """``LLMTokenUsage``: zeros, and no model to break down. ``breakdown_by_models`` is an
    empty list, never null: the seed's run document shows a list there."""
    return {"total_input_tokens": 0, "total_output_tokens": 0, "total_tokens": 0,
            "call_count_with_user_keys": 0, "call_count_with_fallback_keys": 0,
            "call_count": 0, "breakdown_by_models": []}


def latency_stats() -> dict[str, Any]:
    """``LLMLatencyStats``: zeros, ``breakdown_by_models`` a list likewise."""
    return {"call_count": 0, "total_latency_milliseconds": 0,
            "average_latency_milliseconds": 0, "breakdown_by_models": []}


def llm_usage_info() -> dict[str, Any]:
    """``LLMUsageInfo`` of one (fake) LLM call."""
    return {"response_model": "emulator-fake-llm", "named_llm_config_id": None,
            "named_llm_config_name": None, "provider": "emulator",
            "ai_message_turn_id": None, "llm_response_id": None, "used_user_api_key": False,
            "finish_reason": ["stop"], "response_latency_milliseconds": 0,
            "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0,
            "was_streamed": False, "was_estimated": True,
            "structured_output_retry_metadata": None}
