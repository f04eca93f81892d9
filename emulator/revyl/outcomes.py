"""Chosen outcomes: how a caller decides whether the next execution passes, fails, errors or
times out, and how long it takes.

Three sources, first match wins: the namespace's scripted queue (control plane), an in-band
magic marker in the test's name (``[fail]``, ``[error]``, ``[timeout]``), then the default (pass).
An execution takes its outcome once, at creation, and keeps it for every retry (sticky).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from emulator.core.namespaces import Rearm
from emulator.core.scripts import ScriptQueue

Result = Literal["pass", "fail", "error", "timeout"]
_ALIASES = {"passed": "pass", "completed": "pass", "success": "pass", "failed": "fail",
            "failure": "fail", "errored": "error", "timed_out": "timeout"}
MAGIC: dict[str, Result] = {"[fail]": "fail", "[error]": "error", "[timeout]": "timeout",
                            "[pass]": "pass"}


class OutcomeScript(BaseModel):
    """One queued outcome. Without ``test_id`` (resp. ``workflow_id``) it applies to the next
    execution of any test (resp. workflow, with ``kind: workflow``). ``times`` executions consume
    it before it leaves the queue."""

    model_config = ConfigDict(extra="forbid")

    test_id: str | None = None
    workflow_id: str | None = None
    result: Result = "pass"
    fail_step: int | None = Field(None, ge=1, description="1-based step that fails or hangs")
    error_message: str | None = None
    steps: int | None = Field(None, ge=1, le=1000, description="override the step count")
    step_seconds: float | None = Field(None, gt=0, le=86400)
    duration: float | None = Field(None, gt=0, le=86400,
                                   description="total running time; overrides step_seconds")
    init_seconds: float | None = Field(None, ge=0, le=86400)
    queue_seconds: float | None = Field(None, ge=0, le=86400)
    timeout_seconds: float | None = Field(None, gt=0, le=86400)
    pass_on_attempt: int | None = Field(None, ge=1, le=5,
                                        description="flaky: attempts from this one on pass")
    times: int = Field(1, ge=1, le=10000)
    kind: Literal["test", "workflow"] | None = None

    @property
    def target(self) -> str:
        return self.kind or ("workflow" if self.workflow_id is not None else "test")

    @property
    def target_id(self) -> str | None:
        return self.workflow_id if self.target == "workflow" else self.test_id

    @model_validator(mode="after")
    def _one_target(self) -> OutcomeScript:
        if self.test_id is not None and self.workflow_id is not None:
            raise ValueError("give test_id or workflow_id, not both")
        if self.kind == "test" and self.workflow_id is not None:
            raise ValueError("kind 'test' cannot name a workflow_id")
        if self.kind == "workflow" and self.test_id is not None:
            raise ValueError("kind 'workflow' cannot name a test_id")
        return self

    @model_validator(mode="before")
    @classmethod
    def _alias_result(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("result"), str):
            data = {**data, "result": _ALIASES.get(data["result"].lower(), data["result"].lower())}
        return data


class OutcomeQueue(ScriptQueue[OutcomeScript]):
    def __init__(self) -> None:
        super().__init__(lambda s: s.model_dump(exclude_none=True))

    # Replaces the generic take(applies) with the lookup by test/workflow id, as LLMScripts
    # does: the base's predicate form is not part of this queue's interface.
    def take(self, *, test_id: str | None = None,  # type: ignore[override]
             workflow_id: str | None = None) -> OutcomeScript | None:
        """First queued entry that applies. Entries are for tests unless they name a workflow or
        say ``kind: workflow``; a workflow's child tests take test entries like any test."""
        want = "workflow" if workflow_id is not None else "test"
        own_id = workflow_id if workflow_id is not None else test_id
        return super().take(lambda s: s.target == want and s.target_id in (None, own_id))

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Every queued outcome as it was pushed, with the uses it has left."""
        return {"outcomes": [{"script": s.model_dump(), "remaining": n}
                             for s, n in self.entries()]}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self.restore([(OutcomeScript.model_validate(o["script"]), int(o["remaining"]))
                      for o in data.get("outcomes", [])])
        return []


def magic_result(name: str) -> Result | None:
    lowered = name.lower()
    for marker, result in MAGIC.items():
        if marker in lowered:
            return result
    return None
