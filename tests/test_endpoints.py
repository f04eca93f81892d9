"""The endpoint inventory (tests/endpoints.py) against the app, the tests and the generated
coverage pages of the documentation site (docs/coverage-*.md), and the seed routes of
spec/revyl.md §0.2 against the app."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from emulator.app import create_app
from emulator.settings import Settings

from .endpoints import ENDPOINTS, INTERACTLY, cli_coverage, pages, render
from .revyl_cli_paths import CLI_PATHS, FAMILIES, OUT_OF_SCOPE_FAMILIES

TESTS = Path(__file__).resolve().parent
SPEC = TESTS.parent.parent / "shared" / "spec" / "revyl.md"
IA_SPEC = SPEC.with_name("interactly.md")
# Listed in spec §4 as removed from the API.
RETIRED = {("POST", "/v1/workflows/{id}/runs/{id}/checkpoint-run")}
GENERIC = ({"detail": "Not Found"}, {"detail": "Method Not Allowed"})

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(clock="manual"))


async def mounted(app, method: str, path: str) -> bool:
    """A route exists when the answer is not the router's own 404/405 (an application 404
    such as "App not found" still proves the route is there)."""
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    if "/_emulator/uploads/" in concrete:
        concrete = "/_emulator/uploads/unknown-namespace/x"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e",
                                 headers={"Authorization": "Bearer inventory"}) as client:
        if "stream/unified" in path:  # a live stream never ends; its 401 proves the route
            response = await client.get(concrete, headers={"Authorization": ""})
            return response.status_code == 401
        response = await client.request(method, concrete, json={})
    try:
        body = response.json()
    except ValueError:
        return True
    return not (response.status_code in (404, 405) and body in GENERIC)


@pytest.mark.parametrize("method, path", [(e[0], e[1]) for e in ENDPOINTS])
async def test_every_inventoried_endpoint_is_mounted(app, method, path):
    assert await mounted(app, method, path), f"{method} {path} is not mounted"


@pytest.mark.parametrize("prefix", ["", "/workflows"])
@pytest.mark.parametrize("method, path", [(e[0], e[1]) for e in INTERACTLY])
async def test_every_interactly_route_is_mounted_under_both_prefixes(app, method, path, prefix):
    if method == "WS":
        from starlette.testclient import TestClient
        from starlette.websockets import WebSocketDisconnect

        with TestClient(app) as client:
            try:
                with client.websocket_connect(prefix + path, headers={
                        "Authorization": "Bearer inventory"}):
                    pass  # accepted: the route is there
            except WebSocketDisconnect as refused:  # what an unknown path gets
                pytest.fail(f"{prefix}{path} refused the upgrade ({refused.code})")
    elif path == "/v1/session":
        assert await mounted(app, method, path)  # the gateway root only
    else:
        assert await mounted(app, method, prefix + path), f"{method} {prefix}{path}"


def test_every_path_the_revyl_cli_calls_is_served_or_out_of_scope_with_a_reason():
    missing = [f"{cli.method} {cli.path} ({cli.family}, {cli.source})"
               for cli, entry, reason in cli_coverage() if entry is None and reason is None]
    assert missing == [], "served nowhere and not out of scope"


def test_the_cli_inventory_is_well_formed():
    keys = [(cli.method, cli.path) for cli in CLI_PATHS]
    assert len(keys) == len(set(keys)) and len(keys) > 150
    assert {cli.family for cli in CLI_PATHS} <= set(FAMILIES)
    assert all(reason.strip() for reason in OUT_OF_SCOPE_FAMILIES.values())
    assert all(re.match(r"[\w/.-]+\.go:\d+", cli.source) for cli in CLI_PATHS)


@pytest.mark.parametrize("test_file, test_name",
                         sorted({(e[3], e[4]) for e in [*ENDPOINTS, *INTERACTLY]}))
def test_every_covering_test_exists(test_file, test_name):
    source = (TESTS / test_file).read_text()
    assert re.search(rf"^(async )?def {test_name}\(", source, re.M), f"{test_file}::{test_name}"


@pytest.mark.parametrize("page", sorted(pages()), ids=lambda page: page.name)
def test_coverage_table_is_current(page):
    assert page.exists(), f"{page} is missing: the coverage tables live there"
    text = page.read_text()
    start, end, _ = pages()[page]
    assert text.count(start) == 1 and text.count(end) == 1, f"{page}: one {start} ... {end}"
    assert text.index(start) < text.index(end)
    assert text == render(page, text), "stale: run python -m tests.endpoints"


def seed_routes() -> list[tuple[str, str]]:
    section = SPEC.read_text().split("### 0.2", 1)[1].split("\n---", 1)[0]
    routes = []
    for line in section.splitlines():
        for method, paths in re.findall(r"`((?:GET|POST|PATCH|DELETE|PUT)(?:/[A-Z]+)*) ([^`]+)`",
                                        line):
            base = paths.split("?")[0]
            for m in method.split("/"):
                for path in re.sub(r"\{[^}]+\}", "{id}", base).split(", "):
                    routes.append((m, path))
    return routes


@pytest.mark.skipif(not SPEC.exists(), reason=f"{SPEC} is not beside the repo")
async def test_every_seed_route_of_spec_section_0_2_is_mounted(app):
    routes = seed_routes()
    assert len(routes) >= 23
    missing = [f"{m} {p}" for m, p in routes if not await mounted(app, m, p)]
    assert missing == []


def interactly_spec_routes() -> set[tuple[str, str]]:
    """Every absolute ``METHOD /v1/...`` of spec §4, ids normalised to ``{id}``; combined verbs
    (``GET/PATCH/DELETE /v1/x/{id}``) expand."""
    section = IA_SPEC.read_text().split("## 4.", 1)[1].split("## 5.", 1)[0]
    routes = set()
    for verbs, path in re.findall(r"`((?:GET|POST|PATCH|DELETE|PUT|WS)(?:/(?:GET|POST|PATCH|"
                                  r"DELETE|PUT))*) (/v1/[^`\s?]+)", section):
        for verb in verbs.split("/"):
            routes.add((verb, re.sub(r"\{[^}]+\}", "{id}", path)))
    return routes - RETIRED


@pytest.mark.skipif(not IA_SPEC.exists(), reason=f"{IA_SPEC} is not beside the repo")
def test_every_route_of_interactly_spec_section_4_is_inventoried():
    routes = interactly_spec_routes()
    assert len(routes) >= 100
    listed = {(m, re.sub(r"\{[^}]+\}", "{id}", p)) for m, p, *_ in INTERACTLY}
    assert sorted(routes - listed) == []
