"""Revyl routers. Every family is mounted at all the paths the clients use (spec §0.1)."""

from __future__ import annotations

from fastapi import APIRouter

from emulator.revyl.routes import (
    account,
    executions,
    files,
    modules,
    monitor,
    reports,
    scripts,
    tags,
    test_extras,
    tests,
    variables,
    workflows,
    yaml,
)


def routers() -> tuple[APIRouter, ...]:
    """All but the public health check need a token; the order does not matter (see
    ``emulator.web.routing.mount``). Builds and their upload URLs are another family, built
    lazily (``emulator.app.LAZY_FAMILIES``)."""
    return (account.public, account.router, executions.router, tests.router,
            workflows.router, monitor.router, reports.router, yaml.router, test_extras.router,
            modules.router, scripts.router, tags.router, variables.router, files.router)
