"""Workflow utilities and version edits (spec §4.1, §4.2): clone, concurrency, export/import,
dynamic variables, favourites, version rename/config/diff and the team-wide active list."""

import copy

import pytest

from tests.api.test_interactly import HYDRATED

pytestmark = pytest.mark.anyio
MISSING = "a" * 24


async def _hydrated(client, **overrides) -> str:
    body = {**copy.deepcopy(HYDRATED), **overrides}
    response = await client.post("/v1/workflows", json=body)
    assert response.status_code == 200, response.text
    return response.json()["workflow"]["_id"]


async def _versions(client, wid) -> list[int]:
    listing = (await client.get(f"/v1/workflows/{wid}/versions")).json()["versions"]
    return [v["version_number"] for v in listing]


async def _graph(client, wid, number=None) -> dict:
    path = f"/v1/workflows/{wid}" if number is None else f"/v1/workflows/{wid}/versions/{number}"
    body = (await client.get(path, params={"fully_hydrate": True})).json()
    doc = body["workflow"] if "workflow" in body else body["version"]
    return doc["workflow_config"]


async def _snapshot(client, wid, name=None, active=False) -> int:
    body = {"mark_as_active": active, **({"version_name": name} if name else {})}
    response = await client.post(f"/v1/workflows/{wid}/versions", json=body)
    return response.json()["version"]["version_number"]


# ------------------------------------------------------------------------------ clone
@pytest.mark.parametrize("prefix", ["/v1", "/workflows/v1"])
async def test_clone_copies_every_version_with_new_ids(client, prefix):
    wid = await _hydrated(client)
    await _snapshot(client, wid, "v1", active=True)
    response = await client.post(f"{prefix}/workflows/{wid}/clone", json={"name": "copy"})
    assert response.status_code == 200, response.text
    clone = response.json()["workflow"]
    assert clone["_id"] != wid and clone["workflow_config"]["name"] == "copy"
    assert clone["active_version_number"] == 1
    assert response.json()["execution_url"].endswith(f"{prefix}/workflows/{clone['_id']}/execute")
    assert await _versions(client, clone["_id"]) == [0, 1]
    original, copied = await _graph(client, wid, 1), await _graph(client, clone["_id"], 1)
    assert [n["logical_id"] for n in copied["node_configs"]] == ["node_hi", "node_bye"]
    assert copied["node_configs"] == [{**n, "workflow_id": clone["_id"]}
                                      for n in original["node_configs"]]
    assert copied["workflow_config"]["logical_id"] != original["workflow_config"]["logical_id"]
    assert set(copied["workflow_config"]["nodes"]).isdisjoint(
        original["workflow_config"]["nodes"])
    # Independent: editing the clone leaves the source alone.
    node_id = copied["workflow_config"]["nodes"][0]
    await client.patch(f"/v1/nodes/{node_id}", json={"name": "Changed"})
    assert (await _graph(client, wid, 1))["node_configs"][0]["name"] == "Greeting"
    default_name = (await client.post(f"/v1/workflows/{wid}/clone", json={})).json()
    assert default_name["workflow"]["workflow_config"]["name"] == "acceptance-typed (copy)"


async def test_clone_subset_falls_back_to_lowest_and_refuses_empty_selection(client):
    wid = await _hydrated(client)
    await _snapshot(client, wid, active=True)
    await _snapshot(client, wid)
    subset = (await client.post(f"/v1/workflows/{wid}/clone", json={
        "name": "v0 only", "version_numbers_to_clone": [0], "clone_all_versions": False})).json()
    assert subset["workflow"]["active_version_number"] == 0
    assert await _versions(client, subset["workflow"]["_id"]) == [0]
    fallback = (await client.post(f"/v1/workflows/{wid}/clone", json={
        "version_numbers_to_clone": [0, 2], "fallback_active_version": 2})).json()
    assert fallback["workflow"]["active_version_number"] == 2
    before = len((await client.get("/v1/workflows")).json()["workflows"])
    none = await client.post(f"/v1/workflows/{wid}/clone", json={"clone_all_versions": False})
    assert none.status_code == 400 and "At least one version" in none.json()["detail"]
    bad_fallback = await client.post(f"/v1/workflows/{wid}/clone", json={
        "version_numbers_to_clone": [0], "fallback_active_version": 2})
    assert bad_fallback.status_code == 400
    unknown = await client.post(f"/v1/workflows/{wid}/clone",
                                json={"version_numbers_to_clone": [7]})
    assert unknown.status_code == 404
    assert len((await client.get("/v1/workflows")).json()["workflows"]) == before
    assert (await client.post(f"/v1/workflows/{wid}/clone",
                              json={"version_numbers_to_clone": [-1]})).status_code == 422
    assert (await client.post(f"/v1/workflows/{MISSING}/clone", json={})).status_code == 404
    assert (await client.post("/v1/workflows/nope/clone", json={})).status_code == 422


async def test_clone_without_version_zero_still_has_a_working_copy(client):
    wid = await _hydrated(client)
    await _snapshot(client, wid, "published", active=True)
    clone = (await client.post(f"/v1/workflows/{wid}/clone",
                               json={"version_numbers_to_clone": [1]})).json()["workflow"]
    assert clone["active_version_number"] == 1
    assert await _versions(client, clone["_id"]) == [0, 1]
    assert len((await _graph(client, clone["_id"], 0))["node_configs"]) == 2


# ------------------------------------------------------------------------------ concurrency
async def test_concurrency_is_stored_and_validated(client):
    wid = await _hydrated(client)
    response = await client.patch(f"/v1/workflows/{wid}/concurrency",
                                  json={"max_concurrent_runs": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["workflow_id"] == wid and body["max_concurrent_runs"] == 5 and body["message"]
    stored = (await client.get(f"/v1/workflows/{wid}")).json()["workflow"]
    assert stored["max_concurrent_runs"] == 5
    for bad in ({}, {"max_concurrent_runs": 0}, {"max_concurrent_runs": "many"}):
        assert (await client.patch(f"/v1/workflows/{wid}/concurrency",
                                   json=bad)).status_code == 422
    assert (await client.patch(f"/v1/workflows/{MISSING}/concurrency",
                               json={"max_concurrent_runs": 1})).status_code == 404


# ------------------------------------------------------------------------------ export/import
async def test_export_import_round_trip_preserves_the_graph(client):
    wid = await _hydrated(client)
    await _snapshot(client, wid, "release", active=True)
    exported = await client.get(f"/v1/workflows/{wid}/export",
                                params={"version_numbers": [0, 1], "active_version_number": 1})
    assert exported.status_code == 200, exported.text
    bundle = exported.json()
    assert {"workflow_config", "node_configs", "edge_configs", "versions"} <= set(bundle)
    assert [v["version_number"] for v in bundle["versions"]] == [0, 1]
    assert bundle["versions"][1]["version_name"] == "release"
    assert all("workflow_id" not in n for n in bundle["node_configs"])
    imported = await client.post("/v1/workflows/import/bundle", json={
        "bundle": bundle, "versions_to_import": [0, 1], "active_version_number": 1,
        "workflow_name": "imported"})
    assert imported.status_code == 200, imported.text
    new = imported.json()["workflow"]
    assert new["_id"] != wid and new["workflow_config"]["name"] == "imported"
    assert new["active_version_number"] == 1
    assert await _versions(client, new["_id"]) == [0, 1]
    for number in (0, 1):
        a, b = await _graph(client, wid, number), await _graph(client, new["_id"], number)
        strip = [{k: v for k, v in n.items() if k != "workflow_id"} for n in a["node_configs"]]
        assert [{k: v for k, v in n.items() if k != "workflow_id"}
                for n in b["node_configs"]] == strip
        assert [e["logical_id"] for e in b["edge_configs"]] == ["edge_1"]
    # Defaults: version 0 only, active 0, the bundle's own name; and the import runs.
    plain = (await client.post("/v1/workflows/import/bundle", json={"bundle": bundle})).json()
    assert plain["workflow"]["active_version_number"] == 0
    assert plain["workflow"]["workflow_config"]["name"] == "acceptance-typed"
    run = await client.post(f"/v1/workflows/{plain['workflow']['_id']}/execute", json={
        "command": "start", "dynamic_variables": {}, "runtime_variables": {},
        "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}})
    assert run.status_code == 200 and "hi Ada" in run.text


async def test_export_and_import_errors(client):
    wid = await _hydrated(client)
    base = f"/v1/workflows/{wid}/export"
    assert (await client.get(base, params={"active_version_number": 0})).status_code == 422
    assert (await client.get(base, params={"version_numbers": [0]})).status_code == 422
    assert (await client.get(base, params={"version_numbers": [0],
                                           "active_version_number": 3})).status_code == 400
    assert (await client.get(base, params={"version_numbers": [0, 3],
                                           "active_version_number": 0})).status_code == 404
    assert (await client.get(f"/v1/workflows/{MISSING}/export", params={
        "version_numbers": [0], "active_version_number": 0})).status_code == 404
    bundle = (await client.get(base, params={"version_numbers": [0],
                                             "active_version_number": 0})).json()
    count = (await client.get("/v1/workflows")).json()["total"]
    imp = "/v1/workflows/import/bundle"
    assert (await client.post(imp, json={})).status_code == 422
    assert (await client.post(imp, json={"bundle": "x"})).status_code == 422
    assert (await client.post(imp, json={"bundle": bundle,
                                         "versions_to_import": [4]})).status_code == 400
    assert (await client.post(imp, json={"bundle": bundle,
                                         "active_version_number": 2})).status_code == 400
    assert (await client.post(imp, json={"bundle": {"versions": [{"version_number": "x"}]}}
                              )).status_code == 400
    broken = copy.deepcopy(bundle)
    broken["versions"][0]["edge_configs"].append({"type": "direct", "logical_id": "e"})
    assert (await client.post(imp, json={"bundle": broken})).status_code == 400
    nameless = {"node_configs": [], "edge_configs": [], "workflow_config": {}}
    assert (await client.post(imp, json={"bundle": nameless})).status_code == 400
    assert (await client.get("/v1/workflows")).json()["total"] == count  # nothing half-stored
    hand_made = await client.post(imp, json={"bundle": nameless, "workflow_name": "hand"})
    assert hand_made.status_code == 200


# ------------------------------------------------------------------------------ variables
async def test_dynamic_variables_lists_used_names_and_defaults(client):
    body = copy.deepcopy(HYDRATED)
    body["node_configs"][1]["static_messages_config"]["static_messages"] = [
        "bye {{ who }}, see you {{date}} about {{topic | upcase}} and [[runtime_only]]"]
    body["edge_configs"][0] = {**body["edge_configs"][0], "type": "conditional",
                               "condition": {"condition_expression": "{{tier}} == 'gold'"}}
    wid = await _hydrated(client, **body)
    response = await client.get(f"/workflows/v1/workflows/dynamic-variables/{wid}")
    assert response.status_code == 200
    found = response.json()
    assert set(found) == {"who", "date", "topic", "tier"}
    assert found["who"]["default_value"] == "Ada" and found["who"]["has_default"] is True
    assert "node:Greeting.static_messages_config.static_messages[0]" in found["who"]["used_in"]
    assert found["date"]["is_builtin"] is True and found["topic"]["has_default"] is False
    assert found["tier"]["used_in"] == ["edge:edge_1.condition.condition_expression"]
    assert (await client.get(f"/v1/workflows/dynamic-variables/{MISSING}")).status_code == 404
    assert (await client.get("/v1/workflows/dynamic-variables/zzz")).status_code == 422
    assert (await client.get(f"/v1/workflows/dynamic-variables/{wid}",
                             params={"version_number": 9})).status_code == 404


# ------------------------------------------------------------------------------ favourites
async def test_favorites_are_per_user_and_filter_active_versions(client):
    liked, other = await _hydrated(client), await _hydrated(client, name="other")
    response = await client.post(f"/v1/workflows/{liked}/favorite")
    assert response.status_code == 200 and response.json()["message"] == "Marked as favorite"
    assert (await client.post(f"/v1/workflows/{liked}/favorite")).status_code == 200  # idempotent
    mine = (await client.get("/v1/workflows/versions/active", params={"favorites": True})).json()
    assert [v["workflow_id"] for v in mine["versions"]] == [liked]
    someone = (await client.get("/v1/workflows/versions/active", params={"favorites": True},
                                headers={"uuid": "someone-else"})).json()
    assert someone["versions"] == [] and someone["total"] == 0
    gone = await client.delete(f"/v1/workflows/{liked}/favorite")
    assert gone.status_code == 200 and gone.json()["message"] == "Unmarked as favorite"
    assert (await client.get("/v1/workflows/versions/active",
                             params={"favorites": True})).json()["total"] == 0
    assert (await client.delete(f"/v1/workflows/{liked}/favorite")).status_code == 200
    assert (await client.post(f"/v1/workflows/{MISSING}/favorite")).status_code == 404
    assert (await client.delete(f"/v1/workflows/{MISSING}/favorite")).status_code == 404
    assert other


# ------------------------------------------------------------------------------ versions
async def test_rename_and_update_version_config(client):
    wid = await _hydrated(client)
    number = await _snapshot(client, wid, "v1")
    renamed = await client.patch(f"/v1/workflows/{wid}/versions/{number}",
                                 json={"version_name": "v1 - renamed"})
    assert renamed.status_code == 200
    assert renamed.json()["version"]["version_name"] == "v1 - renamed"
    listed = (await client.get(f"/v1/workflows/{wid}/versions")).json()["versions"]
    assert listed[1]["version_name"] == "v1 - renamed"
    before = await _graph(client, wid, number)
    # A typed WorkflowConfig dump: empty id lists and a fresh logical id must not wipe anything.
    patched = await client.patch(f"/v1/workflows/{wid}/versions/{number}/config", json={
        "config": {"name": "acceptance-typed", "category": "Sales", "nodes": [], "edges": [],
                   "logical_id": "workflow_new", "default_prompt_prefix": "Be brief."}})
    assert patched.status_code == 200, patched.text
    cfg = patched.json()["version"]["workflow_config"]
    assert cfg["category"] == "Sales" and cfg["default_prompt_prefix"] == "Be brief."
    assert cfg["nodes"] == before["workflow_config"]["nodes"]
    assert cfg["logical_id"] == before["workflow_config"]["logical_id"]
    assert (await _graph(client, wid, 0))["workflow_config"].get("category") is None
    # A hydrated config replaces the graph of that version.
    hydrated = {"workflow_config": {"description": "one node"}, "node_configs": [
        {"type": "say_static", "logical_id": "node_only", "name": "Only", "is_start": True,
         "static_messages_config": {"static_messages": ["only"]}}], "edge_configs": []}
    replaced = await client.patch(f"/v1/workflows/{wid}/versions/{number}/config",
                                  json={"config": hydrated})
    assert replaced.status_code == 200
    graph = await _graph(client, wid, number)
    assert [n["logical_id"] for n in graph["node_configs"]] == ["node_only"]
    assert graph["edge_configs"] == [] and graph["workflow_config"]["description"] == "one node"
    assert len((await _graph(client, wid, 0))["node_configs"]) == 2


async def test_version_edit_errors(client):
    wid = await _hydrated(client)
    path = f"/v1/workflows/{wid}/versions"
    assert (await client.patch(f"{path}/0", json={})).status_code == 422
    assert (await client.patch(f"{path}/0", json={"version_name": ""})).status_code == 422
    assert (await client.patch(f"{path}/5", json={"version_name": "x"})).status_code == 404
    assert (await client.patch(f"{path}/-1", json={"version_name": "x"})).status_code == 422
    assert (await client.patch(f"{path}/0/config", json={})).status_code == 422
    assert (await client.patch(f"{path}/0/config", json={"config": []})).status_code == 422
    assert (await client.patch(f"{path}/5/config", json={"config": {}})).status_code == 404
    assert (await client.patch(f"/v1/workflows/{MISSING}/versions/0",
                               json={"version_name": "x"})).status_code == 404
    bad_graph = {"node_configs": [], "edge_configs": [{
        "type": "direct", "logical_id": "e", "source_node_logical_id": "a"}]}
    response = await client.patch(f"{path}/0/config", json={"config": bad_graph})
    assert response.status_code == 422
    assert len((await _graph(client, wid, 0))["node_configs"]) == 2  # untouched


async def test_diff_reports_added_removed_and_modified(client):
    wid = await _hydrated(client)
    v1 = await _snapshot(client, wid, "before")
    graph = await _graph(client, wid, 0)
    greeting, goodbye = graph["workflow_config"]["nodes"]
    await client.patch(f"/v1/nodes/{greeting}", json={
        "static_messages_config": {"static_messages": ["hello {{who}}"]}})
    await client.delete(f"/v1/nodes/{goodbye}")
    await client.post("/v1/nodes", json={"type": "say_llm", "logical_id": "node_new",
                                         "name": "Helper", "workflow_id": wid,
                                         "main_response_config": {"prompt": "help"}})
    edge_id = graph["workflow_config"]["edges"][0]
    await client.patch(f"/v1/edges/{edge_id}", json={"destination_node_logical_id": "node_new"})
    await client.patch(f"/v1/workflows/{wid}/versions/0/config", json={"config": {
        "description": "changed"}})
    response = await client.get(f"/v1/workflows/{wid}/versions/{v1}/diff/0")
    assert response.status_code == 200, response.text
    diff = response.json()
    assert diff["version1_number"] == v1 and diff["version1_name"] == "before"
    assert diff["version2_number"] == 0 and diff["version2_name"] == "Initial Version"
    status = {n["logical_id"]: n for n in diff["nodes"]}
    assert status["node_hi"]["status"] == "modified"
    assert status["node_hi"]["changes"] == [{
        "path": "static_messages_config.static_messages", "old_value": ["hi {{who}}"],
        "new_value": ["hello {{who}}"]}]
    assert status["node_hi"]["name"] == "Greeting" and status["node_hi"]["node_type"] == (
        "say_static")
    assert status["node_bye"]["status"] == "removed" and status["node_bye"]["changes"] == []
    assert status["node_new"]["status"] == "added" and status["node_new"]["node_type"] == "say_llm"
    assert diff["edges"] == [{"logical_id": "edge_1", "name": None, "edge_type": "direct",
                              "status": "modified", "changes": [{
                                  "path": "destination_node_logical_id",
                                  "old_value": "node_bye", "new_value": "node_new"}]}]
    assert diff["workflow_config_changes"] == [{"path": "description", "old_value": None,
                                                "new_value": "changed"}]
    assert diff["summary"] == {"nodes_added": 1, "nodes_removed": 1, "nodes_modified": 1,
                               "edges_added": 0, "edges_removed": 0, "edges_modified": 1,
                               "workflow_config_changes": 1}
    same = (await client.get(f"/v1/workflows/{wid}/versions/{v1}/diff/{v1}")).json()
    assert same["nodes"] == [] and sum(same["summary"].values()) == 0
    assert (await client.get(f"/v1/workflows/{wid}/versions/{v1}/diff/9")).status_code == 404
    assert (await client.get(f"/v1/workflows/{wid}/versions/x/diff/0")).status_code == 422
    assert (await client.get(f"/v1/workflows/{MISSING}/versions/0/diff/0")).status_code == 404


async def test_active_versions_filters_and_pagination_walk(client):
    ids = []
    for i in range(250):
        config = {"category": "Sales" if i % 2 else "Support"}
        created = await client.post("/v1/workflows", json={"name": f"wf-{i:03d}",
                                                          "config": config},
                                    headers={"uuid": "me" if i < 10 else "other"})
        ids.append(created.json()["workflow"]["_id"])
    await _snapshot(client, ids[3], "live", active=True)
    seen: list[str] = []
    page, pages = 1, None
    while True:
        body = (await client.get("/v1/workflows/versions/active",
                                 params={"page": page, "size": 40})).json()
        assert body["total"] == 250 and body["size"] == 40 and body["page"] == page
        pages = body["pages"]
        seen += [v["workflow_id"] for v in body["versions"]]
        if page >= pages:
            break
        page += 1
    assert pages == 7 and len(body["versions"]) == 10
    assert sorted(seen) == sorted(ids) and len(set(seen)) == 250
    rows = (await client.get("/v1/workflows/versions/active", params={"size": 500})).json()
    live = next(v for v in rows["versions"] if v["workflow_id"] == ids[3])
    assert live["version_number"] == 1 and live["is_active"] is True
    sales = (await client.get("/v1/workflows/versions/active",
                              params={"category": "Sales", "size": 500})).json()
    assert sales["total"] == 125
    both = (await client.get("/v1/workflows/versions/active",
                             params={"categories": ["Sales", "Support"]})).json()
    assert both["total"] == 250
    mine = (await client.get("/v1/workflows/versions/active",
                             params={"created_by_me": True}, headers={"uuid": "me"})).json()
    assert mine["total"] == 10
    logical = (await client.get(f"/v1/workflows/{ids[5]}")).json()["workflow"][
        "workflow_config"]["logical_id"]
    one = (await client.get("/v1/workflows/versions/active",
                            params={"logical_id": logical})).json()
    assert [v["workflow_id"] for v in one["versions"]] == [ids[5]]
    assert (await client.get("/v1/workflows/versions/active",
                             params={"page": 0})).status_code == 422
    beyond = (await client.get("/v1/workflows/versions/active",
                               params={"page": 99, "size": 40})).json()
    assert beyond["versions"] == [] and beyond["total"] == 250


async def test_deleting_version_zero_keeps_the_workflow_readable_by_name(client):
    """Notebook 03 deletes v0 once v1 is active; the workflow's name must still resolve."""
    from emulator.interactly.catalog import Catalog

    catalog = Catalog(lambda: "2026-01-01T00:00:00Z", iter(f"{i:024x}" for i in range(99)
                                                             ).__next__, lambda k: f"{k}_x")
    wf = catalog.create_workflow("named", None, {}, "t", "u")
    catalog.create_version(wf.id, None, True, 0)
    catalog.delete_version(wf.id, 0)
    assert wf.name == "named"
