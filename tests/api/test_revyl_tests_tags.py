"""Test management as the CLI 0.1.195 does it over HTTP: the org's tags (list, create, update,
delete, bulk add/remove) sharing one store with a test's own tags, the tagged test list,
duplicates, and saved versions with restore and the update's version check."""

import uuid

import pytest

from .conftest import CHECKOUT, FAILING, LOGIN, ONBOARDING_IOS

pytestmark = pytest.mark.anyio
TAGS = "/api/v1/tests/tags"
GO = [{"type": "instructions", "step_description": "Go"}]


async def org_tags(client) -> dict[str, dict]:
    response = await client.get(TAGS)
    assert response.status_code == 200, response.text
    return {t["name"]: t for t in response.json()["tags"]}


async def test_tag_crud_with_counts_and_cascades(emulator_client):
    listed = await org_tags(emulator_client)
    assert listed["smoke"]["test_count"] == 2 and listed["auth"]["test_count"] == 1
    assert listed["smoke"]["color"] and listed["smoke"]["description"] is None
    made = await emulator_client.post(TAGS, json={"name": "release", "color": "#22C55E"})
    assert made.status_code == 200, made.text
    tag = made.json()
    assert tag == {"id": tag["id"], "name": "release", "color": "#22C55E",
                   "description": None, "test_count": 0}
    uuid.UUID(tag["id"])
    again = (await emulator_client.post(TAGS, json={"name": "Release"})).json()
    assert again["id"] == tag["id"] and again["color"] == "#22C55E"  # an upsert
    assert (await emulator_client.post(TAGS, json={"name": "x", "color": "red"})
            ).status_code == 422
    assert (await emulator_client.post(TAGS, json={"name": ""})).status_code == 422

    smoke = listed["smoke"]["id"]
    renamed = await emulator_client.patch(f"{TAGS}/{smoke}", json={
        "name": "sanity", "description": "Quick checks"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "sanity" and renamed.json()["test_count"] == 2
    login = (await emulator_client.get(f"/api/v1/tests/tags/tests/{LOGIN}")).json()
    assert [t["name"] for t in login] == ["sanity", "auth"] and login[0]["id"] == smoke
    clash = await emulator_client.patch(f"{TAGS}/{smoke}", json={"name": "AUTH"})
    assert clash.status_code == 409
    assert (await emulator_client.patch(f"{TAGS}/nope", json={"color": "#fff"})
            ).status_code == 404

    deleted = await emulator_client.delete(f"{TAGS}/{smoke}")
    assert deleted.status_code == 200 and deleted.json() == {"deleted": True, "tag_id": smoke}
    assert "sanity" not in await org_tags(emulator_client)
    body = (await emulator_client.get(f"/api/v1/tests/get_test_by_id/{LOGIN}")).json()
    assert [t["name"] for t in body["tags"]] == ["auth"]
    missing = await emulator_client.delete(f"{TAGS}/{smoke}")
    assert missing.status_code == 404 and missing.json() == {"detail": "Tag not found"}


async def test_sync_and_bulk_sync_use_the_org_store(emulator_client):
    synced = await emulator_client.post(f"/api/v1/tests/tags/tests/{LOGIN}/sync",
                                        json={"tag_names": ["Smoke", "nightly"]})
    assert synced.status_code == 200, synced.text
    assert [(t["name"], t["created"]) for t in synced.json()["tags"]] == [
        ("smoke", False), ("nightly", True)]
    assert (await org_tags(emulator_client))["nightly"]["test_count"] == 1
    bulk = await emulator_client.post(f"{TAGS}/tests/bulk-sync", json={
        "test_ids": [CHECKOUT, "nope", ONBOARDING_IOS], "tags_to_add": ["regression"],
        "tags_to_remove": ["smoke"]})
    assert bulk.status_code == 200, bulk.text
    assert bulk.json() == {"results": [
        {"test_id": CHECKOUT, "success": True, "error": None},
        {"test_id": "nope", "success": False, "error": "Test not found"},
        {"test_id": ONBOARDING_IOS, "success": True, "error": None}],
        "success_count": 2, "error_count": 1}
    tags = await org_tags(emulator_client)
    assert tags["regression"]["test_count"] == 2 and tags["smoke"]["test_count"] == 1
    onboarding = (await emulator_client.get(f"/api/v1/tests/tags/tests/{ONBOARDING_IOS}")
                  ).json()
    assert [t["name"] for t in onboarding] == ["onboarding", "regression"]
    simple = (await emulator_client.get("/api/v1/tests/get_simple_tests")).json()
    rows = {t["id"]: [tag["name"] for tag in t["tags"]] for t in simple["tests"]}
    assert rows[CHECKOUT] == ["checkout", "regression"]


async def test_get_tests_filters_sorts_and_pages(emulator_client):
    everything = await emulator_client.get("/api/v1/tests/get_tests")
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["count"] == body["total_count"] == 4
    login = next(t for t in body["tests"] if t["id"] == LOGIN)
    assert [t["name"] for t in login["tags"]] == ["smoke", "auth"]
    named = (await emulator_client.get("/api/v1/tests/get_tests", params={
        "limit": 2, "offset": 1, "sort_by": "name", "sort_dir": "asc"})).json()
    every_name = sorted(t["name"] for t in body["tests"])
    assert [t["name"] for t in named["tests"]] == every_name[1:3]
    assert (named["count"], named["total_count"]) == (2, 4)
    ios = (await emulator_client.get("/api/v1/tests/get_tests", params={
        "platform": "ios"})).json()
    assert [t["id"] for t in ios["tests"]] == [ONBOARDING_IOS, FAILING]
    found = (await emulator_client.get("/api/v1/tests/get_tests", params={
        "search": "LOGIN"})).json()
    assert [t["id"] for t in found["tests"]] == [LOGIN]
    by_app = (await emulator_client.get("/api/v1/tests/get_tests", params={
        "app_id": login["app_id"]})).json()
    assert LOGIN in [t["id"] for t in by_app["tests"]] and ONBOARDING_IOS not in \
        [t["id"] for t in by_app["tests"]]
    assert (await emulator_client.get("/api/v1/tests/get_tests", params={
        "sort_by": "bogus"})).status_code == 422
    assert (await emulator_client.get("/api/v1/tests/get_tests", params={
        "limit": 201})).status_code == 422


async def test_duplicate_makes_a_runnable_copy(emulator_client):
    copied = await emulator_client.post("/api/v1/tests/duplicate", json={
        "test_id": LOGIN, "new_name": ""})
    assert copied.status_code == 200, copied.text
    body = copied.json()
    assert body == {"success": True, "message": body["message"], "test_id": body["test_id"],
                    "name": "login-flow (copy)", "platform": "android", "steps_count": 5,
                    "tags_copied": 2, "variables_copied": 2, "cookies_copied": 0}
    lookup = (await emulator_client.get(f"/api/v1/tests/get_test_by_id/{body['test_id']}")
              ).json()
    assert lookup["version"] == 1 and [t["name"] for t in lookup["tags"]] == ["smoke", "auth"]
    run = await emulator_client.post("/api/v1/execution/api/execute_test_id_async",
                                     json={"test_id": body["test_id"]})
    assert run.status_code == 200
    named = await emulator_client.post("/api/v1/tests/duplicate", json={
        "test_id": LOGIN, "new_name": "login-copy", "copy_variables": False,
        "target_platform": "ios"})
    assert named.json()["platform"] == "ios" and named.json()["variables_copied"] == 0
    taken = await emulator_client.post("/api/v1/tests/duplicate", json={
        "test_id": LOGIN, "new_name": "login-copy"})
    assert taken.status_code == 409
    missing = await emulator_client.post("/api/v1/tests/duplicate", json={
        "test_id": str(uuid.uuid4()), "new_name": "x"})
    assert missing.status_code == 404 and missing.json() == {"detail": "Test not found"}
    assert (await emulator_client.post("/api/v1/tests/duplicate", json={
        "new_name": "x"})).status_code == 422


async def test_versions_restore_and_the_update_version_check(emulator_client):
    created = await emulator_client.post("/api/v1/tests/create", json={
        "name": "versioned", "platform": "android", "tasks": GO})
    test_id = created.json()["id"]
    updated = await emulator_client.put(f"/api/v1/tests/update/{test_id}", json={
        "tasks": [{"type": "instructions", "step_description": "Stop"}],
        "expected_version": 1})
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = await emulator_client.put(f"/api/v1/tests/update/{test_id}", json={
        "name": "late", "expected_version": 1})
    assert stale.status_code == 409
    detail = stale.json()["detail"]
    assert detail["error"] == "version_conflict" and detail["current_version"] == 2
    versions = await emulator_client.get(f"/api/v1/tests/{test_id}/versions")
    assert versions.status_code == 200, versions.text
    listed = versions.json()
    assert listed["total"] == 2 and [v["version"] for v in listed["versions"]] == [2, 1]
    first = listed["versions"][1]
    assert first["test_id"] == test_id and first["tasks"][0]["step_description"] == "Go"
    assert first["modified_by"] == "0a000000-0000-4000-8000-000000000002"
    assert first["modified_by_email"] and first["created_at"].endswith("Z")
    restored = await emulator_client.post(f"/api/v1/tests/{test_id}/restore",
                                          json={"version": 1})
    assert restored.status_code == 200, restored.text
    assert restored.json() == {"message": "Restored version 1 as version 3",
                               "new_version": 3, "restored_from": 1}
    test = (await emulator_client.get(f"/api/v1/tests/get_test_by_id/{test_id}")).json()
    assert test["version"] == 3 and test["tasks"][0]["step_description"] == "Go"
    assert (await emulator_client.get(f"/api/v1/tests/{test_id}/versions")).json()[
        "total"] == 3
    assert (await emulator_client.post(f"/api/v1/tests/{test_id}/restore",
                                       json={"version": 7})).status_code == 404
    assert (await emulator_client.post(f"/api/v1/tests/{test_id}/restore",
                                       json={"version": 0})).status_code == 422
    assert (await emulator_client.get("/api/v1/tests/nope/versions")).status_code == 404
    await emulator_client.delete(f"/api/v1/tests/delete/{test_id}")
    assert (await emulator_client.get(f"/api/v1/tests/{test_id}/versions")).status_code == 404
