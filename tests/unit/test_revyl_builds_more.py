"""Services behind CLI 0.1.195's build routes, without HTTP: branches and resolution, build
runs, multipart uploads, and the offline from-url placeholder."""

from __future__ import annotations

import pytest

from emulator.core.errors import ApiError, BadRequest, Conflict, NotFound
from emulator.core.namespaces import Namespace
from emulator.revyl import artifacts
from emulator.revyl.branches import first_branch_id
from emulator.revyl.downloads import placeholder
from emulator.revyl.multipart import S3Error, parse_complete
from emulator.revyl.state import RevylState
from tests.unit.revyl_world import revyl_namespace

ANDROID_APP = "a1000000-0000-4000-8000-000000000001"
B150 = "b1000000-0000-4000-8000-000000000002"
LOGIN = "7e570000-0000-4000-8000-000000000001"
NAMESPACE = "builds-more"  # tests/unit/conftest.py builds it


# ------------------------------------------------------------------------------ placeholder
@pytest.mark.parametrize(("name", "kind"), [
    ("app-release.apk", "apk"), ("Shop.zip", "ios_app"), ("Shop.tar.gz", "ios_app"),
    ("Shop.tgz", "ios_app"), ("Shop.tar", "ios_app")])
def test_placeholders_are_deterministic_archives_that_name_the_package(name: str,
                                                                       kind: str) -> None:
    url = f"https://expo.dev/artifacts/eas/{name}"
    data, file_name = placeholder(url, "1.0", "com.emulated.shop")
    assert file_name == name and placeholder(url, "1.0", "com.emulated.shop")[0] == data
    assert placeholder(url, "1.1", "com.emulated.shop")[0] != data
    info = artifacts.inspect(data, file_name)
    assert (info.kind, info.package_id, info.warnings) == (kind, "com.emulated.shop", [])


def test_a_placeholder_without_a_known_extension_is_a_few_bytes_of_text() -> None:
    data, name = placeholder("https://cdn.example.com/builds/latest", "2.0", "com.x")
    assert name == "latest" and b"url: https://cdn.example.com/builds/latest" in data
    assert placeholder("https://cdn.example.com/", "2.0", "com.x")[1] == "artifact.bin"


# ------------------------------------------------------------------------------ branches
def test_the_first_branch_needs_no_id_from_the_stream_and_is_stored_once_renamed(
        state: RevylState, ns: Namespace) -> None:
    before = ns.ids.getstate()
    app, branches = state.branches.listing(ANDROID_APP)
    assert [(b.id, b.name) for b in branches] == [(first_branch_id(ANDROID_APP), "main")]
    assert ns.ids.getstate() == before and state.branches.export_state()["build_branches"] == []
    state.branches.update(ANDROID_APP, branches[0].id, {"name": "trunk"})
    assert state.branches.export_state()["build_branches"][0]["name"] == "trunk"
    assert state.branches.default(app).name == "trunk"


def test_branch_rules_names_pins_defaults_and_app_deletion(state: RevylState) -> None:
    beta = state.branches.create(ANDROID_APP, "  beta ")
    assert beta.name == "beta"
    with pytest.raises(Conflict):
        state.branches.create(ANDROID_APP, "beta")
    with pytest.raises(BadRequest):
        state.branches.create(ANDROID_APP, "x" * 201)
    with pytest.raises(NotFound, match="App not found"):
        state.branches.create("nope", "beta")
    # The first branch's pin is the app's current build.
    main = state.branches.get(ANDROID_APP, first_branch_id(ANDROID_APP))
    state.branches.update(ANDROID_APP, main.id, {"pinned_build_id": None})
    assert state.catalog.apps[ANDROID_APP].current_build_id is None
    state.branches.update(ANDROID_APP, beta.id, {"pinned_build_id": B150})
    assert beta.pinned_build_id == B150
    state.branches.set_default(ANDROID_APP, beta.id)
    assert state.branches.export_state()["default_branches"] == {ANDROID_APP: beta.id}
    state.branches.set_default(ANDROID_APP, main.id)
    assert state.branches.export_state()["default_branches"] == {}
    state.branches.set_default(ANDROID_APP, beta.id)
    state.builds.delete_app(ANDROID_APP)
    assert state.branches.export_state() == {"build_branches": [], "default_branches": {}}


def test_uploads_land_on_the_named_branch_created_on_first_use(state: RevylState) -> None:
    build = state.builds.store(ANDROID_APP, "2.0", "a.apk", b"PK\x03\x04", {},
                               branch_name="feature", pin=True)
    app = state.catalog.apps[ANDROID_APP]
    feature = state.branches.by_name(app, "feature")
    assert feature is not None and build.branch_id == feature.id
    assert feature.pinned_build_id == build.id
    on_main = state.builds.store(ANDROID_APP, "2.1", "a.apk", b"PK\x03\x04", {}, pin=True)
    assert on_main.branch_id is None and app.current_build_id == on_main.id
    with pytest.raises(NotFound):
        state.builds.store(ANDROID_APP, "2.2", "a.apk", b"x", {}, branch_id="nope")


def test_resolution_follows_the_pin_then_the_newest_build(state: RevylState) -> None:
    app = state.catalog.apps[ANDROID_APP]
    found = state.branches.resolve(ANDROID_APP)
    assert found.build is not None and found.build.id == B150 and found.status == "resolved"
    newer = state.builds.store(ANDROID_APP, "3.0", "a.apk", b"PK\x03\x04", {})
    assert state.branches.resolve(ANDROID_APP).build is app.current_build()  # pinned 1.5.0
    latest = state.branches.resolve(ANDROID_APP, selection="latest")
    assert latest.build is newer and latest.source == "default_branch"
    app.current_build_id = None  # unpinned: the branch follows its newest build
    assert state.branches.resolve(ANDROID_APP, selection="inherit").build is newer
    with pytest.raises(BadRequest):
        state.branches.resolve(ANDROID_APP, selection="sometimes")


# ------------------------------------------------------------------------------ build runs
def test_runs_are_attributed_when_created_from_the_request_or_the_default_branch(
        state: RevylState) -> None:
    beta_build = state.builds.store(ANDROID_APP, "2.0", "a.apk", b"PK\x03\x04", {},
                                    branch_name="beta")
    implicit = state.tests.start(LOGIN)
    by_branch = state.tests.start(LOGIN, request={"branch_name": "beta"})
    unknown = state.tests.start(LOGIN, request={"branch_name": "gone"})
    named = state.tests.start(LOGIN, build_version_id=beta_build.id)
    assert [e.id for e in state.build_runs.runs_of(B150)] == [implicit.id]
    assert {e.id for e in state.build_runs.runs_of(beta_build.id)} == {by_branch.id, named.id}
    assert unknown.id not in state.build_runs.export_state()["build_runs"]
    state.build_runs.restore_state({})  # a document from before build runs
    assert state.build_runs.runs_of(B150) == []


def test_a_test_without_an_app_ran_against_no_build(state: RevylState) -> None:
    test = state.definitions.create(name="appless", platform="android",
                                    blocks=[{"type": "instructions", "step_description": "Go"}],
                                    app_id=None, tags=[])
    state.tests.start(test.id)
    assert state.build_runs.export_state() == {"build_runs": {}}


# ------------------------------------------------------------------------------ multipart
def test_complete_documents_are_read_strictly() -> None:
    ns_xml = (b'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
              b'<Part><PartNumber>1</PartNumber><ETag>"ab"</ETag></Part>'
              b"</CompleteMultipartUpload>")
    assert parse_complete(ns_xml) == [(1, '"ab"')]
    for bad in (b"", b"<CompleteMultipartUpload/>", b"not xml",
                b"<CompleteMultipartUpload><Part><PartNumber>\xc2\xb2</PartNumber>"
                b"<ETag>x</ETag></Part></CompleteMultipartUpload>",
                b"<CompleteMultipartUpload><Part><ETag>x</ETag></Part>"
                b"</CompleteMultipartUpload>"):
        with pytest.raises(S3Error) as caught:
            parse_complete(bad)
        assert (caught.value.code, caught.value.status_code) == ("MalformedXML", 400)


def test_multipart_parts_order_sizes_and_expiry(state: RevylState, ns: Namespace) -> None:
    session = state.multipart.start(ANDROID_APP, "8.0", "big.apk", 20, max_bytes=100)
    session.part_size = 8  # three parts of 8, 8, 4 bytes
    upload, s3 = session.upload_id, session.s3_upload_id
    tags = [state.multipart.put_part(upload, s3, n, b"x" * size)
            for n, size in ((1, 8), (2, 4), (3, 4))]
    with pytest.raises(S3Error, match="Parts must be listed"):
        state.multipart.complete(upload, s3, _xml([(2, tags[1]), (1, tags[0])]))
    with pytest.raises(S3Error) as small:
        state.multipart.complete(upload, s3, _xml(list(zip((1, 2, 3), tags, strict=True))))
    assert small.value.code == "EntityTooSmall"
    with pytest.raises(S3Error) as large:
        state.multipart.put_part(upload, s3, 2, b"y" * 9)
    assert large.value.code == "EntityTooLarge"
    with pytest.raises(S3Error) as other:
        state.multipart.put_part(upload, "another-upload", 2, b"y" * 8)
    assert other.value.code == "NoSuchUpload"
    ns.clock.advance(24 * 3600 + 1)
    with pytest.raises(S3Error) as expired:
        state.multipart.put_part(upload, s3, 2, b"y" * 8)
    assert (expired.value.code, expired.value.status_code) == ("AccessDenied", 403)
    with pytest.raises(ApiError) as gone:
        state.multipart.resume(ANDROID_APP, session.upload_id, session.s3_upload_id, "8.0",
                               "big.apk", 20)
    assert gone.value.status_code == 410


def test_multipart_sessions_survive_a_snapshot_with_their_parts(state: RevylState,
                                                               ns: Namespace) -> None:
    session = state.multipart.start(ANDROID_APP, "8.0", "big.apk", 3, max_bytes=100)
    state.multipart.put_part(session.upload_id, session.s3_upload_id, 1, b"\x00\xff\x01")
    document = state.multipart.export_state()
    other = revyl_namespace("builds-more-2")
    try:
        target = other.state(RevylState)
        target.builds.restore_state(state.builds.export_state())
        target.multipart.restore_state(document)
        assert target.multipart.export_state() == document
        target.multipart.restore_state({})  # older documents have none
        assert target.multipart.sessions == {}
    finally:
        other.clock.cancel_all()


def _xml(parts: list[tuple[int, str]]) -> bytes:
    return ("<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{t}</ETag></Part>" for n, t in parts)
        + "</CompleteMultipartUpload>").encode()
