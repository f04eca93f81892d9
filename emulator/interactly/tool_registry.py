"""The emulator's fixed registry of inbuilt tools (``GET /v1/tools/inbuilt``) and of the
configurable ones (``GET /v1/tools/configurable-inbuilt``).

The real registry is server-side Python the SDK deliberately does not mirror, so this is a
small documented stand-in: a few tools whose behaviour is pure (arithmetic, the namespace's
clock) are computed, tools that would reach the outside world (SMS, call forward, end call)
are never performed and answer as a dry run. ``call_forward`` is the one configurable tool
the SDK's own catalogue (``interactly_configs.configurable_inbuilt_tools``) lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SMS_TOOL_ID = "communication_send_sms_3f5b2c1e-4d3a-4e2b-9f7a-2c6e8f4b9a1d"


def _schema(properties: dict[str, str], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "required": required,
            "properties": {k: {"type": t} for k, t in properties.items()}}


@dataclass(frozen=True)
class InbuiltTool:
    tool_id: str
    name: str
    signature: str
    category: str
    args_schema: dict[str, Any]
    side_effect: str = "none"  # none/reads/writes/sends/unknown (spec §6.5)
    extra: dict[str, Any] = field(default_factory=dict)

    def descriptor(self) -> dict[str, Any]:
        return {"tool_id": self.tool_id, "name": self.name, "signature": self.signature,
                "args_schema": self.args_schema, "category": self.category,
                "side_effect": self.side_effect}


_NUMBERS = _schema({"a": "number", "b": "number"}, ["a", "b"])
INBUILT: dict[str, InbuiltTool] = {t.tool_id: t for t in (
    InbuiltTool("math_add", "add", "Add two numbers and return the sum.", "math", _NUMBERS),
    InbuiltTool("math_subtract", "subtract", "Subtract b from a.", "math", _NUMBERS),
    InbuiltTool("math_multiply", "multiply", "Multiply two numbers.", "math", _NUMBERS),
    InbuiltTool("get_current_datetime", "get_current_datetime",
                "Return the current date and time (ISO 8601, UTC).", "utilities",
                _schema({}, []), "reads"),
    InbuiltTool(SMS_TOOL_ID, "send_sms", "Send an SMS message to a phone number.",
                "communication", _schema({"message": "string", "phone_number": "string"},
                                         ["message", "phone_number"]), "sends"),
    InbuiltTool("call_forward", "call_forward", "Forward the current call to a human.",
                "communication", _schema({"phone_number": "string"}, ["phone_number"]),
                "sends"),
    InbuiltTool("end_call", "end_call", "End the current call.", "communication",
                _schema({}, []), "sends"),
)}

CALL_FORWARD_SCHEMA: dict[str, Any] = {
    "title": "Call Forward — Extra Configuration", "type": "object",
    "properties": {"warm_transfer_conversation_workflow_id": {
        "anyOf": [{"type": "string"}, {"type": "null"}], "default": None,
        "title": "Warm Transfer Conversation Workflow ID",
        "description": "ID of the workflow to use for the warm-transfer conversation when the "
                       "call is forwarded. If left empty, the call is transferred with a single "
                       "message to the human recipient."}},
}
CONFIGURABLE: dict[str, dict[str, Any]] = {
    "call_forward": {"key": "call_forward", "title": "Call Forward",
                     "registry_tool_id": "call_forward", "config_schema": CALL_FORWARD_SCHEMA},
}


def run_inbuilt(tool: InbuiltTool, args: dict[str, Any], now_iso: str) -> tuple[Any, bool]:
    """(result, dry_run). Pure tools are computed; the rest are described, never performed.
    Raises ``ValueError`` for arguments a real tool would reject."""
    if tool.category == "math":
        a, b = args.get("a"), args.get("b")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b)):
            raise ValueError("a and b must be numbers")
        assert isinstance(a, int | float) and isinstance(b, int | float)
        return {"math_add": a + b, "math_subtract": a - b,
                "math_multiply": a * b}[tool.tool_id], False
    if tool.tool_id == "get_current_datetime":
        return now_iso, False
    return {"emulated": True, "tool": tool.name, "arguments": args,
            "note": "not performed by the emulator"}, True
