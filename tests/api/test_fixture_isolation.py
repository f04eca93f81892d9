"""The plugin reuses one app per settings: each test must still start from a fresh registry
(these two run in file order; the second fails if the first one's state leaked)."""

import pytest

pytestmark = pytest.mark.anyio


async def test_a_leaves_state_behind(emulator_client):
    await emulator_client.post("/v1/workflows", json={"name": "leftover"})
    await emulator_client.post("/_emulator/clock/advance", json={"seconds": 60})
    assert (await emulator_client.get("/v1/workflows")).json()["total"] == 1


async def test_b_sees_none_of_it(emulator_client, emulator_app):
    assert (await emulator_client.get("/v1/workflows")).json()["total"] == 0
    clock = (await emulator_client.get("/_emulator/clock")).json()
    assert clock["now"] == "2026-01-01T00:00:00.000Z"
    assert len(emulator_app.state.registry) == 1
