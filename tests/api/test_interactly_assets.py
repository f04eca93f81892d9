"""Global variables, templates, categories and node libraries over HTTP, as the SDK calls
them (spec §4.11, §4.12; notebooks 07 and 11)."""

import pytest

from tests.api.test_interactly import START

pytestmark = pytest.mark.anyio
GV = "/v1/global-variables"
MISSING = "a" * 24


async def make_var(client, **body):
    response = await client.post(GV, json={"is_secret": False, **body})
    assert response.status_code == 200, response.text
    return response.json()["variable"]


async def make_workflow(client, message="hi", category=None):
    config = {"name": "greeter", "category": category} if category else {"name": "greeter"}
    body = {"name": "greeter", "workflow_config": config,
            "node_configs": [{"type": "say_static", "logical_id": "node_hi", "name": "Hi",
                              "is_start": True,
                              "static_messages_config": {"static_messages": [message]}}],
            "edge_configs": [], "dynamic_variables": {}, "runtime_variables": {}}
    response = await client.post("/v1/workflows", json=body)
    assert response.status_code == 200, response.text
    return response.json()["workflow"]["_id"]


# ---------------------------------------------------------------------- global variables
async def test_global_variable_crud_masking_and_system_rows(client):
    plain = await make_var(client, name="company_name", value="Interactly",
                           description="brand", category="branding")
    assert plain["_id"] == plain["id"] and plain["is_system"] is False
    assert plain["value"] == "Interactly" and plain["team_id"] == "emu-team"
    secret = await make_var(client, name="partner_api_key", value="sk-1", is_secret=True,
                            category="secrets")
    assert secret["value"] == "********" and secret["is_secret"] is True
    assert (await client.get(f"{GV}/{secret['_id']}")).json()["variable"]["value"] == "********"

    updated = await client.patch(f"{GV}/{plain['_id']}", json={"value": "Interactly AI"})
    assert updated.status_code == 200
    assert updated.json()["variable"]["value"] == "Interactly AI"

    listing = (await client.get(GV, params={"page": 1, "size": 1})).json()
    names = [v["name"] for v in listing["variables"]]
    assert names[:2] == ["interactly_api_base_url", "interactly_api_token"]
    system = listing["variables"][:2]
    assert all(v["is_system"] for v in system) and system[1]["value"] == "********"
    assert listing["total"] == 2 and listing["pages"] == 2 and len(names) == 3
    assert listing["categories"] == ["system", "branding", "secrets"]
    second = (await client.get(GV, params={"page": 2, "size": 1})).json()
    assert [v["name"] for v in second["variables"]] == ["partner_api_key"]
    branding = (await client.get(GV, params={"category": "branding"})).json()
    assert [v["name"] for v in branding["variables"]] == ["company_name"]

    resolved = (await client.get(f"{GV}/resolve")).json()["variables"]
    assert resolved["company_name"] == "Interactly AI" and resolved["partner_api_key"] == "sk-1"
    assert resolved["interactly_api_token"] == "********"
    assert resolved["interactly_api_base_url"].endswith("/workflows")

    for sys_var in system:
        assert (await client.get(f"{GV}/{sys_var['_id']}")).json()["variable"]["is_system"]
        assert (await client.patch(f"{GV}/{sys_var['_id']}", json={"value": "x"})
                ).status_code == 403
        assert (await client.delete(f"{GV}/{sys_var['_id']}")).status_code == 403

    assert (await client.delete(f"{GV}/{plain['_id']}")).status_code == 200
    assert (await client.get(f"{GV}/{plain['_id']}")).status_code == 404


async def test_global_variable_validation_and_conflicts(client):
    await make_var(client, name="support_email", value="help@x")
    assert (await client.post(GV, json={"name": "support_email"})).status_code == 409
    assert (await client.post(GV, json={"name": "interactly_api_token"})).status_code == 409
    for bad in ({"name": "has space"}, {"name": "1st"}, {}, {"name": "ok", "value": 5},
                {"name": "ok", "unknown": 1}):
        assert (await client.post(GV, json=bad)).status_code == 422, bad
    other = await make_var(client, name="other")
    assert (await client.patch(f"{GV}/{other['_id']}", json={"name": "support_email"})
            ).status_code == 409
    assert (await client.patch(f"{GV}/{other['_id']}", json={"name": "bad-name"})
            ).status_code == 422
    assert (await client.get(f"{GV}/{MISSING}")).status_code == 404
    assert (await client.patch(f"{GV}/{MISSING}", json={})).status_code == 404
    assert (await client.delete(f"{GV}/{MISSING}")).status_code == 404
    assert (await client.get(f"{GV}/not-an-id")).status_code == 422
    assert (await client.get(GV)).json()["total"] == 2  # nothing half-stored


async def test_global_variable_bulk_reports_errors_per_item(client):
    await make_var(client, name="taken")
    body = {"variables": [{"name": "support_phone", "value": "+1", "category": "contact"},
                          {"name": "taken"}, {"name": "bad name"}, "junk",
                          {"name": "business_hours", "value": "9-5", "category": "contact"}]}
    result = (await client.post(f"{GV}/bulk", json=body)).json()
    assert [v["name"] for v in result["created"]] == ["support_phone", "business_hours"]
    assert [e["index"] for e in result["errors"]] == [1, 2, 3]
    contact = (await client.get(GV, params={"category": "contact"})).json()
    assert contact["total"] == 2
    assert (await client.post(f"{GV}/bulk", json={"variables": "x"})).status_code == 422
    assert (await client.post(f"{GV}/bulk", json={})).status_code == 422


async def test_globals_resolve_in_runs_by_bare_name_and_global_prefix(client):
    await make_var(client, name="company_name", value="Interactly")
    await make_var(client, name="partner_api_key", value="sk-9", is_secret=True)
    wid = await make_workflow(
        client, "Thanks for calling {{company_name}} / {{global.company_name}} "
                "key={{partner_api_key}}")
    reply = (await client.post(f"/v1/workflows/{wid}/execute",
                               json={"run_input": START})).json()
    texts = [e["content"] for e in reply["events"] if e["type"] == "assistant_response"]
    assert texts == ["Thanks for calling Interactly / Interactly key=sk-9"]


# ---------------------------------------------------------------------- templates
async def test_templates_crud_filter_and_cascade(client):
    wid = await make_workflow(client)
    created = await client.post("/v1/templates", json={"workflow_id": wid,
                                                       "access_level": "team"})
    assert created.status_code == 200, created.text
    template = created.json()["workflow_template"]
    tid = template["_id"]
    config = template["workflow_template_config"]
    assert config["workflow_id"] == wid and config["access_level"] == "team"
    assert config["logical_id"].startswith("workflow_template_")
    assert template["teamId"] == template["team_id"] == "emu-team"
    assert template["createdBy"] == "emu-user" and template["name"] == "greeter"

    listing = (await client.get("/v1/templates", params={"size": 10})).json()
    assert listing["total"] == 1 and listing["workflow_templates"][0]["_id"] == tid
    assert (await client.get("/v1/templates", params={"access_level": "personal"})
            ).json()["total"] == 0
    assert (await client.get("/v1/templates", params={"access_level": "bogus"})
            ).status_code == 422

    patched = await client.patch(f"/v1/templates/{tid}", json={"access_level": "personal"})
    assert patched.json()["workflow_template"]["workflow_template_config"] == {
        **config, "access_level": "personal"}
    assert (await client.patch(f"/v1/templates/{tid}", json={"access_level": "x"})
            ).status_code == 422
    assert (await client.patch(f"/v1/templates/{tid}", json={"workflow_id": MISSING})
            ).status_code == 404
    assert (await client.get(f"/v1/templates/{tid}")).json()["workflow_template"][
        "workflow_template_config"]["access_level"] == "personal"

    # Deleting the workflow takes its templates with it (notebook 11).
    assert (await client.delete(f"/v1/workflows/{wid}")).status_code == 200
    assert (await client.get(f"/v1/templates/{tid}")).status_code == 404
    assert (await client.get("/v1/templates")).json()["total"] == 0


async def test_template_errors(client):
    assert (await client.post("/v1/templates", json={"workflow_id": MISSING})
            ).status_code == 404
    assert (await client.post("/v1/templates", json={})).status_code == 422
    assert (await client.post("/v1/templates", json={"workflow_id": "nope"})).status_code == 422
    wid = await make_workflow(client)
    assert (await client.post("/v1/templates", json={"workflow_id": wid,
                                                     "access_level": "public"})
            ).status_code == 422
    assert (await client.get("/v1/templates")).json()["total"] == 0
    tid = (await client.post("/v1/templates", json={"workflow_id": wid})).json()[
        "workflow_template"]["_id"]
    assert (await client.delete(f"/v1/templates/{tid}")).status_code == 200
    for method in ("get", "delete"):
        assert (await getattr(client, method)(f"/v1/templates/{tid}")).status_code == 404
    assert (await client.patch(f"/v1/templates/{tid}", json={})).status_code == 404
    assert (await client.get("/v1/templates/xyz")).status_code == 422
    assert (await client.get("/v1/templates/schema")).status_code == 200


# ---------------------------------------------------------------------- categories
async def test_categories_are_defaults_then_team_categories(client):
    await make_workflow(client, category="SDK Examples")
    await make_workflow(client, category="Sales")
    categories = (await client.get("/v1/workflow-categories")).json()["categories"]
    assert categories[0] == "Customer Support" and categories[-1] == "SDK Examples"
    assert categories.count("Sales") == 1


# ---------------------------------------------------------------------- node libraries
async def test_node_libraries_crud_as_notebook_11(client):
    config = {"node_type": "say_static_message", "name": "Standard Greeting",
              "description": "Reusable friendly greeting node",
              "static_messages_config": {"static_messages": ["Hi there!"]}}
    created = await client.post("/v1/node-libraries", json=config)
    assert created.status_code == 200, created.text
    library = created.json()["node_library"]
    lid = library["_id"]
    stored = library["node_library_config"]
    assert stored["static_messages_config"] == config["static_messages_config"]
    assert stored["access_level"] == "personal" and stored["logical_id"].startswith(
        "node_library_")
    page = (await client.get("/v1/node-libraries", params={"size": 10, "search": "greet"})
            ).json()
    assert page["total"] == 1 and page["node_libraries"][0]["_id"] == lid
    assert (await client.get("/v1/node-libraries", params={"access_level": "team"})
            ).json()["total"] == 0
    assert (await client.get(f"/v1/node-libraries/{lid}")).json()["node_library"]["_id"] == lid
    updated = (await client.patch(f"/v1/node-libraries/{lid}", json={
        "node_type": "say_static_message", "name": "Standard Greeting v2",
        "static_messages_config": {"static_messages": ["Hello and welcome!"]}})).json()
    new = updated["node_library"]["node_library_config"]
    assert new["name"] == "Standard Greeting v2" and new.get("description") is None
    assert new["logical_id"] == stored["logical_id"]
    assert (await client.delete(f"/v1/node-libraries/{lid}")).status_code == 200
    assert (await client.get(f"/v1/node-libraries/{lid}")).status_code == 404


async def test_node_library_errors(client):
    for bad in ({"name": 5}, {"access_level": "public"}, {"nodes": "n1"}):
        assert (await client.post("/v1/node-libraries", json=bad)).status_code == 422, bad
    assert (await client.post("/v1/node-libraries", json=[1])).status_code == 422
    assert (await client.get("/v1/node-libraries")).json()["total"] == 0
    assert (await client.get(f"/v1/node-libraries/{MISSING}")).status_code == 404
    assert (await client.patch(f"/v1/node-libraries/{MISSING}", json={})).status_code == 404
    assert (await client.delete(f"/v1/node-libraries/{MISSING}")).status_code == 404
    assert (await client.get("/v1/node-libraries/bad")).status_code == 422
    assert (await client.get("/workflows/v1/node-libraries/schema")).status_code == 200
