"""What every node has: the base config, global-node and self-loop settings, base run I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from emulator.interactly.models.common import (
    BaseRunInput,
    BaseRunOutput,
    ConditionConfig,
    Doc,
    EntityConfig,
    prefixed_id,
)


class GlobalConditionEdgeEvaluationMethod(StrEnum):
    """Per global node: how the conditions leading into it are evaluated."""

    WORKFLOW_DEFAULT = "workflow_default"
    TOOL_CALL = "tool_call"
    INDEPENDENT_LLM_EVALUATIONS = "independent_llm_evaluations"


class GlobalNodeConfig(Doc):
    """Makes a node reachable from every other node through a condition."""

    is_global: bool = Field(default=False, title="Is Global Node")
    condition: ConditionConfig | None = Field(default=None, title="Global Node Condition")
    global_condition_edge_evaluation_method: GlobalConditionEdgeEvaluationMethod | None = (
        Field(default=GlobalConditionEdgeEvaluationMethod.WORKFLOW_DEFAULT))
    reverse_conditional_edge: ConditionConfig | None = Field(
        default=None, title="Reverse Conditional Edge",
        description="Condition for returning to the node that led into this global node")


class SelfLoopConfig(Doc):
    """Bounded retry policy: re-run the node until an exit edge matches or a bound is hit."""

    enabled: bool = False
    max_retries: int | None = Field(default=None, ge=0, le=100)
    expiry_time: int | None = Field(default=None, ge=1, le=3600,
                                       description="Wall-clock budget in seconds")
    time_between_retries: int = Field(default=0, ge=0, le=300)

    @model_validator(mode="after")
    def _bounded(self) -> SelfLoopConfig:
        """An enabled loop without a bound would re-run its node forever (spec §6.2)."""
        if self.enabled and self.max_retries is None and self.expiry_time is None:
            raise ValueError("an enabled self loop needs max_retries or expiry_time")
        return self


class BaseNodeConfig(EntityConfig):
    """Fields shared by every node type (each type adds its ``type`` discriminator)."""

    logical_id: str | None = Field(default_factory=prefixed_id("node"))
    primary_category: str | None = None
    secondary_category: str | None = None
    is_start: bool = Field(default=False, description="Whether the workflow starts here")
    global_node_config: GlobalNodeConfig | None = None
    is_guardrail_node: bool = False
    self_loop_config: SelfLoopConfig | None = None


class BaseNodeRunInput(BaseRunInput):
    type: Literal["base_node"] = "base_node"
    node_logical_id: str | None = None


class BaseNodeRunOutput(BaseRunOutput):
    type: Literal["base_node"] = "base_node"
    node_logical_id: str | None = None
    node_run_id: str | None = None
