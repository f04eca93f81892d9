from __future__ import annotations

from typing import Any

import httpx
import pytest

LOGIN = "7e570000-0000-4000-8000-000000000001"
CHECKOUT = "7e570000-0000-4000-8000-000000000002"
ONBOARDING_IOS = "7e570000-0000-4000-8000-000000000003"
FAILING = "7e570000-0000-4000-8000-000000000004"
# What the official Interactly SDK sends with every request (spec §5.1).
SDK_HEADERS = {"teamid": "emu-team", "uuid": "emu-user", "X-Interactly-API-Version": "2026-04-01",
               "User-Agent": "interactly-python/0.2.0"}
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
EXECUTE_DEVICE = "/api/execute_test_id_async"
STATUS = "/api/v1/tests/get_test_execution_task"


async def advance(client: httpx.AsyncClient, seconds: float) -> dict[str, Any]:
    response = await client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    return response.json()


async def start(client: httpx.AsyncClient, test_id: str = LOGIN, **body: Any) -> str:
    response = await client.post(EXECUTE, json={"test_id": test_id, **body})
    assert response.status_code == 200, response.text
    return response.json()["task_id"]


async def status(client: httpx.AsyncClient, task_id: str) -> dict[str, Any]:
    response = await client.get(STATUS, params={"task_id": task_id})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def client(emulator_client):
    """The in-process client with the Interactly SDK's headers (Interactly API tests)."""
    emulator_client.headers.update(SDK_HEADERS)
    return emulator_client
