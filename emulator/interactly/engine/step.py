"""The value every engine function works on: which run, which of its threads, and where the
events go.

Events carry the thread that produced them and variable reads follow that thread, so the thread
must be known everywhere. It travels in a :class:`Step` passed explicitly (and replaced, never
mutated, to move another thread) rather than living on the engine or the run: nothing can read
a thread left over from an earlier call, and a companion step cannot leak into the main walk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.interactly.engine.run import Context, Run
from emulator.interactly.engine.text import ai_message
from emulator.interactly.threads import Thread


@dataclass(frozen=True, slots=True)
class Step:
    """Frozen, so that moving another thread shows in the code (``step.on(thread)``) instead
    of being a field set before a call and read deep inside it."""

    ctx: Context
    run: Run
    thread: Thread
    events: list[dict[str, Any]]

    def on(self, thread: Thread) -> Step:
        """The same run and event list, moving another thread."""
        return Step(self.ctx, self.run, thread, self.events)

    # Builders return the event, emitters append it (a few events are amended or returned
    # before they are recorded). They fill the head in place instead of calling each other:
    # a turn makes dozens of events and this is the engine's hottest path.
    def _head(self, kind: str) -> dict[str, Any]:
        ctx, thread = self.ctx, self.thread
        return {"type": kind, "logical_id": f"event_{ctx.uuid()}", "timestamp": ctx.now(),
                "origin_thread_id": thread.internal_id, "comments": [], "interrupted": False,
                "thread_reference_id": thread.reference_id}

    def _node_head(self, kind: str, node: dict[str, Any]) -> dict[str, Any]:
        event = self._head(kind)
        event["origin_node_logical_id"] = node.get("logical_id")
        event["origin_node_name"] = node.get("name")
        event["origin_node_run_id"] = str(self.run.node_runs.get(node["logical_id"], 0))
        return event

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = self._head(kind)
        event.update(fields)
        return event

    def emit(self, kind: str, **fields: Any) -> None:
        event = self._head(kind)
        event.update(fields)
        self.events.append(event)

    def node_event(self, kind: str, node: dict[str, Any], **fields: Any) -> dict[str, Any]:
        event = self._node_head(kind, node)
        event.update(fields)
        return event

    def emit_node(self, kind: str, node: dict[str, Any], **fields: Any) -> None:
        event = self._node_head(kind, node)
        event.update(fields)
        self.events.append(event)

    def emit_edge(self, kind: str, edge: dict[str, Any] | None, source: dict[str, Any],
                  target: dict[str, Any], reason: str, **extra: Any) -> None:
        edge = edge or {}
        event = self._head(kind)
        event.update(edge_name=edge.get("name"), edge_logical_id=edge.get("logical_id"),
                     edge_run_id=str(self.run.turn_number),
                     source_node_logical_id=source["logical_id"],
                     source_node_name=source.get("name"),
                     destination_node_logical_id=target["logical_id"],
                     destination_node_name=target.get("name"), reason=reason)
        event.update(extra)
        self.events.append(event)

    def ai_message(self, text: str, message_type: str | None = None) -> dict[str, Any]:
        return ai_message(text, self.ctx.uuid(), message_type)

    def ready(self) -> dict[str, Any]:
        """``workflow_ready_for_input``: which companions are still going as the user is
        asked for the next message."""
        return self.event("workflow_ready_for_input", active_companion_thread_ids=[
            t.internal_id for t in self.run.active_companions()])
