"""Modules and scripts through HTTP, as the CLI 0.1.195 calls them (``revyl module ...``,
``revyl script ...``), and a test that imports a module: validated, stored, run."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import start

pytestmark = pytest.mark.anyio

ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
LOGIN_BLOCKS = [{"type": "instructions", "step_description": "Type {{email}} in Email"},
                {"type": "validation", "step_description": "The home screen shows"}]


async def make_module(client: httpx.AsyncClient, name: str = "login-module",
                      blocks: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/modules/create", json={
        "name": name, "blocks": blocks or LOGIN_BLOCKS, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["message"]
    return body["result"]


async def make_script(client: httpx.AsyncClient, name: str = "check-total",
                      runtime: str = "python") -> dict[str, Any]:
    response = await client.post("/api/v1/tests/scripts", json={
        "name": name, "code": "import os\nos.system('rm -rf /')\n", "runtime": runtime})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_test(client: httpx.AsyncClient, name: str, tasks: list[Any]) -> httpx.Response:
    return await client.post("/api/v1/tests/create", json={
        "name": name, "platform": "android", "tasks": tasks, "app_id": ANDROID_APP})


async def steps_of_a_run(client: httpx.AsyncClient, test_id: str) -> list[str]:
    task = await start(client, test_id)
    await client.post("/_emulator/clock/run-until-idle")
    context = await client.get(f"/api/v1/reports-v3/reports/by-execution/{task}/context",
                               params={"include_steps": "true"})
    return [s["step_description"] for s in context.json()["steps"]]


# ---------------------------------------------------------------------------- modules
async def test_module_create_list_get_update_versions_restore_delete(emulator_client):
    client = emulator_client
    assert (await client.get("/api/v1/modules/list")).json()["result"] == []
    module = await make_module(client, description="Standard login")
    assert (module["name"], module["version"], module["description"]) == (
        "login-module", 1, "Standard login")
    assert [b["step_description"] for b in module["blocks"]] == [
        "Type {{email}} in Email", "The home screen shows"]
    assert module["org_id"] == "0a000000-0000-4000-8000-000000000001"
    listed = (await client.get("/api/v1/modules/list")).json()["result"]
    assert [m["id"] for m in listed] == [module["id"]]
    got = (await client.get(f"/api/v1/modules/{module['id']}")).json()["result"]
    assert got == module

    update = f"/api/v1/modules/update/{module['id']}"
    changed = await client.put(update, json={
        "name": "login", "blocks": [{"type": "instructions", "step_description": "Sign in"}],
        "expected_version": 1})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["result"]["name"], changed.json()["result"]["version"]) == ("login", 2)
    stale = await client.put(update, json={"description": "x", "expected_version": 1})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]

    versions = (await client.get(f"/api/v1/modules/{module['id']}/versions",
                                 params={"limit": 1, "offset": 0})).json()
    assert versions["total"] == 2 and [v["version"] for v in versions["versions"]] == [2]
    first = (await client.get(f"/api/v1/modules/{module['id']}/versions",
                              params={"limit": 50, "offset": 1})).json()["versions"][0]
    assert (first["version"], first["name"], first["module_id"]) == (1, "login-module",
                                                                     module["id"])
    assert first["modified_by_email"] and len(first["blocks"]) == 2

    restored = await client.post(f"/api/v1/modules/{module['id']}/restore", json={"version": 1})
    assert restored.status_code == 200, restored.text
    now = (await client.get(f"/api/v1/modules/{module['id']}")).json()["result"]
    assert (now["name"], now["version"], len(now["blocks"])) == ("login-module", 3, 2)
    assert (await client.post(f"/api/v1/modules/{module['id']}/restore",
                              json={"version": 9})).status_code == 404

    deleted = await client.delete(f"/api/v1/modules/delete/{module['id']}")
    assert deleted.status_code == 200 and "deleted" in deleted.json()["message"]
    assert (await client.get(f"/api/v1/modules/{module['id']}")).status_code == 404
    assert (await client.get("/api/v1/modules/list")).json()["result"] == []


async def test_module_refusals(emulator_client):
    client = emulator_client
    await make_module(client)
    duplicate = await client.post("/api/v1/modules/create",
                                  json={"name": "login-module", "blocks": LOGIN_BLOCKS})
    assert duplicate.status_code == 409
    for blocks in ([], [{"type": "teleport"}],
                   [{"type": "module_import", "module": "login-module"}],
                   [{"type": "code_execution", "script": "no-such-script"}]):
        refused = await client.post("/api/v1/modules/create",
                                    json={"name": "other", "blocks": blocks})
        assert refused.status_code == 400, blocks
    assert (await client.post("/api/v1/modules/create", json={"blocks": LOGIN_BLOCKS})
            ).status_code == 422
    missing = "00000000-0000-4000-8000-00000000beef"
    for method, path, body in (
            ("GET", f"/api/v1/modules/{missing}", None),
            ("PUT", f"/api/v1/modules/update/{missing}", {"name": "x"}),
            ("DELETE", f"/api/v1/modules/delete/{missing}", None),
            ("POST", f"/api/v1/modules/{missing}/restore", {"version": 1}),
            ("GET", f"/api/v1/modules/{missing}/tests", None),
            ("GET", f"/api/v1/modules/{missing}/versions", None)):
        response = await client.request(method, path, json=body)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Module not found"}


async def test_a_test_importing_a_module_validates_runs_and_holds_the_module(emulator_client):
    client = emulator_client
    yaml = ("test:\n  metadata: {name: imports, platform: android}\n"
            "  build: {name: acme-shop-android}\n  variables: {email: a@b.c}\n"
            "  blocks:\n    - type: module_import\n      module: login-module\n"
            "    - type: instructions\n      step_description: Open the cart\n")
    validate = "/api/v1/tests/yaml/validate-yaml"
    unknown = (await client.post(validate, json={"yaml_content": yaml})).json()
    assert unknown["is_valid"] is False
    assert [(m["code"], m["line"]) for m in unknown["messages"]] == [("UNKNOWN_MODULE", 7)]
    module = await make_module(client)
    assert (await client.post(validate, json={"yaml_content": yaml})).json()["is_valid"]

    created = await make_test(client, "imports-login", [
        {"type": "module_import", "module": "login-module", "module_id": module["id"]},
        {"type": "instructions", "step_description": "Open the cart"}])
    assert created.status_code == 200, created.text
    test_id = created.json()["id"]
    assert created.json()["total_steps"] == 3
    stored = (await client.get(f"/api/v1/tests/get_test_by_id/{test_id}")).json()["tasks"]
    assert stored[0]["module_id"] == module["id"]
    assert await steps_of_a_run(client, test_id) == [
        "Type {{email}} in Email", "The home screen shows", "Open the cart"]

    usage = (await client.get(f"/api/v1/modules/{module['id']}/tests")).json()
    assert usage == {"tests": [{"id": test_id, "name": "imports-login"}], "total": 1}
    in_use = await client.delete(f"/api/v1/modules/delete/{module['id']}")
    assert in_use.status_code == 409 and "imports-login" in in_use.json()["detail"]

    # The test follows the module: new blocks are the next run's steps.
    await client.put(f"/api/v1/modules/update/{module['id']}", json={
        "blocks": [{"type": "instructions", "step_description": "Sign in with SSO"}]})
    assert await steps_of_a_run(client, test_id) == ["Sign in with SSO", "Open the cart"]

    by_unknown_id = await make_test(client, "dangling", [
        {"type": "module_import", "module_id": "00000000-0000-4000-8000-00000000beef"}])
    assert by_unknown_id.status_code == 400
    assert "UNKNOWN_MODULE" in str(by_unknown_id.json()["detail"])

    assert (await client.delete(f"/api/v1/tests/delete/{test_id}")).status_code == 200
    assert (await client.get(f"/api/v1/modules/{module['id']}/tests")).json() == {
        "tests": [], "total": 0}
    assert (await client.delete(f"/api/v1/modules/delete/{module['id']}")).status_code == 200


# ---------------------------------------------------------------------------- scripts
async def test_script_create_list_get_update_delete(emulator_client):
    client = emulator_client
    script = await make_script(client)
    assert (script["name"], script["runtime"], script["description"]) == (
        "check-total", "python", None)
    assert script["code"].startswith("import os")  # stored as data, never run
    await make_script(client, "price-check", "javascript")
    listing = (await client.get("/api/v1/tests/scripts", params={"limit": 1})).json()
    assert listing["count"] == 2 and [s["name"] for s in listing["scripts"]] == ["check-total"]
    js = (await client.get("/api/v1/tests/scripts", params={"runtime": "javascript"})).json()
    assert [s["name"] for s in js["scripts"]] == ["price-check"] and js["count"] == 1

    path = f"/api/v1/tests/scripts/{script['id']}"
    assert (await client.get(path)).json() == script
    updated = await client.put(path, json={"name": "total-check", "code": "print(1)",
                                           "description": "Checks the total"})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["code"], updated.json()["description"]) == (
        "total-check", "print(1)", "Checks the total")
    assert (await client.put(path, json={"name": "price-check"})).status_code == 409
    assert (await client.post("/api/v1/tests/scripts", json={
        "name": "total-check", "code": "", "runtime": "bash"})).status_code == 409
    assert (await client.post("/api/v1/tests/scripts", json={
        "name": "ruby", "code": "", "runtime": "ruby"})).status_code == 422

    deleted = await client.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(path)).json() == {"detail": "Script not found"}
    assert (await client.delete(path)).status_code == 404
    assert (await client.get(f"{path}/tests")).status_code == 404


async def test_script_usage_by_tests_and_modules(emulator_client):
    client = emulator_client
    script = await make_script(client)
    unknown = await make_test(client, "runs-a-script", [
        {"type": "code_execution", "script": "check-total-v2"}])
    assert unknown.status_code == 400 and "UNKNOWN_SCRIPT" in str(unknown.json()["detail"])
    created = await make_test(client, "runs-a-script", [
        {"type": "code_execution", "script": "check-total", "variable_name": "total"},
        {"type": "validation", "step_description": "Total is {{total}}"}])
    assert created.status_code == 200, created.text
    module = await make_module(client, "checkout", [
        {"type": "code_execution", "script_id": script["id"]}])

    usage = (await client.get(f"/api/v1/tests/scripts/{script['id']}/tests")).json()
    assert usage == {"tests": [{"id": created.json()["id"], "name": "runs-a-script"}],
                     "modules": [{"id": module["id"], "name": "checkout"}], "total": 2}
    assert (await client.delete(f"/api/v1/tests/scripts/{script['id']}")).status_code == 409
    assert await steps_of_a_run(client, created.json()["id"]) == [
        "Run script 'check-total'", "Total is {{total}}"]

    # A rename follows into the blocks that name the script.
    await client.put(f"/api/v1/tests/scripts/{script['id']}", json={"name": "sum-check"})
    tasks = (await client.get(f"/api/v1/tests/get_test_by_id/{created.json()['id']}")
             ).json()["tasks"]
    assert (tasks[0]["script"], tasks[0]["script_id"]) == ("sum-check", script["id"])
    validate = await client.post("/api/v1/tests/yaml/validate-yaml", json={
        "yaml_content": "- type: code_execution\n  script: sum-check\n",
        "validation_type": "blocks_only"})
    assert validate.json()["is_valid"] is True
