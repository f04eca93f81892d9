"""Node, edge and tool configs checked against the one description of each shape: the models
of :mod:`emulator.interactly.models`, which the ``/schema`` routes publish and the response
models declare.

Why here and not in hand-written checks: two descriptions drifted (a float passed where the
published schema says integer), so a config the SDK's own schema refuses was stored, and a
wrong type the engine could not run crashed a turn. Now a config is validated by its ``type``'s
model when it is saved and answered with the service's 400 ``{"message", "error"}`` when it
does not fit.

What is stored is the caller's config with the declared fields as the model read them
(``"3"`` for an integer becomes ``3``, ``2.0`` becomes ``2``): the engine reads exactly what the
model validated. Unknown keys, at any depth, are kept as sent (the SDK and the real service
send fields the models may not list), and no model default is added to the stored document
(the dump is ``exclude_unset``), so reads answer what was written.

Node types the models do not describe (the SDK knows more: ``google_docs``, the ``athena_*``
kinds...) are kept, checked against the fields every node has (spec §6.2 "unknown: keep
as-is"). Edges and tools have no such open set: an unknown ``type`` is refused, as the
service's discriminated unions refuse it.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from emulator.core.errors import ServiceError

#: ``message`` of the 400 for a node or edge config that does not fit its model.
SHAPE = "Invalid workflow configuration"
#: ``message`` of the 400 for a saved tool config that does not fit its model.
TOOL_SHAPE = "Invalid tool configuration"
#: Encapsulated sub-workflows nested deeper than this are not checked node by node: super
#: nodes expand only five levels (``supernodes.MAX_DEPTH``), so deeper ones never run.
MAX_NESTING = 6


class _Models(NamedTuple):
    nodes: dict[str, type[BaseModel]]  # node type -> config model
    base_node: type[BaseModel]  # what every node type has
    edges: dict[str, type[BaseModel]]
    tools: dict[str, type[BaseModel]]


@cache
def _models() -> _Models:
    """The config models by type. Imported on first use: building them costs a few hundred
    milliseconds, which the server's start must not pay."""
    from emulator.interactly.models.edges import EDGE_MODELS
    from emulator.interactly.models.node_base import BaseNodeConfig
    from emulator.interactly.models.nodes import NODE_MODELS
    from emulator.interactly.models.tools import TOOL_MODELS

    return _Models({kind: models[0] for kind, models in NODE_MODELS.items()}, BaseNodeConfig,
                   dict(EDGE_MODELS), dict(TOOL_MODELS))


def node(config: Any, where: str = "node", depth: int = 0) -> dict[str, Any]:
    """``config`` as stored, validated by its type's model (or the base node model for a type
    the models do not describe). A super node's encapsulated sub-workflow is checked node by
    node the same way: its model types those nodes only as the base node."""
    kind = _kind(config, where, SHAPE)
    models = _models()
    checked = _validated(models.nodes.get(kind, models.base_node), config, where, SHAPE)
    sub = checked.get("encapsulated_workflow_config")
    if kind == "super_node" and isinstance(sub, dict) and sub.get("node_configs") \
            and depth < MAX_NESTING:
        inner = f"{where}.encapsulated_workflow_config"
        sub["node_configs"] = [
            node(n, f"{inner}.node {n.get('logical_id') or i}", depth + 1)
            for i, n in enumerate(sub["node_configs"])]
    return checked


def edge(config: Any, where: str = "edge") -> dict[str, Any]:
    """``config`` as stored, validated by its type's model."""
    return _typed(_models().edges, config, where, SHAPE)


def tool(config: Any, where: str = "tool") -> dict[str, Any]:
    """A saved tool's ``config`` as stored, validated by its type's model."""
    return _typed(_models().tools, config, where, TOOL_SHAPE)


def graph(nodes: list[Any], edges: list[Any]) -> tuple[list[dict[str, Any]],
                                                        list[dict[str, Any]]]:
    """Every node and edge of a graph as stored (see :func:`node`, :func:`edge`); the first
    that does not fit is the 400."""
    return ([node(n, f"node {_name(n, i)}") for i, n in enumerate(nodes)],
            [edge(e, f"edge {_name(e, i)}") for i, e in enumerate(edges)])


# ------------------------------------------------------------------------------ helpers
def _name(config: Any, index: int) -> str:
    return str(config.get("logical_id") or index) if isinstance(config, dict) else str(index)


def _typed(models: dict[str, type[BaseModel]], config: Any, where: str,
           category: str) -> dict[str, Any]:
    """An edge or tool: a closed set of types, each with its model."""
    kind = _kind(config, where, category)
    if kind not in models:
        raise ServiceError(category, f"{where}.type: {kind!r} is not one of {sorted(models)}")
    return _validated(models[kind], config, where, category)


def _kind(config: Any, where: str, category: str) -> str:
    if not isinstance(config, dict):
        raise ServiceError(category, f"{where} must be an object")
    kind = config.get("type")
    if not isinstance(kind, str):
        raise ServiceError(category, f"{where}.type: Input should be a valid string")
    return kind


def _validated(model: type[BaseModel], config: dict[str, Any], where: str,
               category: str) -> dict[str, Any]:
    try:
        parsed = model.model_validate(config)
    except ValidationError as exc:
        raise ServiceError(category, _describe(exc, where)) from None
    merged = _overlay(config, parsed.model_dump(mode="json", exclude_unset=True))
    assert isinstance(merged, dict)
    return merged


def _describe(exc: ValidationError, where: str) -> str:
    """The first problem as ``<where>.<field path>: <pydantic message>``."""
    first = exc.errors(include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"])
    return f"{where}.{path}: {first['msg']}" if path else f"{where}: {first['msg']}"


def _overlay(sent: Any, checked: Any) -> Any:
    """``checked`` (what the model read, set fields only) over ``sent``: keys the model does
    not declare keep their sent values, at every depth."""
    if isinstance(sent, dict) and isinstance(checked, dict):
        return {**sent, **{k: _overlay(sent.get(k), v) for k, v in checked.items()}}
    if isinstance(sent, list) and isinstance(checked, list) and len(sent) == len(checked):
        return [_overlay(s, c) for s, c in zip(sent, checked, strict=True)]
    return checked
