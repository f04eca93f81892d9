"""Per-user favourite workflows (``POST``/``DELETE /v1/workflows/{id}/favorite``).

Keyed by the caller's ``uuid`` header, as the real service scopes favourites to the user. Kept
apart from the catalog: deleting a workflow leaves a stale id here, which every reader ignores
because it only ever asks about workflows that exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.core.namespaces import Rearm


class Favorites:
    def __init__(self) -> None:
        self._by_user: dict[str, set[str]] = {}

    def add(self, user: str, workflow_id: str) -> None:
        self._by_user.setdefault(user, set()).add(workflow_id)

    def remove(self, user: str, workflow_id: str) -> None:
        self._by_user.get(user, set()).discard(workflow_id)

    def of(self, user: str) -> frozenset[str]:
        return frozenset(self._by_user.get(user, ()))

    def export_state(self) -> dict[str, Any]:
        return {"by_user": {user: sorted(ids) for user, ids in self._by_user.items()}}

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        self._by_user = {user: set(ids) for user, ids in (data.get("by_user") or {}).items()}
        return []
