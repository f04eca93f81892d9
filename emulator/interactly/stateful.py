"""What a per-namespace Interactly service promises the snapshot codec.

Every service :class:`~emulator.interactly.state.InteractlyState` declares is either
:class:`Stateful` (it keeps data of its own, and says how that data becomes a JSON document and
back) or :class:`Stateless` (it only reads and writes other services' data, so there is nothing
to save). The codec (``emulator/interactly/snapshot.py``) calls these public methods and never
reaches into a service, so a service can change how it stores things without breaking snapshots,
and ``tests/unit/test_interactly_services.py`` fails when a new service is neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

from emulator.core.snapshots import timer_order

if TYPE_CHECKING:
    from emulator.core.clock import Timer
    from emulator.core.namespaces import Rearm


@runtime_checkable
class Stateful(Protocol):
    def export_state(self) -> dict[str, Any]:
        """The service's data as JSON values (the document's ``services.<name>`` object)."""
        ...

    def restore_state(self, data: dict[str, Any]) -> list[Rearm]:
        """Replace the data of a freshly made service with ``data`` (what
        :meth:`export_state` answered); timers are not armed here but returned, so the core can
        put every timer of the namespace back on the clock in its original order."""
        ...


@runtime_checkable
class Stateless(Protocol):
    """A service that keeps nothing of its own: never exported, made again when used."""

    stateless: ClassVar[Literal[True]]


Service = Stateful | Stateless


def timer_state(timer: Timer | None) -> dict[str, float] | None:
    """A live timer as the document stores it (``{"due", "seq"}``), None when none is armed."""
    order = timer_order(timer)
    return None if order is None else {"due": order[0], "seq": order[1]}


def rearm(timer: dict[str, Any], arm: Callable[[], None]) -> Rearm:
    """Put back a timer :func:`timer_state` saved: ``arm`` runs once the namespace is
    restored, in the order the timers originally had."""
    return float(timer["due"]), float(timer["seq"]), arm
