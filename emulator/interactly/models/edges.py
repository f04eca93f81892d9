"""Edge configurations (``direct``, ``conditional``, ``companion``) and the edge run input."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from emulator.interactly.models.common import ConditionConfig, Doc, EntityConfig, prefixed_id


class BaseEdgeConfig(EntityConfig):
    logical_id: str | None = Field(default_factory=prefixed_id("edge"))
    source_node_logical_id: str | None = None
    destination_node_logical_id: str | None = None


class CompanionThreadConfig(Doc):
    """Run the destination on a companion thread beside the main conversation."""

    is_companion_thread: bool = False
    thread_id: str | None = None


class WaitingEvaluationTriggerMode(StrEnum):
    ON_NODE_COMPLETION = "on_node_completion"
    ON_EVERY_BACKGROUND_TICK = "on_every_background_tick"


class EvaluateWhileWaitingConfig(Doc):
    """Re-evaluate a conditional edge while its source waits for the user."""

    enabled: bool = False
    trigger_mode: WaitingEvaluationTriggerMode = WaitingEvaluationTriggerMode.ON_NODE_COMPLETION
    trigger_node_logical_ids: list[str] = Field(default_factory=list)
    max_transitions_per_wait: int = Field(default=3, ge=1)
    min_seconds_between_evaluations: float | None = Field(default=None, ge=0)


class DirectEdgeConfig(BaseEdgeConfig):
    type: Literal["direct"] = "direct"
    companion_thread_config: CompanionThreadConfig | None = None


class ConditionalEdgeConfig(BaseEdgeConfig):
    type: Literal["conditional"] = "conditional"
    condition: ConditionConfig | None = None
    evaluate_while_waiting_config: EvaluateWhileWaitingConfig | None = None


class CompanionEdgeConfig(BaseEdgeConfig):
    type: Literal["companion"] = "companion"


EdgeConfig = Annotated[
    DirectEdgeConfig | ConditionalEdgeConfig | CompanionEdgeConfig,
    Field(discriminator="type"),
]

EDGE_MODELS: dict[str, type[BaseEdgeConfig]] = {
    "direct": DirectEdgeConfig,
    "conditional": ConditionalEdgeConfig,
    "companion": CompanionEdgeConfig,
}


class BaseEdgeRunInput(Doc):
    """Per-run data an edge may read."""

    miscellaneous: dict = Field(default_factory=dict)
