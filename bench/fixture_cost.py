"""What one pytest test costs with the emulator's fixtures, against the floor: a test that makes
the same request to a bare FastAPI app through httpx's ASGI transport. Prints figures.

    python bench/fixture_cost.py [--tests 400] [--repeat 3]

Each flavour is a generated test module run by pytest in a subprocess twice, with a few tests
and with ``--tests`` more; the difference over ``--tests`` is the cost of one test, so pytest's
start-up and the app's first build (paid once per process) drop out. Flavours:

- ``bare``: FastAPI app answering ``GET /api/v1/entity/users/get_user_uuid`` with a constant
  body, one ``httpx.AsyncClient`` per test (the floor of issue 18).
- ``emulator``: the ``emulator`` fixture (fresh namespace per test) and the same request.
- ``emulator_sync``: a sync test with ``emulator.sync_client``.
- ``emulator_mock``: a sync test whose ``httpx.Client`` (made once per module, as user code
  keeps one: a new client loads the CA bundle, ~25 ms) gets ``https://backend.revyl.ai/...``
  answered in-process by the ``emulator_mock`` fixture.
- ``emulator_mock_requests``: the same through ``requests.get``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PATH = "/api/v1/entity/users/get_user_uuid"

HEADER = """
import pytest
N = {n}
"""

FLAVOURS = {
    "bare": """
import httpx
from fastapi import FastAPI

app = FastAPI()

@app.get("{path}")
async def who():
    return {{"user_id": "u", "org_id": "o", "email": "e@example.com"}}

@pytest.fixture
async def client():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as c:
        yield c

@pytest.mark.anyio
@pytest.mark.parametrize("i", range(N))
async def test_one(client, i):
    assert (await client.get("{path}")).status_code == 200
""",
    "emulator": """
@pytest.mark.parametrize("i", range(N))
async def test_one(emulator, i):
    assert (await emulator.client.get("{path}")).status_code == 200
""",
    "emulator_sync": """
@pytest.mark.parametrize("i", range(N))
def test_one(emulator, i):
    assert emulator.sync_client.get("{path}").status_code == 200
""",
    "emulator_mock": """
import httpx

CLIENT = httpx.Client()  # user code's client: creating one loads certifi (~25 ms) every time

@pytest.mark.parametrize("i", range(N))
def test_one(emulator_mock, i):
    response = CLIENT.get("https://backend.revyl.ai{path}",
                          headers={{"Authorization": "Bearer key"}})
    assert response.status_code == 200
""",
    "emulator_mock_requests": """
import requests

@pytest.mark.parametrize("i", range(N))
def test_one(emulator_mock, i):
    response = requests.get("https://backend.revyl.ai{path}",
                            headers={{"Authorization": "Bearer key"}})
    assert response.status_code == 200
""",
}
CONFTEST = """
import pytest

@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


def run(folder: Path, flavour: str, n: int) -> float:
    test = folder / f"test_{flavour}_{n}.py"
    body = HEADER.format(n=n) + FLAVOURS[flavour].format(path=PATH)
    test.write_text(textwrap.dedent(body))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:randomly", str(test)], cwd=folder, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{flavour} failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(FLAVOURS))
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(CONFTEST)
        for flavour in args.only:
            best = min(run(folder, flavour, 10 + args.tests) - run(folder, flavour, 10)
                       for _ in range(args.repeat))
            figures[flavour] = best / args.tests * 1000
            print(f"{flavour:24} {figures[flavour]:6.2f} ms per test", flush=True)
    if "bare" in figures:
        for flavour, ms in figures.items():
            if flavour != "bare":
                print(f"{flavour:24} {ms / figures['bare']:5.2f}x bare")


if __name__ == "__main__":
    main()
