"""``/_emulator/ui`` in a real headless Chromium against a live server.

The page is loaded with ``?updates=1``: its script closes the live stream after the first
snapshot it renders. Headless Chromium's ``--virtual-time-budget`` waits for every pending
fetch, and an open EventSource is one forever; once closed, the budget runs out and the DOM
dumped (or the screenshot taken) is the one the script rendered from the stream.

Chromium comes from apt (``apt-get install chromium`` on Debian). Without a binary the test is
skipped, or fails when ``EMULATOR_REQUIRE_CLIENTS`` names ``chromium``.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.live.conftest import require_client

pytestmark = pytest.mark.live

LOGIN = "7e570000-0000-4000-8000-000000000001"
SDK_HEADERS = {"teamid": "emu-team", "uuid": "emu-user"}
START = {"command": "start", "dynamic_variables": {}, "runtime_variables": {},
         "miscellaneous": {}, "thread_to_node_inputs": {"0": {"node_run_inputs": []}}}
WIDTH, HEIGHT = 1280, 900
BLANK_PAGE_BYTES = 20_000  # a blank 1280x900 page is ~5 KB; the dashboard is ~60 KB


@pytest.fixture(scope="session")
def chromium() -> str:
    found = (shutil.which("chromium") or shutil.which("chromium-browser")
             or shutil.which("google-chrome"))
    return require_client("Chromium", found, "apt-get install chromium", "chromium")


def headless(binary: str, profile: Path, url: str, *args: str) -> str:
    done = subprocess.run(
        [binary, "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
         f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
         "--virtual-time-budget=3000", *args, url],
        capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def png_facts(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the decompressed image data)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # IHDR follows the signature
    idat, at = b"", 8
    while at < len(data):
        (length,), kind = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def setup_namespace(url: str, token: str) -> tuple[str, str]:
    """A Revyl test execution and an Interactly run (one turn), through the public APIs."""
    auth = {"Authorization": f"Bearer {token}"}
    execution = httpx.post(f"{url}/api/v1/execution/api/execute_test_id_async",
                           json={"test_id": LOGIN}, headers=auth)
    assert execution.status_code == 200, execution.text
    headers = {**auth, **SDK_HEADERS}
    workflow = httpx.post(f"{url}/v1/workflows", json={"name": "dashboard <b>live</b>"},
                          headers=headers)
    assert workflow.status_code == 200, workflow.text
    wid = workflow.json()["workflow"]["_id"]
    run = httpx.post(f"{url}/v1/workflows/{wid}/execute", json={"run_input": START},
                     headers=headers)
    assert run.status_code == 200, run.text
    return execution.json()["task_id"], run.json()["run_id"]


def test_dashboard_renders_live_in_headless_chromium(chromium, emulator_server, tmp_path):
    token = f"ui-{uuid.uuid4().hex[:10]}"
    task, run_id = setup_namespace(emulator_server.url, token)
    page = f"{emulator_server.url}/_emulator/ui?{urlencode({'token': token, 'updates': 1})}"

    dom = headless(chromium, tmp_path / "dom", page, "--dump-dom")
    main = re.search(r'<main id="dashboard"([^>]*)>(.*)</main>', dom, re.S)
    assert main, dom[-3000:]
    attributes, content = main.groups()
    assert 'data-live-updates="1"' in attributes, "the script never rendered a snapshot"
    assert 'data-updates="1"' in dom and "stopped after 1" in dom
    assert task in content and run_id in content
    assert "login-flow" in content and "dashboard &lt;b&gt;live&lt;/b&gt;" in content
    assert "<b>live</b>" not in content  # set with textContent, never parsed as HTML
    assert 'data-advance="60"' in content  # the controls, re-rendered by the script

    shot = tmp_path / "dashboard.png"
    headless(chromium, tmp_path / "shot", page, f"--screenshot={shot}")
    assert shot.exists(), "no screenshot written"
    width, height, distinct = png_facts(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    assert shot.stat().st_size > BLANK_PAGE_BYTES, "the screenshot looks blank"
    assert distinct > 32, "the screenshot has almost no distinct pixel data"
