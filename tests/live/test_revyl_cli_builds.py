"""The official CLI's app, build and YAML commands against a live emulator (§A.3)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import require_client

pytestmark = pytest.mark.live

VALID = """\
test:
  metadata:
    name: {name}
    platform: android
  build:
    name: {app}
  blocks:
    - type: instructions
      step_description: "Tap the login button"
    - type: validation
      step_description: "The home screen is visible"
"""
INVALID = """\
test:
  metadata:
    name: ""
    platform: invalid_platform
  blocks:
    - type: nonexistent_type
      step_description: "This block type does not exist"
"""


def workdir(revyl) -> Path:
    return Path(revyl.home)


def test_app_create_build_upload_and_list(revyl):
    created = revyl("app", "create", "--name", "cli-app", "--platform", "android", "--json")
    assert created.code == 0, created.stderr
    app_id = created.json()["id"]
    assert created.json()["platform"] == "Android"
    artifact = workdir(revyl) / "app-debug.apk"
    artifact.write_bytes(b"PK\x03\x04acceptance-fake-apk\n")
    uploaded = revyl("build", "upload", "--file", str(artifact), "--app", app_id,
                     "--version", "1.0.0", "--json", "--yes")
    assert uploaded.code == 0, uploaded.stderr
    assert uploaded.json()["build"]["build_version"] == "1.0.0"
    assert uploaded.json()["build"]["package_id"] == "com.emulated.cliapp"
    again = revyl("build", "upload", "--file", str(artifact), "--app", app_id,
                  "--version", "1.0.0", "--json", "--yes")
    assert again.code != 0  # duplicate version: 409
    builds = revyl("build", "list", "--app", app_id, "--json")
    assert builds.code == 0, builds.stderr
    assert [b["version"] for b in builds.json()["versions"]] == ["1.0.0"]
    apps = revyl("app", "list", "--json")
    assert apps.code == 0, apps.stderr
    listed = {a["name"]: a for a in apps.json()["apps"]}
    assert listed["cli-app"]["latest_version"] == "1.0.0"


def test_validate_valid_and_invalid(revyl):
    good = workdir(revyl) / "valid.yaml"
    good.write_text(VALID.format(name="acceptance-valid", app="acme-shop-android"))
    bad = workdir(revyl) / "invalid.yaml"
    bad.write_text(INVALID)
    ok = revyl("test", "validate", str(good), "--json")
    assert ok.code == 0, ok.stderr
    assert ok.json()["is_valid"] is True
    failed = revyl("test", "validate", str(bad), "--json")
    assert failed.code == 1
    messages = failed.json()["files"][0]["messages"]
    assert {m["code"] for m in messages} >= {"INVALID_BLOCK_TYPE", "INVALID_PLATFORM"}
    assert all(m["line"] for m in messages)


def test_create_from_file_then_push_then_run(revyl):
    git = require_client("git", shutil.which("git"), "apt-get install git", "tools")
    home = workdir(revyl)
    subprocess.run([git, "init", "-q", str(home)], check=True)
    assert revyl("init", "-y").code == 0
    source = home / "login.yaml"
    source.write_text(VALID.format(name="acc-created", app="acme-shop-android"))
    created = revyl("test", "create", "--from-file", str(source), "--no-open", "--json")
    assert created.code == 0, created.stdout + created.stderr
    local = home / ".revyl" / "tests" / "acc-created.yaml"
    assert local.exists()
    local.write_text(local.read_text().replace("Tap the login button", "Tap Sign in"))
    pushed = revyl("test", "push", "acc-created", "--json")
    assert pushed.code == 0, pushed.stdout + pushed.stderr
    ran = revyl("test", "run", "acc-created", "--json")
    assert ran.code == 0, ran.stderr
    assert ran.json()["status"] == "completed"
