"""Auth on every API route, error shapes, unknown routes, and the body-size cap."""

import httpx
import pytest

from emulator.app import create_app
from emulator.settings import Settings

from .conftest import EXECUTE, LOGIN

pytestmark = pytest.mark.anyio

API_ROUTES = [
    ("POST", EXECUTE), ("POST", "/api/execute_test_id_async"),
    ("GET", "/api/v1/tests/get_test_execution_task?task_id=x"),
    ("POST", "/api/v1/execution/tests/status/cancel/x"),
    ("GET", "/api/v1/entity/users/get_user_uuid"),
    ("GET", f"/api/v1/tests/get_test_by_id/{LOGIN}"),
    ("GET", "/api/v1/tests/get_simple_tests"),
    ("GET", f"/api/v1/tests/get_test_enhanced_history?test_id={LOGIN}"),
    ("GET", "/api/v1/reports-v3/reports/by-execution/x/context"),
    ("POST", "/api/v1/telemetry/cli-analytics"),
    ("GET", "/api/v1/monitor/stream/unified"),
    ("POST", "/api/v1/workflow-executions"), ("POST", "/api/execute_workflow_id_async"),
    ("GET", "/api/v1/workflows/status/x"), ("GET", "/api/v1/workflows/tasks/workflow_task/x"),
    ("GET", "/api/v1/workflows/status/history/x"), ("POST", "/api/v1/workflows/status/cancel/x"),
    ("GET", "/api/v1/workflows/get_with_last_status"),
    ("POST", "/api/v1/workflows/share/unified-report"),
    ("POST", "/api/v1/report/async-run/generate_shareable_report_link"),
    ("GET", "/api/v1/builds/vars"), ("POST", "/api/v1/apps/"),
    ("GET", "/api/v1/apps/x/builds"), ("DELETE", "/api/v1/builds/versions/x"),
    ("POST", "/api/v1/apps/x/builds/upload-session"),
    ("POST", "/api/v1/builds/vars/x/versions/stream-upload"),
    ("POST", "/api/v1/tests/yaml/validate-yaml"), ("POST", "/api/v1/yaml/from-yaml"),
    ("POST", "/api/v1/tests/create"), ("PUT", "/api/v1/tests/update/x"),
    ("GET", "/api/v1/tests/scripts"), ("GET", "/api/v1/modules/list"),
    ("GET", "/api/v1/variables/custom/read_variables?test_uid=x"),
]


@pytest.fixture(scope="module")
def shared_app():
    """One app for the whole auth matrix: every request here is rejected before it could
    change any state, and building an app per case would dominate the run time."""
    return create_app(Settings(clock="manual"))


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Bearer "},
                                     {"Authorization": "Bearer    "}, {"Authorization": "Basic x"},
                                     {"Authorization": "token-without-scheme"}])
@pytest.mark.parametrize("method, path", API_ROUTES)
async def test_every_api_route_rejects_missing_or_blank_bearer(shared_app, method, path,
                                                               headers):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=shared_app),
                                 base_url="http://e.test") as client:
        response = await client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_health_check_needs_no_auth(emulator_app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e.test") as client:
        response = await client.get("/health_check")
    assert response.status_code == 200


async def test_unknown_route_and_wrong_method(emulator_client):
    assert (await emulator_client.get("/api/v1/nope")).json() == {"detail": "Not Found"}
    response = await emulator_client.get(EXECUTE)
    assert response.status_code == 405 and response.json() == {"detail": "Method Not Allowed"}


async def test_body_over_the_cap_is_413_with_detail_and_leaves_state_alone():
    app = create_app(Settings(clock="manual", max_body_bytes=1024))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test",
                                 headers={"Authorization": "Bearer k"}) as client:
        big = {"test_id": LOGIN, "padding": "x" * 4096}
        response = await client.post(EXECUTE, json=big)
        assert response.status_code == 413
        assert "too large" in response.json()["detail"]

        async def chunks():
            yield b'{"test_id": "' + LOGIN.encode() + b'", "padding": "'
            for _ in range(10):
                yield b"x" * 512
            yield b'"}'

        streamed = await client.post(EXECUTE, content=chunks(),
                                     headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        state = (await client.get("/_emulator/state")).json()
        assert state["revyl"]["test_executions"] == {}
        small = await client.post(EXECUTE, json={"test_id": LOGIN})
        assert small.status_code == 200
    await app.state.registry.aclose()
