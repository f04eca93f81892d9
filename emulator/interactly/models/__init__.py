"""The emulator's own pydantic models of the Interactly config documents.

They are the one description of each config shape: the ``/schema`` routes publish them, the
response models declare them, and node, edge and tool configs are validated against them when
they are saved (:mod:`emulator.interactly.shapes`). Import lazily: building them costs a few
hundred milliseconds.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from emulator.interactly.models.documents import (
    NodeLibraryConfig,
    SimulationConfig,
    WorkflowTemplateConfig,
)
from emulator.interactly.models.edges import EDGE_MODELS, BaseEdgeRunInput
from emulator.interactly.models.llm import LLMOrGroupConfig
from emulator.interactly.models.node_base import GlobalNodeConfig
from emulator.interactly.models.nodes import NODE_MODELS
from emulator.interactly.models.runs import (
    WorkflowRun,
    WorkflowRunInput,
    WorkflowRunInputOutputPair,
    WorkflowRunOutput,
)
from emulator.interactly.models.tools import TOOL_MODELS
from emulator.interactly.models.workflow import WorkflowConfig

#: name -> model (or annotated union) of every document published by name.
DOCUMENTS: dict[str, Any] = {
    "workflow": WorkflowConfig,
    "global_node": GlobalNodeConfig,
    "llm": LLMOrGroupConfig,
    "run": WorkflowRun,
    "run_input": WorkflowRunInput,
    "run_output": WorkflowRunOutput,
    "run_input_output_pair": WorkflowRunInputOutputPair,
    "simulation": SimulationConfig,
    "template": WorkflowTemplateConfig,
    "node_library": NodeLibraryConfig,
    "edge_run_input": BaseEdgeRunInput,
}


def _schema(model: Any) -> dict[str, Any]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_json_schema(mode="serialization")
    return TypeAdapter(model).json_schema(mode="serialization")


@cache
def document_schema(name: str) -> dict[str, Any]:
    """Serialization-mode JSON schema of a named document (see ``DOCUMENTS``)."""
    return _schema(DOCUMENTS[name])


@cache
def node_schemas(node_type: str) -> dict[str, Any] | None:
    models = NODE_MODELS.get(node_type)
    if models is None:
        return None
    config, run_input, run_output = models
    return {"config_schema": _schema(config), "run_input_schema": _schema(run_input),
            "run_output_schema": _schema(run_output)}


@cache
def edge_schemas(edge_type: str) -> dict[str, Any] | None:
    model = EDGE_MODELS.get(edge_type)
    if model is None:
        return None
    return {"config_schema": _schema(model), "run_input_schema": document_schema("edge_run_input")}


@cache
def tool_schemas(tool_type: str) -> dict[str, Any] | None:
    model = TOOL_MODELS.get(tool_type)
    return None if model is None else {"config_schema": _schema(model)}


__all__ = ["DOCUMENTS", "EDGE_MODELS", "NODE_MODELS", "TOOL_MODELS", "document_schema",
           "edge_schemas", "node_schemas", "tool_schemas"]
