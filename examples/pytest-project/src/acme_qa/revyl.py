"""Start a Revyl test and poll until it ends, async or sync.

Written the way production code should be for testability: the base URL, the httpx transport
and the sleep function can be passed in. Nothing here knows about the emulator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

REVYL_URL = "https://backend.revyl.ai"
EXECUTE = "/api/v1/execution/api/execute_test_id_async"
STATUS = "/api/v1/tests/get_test_execution_task"
TERMINAL = {"completed", "failed", "timeout", "cancelled"}


class RevylRunner:
    def __init__(self, api_key: str, base_url: str = REVYL_URL, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 poll_interval: float = 2.0) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30,
                                        headers={"Authorization": f"Bearer {api_key}"})
        self.sleep = sleep
        self.poll_interval = poll_interval

    async def __aenter__(self) -> RevylRunner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def start(self, test_id: str) -> str:
        response = await self.client.post(EXECUTE, json={"test_id": test_id})
        response.raise_for_status()
        return response.json()["task_id"]

    async def status(self, task_id: str) -> dict[str, Any]:
        response = await self.client.get(STATUS, params={"task_id": task_id})
        response.raise_for_status()
        return response.json()

    async def run_test(self, test_id: str, timeout: float = 900) -> dict[str, Any]:
        """Start ``test_id`` and poll until it ends; returns the final status document."""
        task_id = await self.start(test_id)
        waited = 0.0
        while True:
            status = await self.status(task_id)
            if status["status"] in TERMINAL:
                return status
            if waited >= timeout:
                raise TimeoutError(f"{test_id} still {status['status']} after {timeout}s")
            await self.sleep(self.poll_interval)
            waited += self.poll_interval


def run_test_sync(api_key: str, test_id: str, base_url: str = REVYL_URL, *,
                  poll_interval: float = 0.25, timeout: float = 120) -> dict[str, Any]:
    """The same, for sync callers (scripts, CI steps): real time, real sockets."""
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        started = client.post(EXECUTE, json={"test_id": test_id})
        started.raise_for_status()
        task_id = started.json()["task_id"]
        deadline = time.monotonic() + timeout
        while True:
            response = client.get(STATUS, params={"task_id": task_id})
            response.raise_for_status()
            status = response.json()
            if status["status"] in TERMINAL:
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"{test_id} still {status['status']} after {timeout}s")
            time.sleep(poll_interval)
