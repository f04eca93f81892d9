"""WorkflowDefinitions and run_settings without HTTP: names, tests, settings, policies, what a
run takes from them, deletion, and snapshot documents older than the settings."""

import pytest

from emulator.core.clock import VirtualClock
from emulator.core.errors import BadRequest, Conflict, NotFound
from emulator.core.ids import IdGenerator
from emulator.revyl.catalog import Catalog, RevylFixtures
from emulator.revyl.executions import TestExecutions
from emulator.revyl.outcomes import OutcomeQueue
from emulator.revyl.workflow_defs import (
    IGNORE_FAILURE,
    WorkflowDefinitions,
    link_id,
    resolve_build,
    run_settings,
)
from emulator.revyl.workflows import WorkflowExecutions
from emulator.settings import DEFAULT_FIXTURES

SMOKE = "f1000000-0000-4000-8000-000000000001"
LOGIN = "7e570000-0000-4000-8000-000000000001"
CHECKOUT = "7e570000-0000-4000-8000-000000000002"
IOS_TEST = "7e570000-0000-4000-8000-000000000003"
FAILING = "7e570000-0000-4000-8000-000000000004"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
OLD_BUILD, NEW_BUILD = "b1000000-0000-4000-8000-000000000001", \
    "b1000000-0000-4000-8000-000000000002"


@pytest.fixture
def world():
    clock = VirtualClock("manual", epoch=0.0)
    catalog = Catalog(RevylFixtures.load(DEFAULT_FIXTURES), "2026-01-01T00:00:00Z")
    ids = IdGenerator(0, "d")
    outcomes = OutcomeQueue()
    tests = TestExecutions(catalog, clock, ids, outcomes)
    runs = WorkflowExecutions(catalog, clock, ids, outcomes, tests)
    return WorkflowDefinitions(catalog, clock, ids, runs, "ns-key"), runs, clock, catalog


def test_create_rename_and_set_tests(world):
    defs, _, clock, catalog = world
    made = defs.create(" release ", [LOGIN, IOS_TEST, LOGIN])
    assert made.name == "release" and made.tests == [LOGIN, IOS_TEST]
    assert made.owner == catalog.org["user_id"] and made.schedule == "No Schedule"
    assert catalog.workflow(made.id) is made and made in catalog.search_workflows("rel")
    with pytest.raises(Conflict):
        defs.create("smoke", [])
    with pytest.raises(BadRequest):
        defs.create("other", ["nope"])
    with pytest.raises(BadRequest):
        defs.create("  ", [])
    clock.advance(5)
    defs.rename(made.id, "rc")
    assert made.name == "rc" and made.updated_at != made.created_at
    defs.rename(made.id, "rc")  # its own name is not taken
    with pytest.raises(Conflict):
        defs.rename(made.id, "smoke")
    defs.set_tests(made.id, [CHECKOUT])
    assert made.tests == [CHECKOUT]
    with pytest.raises(NotFound):
        defs.set_tests("nope", [])


def test_failure_policies_live_on_attachments(world):
    defs, _, _, catalog = world
    links = defs.workflow_tests(SMOKE)
    assert [(x.test_id, x.failure_policy) for x in links] == [
        (LOGIN, "fail_workflow"), (IOS_TEST, "fail_workflow")]
    assert links[0].id == link_id(SMOKE, LOGIN) != LOGIN
    changed = defs.set_failure_policy(links[1].id, IGNORE_FAILURE)
    assert changed.failure_policy == IGNORE_FAILURE
    assert catalog.workflows[SMOKE].failure_policies == {IOS_TEST: IGNORE_FAILURE}
    defs.set_failure_policy(links[1].id, "fail_workflow")
    assert catalog.workflows[SMOKE].failure_policies == {}
    defs.set_failure_policy(links[1].id, IGNORE_FAILURE)
    defs.set_tests(SMOKE, [LOGIN])
    assert catalog.workflows[SMOKE].failure_policies == {}
    with pytest.raises(NotFound):
        defs.set_failure_policy(links[1].id, IGNORE_FAILURE)  # no longer attached


def test_partial_updates_keep_what_was_not_sent(world):
    defs, _, _, catalog = world
    defs.set_run_config(SMOKE, {"run_config": {"execution_mode": {"retries": 3}},
                                "override_run_config": True})
    defs.set_run_config(SMOKE, {"default_concurrency_limit": None})
    smoke = catalog.workflows[SMOKE]
    assert smoke.run_config == {"execution_mode": {"retries": 3}} and smoke.override_run_config
    assert smoke.concurrency_limit is None
    defs.set_build_config(SMOKE, {"build_config": {"android_build": {"app_id": ANDROID_APP}},
                                  "override_build_config": True})
    defs.set_build_config(SMOKE, {"override_build_config": False})
    assert smoke.build_config == {"android_build": {"app_id": ANDROID_APP}}
    assert smoke.override_build_config is False
    with pytest.raises(NotFound):
        defs.set_build_config(SMOKE, {"build_config": {"ios_build": {"app_id": "nope"}}})


def test_run_settings_precedence(world):
    _, _, _, catalog = world
    smoke = catalog.workflows[SMOKE]  # fixture cap 2, org limit 3
    plain = run_settings(smoke, 3, retries=None, concurrency_limit=None)
    assert (plain.retries, plain.concurrency_limit, plain.build_config,
            plain.location_config, plain.ignored) == (1, 2, None, None, [])
    assert run_settings(smoke, 3, retries=None, concurrency_limit=0).concurrency_limit == 3
    assert run_settings(smoke, 3, retries=None, concurrency_limit=5).concurrency_limit == 5
    smoke.concurrency_limit = None
    assert run_settings(smoke, 3, retries=None, concurrency_limit=None).concurrency_limit == 3
    smoke.run_config = {"execution_mode": {"retries": 3}}
    assert run_settings(smoke, 3, retries=1, concurrency_limit=None).retries == 1  # override off
    smoke.override_run_config = True
    assert run_settings(smoke, 3, retries=1, concurrency_limit=None).retries == 3
    assert run_settings(smoke, 3, retries=4, concurrency_limit=None).retries == 4
    smoke.location_config, smoke.override_location = {"latitude": 1.0, "longitude": 2.0}, True
    smoke.build_config = {"android_build": {"app_id": ANDROID_APP}}
    stored = run_settings(smoke, 3, retries=None, concurrency_limit=None)
    assert stored.location_config == {"latitude": 1.0, "longitude": 2.0}
    assert stored.build_config is None  # saved but its override is off
    request = {"override_location": True, "location_config": {"latitude": 5, "longitude": 6},
               "override_build_config": True,
               "build_config": {"android_build": {"app_id": ANDROID_APP}}}
    asked = run_settings(smoke, 3, retries=None, concurrency_limit=None, request=request)
    assert asked.location_config == {"latitude": 5, "longitude": 6}
    assert asked.build_config == {"android_build": {"app_id": ANDROID_APP}}


@pytest.mark.parametrize("choice, build", [
    ({}, NEW_BUILD),  # the app's current build
    ({"build_selection": "latest"}, NEW_BUILD),
    ({"build_selection": "pinned", "pinned_build_id": OLD_BUILD}, OLD_BUILD),
    ({"pinned_version": "1.4.0"}, OLD_BUILD),
])
def test_resolve_build(world, choice, build):
    _, _, _, catalog = world
    config = {"android_build": {"app_id": ANDROID_APP, **choice}}
    app, found = resolve_build(catalog, config, "android")
    assert app.id == ANDROID_APP and found.id == build
    assert resolve_build(catalog, config, "ios") is None
    assert resolve_build(catalog, {"android_build": {"app_id": "gone"}}, "android") is None


def test_quarantine_and_builds_reach_the_run(world):
    defs, runs, clock, _ = world
    made = defs.create("flaky", [LOGIN, FAILING])
    defs.set_failure_policy(link_id(made.id, FAILING), IGNORE_FAILURE)
    defs.set_build_config(made.id, {"build_config": {"android_build": {
        "app_id": ANDROID_APP, "pinned_build_id": OLD_BUILD}}, "override_build_config": True})
    run = runs.start(made.id)
    clock.run_until_idle()
    assert run.status == "completed" and run.failed_tests == 0 and run.ignored_failures == 1
    login = next(c for c in run.children if c.test_id == LOGIN)
    assert login.build_version_id == OLD_BUILD
    assert run.child_builds[login.id]["build_id"] == OLD_BUILD
    workflow, last = defs.info(made.id)
    assert workflow is made and last[FAILING].status == "failed"


def test_delete_and_share(world):
    defs, runs, clock, catalog = world
    run = runs.start(SMOKE)
    clock.run_until_idle()
    link, children = defs.share_link(run.id, None, include_children=True)
    assert link == defs.share_link(run.id, "https://app.revyl.ai/")[0] and children == 2
    with pytest.raises(NotFound):
        defs.share_link("nope", None)
    workflow, last = defs.delete(SMOKE)
    assert workflow.name == "smoke" and last is run
    assert SMOKE not in catalog.workflows and runs.get(run.id) is run
    with pytest.raises(NotFound):
        runs.start(SMOKE)
    with pytest.raises(NotFound):
        defs.delete(SMOKE)


def test_snapshots_without_the_settings_still_load(world):
    _, _, _, catalog = world
    document = catalog.export_state()
    for workflow in document["workflows"]:  # a document from before workflow settings
        for key in list(workflow):
            if key not in ("id", "name", "description", "tests", "concurrency_limit"):
                del workflow[key]
    catalog.restore_state(document)
    smoke = catalog.workflows[SMOKE]
    assert smoke.failure_policies == {} and smoke.override_build_config is False
    assert smoke.schedule == "No Schedule" and smoke.concurrency_limit == 2
