"""Revyl routers. Every family is mounted at all the paths the clients use (spec §0.1)."""

from __future__ import annotations

from fastapi import APIRouter

from emulator.revyl.routes import (
    account,
    executions,
    monitor,
    reports,
    test_extras,
    tests,
    yaml,
)


def routers() -> tuple[APIRouter, ...]:
    """All but the public health check need a token; the order does not matter (see
    ``emulator.web.routing.mount``). Builds and their upload URLs, and the test-management
    families below, are built lazily (``emulator.app.LAZY_FAMILIES``): a run does not need
    them, and ``Ready.`` should not wait for them."""
    return (account.public, account.router, executions.router, tests.router,
            monitor.router, reports.router, yaml.router, test_extras.router)


def workflow_routers() -> tuple[APIRouter, ...]:
    """Workflows and their executions (imported on first use: ~50 ms of ``Ready.``)."""
    from emulator.revyl.routes import workflows

    return (workflows.router,)


def management_routers() -> tuple[APIRouter, ...]:
    """Modules, scripts, tags, variables and org files (imported on first use)."""
    from emulator.revyl.routes import files, modules, scripts, tags, variables

    return (modules.router, scripts.router, tags.router, variables.router, files.router)
