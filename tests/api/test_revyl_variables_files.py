"""Variables (per-test, global, launch), StoreKit refs, org files and the account-level routes
over HTTP, as the CLI 0.1.195 calls them; and their use by runs (substitution, launch env)."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import LOGIN, ONBOARDING_IOS, start, status

CUSTOM = "/api/v1/variables/custom"
GLOBAL = "/api/v1/variables/global"
LAUNCH = "/api/v1/variables/org_launch_env"
ATTACH = f"{LAUNCH}/test-attachments"
STOREKIT = "/api/v1/variables/ios_storekit/refs"
FILES = "/api/v1/files"
SMOKE = "f1000000-0000-4000-8000-000000000001"
IOS_APP = "a1000000-0000-4000-8000-000000000002"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"


async def variables(c: httpx.AsyncClient, test_id: str = LOGIN) -> dict[str, dict[str, Any]]:
    response = await c.get(f"{CUSTOM}/read_variables", params={"test_uid": test_id})
    assert response.status_code == 200, response.text
    return {v["variable_name"]: v for v in response.json()["result"]}


async def finish(c: httpx.AsyncClient) -> None:
    assert (await c.post("/_emulator/clock/run-until-idle")).status_code == 200


# ---------------------------------------------------------------------------- custom variables
async def test_custom_variables_crud_with_stable_ids(emulator_client):
    c = emulator_client
    before = await variables(c)
    assert {k: v["variable_value"] for k, v in before.items()} == {
        "email": "qa@acme.example", "password": "hunter2"}
    added = await c.post(f"{CUSTOM}/add", json={"test_uid": LOGIN, "variable_name": "otp-code"})
    assert added.status_code == 200 and added.json()["result"]["variable_value"] == ""
    pin_id = added.json()["result"]["id"]
    assert (await c.post(f"{CUSTOM}/add", json={
        "test_uid": LOGIN, "variable_name": "otp-code"})).status_code == 409
    assert (await c.post(f"{CUSTOM}/add", json={
        "test_uid": LOGIN, "variable_name": "bad name"})).status_code == 400
    assert (await c.post(f"{CUSTOM}/add", json={"test_uid": LOGIN})).status_code == 422
    assert (await c.post(f"{CUSTOM}/add", json={
        "test_uid": "nope", "variable_name": "x"})).status_code == 404

    exists = await c.get(f"{CUSTOM}/check_exists",
                         params={"test_id": LOGIN, "variable_name": "email"})
    assert exists.json() == {"exists": True, "variable_name": "email",
                             "variable_value": "qa@acme.example"}
    assert (await c.get(f"{CUSTOM}/check_exists", params={
        "test_id": LOGIN, "variable_name": "zzz"})).json() == {"exists": False}

    updated = await c.put(f"{CUSTOM}/update_value", json={
        "test_uid": LOGIN, "variable_id": pin_id, "new_value": "123456"})
    assert updated.json()["result"]["variable_value"] == "123456"
    renamed = await c.put(f"{CUSTOM}/update/{pin_id}", json={
        "test_uid": LOGIN, "variable_name": "otp"})
    assert renamed.status_code == 200, renamed.text
    after = await variables(c)
    assert list(after) == ["email", "password", "otp"]
    assert (after["otp"]["id"], after["otp"]["variable_value"]) == (pin_id, "123456")
    assert (await c.put(f"{CUSTOM}/update/{pin_id}", json={
        "test_uid": LOGIN, "variable_name": "email"})).status_code == 409
    assert (await c.put(f"{CUSTOM}/update/nope", json={
        "test_uid": LOGIN, "variable_name": "x"})).status_code == 404
    # The old name is free again, and gets an id of its own.
    again = await c.post(f"{CUSTOM}/add", json={"test_uid": LOGIN, "variable_name": "otp-code"})
    assert again.json()["result"]["id"] not in (pin_id, before["email"]["id"])

    deleted = await c.delete(f"{CUSTOM}/delete", params={"test_uid": LOGIN,
                                                          "variable_name": "otp"})
    assert deleted.status_code == 200 and "otp" not in await variables(c)
    assert (await c.delete(f"{CUSTOM}/delete", params={
        "test_uid": LOGIN, "variable_name": "otp"})).status_code == 404
    cleared = await c.delete(f"{CUSTOM}/delete_all", params={"test_uid": LOGIN})
    assert cleared.json()["deleted"] == 3 and await variables(c) == {}


# ---------------------------------------------------------------------------- global variables
async def test_global_variables_secrets_and_conflicts(emulator_client):
    c = emulator_client
    assert (await c.get(GLOBAL)).json() == {"message": "Global variables retrieved",
                                            "result": []}
    plain = (await c.post(GLOBAL, json={"variable_name": "region",
                                        "variable_value": "eu"})).json()["result"]
    secret = (await c.post(GLOBAL, json={"variable_name": "api-token", "variable_value": "t0k",
                                         "is_secret": True})).json()["result"]
    assert (plain["variable_value"], plain["is_secret"], plain["has_secret_value"]) == \
        ("eu", False, False)
    assert (secret["variable_value"], secret["is_secret"], secret["has_secret_value"]) == \
        (None, True, True)
    assert secret["org_id"] == "0a000000-0000-4000-8000-000000000001"
    assert (await c.post(GLOBAL, json={"variable_name": "region"})).status_code == 409
    listed = (await c.get(GLOBAL)).json()["result"]
    assert [(g["variable_name"], g["variable_value"]) for g in listed] == [
        ("region", "eu"), ("api-token", None)]

    moved = await c.put(f"{GLOBAL}/{plain['id']}", json={"variable_name": "home-region",
                                                         "variable_value": "us"})
    assert moved.json()["result"]["variable_value"] == "us"
    kept = await c.put(f"{GLOBAL}/{secret['id']}", json={"variable_name": "api-token"})
    assert kept.json()["result"]["has_secret_value"] is True  # value kept when omitted
    assert (await c.put(f"{GLOBAL}/{secret['id']}", json={
        "variable_name": "home-region"})).status_code == 409
    assert (await c.put(f"{GLOBAL}/nope", json={"variable_name": "x"})).status_code == 404
    assert (await c.delete(f"{GLOBAL}/{plain['id']}")).status_code == 200
    assert (await c.delete(f"{GLOBAL}/{plain['id']}")).status_code == 404
    assert [g["variable_name"] for g in (await c.get(GLOBAL)).json()["result"]] == ["api-token"]


# ---------------------------------------------------------------------------- launch variables
async def test_launch_variables_attachments_and_delete_detaches(emulator_client):
    c = emulator_client
    api = (await c.post(LAUNCH, json={"key": "API_URL", "value": "https://staging.example",
                                      "description": "Backend"})).json()["result"]
    token = (await c.post(LAUNCH, json={"key": "TOKEN", "value": "x",
                                        "is_secret": True})).json()["result"]
    assert (api["kind"], api["value"], api["has_value"], api["attached_test_count"]) == \
        ("key_value", "https://staging.example", True, 0)
    assert (token["value"], token["is_secret"], token["has_value"]) == ("", True, True)
    assert (await c.post(LAUNCH, json={"key": "API_URL", "value": "y"})).status_code == 409
    assert (await c.post(LAUNCH, json={"key": "BAD KEY", "value": "y"})).status_code == 400

    attached = await c.put(ATTACH, json={"test_id": LOGIN,
                                         "env_var_ids": [api["id"], token["id"], api["id"]]})
    assert [v["key"] for v in attached.json()["result"]] == ["API_URL", "TOKEN"]
    await c.put(ATTACH, json={"test_id": ONBOARDING_IOS, "env_var_ids": [api["id"]]})
    listed = {v["key"]: v for v in (await c.get(LAUNCH)).json()["result"]}
    assert listed["API_URL"]["attached_test_count"] == 2
    assert (await c.put(ATTACH, json={"test_id": LOGIN, "env_var_ids": ["nope"]})
            ).status_code == 409

    updated = await c.put(f"{LAUNCH}/{api['id']}", json={"key": "API_BASE_URL",
                                                         "description": ""})
    assert updated.json()["result"]["key"] == "API_BASE_URL"
    assert "description" not in updated.json()["result"]
    assert (await c.put(f"{LAUNCH}/{api['id']}", json={"key": "TOKEN"})).status_code == 409
    deleted = await c.delete(f"{LAUNCH}/{api['id']}")
    assert deleted.json()["detached_test_count"] == 2
    assert [v["key"] for v in (await c.get(ATTACH, params={"test_id": LOGIN})).json()[
        "result"]] == ["TOKEN"]
    assert (await c.delete(f"{LAUNCH}/{api['id']}")).status_code == 404
    assert (await c.get(ATTACH, params={"test_id": "nope"})).status_code == 404


# ---------------------------------------------------------------------------- use by runs
async def test_runs_substitute_variables_with_precedence(emulator_client):
    c = emulator_client
    await c.post(GLOBAL, json={"variable_name": "email", "variable_value": "global@x"})
    await c.post(GLOBAL, json={"variable_name": "pin", "variable_value": "0000",
                               "is_secret": True})
    task = await start(c, LOGIN)  # test variables win over globals of the same name
    await c.post("/_emulator/clock/advance", json={"seconds": 3 + 6.5})
    assert (await status(c, task))["current_step"] == \
        "Type qa@acme.example into the email field and hunter2 into the password field"
    overridden = await start(c, LOGIN, variable_overrides={"email": "run@x"})
    await c.delete(f"{CUSTOM}/delete_all", params={"test_uid": LOGIN})
    fallback = await start(c, LOGIN)  # no test variables: the global, or the placeholder
    await finish(c)

    async def step(task_id: str, index: int) -> str:
        url = f"/api/v1/reports-v3/reports/by-execution/{task_id}/context"
        body = (await c.get(url, params={"include_steps": "true"})).json()
        assert "launch_env_var_ids" not in body  # no launch variables: no launch fields
        text: str = body["steps"][index]["step_description"]
        return text

    assert (await step(overridden, 2)).startswith("Type run@x into the email field and hunter2")
    assert (await step(fallback, 2)) == \
        "Type global@x into the email field and {{password}} into the password field"

    created = await c.post("/api/v1/tests/create", json={
        "name": "pin-entry", "platform": "android", "app_id": ANDROID_APP,
        "tasks": [{"type": "instructions", "step_description": "Enter {{global.pin}}"}]})
    assert created.status_code == 200, created.text
    secret = await start(c, created.json()["id"])
    await finish(c)
    assert await step(secret, 0) == "Enter ********"  # a secret is never shown


async def test_workflow_children_read_the_workflow_runs_settings(emulator_client):
    c = emulator_client
    api = (await c.post(LAUNCH, json={"key": "API_URL", "value": "u"})).json()["result"]
    run = await c.post("/api/v1/workflow-executions", json={
        "workflow_id": SMOKE, "variable_overrides": {"password": "from-workflow"},
        "launch_env_var_ids": [api["id"]]})
    assert run.status_code == 200, run.text
    await finish(c)
    wf = (await c.get(f"/api/v1/workflows/status/{run.json()['task_id']}")).json()
    child = next(t for t in wf["child_tasks"] if t["test_id"] == LOGIN)["id"]
    body = (await c.get(f"/api/v1/reports-v3/reports/by-execution/{child}/context",
                        params={"include_steps": "true"})).json()
    assert "from-workflow" in body["steps"][2]["step_description"]
    assert body["launch_env_var_keys"] == ["API_URL"]


async def test_launch_env_of_a_run_is_in_its_report_context(emulator_client):
    c = emulator_client
    api = (await c.post(LAUNCH, json={"key": "API_URL", "value": "https://s"})).json()["result"]
    secret = (await c.post(LAUNCH, json={"key": "TOKEN", "value": "t",
                                         "is_secret": True})).json()["result"]
    debug = (await c.post(LAUNCH, json={"key": "DEBUG", "value": "0"})).json()["result"]
    await c.put(ATTACH, json={"test_id": LOGIN, "env_var_ids": [api["id"], secret["id"]]})
    task = await start(c, LOGIN, launch_env_var_ids=[debug["id"]],
                       launch_env_vars={"DEBUG": "1", "EXTRA": "yes"})
    await c.delete(f"{LAUNCH}/{api['id']}")  # after the start: the run keeps what it had
    body = (await c.get(f"/api/v1/reports-v3/reports/by-execution/{task}/context")).json()
    assert body["launch_env_var_ids"] == [api["id"], secret["id"], debug["id"]]
    assert body["launch_env_var_keys"] == ["API_URL", "TOKEN", "DEBUG", "EXTRA"]
    assert [(v["value"], v["overridden"]) for v in body["launch_env_var_snapshot"]] == [
        ("https://s", False), (None, False), ("1", True), ("yes", False)]
    by_session = await c.get(f"/api/v1/reports-v3/reports/by-session/{task}/context")
    assert by_session.json() == body
    assert (await c.get("/api/v1/reports-v3/reports/by-session/nope/context")
            ).status_code == 404


# ---------------------------------------------------------------------------- org files
async def upload(c: httpx.AsyncClient, name: str, data: bytes, **extra: Any) -> dict[str, Any]:
    ticket = (await c.post(f"{FILES}/upload-url", json={
        "filename": name, "file_size": len(data), **extra})).json()
    put = await c.put(ticket["upload_url"], content=data,
                      headers={"Content-Type": ticket["content_type"]})
    assert put.status_code == 200, put.text
    done = await c.post(f"{FILES}/{ticket['file']['id']}/complete-upload", json={})
    assert done.status_code == 200, done.text
    result: dict[str, Any] = done.json()
    return result


async def test_org_files_upload_list_download_edit_replace_delete(emulator_client):
    c = emulator_client
    assert (await c.get(f"{FILES}/")).json() == {"files": [], "count": 0}
    pending = (await c.post(f"{FILES}/upload-url", json={
        "filename": "cert.pem", "file_size": 5, "display_name": "Staging cert.pem",
        "description": "TLS", "content_type": "application/x-pem-file"})).json()
    assert pending["file"]["status"] == "pending" and pending["expires_in"] == 3600
    assert pending["upload_url"].startswith("http") and "/_emulator/uploads/" in \
        pending["upload_url"] and pending["content_type"] == "application/x-pem-file"
    assert (await c.get(FILES)).json()["count"] == 0  # listed once completed
    assert (await c.post(f"{FILES}/{pending['file']['id']}/complete-upload", json={})
            ).status_code == 400  # nothing PUT yet
    await c.put(pending["upload_url"], content=b"-----")
    done = (await c.post(f"{FILES}/{pending['file']['id']}/complete-upload", json={})).json()
    assert (done["filename"], done["file_size"], done["description"], done["status"]) == \
        ("Staging cert.pem", 5, "TLS", "uploaded")
    other = await upload(c, "config.json", b'{"a": 1}')
    page = (await c.get(f"{FILES}/", params={"limit": 1, "offset": 1})).json()
    assert page["count"] == 2 and [f["id"] for f in page["files"]] == [other["id"]]

    link = (await c.get(f"{FILES}/{done['id']}/download-url")).json()
    assert link["filename"] == "Staging cert.pem"
    got = await c.get(link["url"])
    assert got.content == b"-----" and "attachment" in got.headers["content-disposition"]

    edited = await c.put(f"{FILES}/{done['id']}", json={"filename": "prod.pem",
                                                        "description": ""})
    assert edited.json()["filename"] == "prod.pem" and "description" not in edited.json()
    assert (await c.put(f"{FILES}/{done['id']}", json={"filename": "prod.txt"})
            ).status_code == 400  # the extension stays

    ticket = (await c.put(f"{FILES}/{done['id']}/replace-url", json={
        "filename": "new.pem", "file_size": 3, "display_name": "rotated.pem"})).json()
    assert ticket["file"]["id"] == done["id"] and ticket["s3_key"]
    assert (await c.get(link["url"])).content == b"-----"  # old bytes until complete
    await c.put(ticket["upload_url"], content=b"new")
    replaced = (await c.post(f"{FILES}/{done['id']}/complete-upload", json={
        "s3_key": ticket["s3_key"], "filename": "rotated.pem", "file_size": 3})).json()
    assert (replaced["id"], replaced["filename"], replaced["file_size"]) == \
        (done["id"], "rotated.pem", 3)
    assert (await c.get(link["url"])).content == b"new"

    gone = await c.delete(f"{FILES}/{done['id']}")
    assert gone.status_code == 204 and gone.content == b""
    assert (await c.get(f"{FILES}/{done['id']}/download-url")).status_code == 404
    assert (await c.get(link["url"])).status_code == 404
    assert (await c.delete(f"{FILES}/{done['id']}")).status_code == 404
    assert (await c.get(FILES)).json()["count"] == 1


async def test_org_file_upload_refusals(emulator_client):
    c = emulator_client
    assert (await c.post(f"{FILES}/upload-url", json={
        "filename": "virus.exe", "file_size": 1})).status_code == 400
    assert (await c.post(f"{FILES}/upload-url", json={
        "filename": "big.txt", "file_size": 51 * 1024 * 1024})).status_code == 413
    assert (await c.post(f"{FILES}/upload-url", json={"filename": "x.txt"})).status_code == 422
    ticket = (await c.post(f"{FILES}/upload-url", json={
        "filename": "a.txt", "file_size": 10})).json()
    await c.put(ticket["upload_url"], content=b"short")
    assert (await c.post(f"{FILES}/{ticket['file']['id']}/complete-upload", json={})
            ).status_code == 400  # 5 bytes, not the 10 announced
    late = (await c.post(f"{FILES}/upload-url", json={"filename": "b.txt",
                                                       "file_size": 1})).json()
    await c.post("/_emulator/clock/advance", json={"seconds": 3601})
    assert (await c.put(late["upload_url"], content=b"x")).status_code == 403
    unknown = ticket["upload_url"].rsplit("/", 1)[0] + "/nope"
    assert (await c.put(unknown, content=b"x")).status_code == 404
    assert (await c.post(f"{FILES}/nope/complete-upload", json={})).status_code == 404


async def test_storekit_refs_point_at_org_files(emulator_client):
    c = emulator_client
    config = await upload(c, "Premium.storekit", b"{}")
    params = {"scope_type": "app", "scope_id": IOS_APP}
    assert (await c.get(STOREKIT, params=params)).json()["result"] is None
    saved = await c.put(STOREKIT, json={**params, "mode": "file", "file_id": config["id"]})
    assert saved.json()["result"]["filename"] == "Premium.storekit"
    assert saved.json()["result"]["file_size"] == 2
    shown = (await c.get(STOREKIT, params=params)).json()["result"]
    assert (shown["mode"], shown["file_id"]) == ("file", config["id"])
    disabled = await c.put(STOREKIT, json={**params, "mode": "disabled", "file_id": None})
    assert disabled.json()["result"]["id"] == shown["id"]
    assert disabled.json()["result"]["file_id"] is None
    assert (await c.put(STOREKIT, json={**params, "mode": "file", "file_id": "nope"})
            ).status_code == 404
    assert (await c.put(STOREKIT, json={**params, "mode": "file"})).status_code == 400
    assert (await c.put(STOREKIT, json={"scope_type": "test", "scope_id": "nope",
                                        "mode": "disabled"})).status_code == 404
    assert (await c.get(STOREKIT, params={"scope_type": "org", "scope_id": "x"})
            ).status_code == 400
    cleared = await c.delete(STOREKIT, params=params)
    assert cleared.status_code == 204
    assert (await c.get(STOREKIT, params=params)).json()["result"] is None


# ---------------------------------------------------------------------------- account
async def test_billing_plan_and_dashboard_metrics_follow_the_state(emulator_client):
    c = emulator_client
    plan = (await c.get("/api/v1/execution/billing/plan")).json()
    assert plan["billing_exempt"] is True and plan["monthly_base"] == 0.0
    metrics = (await c.get("/api/v1/entity/users/get_dashboard_metrics")).json()
    assert (metrics["total_tests"], metrics["total_workflows"], metrics["test_runs"],
            metrics["avg_test_duration"], metrics["checklist_session_started"]) == \
        (4, 2, 0, None, False)
    await start(c, LOGIN)
    await start(c, "7e570000-0000-4000-8000-000000000004")  # "[fail]": fails
    await finish(c)
    metrics = (await c.get("/api/v1/entity/users/get_dashboard_metrics")).json()
    assert (metrics["test_runs"], metrics["success_run_count"], metrics["failure_run_count"],
            metrics["tests_failing_count"], metrics["tests_failing_percent"]) == \
        (2, 1, 1, 1, 25.0)
    assert metrics["avg_test_duration"] > 0 and metrics["checklist_session_started"] is True


async def test_revoke_key_support_request_session_link_and_device_logs(emulator_client):
    c = emulator_client
    revoke = "/api/v1/entity/users/revoke_cli_api_key"
    assert (await c.post(revoke, json={"api_key_id": "k-1"})).json() == {
        "success": True, "message": "CLI API key revoked"}
    assert (await c.post(revoke, json={"api_key_id": "k-1"})).status_code == 404
    sent = await c.post("/api/v1/support/requests", json={
        "type": "bug", "message": "rebuild hangs", "context": {"cli_version": "0.1.195"},
        "attachments": [{"name": "log.txt", "size": 10}]})
    assert sent.json() == {"sent": True}
    assert (await c.post("/api/v1/support/requests", json={
        "type": "rant", "message": "x"})).status_code == 422
    task = await start(c, LOGIN)
    link = await c.post("/api/v1/report/async-run/generate_shareable_report_link_by_session",
                        json={"session_id": task, "expiration_hours": None})
    assert task in link.json()["shareable_link"]
    assert (await c.post("/api/v1/report/async-run/generate_shareable_report_link_by_session",
                         json={"session_id": "nope"})).status_code == 404
    report = (await c.get(f"/api/v1/reports-v3/reports/by-session/{task}/context")).json()
    logs = await c.get(f"/api/v1/reports-v3/reports/{report['id']}/device-logs")
    assert logs.status_code == 404 and "No device logs" in logs.json()["detail"]
    assert (await c.get("/api/v1/reports-v3/reports/nope/device-logs")).json() == {
        "detail": "Report not found"}
