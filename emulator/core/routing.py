"""Mounting one handler at several paths: the emulated APIs kept old paths alive as they
moved, and clients of different ages call different ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

Handler = Callable[..., Any]


def on_paths(router: APIRouter, method: str, paths: list[str],
             documented: int = 0) -> Callable[[Handler], Handler]:
    """Decorator: mount the handler at every path; only ``paths[documented]`` is listed in
    the OpenAPI schema, so the docs show each operation once."""
    def mount(handler: Handler) -> Handler:
        for i, path in enumerate(paths):
            router.add_api_route(path, handler, methods=[method],
                                 include_in_schema=i == documented)
        return handler
    return mount
