"""Team global variables (spec §4.11): named values every run of the namespace can read.

Plain values and secrets live here; two read-only system variables (the API base URL and the
caller's API token) are synthesised on every read rather than stored, so they can never be
edited, deleted or go stale. Runs see every global twice, by bare name (``{{company_name}}``,
what notebook 07 uses) and under ``global`` (``{{global.company_name}}``, what the SDK
docstrings say), with secrets unmasked: only the wire masks them.

The token is the exception: the emulator never keeps a caller's credential (it would end up in
runs' stored variables, snapshots and ``--state-file``), so the system variable holds the mask
everywhere, runs included, as the wire always showed it. Snapshots export secret values as
:data:`MASK` too (``export_state``): a restored secret reads as the placeholder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emulator.core.errors import ApiError, Conflict, NotFound

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm

MASK = "********"
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
SYSTEM_CATEGORY = "system"
SYSTEM_BASE_URL = "interactly_api_base_url"
SYSTEM_TOKEN = "interactly_api_token"


class VariableIn(BaseModel):
    """Create body. ``value`` is a string on the wire (the SDK model says so); names are
    identifiers because they are substituted into ``{{name}}`` placeholders."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, max_length=128)
    value: str | None = Field(None, max_length=100_000)
    description: str | None = Field(None, max_length=2000)
    category: str | None = Field(None, max_length=128)
    is_secret: bool = False


class VariablePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, pattern=NAME_PATTERN, max_length=128)
    value: str | None = Field(None, max_length=100_000)
    description: str | None = Field(None, max_length=2000)
    category: str | None = Field(None, max_length=128)
    is_secret: bool | None = None


class PermissionDenied(ApiError):
    status_code = 403


@dataclass
class Variable:
    id: str
    name: str
    value: str
    description: str | None
    category: str | None
    is_secret: bool
    team_id: str
    created_by: str
    updated_by: str
    created_at: str
    updated_at: str
    is_system: bool = False

    def wire(self, unmask: bool = False) -> dict[str, Any]:
        value = MASK if self.is_secret and not unmask and self.value else self.value
        return {"_id": self.id, "id": self.id, "name": self.name, "value": value,
                "description": self.description, "category": self.category,
                "is_secret": self.is_secret, "is_system": self.is_system,
                "team_id": self.team_id, "created_by": self.created_by,
                "updated_by": self.updated_by, "created_at": self.created_at,
                "updated_at": self.updated_at}


class GlobalVariables:
    """One namespace's globals. ``base_url`` feeds a system variable. Made by
    ``InteractlyState.globals``, which also lets every new run of the namespace see them."""

    def __init__(self, new_id: Callable[[], str], now: Callable[[], str], base_url: str,
                 seed_key: str) -> None:
        self.new_id = new_id
        self.now = now
        self.by_id: dict[str, Variable] = {}
        self._base_url = base_url
        self._seed_key = seed_key
        self._created = now()

    # ------------------------------------------------------------------ system variables
    def system(self) -> list[Variable]:
        """Synthesised on read, with ids stable per namespace (a hash, not the id stream, so
        they never shift the ids of what the caller creates)."""
        rows = [(SYSTEM_BASE_URL, self._base_url, False,
                 "Base URL of the Interactly workflows API"),
                (SYSTEM_TOKEN, MASK, True, "API token of this team")]
        return [Variable(hashlib.sha256(f"{self._seed_key}:{name}".encode()).hexdigest()[:24],
                         name, value, description, SYSTEM_CATEGORY, secret, "", "system",
                         "system", self._created, self._created, is_system=True)
                for name, value, secret, description in rows]

    def _system_by_id(self, var_id: str) -> Variable | None:
        return next((v for v in self.system() if v.id == var_id), None)

    # ------------------------------------------------------------------ reads
    def get(self, var_id: str) -> Variable:
        found = self.by_id.get(var_id) or self._system_by_id(var_id)
        if found is None:
            raise NotFound(f"Global variable {var_id} not found")
        return found

    def listing(self, search: str | None, category: str | None
                ) -> tuple[list[Variable], list[Variable]]:
        """(system rows, team rows), both filtered; the caller pages only the team rows."""
        def keep(v: Variable) -> bool:
            if category is not None and v.category != category:
                return False
            return not search or search.lower() in v.name.lower()

        team_rows = sorted(self.by_id.values(), key=lambda v: v.name)
        return [v for v in self.system() if keep(v)], [v for v in team_rows if keep(v)]

    def categories(self) -> list[str]:
        names = {v.category for v in self.by_id.values() if v.category}
        return [SYSTEM_CATEGORY, *sorted(names - {SYSTEM_CATEGORY})]

    def resolve(self) -> dict[str, Any]:
        """``resolve()``: team secrets decrypted (the route is for execution services), the
        system token masked (the SDK documents that any team member can reach it)."""
        values = {v.name: v.value for v in self.system()}
        values.update({v.name: v.value for v in self.by_id.values()})
        return values

    def dynamic_variables(self) -> dict[str, Any]:
        """What a new run sees: every value unmasked, by bare name and under ``global``."""
        values = {v.name: v.value for v in [*self.system(), *self.by_id.values()]}
        return {**values, "global": dict(values)}

    # ------------------------------------------------------------------ writes
    def _check_name(self, name: str, exclude: str | None = None) -> None:
        taken = any(v.name == name and v.id != exclude for v in self.by_id.values())
        if taken or name in (SYSTEM_BASE_URL, SYSTEM_TOKEN):
            raise Conflict(f"A global variable named '{name}' already exists")

    def create(self, body: VariableIn, team_id: str, user: str) -> Variable:
        self._check_name(body.name)
        now = self.now()
        var = Variable(self.new_id(), body.name, body.value or "", body.description,
                       body.category, body.is_secret, team_id, user, user, now, now)
        self.by_id[var.id] = var
        return var

    def bulk(self, items: list[Any], team_id: str, user: str
             ) -> tuple[list[Variable], list[dict[str, Any]]]:
        """Each item stands alone: valid ones are created, the others reported by index (the
        SDK raises when ``errors`` is non-empty, after the good ones exist)."""
        created: list[Variable] = []
        errors: list[dict[str, Any]] = []
        for index, raw in enumerate(items):
            name = raw.get("name") if isinstance(raw, dict) else None
            try:
                created.append(self.create(VariableIn.model_validate(raw), team_id, user))
            except ValidationError as exc:
                errors.append({"index": index, "name": name, "error": "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}"
                    for e in exc.errors(include_url=False))})
            except ApiError as exc:
                errors.append({"index": index, "name": name, "error": str(exc.detail)})
        return created, errors

    def update(self, var_id: str, patch: VariablePatch, user: str) -> Variable:
        var = self._writable(var_id)
        changes = patch.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            self._check_name(changes["name"], exclude=var.id)
            var.name = changes["name"]
        if "value" in changes:
            var.value = changes["value"] or ""
        for key in ("description", "category"):
            if key in changes:
                setattr(var, key, changes[key])
        if changes.get("is_secret") is not None:
            var.is_secret = changes["is_secret"]
        var.updated_by, var.updated_at = user, self.now()
        return var

    def delete(self, var_id: str) -> None:
        del self.by_id[self._writable(var_id).id]

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """The team's variables (system ones are synthesised, not kept) and the moment the
        system variables say they were created. A secret's value is exported as the mask: a
        snapshot is a file people share and commit, and must hold no secret."""
        return {"variables": [{**asdict(v), "value": MASK} if v.is_secret and v.value
                              else asdict(v) for v in self.by_id.values()],
                "created": self._created}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self.by_id = {v["id"]: Variable(**v) for v in data.get("variables", [])}
        self._created = data.get("created", self._created)
        return []

    def _writable(self, var_id: str) -> Variable:
        var = self.get(var_id)
        if var.is_system:
            raise PermissionDenied(f"System variable '{var.name}' is read-only")
        return var
