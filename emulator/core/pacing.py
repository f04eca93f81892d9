"""Long work on the event loop in short slices, so one request cannot stall every other.

The server is one event loop: a request that computes for a second (every namespace exported,
a thousand journal entries matched, a dashboard of thousands of namespaces) delays every other
request by a second, health checks included. Such work is written as an iterator whose
``next()`` does one item's work, and walked through :func:`paced`: it takes items for at most
``SLICE_SECONDS`` at a time and hands the loop back in between.

Slices of every paced request also take turns through one lane per event loop: with six busy
requests each running its own slice per turn of the loop, a health check (which needs two or
three turns) waited for all six slices each time. An item itself must stay cheap (bounded
inputs), since a slice cannot end in the middle of one.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")
SLICE_SECONDS = 0.005
_LANES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary())


def _lane() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lane = _LANES.get(loop)
    if lane is None:
        lane = _LANES[loop] = asyncio.Lock()
    return lane


async def paced(items: Iterable[T], slice_seconds: float = SLICE_SECONDS) -> AsyncIterator[T]:
    """``items``, computed a slice at a time in the loop's lane, the loop handed back between
    slices. What the caller does with each item happens outside the lane: keep it light."""
    iterator = iter(items)
    lane = _lane()
    finished = False
    while not finished:
        batch: list[T] = []
        async with lane:
            began = time.perf_counter()
            while time.perf_counter() - began < slice_seconds:
                try:
                    batch.append(next(iterator))
                except StopIteration:
                    finished = True
                    break
        for item in batch:
            yield item
        if not finished:
            await asyncio.sleep(0)
