"""What Revyl's test-authoring routes answer: YAML and blocks (spec §10), the CLI's test
create/update, and the extras around a definition (tags, variables, launch variables, device
target; spec §8.5)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator.revyl.responses import MobileTarget, RevylModel, TestPlatform


# ---------------------------------------------------------------------------- YAML and blocks
class ValidationMessage(RevylModel):
    severity: Literal["error", "warning"]
    code: str = Field(description="UPPER_SNAKE, e.g. INVALID_BLOCK_TYPE")
    message: str
    field_path: str = Field(description='e.g. "test.blocks[0].type"; empty for the document')
    line: int | None = Field(description="1-based")
    column: int | None
    line_number: int | None = Field(description="line again (clients read either)")
    column_number: int | None
    suggestion: str | None


class ValidationResponse(RevylModel):
    """200 for invalid YAML too: ``is_valid`` and ``messages`` say what is wrong."""

    is_valid: bool
    validation_type: Literal["full_test", "blocks_only"]
    errors: int = Field(description="Count of error messages")
    warnings: int = Field(description="Count of warning messages")
    messages: list[ValidationMessage]


class YamlCreationResponse(RevylModel):
    """``from-yaml`` (an upsert by test name). Failures are a 200 with ``success: false``."""

    success: bool
    test_id: str | None
    extracted_metadata: dict[str, Any] = Field(description="test.metadata of the YAML with "
                                                           "the overrides applied")
    blocks_count: int
    generated_ids: list[str] = Field(description="Block ids, nested blocks included")
    errors: list[str]
    error: str | None = Field(description="errors joined, on failure")
    created_at: str | None = None
    version: int | None = Field(None, description="The test's version, on success")


class TestCreationResponse(RevylModel):
    """``from-blocks``. Failures are a 200 with ``success: false`` and ``error``."""

    success: bool
    test_id: str | None
    blocks_count: int
    generated_ids: list[str]
    errors: list[str]
    created_at: str | None = None
    error: str | None = None


class YamlConversionResponse(RevylModel):
    """``blocks-to-yaml`` (the service's ``ConversionResponse`` with YAML text)."""

    success: bool
    converted_content: str | None = Field(description="The test as YAML")
    metadata: dict[str, Any] | None
    errors: list[str]


class BlocksConversionResponse(RevylModel):
    """``yaml-to-blocks`` (the service's ``ConversionResponse`` with blocks)."""

    success: bool
    converted_content: list[dict[str, Any]] | None = Field(
        description="Normalised blocks: ids and step types filled in, then/else/body as "
                    "thenChildren/elseChildren/children")
    metadata: dict[str, Any] = Field(description="test.metadata of the YAML, plus build")
    errors: list[str]


class TestObjectResponse(RevylModel):
    """``tests/create``: the backend's ``Test`` object."""

    id: str
    name: str
    platform: TestPlatform
    app_id: str | None
    description: str
    version: int
    tasks: list[dict[str, Any]]
    created_at: str
    total_steps: int


class TestUpdateResponse(RevylModel):
    id: str
    version: int = Field(description="Incremented by every update")
    name: str


# ---------------------------------------------------------------------------- extras
class DeviceTargetResponse(RevylModel):
    id: str
    mobile_targets: list[MobileTarget]
