"""The official CLI's variable, org-file and account commands against a live emulator: what it
creates is listed, used by a run, changed and deleted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"


@pytest.fixture
def no_browser(tmp_path, monkeypatch):
    """``revyl auth billing`` opens the billing page with xdg-open: a stub that fails makes
    the CLI print the URL instead (asked for before ``revyl``, whose environment copies
    PATH)."""
    stubs = tmp_path / "no-browser"
    stubs.mkdir()
    stub = stubs / "xdg-open"
    stub.write_text("#!/bin/sh\nexit 1\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{stubs}{os.pathsep}{os.environ.get('PATH', '')}")


def test_variables_are_used_by_a_run_and_shown_in_its_report(revyl):
    assert revyl("test", "var", "set", "login-flow", "email=cli@example.com").code == 0
    renamed = revyl("test", "var", "rename", "login-flow", "password", "pass-word")
    assert renamed.code == 0, renamed.stderr
    listed = revyl("test", "var", "list", "login-flow")  # a table, on stderr
    assert "cli@example.com" in listed.stderr and "{{pass-word}}" in listed.stderr
    assert revyl("global", "var", "set", "otp=123456", "--secret").code == 0
    secret = revyl("global", "var", "get", "otp")
    assert secret.stdout.strip() == "********"  # never read back
    created = revyl("global", "launch-var", "create", "API_URL=https://staging.example",
                    "--description", "Backend", "--json")
    assert created.code == 0, created.stderr
    launch_id = created.json()["result"]["id"]
    assert revyl("test", "launch-var", "attach", "login-flow", "API_URL").code == 0

    run = revyl("test", "run", "login-flow", "--var", "email=run@example.com",
                "--launch-env", "DEBUG=1", "--json")
    assert run.code == 0, run.stderr
    task = run.json()["task_id"]
    summary = revyl("run", "summary", task, "--id-kind", "session", "--json")
    assert summary.code == 0, summary.stderr
    # The run's override beats the test variable; the renamed one no longer fills the step.
    assert summary.json()["steps"][2]["description"] == \
        "Type run@example.com into the email field and {{password}} into the password field"
    report = revyl("run", "inspect", task, "--json")
    assert report.code == 0, report.stderr
    overview = report.json()["items"][0]["value"]
    assert overview["launch_env_var_ids"] == [launch_id]
    assert overview["launch_env_var_keys"] == ["API_URL", "DEBUG"]

    deleted = revyl("global", "launch-var", "delete", "API_URL", "--force", "--json")
    assert deleted.code == 0, deleted.stderr
    assert deleted.json()["detached_test_count"] == 1


def test_file_upload_list_download_replace_delete(revyl):
    home = Path(revyl.home)
    (home / "staging.pem").write_bytes(b"-----BEGIN CERT-----\n")
    uploaded = revyl("file", "upload", str(home / "staging.pem"), "--description", "TLS")
    assert uploaded.code == 0, uploaded.stderr
    listed = revyl("file", "list", "--json")
    assert listed.code == 0, listed.stderr
    [entry] = listed.json()["files"]
    assert (entry["filename"], entry["file_size"], entry["description"]) == \
        ("staging.pem", 21, "TLS")
    downloaded = revyl("file", "download", "staging.pem", str(home / "copy.pem"))
    assert downloaded.code == 0, downloaded.stderr
    assert (home / "copy.pem").read_bytes() == b"-----BEGIN CERT-----\n"
    (home / "rotated.pem").write_bytes(b"rotated")
    replaced = revyl("file", "edit", "staging.pem", "--file", str(home / "rotated.pem"),
                     "--name", "prod.pem")
    assert replaced.code == 0, replaced.stderr
    assert revyl("file", "delete", "prod.pem", "--force").code == 0
    assert revyl("file", "list", "--json").json() == {"files": [], "count": 0}


def test_billing_plan_and_feedback(no_browser, revyl):
    billing = revyl("auth", "billing")
    assert billing.code == 0, billing.stderr
    assert "Enterprise (emulated)" in billing.stdout + billing.stderr
    feedback = revyl("feedback", "--type", "bug", "--body", "rebuild hangs", "--json")
    assert feedback.code == 0, feedback.stderr
    assert feedback.json() == {"sent": True}
