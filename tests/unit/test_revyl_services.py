"""What the Revyl routes used to do themselves, now service methods, tested without HTTP: the
from-url build import, stream uploads and artifact downloads, report-link lookups, histories
of known tests and workflows, YAML/blocks authoring and the edits around a test definition."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound
from emulator.core.namespaces import Namespace
from emulator.core.snapshots import export_namespace, import_namespace
from emulator.revyl import wire
from emulator.revyl.builds import DownloadRefused
from emulator.revyl.state import RevylState

from ..loopback import serve

LOGIN = "7e570000-0000-4000-8000-000000000001"
SMOKE = "f1000000-0000-4000-8000-000000000001"
ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
FIXTURE_BUILD = "b1000000-0000-4000-8000-000000000002"  # 1.5.0, no bytes stored
NAMESPACE = "services"  # tests/unit/conftest.py builds it
ARTIFACT = b"PK\x03\x04" + b"x" * 64
YAML = """\
test:
  metadata:
    name: yaml-made
    platform: android
    tags: [smoke, 7]
  build:
    name: acme-shop-android
  variables:
    who: Ada
  blocks:
    - type: instructions
      step_description: "Greet {{who}}"
    - type: validation
      step_description: The greeting shows
"""
BLOCKS = [{"type": "instructions", "step_description": "Open the app"}]


class _Artifacts(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(ARTIFACT)))
        self.end_headers()
        self.wfile.write(ARTIFACT)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A loopback artifact host, as a CI job would serve its build."""
    with serve(_Artifacts) as url:
        yield url


async def from_url(state: RevylState, url: str, version: str = "9.0.0",
                   **options: Any) -> Any:
    settings: dict[str, Any] = {"headers": {}, "metadata": {"ci": "yes"},
                                "set_as_current": False, "allow_hosts": [],
                                "max_bytes": 1 << 20, **options}
    return await state.builds.import_from_url(ANDROID_APP, version, url, **settings)


# ------------------------------------------------------------------------------ builds
@pytest.mark.anyio
async def test_from_url_downloads_a_loopback_artifact_and_stores_a_ready_build(
        state: RevylState, server: str) -> None:
    build, reused = await from_url(state, f"{server}/out/app-release.apk", set_as_current=True)
    assert not reused
    assert build.data == ARTIFACT and build.file_name == "app-release.apk"
    assert build.status == "ready"
    assert build.metadata["source"] == "from_url"
    assert build.metadata["from_url"] == f"{server}/out/app-release.apk"
    assert build.metadata["ci"] == "yes"
    assert state.builds.app(ANDROID_APP).current_build_id == build.id


@pytest.mark.anyio
async def test_from_url_is_idempotent_on_app_and_version_without_fetching(
        state: RevylState, server: str) -> None:
    first, _ = await from_url(state, f"{server}/a.apk")
    # A host nobody allowed: answering the stored build again must not even look at it.
    again, reused = await from_url(state, "https://example.com/a.apk")
    assert reused and again is first


@pytest.mark.anyio
@pytest.mark.parametrize(("path", "options", "status", "reason"), [
    ("/missing.apk", {}, 502, "HTTP 404"),
    ("/big.apk", {"max_bytes": 10}, 413,
     "artifact larger than 10 bytes (limit: EMULATOR_MAX_UPLOAD_BYTES)"),
])
async def test_a_failed_download_is_a_502_an_oversized_one_a_413(
        state: RevylState, server: str, path: str, options: dict[str, Any], status: int,
        reason: str) -> None:
    with pytest.raises(ApiError) as caught:
        await from_url(state, server + path, **options)
    assert caught.value.status_code == status
    assert caught.value.detail == f"Failed to download artifact from {server}{path}: {reason}"
    assert state.builds.existing(ANDROID_APP, "9.0.0") is None


@pytest.mark.anyio
async def test_from_url_offline_stores_a_deterministic_placeholder_for_other_hosts(
        state: RevylState) -> None:
    url = "https://expo.dev/artifacts/eas/abc123.apk"
    build, reused = await from_url(state, url)
    assert not reused and build.status == "ready" and build.file_name == "abc123.apk"
    assert build.metadata["source"] == "from_url" and build.metadata["from_url"] == url
    assert build.metadata["placeholder"] is True and build.metadata["ci"] == "yes"
    # A zip whose manifest names the app's package: extraction reads it without a warning.
    assert build.data is not None and build.data.startswith(b"PK\x03\x04")
    assert build.package_name == "com.emulated.acmeshopandroid"
    assert build.metadata["artifact_validation"] == {"warnings": []}
    again, _ = await from_url(state, url, version="9.0.1")
    other, _ = await from_url(state, url, version="9.0.2")
    assert again.data != build.data  # the version is part of the bytes...
    from emulator.revyl.downloads import placeholder
    assert placeholder(url, "9.0.0", "com.emulated.acmeshopandroid") == (build.data,
                                                                          "abc123.apk")
    assert other.data != again.data  # ...and the same (url, version) gives the same bytes


@pytest.mark.anyio
async def test_from_url_strict_refuses_hosts_off_the_allow_list_before_any_download(
        state: RevylState) -> None:
    with pytest.raises(DownloadRefused) as caught:
        await from_url(state, "https://builds.example.com/a.apk", mode="strict")
    assert caught.value.status_code == 502
    assert "only fetches loopback or allow-listed hosts" in caught.value.detail
    assert state.builds.existing(ANDROID_APP, "9.0.0") is None


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["offline", "strict"])
async def test_from_url_magic_fail_host_and_other_schemes_are_502_in_every_mode(
        state: RevylState, mode: str) -> None:
    for url in ("https://fail.emulator.invalid/app.apk", "ftp://files.example.com/a.apk",
                "http://[::1/a.apk"):
        with pytest.raises(DownloadRefused) as caught:
            await from_url(state, url, mode=mode)
        assert caught.value.status_code == 502
    assert state.builds.existing(ANDROID_APP, "9.0.0") is None


@pytest.mark.anyio
async def test_from_url_checks_the_app_and_the_version_it_stores_under(
        state: RevylState, server: str) -> None:
    with pytest.raises(NotFound):
        await state.builds.import_from_url("no-such-app", "1.0", f"{server}/a.apk",
                                           headers={}, metadata={}, set_as_current=False,
                                           allow_hosts=[], max_bytes=1 << 20)
    with pytest.raises(BadRequest):
        await from_url(state, f"{server}/a.apk", version=" ")


def test_a_stream_upload_stores_its_file_and_refuses_an_empty_one(state: RevylState) -> None:
    with pytest.raises(BadRequest, match="empty"):
        state.builds.store_upload(ANDROID_APP, "2.0.0", "a.apk", b"", set_as_current=False)
    build = state.builds.store_upload(ANDROID_APP, "2.0.0", None, ARTIFACT,
                                      set_as_current=False)
    assert build.file_name == "artifact.bin" and build.metadata["source"] == "stream_upload"


def test_only_builds_with_stored_bytes_have_an_artifact(state: RevylState) -> None:
    with pytest.raises(NotFound, match="no stored artifact"):
        state.builds.artifact(FIXTURE_BUILD)
    build = state.builds.store(ANDROID_APP, "2.0.0", "a.apk", ARTIFACT)
    assert state.builds.artifact(build.id).data == ARTIFACT


# ------------------------------------------------------------------------------ executions
def test_a_report_link_finds_its_execution_by_task_or_by_history(state: RevylState) -> None:
    e = state.tests.start(LOGIN)
    assert state.tests.for_report(e.id, None, None) is e
    assert state.tests.for_report(None, LOGIN, e.test_history_id) is e
    assert state.tests.for_report(None, None, e.test_history_id) is e
    with pytest.raises(NotFound):
        state.tests.for_report(None, "another-test", e.test_history_id)
    with pytest.raises(NotFound):
        state.tests.for_report("no-such-task", None, None)
    with pytest.raises(BadRequest):
        state.tests.for_report(None, LOGIN, None)


def test_a_report_link_is_stable_per_namespace_and_execution() -> None:
    link = wire.shareable_link("abc", "task-1", "https://ui.test/", 24)
    assert link == wire.shareable_link("abc", "task-1", "https://ui.test/", 24)
    assert link["shareable_link"].startswith("https://ui.test/tests/report?taskId=task-1&")
    assert link["expires_in_hours"] == 24
    assert wire.shareable_link("other", "task-1", None, 24)["shareable_link"] \
        .startswith(wire.UI_ORIGIN) and link != wire.shareable_link("other", "task-1",
                                                                    "https://ui.test/", 24)


def test_histories_of_unknown_tests_and_workflows_are_404s(state: RevylState) -> None:
    e = state.tests.start(LOGIN)
    wf = state.workflows.start(SMOKE)
    assert state.tests.history_of(LOGIN) == [e]
    assert state.workflows.history_of(SMOKE) == [wf]
    with pytest.raises(NotFound, match="Test not found"):
        state.tests.history_of("nope")
    with pytest.raises(NotFound, match="Workflow not found"):
        state.workflows.history_of("nope")
    with pytest.raises(NotFound, match="Workflow not found"):
        state.workflows.start("nope")


def test_catalog_searches_by_name_in_any_case(state: RevylState) -> None:
    assert [t.name for t in state.catalog.search_tests("LOGIN")] == ["login-flow"]
    assert len(state.catalog.search_tests(None)) == len(state.catalog.tests)
    assert [w.id for w in state.catalog.search_workflows("smo")] == [SMOKE]
    assert state.catalog.workflow(SMOKE).name == "smoke"


def test_the_monitor_reads_the_org_id_of_the_catalog_as_it_changes(ns: Namespace,
                                                                  state: RevylState) -> None:
    document = export_namespace(ns)
    document["revyl"]["org"]["org_id"] = "org-from-snapshot"
    import_namespace(ns, document)
    restored = ns.state(RevylState)
    assert restored.monitor.org_id == "org-from-snapshot"
    assert restored.monitor.connection_ready()["org_id"] == "org-from-snapshot"


# ------------------------------------------------------------------------------ definitions
def test_from_yaml_creates_then_updates_the_test_of_that_name(state: RevylState) -> None:
    made = state.definitions.from_yaml(YAML, {"description": "from a test"})
    assert made.errors == [] and made.test is not None
    assert made.test.tags == ["smoke", "7"] and made.test.variables == {"who": "Ada"}
    assert made.test.app_id == ANDROID_APP and made.test.description == "from a test"
    assert made.metadata["name"] == "yaml-made" and len(made.block_ids) == 2
    again = state.definitions.from_yaml(YAML, None)
    assert again.test is made.test and again.test.version == 2
    assert again.block_ids != made.block_ids  # fresh ids from the namespace's stream


@pytest.mark.parametrize(("text", "expected"), [
    ("test: [", "yaml"),
    (YAML.replace("tags: [smoke, 7]", "tags: [{a: 1}]"), "test.metadata.tags"),
    (YAML.replace("acme-shop-android", "no-such-app"), "App 'no-such-app' not found"),
])
def test_from_yaml_reports_what_it_could_not_make(state: RevylState, text: str,
                                                   expected: str) -> None:
    before = dict(state.catalog.tests)
    made = state.definitions.from_yaml(text, None)
    assert made.test is None and made.errors and expected in made.errors[0]
    assert state.catalog.tests == before


def test_from_blocks_creates_a_test_or_reports_why_not(state: RevylState) -> None:
    made = state.definitions.from_blocks(BLOCKS, {"name": "blocks-made", "platform": "ios"})
    assert made.test is not None and made.test.platform == "ios" and len(made.block_ids) == 1
    clash = state.definitions.from_blocks(BLOCKS, {"name": "blocks-made", "platform": "ios"})
    assert clash.test is None and "already exists" in clash.errors[0]
    bad = state.definitions.from_blocks([{"type": "nonsense"}], {"name": "x"})
    assert bad.test is None and bad.errors


def test_yaml_to_blocks_converts_without_storing(state: RevylState) -> None:
    converted = state.definitions.yaml_to_blocks(YAML)
    assert converted.blocks is not None and len(converted.blocks) == 2
    assert converted.metadata["build"] == {"name": "acme-shop-android"}
    assert "yaml-made" not in [t.name for t in state.catalog.tests.values()]
    assert state.definitions.yaml_to_blocks("test: [").blocks is None


def test_the_clis_create_and_update_answer_400_for_invalid_blocks(state: RevylState) -> None:
    with pytest.raises(ApiError) as caught:
        state.definitions.create_from_tasks(name="t", platform="android",
                                            tasks=[{"type": "nonsense"}], app_id=None,
                                            description=None, tags=None)
    assert caught.value.status_code == 400
    assert caught.value.detail["message"] == "Invalid test blocks"
    test = state.definitions.create_from_tasks(name="t", platform="android", tasks=BLOCKS,
                                               app_id=ANDROID_APP, description=None,
                                               tags=["a"])
    assert test.description == "" and test.tags == ["a"]
    with pytest.raises(ApiError) as caught:
        state.definitions.update_from_tasks(test.id, {}, [{"type": "nonsense"}], None)
    assert caught.value.status_code == 400
    with pytest.raises(NotFound):
        state.definitions.update_from_tasks(test.id, {"app_id": "no-such-app"}, None, None)
    with pytest.raises(Conflict):
        state.definitions.update_from_tasks(test.id, {"name": "u"}, None, 7)
    updated = state.definitions.update_from_tasks(test.id, {"name": "u"}, BLOCKS * 2, 1)
    assert updated.name == "u" and updated.version == 2 and len(updated.steps) == 2


def test_tags_and_device_target(state: RevylState) -> None:
    """Variables and launch-variable attachments: tests/unit/test_revyl_variables_files.py."""
    defs = state.definitions
    assert defs.sync_tags(LOGIN, [" a ", "b", "", "a"]).tags == ["a", "b"]
    assert defs.set_device_target(LOGIN, {"device_model": "Pixel 8"}).device == \
        {"device_model": "Pixel 8"}


def test_delete_test_takes_it_out_of_workflows_and_later_runs(state: RevylState) -> None:
    earlier = state.tests.start(LOGIN)
    deleted = state.catalog.delete_test(LOGIN)
    assert deleted.id == LOGIN and LOGIN not in state.catalog.tests
    assert LOGIN not in state.catalog.workflow(SMOKE).tests
    assert state.tests.get(earlier.id).test_id == LOGIN  # what ran stays readable
    with pytest.raises(NotFound):
        state.tests.start(LOGIN)
    with pytest.raises(NotFound):
        state.catalog.delete_test(LOGIN)
