"""Re-runs (spec §4.7): start a new run from the state a finished run had after one of its turns.

A WebSocket-driven run keeps its hydrated config and a checkpoint of its state after each turn
(``Run.checkpoints``); REST runs keep neither and are not re-runnable. From a checkpoint the
service builds one *projection* — transcript, variables, where to resume — against a target
workflow/version; ``execute`` starts a run from it at once, a token holds it so a person can look at
it (preview), change it (amend) and start it over the WebSocket. Both paths share the projection,
so they cannot disagree about what carries over.

Resolution, kept simple but honest:

* ``EXACT`` — same workflow, same version and an unchanged graph: everything carries over and
  every node matches by identity;
* ``REMAPPED`` — another config whose nodes match by explicit ``node_id_map``, identical logical id
  or unique name, including the node the run was parked at;
* ``PORTABLE`` — the parked node has no counterpart (or nothing matches): transcript and
  variables carry over, the position does not; the run starts at the entry node.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.core.errors import BadRequest, NotFound, ServiceError
from emulator.interactly.engine import Run, human_message
from emulator.interactly.threads import MAIN, Thread

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm
    from emulator.interactly.state import InteractlyState

TOKEN_TTL_SECONDS = 900
NO_SNAPSHOT = ("This run predates workflow config snapshots, so its state cannot be "
               "reconstructed.")
NO_CHECKPOINT = "No state was stored for this turn, so it cannot be reconstructed."
TOKEN_NOT_FOUND = "Re-run token not found or expired"
MODES = ("PORTABLE", "REMAPPED", "EXACT")  # by strictness
HISTORY_MODES = ("FULL", "USER_AND_ASSISTANT_ONLY", "NONE")
DISPLAYED = {"human": "user", "ai": "assistant"}


class RerunTokenInvalid(Exception):
    """A ``rerun_token`` that cannot start a run (the WebSocket closes 4007 with the reason)."""


@dataclass
class RerunTarget:
    """``RerunTargetRequest``: None means "derive"."""

    workflow_id: str | None = None
    version_number: int | None = None
    history_mode: str | None = None
    entry_node_logical_id: str | None = None
    node_id_map: dict[str, str] | None = None
    requested_mode: str | None = None


@dataclass
class Projection:
    """What a re-run restores. Self-contained: a token keeps working if the source changes."""

    source_run_id: str
    turn_index: int
    workflow_id: str
    version_number: int
    graph: dict[str, Any]
    fingerprint: str
    mode: str
    history_mode: str
    entry: str | None
    warnings: list[str]
    threads: dict[str, dict[str, Any]]  # internal id -> {reference_id, messages, runtime}
    dynamic: dict[str, Any]
    state: dict[str, Any]  # engine bookkeeping carried over (EXACT only)
    edited: bool = False
    removed: int = 0


@dataclass
class Plan:
    """The analysis behind preflight, tokens and execute."""

    report: dict[str, Any]
    projection: Projection | None = None
    refusal: str | None = None  # why requested_mode cannot be met


@dataclass
class Token:
    value: str
    projection: Projection
    expires_at: float
    extra: dict[str, Any] = field(default_factory=dict)


def fingerprint(graph: dict[str, Any]) -> str:
    """Identity of a graph's behaviour: its nodes and edges (not names of the workflow)."""
    body = json.dumps([graph.get("node_configs"), graph.get("edge_configs")], sort_keys=True,
                      default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def displayed(message: dict[str, Any]) -> bool:
    """The transcript a person sees: user and assistant turns; system prompts and tool traffic
    are hidden but keep their storage positions."""
    return message.get("type") in DISPLAYED


def not_editable(message: dict[str, Any]) -> str | None:
    if message.get("tool_calls"):
        return "The message carries tool calls; rewriting it would orphan their results."
    if not isinstance(message.get("content"), str):
        return "The message has structured content."
    return None


class Reruns:
    """One namespace's re-run service: analysis, tokens, and starting re-runs."""

    def __init__(self, state: InteractlyState) -> None:
        self.runs = state.runs
        self.clock = state.ns.clock
        self.ids = state.ns.ids
        self.tokens: dict[str, Token] = {}

    # ---------------------------------------------------------------- snapshots
    def export_state(self) -> dict[str, Any]:
        """Live and expired tokens alike (expiry is checked when a token is used)."""
        return {"tokens": [{"value": t.value, "projection": asdict(t.projection),
                            "expires_at": t.expires_at, "extra": t.extra}
                           for t in self.tokens.values()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self.tokens = {}
        for raw in data.get("tokens", []):
            token = Token(raw["value"], Projection(**raw["projection"]),
                          float(raw["expires_at"]), dict(raw.get("extra") or {}))
            self.tokens[token.value] = token
        return []

    # ---------------------------------------------------------------- turns
    @staticmethod
    def _blocker(run: Run, turn_index: int) -> str | None:
        if not run.config_snapshot:
            return NO_SNAPSHOT
        if turn_index not in run.checkpoints:
            return NO_CHECKPOINT
        return None

    def rerun_count(self, run_id: str, turn_index: int) -> int:
        return sum(1 for r in self.runs.by_id.values()
                   if r.source_run_id == run_id and r.source_turn_index == turn_index)

    def rerunnable_turns(self, run_id: str) -> dict[str, Any]:
        run = self.runs.get(run_id)
        turns = []
        for index in range(len(run.pairs)):
            reason = self._blocker(run, index)
            turns.append({"turn_index": index, "rerunnable": reason is None, "reason": reason,
                          "rerun_count": self.rerun_count(run.id, index)})
        return {"workflow_run_id": run.id, "turns": turns}

    # ---------------------------------------------------------------- analysis
    def plan(self, run_id: str, turn_index: int, target: RerunTarget) -> Plan:
        """Analyse a re-run of ``turn_index``; raises 404 for an unknown run/turn/target and
        400 for an invalid request (unknown entry node, bad node map)."""
        run = self.runs.get(run_id)
        if not 0 <= turn_index < len(run.pairs):
            raise NotFound(f"Turn {turn_index} not found in workflow run {run.id} "
                           f"({len(run.pairs)} turns)")
        blocker = self._blocker(run, turn_index)
        if blocker is not None:
            return Plan(report={"rerunnable": False, "reason": blocker})
        wf, number, graph = self.runs.graph_for(target.workflow_id or run.workflow_id,
                                                target.version_number)
        state = run.checkpoints[turn_index]
        same_target = wf.id == run.workflow_id and number == run.version_number
        exact = same_target and fingerprint(graph) == fingerprint(run.graph)
        if exact:
            graph = copy.deepcopy(run.graph)
        mapping, matches = self._match(run.graph, graph, target.node_id_map or {})
        source_ids = [n["logical_id"] for n in run.graph["node_configs"]]
        unmapped = [lid for lid in source_ids if lid not in mapping]
        position = state["parked_node"]
        mapped_position = mapping.get(position) if position else None
        mode = "EXACT" if exact else "REMAPPED" if (
            mapped_position if position else mapping) else "PORTABLE"
        warnings: list[str] = []
        if same_target and not exact:
            warnings.append(f"Version {number} was edited after the run; its nodes are matched "
                            "against the current config.")
        if unmapped:
            warnings.append(f"{len(unmapped)} node(s) have no counterpart in the target: "
                            + ", ".join(unmapped))
        targets = {n["logical_id"]: n for n in graph["node_configs"]}
        starts = [n["logical_id"] for n in graph["node_configs"] if n.get("is_start")]
        waiting = [n["logical_id"] for n in graph["node_configs"]
                   if n.get("type") == "say_llm" and n.get("wait_for_user_message", True)]
        resumable = mapped_position is not None
        not_resumable = None
        if position is None:
            not_resumable = ("The conversation ended in this turn, so there is no node to "
                             "resume at; the re-run starts at the entry node.")
        elif not resumable:
            not_resumable = (f"The node the run was parked at ({position}) has no counterpart "
                             "in the target workflow.")
        entry = target.entry_node_logical_id
        if entry is not None and entry not in targets:
            raise BadRequest(f"entry_node_logical_id {entry} is not a node of the target "
                             "workflow")
        if entry is None:
            entry = mapped_position or (starts[0] if starts else None)
            if not_resumable:
                warnings.append(not_resumable)
        history_mode = target.history_mode or ("FULL" if exact else "USER_AND_ASSISTANT_ONLY")
        if not exact and target.history_mode is None:
            warnings.append("The target config differs from the source run's; system and tool "
                            "messages are not carried over (USER_AND_ASSISTANT_ONLY).")
        messages = self._history(state["history"], history_mode)
        threads = {MAIN: {"reference_id": MAIN, "messages": messages,
                          "runtime": state["runtime"]}}
        for tid, companion in state["companions"].items():
            threads[tid] = {"reference_id": companion["reference_id"], "messages": [],
                            "runtime": companion["runtime"]}
        carried_state = {k: state[k] for k in ("loop_attempts", "node_runs", "completions",
                                               "global_origin")} if exact else {}
        dropped_state = [] if exact else [k for k in ("loop_attempts", "node_runs",
                                                      "completions", "global_origin")
                                          if state[k]]
        source_defaults = run.graph.get("dynamic_variables") or {}
        target_defaults = graph.get("dynamic_variables") or {}
        unmapped_vars = [] if exact else sorted(set(source_defaults) - set(target_defaults))
        variables = len(state["dynamic"]) + sum(len(t["runtime"]) for t in threads.values())
        projection = Projection(
            source_run_id=run.id, turn_index=turn_index, workflow_id=wf.id,
            version_number=number, graph=graph, fingerprint=fingerprint(graph), mode=mode,
            history_mode=history_mode, entry=entry, warnings=warnings,
            threads=copy.deepcopy(threads), dynamic=copy.deepcopy(state["dynamic"]),
            state={"user_turns": state["user_turns"], **copy.deepcopy(carried_state)})
        refusal = None
        if target.requested_mode and MODES.index(target.requested_mode) > MODES.index(mode):
            refusal = (f"requested_mode {target.requested_mode} cannot be met: the target "
                       f"supports at most {mode}")
        report = {
            "rerunnable": refusal is None, "reason": refusal, "resolved_mode": mode,
            "is_resumable": resumable, "not_resumable_reason": not_resumable,
            "entry_node_logical_id": entry,
            "suggested_entry_nodes": list(dict.fromkeys(
                [*([mapped_position] if mapped_position else []), *starts, *waiting])),
            "node_matches": matches, "unmapped_node_ids": unmapped,
            "unmapped_variable_keys": unmapped_vars,
            "carries_over": {"message_count": len(messages), "variable_count": variables},
            "dropped": {"node_ids": unmapped, "variable_keys": [],
                        "state_keys": dropped_state},
            "warnings": warnings}
        return Plan(report=report, projection=projection, refusal=refusal)

    @staticmethod
    def _match(source: dict[str, Any], target: dict[str, Any],
               explicit: dict[str, str]) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """Source node -> target node: the caller's map, then identity, then unique name."""
        sources = {n["logical_id"]: n for n in source["node_configs"]}
        targets = {n["logical_id"]: n for n in target["node_configs"]}
        for src, dst in explicit.items():
            if src not in sources:
                raise BadRequest(f"node_id_map: {src} is not a node of the source run")
            if dst not in targets:
                raise BadRequest(f"node_id_map: {dst} is not a node of the target workflow")
        names: dict[str, list[str]] = {}
        for lid, node in targets.items():
            names.setdefault(str(node.get("name") or ""), []).append(lid)
        mapping: dict[str, str] = {}
        matches = []
        for lid, node in sources.items():
            name = str(node.get("name") or "")
            if lid in explicit:
                dst, how = explicit[lid], "explicit"
            elif lid in targets:
                dst, how = lid, "identity"
            elif name and len(names.get(name, [])) == 1 and names[name][0] not in \
                    mapping.values():
                dst, how = names[name][0], "name"
            else:
                continue
            mapping[lid] = dst
            matches.append({"source_node_logical_id": lid, "target_node_logical_id": dst,
                            "matched_by": how, "source_node_name": node.get("name"),
                            "target_node_name": targets[dst].get("name")})
        return mapping, matches

    @staticmethod
    def _history(history: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
        if mode == "NONE":
            return []
        if mode == "USER_AND_ASSISTANT_ONLY":
            return [m for m in history if displayed(m)]
        return list(history)

    def _approved(self, run_id: str, turn_index: int, target: RerunTarget) -> Projection:
        """The projection of a re-run that may go ahead, else 400 with the report's reason."""
        plan = self.plan(run_id, turn_index, target)
        if plan.projection is None:
            raise ServiceError("Re-run refused", str(plan.report["reason"]))
        if plan.refusal is not None:
            raise ServiceError("Re-run refused", plan.refusal)
        return plan.projection

    # ---------------------------------------------------------------- tokens
    def create_token(self, run_id: str, turn_index: int,
                     target: RerunTarget) -> dict[str, Any]:
        projection = self._approved(run_id, turn_index, target)
        self._purge()
        value = f"rrt_{self.ids.token()}"
        self.tokens[value] = Token(value, projection, self.clock.now() + TOKEN_TTL_SECONDS)
        return {"rerun_token": value, "expires_in_seconds": TOKEN_TTL_SECONDS,
                "target_workflow_id": projection.workflow_id,
                "target_version_number": projection.version_number,
                "resolved_mode": projection.mode, "entry_node_logical_id": projection.entry,
                "warnings": list(projection.warnings),
                "source_workflow_run_id": projection.source_run_id, "turn_index": turn_index,
                "restored_message_count": len(projection.threads[MAIN]["messages"])}

    def _purge(self) -> None:
        now = self.clock.now()
        for value in [v for v, t in self.tokens.items() if t.expires_at <= now]:
            del self.tokens[value]

    def _token(self, run_id: str, turn_index: int, value: str) -> Token:
        """A live token minted for this run and turn; anything else is 404 (no hint whether
        the token exists for another run)."""
        self.runs.get(run_id)
        self._purge()
        token = self.tokens.get(value)
        if token is None or token.projection.source_run_id != run_id or \
                token.projection.turn_index != turn_index:
            raise NotFound(TOKEN_NOT_FOUND)
        return token

    def preview(self, run_id: str, turn_index: int, value: str) -> dict[str, Any]:
        return self._preview(self._token(run_id, turn_index, value))

    def _preview(self, token: Token) -> dict[str, Any]:
        p = token.projection
        threads = []
        for tid, thread in p.threads.items():
            shown = [m for m in thread["messages"] if displayed(m)]
            threads.append({
                "thread_id": tid, "reference_id": thread["reference_id"],
                "is_resumable": tid == MAIN,
                "messages": [{"index": i, "id": m.get("id"), "role": DISPLAYED[m["type"]],
                              "sender": DISPLAYED[m["type"]], "text": m.get("content"),
                              "editable": not_editable(m) is None,
                              "not_editable_reason": not_editable(m)}
                             for i, m in enumerate(shown)],
                "runtime_variables": copy.deepcopy(thread["runtime"])})
        return {"source_workflow_run_id": p.source_run_id, "turn_index": p.turn_index,
                "target_workflow_id": p.workflow_id, "target_version_number": p.version_number,
                "resolved_mode": p.mode, "effective_mode": "EDITED" if p.edited else p.mode,
                "edited": p.edited, "removed_message_count": p.removed,
                "entry_node_logical_id": p.entry, "warnings": list(p.warnings),
                "history_mode": p.history_mode, "resume_thread_id": MAIN, "threads": threads,
                "dynamic_variables": copy.deepcopy(p.dynamic),
                "expires_in_seconds": max(0, math.ceil(token.expires_at - self.clock.now()))}

    def amend(self, run_id: str, turn_index: int, value: str, change: dict[str, Any]
              ) -> dict[str, Any]:
        """Apply an amendment (all verbs checked against the transcript as previewed, before
        any is applied) to a copy of the projection, and keep the copy only if all succeed."""
        token = self._token(run_id, turn_index, value)
        draft = copy.deepcopy(token.projection)
        verbs = [k for k, v in change.items() if v is not None]
        for tid, variables in (change.get("runtime_variables") or {}).items():
            self._thread(draft, tid)["runtime"].update(copy.deepcopy(variables))
        draft.dynamic.update(copy.deepcopy(change.get("dynamic_variables") or {}))
        edits = change.get("message_edits") or []
        deletes = change.get("message_deletes") or []
        appends = change.get("message_appends") or []
        removed: dict[str, set[int]] = {}
        replaced: dict[tuple[str, int], str] = {}
        for edit in edits:
            tid, storage = self._resolve(draft, edit["thread_id"], edit["index"])
            reason = not_editable(self._thread(draft, tid)["messages"][storage])
            if reason:
                raise BadRequest(f"Message {edit['index']} of thread {tid} is not editable: "
                                 f"{reason}")
            replaced[(tid, storage)] = edit["text"]
        for delete in deletes:
            tid, storage = self._resolve(draft, delete["thread_id"], delete["index"])
            if (tid, storage) in replaced:
                raise BadRequest(f"Message {delete['index']} of thread {tid} is both edited "
                                 "and deleted")
            messages = self._thread(draft, tid)["messages"]
            gone = removed.setdefault(tid, set())
            gone.add(storage)
            follower = storage + 1  # the tool results that answered it go with it
            while follower < len(messages) and messages[follower].get("type") == "tool":
                gone.add(follower)
                follower += 1
        for append in appends:
            if append["thread_id"] != MAIN:
                self._thread(draft, append["thread_id"])
                raise BadRequest(f"Thread {append['thread_id']} is not resumable; messages can "
                                 f"only be appended to thread {MAIN}")
        for (tid, storage), text in replaced.items():
            messages = self._thread(draft, tid)["messages"]
            messages[storage] = {**messages[storage], "content": text}
        for tid, gone in removed.items():
            thread = self._thread(draft, tid)
            thread["messages"] = [m for i, m in enumerate(thread["messages"]) if i not in gone]
        for append in appends:
            self._thread(draft, MAIN)["messages"].append(self._message(append["role"],
                                                                       append["text"]))
        if verbs:
            draft.edited = True
            draft.removed += len(deletes)
        token.projection = draft
        return self._preview(token)

    @staticmethod
    def _thread(p: Projection, tid: str) -> dict[str, Any]:
        thread = p.threads.get(tid)
        if thread is None:
            raise BadRequest(f"Thread {tid} is not part of this re-run "
                             f"(threads: {', '.join(p.threads)})")
        return thread

    def _resolve(self, p: Projection, tid: str, index: int) -> tuple[str, int]:
        """Displayed index -> storage index in the thread's messages."""
        messages = self._thread(p, tid)["messages"]
        positions = [i for i, m in enumerate(messages) if displayed(m)]
        if not 0 <= index < len(positions):
            raise BadRequest(f"Message index {index} is out of range for thread {tid} "
                             f"({len(positions)} displayed messages)")
        return tid, positions[index]

    def _message(self, role: str, text: str) -> dict[str, Any]:
        if role == "user":
            return human_message(text, self.ids.uuid())
        return {"content": text, "additional_kwargs": {}, "response_metadata": {},
                "type": "ai", "name": None, "id": f"assistant_message_{self.ids.uuid()}",
                "tool_calls": [], "invalid_tool_calls": [], "usage_metadata": None}

    def redeem(self, value: str, workflow_id: str, version_number: int | None) -> Projection:
        """Spend a token on a WebSocket start frame. Expired, unknown, minted for another
        workflow/version, or the workflow changed since: :class:`RerunTokenInvalid`."""
        self._purge()
        token = self.tokens.get(value)
        if token is None:
            raise RerunTokenInvalid("Invalid or expired rerun_token")
        p = token.projection
        if workflow_id != p.workflow_id:
            raise RerunTokenInvalid("rerun_token was minted for a different workflow")
        if version_number is not None and version_number != p.version_number:
            raise RerunTokenInvalid("rerun_token was minted for a different version")
        try:
            _, _, graph = self.runs.graph_for(p.workflow_id, p.version_number)
        except NotFound:
            raise RerunTokenInvalid("The target workflow no longer exists") from None
        if fingerprint(graph) != p.fingerprint:
            raise RerunTokenInvalid("The workflow changed since the rerun_token was minted")
        del self.tokens[value]
        return p

    # ---------------------------------------------------------------- runs
    def start(self, p: Projection, team: str, user: str) -> Run:
        """A new run restored from ``p``, parked at the entry node awaiting input. Companion
        threads are restored for their variables but not resumed (they are non-interactive)."""
        main = p.threads[MAIN]
        companions = {tid: Thread(tid, t["reference_id"], copy.deepcopy(t["runtime"]),
                                  active=False)
                      for tid, t in p.threads.items() if tid != MAIN}
        return self.runs.spawn(
            p.workflow_id, p.version_number, copy.deepcopy(p.graph), team, user,
            status="waiting_for_user_input", parked_node=p.entry,
            history=copy.deepcopy(main["messages"]), dynamic=copy.deepcopy(p.dynamic),
            runtime=copy.deepcopy(main["runtime"]), companions=companions,
            source_run_id=p.source_run_id, source_turn_index=p.turn_index,
            config_snapshot=True, **copy.deepcopy(p.state),
            rerun_info={"resolved_mode": p.mode,
                        "effective_mode": "EDITED" if p.edited else p.mode,
                        "edited": p.edited, "history_mode": p.history_mode,
                        "entry_node_logical_id": p.entry})

    def execute(self, run_id: str, turn_index: int, target: RerunTarget, message: str | None,
                team: str, user: str) -> tuple[Run, Projection]:
        """Restore and, with ``message``, drive one turn with it; without, leave the new run
        parked awaiting input (re-entering the restored node would repeat what it did)."""
        p = self._approved(run_id, turn_index, target)
        run = self.start(p, team, user)
        if message is not None:
            self.runs.resume(run, {
                "command": "data", "dynamic_variables": {}, "runtime_variables": {},
                "miscellaneous": {}, "start_node_logical_id": None, "run_by": user or None,
                "workflow_run_id": None, "version_number": None,
                "thread_to_node_inputs": {MAIN: {"node_run_inputs": [{
                    "type": "llm", "node_logical_id": p.entry,
                    "messages": [{"type": "human", "content": message}]}]}}})
        return run, p
