"""YAML routes, test creation and the extras around it, through HTTP."""

import pytest

from .conftest import LOGIN, start, status

pytestmark = pytest.mark.anyio

PREFIXES = ["/api/v1/yaml", "/api/v1/tests/yaml"]
YAML = """\
test:
  metadata:
    name: {name}
    platform: android
  build:
    name: acme-shop-android
  blocks:
    - type: instructions
      step_description: Open the cart
    - type: validation
      step_description: The cart is empty
"""


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_validate_yaml_counts_and_messages(emulator_client, prefix):
    good = (await emulator_client.post(f"{prefix}/validate-yaml", json={
        "yaml_content": YAML.format(name="t"), "validation_type": "full_test"})).json()
    assert good == {"is_valid": True, "validation_type": "full_test", "errors": 0,
                    "warnings": 0, "messages": []}
    bad = (await emulator_client.post(f"{prefix}/validate-yaml", json={
        "yaml_content": "test: [oops"})).json()
    assert bad["is_valid"] is False and bad["errors"] == 1
    assert isinstance(bad["errors"], int) and bad["messages"][0]["code"] == "YAML_SYNTAX_ERROR"


@pytest.mark.parametrize("body", [{}, {"yaml_content": 5},
                                  {"yaml_content": "x", "validation_type": "partial"}])
async def test_validate_yaml_malformed_request_is_422(emulator_client, body):
    response = await emulator_client.post("/api/v1/tests/yaml/validate-yaml", json=body)
    assert response.status_code == 422


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_from_yaml_creates_a_runnable_test_and_upserts_by_name(emulator_client, prefix):
    created = (await emulator_client.post(f"{prefix}/from-yaml", json={
        "yaml_content": YAML.format(name="cart")})).json()
    assert created["success"] is True and created["blocks_count"] == 2
    assert len(created["generated_ids"]) == 2
    test_id = created["test_id"]
    task = await start(emulator_client, test_id)
    await emulator_client.post("/_emulator/clock/run-until-idle")
    assert (await status(emulator_client, task))["status"] == "completed"
    again = (await emulator_client.post(f"{prefix}/from-yaml", json={
        "yaml_content": YAML.format(name="cart").replace("Open the cart", "Open the basket")})
    ).json()
    assert again["test_id"] == test_id and again["version"] == 2
    test = (await emulator_client.get(f"/api/v1/tests/get_test_by_id/{test_id}")).json()
    assert test["tasks"][0]["step_description"] == "Open the basket"


async def test_from_yaml_failures_are_200_success_false(emulator_client):
    invalid = (await emulator_client.post("/api/v1/yaml/from-yaml", json={
        "yaml_content": "test: {}"})).json()
    assert invalid["success"] is False and invalid["errors"] and invalid["error"]
    no_app = (await emulator_client.post("/api/v1/yaml/from-yaml", json={
        "yaml_content": YAML.format(name="x").replace("acme-shop-android", "nope")})).json()
    assert no_app["success"] is False and "nope" in no_app["error"]


async def test_from_blocks(emulator_client):
    body = {"blocks": [{"type": "instructions", "step_description": "a"},
                       {"type": "while", "step_description": "more", "children": [
                           {"type": "instructions", "step_description": "b"}]}],
            "metadata": {"name": "from-blocks", "platform": "android",
                         "app_id": "a1000000-0000-4000-8000-000000000001"}}
    created = (await emulator_client.post("/api/v1/tests/yaml/from-blocks", json=body)).json()
    assert created["success"] is True and created["blocks_count"] == 3
    dup = (await emulator_client.post("/api/v1/yaml/from-blocks", json=body)).json()
    assert dup["success"] is False and "already exists" in dup["errors"][0]
    bad = (await emulator_client.post("/api/v1/yaml/from-blocks", json={
        **body, "blocks": [{"type": "teleport"}]})).json()
    assert bad["success"] is False
    assert (await emulator_client.post("/api/v1/yaml/from-blocks", json={"blocks": []})
            ).status_code == 422


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_conversions_round_trip(emulator_client, prefix):
    to_blocks = (await emulator_client.post(f"{prefix}/conversion/yaml-to-blocks", json={
        "yaml_content": YAML.format(name="conv")})).json()
    assert to_blocks["success"] is True
    blocks = to_blocks["converted_content"]
    assert [b["step_type"] for b in blocks] == ["instruction", "validation"]
    assert to_blocks["metadata"]["name"] == "conv"
    to_yaml = (await emulator_client.post(f"{prefix}/conversion/blocks-to-yaml", json={
        "blocks": blocks, "metadata": {"name": "conv", "platform": "android",
                                       "build_name": "acme-shop-android"}})).json()
    assert to_yaml["success"] is True
    assert to_yaml["converted_content"] == YAML.format(name="conv")
    broken = (await emulator_client.post(f"{prefix}/conversion/yaml-to-blocks", json={
        "yaml_content": ":\n  - ["})).json()
    assert broken["success"] is False and broken["errors"]


async def test_cli_create_and_update_with_optimistic_lock(emulator_client):
    created = await emulator_client.post("/api/v1/tests/create", json={
        "name": "cli-made", "platform": "Android",
        "tasks": [{"type": "instructions", "step_description": "Tap"}],
        "app_id": "a1000000-0000-4000-8000-000000000001",
        "org_id": "0a000000-0000-4000-8000-000000000001"})
    assert created.status_code == 200
    test = created.json()
    assert (test["version"], test["platform"]) == (1, "android")
    dup = await emulator_client.post("/api/v1/tests/create", json={
        "name": "cli-made", "platform": "Android", "tasks": [{"type": "instructions",
                                                              "step_description": "x"}]})
    assert dup.status_code == 409
    updated = await emulator_client.put(f"/api/v1/tests/update/{test['id']}", json={
        "tasks": [{"type": "validation", "step_description": "Done"}], "expected_version": 1})
    assert updated.json()["version"] == 2
    stale = await emulator_client.put(f"/api/v1/tests/update/{test['id']}", json={
        "name": "again", "expected_version": 1})
    assert stale.status_code == 409
    assert (await emulator_client.put("/api/v1/tests/update/nope", json={})).status_code == 404
    bad = await emulator_client.post("/api/v1/tests/create", json={
        "name": "x", "platform": "Android", "tasks": [{"type": "bogus"}]})
    assert bad.status_code == 400
    assert (await emulator_client.post("/api/v1/tests/create", json={
        "name": "x", "platform": "web", "tasks": [{"type": "instructions",
                                                   "step_description": "a"}]})
            ).status_code == 400


async def test_extras_tags_variables_scripts_modules(emulator_client):
    assert (await emulator_client.get("/api/v1/tests/scripts", params={"limit": 500})
            ).json() == {"scripts": [], "count": 0}
    assert (await emulator_client.get("/api/v1/modules/list")).json()["result"] == []
    tags = (await emulator_client.get(f"/api/v1/tests/tags/tests/{LOGIN}")).json()
    assert [t["name"] for t in tags] == ["smoke", "auth"]
    synced = (await emulator_client.post(f"/api/v1/tests/tags/tests/{LOGIN}/sync",
                                         json={"tag_names": ["nightly", "nightly"]})).json()
    assert [t["name"] for t in synced["tags"]] == ["nightly"]
    variables = (await emulator_client.get("/api/v1/variables/custom/read_variables",
                                           params={"test_uid": LOGIN})).json()["result"]
    assert {v["variable_name"] for v in variables} == {"email", "password"}
    added = await emulator_client.post("/api/v1/variables/custom/add", json={
        "test_uid": LOGIN, "variable_name": "pin", "variable_value": "1234"})
    assert added.json()["result"]["variable_value"] == "1234"
    assert (await emulator_client.post("/api/v1/variables/custom/add", json={
        "test_uid": LOGIN, "variable_name": "pin"})).status_code == 409
    cleared = await emulator_client.delete("/api/v1/variables/custom/delete_all",
                                           params={"test_uid": LOGIN})
    assert cleared.json()["deleted"] == 3
    target = await emulator_client.patch(f"/api/v1/tests/{LOGIN}/device-target",
                                         json={"device_model": "Pixel 8"})
    assert target.json()["mobile_targets"] == [{"device_model": "Pixel 8"}]
    assert (await emulator_client.get("/api/v1/variables/org_launch_env/test-attachments",
                                      params={"test_id": "nope"})).status_code == 404
