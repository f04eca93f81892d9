"""What ``revyl test create/push`` touches around a definition: tags and device targets
(scripts and modules: routes/scripts.py and routes/modules.py; per-test variables and
launch-variable attachments: routes/variables.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.responses import JSONResponse

from emulator.core.namespaces import Namespace
from emulator.revyl import wire
from emulator.revyl.models import _Request
from emulator.revyl.responses import TestTag
from emulator.revyl.responses_tests import TestTagsSyncResponse
from emulator.revyl.responses_yaml import DeviceTargetResponse
from emulator.revyl.state import revyl
from emulator.web.auth import namespace
from emulator.web.contract import errors
from emulator.web.responses import ok
from emulator.web.routing import api_router

router = api_router("Revyl: test extras")
Ns = Annotated[Namespace, Depends(namespace)]


class SyncTags(_Request):
    tag_names: list[str]


class DeviceTarget(_Request):
    device_model: str | None = None
    os_version: str | None = None
    orientation: str | None = None


@router.get("/api/v1/tests/tags/tests/{test_id}", response_model=list[TestTag],
            responses=errors(404))
async def get_tags(test_id: str, ns: Ns) -> JSONResponse:
    """The test's tags, as the org's tag store (emulator/revyl/tags.py) holds them."""
    return ok([wire.test_tag(tag) for tag in revyl(ns).tags.of_test(test_id)])


@router.post("/api/v1/tests/tags/tests/{test_id}/sync", response_model=TestTagsSyncResponse,
             responses=errors(404, 413))
async def sync_tags(test_id: str, body: SyncTags, ns: Ns) -> JSONResponse:
    """Full replacement; unknown names become org tags (``created: true``)."""
    test, synced = revyl(ns).tags.sync(test_id, body.tag_names)
    return ok({"test_id": test.id, "tags": [{**wire.test_tag(s.tag), "created": s.created}
                                            for s in synced]})


@router.patch("/api/v1/tests/{test_id}/device-target", response_model=DeviceTargetResponse,
              responses=errors(404, 413))
async def device_target(test_id: str, body: DeviceTarget, ns: Ns) -> JSONResponse:
    test = revyl(ns).definitions.set_device_target(test_id, body.model_dump(exclude_none=True))
    return ok({"id": test.id, "mobile_targets": [test.device] if test.device else []})
