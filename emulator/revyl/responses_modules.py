"""What Revyl's module and script routes answer (``revyl module ...``, ``revyl script ...``), in
the field names and types of the CLI 0.1.195's response structs (CLIModuleResponse,
ModuleVersionInfo, ModuleUsageResponse, CLIScriptInfo, CLIScriptUsageResponse)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from emulator.revyl.responses import RevylModel

Runtime = Literal["python", "javascript", "typescript", "bash"]


# ---------------------------------------------------------------------------- modules
class ModuleItem(RevylModel):
    id: str
    name: str
    description: str
    blocks: list[dict[str, Any]] = Field(description="The module's blocks, in YAML form "
                                                     "(then/else/body)")
    version: int = Field(description="1 at creation, +1 for every update or restore")
    created_at: str
    updated_at: str
    org_id: str


class ModuleListResponse(RevylModel):
    message: str
    result: list[ModuleItem]


class ModuleResponse(RevylModel):
    message: str
    result: ModuleItem


class ModuleDeleteResponse(RevylModel):
    message: str


class ModuleRestoreResponse(RevylModel):
    """The CLI only checks the status; the restored module is there for other callers."""

    message: str
    result: ModuleItem


class ModuleVersionItem(RevylModel):
    id: str
    module_id: str
    version: int
    name: str | None
    description: str | None
    blocks: list[dict[str, Any]]
    created_at: str
    modified_by: str | None
    modified_by_email: str | None


class ModuleVersionsResponse(RevylModel):
    total: int = Field(description="Every version of the module, whatever the page")
    versions: list[ModuleVersionItem] = Field(description="Newest first")


class UsageItem(RevylModel):
    id: str
    name: str


class ModuleUsageResponse(RevylModel):
    tests: list[UsageItem]
    total: int


# ---------------------------------------------------------------------------- scripts
class ScriptInfo(RevylModel):
    id: str
    name: str
    code: str = Field(description="Stored as sent; never executed by the emulator")
    runtime: Runtime
    description: str | None
    created_at: str
    updated_at: str


class ScriptListResponse(RevylModel):
    scripts: list[ScriptInfo]
    count: int = Field(description="Scripts matching the filter, whatever the page")


class ScriptUsageResponse(RevylModel):
    tests: list[UsageItem]
    modules: list[UsageItem]
    total: int = Field(description="tests + modules")
