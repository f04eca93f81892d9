"""EMULATOR_MAX_FINISHED: the oldest finished executions and runs are forgotten (404), the
live ones and the newest finished ones stay, so a long-lived server's memory stays flat."""

import httpx
import pytest

from emulator.app import create_app
from emulator.settings import Settings

from .conftest import EXECUTE, LOGIN, STATUS
from .test_interactly import START

pytestmark = pytest.mark.anyio
WF_EXECUTE = "/api/v1/execution/api/execute_workflow_id_async"
WF_STATUS = "/api/v1/workflows/status/{}"
SMOKE = "f1000000-0000-4000-8000-000000000001"  # the bundled smoke workflow


@pytest.fixture
async def capped():
    app = create_app(Settings(clock="manual", max_finished=3))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e",
                                 headers={"Authorization": "Bearer cap"}) as client:
        yield client
    await app.state.registry.aclose()


async def advance(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_emulator/clock/advance", json={"seconds": 3600})).is_success


async def test_test_executions_beyond_the_cap_are_forgotten_oldest_first(capped):
    ids = [(await capped.post(EXECUTE, json={"test_id": LOGIN})).json()["task_id"]
           for _ in range(5)]
    await advance(capped)  # all five finish, in start order
    live = (await capped.post(EXECUTE, json={"test_id": LOGIN})).json()["task_id"]
    codes = [(await capped.get(STATUS, params={"task_id": i})).status_code for i in ids]
    assert codes == [404, 404, 200, 200, 200]
    assert (await capped.get(STATUS, params={"task_id": live})).status_code == 200


async def test_workflow_executions_and_interactly_runs_are_capped_too(capped):
    tasks = []
    for _ in range(4):
        tasks.append((await capped.post(WF_EXECUTE, json={"workflow_id": SMOKE})).json()[
            "task_id"])
        await advance(capped)
    codes = [(await capped.get(WF_STATUS.format(t))).status_code for t in tasks]
    assert codes == [404, 200, 200, 200]

    wid = (await capped.post("/v1/workflows", json={"name": "t"})).json()["workflow"]["_id"]
    runs = []
    for _ in range(4):
        reply = (await capped.post(f"/v1/workflows/{wid}/execute",
                                   json={"run_input": START})).json()
        runs.append(reply["run_id"])
        stop = await capped.post(f"/v1/workflows/{wid}/execute", json={
            "run_input": {**START, "command": "stop"}, "run_id": reply["run_id"]})
        assert stop.status_code == 200
    waiting = (await capped.post(f"/v1/workflows/{wid}/execute",
                                 json={"run_input": START})).json()["run_id"]
    codes = [(await capped.get(f"/v1/workflow-runs/{r}")).status_code for r in runs]
    assert codes == [404, 404, 200, 200]
    assert (await capped.get(f"/v1/workflow-runs/{waiting}")).status_code == 200
