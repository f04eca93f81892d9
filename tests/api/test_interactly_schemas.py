"""Schema routes: JSON schemas of the emulator's own config models (spec §4.1, §4.3-§4.6,
§4.10, §4.12), under both mount prefixes, shaped for the SDK's live schema guard."""

import pytest

pytestmark = pytest.mark.anyio

PREFIXES = ["/workflows/v1", "/v1"]


def props(schema: dict) -> dict:
    assert "properties" in schema, schema
    return schema["properties"]


async def get_ok(client, path: str):
    response = await client.get(path)
    assert response.status_code == 200, (path, response.text)
    return response.json()


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_workflow_schema(emulator_client, prefix):
    schema = await get_ok(emulator_client, f"{prefix}/workflows/schema")
    p = props(schema)
    for key in ("logical_id", "name", "llms_config", "tools_config", "nodes", "edges",
                "global_condition_evaluation_method", "miscellaneous", "access_config"):
        assert key in p
    assert p["category"]["default"] == "User Created"
    method = schema["$defs"]["WorkflowGlobalConditionEvaluationMethod"]["enum"]
    assert method == ["tool_call", "independent_llm_evaluations"]
    assert "no_llm" in p["llms_config"]["anyOf"][0]["discriminator"]["mapping"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_global_node_config_schema(emulator_client, prefix):
    schema = await get_ok(emulator_client, f"{prefix}/workflows/schemas/global-node-config")
    assert set(props(schema)) == {"is_global", "condition",
                                  "global_condition_edge_evaluation_method",
                                  "reverse_conditional_edge"}
    assert schema["$defs"]["GlobalConditionEdgeEvaluationMethod"]["enum"] == [
        "workflow_default", "tool_call", "independent_llm_evaluations"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_every_listed_node_type_has_a_schema(emulator_client, prefix):
    listed = (await get_ok(emulator_client, f"{prefix}/nodes/types"))["node_types"]
    assert listed
    for entry in listed:
        node_type = entry["type"]
        body = await get_ok(emulator_client, f"{prefix}/nodes/schema/{node_type}")
        assert set(body) == {"config_schema", "run_input_schema", "run_output_schema"}
        config = props(body["config_schema"])
        assert config["type"]["const"] == node_type
        assert config["type"]["default"] == node_type
        for key in ("logical_id", "name", "is_start", "global_node_config", "disabled"):
            assert key in config, (node_type, key)
        assert config["primary_category"]["default"] == entry["primary_category"] or node_type
        assert "type" in props(body["run_input_schema"])
        out_type = props(body["run_output_schema"])["type"]["const"]
        assert out_type == node_type


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_llm_node_facts(emulator_client, prefix):
    say = (await get_ok(emulator_client, f"{prefix}/nodes/schema/say_llm"))
    worker = (await get_ok(emulator_client, f"{prefix}/nodes/schema/worker_llm"))
    say_p, worker_p = props(say["config_schema"]), props(worker["config_schema"])
    assert say_p["self_loop"]["default"] is True
    assert worker_p["self_loop"]["default"] is False
    for p in (say_p, worker_p):
        assert p["wait_for_user_message"]["default"] is True
        assert p["max_consecutive_tool_calls"]["default"] == 1
        assert p["llms_config"]["default"]["type"] == "global_default_llm"
        assert "structured_output_schema" in p and "use_mcp_tools" in p
    assert props(say["run_input_schema"])["type"]["const"] == "llm"
    assert "structured_output" in props(say["run_output_schema"])
    defs = say["config_schema"]["$defs"]
    assert defs["LLMProvider"]["enum"][0] == "default_provider"
    assert "claude-sonnet-4-6" in defs["ANTHROPICModel"]["enum"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_every_listed_edge_type_has_a_schema(emulator_client, prefix):
    listed = (await get_ok(emulator_client, f"{prefix}/edges/types"))["edge_types"]
    assert set(listed) == {"direct", "conditional", "companion"}
    for edge_type in listed:
        body = await get_ok(emulator_client, f"{prefix}/edges/schema/{edge_type}")
        assert set(body) == {"config_schema", "run_input_schema"}
        config = props(body["config_schema"])
        assert config["type"]["const"] == edge_type
        assert {"source_node_logical_id", "destination_node_logical_id"} <= set(config)
        assert "miscellaneous" in props(body["run_input_schema"])
    conditional = await get_ok(emulator_client, f"{prefix}/edges/schema/conditional")
    assert "condition" in props(conditional["config_schema"])
    defs = conditional["config_schema"]["$defs"]
    assert defs["WaitingEvaluationTriggerMode"]["enum"] == ["on_node_completion",
                                                            "on_every_background_tick"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_every_listed_tool_type_has_a_schema(emulator_client, prefix):
    listed = (await get_ok(emulator_client, f"{prefix}/tools/types"))["tool_types"]
    assert set(listed) == {"inbuilt_function", "inline_python", "external_api", "knowledge_base"}
    for tool_type in listed:
        body = await get_ok(emulator_client, f"{prefix}/tools/schema/{tool_type}")
        assert set(body) == {"config_schema"}
        config = props(body["config_schema"])
        assert config["type"]["const"] == tool_type
        assert "signature" in config and "args_schema" in config
    api = await get_ok(emulator_client, f"{prefix}/tools/schema/external_api")
    assert api["config_schema"]["$defs"]["APIMethodType"]["enum"] == ["GET", "POST", "PUT",
                                                                       "DELETE"]
    kb = props((await get_ok(emulator_client, f"{prefix}/tools/schema/knowledge_base"))
               ["config_schema"])
    assert kb["result_runtime_variable_name"]["default"] == "kb_tool_result"


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("kind", ["nodes", "edges", "tools"])
async def test_unknown_type_is_404(emulator_client, prefix, kind):
    response = await emulator_client.get(f"{prefix}/{kind}/schema/no_such_type")
    assert response.status_code == 404
    assert "no_such_type" in response.json()["detail"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_llm_config_schema(emulator_client, prefix):
    schema = await get_ok(emulator_client, f"{prefix}/schemas/llm-config")
    assert schema["discriminator"]["propertyName"] == "type"
    assert set(schema["discriminator"]["mapping"]) == {
        "azure_openai_llm", "openai_llm", "google_llm", "anthropic_llm", "bedrock_llm",
        "custom_llm", "global_default_llm", "no_llm", "llm_group", "llm_group_with_backchannel"}


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_workflow_run_schemas(emulator_client, prefix):
    body = await get_ok(emulator_client, f"{prefix}/workflow-runs/schema")
    assert set(body) == {"run_schema", "run_input_schema", "run_output_schema",
                         "run_input_output_pair_schema"}
    run = props(body["run_schema"])
    assert run["status"]["default"] == "not_started"
    assert "aborted_looping_risk" in body["run_schema"]["$defs"]["WorkflowStatus"]["enum"]
    run_input = props(body["run_input_schema"])
    assert run_input["command"]["default"] == "start"
    assert "secret_variables" not in run_input  # excluded from serialization
    assert {"thread_to_node_inputs", "dynamic_variables"} <= set(run_input)
    assert set(props(body["run_output_schema"])) == {"events", "thread_to_node_outputs"}
    assert {"run_input", "run_output", "ratings"} <= set(
        props(body["run_input_output_pair_schema"]))


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_catalogue_document_schemas(emulator_client, prefix):
    simulation = props(await get_ok(emulator_client, f"{prefix}/simulations/schema"))
    assert simulation["timeout_seconds"]["default"] == 120
    assert {"selected_workflow", "counter_workflow", "status"} <= set(simulation)
    template = await get_ok(emulator_client, f"{prefix}/templates/schema")
    assert set(props(template)) == {"logical_id", "workflow_id", "access_level", "access_list"}
    assert template["$defs"]["AccessControlLevel"]["enum"] == ["personal", "team", "system"]
    library = props(await get_ok(emulator_client, f"{prefix}/node-libraries/schema"))
    assert {"name", "nodes", "access_level"} <= set(library)


async def test_schemas_are_cached(emulator_client):
    first = await get_ok(emulator_client, "/v1/workflows/schema")
    from emulator.interactly import models

    assert models.document_schema("workflow") is models.document_schema("workflow")
    assert first == await get_ok(emulator_client, "/workflows/v1/workflows/schema")
