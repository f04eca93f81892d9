"""The official CLI's ``module`` and ``script`` commands against a live emulator, and a test
whose YAML imports a module: validated, created, run with the module's steps, and holding the
module (delete refused while it is in use)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import require_client

pytestmark = pytest.mark.live

BLOCKS = """\
blocks:
  - type: instructions
    step_description: "Enter {{email}} in Email"
  - type: validation
    step_description: The home screen is visible
"""
USES_MODULE = """\
test:
  metadata:
    name: {name}
    platform: android
  build:
    name: acme-shop-android
  variables:
    email: ada@example.com
  blocks:
    - type: module_import
      module: {module}
    - type: instructions
      step_description: Open the cart
"""


def test_module_create_list_get_update_versions_restore_delete(revyl):
    home = Path(revyl.home)
    (home / "blocks.yaml").write_text(BLOCKS)
    created = revyl("module", "create", "login-module", "--from-file", str(home / "blocks.yaml"),
                    "--description", "Standard login")
    assert created.code == 0, created.stdout + created.stderr
    listed = revyl("module", "list", "--json")
    assert listed.code == 0, listed.stderr
    assert [(m["name"], m["blocks"]) for m in listed.json()] == [("login-module", 2)]

    updated = revyl("module", "update", "login-module", "--description", "Login v2")
    assert updated.code == 0, updated.stdout + updated.stderr
    versions = revyl("module", "versions", "login-module")
    assert versions.code == 0, versions.stderr
    assert versions.stderr.count("qa@acme.example") == 2  # versions 1 and 2

    restored = revyl("module", "restore", "login-module", "--version", "1")
    assert restored.code == 0, restored.stdout + restored.stderr
    got = revyl("module", "get", login_id := listed.json()[0]["id"], "--json")
    assert (got.json()["description"], got.json()["version"]) == ("Standard login", 3)

    deleted = revyl("module", "delete", login_id, "--force")
    assert deleted.code == 0, deleted.stdout + deleted.stderr


def test_a_test_importing_a_module_is_validated_created_and_run(revyl):
    git = require_client("git", shutil.which("git"), "apt-get install git", "tools")
    home = Path(revyl.home)
    subprocess.run([git, "init", "-q", str(home)], check=True)
    assert revyl("init", "-y").code == 0
    source = home / "uses.yaml"
    source.write_text(USES_MODULE.format(name="uses-login", module="login-module"))
    unknown = revyl("test", "validate", str(source), "--json")
    assert unknown.code == 1
    assert [m["code"] for m in unknown.json()["files"][0]["messages"]] == ["UNKNOWN_MODULE"]

    (home / "blocks.yaml").write_text(BLOCKS)
    assert revyl("module", "create", "login-module", "--from-file",
                 str(home / "blocks.yaml")).code == 0
    created = revyl("test", "create", "--from-file", str(source), "--no-open", "--json")
    assert created.code == 0, created.stdout + created.stderr
    ran = revyl("test", "run", "uses-login", "--json")
    assert ran.code == 0, ran.stderr
    assert ran.json()["status"] == "completed"
    assert "[3/3 steps]" in ran.stderr  # the module's two steps, then the test's own

    refused = revyl("module", "delete", "login-module", "--force")
    assert refused.code == 1 and "in use by 1 test(s): uses-login" in refused.stderr


def test_script_create_list_get_update_usage_delete(revyl):
    home = Path(revyl.home)
    (home / "check.py").write_text('print("total ok")\n')
    created = revyl("script", "create", "check-total", "--runtime", "python", "--file",
                    str(home / "check.py"), "--description", "Checks the total")
    assert created.code == 0, created.stdout + created.stderr
    listed = revyl("script", "list", "--json")
    assert listed.code == 0 and [s["name"] for s in listed.json()] == ["check-total"]

    (home / "check.py").write_text("print(2)\n")
    updated = revyl("script", "update", "check-total", "--file", str(home / "check.py"),
                    "--name", "sum-check")
    assert updated.code == 0, updated.stdout + updated.stderr
    got = revyl("script", "get", "sum-check", "--json")
    assert got.code == 0 and (got.json()["code"], got.json()["runtime"]) == ("print(2)\n",
                                                                             "python")
    usage = revyl("script", "usage", "sum-check", "--json")
    assert usage.code == 0 and usage.json() == {"tests": [], "modules": [], "total": 0}

    deleted = revyl("script", "delete", "sum-check", "--force")
    assert deleted.code == 0, deleted.stdout + deleted.stderr
