"""Publishing super nodes and running a workflow that embeds one (spec §4.13, notebook 08)."""

import pytest

from tests.api.test_interactly import START

pytestmark = pytest.mark.anyio
MISSING = "a" * 24
INTERFACE = {"input_fields": [
    {"name": "slot", "description": "When", "value_type": "string", "min_length": 1,
     "mappings": [{"target_type": "dynamic_variable", "target_variable_name": "slot"}]},
    {"name": "tone", "required": False, "default_value": "warm", "value_type": "enum",
     "enum_values": ["warm", "dry"]}]}


def static(lid, text, start=False):
    return {"type": "say_static", "logical_id": lid, "name": lid, "is_start": start,
            "static_messages_config": {"static_messages": [text]}}


def direct(lid, source, destination):
    return {"type": "direct", "logical_id": lid, "source_node_logical_id": source,
            "destination_node_logical_id": destination}


async def create(client, name, nodes, edges):
    body = {"name": name, "workflow_config": {"name": name, "description": f"{name} flow"},
            "node_configs": nodes, "edge_configs": edges, "dynamic_variables": {},
            "runtime_variables": {}}
    response = await client.post("/v1/workflows", json=body)
    assert response.status_code == 200, response.text
    return response.json()["workflow"]["_id"]


async def booking(client):
    return await create(client, "booking", [static("ask", "Booking {{slot}}", True),
                                            static("done", "Booked")],
                        [direct("e1", "ask", "done")])


async def parent(client, sub_id, version=None):
    node = {"type": "super_node", "logical_id": "sn", "name": "Booking",
            "super_workflow_id": sub_id, "field_values": {"slot": "Tuesday"}}
    if version is not None:
        node["super_workflow_version_number"] = version
    return await create(client, "front desk", [static("hi", "Welcome", True), node,
                                               static("bye", "Goodbye")],
                        [direct("p1", "hi", "sn"), direct("p2", "sn", "bye")])


async def test_publish_then_run_a_workflow_embedding_it_by_id(client):
    sub_id = await booking(client)
    published = await client.put(f"/v1/workflows/{sub_id}/super-node-interface",
                                 json={"interface": INTERFACE})
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["workflow_id"] == sub_id and body["workflow_version_number"] == 1
    assert body["num_input_fields"] == 2 and body["message"]
    wf = (await client.get(f"/v1/workflows/{sub_id}")).json()["workflow"]
    assert wf["active_version_number"] == 1

    summaries = (await client.get("/v1/super-nodes")).json()
    assert summaries == [{"workflow_id": sub_id, "workflow_version_number": 1,
                          "name": "booking", "description": "booking flow",
                          "num_input_fields": 2}]
    detail = (await client.get(f"/v1/super-nodes/{sub_id}")).json()
    assert detail["super_node_interface"]["input_fields"][0]["name"] == "slot"
    snapshot = detail["encapsulated_workflow_config"]
    assert [n["logical_id"] for n in snapshot["node_configs"]] == ["ask", "done"]
    assert (await client.get(f"/v1/super-nodes/{sub_id}", params={"version_number": 1})
            ).status_code == 200
    schema = (await client.get(f"/v1/super-nodes/{sub_id}/schema")).json()
    assert schema["required"] == ["slot"]
    assert schema["properties"]["slot"] == {"type": "string", "minLength": 1,
                                            "description": "When"}
    assert schema["properties"]["tone"]["enum"] == ["warm", "dry"]

    parent_id = await parent(client, sub_id)
    reply = (await client.post(f"/v1/workflows/{parent_id}/execute",
                               json={"run_input": START})).json()
    texts = [e["content"] for e in reply["events"] if e["type"] == "assistant_response"]
    assert texts == ["Welcome", "Booking Tuesday", "Booked", "Goodbye"]
    assert reply["status"] == "completed"

    dependents = (await client.get(f"/v1/workflows/{sub_id}/super-node-dependents")).json()
    assert dependents["items"] == [{"workflow_id": parent_id, "name": "front desk",
                                    "description": "front desk flow"}]
    assert dependents["total"] == 1 and dependents["pages"] == 1

    preview = (await client.post(f"/v1/workflows/{parent_id}/expand-preview")).json()
    assert preview["workflow_id"] == parent_id and preview["version_number"] == 0
    assert preview["super_node_origins"] == ["sn"]
    ids = [n["logical_id"] for n in preview["expanded_config"]["node_configs"]]
    assert {"sn/ask", "sn/done"} <= set(ids)
    inlined = next(n for n in preview["expanded_config"]["node_configs"]
                   if n["logical_id"] == "sn/ask")
    assert inlined["super_node_origin"] == "sn" and "_super_node" not in inlined
    report = preview["expansion_report"]
    assert report["super_nodes_found"] == report["super_nodes_expanded"] == 1
    assert report["nodes_before"] == 3 and report["nodes_after"] == 5

    status = (await client.get(f"/v1/workflows/{sub_id}/super-node-snapshot-status")).json()
    assert status["is_published"] and status["snapshot_is_current"]
    assert status["published_versions"][0]["version_number"] == 1
    parent_status = (await client.get(
        f"/v1/workflows/{parent_id}/super-node-snapshot-status")).json()
    assert parent_status["is_published"] is False
    assert parent_status["referenced_super_nodes"][0]["latest_published_version_number"] == 1

    unpublished = (await client.delete(f"/v1/workflows/{sub_id}/super-node-interface",
                                       params={"version_number": 1})).json()
    assert unpublished["workflows_referencing"] == [parent_id]
    assert unpublished["workflow_version_number"] == 1
    assert (await client.get("/v1/super-nodes")).json() == []
    assert (await client.get(f"/v1/super-nodes/{sub_id}")).status_code == 404
    again = await client.delete(f"/v1/workflows/{sub_id}/super-node-interface")
    assert again.status_code == 404


async def test_pinned_version_and_republish(client):
    sub_id = await booking(client)
    for _ in range(2):
        assert (await client.put(f"/v1/workflows/{sub_id}/super-node-interface",
                                 json={"interface": {"field_values": []}})).status_code == 200
    assert [s["workflow_version_number"] for s in
            (await client.get("/v1/super-nodes")).json()] == [1, 2]
    assert (await client.get(f"/v1/super-nodes/{sub_id}")).json()[
        "workflow_version_number"] == 2
    parent_id = await parent(client, sub_id, version=1)
    status = (await client.get(f"/v1/workflows/{parent_id}/super-node-snapshot-status")).json()
    assert status["has_outdated_references"] is True
    reply = (await client.post(f"/v1/workflows/{parent_id}/execute",
                               json={"run_input": START})).json()
    assert reply["status"] == "completed"


async def test_super_node_errors(client):
    sub_id = await booking(client)
    url = f"/v1/workflows/{sub_id}/super-node-interface"
    bad_interfaces = [
        {"input_fields": [{"name": "a"}, {"name": "a"}]},
        {"input_fields": [{"name": "a", "mappings": [{"target_type": "dynamic_variable"}]}]},
        {"input_fields": [{"name": "a", "value_type": "enum"}]},
        {"input_fields": [{"name": "a", "mappings": [{"target_type": "nope"}]}]},
        {"input_fields": "x"}]
    for interface in bad_interfaces:
        assert (await client.put(url, json={"interface": interface})).status_code == 422
    assert (await client.put(url, json={})).status_code == 422
    wrong_target = {"input_fields": [{"name": "a", "mappings": [
        {"target_type": "node_config_field", "target_node_or_edge_logical_id": "ghost",
         "target_field_path": "name"}]}]}
    rejected = await client.put(url, json={"interface": wrong_target})
    assert rejected.status_code == 400 and rejected.json()["message"]
    versions = (await client.get(f"/v1/workflows/{sub_id}/versions")).json()["versions"]
    assert len(versions) == 1  # nothing half-made
    assert (await client.put(f"/v1/workflows/{MISSING}/super-node-interface",
                             json={"interface": {}})).status_code == 404
    assert (await client.put("/v1/workflows/bad/super-node-interface",
                             json={"interface": {}})).status_code == 422
    assert (await client.get(f"/v1/super-nodes/{sub_id}")).status_code == 404
    assert (await client.get(f"/v1/super-nodes/{MISSING}/schema")).status_code == 404
    assert (await client.get(f"/v1/super-nodes/{sub_id}",
                             params={"version_number": -1})).status_code == 422
    for path in ("super-node-dependents", "super-node-snapshot-status"):
        assert (await client.get(f"/v1/workflows/{MISSING}/{path}")).status_code == 404
    assert (await client.post(f"/v1/workflows/{MISSING}/expand-preview")).status_code == 404
    assert (await client.post(f"/v1/workflows/{sub_id}/expand-preview",
                              params={"version_number": 9})).status_code == 404
    assert (await client.delete(f"/v1/workflows/{MISSING}/super-node-interface")
            ).status_code == 404


async def test_expand_preview_reports_unresolved_super_nodes(client):
    parent_id = await parent(client, MISSING)
    preview = (await client.post(f"/workflows/v1/workflows/{parent_id}/expand-preview")).json()
    assert preview["super_node_origins"] == []
    entry = preview["expansion_report"]["super_nodes"][0]
    assert entry["expanded"] is False and entry["reason"]
