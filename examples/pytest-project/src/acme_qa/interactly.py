"""Build a small support workflow on Interactly and chat with it over REST."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}

SUPPORT_BOT = {
    "name": "acme-support",
    "workflow_config": {"name": "acme-support"},
    "node_configs": [
        {"type": "say_llm", "logical_id": "node_front", "name": "Front", "is_start": True},
        {"type": "say_static", "logical_id": "node_bye", "name": "Goodbye",
         "static_messages_config": {"static_messages": ["Thanks for contacting Acme!"]}}],
    "edge_configs": [
        {"type": "conditional", "source_node_logical_id": "node_front",
         "destination_node_logical_id": "node_bye",
         "condition": {"condition_freeform": "the user says goodbye"}}],
}


def user_says(message: str) -> dict[str, Any]:
    return {**START, "command": "data", "thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "node_logical_id": None, "messages": [
            {"content": message, "additional_kwargs": {}, "response_metadata": {},
             "type": "human", "name": None, "id": None}]}]}}}


@dataclass
class Conversation:
    run_id: str
    status: str = "running"
    replies: list[str] = field(default_factory=list)


class InteractlyChat:
    """``base_url`` is the API base without ``/v1`` (production: ``.../workflows``)."""

    def __init__(self, api_key: str, base_url: str, *, team_id: str = "acme",
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url, transport=transport, timeout=30,
            headers={"Authorization": f"Bearer {api_key}", "teamid": team_id})

    async def __aenter__(self) -> InteractlyChat:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def create_support_bot(self) -> str:
        response = await self.client.post("/v1/workflows", json=SUPPORT_BOT)
        response.raise_for_status()
        return response.json()["workflow"]["_id"]

    async def _turn(self, workflow_id: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(f"/v1/workflows/{workflow_id}/execute", json=body)
        response.raise_for_status()
        return response.json()

    async def chat(self, workflow_id: str, messages: list[str]) -> Conversation:
        """Start a run, send ``messages`` one turn each, collect what the assistant said."""
        first = await self._turn(workflow_id, {"run_input": START})
        conversation = Conversation(run_id=first["run_id"], status=first["status"])
        for message in messages:
            if conversation.status != "waiting_for_user_input":
                break
            turn = await self._turn(workflow_id, {"run_input": user_says(message),
                                                  "run_id": conversation.run_id})
            conversation.status = turn["status"]
            conversation.replies += [e["content"] for e in turn["events"]
                                     if e["type"] == "assistant_response" and e["content"]]
        return conversation
