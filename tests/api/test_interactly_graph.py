"""Node, edge and tool documents and the version lifecycle, by id, as the SDK's resources use
them (spec §4.2-§4.4): read, merge-patch, delete, activate, and the errors on each."""

import pytest

from tests.api.test_interactly import HYDRATED, START

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("plural, kind, config", [
    ("nodes", "node", {"type": "say_static", "name": "Hello", "logical_id": "node_x",
                       "static_messages_config": {"static_messages": ["hi"]}}),
    ("edges", "edge", {"type": "direct", "logical_id": "edge_x", "name": "x",
                       "source_node_logical_id": "a", "destination_node_logical_id": "b"}),
    ("tools", "tool", {"type": "inline_python", "name": "poll", "code": "def poll(): ..."}),
])
async def test_documents_by_id_read_merge_patch_and_delete(client, plural, kind, config):
    wid = (await client.post("/v1/workflows", json={"name": "docs"})).json()["workflow"]["_id"]
    created = (await client.post(f"/v1/{plural}", json={**config, "workflow_id": wid})).json()
    doc_id = created[kind]["_id"]
    got = (await client.get(f"/v1/{plural}/{doc_id}")).json()[kind]
    assert got[f"{kind}_config"]["type"] == config["type"] and got["team_id"] == "emu-team"
    patched = (await client.patch(f"/v1/{plural}/{doc_id}", json={"description": "d"})).json()
    merged = patched[kind][f"{kind}_config"]
    assert merged["description"] == "d" and merged["type"] == config["type"]  # merged, kept
    listing = (await client.get(f"/v1/{plural}", params={"type": config["type"]})).json()
    assert [d["_id"] for d in listing[plural]] == [doc_id]
    types = (await client.get(f"/v1/{plural}/types")).json()
    assert types[f"{kind}_types"]
    assert (await client.delete(f"/v1/{plural}/{doc_id}")).status_code == 200
    assert (await client.get(f"/v1/{plural}/{doc_id}")).status_code == 404
    assert (await client.patch(f"/v1/{plural}/{doc_id}", json={})).status_code == 404
    assert (await client.get(f"/v1/{plural}/not-an-id")).status_code == 422


async def test_version_lifecycle_activate_read_delete(client):
    wid = (await client.post("/v1/workflows", json=HYDRATED)).json()["workflow"]["_id"]
    await client.post(f"/v1/workflows/{wid}/versions", json={"mark_as_active": False,
                                                            "version_name": "first"})
    one = (await client.get(f"/v1/workflows/{wid}/versions/1")).json()["version"]
    assert one["version_name"] == "first" and one["is_active"] is False
    hydrated = (await client.get(f"/v1/workflows/{wid}/versions/1",
                                 params={"fully_hydrate": True})).json()["version"]
    assert [n["logical_id"] for n in hydrated["workflow_config"]["node_configs"]] == [
        "node_hi", "node_bye"]
    active = (await client.post(f"/v1/workflows/{wid}/versions/1/activate")).json()
    assert active["workflow"]["active_version_number"] == 1
    run = (await client.post(f"/v1/workflows/{wid}/execute", json={"run_input": START})).json()
    stored = (await client.get(f"/v1/workflow-runs/{run['run_id']}")).json()
    assert stored["workflow_run"]["workflow_run"]["version_number"] == 1
    refused = await client.delete(f"/v1/workflows/{wid}/versions/1")  # the active one
    assert refused.status_code in (400, 409)
    assert (await client.post(f"/v1/workflows/{wid}/versions/0/activate")).status_code == 200
    assert (await client.delete(f"/v1/workflows/{wid}/versions/1")).status_code == 200
    assert (await client.get(f"/v1/workflows/{wid}/versions/1")).status_code == 404
    assert (await client.post(f"/v1/workflows/{wid}/versions/9/activate")).status_code == 404
    assert (await client.delete(f"/v1/workflow-runs/{run['run_id']}")).status_code == 200
    assert (await client.get(f"/v1/workflow-runs/{run['run_id']}")).status_code == 404
    assert (await client.delete(f"/v1/workflow-runs/{run['run_id']}")).status_code == 404
