"""Test YAML: parse (safe loading only), validate with line numbers, and convert between the
YAML block form (``then``/``else``/``body``) and the JSON "blocks" form
(``thenChildren``/``elseChildren``/``children``), spec §10.

Validation never raises for bad content: it returns messages (code, field path, line, column,
suggestion) and counts, as ``validate-yaml`` answers 200 even for invalid YAML.

References to the org's modules and scripts (``module_import``'s ``module``/``module_id``,
``code_execution``'s ``script``/``script_id``) are checked against a :class:`Library` (the
namespace's :class:`emulator.revyl.modules.Modules`): an unknown one is an error, a known one
gets its id filled in beside the name, so stored blocks keep pointing at the same module or
script when it is renamed. Without a library the org has neither: every name is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulator.core.errors import PayloadTooLarge

BLOCK_TYPES = ("instructions", "validation", "extraction", "manual", "if", "while",
               "code_execution", "module_import")
DEFAULT_STEP_TYPE = {"instructions": "instruction", "validation": "validation",
                     "extraction": "extract", "if": "decision", "while": "loop",
                     "code_execution": "code_execution", "module_import": "module_import"}
MANUAL_STEP_TYPES = ("wait", "open_app", "kill_app", "go_home", "navigate", "set_location",
                     "set_orientation", "set_appearance", "download_file", "end", "play_audio",
                     "set_font_size")
STEP_TYPES = ("instruction", "validation", "extract", "scrape", "decision", "loop",
              "explore_continue", "end", "wait", "navigate", "back", "open_app", "kill_app",
              "go_home", "code_execution", "download_file", "set_location", "set_orientation",
              "set_appearance", "play_audio", "set_font_size", "module_import", "tap", "click",
              "double_tap", "input", "swipe", "drag", "pinch", "clear_text", "long_press",
              "select")
PLATFORMS = ("ios", "android")
VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
VARIABLE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$")
LEGACY_KEYS = ("instructions", "validation", "extraction", "manual", "if", "while",
               "module_import", "code_execution")


class Named(Protocol):
    """A module or a script as the validator needs it."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


class NamedBlocks(Named, Protocol):
    @property
    def blocks(self) -> list[dict[str, Any]]: ...


class Library(Protocol):
    """What references resolve against: by id first, else by exact name (None: unknown)."""

    def find_module(self, name: Any, module_id: Any) -> NamedBlocks | None: ...

    def find_script(self, name: Any, script_id: Any) -> Named | None: ...

    def steps(self, blocks: list[dict[str, Any]]) -> list[str]:
        """The steps a run of ``blocks`` walks, module imports expanded."""
        ...


@dataclass
class Message:
    severity: str
    code: str
    message: str
    field_path: str
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None

    def wire(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "field_path": self.field_path, "line": self.line, "column": self.column,
                "line_number": self.line, "column_number": self.column,
                "suggestion": self.suggestion}


@dataclass
class Report:
    messages: list[Message] = field(default_factory=list)
    data: Any = None
    blocks: list[dict[str, Any]] = field(default_factory=list)  # normalised, YAML form

    @property
    def errors(self) -> int:
        return sum(1 for m in self.messages if m.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for m in self.messages if m.severity == "warning")

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def wire(self, validation_type: str) -> dict[str, Any]:
        return {"is_valid": self.valid, "validation_type": validation_type,
                "errors": self.errors, "warnings": self.warnings,
                "messages": [m.wire() for m in self.messages]}


MAX_NODES = 20_000  # anchors can make a small text expand into an enormous tree
MAX_DEPTH = 64  # real tests nest if/while blocks a few levels; the parser recurses per level
MAX_PATH_CHARS = 4_000_000  # field paths repeat their parents' keys: long keys x many nodes
MAX_YAML_CHARS = 128 * 1024  # real test files are a few KiB; pure-Python parsing: 1-20 s/MiB


class TooComplex(Exception):
    pass


class _Marks:
    """Where each field path sits in the source, for line/column in messages."""

    def __init__(self) -> None:
        self.at: dict[str, tuple[int, int]] = {}
        self.chars = 0

    def walk(self, node: Any, path: str, depth: int = 0) -> None:
        import yaml

        # Aliases are walked where they are used (that is what the validator will see), so
        # these bounds also stop alias bombs and self-referencing anchors.
        if len(self.at) > MAX_NODES or depth > MAX_DEPTH or self.chars > MAX_PATH_CHARS:
            raise TooComplex
        self.at[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.chars += len(path)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                self.at.setdefault(child + ".__key__", (key.start_mark.line + 1,
                                                        key.start_mark.column + 1))
                self.walk(value, child, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, f"{path}[{i}]", depth + 1)

    def find(self, path: str) -> tuple[int | None, int | None]:
        while path:
            if path in self.at:
                return self.at[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return self.at.get("", (None, None))


_LOADER: Any = None


def _bounded_loader() -> Any:
    """PyYAML's pure-Python safe loader, refusing to compose deeper than ``MAX_DEPTH`` (the
    composer recurses per level: without this, the interpreter's recursion limit was the only
    bound). libyaml's loader is not used: its composer recurses in C, unchecked."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class BoundedSafeLoader(yaml.SafeLoader):
            depth = 0

            def compose_node(self, parent: Any, index: Any) -> Any:
                self.depth += 1
                try:
                    if self.depth > MAX_DEPTH:
                        raise TooComplex
                    return super().compose_node(parent, index)
                finally:
                    self.depth -= 1

        _LOADER = BoundedSafeLoader
    return _LOADER


def load(text: str) -> tuple[Any, _Marks, Message | None]:
    """Safe-load one YAML document; syntax errors become a YAML_SYNTAX_ERROR message."""
    import yaml

    marks = _Marks()
    try:
        loader = _bounded_loader()(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                marks.walk(node, "")  # first: it bounds the work that constructing does
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (TooComplex, RecursionError):
        return None, marks, Message("error", "YAML_TOO_COMPLEX",
                                    "The document nests or expands too deeply", "", None, None,
                                    "Write blocks out instead of using anchors and aliases")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return None, marks, Message(
            "error", "YAML_SYNTAX_ERROR", f"Invalid YAML: {problem}", "",
            mark.line + 1 if mark else None, mark.column + 1 if mark else None,
            "Check indentation and quoting around the reported line")
    return data, marks, None


class _Validator:
    def __init__(self, marks: _Marks, library: Library | None = None,
                 undefined: str = "error") -> None:
        self.marks = marks
        self.library = library
        self.undefined = undefined  # severity of a variable used before it is defined
        self.messages: list[Message] = []
        self.defined: set[str] = set()

    def add(self, severity: str, code: str, message: str, path: str,
            suggestion: str | None = None) -> None:
        line, column = self.marks.find(path)
        self.messages.append(Message(severity, code, message, path, line, column, suggestion))

    def error(self, code: str, message: str, path: str, suggestion: str | None = None) -> None:
        self.add("error", code, message, path, suggestion)

    # ---------------------------------------------------------------- whole test
    def test(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, dict) or not isinstance(data.get("test"), dict):
            self.error("MISSING_TEST_ROOT", "The document must be a mapping with a 'test' key",
                       "test", "Start the file with 'test:' and nest metadata, build, blocks")
            return []
        test = data["test"]
        meta = test.get("metadata")
        if not isinstance(meta, dict):
            self.error("MISSING_REQUIRED_FIELD", "test.metadata is required", "test.metadata")
            meta = {}
        name = meta.get("name")
        if not isinstance(name, str) or not name.strip():
            self.error("MISSING_REQUIRED_FIELD", "test.metadata.name must be a non-empty string",
                       "test.metadata.name")
        platform = meta.get("platform")
        if platform is not None and str(platform).lower() not in PLATFORMS:
            self.error("INVALID_PLATFORM", f"Unsupported platform: {platform}",
                       "test.metadata.platform", "Use one of: ios, android")
        build = test.get("build")
        if not isinstance(build, dict) or not isinstance(build.get("name"), str) \
                or not build["name"].strip():
            self.error("MISSING_REQUIRED_FIELD", "test.build.name (the app name) is required",
                       "test.build.name", "Name the app this test runs against")
        variables = test.get("variables") or {}
        if not isinstance(variables, dict):
            self.error("INVALID_FIELD_TYPE", "test.variables must be a mapping",
                       "test.variables")
            variables = {}
        for key in variables:
            if not VARIABLE_NAME.match(str(key)):
                self.error("INVALID_VARIABLE_NAME", f"Invalid variable name: {key}",
                           f"test.variables.{key}")
            self.defined.add(str(key))
        return self.block_list(test.get("blocks"), "test.blocks", required=True)

    # ---------------------------------------------------------------- blocks
    def block_list(self, blocks: Any, path: str, required: bool = False) -> list[dict[str, Any]]:
        if blocks is None or blocks == []:
            if required:
                self.error("MISSING_REQUIRED_FIELD", "A test needs at least one block", path)
            return []
        if not isinstance(blocks, list):
            self.error("INVALID_FIELD_TYPE", "blocks must be a list", path)
            return []
        return [b for i, raw in enumerate(blocks)
                if (b := self.block(raw, f"{path}[{i}]")) is not None]

    def block(self, raw: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(raw, dict):
            self.error("INVALID_BLOCK", "A block must be a mapping with a 'type'", path)
            return None
        block = dict(raw)
        if "type" not in block:
            legacy = [k for k in LEGACY_KEYS if k in block]
            if len(legacy) == 1:
                block = self._legacy(block, legacy[0], path)
            else:
                self.error("MISSING_REQUIRED_FIELD", "Every block needs a 'type'", path + ".type",
                           "Use one of: " + ", ".join(BLOCK_TYPES))
                return None
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            self.error("INVALID_BLOCK_TYPE", f"Unsupported block type: {kind}", path + ".type",
                       "Use one of: " + ", ".join(BLOCK_TYPES))
            return None
        step_type = block.get("step_type")
        if step_type is not None and step_type not in STEP_TYPES:
            self.error("INVALID_STEP_TYPE", f"Unsupported step_type: {step_type}",
                       path + ".step_type", "Use one of: " + ", ".join(STEP_TYPES))
        text = block.get("step_description")
        if kind in ("instructions", "validation", "extraction") and (
                not isinstance(text, str) or not text.strip()):
            self.error("MISSING_REQUIRED_FIELD", f"A {kind} block needs a step_description",
                       path + ".step_description")
        if kind == "extraction":
            self._defines(block.get("variable_name"), path, required=True)
        elif kind == "manual":
            self._manual(block, path)
        elif kind in ("if", "while"):
            condition = block.get("condition") or block.get("step_description")
            if not isinstance(condition, str) or not condition.strip():
                self.error("MISSING_REQUIRED_FIELD", f"An {kind} block needs a condition",
                           path + ".condition")
            if kind == "if":
                then = block.get("then", block.get("thenChildren"))
                if not then:
                    self.error("MISSING_REQUIRED_FIELD", "An if block needs 'then' blocks",
                               path + ".then")
                block["then"] = self.block_list(then, path + ".then")
                block["else"] = self.block_list(block.get("else", block.get("elseChildren")),
                                                path + ".else")
            else:
                body = block.get("body", block.get("children"))
                if not body:
                    self.error("MISSING_REQUIRED_FIELD", "A while block needs 'body' blocks",
                               path + ".body")
                block["body"] = self.block_list(body, path + ".body")
            for key in ("thenChildren", "elseChildren", "children"):
                block.pop(key, None)
        elif kind == "code_execution":
            if not block.get("script") and not block.get("script_id") and not text:
                self.error("MISSING_REQUIRED_FIELD", "A code_execution block needs a script",
                           path + ".script")
            elif self.library is not None:
                self._script(block, path)
            elif block.get("script"):
                self.error("UNKNOWN_SCRIPT", f"No script named '{block['script']}' in this org",
                           path + ".script", "Create the script in Revyl first")
            if block.get("variable_name") is not None:
                self._defines(block["variable_name"], path, required=False)
        elif kind == "module_import":
            if not block.get("module") and not block.get("module_id"):
                self.error("MISSING_REQUIRED_FIELD", "A module_import block needs a module",
                           path + ".module")
            elif self.library is not None:
                self._module(block, path)
            elif block.get("module"):
                self.error("UNKNOWN_MODULE", f"No module named '{block['module']}' in this org",
                           path + ".module", "Create the module in Revyl first")
        for key in ("step_description", "condition"):
            if isinstance(block.get(key), str):
                self._uses(block[key], f"{path}.{key}")
        return block

    def _script(self, block: dict[str, Any], path: str) -> None:
        """``script`` (a name) or ``script_id``; a bare legacy ``step_description`` may hold a
        script id, or just say what the code does (accepted as it always was)."""
        assert self.library is not None
        name, script_id = block.get("script"), block.get("script_id")
        if not name and not script_id:
            found = self.library.find_script(None, block.get("step_description"))
            if found is not None:
                block["script_id"] = found.id
            return
        self._link(block, path, "script", self.library.find_script(name, script_id))

    def _link(self, block: dict[str, Any], path: str, kind: str, found: Any) -> bool:
        """Point a ``script`` / ``module`` block at what its name or ``<kind>_id`` found (the
        name written as stored), or report that the org has no such thing."""
        name = block.get(kind)
        if found is None:
            field_name = kind if name else f"{kind}_id"
            self.error(f"UNKNOWN_{kind.upper()}",
                       f"No {kind} '{name or block.get(kind + '_id')}' in this org",
                       f"{path}.{field_name}", f"Create it with 'revyl {kind} create' first")
            return False
        block[f"{kind}_id"] = found.id
        if name:
            block[kind] = found.name
        return True

    def _module(self, block: dict[str, Any], path: str) -> None:
        """A known module also defines, for the blocks after it, what its blocks extract."""
        assert self.library is not None
        name, module_id = block.get("module"), block.get("module_id")
        found = self.library.find_module(name, module_id)
        if not self._link(block, path, "module", found) or found is None:
            return
        for inner in found.blocks:
            if inner.get("variable_name") is not None:
                self.defined.add(str(inner["variable_name"]))

    def _legacy(self, block: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        self.add("warning", "LEGACY_FORMAT", f"Legacy shorthand '{key}:' block", path,
                 f"Write it as 'type: {key}' with explicit fields")
        value = block[key]
        if isinstance(value, str):
            field_name = "condition" if key in ("if", "while") else "step_description"
            return {"type": key, field_name: value}
        if not isinstance(value, dict):
            return {"type": key}
        converted: dict[str, Any] = {"type": key, **value}
        if key == "extraction" and "instructions" in converted:
            converted["step_description"] = converted.pop("instructions")
        if key == "manual":
            for param in ("duration", "url", "bundle_id"):
                if param in converted:
                    converted["step_description"] = str(converted.pop(param))
            if "latitude" in converted and "longitude" in converted:
                converted["step_description"] = (
                    f"{converted.pop('latitude')},{converted.pop('longitude')}")
        return converted

    def _manual(self, block: dict[str, Any], path: str) -> None:
        step_type = block.get("step_type")
        if step_type not in MANUAL_STEP_TYPES:
            self.error("INVALID_STEP_TYPE", f"Unsupported manual step_type: {step_type}",
                       path + ".step_type", "Use one of: " + ", ".join(MANUAL_STEP_TYPES))
            return
        value = str(block.get("step_description") or "").strip()
        checks = {
            "wait": (lambda v: _is_number(v) and float(v) > 0, "a number of seconds"),
            "navigate": (bool, "a URL or deep link"),
            "set_location": (_is_lat_lng, "'latitude,longitude'"),
            "set_orientation": (lambda v: v in ("portrait", "landscape"),
                                "portrait or landscape"),
            "set_appearance": (lambda v: v in ("light", "dark"), "light or dark"),
            "download_file": (lambda v: bool(v) or bool(block.get("file")),
                              "a URL, revyl-file:// URI or 'file:'"),
        }
        if step_type in checks and not checks[step_type][0](value):
            self.error("INVALID_STEP_VALUE",
                       f"{step_type} needs {checks[step_type][1]} as step_description",
                       path + ".step_description")

    def _defines(self, name: Any, path: str, required: bool) -> None:
        if name is None:
            if required:
                self.error("MISSING_REQUIRED_FIELD", "An extraction block needs a variable_name",
                           path + ".variable_name")
            return
        if not VARIABLE_NAME.match(str(name)):
            self.error("INVALID_VARIABLE_NAME", f"Invalid variable name: {name}",
                       path + ".variable_name")
        self.defined.add(str(name))

    def _uses(self, text: str, path: str) -> None:
        for raw in VARIABLE.findall(text):
            if raw.startswith("global."):
                self.add("warning", "UNKNOWN_GLOBAL_VARIABLE",
                         f"Global variable '{raw[7:]}' is not defined in this org", path)
            elif not VARIABLE_NAME.match(raw):
                self.error("INVALID_VARIABLE_NAME", f"Invalid variable name: {raw}", path)
            elif raw not in self.defined:
                self.add(self.undefined, "UNDEFINED_VARIABLE",
                         f"Variable '{raw}' is used before it is defined", path,
                         "Define it under 'variables:' or extract it in an earlier block")


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_lat_lng(value: str) -> bool:
    parts = [p.strip() for p in value.split(",")]
    return (len(parts) == 2 and all(_is_number(p) for p in parts)
            and -90 <= float(parts[0]) <= 90 and -180 <= float(parts[1]) <= 180)


def validate(text: str, validation_type: str = "full_test",
             library: Library | None = None) -> Report:
    """Raises :class:`PayloadTooLarge` (413) for a text over ``MAX_YAML_CHARS``: that is a
    request limit, not a finding about the content, and parsing it would take seconds."""
    if len(text) > MAX_YAML_CHARS:
        raise PayloadTooLarge(f"yaml_content is too large ({len(text)} characters; "
                              f"the limit is {MAX_YAML_CHARS})")
    data, marks, syntax = load(text)
    if syntax is not None:
        return Report([syntax])
    validator = _Validator(marks, library)
    if validation_type == "blocks_only":
        raw = data.get("blocks") if isinstance(data, dict) else data
        path = "blocks" if isinstance(data, dict) else ""
        root = validator.marks.at.get("")
        if root is not None:  # an empty document has no position to lend
            validator.marks.at.setdefault(path, root)
        blocks = validator.block_list(raw, path, required=True)
    else:
        blocks = validator.test(data)
    return Report(validator.messages, data, blocks)


# ---------------------------------------------------------------------- conversions
def to_json_blocks(blocks: list[dict[str, Any]], new_id) -> list[dict[str, Any]]:
    """YAML-form blocks -> normalised JSON blocks: ``id`` and ``step_type`` always present,
    if/while carry their condition as ``step_description`` and always both child lists."""
    result = []
    for block in blocks:
        kind = block["type"]
        out: dict[str, Any] = {"id": block.get("id") or new_id(), "type": kind}
        if kind in ("if", "while"):
            out["step_type"] = block.get("step_type") or DEFAULT_STEP_TYPE[kind]
            out["step_description"] = block.get("condition") or block.get("step_description")
            if kind == "if":
                out["thenChildren"] = to_json_blocks(block.get("then") or [], new_id)
                out["elseChildren"] = to_json_blocks(block.get("else") or [], new_id)
            else:
                out["children"] = to_json_blocks(block.get("body") or [], new_id)
        else:
            out["step_type"] = block.get("step_type") or DEFAULT_STEP_TYPE[kind]
            for key, value in block.items():
                if key not in ("id", "type", "step_type"):
                    out[key] = value
        result.append(out)
    return result


def from_json_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON blocks -> YAML-form blocks, dropping what the YAML form leaves implicit
    (generated ids, default step types, empty else branches)."""
    result = []
    for block in blocks:
        kind = block.get("type")
        out: dict[str, Any] = {"type": kind}
        if kind in ("if", "while"):
            out["condition"] = block.get("condition") or block.get("step_description")
            if kind == "if":
                out["then"] = from_json_blocks(block.get("thenChildren") or
                                               block.get("then") or [])
                otherwise = block.get("elseChildren") or block.get("else") or []
                if otherwise:
                    out["else"] = from_json_blocks(otherwise)
            else:
                out["body"] = from_json_blocks(block.get("children") or block.get("body") or [])
        else:
            for key, value in block.items():
                if key in ("id", "type") or value is None:
                    continue
                if key == "step_type" and kind is not None and value == DEFAULT_STEP_TYPE.get(kind):
                    continue
                out[key] = value
        result.append(out)
    return result


def to_yaml(blocks: list[dict[str, Any]], metadata: dict[str, Any] | None) -> str:
    import yaml

    meta = dict(metadata or {})
    test: dict[str, Any] = {}
    test_meta = {k: meta[k] for k in ("name", "platform", "description", "tags") if meta.get(k)}
    if test_meta:
        test["metadata"] = test_meta
    build = {k: meta[k] for k in ("pinned_version", "system_prompt") if meta.get(k)}
    if meta.get("build_name") or meta.get("app_name"):
        build = {"name": meta.get("build_name") or meta.get("app_name"), **build}
    if build:
        test["build"] = build
    if meta.get("variables"):
        test["variables"] = meta["variables"]
    test["blocks"] = blocks

    class IndentedLists(yaml.SafeDumper):
        """Lists indented under their key, as the documentation's examples are written."""

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    return yaml.dump({"test": test}, Dumper=IndentedLists, sort_keys=False,
                     allow_unicode=True, width=1000)


def check_blocks(blocks: Any, variables: dict[str, str] | None = None,
                 library: Library | None = None, undefined: str = "error") -> Report:
    """Validate blocks that arrived as JSON (no source lines to point at). ``undefined``: the
    severity of an undefined variable ("warning" for a module's blocks, whose variables come
    from the tests that import it)."""
    validator = _Validator(_Marks(), library, undefined)
    validator.defined.update(variables or {})
    raw = from_json_blocks(blocks) if isinstance(blocks, list) and all(
        isinstance(b, dict) for b in blocks) else blocks
    normalised = validator.block_list(raw, "blocks", required=True)
    return Report(validator.messages, blocks, normalised)
