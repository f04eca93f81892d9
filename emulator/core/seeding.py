"""``POST /_emulator/seed``: load a fixtures document into one namespace.

The document has one part per API (``revyl``, ``interactly``); each API's registered
:class:`~emulator.core.namespaces.Seeder` checks and applies its own part. The document is
checked as a whole before anything is stored (a refused one leaves the namespace untouched);
should a store still refuse while applying, the namespace is put back from a snapshot taken
first. ``mode: "merge"`` adds to (or, on the same id, replaces) what the namespace has;
``"replace"`` swaps the definitions of each API the document names for the document's
(executions and runs stay readable).
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any, Literal

from emulator.core.errors import ApiError
from emulator.core.namespaces import Namespace, Problems


def duplicates(values: list[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def seed(ns: Namespace, mode: Literal["merge", "replace"], parts: dict[str, Any],
         caller: dict[str, str]) -> dict[str, Any]:
    """Check every part, then apply them. ``parts``: API name -> that API's (validated) part of
    the document; ``caller``: who seeds (Interactly's ``teamid``/``uuid`` headers). Returns
    counts of what was loaded and what the namespace now has, per API."""
    seeders = [(api, parts[api.name]) for api in ns.registrations
               if api.seeder is not None and parts.get(api.name) is not None]
    replace = mode == "replace"
    problems = Problems()
    for api, part in seeders:
        assert api.seeder is not None
        api.seeder.check(ns.apis[api.name], part, replace, problems)
    if problems.items:
        raise ApiError(problems.items, 422)

    from emulator.core.snapshots import export_namespace, import_namespace

    answer: dict[str, Any] = {"mode": mode, "namespace": ns.key}
    before = copy.deepcopy(export_namespace(ns))
    try:
        for api, part in seeders:
            assert api.seeder is not None
            answer[api.name] = api.seeder.apply(ns.apis[api.name], part, replace, caller)
    except Exception as exc:  # checked above; should a store still refuse, load nothing
        import_namespace(ns, before)
        if isinstance(exc, ApiError):
            raise ApiError(exc.detail if isinstance(exc.detail, list) else [
                {"type": "value_error", "loc": ["body"], "msg": str(exc), "input": None}],
                422) from exc
        raise
    return answer
