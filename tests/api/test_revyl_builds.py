"""Apps and builds through HTTP: every path family, uploads, errors, state."""

import io
import plistlib
import struct
import zipfile

import httpx
import pytest

pytestmark = pytest.mark.anyio

ANDROID = "a1000000-0000-4000-8000-000000000001"
IOS = "a1000000-0000-4000-8000-000000000002"
FAMILIES = [("/api/v1/builds/vars", "/api/v1/builds/vars/{}/versions",
             "/api/v1/builds/versions/{}"),
            ("/api/v1/builds/apps", "/api/v1/builds/apps/{}/builds",
             "/api/v1/builds/builds/{}"),
            ("/api/v1/apps/", "/api/v1/apps/{}/builds", "/api/v1/apps/builds/{}")]


def axml(package: str) -> bytes:
    """A minimal Android binary XML manifest: string pool + one <manifest package=...>."""
    strings = ["manifest", "package", package]
    encoded = b"".join(struct.pack("<H", len(s)) + s.encode("utf-16-le") + b"\0\0"
                       for s in strings)
    offsets, pos = [], 0
    for s in strings:
        offsets.append(pos)
        pos += 2 + 2 * len(s) + 2
    pool_header = 28 + 4 * len(strings)
    pool = struct.pack("<HHIIIIII", 1, 28, pool_header + len(encoded), len(strings), 0, 0,
                       pool_header, 0) + struct.pack(f"<{len(strings)}I", *offsets) + encoded
    attr = struct.pack("<IIIHBBI", 0xFFFFFFFF, 1, 2, 8, 0, 3, 2)
    element = struct.pack("<HHIII", 0x0102, 16, 36 + len(attr), 1, 0xFFFFFFFF) + struct.pack(
        "<IIHHHHHH", 0xFFFFFFFF, 0, 20, 20, 1, 0, 0, 0) + attr
    body = pool + element
    return struct.pack("<HHI", 3, 8, 8 + len(body)) + body


def apk(package: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("AndroidManifest.xml", axml(package))
        z.writestr("classes.dex", b"dex")
    return buffer.getvalue()


def ios_zip(bundle_id: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("Shop.app/Info.plist", plistlib.dumps({"CFBundleIdentifier": bundle_id},
                                                         fmt=plistlib.FMT_BINARY))
    return buffer.getvalue()


def local_path(url: str) -> str:
    return httpx.URL(url).raw_path.decode()


async def stream_upload(client, app_id, version, data, name="app.apk", path=None):
    path = path or f"/api/v1/builds/vars/{app_id}/versions/stream-upload"
    return await client.post(path, params={"version": version},
                             files={"file": (name, data, "application/octet-stream")})


@pytest.mark.parametrize("apps, _builds, _build", FAMILIES)
async def test_app_crud_in_every_family(emulator_client, apps, _builds, _build):
    listing = (await emulator_client.get(apps)).json()
    assert listing["total"] == 2 and listing["platform_counts"] == {"android": 1, "ios": 1,
                                                                    "web": 0, "total": 2}
    assert {"items", "page", "page_size", "total_pages", "has_next", "has_previous"} <= set(
        listing)
    created = await emulator_client.post(apps, json={"name": "new-app", "platform": "ios"})
    assert created.status_code == 200 and created.json()["platform"] == "iOS"
    app_id = created.json()["id"]
    one = apps.rstrip("/") + f"/{app_id}"
    assert (await emulator_client.get(one)).json()["versions_count"] == 0
    dup = await emulator_client.post(apps, json={"name": "NEW-APP", "platform": "Android"})
    assert dup.status_code == 409
    patched = await emulator_client.patch(one, json={"description": "d", "name": "renamed"})
    assert (patched.json()["name"], patched.json()["description"]) == ("renamed", "d")
    deleted = await emulator_client.delete(one)
    assert deleted.json() == {"message": "App deleted", "detached_tests": 0}
    gone = await emulator_client.get(one)
    assert gone.status_code == 404 and gone.json() == {"detail": "App not found"}


async def test_app_validation_and_filters(emulator_client):
    bad = await emulator_client.post("/api/v1/apps/", json={"name": "x", "platform": "tv"})
    assert bad.status_code == 400 and "platform" in bad.json()["detail"]
    assert (await emulator_client.post("/api/v1/apps/", json={"platform": "iOS"})
            ).status_code == 422
    only_ios = (await emulator_client.get("/api/v1/apps/", params={"platform": "iOS"})).json()
    assert [a["id"] for a in only_ios["items"]] == [IOS]
    search = (await emulator_client.get("/api/v1/apps/", params={"search": "ANDROID"})).json()
    assert [a["id"] for a in search["items"]] == [ANDROID]
    page = (await emulator_client.get("/api/v1/apps/", params={"page": 2, "page_size": 1})
            ).json()
    assert page["has_previous"] and not page["has_next"] and page["total_pages"] == 2
    assert (await emulator_client.get("/api/v1/apps/", params={"page": 0})).status_code == 422


async def test_delete_app_detaches_its_tests(emulator_client):
    body = (await emulator_client.delete(f"/api/v1/apps/{IOS}")).json()
    assert body["detached_tests"] == 2
    test = (await emulator_client.get(
        "/api/v1/tests/get_test_by_id/7e570000-0000-4000-8000-000000000003")).json()
    assert test["app_id"] is None


async def test_stream_upload_stores_bytes_and_reads_the_apk_package(emulator_client):
    data = apk("com.example.shop")
    response = await stream_upload(emulator_client, ANDROID, "9.9.9", data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.text.startswith('{"id":"')  # upload-build.sh greps the first "id":"
    assert body["package_name"] == "com.example.shop"
    assert body["metadata"]["artifact_bytes"] == len(data)
    assert len(body["metadata"]["artifact_sha256"]) == 64
    download = await emulator_client.get(
        f"/api/v1/builds/versions/{body['id']}", params={"include_download_url": "true"})
    url = download.json()["download_url"]
    assert url.startswith("http://") and "/_emulator/downloads/" in url
    fetched = await emulator_client.get(local_path(url))
    assert fetched.content == data
    dup = await stream_upload(emulator_client, ANDROID, "9.9.9", data)
    assert dup.status_code == 409


async def test_ios_bundle_id_and_fallback_and_rejections(emulator_client):
    ios = await stream_upload(emulator_client, IOS, "2.0", ios_zip("com.example.Shop"),
                              "Shop.zip", f"/api/v1/apps/{IOS}/builds/stream-upload")
    assert ios.json()["package_name"] == "com.example.Shop"
    fake = await stream_upload(emulator_client, ANDROID, "2.1", b"PK\x03\x04not really")
    assert fake.json()["package_name"] == "com.emulated.acmeshopandroid"
    assert fake.json()["metadata"]["artifact_validation"]["warnings"]
    ipa = await stream_upload(emulator_client, IOS, "2.2", b"x", "Shop.ipa")
    assert ipa.status_code == 400
    assert ipa.json()["detail"]["code"] == "build_artifact_rejected"


async def test_stream_upload_errors(emulator_client):
    missing_app = await stream_upload(emulator_client, "nope", "1", b"x")
    assert missing_app.status_code == 404 and missing_app.json() == {"detail": "App not found"}
    no_version = await emulator_client.post(
        f"/api/v1/builds/vars/{ANDROID}/versions/stream-upload",
        files={"file": ("a.apk", b"x")})
    assert no_version.status_code == 422
    no_file = await emulator_client.post(
        f"/api/v1/builds/vars/{ANDROID}/versions/stream-upload", params={"version": "1"},
        data={"other": "x"})
    assert no_file.status_code == 422
    malformed = await emulator_client.post(
        f"/api/v1/builds/vars/{ANDROID}/versions/stream-upload", params={"version": "1"},
        content=b"--xyz\r\nbroken", headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert 400 <= malformed.status_code < 500
    empty = await stream_upload(emulator_client, ANDROID, "1", b"")
    assert empty.status_code == 400


async def test_upload_over_the_cap_is_413(emulator_settings):
    from emulator.app import create_app

    app = create_app(emulator_settings.model_copy(update={"max_upload_bytes": 1024}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e",
                                 headers={"Authorization": "Bearer k"}) as client:
        big = await stream_upload(client, ANDROID, "1", b"x" * 4096)
        assert big.status_code == 413
        assert (await client.get(f"/api/v1/apps/{ANDROID}/builds")).json()["total"] == 2
    await app.state.registry.aclose()


@pytest.mark.parametrize("_apps, builds, build", FAMILIES)
async def test_build_list_get_patch_delete(emulator_client, _apps, builds, build):
    listing = (await emulator_client.get(builds.format(ANDROID))).json()
    assert [b["version"] for b in listing["items"]] == ["1.5.0", "1.4.0"]  # newest first
    assert listing["items"][0]["is_current"] is True
    vid = listing["items"][1]["id"]
    got = (await emulator_client.get(build.format(vid))).json()
    assert got["version"] == "1.4.0" and got["download_url"] is None
    renamed = await emulator_client.patch(build.format(vid), json={
        "version": "1.4.1", "metadata": {"note": "x"}, "package_name": "com.acme.shop2"})
    assert renamed.json()["version"] == "1.4.1" and renamed.json()["metadata"]["note"] == "x"
    clash = await emulator_client.patch(build.format(vid), json={"version": "1.5.0"})
    assert clash.status_code == 409
    assert (await emulator_client.delete(build.format(vid))).status_code == 200
    after = (await emulator_client.get(builds.format(ANDROID))).json()
    assert [b["version"] for b in after["items"]] == ["1.5.0"] and after["total"] == 1
    assert (await emulator_client.get(build.format(vid))).status_code == 404


async def test_pin_current_version_through_patch(emulator_client):
    app = (await emulator_client.patch(f"/api/v1/apps/{ANDROID}",
                                       json={"current_version": "1.4.0"})).json()
    assert app["current_version"] == "1.4.0" and app["latest_version"] == "1.5.0"
    missing = await emulator_client.patch(f"/api/v1/apps/{ANDROID}",
                                          json={"current_version": "0.0.1"})
    assert missing.status_code == 404


async def test_cli_session_upload_flow(emulator_client):
    session = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/upload-session", params={"source": "cli_upload"},
        json={"version": "3.0.0", "file_name": "app.apk"})
    assert session.status_code == 200
    ticket = session.json()
    assert ticket["content_type"] == "application/vnd.android.package-archive"
    assert ticket["upload_url"].startswith("http://")
    path = local_path(ticket["upload_url"])
    premature = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds", json={
        "upload_id": ticket["upload_id"], "version": "3.0.0"})
    assert premature.status_code == 400
    put = await emulator_client.put(path, content=apk("com.cli.app"),
                                    headers={"Authorization": ""})
    assert put.status_code == 200 and put.headers["etag"].startswith('"')
    build = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds", json={
        "upload_id": ticket["upload_id"], "version": "3.0.0",
        "metadata": {"source": "cli_upload"}, "pin": True})
    assert build.status_code == 200 and build.json()["package_name"] == "com.cli.app"
    assert build.json()["is_current"] is True
    again = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds", json={
        "upload_id": ticket["upload_id"], "version": "3.0.0"})
    assert again.status_code == 404
    unknown_put = await emulator_client.put(path.rsplit("/", 1)[0] + "/nope", content=b"x")
    assert unknown_put.status_code == 404


async def test_legacy_presigned_flow_as_the_action_uses_it(emulator_client):
    ticket = (await emulator_client.post(
        f"/api/v1/builds/vars/{ANDROID}/versions/upload-url",
        params={"version": "4.0.0", "file_name": "app.apk"}, json={})).json()
    vid = ticket["version_id"]
    listed = (await emulator_client.get(f"/api/v1/apps/{ANDROID}/builds")).json()
    assert "4.0.0" not in [b["version"] for b in listed["items"]]  # pending, not listed
    early = (await emulator_client.post(f"/api/v1/builds/versions/{vid}/extract-package-id",
                                        json={})).json()
    assert early["error"]
    path = local_path(ticket["upload_url"])
    assert (await emulator_client.put(path, content=apk("com.gha.app"))).status_code == 200
    extracted = (await emulator_client.post(
        f"/api/v1/apps/builds/{vid}/extract-package-id")).json()
    assert extracted == {"package_id": "com.gha.app"}
    done = await emulator_client.post(f"/api/v1/builds/versions/{vid}/complete-upload", json={
        "version_id": vid, "metadata": {"file_name": "app.apk", "ci_system": "github"},
        "package_name": "com.gha.app"})
    assert done.status_code == 200 and done.json()["version_id"] == vid
    listed = (await emulator_client.get(f"/api/v1/apps/{ANDROID}/builds")).json()
    assert listed["items"][0]["version"] == "4.0.0"
    dup = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/upload-url",
                                     params={"version": "4.0.0", "file_name": "app.apk"})
    assert dup.status_code == 409


async def test_from_url_policy_and_idempotency(emulator_client):
    failing = await emulator_client.post(f"/api/v1/builds/vars/{ANDROID}/versions/from-url",
                                         json={"from_url": "https://fail.emulator.invalid/a.apk",
                                               "version": "5.0.0"})
    assert failing.status_code == 502 and "fail.emulator.invalid" in failing.json()["detail"]
    file_url = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/from-url",
                                          json={"from_url": "file:///etc/passwd",
                                                "version": "5.0.0"})
    assert file_url.status_code == 502
    unreachable = await emulator_client.post(
        f"/api/v1/apps/{ANDROID}/builds/from-url",
        json={"from_url": "http://127.0.0.1:9/app.apk", "version": "5.0.0"})
    assert unreachable.status_code == 502
    existing = await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/from-url",
                                          json={"from_url": "http://127.0.0.1:9/x.apk",
                                                "version": "1.5.0"})
    assert existing.status_code == 200 and existing.json()["was_reused"] is True
    assert (await emulator_client.post(f"/api/v1/apps/{ANDROID}/builds/from-url",
                                       json={"version": "1"})).status_code == 422


async def test_builds_require_auth_and_unknown_ids_are_404(emulator_app, emulator_client):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator_app),
                                 base_url="http://e") as anonymous:
        for path in ("/api/v1/builds/vars", f"/api/v1/apps/{ANDROID}/builds",
                     "/api/v1/builds/versions/x"):
            assert (await anonymous.get(path)).status_code == 401
    for path in ("/api/v1/builds/versions/nope", "/api/v1/apps/nope/builds"):
        assert (await emulator_client.get(path)).status_code == 404
