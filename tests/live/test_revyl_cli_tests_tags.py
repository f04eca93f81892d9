"""The official CLI's tag commands and its test duplicate / versions / restore / query, and the
push version check, against a live emulator."""

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import require_client

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"
TEST = """\
test:
  metadata:
    name: versioned
    platform: android
  build:
    name: acme-shop-android
  blocks:
    - type: instructions
      step_description: "Tap the login button"
"""


def test_tags_create_add_list_filter_rename_delete(revyl):
    created = revyl("tag", "create", "release", "--color", "#22C55E")
    assert created.code == 0, created.stderr
    added = revyl("tag", "add", "login-flow", "release,nightly")  # bulk-sync
    assert added.code == 0, added.stdout + added.stderr
    listed = revyl("tag", "list", "--json")
    assert listed.code == 0, listed.stderr
    counts = {t["name"]: (t["test_count"], t["color"]) for t in listed.json()}
    assert counts["release"] == (1, "#22C55E") and counts["nightly"][0] == 1
    assert counts["smoke"][0] == 2
    tagged = revyl("test", "remote", "--tag", "release", "--json")  # get_tests
    assert tagged.code == 0, tagged.stderr
    assert [(t["id"], t["tags"]) for t in tagged.json()["tests"]] == [
        (LOGIN, ["smoke", "auth", "release", "nightly"])]
    renamed = revyl("tag", "update", "release", "--name", "rel")
    assert renamed.code == 0, renamed.stdout + renamed.stderr
    deleted = revyl("tag", "delete", "nightly", "--force")
    assert deleted.code == 0, deleted.stdout + deleted.stderr
    shown = revyl("tag", "get", "login-flow", "--json")
    assert shown.code == 0, shown.stderr
    assert [t["name"] for t in shown.json()["tags"]] == ["smoke", "auth", "rel"]


def test_versions_restore_push_conflict_duplicate_and_query(revyl):
    git = require_client("git", shutil.which("git"), "apt-get install git", "tools")
    home = Path(revyl.home)
    subprocess.run([git, "init", "-q", str(home)], check=True)
    assert revyl("init", "-y").code == 0
    (home / "v.yaml").write_text(TEST)
    created = revyl("test", "create", "--from-file", str(home / "v.yaml"), "--no-open",
                    "--json")
    assert created.code == 0, created.stdout + created.stderr
    local = home / ".revyl" / "tests" / "versioned.yaml"
    local.write_text(local.read_text().replace("Tap the login button", "Tap Sign in"))
    assert revyl("test", "push", "versioned").code == 0  # version 2
    restored = revyl("test", "restore", "versioned", "--version", "1")  # version 3
    assert restored.code == 0, restored.stdout + restored.stderr
    assert "restored to version 1" in restored.stdout + restored.stderr
    local.write_text(local.read_text().replace("Tap Sign in", "Tap Log in"))
    stale = revyl("test", "push", "versioned")  # the CLI still thinks version 2
    assert stale.code != 0 and "conflict" in (stale.stdout + stale.stderr).lower()
    forced = revyl("test", "push", "versioned", "--force")  # version 4
    assert forced.code == 0, forced.stdout + forced.stderr
    versions = revyl("test", "versions", "versioned", "--json")
    assert versions.code == 0, versions.stderr
    assert [(v["version"], v["tasks"][0]["step_description"])
            for v in versions.json()["versions"]] == [
        (4, "Tap Log in"), (3, "Tap the login button"), (2, "Tap Sign in"),
        (1, "Tap the login button")]
    copied = revyl("test", "duplicate", "versioned", "--name", "versioned-copy")
    assert copied.code == 0, copied.stdout + copied.stderr
    assert 'Test duplicated: "versioned-copy"' in copied.stdout + copied.stderr
    found = revyl("test", "query", "--search", "VERSIONED", "--json")  # get_tests
    assert found.code == 0, found.stderr
    assert sorted(t["name"] for t in found.json()["tests"]) == ["versioned", "versioned-copy"]
    assert found.json()["total"] == 2
