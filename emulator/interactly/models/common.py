"""Small building blocks shared by several config documents: the entity base, prompts,
static/dynamic messages, conditions, access levels, comments and ratings."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field


def prefixed_id(prefix: str):
    """A ``default_factory`` producing ``<prefix>_<uuid4>`` logical ids."""
    return lambda: f"{prefix}_{uuid4()}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Doc(BaseModel):
    """Base of every published model: ``model_*`` field names are legitimate here."""

    model_config = ConfigDict(protected_namespaces=())


class SelectionMode(StrEnum):
    """How one message is picked out of a list of candidates."""

    RANDOM = "random"
    SEQUENCE = "sequence"


class AccessControlLevel(StrEnum):
    """Who may see a shared document."""

    PERSONAL = "personal"
    TEAM = "team"
    SYSTEM = "system"


class RatingValue(StrEnum):
    """Thumbs given to one turn of a run."""

    DOWN = "down"
    UP = "up"
    STRONG_UP = "strong_up"


class EntityConfig(Doc):
    """Fields every node and edge document carries."""

    logical_id: str | None = Field(default_factory=prefixed_id("entity"),
                                      title="Logical ID", description="Stable id of the entity")
    name: str | None = Field(default=None, title="Name")
    description: str | None = Field(default=None, title="Description")
    workflow_id: str | None = Field(default=None, title="Workflow ID",
                                       description="Database id of the owning workflow")
    version_number: int | None = Field(default=0, title="Version Number",
                                          description="Workflow version; 0 is the working copy")
    disabled: bool = Field(default=False, title="Disabled",
                           description="Skip this entity's behaviour when the workflow runs")
    miscellaneous: dict = Field(default_factory=dict, title="Miscellaneous")


class PromptConfig(Doc):
    """A prompt template (may contain ``{{dynamic}}`` and ``[[runtime]]`` variables)."""

    prompt: str | None = Field(default=None, title="Prompt")


class StaticMessagesConfig(Doc):
    """Canned messages, one of which is spoken."""

    static_messages: list[str] = Field(default_factory=list, title="Static Messages")
    static_messages_selection_mode: SelectionMode | None = Field(
        default=SelectionMode.RANDOM, title="Selection Mode")


class DynamicMessagesConfig(Doc):
    """A prompt that makes the LLM compose the message."""

    dynamic_message_prompt: str | None = Field(default=None, title="Dynamic Message Prompt")


class ConditionConfig(Doc):
    """When a conditional pathway is taken, and what is said while taking it."""

    condition_freeform: str | None = Field(default=None, title="Freeform Condition",
                                              description="Natural-language condition for the LLM")
    condition_expression: str | None = Field(default=None, title="Condition Expression",
                                                description="Deterministic expression")
    args_schema: dict | None = Field(default=None, title="Arguments Schema")
    static_messages_config: StaticMessagesConfig | None = Field(default=None)
    dynamic_messages_config: DynamicMessagesConfig | None = Field(default=None)


class IntegrationAuthConfig(Doc):
    """Reference to a stored integration credential."""

    integration_id: str | None = Field(default=None, title="Integration ID")


class EvaluationConfig(Doc):
    """Turn-by-turn evaluation of a workflow by another workflow."""

    enable_turn_by_turn_evaluation: bool = Field(default=False)
    evaluator_workflow_id: str | None = Field(default=None)
    evaluator_workflow_version_number: int | None = Field(default=None)


class EvaluationRunInfo(Doc):
    """Link from a run to the run that evaluated it."""

    evaluation_workflow_run_id: str | None = Field(default=None)


class CommentConfig(Doc):
    """A note left on a run or one of its turns."""

    logical_id: str | None = Field(default_factory=prefixed_id("comment"))
    content: str | None = Field(default=None)
    createdBy: str | None = Field(default=None)
    updatedBy: str | None = Field(default=None)
    createdAt: datetime = Field(default_factory=_utcnow)
    updatedAt: datetime = Field(default_factory=_utcnow)


class RatingConfig(Doc):
    """A rating left on one turn of a run."""

    logical_id: str | None = Field(default_factory=prefixed_id("rating"))
    value: RatingValue = Field(title="Rating")
    createdBy: str | None = Field(default=None)
    updatedBy: str | None = Field(default=None)
    createdAt: datetime = Field(default_factory=_utcnow)
    updatedAt: datetime = Field(default_factory=_utcnow)


class BaseRunInput(Doc):
    """Variables handed to a run (or to one node of it)."""

    dynamic_variables: dict = Field(default_factory=dict, title="Dynamic Variables",
                                    description="Values for '{{...}}' placeholders")
    runtime_variables: dict = Field(default_factory=dict, title="Runtime Variables",
                                    description="Values for '[[...]]' placeholders")
    secret_variables: dict[str, str] = Field(
        default_factory=dict, exclude=True, repr=False, title="Secret Variables",
        description="Server-filled credentials; never serialised")
    miscellaneous: dict = Field(default_factory=dict, title="Miscellaneous")


class BaseRunOutput(Doc):
    """What a run (or one node of it) produced."""

    events: list[Any] = Field(default_factory=list, title="Events")
