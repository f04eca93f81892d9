"""Build routes CLI 0.1.195 added, through HTTP: branches, resolution, build runs, external
(Web) builds, multipart uploads, offline from-url, and ``pin``."""

import re

import pytest

from emulator.settings import Settings

from .conftest import advance, start

pytestmark = pytest.mark.anyio

ANDROID = "a1000000-0000-4000-8000-000000000001"
IOS = "a1000000-0000-4000-8000-000000000002"
B150 = "b1000000-0000-4000-8000-000000000002"  # acme-shop-android 1.5.0, current
LOGIN = "7e570000-0000-4000-8000-000000000001"  # a test of the Android app
BRANCHES = f"/api/v1/apps/{ANDROID}/branches"


async def upload(client, version: str, app: str = ANDROID, **body) -> dict:
    """The CLI's session flow: upload-session, PUT, POST .../builds."""
    session = await client.post(f"/api/v1/apps/{app}/builds/upload-session",
                                params={"source": "cli_upload"},
                                json={"version": version, "file_name": "app.apk",
                                      **{k: v for k, v in body.items() if k != "pin"}})
    assert session.status_code == 200, session.text
    put = await client.put(session.json()["upload_url"], content=b"PK\x03\x04" + version.encode())
    assert put.status_code == 200
    created = await client.post(f"/api/v1/apps/{app}/builds", json={
        "upload_id": session.json()["upload_id"], "version": version,
        "metadata": {"source": "cli_upload"}, "pin": body.get("pin", False)})
    assert created.status_code == 200, created.text
    return created.json()


async def branch(client, name: str) -> dict:
    found = (await client.get(BRANCHES, params={"name": name, "page_size": 1})).json()
    assert found["total"] == 1, found
    return found["branches"][0]


async def test_every_app_has_a_default_first_branch_and_branches_are_crud(emulator_client):
    app = (await emulator_client.get(f"/api/v1/apps/{ANDROID}")).json()
    main = await branch(emulator_client, "main")
    assert (app["default_branch_id"], app["default_branch_name"]) == (main["id"], "main")
    assert app["default_branch_pinned_build_id"] == B150 and app["auto_git_branch_enabled"] is False
    assert main["is_default"] and main["pinned_build_version"] == "1.5.0"
    assert main["pinned_build_available"] is True and main["latest_build"]["id"] == B150
    created = await emulator_client.post(BRANCHES, json={"name": "beta"})
    assert created.status_code == 200, created.text
    beta = created.json()
    assert (beta["name"], beta["is_default"], beta["pinned_build_id"]) == ("beta", False, None)
    assert beta["pinned_build_available"] is None and beta["latest_build"] is None
    assert (await emulator_client.post(BRANCHES, json={"name": "beta"})).status_code == 409
    assert (await emulator_client.post(BRANCHES, json={"name": " "})).status_code == 400
    assert (await emulator_client.post(BRANCHES, json={})).status_code == 422
    listing = (await emulator_client.get(BRANCHES)).json()
    assert [b["name"] for b in listing["branches"]] == ["main", "beta"]
    assert (listing["total"], listing["total_pages"]) == (2, 1)
    assert (await emulator_client.get(BRANCHES, params={"search": "ET"})).json()["total"] == 1
    renamed = await emulator_client.patch(f"{BRANCHES}/{beta['id']}", json={"name": "gamma"})
    assert renamed.json()["name"] == "gamma" and renamed.json()["id"] == beta["id"]
    clash = await emulator_client.patch(f"{BRANCHES}/{beta['id']}", json={"name": "main"})
    assert clash.status_code == 409
    got = await emulator_client.get(f"{BRANCHES}/{beta['id']}")
    assert got.json()["name"] == "gamma"
    missing = await emulator_client.get(f"{BRANCHES}/nope")
    assert missing.status_code == 404 and missing.json() == {"detail": "Branch not found"}
    assert (await emulator_client.get("/api/v1/apps/nope/branches")).status_code == 404
    # The first branch can be renamed too; its id stays.
    await emulator_client.patch(f"{BRANCHES}/{main['id']}", json={"name": "trunk"})
    assert (await branch(emulator_client, "trunk"))["id"] == main["id"]


async def test_default_branch_pins_and_uploads_landing_on_branches(emulator_client):
    beta = (await emulator_client.post(BRANCHES, json={"name": "beta"})).json()
    on_beta = await upload(emulator_client, "2.0.0", branch_name="beta")
    assert (on_beta["branch_id"], on_beta["branch_name"]) == (beta["id"], "beta")
    on_new = await upload(emulator_client, "2.0.1", branch_name="feature-x", pin=True)
    feature = await branch(emulator_client, "feature-x")  # created on first use
    assert on_new["branch_id"] == feature["id"] and feature["pinned_build_id"] == on_new["id"]
    on_default = await upload(emulator_client, "2.0.2")
    assert on_default["branch_name"] == "main"
    # Pin / unpin / default.
    pinned = await emulator_client.patch(f"{BRANCHES}/{beta['id']}",
                                         json={"pinned_build_id": B150})
    assert pinned.json()["pinned_build_version"] == "1.5.0"
    bad = await emulator_client.patch(f"{BRANCHES}/{beta['id']}",
                                      json={"pinned_build_id": "nope"})
    assert bad.status_code == 404
    unpinned = await emulator_client.patch(f"{BRANCHES}/{beta['id']}",
                                           json={"pinned_build_id": None})
    assert unpinned.json()["pinned_build_id"] is None
    assert (await emulator_client.patch(f"/api/v1/apps/{ANDROID}",
                                        json={"default_branch_id": beta["id"]})).status_code == 200
    app = (await emulator_client.get(f"/api/v1/apps/{ANDROID}")).json()
    assert (app["default_branch_id"], app["default_branch_name"]) == (beta["id"], "beta")
    assert (await branch(emulator_client, "beta"))["is_default"] is True
    unknown = await emulator_client.patch(f"/api/v1/apps/{ANDROID}",
                                          json={"default_branch_id": "nope"})
    assert unknown.status_code == 404
    later = await upload(emulator_client, "2.0.3")
    assert later["branch_name"] == "beta"  # the new default takes unnamed uploads
    # Listing by branch, and exact version.
    builds = f"/api/v1/apps/{ANDROID}/builds"
    by_name = (await emulator_client.get(builds, params={"branch_name": "beta"})).json()
    assert [b["version"] for b in by_name["items"]] == ["2.0.3", "2.0.0"]
    by_id = (await emulator_client.get(builds, params={"branch_id": feature["id"]})).json()
    assert [b["version"] for b in by_id["items"]] == ["2.0.1"]
    nothing = (await emulator_client.get(builds, params={"branch_name": "no-such"})).json()
    assert nothing["items"] == [] and nothing["total"] == 0
    exact = (await emulator_client.get(builds, params={"exact_version": "2.0"})).json()
    assert exact["total"] == 0
    exact = (await emulator_client.get(builds, params={"exact_version": "1.5.0"})).json()
    assert [b["id"] for b in exact["items"]] == [B150]
    # A deleted pinned build leaves the pin, reported unavailable.
    await emulator_client.patch(f"{BRANCHES}/{beta['id']}", json={"pinned_build_id": later["id"]})
    await emulator_client.delete(f"/api/v1/apps/builds/{later['id']}")
    gone = await branch(emulator_client, "beta")
    assert gone["pinned_build_id"] == later["id"] and gone["pinned_build_available"] is False


async def test_complete_upload_and_from_url_accept_pin_and_set_as_current(emulator_client):
    ticket = (await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/upload-url",
                                         params={"version": "3.0.0", "file_name": "a.apk"})).json()
    await emulator_client.put(ticket["upload_url"], content=b"PK\x03\x04x")
    done = await emulator_client.post(f"/api/v1/apps/builds/{ticket['version_id']}/complete-upload",
                                      json={"version_id": ticket["version_id"], "pin": True})
    assert done.status_code == 200 and done.json()["is_current"] is True
    assert (await branch(emulator_client, "main"))["pinned_build_id"] == ticket["version_id"]
    old = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/from-url", json={
        "from_url": "https://cdn.example.com/b.apk", "version": "3.0.1", "set_as_current": True})
    assert old.json()["is_current"] is True
    beta = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/from-url", json={
        "from_url": "https://cdn.example.com/c.apk", "version": "3.0.2", "pin": True,
        "branch_name": "beta"})
    assert beta.json()["branch_name"] == "beta" and beta.json()["is_current"] is False
    assert (await branch(emulator_client, "beta"))["pinned_build_version"] == "3.0.2"


async def test_from_url_offline_placeholder_and_magic_failure(emulator_client):
    url = "https://expo.dev/artifacts/eas/ios-build.tar.gz"
    made = await emulator_client.post(f"/api/v1/apps/{IOS}/builds/from-url",
                                      json={"from_url": url, "version": "9.0.0",
                                            "headers": {"Authorization": "Bearer expo"}})
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["metadata"]["placeholder"] is True and body["metadata"]["from_url"] == url
    assert body["package_name"] == "com.emulated.acmeshopios" and body["artifact_kind"] == "ios_app"
    download = (await emulator_client.get(f"/api/v1/apps/builds/{body['id']}",
                                          params={"include_download_url": "true"})).json()
    data = (await emulator_client.get(download["download_url"])).content
    assert data[:2] == b"\x1f\x8b"  # a gzipped tar, as the name says
    ipa = await emulator_client.post(f"/api/v1/apps/{IOS}/builds/from-url",
                                     json={"from_url": "https://x.example/a.ipa", "version": "9.1"})
    assert ipa.status_code == 400  # device builds are refused whatever the source
    fail = await emulator_client.post(f"/api/v1/apps/{IOS}/builds/from-url",
                                      json={"from_url": "http://fail.emulator.invalid/a.zip",
                                            "version": "9.2"})
    assert fail.status_code == 502 and "Failed to download" in fail.json()["detail"]


@pytest.mark.parametrize("emulator_settings", [Settings(clock="manual", seed=0,
                                                        from_url="strict")])
async def test_from_url_strict_mode_refuses_hosts_off_the_allow_list(emulator_client):
    outside = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/from-url",
                                         json={"from_url": "https://expo.dev/a.apk",
                                               "version": "5.0.0"})
    assert outside.status_code == 502 and "loopback" in outside.json()["detail"]


async def test_resolve_every_selection_and_status(emulator_client):
    resolve = "/api/v1/apps/resolve"
    inherited = (await emulator_client.post(resolve, json={"build_var_id": ANDROID})).json()
    assert (inherited["resolution_status"], inherited["version_id"]) == ("resolved", B150)
    assert (inherited["branch_name"], inherited["branch_source"]) == ("main", "default_branch")
    assert inherited["app_name"] == "acme-shop-android" and inherited["platform"] == "android"
    assert inherited["download_url"] is None
    beta = (await emulator_client.post(BRANCHES, json={"name": "beta"})).json()
    empty = (await emulator_client.post(resolve, json={"build_var_id": ANDROID,
                                                       "branch_name": "beta"})).json()
    assert (empty["resolution_status"], empty["version_id"]) == ("branch_has_no_builds", None)
    assert empty["branch_source"] == "explicit_branch"
    newest = await upload(emulator_client, "4.0.0", branch_id=beta["id"])
    latest = (await emulator_client.post(resolve, params={"include_download_url": "true"},
                                         json={"build_var_id": ANDROID,
                                               "branch_id": beta["id"],
                                               "build_selection": "latest"})).json()
    assert latest["version_id"] == newest["id"] and "/_emulator/downloads/" in latest[
        "download_url"]
    # main is pinned to 1.5.0 (its current build): inherit keeps the pin, latest does not.
    main = (await emulator_client.post(resolve, json={
        "build_var_id": ANDROID, "git_branch_name": "feature/x",
        "build_selection": "inherit"})).json()
    assert main["version"] == "1.5.0" and main["git_branch_name"] == "feature/x"
    assert main["branch_source"] == "default_branch" and main["auto_git_branch_enabled"] is False
    every = (await emulator_client.post(resolve, json={
        "build_var_id": ANDROID, "build_selection": "latest_all_branches"})).json()
    assert every["version_id"] == newest["id"] and every["branch_source"] is None
    exact = (await emulator_client.post(resolve, json={
        "build_var_id": ANDROID, "build_selection": "pinned", "pinned_build_id": B150})).json()
    assert exact["version"] == "1.5.0" and exact["branch_name"] == "main"
    await emulator_client.patch(f"{BRANCHES}/{beta['id']}", json={"pinned_build_id": newest["id"]})
    await emulator_client.delete(f"/api/v1/apps/builds/{newest['id']}")
    broken = (await emulator_client.post(resolve, json={"build_var_id": ANDROID,
                                                        "branch_id": beta["id"]})).json()
    assert broken["resolution_status"] == "no_compatible_build"
    for body, code in [({"build_var_id": "nope"}, 404),
                       ({"build_var_id": ANDROID, "branch_name": "nope"}, 404),
                       ({"build_var_id": ANDROID, "build_selection": "newest"}, 400),
                       ({"build_var_id": ANDROID, "build_selection": "pinned"}, 400),
                       ({"build_var_id": ANDROID, "build_selection": "pinned",
                         "pinned_build_id": "nope"}, 404),
                       ({}, 422)]:
        assert (await emulator_client.post(resolve, json=body)).status_code == code, body


async def test_build_runs_lists_the_executions_that_used_a_build(emulator_client):
    named = await start(emulator_client, LOGIN, build_version_id=B150)
    implicit = await start(emulator_client, LOGIN)  # the app's default branch: 1.5.0
    other = await upload(emulator_client, "5.0.0", branch_name="beta")
    await advance(emulator_client, 60)
    runs = (await emulator_client.get(f"/api/v1/apps/builds/{B150}/runs",
                                      params={"page_size": 1})).json()
    assert (runs["total"], runs["total_pages"], runs["has_next"]) == (2, 2, True)
    first = runs["items"][0]
    assert first["execution_id"] in (named, implicit) and first["test_name"] == "login-flow"
    assert first["status"] == "completed" and first["success"] is True
    assert first["resolved_build_version"] == "1.5.0" and first["completed_at"]
    second = (await emulator_client.get(f"/api/v1/apps/builds/{B150}/runs",
                                        params={"page": 2, "page_size": 1})).json()
    assert {first["execution_id"], second["items"][0]["execution_id"]} == {named, implicit}
    none = (await emulator_client.get(f"/api/v1/apps/builds/{other['id']}/runs")).json()
    assert none["items"] == [] and none["total"] == 0
    assert (await emulator_client.get("/api/v1/apps/builds/nope/runs")).status_code == 404


async def test_external_url_builds_for_web_apps(emulator_client):
    web = (await emulator_client.post("/api/v1/apps/", json={"name": "site",
                                                             "platform": "web"})).json()
    assert web["platform"] == "Web" and web["default_branch_name"] == "main"
    external = f"/api/v1/apps/{web['id']}/builds/external"
    made = await emulator_client.post(external, json={"url": "https://preview.example.com/",
                                                      "commit_sha": "0123456789abcdef",
                                                      "branch_name": "pr-7"})
    assert made.status_code == 200, made.text
    body = made.json()
    assert (body["version"], body["was_reused"], body["branch_name"]) == (
        "0123456789ab", False, "pr-7")
    assert body["artifact_kind"] == "web_url"
    again = (await emulator_client.post(external, json={"url": "https://preview.example.com/",
                                                        "commit_sha": "0123456789abcdef"})).json()
    assert again["id"] == body["id"] and again["was_reused"] is True
    resolved = (await emulator_client.post("/api/v1/apps/resolve", json={
        "build_var_id": web["id"], "build_selection": "latest_all_branches"})).json()
    assert resolved["deploy_url"] == "https://preview.example.com/"
    assert resolved["platform"] == "web"
    wrong = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/external",
                                       json={"url": "https://x.example/"})
    assert wrong.status_code == 400
    assert (await emulator_client.post(external, json={"url": "file:///x"})).status_code == 400


def complete_xml(parts: list[tuple[int, str]]) -> bytes:
    listed = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{t}</ETag></Part>"
                     for n, t in parts)
    return f"<CompleteMultipartUpload>{listed}</CompleteMultipartUpload>".encode()


async def test_multipart_upload_start_parts_complete_and_create(emulator_client):
    size = 8 * 1024 * 1024 + 5
    data = b"PK\x03\x04" + bytes(size - 4)
    started = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/multipart-upload/start", params={"source": "cli_upload"},
        json={"version": "6.0.0", "file_name": "big.apk", "file_size": size,
              "branch_name": "beta"})
    assert started.status_code == 200, started.text
    plan = started.json()
    assert plan["part_size"] == 8 * 1024 * 1024 and len(plan["parts"]) == 2
    assert plan["complete_url"] == plan["abort_url"]
    assert plan["complete_url"].endswith(f"/{plan['upload_id']}?uploadId={plan['s3_upload_id']}")
    tags = []
    for part in plan["parts"]:
        n = part["part_number"]
        chunk = data[(n - 1) * plan["part_size"]: n * plan["part_size"]]
        put = await emulator_client.put(part["upload_url"], content=chunk)
        assert put.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', put.headers["ETag"])
        tags.append((n, put.headers["ETag"]))
    resumed = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/multipart-upload/resume",
        json={"upload_id": plan["upload_id"], "s3_upload_id": plan["s3_upload_id"],
              "version": "6.0.0", "file_name": "big.apk", "file_size": size})
    assert [(p["part_number"], p["etag"]) for p in resumed.json()["uploaded_parts"]] == tags
    assert resumed.json()["uploaded_parts"][1]["size"] == 5
    bad = await emulator_client.post(plan["complete_url"], content=complete_xml(
        [(1, tags[0][1]), (2, '"00"')]))
    assert bad.status_code == 400 and bad.json()["detail"]["code"] == "InvalidPart"
    done = await emulator_client.post(plan["complete_url"], content=complete_xml(tags),
                                      headers={"Content-Type": "application/xml"})
    assert done.status_code == 200 and b"<CompleteMultipartUploadResult>" in done.content
    again = await emulator_client.post(plan["complete_url"], content=complete_xml(tags))
    assert again.status_code == 404 and b"NoSuchUpload" in again.content  # what the CLI reads
    created = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds", json={
        "upload_id": plan["upload_id"], "version": "6.0.0", "pin": True})
    assert created.status_code == 200, created.text
    build = created.json()
    assert build["size"] == size and build["branch_name"] == "beta"
    assert (await branch(emulator_client, "beta"))["pinned_build_id"] == build["id"]
    gone = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/multipart-upload/resume",
        json={"upload_id": plan["upload_id"], "s3_upload_id": plan["s3_upload_id"],
              "version": "6.0.0", "file_name": "big.apk", "file_size": size})
    assert gone.status_code == 410


async def test_multipart_errors_resume_conflicts_and_abort(emulator_client):
    start_url = f"/api/v1/apps/{ANDROID}/builds/multipart-upload/start"
    plan = (await emulator_client.post(start_url, json={
        "version": "7.0.0", "file_name": "big.apk", "file_size": 10})).json()
    conflict = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/multipart-upload/resume",
        json={"upload_id": plan["upload_id"], "s3_upload_id": plan["s3_upload_id"],
              "version": "7.0.0", "file_name": "big.apk", "file_size": 11})
    assert conflict.status_code == 409
    part = plan["parts"][0]["upload_url"]
    assert (await emulator_client.put(part.replace("partNumber=1", "partNumber=2"),
                                      content=b"x")).status_code == 400
    wrong_id = part.replace(plan["s3_upload_id"], "other")
    assert (await emulator_client.put(wrong_id, content=b"x")).status_code == 404
    assert (await emulator_client.put(part, content=b"x" * 10)).status_code == 200
    short = await emulator_client.post(plan["complete_url"], content=b"<nope/>")
    assert short.status_code == 400 and short.json()["detail"]["code"] == "MalformedXML"
    entity = b'<!DOCTYPE a [<!ENTITY x "y">]><CompleteMultipartUpload/>'
    assert (await emulator_client.post(plan["complete_url"], content=entity)).status_code == 400
    aborted = await emulator_client.delete(plan["abort_url"])
    assert aborted.status_code == 204
    assert (await emulator_client.delete(plan["abort_url"])).status_code == 404
    assert (await emulator_client.put(part, content=b"x")).status_code == 404
    # Aborted: no staged upload is left to create a build from.
    assert (await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds", json={
        "upload_id": plan["upload_id"], "version": "7.0.0"})).status_code == 404
    for body, code in [({"version": "1.5.0", "file_name": "a.apk", "file_size": 3}, 409),
                       ({"version": "7.1", "file_name": "a.ipa", "file_size": 3}, 400),
                       ({"version": "7.1", "file_name": "a.apk", "file_size": 0}, 422),
                       ({"version": "7.1", "file_name": "a.apk", "file_size": 1 << 40}, 413)]:
        assert (await emulator_client.post(start_url, json=body)).status_code == code, body
    assert (await emulator_client.post("/api/v1/apps/nope/builds/multipart-upload/start", json={
        "version": "1", "file_name": "a.apk", "file_size": 3})).status_code == 404
