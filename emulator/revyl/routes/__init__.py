"""Revyl routers. Every family is mounted at all the paths the clients use (spec §0.1)."""

from __future__ import annotations

from fastapi import APIRouter

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


def routers() -> tuple[APIRouter, ...]:
    """In matching order; all but the public health check and the upload URLs need a token."""
    return (account.public, uploads.router, account.router, executions.router, tests.router,
            workflows.router, monitor.router, reports.router, builds.router, yaml.router,
            test_extras.router)
