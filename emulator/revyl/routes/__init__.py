"""Revyl routers. Every family is mounted at all the paths the clients use (spec §0.1)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from emulator.core.auth import namespace
from emulator.revyl.routes import (
    account,
    builds,
    executions,
    monitor,
    reports,
    test_extras,
    tests,
    uploads,
    workflows,
    yaml,
)


def router() -> APIRouter:
    api = APIRouter(dependencies=[Depends(namespace)])
    for module in (account, executions, tests, workflows, monitor, reports, builds,
                   yaml, test_extras):
        api.include_router(module.router)
    root = APIRouter()
    root.include_router(account.public)
    root.include_router(uploads.router)
    root.include_router(api)
    return root
