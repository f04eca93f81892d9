"""Test YAML and blocks: validate, create, convert (seed ``/api/v1/yaml/*`` and the real
``/api/v1/tests/yaml/*``), and the CLI's ``/api/v1/tests/create`` / ``update``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import Field
from starlette.responses import JSONResponse

from emulator.core.errors import ApiError
from emulator.core.namespaces import Namespace
from emulator.revyl import yaml_tests
from emulator.revyl.catalog import TestDef
from emulator.revyl.models import _Request
from emulator.revyl.responses_yaml import (
    BlocksConversionResponse,
    TestCreationResponse,
    TestObjectResponse,
    TestUpdateResponse,
    ValidationResponse,
    YamlConversionResponse,
    YamlCreationResponse,
)
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router, on_paths

router = api_router("Revyl: test YAML")
Ns = Annotated[Namespace, Depends(namespace)]
PREFIXES = ["/api/v1/yaml", "/api/v1/tests/yaml"]


class ValidationRequest(_Request):
    yaml_content: str
    validation_type: Literal["full_test", "blocks_only"] = "full_test"
    platform: str | None = None


class YamlCreationRequest(_Request):
    yaml_content: str
    metadata_overrides: dict[str, Any] | None = None


class BlocksCreationRequest(_Request):
    blocks: list[Any]
    metadata: dict[str, Any]
    options: dict[str, Any] | None = None


class BlocksToYamlRequest(_Request):
    blocks: list[Any]
    metadata: dict[str, Any] | None = None
    options: dict[str, Any] | None = None


class YamlToBlocksRequest(_Request):
    yaml_content: str
    options: dict[str, Any] | None = None


class TestCreateRequest(_Request):
    name: str = Field(min_length=1)
    platform: str = Field(min_length=1)
    tasks: list[Any] = Field(min_length=1)
    app_id: str | None = None
    org_id: str | None = None
    description: str | None = None
    tags: list[str] | None = None


class TestUpdateRequest(_Request):
    name: str | None = Field(None, min_length=1)
    description: str | None = None
    tasks: list[Any] | None = None
    app_id: str | None = None
    pinned_version: str | None = None
    expected_version: int | None = None


def on_all(suffix: str, model: type[Any]):
    """Seed ``/api/v1/yaml`` and real ``/api/v1/tests/yaml`` (documented). Bad input is a 200
    that says so, never an error status: only the body cap (413) is left."""
    return on_paths(router, "POST", [prefix + suffix for prefix in PREFIXES], documented=1,
                    response_model=model, responses=errors(413))


def test_object(t: TestDef) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "platform": t.platform, "app_id": t.app_id,
            "description": t.description, "version": t.version, "tasks": t.blocks,
            "created_at": t.created_at, "total_steps": len(t.steps)}


def error_lines(report: yaml_tests.Report) -> list[str]:
    return [f"{m.field_path or 'yaml'}: {m.code}: {m.message}" + (
        f" (line {m.line})" if m.line else "") for m in report.messages if m.severity == "error"]


def failure(report_errors: list[str], **extra: Any) -> JSONResponse:
    return ok({"success": False, "test_id": None, "blocks_count": 0, "generated_ids": [],
               "errors": report_errors, "error": "; ".join(report_errors), **extra})


def yaml_tags(value: Any) -> list[str] | None:
    """``test.metadata.tags`` as the strings the wire promises (spec §10.1), or None when a tag
    is a mapping or a list. A bare tag counts as a list of one (it used to be split into its
    letters); numbers are taken as text and empty items dropped."""
    items = value if isinstance(value, list) else [value] if value else []
    if any(isinstance(item, dict | list) for item in items):
        return None
    return [item if isinstance(item, str) else str(item) for item in items if item is not None]


def all_ids(blocks: list[dict[str, Any]]) -> list[str]:
    ids = []
    for block in blocks:
        ids.append(block["id"])
        for key in ("thenChildren", "elseChildren", "children"):
            ids.extend(all_ids(block.get(key) or []))
    return ids


@on_all("/validate-yaml", ValidationResponse)
async def validate_yaml(body: ValidationRequest) -> JSONResponse:
    report = yaml_tests.validate(body.yaml_content, body.validation_type)
    return ok(report.wire(body.validation_type))


@on_all("/from-yaml", YamlCreationResponse)
async def from_yaml(body: YamlCreationRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    report = yaml_tests.validate(body.yaml_content)
    if not report.valid:
        return failure(error_lines(report), extracted_metadata={})
    test = report.data["test"]
    meta = {**test.get("metadata", {}), **(body.metadata_overrides or {})}
    tags = yaml_tags(meta.get("tags"))
    if tags is None:
        return failure(["test.metadata.tags: INVALID_FIELD_TYPE: each tag must be a string"],
                       extracted_metadata=meta)
    defs = state.definitions
    try:
        app_id = defs.resolve_app(meta.get("app_id"), test["build"]["name"])
        platform = defs.platform_for(meta.get("platform"), app_id)
        created, _ = defs.upsert(name=str(meta["name"]), platform=platform,
                                 blocks=report.blocks, app_id=app_id,
                                 description=str(meta.get("description") or ""),
                                 tags=tags,
                                 variables={str(k): str(v) for k, v in
                                            (test.get("variables") or {}).items()})
    except ApiError as exc:
        return failure([str(exc.detail)], extracted_metadata=meta)
    blocks = yaml_tests.to_json_blocks(created.blocks, ns.ids.uuid)
    return ok({"success": True, "test_id": created.id, "extracted_metadata": meta,
               "blocks_count": len(created.steps), "generated_ids": all_ids(blocks),
               "errors": [], "created_at": created.created_at, "error": None,
               "version": created.version})


@on_all("/from-blocks", TestCreationResponse)
async def from_blocks(body: BlocksCreationRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    report = yaml_tests.check_blocks(body.blocks)
    if not report.valid:
        return failure(error_lines(report))
    meta, defs = body.metadata, state.definitions
    try:
        app_id = defs.resolve_app(meta.get("app_id"), meta.get("app_name"))
        platform = defs.platform_for(meta.get("platform"), app_id)
        created = defs.create(name=str(meta.get("name") or ""), platform=platform,
                              blocks=report.blocks, app_id=app_id,
                              description=str(meta.get("description") or ""))
    except ApiError as exc:
        return failure([str(exc.detail)])
    blocks = yaml_tests.to_json_blocks(created.blocks, ns.ids.uuid)
    return ok({"success": True, "test_id": created.id, "blocks_count": len(created.steps),
               "generated_ids": all_ids(blocks), "errors": [],
               "created_at": created.created_at})


@on_all("/conversion/blocks-to-yaml", YamlConversionResponse)
async def blocks_to_yaml(body: BlocksToYamlRequest) -> JSONResponse:
    report = yaml_tests.check_blocks(body.blocks)
    if not report.valid:
        return ok({"success": False, "converted_content": None, "metadata": body.metadata,
                   "errors": error_lines(report)})
    return ok({"success": True, "converted_content": yaml_tests.to_yaml(report.blocks,
                                                                        body.metadata),
               "metadata": body.metadata or {}, "errors": []})


@on_all("/conversion/yaml-to-blocks", BlocksConversionResponse)
async def yaml_to_blocks(body: YamlToBlocksRequest, ns: Ns) -> JSONResponse:
    report = yaml_tests.validate(body.yaml_content)
    if not report.valid:
        return ok({"success": False, "converted_content": None, "metadata": {},
                   "errors": error_lines(report)})
    test = report.data["test"]
    metadata = {**(test.get("metadata") or {}), "build": test.get("build")}
    return ok({"success": True,
               "converted_content": yaml_tests.to_json_blocks(report.blocks, ns.ids.uuid),
               "metadata": metadata, "errors": []})


@router.post("/api/v1/tests/create", response_model=TestObjectResponse,
             responses=errors(400, 404, 409, 413))
async def create_test(body: TestCreateRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    report = yaml_tests.check_blocks(body.tasks)
    if not report.valid:
        raise ApiError({"message": "Invalid test blocks", "errors": error_lines(report)}, 400)
    defs = state.definitions
    app_id = defs.resolve_app(body.app_id)
    test = defs.create(name=body.name, platform=defs.platform_for(body.platform, app_id),
                       blocks=report.blocks, app_id=app_id,
                       description=body.description or "", tags=body.tags)
    return ok(test_object(test))


@router.put("/api/v1/tests/update/{test_id}", response_model=TestUpdateResponse,
            responses=errors(400, 404, 409, 413))
async def update_test(test_id: str, body: TestUpdateRequest, ns: Ns) -> JSONResponse:
    state = revyl(ns)
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"tasks",
                                                                          "expected_version"})
    if body.tasks is not None:
        report = yaml_tests.check_blocks(body.tasks)
        if not report.valid:
            raise ApiError({"message": "Invalid test blocks", "errors": error_lines(report)},
                           400)
        changes["blocks"] = report.blocks
    if body.app_id is not None:
        state.definitions.resolve_app(body.app_id)
    test = state.definitions.update(test_id, changes, body.expected_version)
    return ok({"id": test.id, "version": test.version, "name": test.name})
