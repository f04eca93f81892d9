"""The deterministic stand-in for every LLM call of a run (spec §6.7).

Scripts first: a namespace queues entries through ``POST /_emulator/scripts/interactly/llm``;
the first entry matching (workflow, node, user-message regex) answers and is used up after
``times`` uses. Without a script a seeded rule-based responder answers: never empty, the same
text for the same seed, run and turn. Freeform edge conditions are judged by keywords found in
the condition text; worker nodes extract ``key: value`` pairs named by their output schema.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from emulator.core.scripts import ScriptQueue

END_KEYWORDS = ("goodbye", "bye", "quit", "exit", "that's all", "that is all", "done", "end")
JUDGE_KEYWORDS = (
    *END_KEYWORDS, "emergency", "billing", "payment", "refund", "cancel", "appointment", "schedule",
    "complaint", "human", "agent", "help", "yes", "no", "urgent", "pain")
REPLIES = (
    "Thanks, I have noted that.",
    "Understood. Could you tell me a little more?",
    "Got it. Is there anything else I can help with?",
    "Thank you. Let me take care of that for you.",
    "I see. What would you like to do next?",
)


class LLMScript(BaseModel):
    """One scripted LLM behaviour. Matching fields narrow where it applies; action fields say
    what the LLM does there."""

    model_config = ConfigDict(extra="forbid")

    workflow_id: str | None = None
    node: str | None = Field(None, description="node name or logical id")
    match: str | None = Field(None, description="regex the user's latest message must match")
    reply: str | None = None
    route: str | None = Field(None, description="edge name or destination node name to take")
    structured_output: dict[str, Any] | None = None
    tool_result: Any = None
    end: bool = False
    fail: str | None = Field(None, description="fail the run with this error message")
    times: int = Field(1, ge=1, le=10_000)

    @field_validator("match")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            if len(value) > 500:
                raise ValueError("regex too long")
            try:
                re.compile(value)
            except re.error as exc:  # not a ValueError: pydantic would let it through as a 500
                raise ValueError(f"invalid regex: {exc}") from None
        return value


class LLMScripts(ScriptQueue[LLMScript]):
    def __init__(self) -> None:
        super().__init__(lambda s: s.model_dump(exclude_none=True, exclude_defaults=True))

    def take(self, workflow_id: str, node_name: str,  # type: ignore[override]
             node_id: str, message: str | None) -> LLMScript | None:
        return super().take(lambda s: (
            s.workflow_id in (None, workflow_id) and s.node in (None, node_name, node_id)
            and (s.match is None or re.search(s.match, message or "", re.I) is not None)))


def seeded_choice(seed: int, *parts: object) -> int:
    digest = hashlib.sha256("\x00".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def default_reply(seed: int, node_name: str, message: str | None, run_key: str,
                  counter: int) -> str:
    """Seeded, never empty; names the node so transcripts show who spoke."""
    if not message:
        return f"[{node_name}] Hello! How can I help you today?"
    if any(word in message.lower() for word in END_KEYWORDS):
        return f"[{node_name}] Thank you for your time. Goodbye!"
    pick = REPLIES[seeded_choice(seed, run_key, counter, message) % len(REPLIES)]
    return f"[{node_name}] You said: \"{message.strip()[:200]}\". {pick}"


QUOTED = re.compile(r"\"([^\"]{2,60})\"|(?<![A-Za-z])'([^']{2,60})'(?![A-Za-z])")


def judge(condition: str, message: str | None) -> bool:
    """Keyword judge for freeform conditions: the condition matches when the latest user
    message contains one of its quoted phrases (``"that's all"``; apostrophes inside words
    are not quotes), or one of the known keywords the condition mentions."""
    if not message:
        return False
    text, said = condition.lower(), message.lower()
    phrases = [(a or b).strip(" .,!?").lower() for a, b in QUOTED.findall(condition)]
    phrases = [p for p in phrases if re.search(r"[a-z]", p)]
    keywords = [k for k in JUDGE_KEYWORDS if re.search(rf"\b{re.escape(k)}\b", text)]
    return any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", said) for k in (*phrases, *keywords))


def extract(schema: dict[str, Any] | None, message: str | None) -> dict[str, Any]:
    """Worker structured output: ``name: value`` / ``name is value`` for each schema property
    found in the message. Nothing found -> ``{}`` (routes that need the value stay put)."""
    if not schema or not message:
        return {}
    # The schema is a free JSON object to the node model: read only what is well formed.
    props = (schema.get("properties") or {}) if isinstance(schema, dict) else {}
    if not isinstance(props, dict):
        return {}
    found: dict[str, Any] = {}
    for name in props:
        label = re.escape(name).replace("_", "[ _]")
        hit = re.search(rf"\b{label}\s*(?::|=|\bis\b)\s*([^,;\n]+)", message, re.I)
        if hit:
            found[name] = hit.group(1).strip().rstrip(".")
    return found
