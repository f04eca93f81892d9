"""``--state-file``: a real server keeps its namespaces across a stop (SIGTERM) and a start."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from emulator.pytest_plugin import EmulatorProcess

LOGIN = "7e570000-0000-4000-8000-000000000001"
NEW_TEST = {"id": "7e570000-0000-4000-8000-0000000000bb", "name": "kept-across-restarts",
            "platform": "android", "blocks": [{"type": "instructions",
                                               "step_description": "Open the app"}]}
CHAT = {"name": "kept-chat", "workflow_config": {"name": "kept-chat"},
        "node_configs": [{"type": "say_llm", "logical_id": "node_front", "name": "Front",
                          "is_start": True}], "edge_configs": []}
START = {"command": "start", "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}


def call(server: EmulatorProcess, method: str, path: str, token: str = "tenant-a",
         **kwargs: object) -> httpx.Response:
    return httpx.request(method, f"{server.url}{path}", timeout=10,
                         headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_state_survives_sigterm_and_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state" / "emulator.json"
    args = ["--clock", "manual", "--state-file", str(state_file)]
    server = EmulatorProcess(args=args).start()
    try:
        assert call(server, "POST", "/_emulator/seed", json={
            "revyl": {"tests": [NEW_TEST]}, "interactly": {"workflows": [CHAT]}}).is_success
        done = call(server, "POST", "/api/v1/execution/api/execute_test_id_async",
                    json={"test_id": NEW_TEST["id"]}).json()["task_id"]
        call(server, "POST", "/_emulator/clock/run-until-idle")
        pending = call(server, "POST", "/api/v1/execution/api/execute_test_id_async",
                       json={"test_id": LOGIN}).json()["task_id"]
        other = call(server, "POST", "/api/v1/execution/api/execute_test_id_async",
                     token="tenant-b", json={"test_id": LOGIN}).json()["task_id"]
        wid = call(server, "GET", "/v1/workflows").json()["workflows"][0]["_id"]
        run = call(server, "POST", f"/v1/workflows/{wid}/execute",
                   json={"run_input": START}).json()
        clock = call(server, "GET", "/_emulator/clock").json()
    finally:
        server.stop()  # SIGTERM: the lifespan writes the file
    saved = json.loads(state_file.read_text())
    assert saved["schema_version"] == 1 and len(saved["namespaces"]) == 2
    assert not list(state_file.parent.glob(".*.tmp"))  # written through a renamed temp file

    server = EmulatorProcess(args=args).start()
    try:
        status = call(server, "GET", "/api/v1/tests/get_test_execution_task",
                      params={"task_id": done}).json()
        assert status["status"] == "completed"
        assert call(server, "GET", f"/api/v1/tests/get_test_by_id/{NEW_TEST['id']}").is_success
        assert call(server, "GET", "/_emulator/clock").json()["now"] == clock["now"]
        waiting = call(server, "GET", "/api/v1/tests/get_test_execution_task",
                       params={"task_id": pending}).json()
        assert waiting["status"] not in ("completed", "failed")
        call(server, "POST", "/_emulator/clock/run-until-idle")
        finished = call(server, "GET", "/api/v1/tests/get_test_execution_task",
                        params={"task_id": pending}).json()
        assert finished["status"] == "completed"
        assert call(server, "GET", "/api/v1/tests/get_test_execution_task", token="tenant-b",
                    params={"task_id": other}).is_success
        stored = call(server, "GET", f"/v1/workflow-runs/{run['run_id']}")
        assert stored.is_success and run["run_id"] in stored.text
        turn = call(server, "POST", f"/v1/workflows/{wid}/execute", json={
            "run_id": run["run_id"], "run_input": {**START, "command": "data"}})
        assert turn.is_success, turn.text
    finally:
        server.stop()
    # The second run's state (the completed execution) was saved again.
    saved = json.loads(state_file.read_text())
    assert "completed" in json.dumps(saved)
