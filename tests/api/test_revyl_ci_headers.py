"""The CI headers of the execute routes, typed as documented (seed: ``X-CI-PR-Number`` is
``integer | null``): junk is a 422 and starts nothing; good values set the run's source."""

from __future__ import annotations

import pytest

LOGIN = "7e570000-0000-4000-8000-000000000001"
SMOKE = "f1000000-0000-4000-8000-000000000001"
ROUTES = [("/api/v1/execution/api/execute_test_id_async", {"test_id": LOGIN}),
          ("/api/v1/execution/api/execute_workflow_id_async", {"workflow_id": SMOKE})]

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_a_non_integer_pr_number_is_a_422_and_starts_nothing(emulator, path, body):
    response = await emulator.client.post(path, json=body, headers={
        "X-CI-System": "github-actions", "X-CI-PR-Number": "twelve"})
    assert response.status_code == 422
    issue = response.json()["detail"][0]
    assert issue["loc"] == ["header", "x-ci-pr-number"]
    state = (await emulator.state())["revyl"]
    assert state["test_executions"] == {} and state["workflow_executions"] == {}


@pytest.mark.parametrize(("path", "body"), ROUTES)
async def test_typed_ci_headers_are_accepted_and_mark_the_run_ci(emulator, path, body):
    response = await emulator.client.post(path, json=body, headers={
        "X-CI-System": "github-actions", "X-CI-PR-Number": "42", "X-CI-Branch": "main",
        "X-CI-Commit-SHA": "abc123", "X-CI-Actor": "octocat"})
    assert response.status_code == 200, response.text


async def test_source_precedence_cli_then_ci_then_body():
    from emulator.revyl.ci_headers import CIHeaders

    assert CIHeaders(x_revyl_client="CLI", x_ci_system="github-actions").source("api") == "cli"
    assert CIHeaders(x_ci_system="github-actions").source("webhook") == "ci_cd"
    assert CIHeaders().source("webhook") == "webhook"
    assert CIHeaders().source(None) == "api"
