"""The official CLI's build-branch, build-runs, offline from-url, Web and multipart flows
(CLI 0.1.195) against a live emulator."""

import os
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.live

ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
B150 = "b1000000-0000-4000-8000-000000000002"
LOGIN = "7e570000-0000-4000-8000-000000000001"


def ok(result):
    assert result.code == 0, result.stdout + result.stderr
    return result.json()


def test_branches_upload_list_pin_rename_default_and_offline_from_url(revyl):
    app_id = ok(revyl("app", "create", "--name", "branchy", "--platform", "android",
                      "--json"))["id"]
    created = ok(revyl("app", "branch", "create", "beta", "--app", app_id, "--json"))
    assert (created["name"], created["is_default"]) == ("beta", False)
    artifact = Path(revyl.home) / "app-debug.apk"
    artifact.write_bytes(b"PK\x03\x04branchy-fake-apk\n")
    uploaded = ok(revyl("build", "upload", "--file", str(artifact), "--app", app_id,
                        "--version", "1.0.0", "--branch", "beta", "--json", "--yes"))
    build = uploaded["build"]
    assert (build["branch_id"], build["branch_name"]) == (created["id"], "beta")
    listed = ok(revyl("build", "list", "--app", app_id, "--branch", "beta", "--json"))
    assert listed["branch_filter_kind"] == "revyl_branch"
    assert [v["version"] for v in listed["versions"]] == ["1.0.0"]
    pinned = ok(revyl("app", "branch", "pin", "beta", build["build_id"], "--app", app_id,
                      "--json"))
    assert (pinned["pinned_build_version"], pinned["pinned_build_available"]) == ("1.0.0", True)
    assert ok(revyl("app", "branch", "rename", "beta", "gamma", "--app", app_id,
                    "--json"))["id"] == created["id"]
    assert revyl("app", "branch", "default", "gamma", "--app", app_id, "--json").code == 0
    assert ok(revyl("app", "branch", "unpin", "gamma", "--app", app_id,
                    "--json"))["pinned_build_id"] is None
    # An Expo artifact URL: never fetched, a placeholder lands on the default branch (gamma).
    remote = ok(revyl("build", "upload", "--url", "https://expo.dev/artifacts/eas/x.apk",
                      "--app", app_id, "--version", "1.1.0", "--json", "--yes"))
    assert (remote["branch_name"], remote["was_reused"]) == ("gamma", False)
    branches = ok(revyl("app", "branch", "list", "--app", app_id, "--json"))["branches"]
    by_name = {b["name"]: b for b in branches}
    assert set(by_name) == {"main", "gamma"} and by_name["gamma"]["is_default"] is True
    assert by_name["gamma"]["latest_build"]["version"] == "1.1.0"
    failed = revyl("build", "upload", "--url", "https://fail.emulator.invalid/x.apk",
                   "--app", app_id, "--version", "1.2.0", "--json", "--yes")
    assert failed.code != 0 and "fail.emulator.invalid" in failed.stdout + failed.stderr


def test_build_runs_lists_the_run_of_a_test(revyl):
    ran = ok(revyl("test", "run", LOGIN, "--json"))
    assert ran["status"] == "completed"
    runs = ok(revyl("build", "runs", B150, "--json"))
    assert runs["total"] == 1 and runs["items"][0]["test_name"] == "login-flow"
    assert runs["items"][0]["resolved_build_version"] == "1.5.0"


def test_web_app_registers_a_deployment_url(revyl):
    app_id = ok(revyl("app", "create", "--name", "site", "--platform", "web", "--json"))["id"]
    made = ok(revyl("build", "upload", "--platform", "web", "--url",
                    "https://preview.example.com/", "--app", app_id, "--json", "--yes"))
    assert made["platform"] == "web" and made["was_reused"] is False and made["version_id"]


def test_an_artifact_over_64_mib_goes_up_in_parts(revyl, emulator_server):
    """The CLI switches to an S3 multipart upload above 64 MiB: start, 9 part PUTs (ETags),
    CompleteMultipartUpload, then the same create call as a single PUT."""
    artifact = Path(revyl.home) / "huge.apk"
    with artifact.open("wb") as out:
        out.write(b"PK\x03\x04")
        out.truncate(65 * 1024 * 1024 + 7)  # sparse: fast to write
    uploaded = ok(revyl("build", "upload", "--file", str(artifact), "--app", ANDROID_APP,
                        "--version", "9.0.0", "--pin", "--json", "--yes", timeout=300))
    build = uploaded["build"]
    assert build["build_version"] == "9.0.0" and build["branch_name"] == "main"
    listed = ok(revyl("build", "list", "--app", ANDROID_APP, "--json"))["versions"]
    top = listed[0]
    assert top["version"] == "9.0.0" and top["is_current"] is True
    assert top["metadata"]["artifact_bytes"] == os.path.getsize(artifact)
    journal = httpx.get(f"{emulator_server.url}/_emulator/journal", params={"limit": 50},
                        headers={"Authorization": f"Bearer {revyl.key}"}).json()
    paths = [e["path"] for e in journal["entries"]]
    assert sum(p.endswith("/builds/multipart-upload/start") for p in paths) == 1
    parts = [e for e in journal["entries"] if e["method"] == "PUT" and "partNumber=" in (
        e.get("query") or "")]
    assert len(parts) == 9
