"""Tool registry, bundles and direct execution (spec §4.4, §6.5) and saved LLM configs (§4.5).
Tool code is never executed: results come from scripts or documented stubs."""

import pytest

from emulator.interactly.llm_configs import keep_secrets

pytestmark = pytest.mark.anyio
MISSING = "a" * 24
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
CAPITALS = {"type": "inline_python", "name": "Capital Lookup",
            "signature": "Return the capital city of the given country.",
            "args_schema": {"type": "object", "required": ["country"],
                            "properties": {"country": {"type": "string"}}},
            "code": "def lookup_capital(country):\n    raise SystemExit('never run')\n"}
API = {"type": "external_api", "name": "crm", "api_endpoint": "https://crm.example/{id}",
       "api_method": "GET", "api_headers": {"Authorization": "Bearer s3cret",
                                            "X-Api-Key": "k", "Accept": "application/json"}}
GPT = {"type": "openai_llm", "provider": "openai", "model": "gpt-5.4", "api_key": "sk-secret",
       "temperature": 0.2}


async def _tool(client, config) -> str:
    response = await client.post("/v1/tools", json=config)
    assert response.status_code == 200, response.text
    return response.json()["tool"]["_id"]


async def _script(client, *entries):
    response = await client.post("/_emulator/scripts/interactly/llm",
                                 json={"replies": list(entries)})
    assert response.status_code in (200, 201), response.text


# ------------------------------------------------------------------------------ registry
@pytest.mark.parametrize("prefix", ["/v1", "/workflows/v1"])
async def test_inbuilt_and_configurable_registry(client, prefix):
    inbuilt = (await client.get(f"{prefix}/tools/inbuilt")).json()["inbuilt_tools"]
    assert {"tool_id", "name", "signature", "args_schema", "category"} <= set(inbuilt[0])
    assert "math_add" in {t["tool_id"] for t in inbuilt}
    configurable = (await client.get(f"{prefix}/tools/configurable-inbuilt")).json()[
        "configurable_inbuilt_tools"]
    assert [c["key"] for c in configurable] == ["call_forward"]
    one = (await client.get(f"{prefix}/tools/configurable-inbuilt/call_forward")).json()
    assert one["registry_tool_id"] == "call_forward" and one["title"] == "Call Forward"
    assert "warm_transfer_conversation_workflow_id" in one["config_schema"]["properties"]
    assert (await client.get(f"{prefix}/tools/configurable-inbuilt/nope")).status_code == 404


# ------------------------------------------------------------------------------ export/import
async def test_tool_export_redacts_secrets_and_import_round_trips(client):
    tid = await _tool(client, API)
    bundle = (await client.get(f"/v1/tools/{tid}/export")).json()
    assert bundle["source_tool_id"] == tid and bundle["tool_type"] == "external_api"
    assert bundle["export_format"] == 1 and bundle["source_tool_name"] == "crm"
    assert sorted(bundle["redactions"]) == ["api_headers.Authorization", "api_headers.X-Api-Key"]
    headers = bundle["tool_config"]["api_headers"]
    assert headers["Authorization"] == "" and headers["Accept"] == "application/json"
    assert "s3cret" not in str(bundle)
    imported = await client.post("/v1/tools/import", json={
        "bundle": bundle, "name_override": "crm copy", "clear_unresolved_refs": True,
        "confirm_executable": False,
        "secret_overrides": {"api_headers.Authorization": "Bearer new"}})
    assert imported.status_code == 200, imported.text
    tool = imported.json()["tool"]
    assert tool["_id"] != tid and tool["tool_config"]["name"] == "crm copy"
    assert tool["tool_config"]["api_headers"]["Authorization"] == "Bearer new"
    assert tool["tool_config"]["logical_id"] != bundle["tool_config"]["logical_id"]
    # The original keeps its secret.
    original = (await client.get(f"/v1/tools/{tid}")).json()["tool"]["tool_config"]
    assert original["api_headers"]["Authorization"] == "Bearer s3cret"


async def test_tool_import_rules(client):
    tid = await _tool(client, CAPITALS)
    bundle = (await client.get(f"/v1/tools/{tid}/export")).json()
    assert bundle["redactions"] == [] and bundle["warnings"]
    before = (await client.get("/v1/tools")).json()["total"]
    refused = await client.post("/v1/tools/import", json={"bundle": bundle})
    assert refused.status_code == 400
    assert "confirm_executable" in refused.json()["error"]
    wrong_secret = await client.post("/v1/tools/import", json={
        "bundle": bundle, "confirm_executable": True,
        "secret_overrides": {"api_headers.Authorization": "x"}})
    assert wrong_secret.status_code == 400
    assert (await client.post("/v1/tools/import", json={
        "bundle": {"tool_config": {"type": "magic"}}})).status_code == 400
    assert (await client.post("/v1/tools/import", json={"bundle": {}})).status_code == 400
    assert (await client.post("/v1/tools/import", json={})).status_code == 422
    assert (await client.post("/v1/tools/import", json={
        "bundle": bundle, "name_override": ""})).status_code == 422
    assert (await client.get("/v1/tools")).json()["total"] == before
    accepted = await client.post("/v1/tools/import", json={
        "bundle": bundle, "confirm_executable": True, "name_override": "Imported copy"})
    assert accepted.status_code == 200
    assert accepted.json()["tool"]["tool_config"]["code"] == CAPITALS["code"]
    kb = await _tool(client, {"type": "knowledge_base", "name": "kb",
                              "target_knowledge_base_ids": ["kb_1"]})
    kb_bundle = (await client.get(f"/v1/tools/{kb}/export")).json()
    cleared = (await client.post("/v1/tools/import", json={"bundle": kb_bundle})).json()
    assert cleared["tool"]["tool_config"]["target_knowledge_base_ids"] == []
    kept = (await client.post("/v1/tools/import", json={
        "bundle": kb_bundle, "clear_unresolved_refs": False})).json()
    assert kept["tool"]["tool_config"]["target_knowledge_base_ids"] == ["kb_1"]
    assert (await client.get(f"/v1/tools/{MISSING}/export")).status_code == 404
    assert (await client.get("/v1/tools/bad/export")).status_code == 422


# ------------------------------------------------------------------------------ execute
async def test_execute_saved_inline_python_is_a_dry_run_unless_scripted(client):
    tid = await _tool(client, CAPITALS)
    unscripted = await client.post(f"/v1/tools/{tid}/execute", json={"args": {"country": "Japan"}})
    assert unscripted.status_code == 200
    body = unscripted.json()
    assert body["success"] is True and body["dry_run"] is True and body["latency_ms"] == 0
    assert body["result"]["arguments"] == {"country": "Japan"} and body["error"] is None
    assert set(body) == {"success", "result", "error", "latency_ms", "error_type",
                         "error_code", "dry_run", "side_effect"}
    await _script(client, {"node": "Capital Lookup", "match": "Japan", "tool_result": "Tokyo"},
                  {"node": "Capital Lookup", "fail": "lookup service down"})
    scripted = (await client.post(f"/v1/tools/{tid}/execute",
                                  json={"args": {"country": "Japan"}})).json()
    assert scripted == {**scripted, "success": True, "result": "Tokyo", "dry_run": False}
    failed = await client.post(f"/v1/tools/{tid}/execute", json={"args": {"country": "Peru"}})
    assert failed.status_code == 200
    assert failed.json()["success"] is False and failed.json()["error"] == "lookup service down"
    missing = (await client.post(f"/v1/tools/{tid}/execute", json={})).json()
    assert missing["success"] is False and missing["error_code"] == "missing_arguments"
    assert (await client.post(f"/v1/tools/{MISSING}/execute", json={})).status_code == 404
    assert (await client.post("/v1/tools/xyz/execute", json={})).status_code == 422
    assert (await client.post(f"/v1/tools/{tid}/execute",
                              json={"args": "no"})).status_code == 422


async def test_execute_inline_unresolved_variables_and_stubs(client):
    path = "/v1/tools/execute"
    add = {"type": "inbuilt_function", "name": "Add", "tool_id": "math_add"}
    summed = (await client.post(path, json={"tool_config": add, "args": {"a": 2, "b": 40}})).json()
    assert summed["success"] is True and summed["result"] == 42 and summed["dry_run"] is False
    bad = (await client.post(path, json={"tool_config": add, "args": {"a": "x", "b": 1}})).json()
    assert bad["success"] is False and bad["error_type"] == "validation"
    unknown = (await client.post(path, json={"tool_config": {
        "type": "inbuilt_function", "tool_id": "nope"}})).json()
    assert unknown["success"] is False and unknown["error_code"] == "unknown_tool"
    leftover = (await client.post(path, json={"tool_config": CAPITALS,
                                              "args": {"country": "{{home}} [[where]]"}})).json()
    assert leftover["success"] is False and leftover["error_code"] == "unresolved_variables"
    assert "{{home}}" in leftover["error"] and "[[where]]" in leftover["error"]
    supplied = (await client.post(path, json={
        "tool_config": CAPITALS, "args": {"country": "{{home}}"},
        "dynamic_variables": {"home": "Kenya"}})).json()
    assert supplied["success"] is True and supplied["result"]["arguments"] == {"country": "Kenya"}
    blank = (await client.post(path, json={
        "tool_config": CAPITALS, "args": {"country": "{{home}}"},
        "dynamic_variables": {"home": ""}})).json()
    assert blank["error_code"] == "unresolved_variables"
    api = (await client.post(path, json={"tool_config": API, "args": {"id": 7}})).json()
    assert api["success"] is True and api["dry_run"] is True
    assert api["result"]["request"]["headers"]["Authorization"] == ""
    relative = (await client.post(path, json={"tool_config": {
        **API, "api_endpoint": "{{base}}/x"}})).json()
    assert relative["error_code"] == "unresolved_variables"
    kb = (await client.post(path, json={"tool_config": {"type": "knowledge_base",
                                                        "name": "kb"}})).json()
    assert kb["success"] is True and kb["result"]["documents"] == []
    sms = (await client.post(path, json={"tool_config": {
        "type": "inbuilt_function", "tool_id": "end_call"}})).json()
    assert sms["dry_run"] is True and sms["side_effect"] == "sends"
    assert (await client.post(path, json={"args": {}})).status_code == 422
    assert (await client.post(path, json={"tool_config": {"type": "magic"}})).status_code == 422
    assert (await client.post(path, json={"tool_config": {}})).status_code == 422


async def test_generic_llm_scripts_are_not_used_up_by_tool_calls(client):
    await _script(client, {"reply": "for the workflow"})
    result = (await client.post("/v1/tools/execute", json={
        "tool_config": CAPITALS, "args": {"country": "France"}})).json()
    assert result["dry_run"] is True
    listing = (await client.get("/_emulator/scripts/interactly/llm")).json()
    assert "for the workflow" in str(listing)


# ------------------------------------------------------------------------------ LLM configs
async def test_llm_config_crud_redacts_the_key(client):
    created = await client.post("/v1/llm-configs", json={
        "name": "Primary GPT config", "config": GPT, "description": "d",
        "is_default": True, "override_default": True})
    assert created.status_code == 200, created.text
    doc = created.json()["llm_config"]
    cid = doc["llm_config_id"]
    assert len(cid) == 36 and "id" not in doc and doc["is_default"] is True
    assert doc["config"]["api_key"] is None and doc["config"]["model"] == "gpt-5.4"
    assert "sk-secret" not in created.text
    got = (await client.get(f"/v1/llm-configs/{cid}")).json()["llm_config"]
    assert got["name"] == "Primary GPT config" and got["team_id"] == "emu-team"
    default = (await client.get("/workflows/v1/llm-configs/default")).json()["llm_config"]
    assert default["llm_config_id"] == cid
    updated = await client.patch(f"/v1/llm-configs/{cid}", json={
        "override_default": False, "name": "Primary GPT config (v2)",
        "config": {**GPT, "api_key": None, "temperature": 0.4}})
    assert updated.status_code == 200
    body = updated.json()["llm_config"]
    assert body["name"] == "Primary GPT config (v2)" and body["description"] == "d"
    assert body["config"]["temperature"] == 0.4 and body["config"]["api_key"] is None
    assert keep_secrets(GPT, {**GPT, "api_key": None})["api_key"] == "sk-secret"
    found = (await client.get("/v1/llm-configs", params={"search": "gpt"})).json()
    assert found["total"] == 1 and found["llm_configs"][0]["llm_config_id"] == cid
    assert (await client.delete(f"/v1/llm-configs/{cid}")).status_code == 200
    assert (await client.get(f"/v1/llm-configs/{cid}")).status_code == 404
    assert (await client.get("/v1/llm-configs/default")).status_code == 404


async def test_llm_config_default_and_name_rules(client):
    path = "/v1/llm-configs"
    first = (await client.post(path, json={"name": "a", "config": GPT,
                                           "is_default": True})).json()["llm_config"]
    clash = await client.post(path, json={"name": "b", "config": GPT, "is_default": True})
    assert clash.status_code == 409
    assert (await client.get(path)).json()["total"] == 1  # nothing stored
    dup = await client.post(path, json={"name": "a", "config": GPT})
    assert dup.status_code == 409
    second = (await client.post(path, json={"name": "b", "config": GPT, "is_default": True,
                                            "override_default": True})).json()["llm_config"]
    assert (await client.get(f"{path}/default")).json()["llm_config"]["name"] == "b"
    assert (await client.get(f"{path}/{first['llm_config_id']}")).json()[
        "llm_config"]["is_default"] is False
    refused = await client.patch(f"{path}/{first['llm_config_id']}", json={"is_default": True})
    assert refused.status_code == 409
    taken = await client.patch(f"{path}/{first['llm_config_id']}", json={"name": "b"})
    assert taken.status_code == 409
    moved = await client.patch(f"{path}/{first['llm_config_id']}",
                               json={"is_default": True, "override_default": True})
    assert moved.json()["llm_config"]["is_default"] is True
    assert (await client.get(f"{path}/{second['llm_config_id']}")).json()[
        "llm_config"]["is_default"] is False
    for bad in ({}, {"name": "x"}, {"name": "", "config": GPT}, {"name": "x", "config": 3}):
        assert (await client.post(path, json=bad)).status_code == 422
    assert (await client.patch(f"{path}/{MISSING_UUID}", json={})).status_code == 404
    assert (await client.delete(f"{path}/{MISSING_UUID}")).status_code == 404
    assert (await client.get(f"{path}/not-a-uuid")).status_code == 422
    assert (await client.patch(f"{path}/{second['llm_config_id']}",
                               json={"name": ""})).status_code == 422


async def test_llm_config_test_and_inline_test_are_deterministic(client):
    cid = (await client.post("/v1/llm-configs", json={"name": "t", "config": GPT})).json()[
        "llm_config"]["llm_config_id"]
    body = {"system_prompt": "You are terse.",
            "messages": [{"role": "human", "content": "What is a deductible?"}]}
    first = await client.post(f"/v1/llm-configs/{cid}/test", json=body)
    assert first.status_code == 200, first.text
    result = first.json()
    assert result["success"] is True and "What is a deductible?" in result["response"]
    assert result["provider"] == "openai" and result["model"] == "gpt-5.4"
    assert result["latency_ms"] == 0 and result["prompt_tokens"] == 7
    assert result["total_tokens"] == result["prompt_tokens"] + result["completion_tokens"]
    assert result["winning_member"] is None and result["backchannel_response"] is None
    again = (await client.post(f"/v1/llm-configs/{cid}/test", json=body)).json()
    assert again == result
    inline = await client.post("/v1/llm-configs/test", json={
        "system_prompt": "Be short.", "config": {"type": "anthropic_llm", "model": "claude"},
        "messages": [{"content": "Say hello."}]})
    assert inline.status_code == 200 and inline.json()["provider"] == "anthropic"
    group = (await client.post("/v1/llm-configs/test", json={
        "system_prompt": "x", "config": {"type": "llm_group", "llms": [GPT]}})).json()
    assert group["winning_member"]["model"] == "gpt-5.4" and group["response"]
    assert (await client.post("/v1/llm-configs/test",
                              json={"system_prompt": "x"})).status_code == 422
    assert (await client.post(f"/v1/llm-configs/{cid}/test",
                              json={"system_prompt": ""})).status_code == 422
    assert (await client.post(f"/v1/llm-configs/{cid}/test", json={
        "system_prompt": "x", "messages": [{"role": "human"}]})).status_code == 422
    assert (await client.post(f"/v1/llm-configs/{MISSING_UUID}/test",
                              json={"system_prompt": "x"})).status_code == 404


async def test_llm_config_pagination_walk_over_250(client):
    created = []
    for i in range(250):
        response = await client.post("/v1/llm-configs", json={"name": f"cfg-{i:03d}",
                                                             "config": GPT})
        created.append(response.json()["llm_config"]["llm_config_id"])
    seen: list[str] = []
    page = 1
    while True:
        body = (await client.get("/v1/llm-configs", params={"page": page, "size": 20})).json()
        assert body["total"] == 250 and body["pages"] == 13 and body["page"] == page
        seen += [c["llm_config_id"] for c in body["llm_configs"]]
        if page == body["pages"]:
            assert len(body["llm_configs"]) == 10
            break
        page += 1
    assert seen == created and len(set(seen)) == 250
    assert (await client.get("/v1/llm-configs", params={"size": 0})).status_code == 422


async def test_odd_but_well_typed_inputs_never_500(client):
    """Shapes the typed SDK would never send, but a hand-written request can."""
    odd = [
        ("/v1/tools/execute", {"tool_config": {**CAPITALS, "args_schema": {"required": 5}}}),
        ("/v1/tools/execute", {"tool_config": {**API, "api_headers": ["x"]}}),
        ("/v1/tools/execute", {"tool_config": {"type": "inline_python", "code": 3}}),
        ("/v1/tools/import", {"bundle": {"tool_config": {**API, "integration_auth": "x"},
                                         "redactions": "api_headers.Authorization"},
                              "secret_overrides": {"api_headers.Authorization": "y"}}),
        ("/v1/workflows/import/bundle", {"bundle": {"versions": [{"version_number": 0,
                                                                  "node_configs": [1]}]}}),
        ("/v1/workflows/import/bundle", {"bundle": {"versions": []}}),
        ("/v1/llm-configs/test", {"system_prompt": "x", "config": {"llms": [1, None]}}),
    ]
    for path, body in odd:
        response = await client.post(path, json=body)
        assert response.status_code < 500, (path, response.text)
    refused = await client.post("/v1/tools", json={**API, "integration_auth": "weird"})
    assert refused.status_code == 400, refused.text  # the model types integration_auth
    tid = await _tool(client, {**API, "integration_auth": {"integration_id": "x", "odd": 1}})
    assert (await client.get(f"/v1/tools/{tid}/export")).status_code == 200
    wid = (await client.post("/v1/workflows", json={"name": "w"})).json()["workflow"]["_id"]
    for config in ({"node_configs": [1]}, {"node_configs": "x"}, {"edge_configs": [{}]}):
        response = await client.patch(f"/v1/workflows/{wid}/versions/0/config",
                                      json={"config": config})
        assert response.status_code < 500, response.text


async def test_execute_fills_team_globals_under_supplied_values(client):
    created = await client.post("/v1/global-variables", json={"name": "api_base",
                                                              "value": "https://api.example"})
    assert created.status_code == 200, created.text
    config = {**API, "api_endpoint": "{{api_base}}/{id}", "api_headers": {}}
    filled = (await client.post("/v1/tools/execute", json={"tool_config": config,
                                                           "args": {"id": 1}})).json()
    assert filled["success"] is True
    assert filled["result"]["request"]["url"] == "https://api.example/{id}"
    dotted = {**config, "api_endpoint": "{{global.api_base}}/v2"}
    assert (await client.post("/v1/tools/execute", json={"tool_config": dotted})).json()[
        "result"]["request"]["url"] == "https://api.example/v2"
    blank = (await client.post("/v1/tools/execute", json={
        "tool_config": config, "dynamic_variables": {"api_base": ""}})).json()
    assert blank["success"] is True  # a blank value does not shadow the global
    mine = (await client.post("/v1/tools/execute", json={
        "tool_config": config, "dynamic_variables": {"api_base": "https://mine.example"}})).json()
    assert mine["result"]["request"]["url"] == "https://mine.example/{id}"
