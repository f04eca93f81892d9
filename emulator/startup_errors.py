"""Start-up failures as one or two lines a person can act on, instead of a traceback.

``main`` catches :class:`StartupError` and nothing broader: a failure that is not one of these
is a bug in the emulator, and its traceback is what a bug report needs.
"""

from __future__ import annotations

import json
import os
import re
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import ValidationError
from pydantic.fields import FieldInfo

PROG = "ri-emulator"
ENV_PREFIX = "EMULATOR_"
MAX_NAMED = 4  # further problems are counted, not listed: the message stays one screen line


class StartupError(Exception):
    """Something about how the emulator was started (the port, a file) that the user can fix.
    ``main`` prints the message after ``ri-emulator:`` and exits with ``exit_code``."""

    exit_code = 1


class UsageError(StartupError):
    """A bad flag or ``EMULATOR_*`` value. Exit 2 like argparse, so a script can tell "called
    wrongly" from "the machine said no"."""

    exit_code = 2


# ------------------------------------------------------------------------------ files
def read_json(path: Path, what: str) -> Any:
    """The parsed file, or a :class:`StartupError` naming the file and, for a syntax error, the
    line and column: ``json``'s own message is only "Expecting ',' delimiter"."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StartupError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise StartupError(f"{what} {path} is a directory, not a file") from None
    except OSError as exc:
        raise StartupError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise StartupError(f"{what} {path} is not UTF-8 text (bad byte at offset {exc.start})"
                           ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StartupError(f"{what} {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                           f"column {exc.colno}") from None


def field_path(loc: Sequence[int | str]) -> str:
    """``("tests", 2, "platform")`` as ``tests[2].platform``: what a person finds in the file."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe_model_error(error: ValidationError, what: str, path: Path) -> str:
    """The first problem with its field path and pydantic's own message, then (second line)
    where the others are: fixing one at a time beats a screenful of errors."""
    problems = error.errors(include_url=False)
    first = problems[0]
    line = f"{what} {path}: {field_path(first['loc'])}: {first['msg']}"
    value = first.get("input")
    if first["type"] != "missing" and isinstance(value, str | int | float | bool):
        line += f" (got {value!r})"
    rest = [field_path(p["loc"]) for p in problems[1:]]
    if rest:
        named = ", ".join(rest[:MAX_NAMED]) + (f" and {len(rest) - MAX_NAMED} more"
                                               if len(rest) > MAX_NAMED else "")
        line += f"\nalso invalid in the same file: {named}"
    return line


# ------------------------------------------------------------------------------ settings
def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def env_value(field: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The raw text of a field's variable; pydantic-settings matches names case-insensitively,
    and the raw text (not the half-parsed value) is what the user recognises."""
    name = env_name(field)
    environ = os.environ if environ is None else environ
    return next((value for key, value in environ.items() if key.upper() == name), None)


def _bounds(metadata: Sequence[Any]) -> str:
    limits = {key: getattr(m, key) for m in metadata for key in ("gt", "ge", "lt", "le")
              if getattr(m, key, None) is not None}
    if "ge" in limits and "le" in limits:
        return f" from {limits['ge']} to {limits['le']}"
    words = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
    return " and".join(f" {words[key]} {value}" for key, value in limits.items())


def allowed(field: FieldInfo) -> str | None:
    """What a field accepts, in words, read off its type and constraints (never stale); None
    when the type has no short description (pydantic's own message is used then)."""
    annotation: Any = field.annotation
    if get_origin(annotation) in (Union, types.UnionType):  # "float | None": the None is "unset"
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Literal:
        return "choose from " + ", ".join(str(a) for a in get_args(annotation))
    if annotation is bool:
        return "must be true or false"
    if annotation is int:
        return "must be an integer" + _bounds(field.metadata)
    if annotation is float:
        return "must be a number" + _bounds(field.metadata)
    if get_origin(annotation) is list:
        return 'must be a JSON list of strings, e.g. ["example.com"]'
    return None


def describe_settings_error(error: ValidationError, fields: Mapping[str, FieldInfo],
                            flags: Mapping[str, tuple[str, str]]) -> str:
    """``EMULATOR_CLOCK='slow' is not valid: choose from realtime, manual``. ``flags`` maps the
    fields given on the command line to (flag, raw text): those name the flag, the rest name
    their variable. One line per run; the other bad settings are only named."""
    problems: dict[str, str] = {}  # source -> line; a list field can fail once per item
    for problem in error.errors(include_url=False):
        loc = problem["loc"]
        field = str(loc[0]) if loc else ""
        raw: str | None
        if field in flags:
            source, raw = flags[field]
        else:
            source, raw = env_name(field), env_value(field)
        shown = f"{source}={raw!r}" if raw is not None else source
        rule = allowed(fields[field]) if field in fields else None
        problems.setdefault(source, f"{shown} is not valid: {rule or problem['msg']}")
    sources = list(problems)
    first = problems[sources[0]]
    return first if len(sources) == 1 else f"{first}\nalso invalid: {', '.join(sources[1:])}"


SETTINGS_ERROR_FIELD = re.compile(r'field "(?P<field>[^"]+)"')


def describe_settings_source_error(error: Exception, fields: Mapping[str, FieldInfo]) -> str:
    """pydantic-settings decodes a list variable as JSON before validating, and reports a
    decoding failure only as 'error parsing value for field "x" from source "EnvSettingsSource"'
    (a ``SettingsError``, not a ``ValidationError``)."""
    match = SETTINGS_ERROR_FIELD.search(str(error))
    field = match["field"] if match else None
    if field is None or field not in fields:
        return f"an EMULATOR_* variable is not valid: {error}"
    raw = env_value(field)
    shown = f"{env_name(field)}={raw!r}" if raw is not None else env_name(field)
    return f"{shown} is not valid: {allowed(fields[field]) or 'cannot be parsed'}"
