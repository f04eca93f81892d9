"""The Variables, Files and Account services without HTTP: ids that survive renames,
placeholder resolution and its precedence, the launch environment a run starts with, the
presigned file flow and StoreKit references, and the metrics computed from the state."""

from __future__ import annotations

import pytest

from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge
from emulator.core.namespaces import Namespace
from emulator.revyl.state import RevylState
from emulator.revyl.variables import LAUNCH_SNAPSHOT, global_doc, launch_doc

LOGIN = "7e570000-0000-4000-8000-000000000001"
FAILING = "7e570000-0000-4000-8000-000000000004"
SMOKE = "f1000000-0000-4000-8000-000000000001"
IOS_APP = "a1000000-0000-4000-8000-000000000002"
NAMESPACE = "variables"  # tests/unit/conftest.py builds it


def test_custom_variable_ids_survive_renames_and_stay_unique(state: RevylState) -> None:
    v = state.variables
    before = {x.name: x.id for x in v.custom(LOGIN)}
    added = v.add_custom(LOGIN, "otp", "1")
    assert v.custom(LOGIN)[-1] == added
    renamed = v.rename_custom(LOGIN, added.id, "otp-code")
    assert (renamed.id, renamed.name, renamed.value) == (added.id, "otp-code", "1")
    fresh = v.add_custom(LOGIN, "otp", "2")  # the old name's derived id is taken
    ids = [x.id for x in v.custom(LOGIN)]
    assert len(set(ids)) == len(ids) == 4 and fresh.id != added.id
    assert {x.name: x.id for x in v.custom(LOGIN)}.items() >= before.items()
    assert v.set_custom_value(LOGIN, added.id, "9").value == "9"
    with pytest.raises(Conflict):
        v.rename_custom(LOGIN, added.id, "otp")
    with pytest.raises(BadRequest):
        v.add_custom(LOGIN, "not ok", "")
    with pytest.raises(NotFound):
        v.set_custom_value(LOGIN, "nope", "")
    assert v.delete_custom(LOGIN, "otp-code").id == added.id
    assert v.find_custom(LOGIN, "otp-code") is None
    # A definition update bringing the renamed name back: ids stay unique.
    v.rename_custom(LOGIN, fresh.id, "renamed")
    state.catalog.test(LOGIN).variables["otp"] = "back"
    ids = [x.id for x in v.custom(LOGIN)]
    assert len(set(ids)) == len(ids)
    assert v.clear_custom(LOGIN) == 4 and v.custom(LOGIN) == []


def test_globals_hide_secrets_and_refuse_duplicates(state: RevylState) -> None:
    v = state.variables
    secret = v.add_global("token", "t", is_secret=True)
    doc = global_doc(secret, state.catalog.org)
    assert (doc["variable_value"], doc["has_secret_value"]) == (None, True)
    assert global_doc(v.add_global("empty", "", True), state.catalog.org)[
        "has_secret_value"] is False
    with pytest.raises(Conflict):
        v.add_global("token", "x")
    assert v.update_global(secret.id, "api-token", None, False).value == "t"
    with pytest.raises(Conflict):
        v.update_global(secret.id, "empty", "x", None)
    v.delete_global(secret.id)
    with pytest.raises(NotFound):
        v.delete_global(secret.id)


def test_steps_resolve_override_then_test_then_global(state: RevylState) -> None:
    v = state.variables
    v.add_global("email", "g@x")
    v.add_global("pin", "1234", is_secret=True)
    test = state.catalog.test(LOGIN)
    steps = ["{{email}} {{ password }} {{global.email}} {{global.pin}} {{nope}} {{pin}}"]
    assert v.resolve_steps(steps, test, {}) == [
        "qa@acme.example hunter2 g@x ******** {{nope}} ********"]
    assert v.resolve_steps(steps, test, {"email": "o@x", "global.email": "og@x"}) == [
        "o@x hunter2 og@x ******** {{nope}} ********"]
    test.variables["email"] = ""  # a name-only variable: filled at run time, not here
    assert v.resolve_steps(["{{email}}"], test, {}) == ["g@x"]
    assert v.resolve_steps(["{{email}}"], None, {}) == ["g@x"]


def test_a_run_starts_with_resolved_steps_and_its_launch_env(state: RevylState,
                                                            ns: Namespace) -> None:
    v = state.variables
    url = v.add_launch("API_URL", "https://s", "Backend")
    token = v.add_launch("TOKEN", "t", is_secret=True)
    v.attach(LOGIN, [url.id, token.id])
    run = state.tests.start(LOGIN, request={"variable_overrides": {"email": "run@x"},
                                            "launch_env_vars": {"TOKEN": "inline"}})
    assert run.plan.steps[2].startswith("Type run@x into the email field")
    assert [(e["key"], e["value"], e["is_secret"], e["overridden"])
            for e in run.request[LAUNCH_SNAPSHOT]] == [
        ("API_URL", "https://s", False, False), ("TOKEN", "inline", False, True)]
    plain = state.tests.start(FAILING)
    assert LAUNCH_SNAPSHOT not in plain.request
    wf = state.workflows.start(SMOKE, request={"variable_overrides": {"email": "wf@x"}})
    ns.clock.advance(5)
    child = next(c for c in wf.children if c.test_id == LOGIN)
    assert child.plan.steps[2].startswith("Type wf@x")
    assert child.request[LAUNCH_SNAPSHOT][0]["key"] == "API_URL"


def test_launch_variables_attach_update_and_delete_detaches(state: RevylState) -> None:
    v = state.variables
    url = v.add_launch("API_URL", "u")
    with pytest.raises(Conflict):
        v.add_launch("API_URL", "x")
    with pytest.raises(BadRequest):
        v.add_launch("A B", "x")
    assert [x.key for x in v.attach(LOGIN, [url.id, url.id])] == ["API_URL"]
    with pytest.raises(Conflict, match="nope"):
        v.attach(LOGIN, ["nope"])
    with pytest.raises(NotFound):
        v.attach("no-test", [])
    assert v.attached_count(url.id) == 1
    secret = v.update_launch(url.id, {"is_secret": True, "description": ""})
    doc = launch_doc(secret, state.catalog.org, 1)
    assert (doc["value"], doc["has_value"], "description" in doc) == ("", True, False)
    assert v.delete_launch(url.id)[1] == 1 and v.attached(LOGIN) == []


def test_file_upload_replace_and_storekit(state: RevylState, ns: Namespace) -> None:
    files = state.files
    ticket = files.open_upload("Premium.storekit", 2, description="IAP")
    assert files.listing(10, 0) == ([], 0)
    with pytest.raises(BadRequest):
        files.complete(ticket.file.id)
    files.receive(ticket.upload.id, b"{}")
    done = files.complete(ticket.file.id)
    assert (done.status, done.data, done.description) == ("uploaded", b"{}", "IAP")
    assert files.complete(done.id) is done  # repeated: nothing pending
    ref = files.set_storekit("app", IOS_APP, "file", done.id)
    assert files.storekit_ref("app", IOS_APP) is ref
    again = files.open_replace(done.id, "v2.storekit", 3)
    files.receive(again.upload.id, b"abc")
    assert files.uploaded(done.id).data == b"{}"
    with pytest.raises(BadRequest):
        files.complete(done.id, s3_key="org-files/other")
    assert files.complete(done.id, again.s3_key).data == b"abc"
    with pytest.raises(BadRequest):
        files.open_upload("x.exe", 1)
    with pytest.raises(PayloadTooLarge):
        files.open_upload("x.mp4", 501 * 1024 * 1024)
    late = files.open_upload("late.txt", 1)
    ns.clock.advance(3601)
    with pytest.raises(ApiError) as expired:
        files.receive(late.upload.id, b"x")
    assert expired.value.status_code == 403
    files.delete(done.id)
    with pytest.raises(NotFound):
        files.uploaded(done.id)
    with pytest.raises(NotFound):
        files.set_storekit("test", LOGIN, "file", done.id)
    assert files.set_storekit("test", LOGIN, "disabled", None).file_id is None
    with pytest.raises(BadRequest):
        files.set_storekit("test", LOGIN, "auto", None)
    files.clear_storekit("test", LOGIN)
    files.clear_storekit("test", LOGIN)  # nothing set: still fine
    assert files.storekit_ref("test", LOGIN) is None


def test_dashboard_metrics_follow_runs_and_account_records(state: RevylState,
                                                          ns: Namespace) -> None:
    account = state.account
    assert account.dashboard_metrics()["avg_test_duration"] is None
    state.tests.start(LOGIN)
    state.tests.start(FAILING)
    ns.clock.advance(120)
    metrics = account.dashboard_metrics()
    assert (metrics["test_runs"], metrics["tests_failing_count"],
            metrics["tests_failing_percent"]) == (2, 1, 25.0)
    state.tests.start(FAILING, script=None)
    assert account.dashboard_metrics()["tests_failing_count"] == 1  # the latest finished
    account.revoke_cli_key("k")
    with pytest.raises(NotFound):
        account.revoke_cli_key("k")
    for i in range(205):
        account.support_request("other", f"m{i}", None, {}, [])
    assert len(account.support_requests) == 200
    assert account.support_requests[-1].message == "m204"
    history = state.tests.history(LOGIN)[0].test_history_id
    with pytest.raises(NotFound, match="No device logs"):
        account.device_logs(history)
    with pytest.raises(NotFound, match="Report not found"):
        account.device_logs("nope")
