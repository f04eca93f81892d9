"""Simulations: configs, run groups on the namespace clock, executions and the evaluation
summary (spec §4.10, notebook 09)."""

import pytest

from tests.api.conftest import advance

pytestmark = pytest.mark.anyio
MISSING = "a" * 24


async def workflow(client, name):
    """An empty workflow: the emulator's default conversation answers every turn and ends
    after a few user turns, which is enough for two of them to talk."""
    response = await client.post("/v1/workflows", json={"name": name})
    assert response.status_code == 200
    return response.json()["workflow"]["_id"]


async def simulation(client, **extra):
    a, b = await workflow(client, "order bot"), await workflow(client, "customer")
    config = {"name": "Pizza", "description": "A against B",
              "selected_workflow": {"workflow_id": a, "version_number": 0},
              "counter_workflow": {"workflow_id": b, "version_number": 0},
              "assistant_starts_first": True, "number_of_simulations": 2, "max_events": 200,
              "timeout_seconds": 180, **extra}
    response = await client.post("/v1/simulations", json=config)
    assert response.status_code == 200, response.text
    return response.json()["simulation"], a, b


async def test_simulation_runs_to_completion(client):
    sim, a, b = await simulation(client)
    sid = sim["_id"]
    assert sim["status"] == "pending" and sim["simulation_config"]["name"] == "Pizza"
    assert sim["simulation_config"]["selected_workflow"]["name"] == "order bot"
    assert sim["simulation_config"]["logical_id"].startswith("simulation_")

    group = (await client.post(f"/v1/simulations/{sid}/run",
                               json={"runner_name": "notebook-runner"})).json()[
        "simulation_group"]
    gid = group["_id"]
    assert (group["status"], group["total_runs"], group["completed_runs"]) == ("pending", 2, 0)
    assert group["simulation_config_id"] == sid

    await advance(client, 0)
    midway = (await client.get(f"/v1/simulation-runs/{gid}")).json()["simulation_group"]
    assert (midway["status"], midway["completed_runs"]) == ("running", 1)
    assert (await client.get(f"/v1/simulations/{sid}")).json()["simulation"][
        "status"] == "running"
    await advance(client, 5)
    done = (await client.get(f"/v1/simulation-runs/{gid}")).json()["simulation_group"]
    assert (done["status"], done["completed_runs"], done["failed_runs"]) == ("completed", 2, 0)
    assert (await client.get(f"/v1/simulations/{sid}")).json()["simulation"][
        "status"] == "completed"

    executions = (await client.get(f"/v1/simulation-runs/{gid}/executions")).json()
    assert executions["total"] == 2
    first = executions["individual_runs"][0]
    assert first["status"] == "completed" and first["simulation_group_id"] == gid
    selected = (await client.get(f"/v1/workflow-runs/{first['selected_workflow_run_id']}")
                ).json()["workflow_run"]["workflow_run"]
    counter = (await client.get(f"/v1/workflow-runs/{first['counter_workflow_run_id']}")
               ).json()["workflow_run"]["workflow_run"]
    assert selected["workflow_id"] == a and counter["workflow_id"] == b
    assert {selected["status"], counter["status"]} <= {"completed", "cancelled"}
    # B's replies arrive in A's run as user messages.
    user_turns = [e for pair in selected["input_output_pairs"]
                  for e in pair["run_output"]["events"] if e["type"] == "user_messages"]
    assert user_turns

    detailed = (await client.get(f"/v1/simulation-runs/{gid}/executions/detailed")).json()
    row = detailed["individual_runs"][0]
    assert row["run_index"] == 0 and row["selected_workflow_name"] == "order bot"
    assert row["counter_workflow_name"] == "customer"
    assert row["selected_workflow_status"] in ("completed", "cancelled")
    assert [t["speaker"] for t in row["transcript"][:2]] == ["selected", "counter"]

    summary = (await client.get(f"/v1/simulations/{sid}/evaluation-summary",
                                params={"group_id": gid})).json()
    assert summary["simulation_id"] == sid and summary["group_id"] == gid
    side = summary["selected_workflow_summary"]
    assert side["workflow_id"] == a and side["completed_runs"] == 2
    assert side["success_rate"] == 1.0
    assert summary["counter_workflow_summary"]["workflow_id"] == b
    latest = (await client.get(f"/v1/simulations/{sid}/evaluation-summary")).json()
    assert latest == summary

    groups = (await client.get(f"/v1/simulations/{sid}/runs")).json()
    assert groups["total"] == 1 and groups["simulation_groups"][0]["_id"] == gid


async def test_groups_follow_the_same_script(client):
    """Reply texts are seeded per run (each run has its own logical id); who speaks when and
    how long the conversation lasts are fixed."""
    sim, _, _ = await simulation(client, assistant_starts_first=False, number_of_simulations=1)
    transcripts = []
    for _ in range(2):
        gid = (await client.post(f"/v1/simulations/{sim['_id']}/run", json={})).json()[
            "simulation_group"]["_id"]
        await advance(client, 1)
        rows = (await client.get(f"/v1/simulation-runs/{gid}/executions/detailed")).json()
        transcripts.append([t["speaker"] for t in rows["individual_runs"][0]["transcript"]])
    assert transcripts[0] == transcripts[1] and transcripts[0][:2] == ["counter", "selected"]


async def test_stop_cancels_pending_runs(client):
    sim, _, _ = await simulation(client, number_of_simulations=3)
    gid = (await client.post(f"/v1/simulations/{sim['_id']}/run")).json()[
        "simulation_group"]["_id"]
    await advance(client, 0)
    stopped = (await client.post(f"/v1/simulation-runs/{gid}/stop")).json()[
        "simulation_group"]
    assert (stopped["status"], stopped["completed_runs"], stopped["cancelled_runs"]) == (
        "cancelled", 1, 2)
    await advance(client, 10)
    after = (await client.get(f"/v1/simulation-runs/{gid}")).json()["simulation_group"]
    assert after["status"] == "cancelled" and after["completed_runs"] == 1
    statuses = [r["status"] for r in (await client.get(
        f"/v1/simulation-runs/{gid}/executions")).json()["individual_runs"]]
    assert statuses == ["completed", "cancelled", "cancelled"]
    again = (await client.post(f"/v1/simulation-runs/{gid}/stop")).json()
    assert again["simulation_group"]["status"] == "cancelled"


async def test_a_deleted_workflow_fails_the_group(client):
    sim, a, _ = await simulation(client, number_of_simulations=1)
    gid = (await client.post(f"/v1/simulations/{sim['_id']}/run")).json()[
        "simulation_group"]["_id"]
    assert (await client.delete(f"/v1/workflows/{a}")).status_code == 200
    await advance(client, 1)
    group = (await client.get(f"/v1/simulation-runs/{gid}")).json()["simulation_group"]
    assert (group["status"], group["failed_runs"]) == ("failed", 1)
    row = (await client.get(f"/v1/simulation-runs/{gid}/executions")).json()[
        "individual_runs"][0]
    assert row["status"] == "failed" and "not found" in row["error_message"]


async def test_simulation_crud_and_errors(client):
    sim, a, _ = await simulation(client)
    sid = sim["_id"]
    listing = (await client.get("/v1/simulations", params={"search": "pizz"})).json()
    assert listing["total"] == 1 and listing["simulations"][0]["_id"] == sid
    assert (await client.get("/v1/simulations", params={"search": "zzz"})).json()["total"] == 0
    patched = (await client.patch(f"/v1/simulations/{sid}",
                                  json={"description": "new", "status": "completed"})).json()
    assert patched["simulation"]["simulation_config"]["description"] == "new"
    assert patched["simulation"]["status"] == "completed"
    assert (await client.patch(f"/v1/simulations/{sid}", json={"name": "x"})).status_code == 422
    assert (await client.patch(f"/v1/simulations/{sid}", json={"status": "inactive"})
            ).status_code == 422

    side = {"workflow_id": a}
    bad_configs = [{}, {"selected_workflow": side}, {"selected_workflow": {"workflow_id": "x"},
                                                     "counter_workflow": side},
                   {"selected_workflow": side, "counter_workflow": side,
                    "number_of_simulations": 0},
                   {"selected_workflow": side, "counter_workflow": side, "max_events": -1},
                   {"selected_workflow": {"workflow_id": a, "version_number": -1},
                    "counter_workflow": side}]
    for config in bad_configs:
        assert (await client.post("/v1/simulations", json=config)).status_code == 422, config
    assert (await client.post("/v1/simulations", json={
        "selected_workflow": side, "counter_workflow": {"workflow_id": MISSING}})
            ).status_code == 404
    assert (await client.post("/v1/simulations", json={
        "selected_workflow": {"workflow_id": a, "version_number": 7},
        "counter_workflow": side})).status_code == 404
    assert (await client.get("/v1/simulations")).json()["total"] == 1  # nothing half-stored

    assert (await client.get(f"/v1/simulations/{sid}/evaluation-summary")).status_code == 404
    assert (await client.get(f"/v1/simulations/{sid}/evaluation-summary",
                             params={"group_id": "bad"})).status_code == 422
    assert (await client.get(f"/v1/simulations/{sid}/evaluation-summary",
                             params={"group_id": MISSING})).status_code == 404
    assert (await client.post(f"/v1/simulations/{sid}/run",
                              json={"runner_name": 3})).status_code == 422
    for path in (f"/v1/simulations/{MISSING}", f"/v1/simulations/{MISSING}/runs",
                 f"/v1/simulation-runs/{MISSING}", f"/v1/simulation-runs/{MISSING}/executions",
                 f"/v1/simulation-runs/{MISSING}/executions/detailed"):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.post(f"/v1/simulations/{MISSING}/run")).status_code == 404
    assert (await client.post(f"/v1/simulation-runs/{MISSING}/stop")).status_code == 404
    assert (await client.get("/v1/simulations/not-an-id")).status_code == 422
    assert (await client.get("/v1/simulations/schema")).status_code == 200

    gid = (await client.post(f"/v1/simulations/{sid}/run")).json()["simulation_group"]["_id"]
    deleted = await client.delete(f"/v1/simulations/{sid}")
    assert deleted.status_code == 200 and deleted.json()["message"]
    assert (await client.get(f"/v1/simulations/{sid}")).status_code == 404
    assert (await client.get(f"/v1/simulation-runs/{gid}")).status_code == 404
    await advance(client, 5)  # the cancelled group's timer never fires into a deleted config
    assert (await client.delete(f"/v1/simulations/{sid}")).status_code == 404
