"""What a test run reads besides its steps: per-test ("custom") variables, the org's global
variables, the org's launch environment variables and their attachments to tests.

A run resolves them once, when it starts (the CLI's ``revyl test var``, ``revyl global var``
and ``revyl test launch-var`` document the real service's rules):

- ``{{name}}`` in a step description is the run's ``variable_overrides[name]``, else the
  test's variable, else the org's global variable of that name; ``{{global.name}}`` is the
  global one (or an override of ``global.name``). A name nothing defines, or only a name-only
  variable (empty value, filled by an extraction block on a real device), stays as written.
  A secret global is shown masked: the emulated report shows what a person may read.
- the launch environment is the test's attached launch variables plus the run's
  ``launch_env_var_ids``, with the run's inline ``launch_env_vars`` overriding by key; it is
  kept with the execution's request (``launch_env_var_snapshot``) so its report context shows
  what the run started with even after a variable changes, and snapshots and the history bound
  treat it like the rest of the execution.

A workflow's child runs read the workflow run's overrides and launch variables.

Custom variable values live on the test definition (``TestDef.variables``: YAML and the
CLI's create/push write them there too); this service adds their ids. An id is derived from
the test and the name (stable across restarts) unless a rename or a collision gave it another
one, kept in ``custom_ids``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.core.namespaces import Rearm
from emulator.revyl.catalog import Catalog, TestDef
from emulator.revyl.executions import TestExecutions
from emulator.revyl.machine import TestExecution
from emulator.revyl.wire import stable_id
from emulator.revyl.workflows import WorkflowExecutions

# Variable names as the CLI documents them: letters, numbers, hyphens or underscores (the CLI
# itself is stricter about where the separators go; what reaches the API is checked loosely).
NAME = re.compile(r"^[A-Za-z0-9_-]+$")
PLACEHOLDER = re.compile(r"\{\{\s*(global\.)?([A-Za-z0-9_-]+)\s*\}\}")
SECRET_MASK = "********"
LAUNCH_SNAPSHOT = "launch_env_var_snapshot"  # the key kept in an execution's request


@dataclass(frozen=True)
class CustomVariable:
    id: str
    test_id: str
    name: str
    value: str


@dataclass
class GlobalVariable:
    id: str
    name: str
    value: str
    is_secret: bool
    created_at: str
    updated_at: str
    description: str | None = None


@dataclass
class LaunchVariable:
    id: str
    key: str
    value: str
    is_secret: bool
    created_at: str
    updated_at: str
    description: str | None = None


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise BadRequest(f"Invalid variable name '{name}': use letters, numbers, hyphens or "
                         "underscores (no spaces)")
    return name


def check_key(key: str) -> str:
    key = key.strip()
    if not key or "=" in key or any(c.isspace() for c in key):
        raise BadRequest(f"Invalid launch variable key '{key}': no spaces or '='")
    return key


class Variables:
    """Custom, global and launch variables of one namespace, and their use by runs."""

    def __init__(self, catalog: Catalog, clock: VirtualClock, ids: IdGenerator,
                 tests: TestExecutions, workflows: WorkflowExecutions) -> None:
        self.catalog = catalog
        self.clock = clock
        self.ids = ids
        self.workflows = workflows
        self.custom_ids: dict[str, dict[str, str]] = {}
        self.globals: dict[str, GlobalVariable] = {}
        self.launch: dict[str, LaunchVariable] = {}
        self.attachments: dict[str, list[str]] = {}
        # First to hear a new execution: its steps are final before anyone reads them.
        tests.on_created(self._on_execution)

    # ------------------------------------------------------------------ custom (per test)
    def custom(self, test_id: str) -> list[CustomVariable]:
        """The test's variables in order. Kept ids first; a name whose derived id a kept one
        already holds (a definition update brought back a name a rename took away) gets the
        next derived one, so ids stay unique."""
        test = self.catalog.test(test_id)
        kept = self.custom_ids.get(test.id, {})
        claimed = {kept[k] for k in test.variables if k in kept}
        found = []
        for name, value in test.variables.items():
            own = kept.get(name)
            if own is None:
                own, n = stable_id("variable", f"{test.id}:{name}"), 0
                while own in claimed:
                    n += 1
                    own = stable_id("variable", f"{test.id}:{name}#{n}")
                claimed.add(own)
            found.append(CustomVariable(own, test.id, name, value))
        return found

    def _by_id(self, test_id: str, variable_id: str) -> CustomVariable:
        found = next((v for v in self.custom(test_id) if v.id == variable_id), None)
        if found is None:
            raise NotFound("Variable not found")
        return found

    def find_custom(self, test_id: str, name: str) -> CustomVariable | None:
        return next((v for v in self.custom(test_id) if v.name == name), None)

    def add_custom(self, test_id: str, name: str, value: str) -> CustomVariable:
        test = self.catalog.test(test_id)
        check_name(name)
        if name in test.variables:
            raise Conflict(f"Variable '{name}' already exists")
        taken = {v.id for v in self.custom(test.id)}
        if stable_id("variable", f"{test.id}:{name}") in taken:  # a renamed one holds it
            self.custom_ids.setdefault(test.id, {})[name] = self.ids.uuid()
        else:
            self.custom_ids.get(test.id, {}).pop(name, None)
        test.variables[name] = value
        return next(v for v in self.custom(test.id) if v.name == name)

    def delete_custom(self, test_id: str, name: str) -> CustomVariable:
        found = self.find_custom(test_id, name)
        if found is None:
            raise NotFound(f"Variable '{name}' not found")
        del self.catalog.tests[found.test_id].variables[name]
        self.custom_ids.get(found.test_id, {}).pop(name, None)
        return found

    def clear_custom(self, test_id: str) -> int:
        """Drop every variable of the test; returns how many there were."""
        test = self.catalog.test(test_id)
        count = len(test.variables)
        test.variables.clear()
        self.custom_ids.pop(test.id, None)
        return count

    def rename_custom(self, test_id: str, variable_id: str, new_name: str) -> CustomVariable:
        """The id stays; the value and the place in the list too."""
        old = self._by_id(test_id, variable_id)
        check_name(new_name)
        test = self.catalog.tests[old.test_id]
        if new_name == old.name:
            return old
        if new_name in test.variables:
            raise Conflict(f"Variable '{new_name}' already exists")
        test.variables = {(new_name if k == old.name else k): v
                          for k, v in test.variables.items()}
        ids = self.custom_ids.setdefault(test.id, {})
        ids.pop(old.name, None)
        ids[new_name] = old.id
        return replace(old, name=new_name)

    def set_custom_value(self, test_id: str, variable_id: str, value: str) -> CustomVariable:
        found = self._by_id(test_id, variable_id)
        self.catalog.tests[found.test_id].variables[found.name] = value
        return replace(found, value=value)

    # ------------------------------------------------------------------ global (org)
    def global_variable(self, variable_id: str) -> GlobalVariable:
        found = self.globals.get(variable_id)
        if found is None:
            raise NotFound("Global variable not found")
        return found

    def _global_named(self, name: str) -> GlobalVariable | None:
        return next((g for g in self.globals.values() if g.name == name), None)

    def add_global(self, name: str, value: str, is_secret: bool = False,
                   description: str | None = None) -> GlobalVariable:
        check_name(name)
        if self._global_named(name) is not None:
            raise Conflict(f"A global variable named '{name}' already exists")
        now = self.clock.now_iso()
        variable = GlobalVariable(self.ids.uuid(), name, value, is_secret, now, now, description)
        self.globals[variable.id] = variable
        return variable

    def update_global(self, variable_id: str, name: str, value: str | None,
                      is_secret: bool | None) -> GlobalVariable:
        variable = self.global_variable(variable_id)
        check_name(name)
        other = self._global_named(name)
        if other is not None and other.id != variable.id:
            raise Conflict(f"A global variable named '{name}' already exists")
        variable.name = name
        if value is not None:
            variable.value = value
        if is_secret is not None:
            variable.is_secret = is_secret
        variable.updated_at = self.clock.now_iso()
        return variable

    def delete_global(self, variable_id: str) -> GlobalVariable:
        return self.globals.pop(self.global_variable(variable_id).id)

    # ------------------------------------------------------------------ launch variables
    def launch_variable(self, variable_id: str) -> LaunchVariable:
        found = self.launch.get(variable_id)
        if found is None:
            raise NotFound("Launch variable not found")
        return found

    def _key_taken(self, key: str, but: str | None = None) -> None:
        if any(v.key == key and v.id != but for v in self.launch.values()):
            raise Conflict(f"A launch variable with key '{key}' already exists")

    def add_launch(self, key: str, value: str, description: str | None = None,
                   is_secret: bool = False) -> LaunchVariable:
        key = check_key(key)
        self._key_taken(key)
        now = self.clock.now_iso()
        variable = LaunchVariable(self.ids.uuid(), key, value, is_secret, now, now,
                                  description or None)
        self.launch[variable.id] = variable
        return variable

    def update_launch(self, variable_id: str, changes: Mapping[str, Any]) -> LaunchVariable:
        """``changes``: the fields the caller sent (``key``, ``value``, ``description``,
        ``is_secret``); an empty description clears it."""
        variable = self.launch_variable(variable_id)
        if changes.get("key") is not None:
            key = check_key(changes["key"])
            self._key_taken(key, but=variable.id)
            variable.key = key
        if changes.get("value") is not None:
            variable.value = changes["value"]
        if "description" in changes:
            variable.description = changes["description"] or None
        if changes.get("is_secret") is not None:
            variable.is_secret = changes["is_secret"]
        variable.updated_at = self.clock.now_iso()
        return variable

    def delete_launch(self, variable_id: str) -> tuple[LaunchVariable, int]:
        """Forget the variable and detach it from every test: (it, how many tests had it)."""
        variable = self.launch.pop(self.launch_variable(variable_id).id)
        detached = 0
        for test_id, attached in self.attachments.items():
            if variable.id in attached:
                attached.remove(variable.id)
                detached += test_id in self.catalog.tests
        return variable, detached

    def attached(self, test_id: str) -> list[LaunchVariable]:
        test = self.catalog.test(test_id)
        return [self.launch[i] for i in self.attachments.get(test.id, []) if i in self.launch]

    def attach(self, test_id: str, variable_ids: list[str]) -> list[LaunchVariable]:
        """Replace the test's attachments (order kept, repeats dropped); every id must be one
        of the org's launch variables."""
        test = self.catalog.test(test_id)
        unknown = [i for i in variable_ids if i not in self.launch]
        if unknown:
            raise Conflict("Unknown launch variable ids: " + ", ".join(unknown))
        self.attachments[test.id] = list(dict.fromkeys(variable_ids))
        return self.attached(test.id)

    def attached_count(self, variable_id: str) -> int:
        return sum(1 for test_id, ids in self.attachments.items()
                   if variable_id in ids and test_id in self.catalog.tests)

    # ------------------------------------------------------------------ use by runs
    def resolve_steps(self, steps: list[str], test: TestDef | None,
                      overrides: Mapping[str, str]) -> list[str]:
        """The steps with every placeholder something defines replaced (module docstring)."""
        local = test.variables if test is not None else {}
        by_name = {g.name: g for g in self.globals.values()}

        def value(match: re.Match[str]) -> str:
            scoped, name = match.group(1) is not None, match.group(2)
            key = f"global.{name}" if scoped else name
            if overrides.get(key):
                return str(overrides[key])
            if not scoped and local.get(name):
                return local[name]
            found = by_name.get(name)
            if found is not None and found.value:
                return SECRET_MASK if found.is_secret else found.value
            return match.group(0)

        # Most steps hold no placeholder: a substring test is far cheaper than the regex.
        return [PLACEHOLDER.sub(value, step) if "{{" in step else step for step in steps]

    def launch_env(self, test_id: str, request: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The launch environment a run of the test starts with: one entry per variable
        (``LaunchEnvVarSnapshotEntry``), secret values left out."""
        ids = [*self.attachments.get(test_id, []), *(request.get("launch_env_var_ids") or [])]
        inline: dict[str, str] = dict(request.get("launch_env_vars") or {})
        entries: list[dict[str, Any]] = []
        for variable in (self.launch[i] for i in dict.fromkeys(ids) if i in self.launch):
            overridden = variable.key in inline
            value = inline.pop(variable.key) if overridden else (
                None if variable.is_secret else variable.value)
            entries.append({"id": variable.id, "key": variable.key, "kind": "key_value",
                            "value": value, "is_secret": variable.is_secret and not overridden,
                            "overridden": overridden})
        entries += [{"id": None, "key": key, "kind": "key_value", "value": value,
                     "is_secret": False, "overridden": False} for key, value in inline.items()]
        return entries

    def _on_execution(self, execution: TestExecution) -> None:
        request: dict[str, Any] = dict(execution.request)
        parent = self.workflows.by_id.get(execution.workflow_execution_id or "")
        if parent is not None:  # a workflow's child runs with the workflow run's settings
            request = {**parent.request, **request}
        test = self.catalog.tests.get(execution.test_id)
        steps = self.resolve_steps(execution.plan.steps, test,
                                   request.get("variable_overrides") or {})
        if steps != execution.plan.steps:
            execution.plan = replace(execution.plan, steps=steps)
        launch = self.launch_env(execution.test_id, request)
        if launch:
            execution.request[LAUNCH_SNAPSHOT] = launch

    # ------------------------------------------------------------------ snapshots
    def export_state(self) -> dict[str, Any]:
        """Secret values are exported as the mask (a snapshot is a file people share): a
        restored secret keeps its name and "has a value", but the value is the placeholder."""
        return {"custom_variable_ids": {t: dict(ids) for t, ids in self.custom_ids.items()},
                "global_variables": [_at_rest(asdict(g)) for g in self.globals.values()],
                "launch_variables": [_at_rest(asdict(v)) for v in self.launch.values()],
                "launch_attachments": {t: list(ids) for t, ids in self.attachments.items()}}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Documents from before these parts existed restore to none. No timers here."""
        self.custom_ids = {t: dict(ids) for t, ids in data.get("custom_variable_ids", {}).items()}
        self.globals = {g["id"]: GlobalVariable(**g) for g in data.get("global_variables", [])}
        self.launch = {v["id"]: LaunchVariable(**v) for v in data.get("launch_variables", [])}
        self.attachments = {t: list(ids)
                            for t, ids in data.get("launch_attachments", {}).items()}
        return []


def _at_rest(row: dict[str, Any]) -> dict[str, Any]:
    if row["is_secret"] and row["value"]:
        row["value"] = SECRET_MASK
    return row


# ---------------------------------------------------------------------------- wire shapes
def custom_doc(v: CustomVariable) -> dict[str, Any]:
    """``CustomVariable``."""
    return {"id": v.id, "test_uid": v.test_id, "variable_name": v.name, "variable_value": v.value}


def global_doc(v: GlobalVariable, org: Mapping[str, Any]) -> dict[str, Any]:
    """``GlobalVariableRow``: a secret's value is never read back (``has_secret_value``)."""
    return {"id": v.id, "org_id": org["org_id"], "variable_name": v.name,
            "variable_value": None if v.is_secret else v.value, "is_secret": v.is_secret,
            "has_secret_value": v.is_secret and bool(v.value), "description": v.description,
            "created_by": org["user_id"], "created_at": v.created_at, "updated_at": v.updated_at}


def launch_doc(v: LaunchVariable, org: Mapping[str, Any], attached: int) -> dict[str, Any]:
    """``OrgLaunchVariable``: a secret's value reads as empty, ``has_value`` says if set."""
    body: dict[str, Any] = {
        "id": v.id, "org_id": org["org_id"], "key": v.key, "kind": "key_value",
        "value": "" if v.is_secret else v.value, "is_secret": v.is_secret,
        "has_value": bool(v.value), "created_by": org["user_id"], "created_at": v.created_at,
        "updated_at": v.updated_at, "attached_test_count": attached}
    if v.description is not None:
        body["description"] = v.description
    return body
