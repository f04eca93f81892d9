"""Per-user favourite workflows (``POST``/``DELETE /v1/workflows/{id}/favorite``).

Keyed by the caller's ``uuid`` header, as the real service scopes favourites to the user. Kept
apart from the catalog: deleting a workflow leaves a stale id here, which every reader ignores
because it only ever asks about workflows that exist.
"""

from __future__ import annotations

from typing import Any


class Favorites:
    def __init__(self, _state: Any = None) -> None:
        self._by_user: dict[str, set[str]] = {}

    def add(self, user: str, workflow_id: str) -> None:
        self._by_user.setdefault(user, set()).add(workflow_id)

    def remove(self, user: str, workflow_id: str) -> None:
        self._by_user.get(user, set()).discard(workflow_id)

    def of(self, user: str) -> frozenset[str]:
        return frozenset(self._by_user.get(user, ()))
