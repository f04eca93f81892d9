"""The run WebSocket's protocol (emulator/interactly/ws_protocol.py) without a socket: text
frames in, reply frames and close codes out, background work moved by a manual clock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.core.namespaces import Namespace
from emulator.interactly.llm import LLMScript
from emulator.interactly.reruns import RerunTarget
from emulator.interactly.state import InteractlyState, registration
from emulator.interactly.ws_protocol import MAX_FRAME, Close, Reply, RunStream, read_frame
from emulator.settings import Settings

from ..interactly_graphs import BACKGROUND_EDGES, BACKGROUND_NODES

CHAT = [{"type": "say_llm", "logical_id": "front", "name": "Front", "is_start": True}]
STATIC = [{"type": "say_static", "logical_id": "hi", "name": "Hi", "is_start": True,
           "static_messages_config": {"static_messages": ["hi"]}}]



class Socket:
    """What the route would hold: the state, the protocol and the batches background work
    delivered."""

    def __init__(self, nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None
                 ) -> None:
        self.ns = Namespace("t", Settings(clock="manual", seed=0), (registration(),))
        self.state = self.ns.state(InteractlyState)
        self.workflow_id = self.state.workflows.create("w", None, None, None, nodes,
                                                       edges or [], "team", "user").id
        self.batches: list[list[dict[str, Any]]] = []
        self.stream = self.open()

    def open(self) -> RunStream:
        return RunStream(self.state, "team", "user", self.batches.append)

    def start(self, stream: RunStream | None = None, **frame: Any) -> Reply:
        return (stream or self.stream).receive(json.dumps(
            {"workflow_id": self.workflow_id, "command": "start", **frame}))


def types(reply: Reply) -> list[str | None]:
    return [f.get("type") for f in reply.frames]


def say(text: str) -> str:
    return json.dumps({"thread_to_node_inputs": {"0": {"node_run_inputs": [
        {"type": "llm", "messages": [{"type": "human", "content": text}]}]}}})


# ------------------------------------------------------------------------ frames
@pytest.mark.parametrize("text, close", [
    ("x" * (MAX_FRAME + 1), Close(1009, "Frame too large")),
    ("{not json", Close(1007, "Frames must be JSON run inputs")),
    ('{"a": NaN}', Close(1007, "Frames must be JSON run inputs")),
    ("[1, 2]", Close(1007, "Frames must be JSON objects")),
])
def test_a_frame_that_is_no_json_object_closes_the_socket(text, close):
    assert read_frame(text) == close
    assert Socket(CHAT).stream.receive(text) == Reply(close=close)


def test_initial_state_is_refused_with_4006():
    reply = Socket(CHAT).start(initial_state={"x": 1})
    assert reply.close == Close(4006, "initial_state is not accepted over the WebSocket")
    assert reply.frames == []


def test_a_start_the_service_refuses_closes_4000_with_the_reason():
    socket = Socket(CHAT)
    reply = socket.stream.receive(json.dumps({"workflow_id": "f" * 24}))
    assert reply.frames == [] and reply.close is not None
    assert reply.close.code == 4000 and "not found" in reply.close.reason.lower()
    malformed = socket.open().receive(json.dumps({"workflow_id": socket.workflow_id,
                                                  "command": "bogus"}))
    assert malformed.close is not None and malformed.close.code == 4000
    assert len(malformed.close.reason) <= 120


# ------------------------------------------------------------------------ turns
def test_the_start_is_acked_then_each_event_is_a_frame_and_a_waiting_run_stays_open():
    socket = Socket(CHAT)
    reply = socket.start()
    run = socket.stream.run
    assert run is not None and reply.close is None
    assert reply.frames[0] == {"workflow_run_id": run.id, "workflow_id": socket.workflow_id,
                               "message": "Workflow run started"}
    assert types(reply)[-1] == "workflow_ready_for_input"
    assert run.config_snapshot and run.checkpoints  # streamed runs can be re-run

    second = socket.stream.receive(say("hello"))  # no command: a data turn
    assert second.close is None and types(second)[0] == "user_messages"
    assert "Workflow run started" not in json.dumps(second.frames)  # acked once
    refused = socket.stream.receive(json.dumps({"command": "bogus"}))
    assert refused.close is not None and refused.close.code == 4004


def test_a_run_that_finishes_in_its_turn_closes_1000():
    reply = Socket(STATIC).start()
    assert reply.close == Close(1000)
    assert types(reply)[-1] == "end_workflow" and reply.frames[0]["message"]


def test_a_stopped_run_closes_1000():
    socket = Socket(CHAT)
    socket.start()
    reply = socket.stream.receive(json.dumps({"command": "stop"}))
    assert reply.close == Close(1000)
    assert socket.stream.run is not None and socket.stream.run.status == "cancelled"


# ------------------------------------------------------------------------ background
def test_background_events_are_frames_and_the_socket_closes_once_they_finish_the_run():
    socket = Socket(BACKGROUND_NODES, BACKGROUND_EDGES)
    socket.state.scripts.push([LLMScript(node="Poller", tool_result=1),
                               LLMScript(node="Poller", tool_result=2)])
    first = socket.start()
    assert first.close is None and socket.ns.clock.pending  # the driver is armed
    socket.ns.clock.advance(60)  # a manual clock fires every timer due: several batches
    assert len(socket.batches) >= 2
    replies = [socket.stream.pumped(batch, more_queued=index < len(socket.batches) - 1)
               for index, batch in enumerate(socket.batches)]
    assert [r.frames for r in replies] == socket.batches
    assert [r.close for r in replies[:-1]] == [None] * (len(replies) - 1)  # more were queued
    assert replies[-1].close == Close(1000)
    assert socket.stream.run is not None and socket.stream.run.status == "completed"
    assert "waiting_condition_matched" in json.dumps(socket.batches)


def test_closing_stops_the_background_driver():
    socket = Socket(BACKGROUND_NODES, BACKGROUND_EDGES)
    socket.start()
    assert socket.ns.clock.pending
    socket.stream.close()
    assert socket.ns.clock.pending == 0
    socket.ns.clock.advance(60)
    assert socket.batches == []  # the run stays where it was
    assert socket.stream.run is not None and socket.stream.run.waiting


# ------------------------------------------------------------------------ re-runs
def test_a_rerun_token_starts_from_its_projection_once():
    socket = Socket(CHAT)
    socket.start()
    source = socket.stream.run
    assert source is not None
    token = socket.state.reruns.create_token(source.id, 0, RerunTarget())["rerun_token"]

    rerun = socket.open()
    reply = socket.start(rerun, rerun_token=token)
    assert reply.close is None and rerun.run is not None
    assert rerun.run.id != source.id and rerun.run.source_run_id == source.id
    assert reply.frames[0]["workflow_run_id"] == rerun.run.id

    again = socket.start(socket.open(), rerun_token=token)  # spent
    assert again.close == Close(4007, "Invalid or expired rerun_token")


@pytest.mark.parametrize("frame", [{"rerun_token": 7}, {"rerun_token": "rrt_x",
                                                        "version_number": "1"},
                                   {"rerun_token": "rrt_unknown"}])
def test_a_bad_rerun_token_closes_4007(frame):
    socket = Socket(CHAT)
    reply = socket.start(**frame)
    assert reply.close == Close(4007, "Invalid or expired rerun_token")
    assert socket.state.runs.by_id == {}

