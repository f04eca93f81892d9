"""Response pieces shared by the "extras" routers of Interactly (assets, catalog extras,
schedules, simulations, super nodes, webhooks); each area's own models live beside this file in
``extras_*.py``, and the shapes the core routes answer too (workflow and version envelopes,
stored-document fields, pagination) come from :mod:`.common`."""

from __future__ import annotations

from typing import Literal

from emulator.web.contract import WireModel

#: The run status values of the service (spec §1.7).
RunStatus = Literal["not_started", "started", "running", "failed", "completed", "paused",
                    "waiting_for_user_input", "cancelled", "aborted_looping_risk"]


class ResourceDeletedResponse(WireModel):
    """``DELETE`` of a stored document (the SDK ignores the body)."""

    message: str
    id: str


__all__ = ["ResourceDeletedResponse", "RunStatus"]
