"""Nothing of Revyl's state is silently left out of snapshots.

Every attribute of :class:`RevylState` (but the namespace objects it lists in ``SHARED``) is a
service that either snapshots itself through public ``export_state`` / ``restore_state`` or
declares ``stateless`` with its reason. A service added without either fails here; so does one
whose part the codec (emulator/revyl/snapshot.py) forgets to write or to read back: the round
trip below fills every stateful service through its public methods, and each must come back
equal in a fresh namespace, pending timers included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.core.namespaces import Namespace
from emulator.core.snapshots import export_namespace, import_namespace
from emulator.revyl import wire
from emulator.revyl.catalog import RevylFixtures
from emulator.revyl.outcomes import OutcomeScript
from emulator.revyl.state import RevylState, registration
from emulator.settings import DEFAULT_FIXTURES, Settings

LOGIN = "7e570000-0000-4000-8000-000000000001"
CHECKOUT = "7e570000-0000-4000-8000-000000000002"
SMOKE = "f1000000-0000-4000-8000-000000000001"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
REGISTRATION = registration(RevylFixtures.load(DEFAULT_FIXTURES))


def make_namespace(name: str = "codec") -> Namespace:
    # max_finished=2: the test index forgets old executions a workflow still holds.
    return Namespace(name, Settings(clock="manual", seed=0, max_finished=2), (REGISTRATION,))


@pytest.fixture
def namespaces() -> Iterator[list[Namespace]]:
    made: list[Namespace] = []
    yield made
    for ns in made:
        ns.clock.cancel_all()


def services(state: RevylState) -> dict[str, Any]:
    """Everything RevylState made for itself, by attribute name."""
    return {name: value for name, value in vars(state).items() if name not in state.SHARED}


def stateful(state: RevylState) -> dict[str, Any]:
    return {name: value for name, value in services(state).items()
            if getattr(type(value), "stateless", None) is None}


def unsequenced(document: Any) -> Any:
    """Timer sequence numbers are the clock's bookkeeping, renumbered by every import."""
    if isinstance(document, dict):
        return {k: unsequenced(v) for k, v in document.items() if k != "seq"}
    if isinstance(document, list):
        return [unsequenced(v) for v in document]
    return document


def test_every_service_has_a_codec_or_says_why_it_needs_none(
        namespaces: list[Namespace]) -> None:
    namespaces.append(ns := make_namespace())
    state = ns.state(RevylState)
    assert services(state), "RevylState holds no services?"
    problems = []
    for name, service in services(state).items():
        kind = type(service)
        reason = getattr(kind, "stateless", None)
        codec = [m for m in ("export_state", "restore_state") if callable(getattr(kind, m, None))]
        if reason is not None:
            if not isinstance(reason, str) or not reason.strip():
                problems.append(f"{name}: 'stateless' must be a one-line reason, not {reason!r}")
            if codec:
                problems.append(f"{name}: says it is stateless but has {codec}")
        elif len(codec) != 2:
            problems.append(f"{name} ({kind.__name__}): no export_state/restore_state and no "
                            "'stateless' reason: its state would be left out of snapshots")
    assert not problems, "\n".join(problems)


def test_the_codec_exports_every_stateful_service(namespaces: list[Namespace],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    namespaces.append(ns := make_namespace())
    state = ns.state(RevylState)
    called: list[str] = []
    for name, service in stateful(state).items():
        def spy(*args: Any, _name: str = name, _export: Any = service.export_state,
                **kwargs: Any) -> dict[str, Any]:
            called.append(_name)
            part: dict[str, Any] = _export(*args, **kwargs)
            return part
        monkeypatch.setattr(service, "export_state", spy)
    REGISTRATION.codec.export(state, [])
    assert sorted(called) == sorted(stateful(state))


def fill(ns: Namespace) -> RevylState:
    """Some state in every stateful service, through public methods only."""
    state = ns.state(RevylState)
    test = state.definitions.create(name="codec-made", platform="android",
                                    blocks=[{"type": "instructions", "step_description": "Go"}],
                                    app_id=ANDROID_APP, tags=["x"])
    state.variables.add_custom(test.id, "who", "Ada")
    renamed = state.variables.add_custom(test.id, "old-name", "x")
    state.variables.rename_custom(test.id, renamed.id, "new-name")  # custom_variable_ids
    state.variables.add_global("api-key", "s3cret", is_secret=True)  # global_variables
    launch = state.variables.add_launch("API_URL", "https://staging.example")
    state.variables.attach(test.id, [launch.id])  # launch_variables, launch_attachments
    ticket = state.files.open_upload("codec.storekit", 4)  # org_files, org_file_uploads
    state.files.receive(ticket.upload.id, b"{}\n\n")
    state.files.complete(ticket.file.id)
    state.files.set_storekit("test", test.id, "file", ticket.file.id)  # storekit_refs
    state.files.open_upload("pending.json", 2)
    state.account.revoke_cli_key("key-1")  # revoked_api_keys
    state.account.support_request("bug", "it broke", None, {"os": "linux"}, [])
    state.tags.create("codec-tag", "#22C55E")  # tags
    state.definitions.update(test.id, {"description": "v2"}, 1)  # test_versions: v1 and v2
    state.scripts.create(name="codec-script", code="print(1)", runtime="python",
                         description=None)  # scripts
    module = state.modules.create(name="codec-module", description=None, blocks=[
        {"type": "code_execution", "script": "codec-script"}])  # modules
    state.modules.update(module.id, {"description": "v2"}, 1)
    state.builds.store(ANDROID_APP, "7.7.7", "app.apk", b"PK\x03\x04artifact", {"by": "test"},
                       set_as_current=True)
    upload = state.builds.open_upload(ANDROID_APP, "8.8.8", "next.apk",
                                      create_pending_build=True)
    state.builds.receive(upload.id, b"half-way")
    beta = state.branches.create(ANDROID_APP, "beta")  # build_branches, default_branches
    state.branches.set_default(ANDROID_APP, beta.id)
    parts = state.multipart.start(ANDROID_APP, "9.9.9", "big.apk", 10,
                                  max_bytes=1 << 20)  # multipart_uploads
    state.multipart.put_part(parts.upload_id, parts.s3_upload_id, 1,
                             b"PK\x03\x04")  # (build_runs: the runs below)
    state.outcomes.push([OutcomeScript(test_id=CHECKOUT, result="fail", times=3),
                         OutcomeScript(workflow_id=SMOKE, result="timeout")])
    state.workflows.start(SMOKE)
    ns.clock.advance(40)
    for _ in range(3):  # with max_finished=2, the index forgets the children of that run
        state.tests.start(LOGIN)
    ns.clock.advance(40)
    state.tests.start(CHECKOUT, retries=2)
    flow = state.workflow_defs.create("codec-flow", [LOGIN, CHECKOUT])  # workflow settings
    state.workflow_defs.set_run_config(flow.id, {"default_concurrency_limit": 1})
    state.workflow_defs.set_build_config(SMOKE, {
        "build_config": {"android_build": {"app_id": ANDROID_APP}}, "override_build_config": True})
    state.workflow_defs.set_failure_policy(state.workflow_defs.workflow_tests(SMOKE)[1].id,
                                           "ignore_failure")  # the run below: builds, quarantine
    state.workflows.start(SMOKE)  # its timeout deadline stays pending
    ns.clock.advance(5.5)
    return state


def test_every_stateful_service_survives_a_round_trip(namespaces: list[Namespace]) -> None:
    namespaces.append(source := make_namespace())
    namespaces.append(pristine := make_namespace("pristine"))
    state = fill(source)
    untouched = pristine.state(RevylState)
    for name, service in stateful(state).items():
        assert service.export_state() != getattr(untouched, name).export_state(), \
            f"fill() leaves {name} as built: give it some state, so the round trip covers it"
    running = next(e for e in state.tests.by_id.values() if e.status == "running")
    assert running.timer is not None and not running.timer.cancelled
    assert any(e["timer"] for e in state.tests.export_state()["test_executions"])
    assert any(not e["indexed"] for e in
               state.tests.export_state(also=state.workflows.children())["test_executions"])

    document = export_namespace(source)
    namespaces.append(target := make_namespace("target"))
    import_namespace(target, document)
    restored = target.state(RevylState)

    assert unsequenced(export_namespace(target)["revyl"]) == unsequenced(document["revyl"])
    for name, service in stateful(state).items():
        assert unsequenced(getattr(restored, name).export_state()) == \
            unsequenced(service.export_state()), f"{name} did not come back as it was"
    # The pending timers are back at their times: both namespaces go on identically.
    copy = restored.tests.get(running.id)
    assert copy.timer is not None and copy.timer.due == running.timer.due
    for ns in (source, target):
        ns.clock.advance(3)
    assert wire.test_status(copy) == wire.test_status(running)
    source.clock.run_until_idle()
    target.clock.run_until_idle()
    assert unsequenced(export_namespace(target)["revyl"]) == \
        unsequenced(export_namespace(source)["revyl"])
