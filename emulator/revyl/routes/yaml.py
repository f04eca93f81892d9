"""Test YAML and blocks: validate, create, convert (seed ``/api/v1/yaml/*`` and the real
``/api/v1/tests/yaml/*``), and the CLI's ``/api/v1/tests/create`` / ``update``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import Field
from starlette.responses import JSONResponse

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
from emulator.revyl.test_definitions import error_lines
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


def failure(report_errors: list[str], **extra: Any) -> JSONResponse:
    return ok({"success": False, "test_id": None, "blocks_count": 0, "generated_ids": [],
               "errors": report_errors, "error": "; ".join(report_errors), **extra})


@on_all("/validate-yaml", ValidationResponse)
async def validate_yaml(body: ValidationRequest, ns: Ns) -> JSONResponse:
    """Module and script references are checked against the org's (emulator/revyl/modules.py)."""
    report = yaml_tests.validate(body.yaml_content, body.validation_type, revyl(ns).modules)
    return ok(report.wire(body.validation_type))


@on_all("/from-yaml", YamlCreationResponse)
async def from_yaml(body: YamlCreationRequest, ns: Ns) -> JSONResponse:
    done = revyl(ns).definitions.from_yaml(body.yaml_content, body.metadata_overrides)
    if done.test is None:
        return failure(done.errors, extracted_metadata=done.metadata)
    created = done.test
    return ok({"success": True, "test_id": created.id, "extracted_metadata": done.metadata,
               "blocks_count": len(created.steps), "generated_ids": done.block_ids,
               "errors": [], "created_at": created.created_at, "error": None,
               "version": created.version})


@on_all("/from-blocks", TestCreationResponse)
async def from_blocks(body: BlocksCreationRequest, ns: Ns) -> JSONResponse:
    done = revyl(ns).definitions.from_blocks(body.blocks, body.metadata)
    if done.test is None:
        return failure(done.errors)
    created = done.test
    return ok({"success": True, "test_id": created.id, "blocks_count": len(created.steps),
               "generated_ids": done.block_ids, "errors": [],
               "created_at": created.created_at})


@on_all("/conversion/blocks-to-yaml", YamlConversionResponse)
async def blocks_to_yaml(body: BlocksToYamlRequest, ns: Ns) -> JSONResponse:
    report = yaml_tests.check_blocks(body.blocks, library=revyl(ns).modules)
    if not report.valid:
        return ok({"success": False, "converted_content": None, "metadata": body.metadata,
                   "errors": error_lines(report)})
    return ok({"success": True, "converted_content": yaml_tests.to_yaml(report.blocks,
                                                                        body.metadata),
               "metadata": body.metadata or {}, "errors": []})


@on_all("/conversion/yaml-to-blocks", BlocksConversionResponse)
async def yaml_to_blocks(body: YamlToBlocksRequest, ns: Ns) -> JSONResponse:
    converted = revyl(ns).definitions.yaml_to_blocks(body.yaml_content)
    if converted.blocks is None:
        return ok({"success": False, "converted_content": None, "metadata": {},
                   "errors": converted.errors})
    return ok({"success": True, "converted_content": converted.blocks,
               "metadata": converted.metadata, "errors": []})


@router.post("/api/v1/tests/create", response_model=TestObjectResponse,
             responses=errors(400, 404, 409, 413))
async def create_test(body: TestCreateRequest, ns: Ns) -> JSONResponse:
    test = revyl(ns).definitions.create_from_tasks(
        name=body.name, platform=body.platform, tasks=body.tasks, app_id=body.app_id,
        description=body.description, tags=body.tags)
    return ok(test_object(test))


@router.put("/api/v1/tests/update/{test_id}", response_model=TestUpdateResponse,
            responses=errors(400, 404, 409, 413))
async def update_test(test_id: str, body: TestUpdateRequest, ns: Ns) -> JSONResponse:
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"tasks",
                                                                          "expected_version"})
    test = revyl(ns).definitions.update_from_tasks(test_id, changes, body.tasks,
                                                   body.expected_version)
    return ok({"id": test.id, "version": test.version, "name": test.name})
