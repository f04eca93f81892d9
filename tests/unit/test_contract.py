"""``emulator.web.contract``: ``--strict`` holds every answer of a route to what it declares.

A tiny app built here (routers with :class:`StrictJSONRoute`, as every router of the emulator)
answers on purpose what its routes do not declare, so each kind of drift is shown to become the
strict-mode 500 that names the route and the field, and to pass untouched with strict off.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from emulator.core.errors import ApiError, Conflict, NotFound, ServiceError
from emulator.settings import Settings
from emulator.web.contract import WireModel, contract_of, covers, errors, media
from emulator.web.routing import StrictJSONRoute


class Gadget(WireModel):
    name: str
    size: int


GOOD = {"name": "box", "size": 3}
BODIES = {
    "good": GOOD,
    "missing": {"name": "box"},
    "wrong": {"name": "box", "size": "large"},
    "extra": {**GOOD, "colour": "red"},
}


def build(strict: bool) -> FastAPI:
    router = APIRouter(route_class=StrictJSONRoute)

    @router.get("/gadget", response_model=Gadget, responses=errors(404, service=(400,)))
    async def gadget(mode: str = "good") -> Response:
        if mode == "teapot":
            return JSONResponse({"detail": "short and stout"}, status_code=418)
        if mode == "gone":
            raise NotFound("No such gadget")
        if mode == "busy":
            raise Conflict("Gadget busy")
        if mode == "service":
            raise ServiceError("Validation", "size must be positive")
        return JSONResponse(BODIES[mode])

    @router.get("/events", responses=media(200, "text/event-stream", "an SSE stream"))
    async def events(json_instead: bool = False) -> Response:
        if json_instead:
            return JSONResponse({"event": "snapshot"})
        return StreamingResponse(iter([b"event: snapshot\ndata: {}\n\n"]),
                                 media_type="text/event-stream")

    @router.get("/artifact", response_class=Response,
                responses=media(200, "*/*", "the stored bytes"))
    async def artifact(kind: str = "application/zip") -> Response:
        return Response(b"PK\x03\x04", media_type=kind)

    app = FastAPI()
    app.include_router(router)
    app.state.settings = Settings(strict=strict)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    return app


@pytest.fixture
def strict() -> Iterator[TestClient]:
    with TestClient(build(strict=True)) as client:
        yield client


@pytest.fixture
def lenient() -> Iterator[TestClient]:
    with TestClient(build(strict=False)) as client:
        yield client


def broken(response: httpx.Response, *parts: str) -> str:
    """The strict-mode 500's detail, checked to name the route and every part."""
    assert response.status_code == 500, response.text
    detail: str = response.json()["detail"]
    assert detail.startswith("Strict mode: GET /"), detail
    assert "broke its contract" in detail, detail
    for part in parts:
        assert part in detail, detail
    return detail


def test_a_body_that_keeps_the_contract_passes_untouched(strict: TestClient) -> None:
    response = strict.get("/gadget")
    assert response.status_code == 200
    assert response.json() == GOOD


def test_an_undeclared_status_is_a_500_naming_it(strict: TestClient) -> None:
    detail = broken(strict.get("/gadget", params={"mode": "teapot"}), "status 418")
    assert "declared: 200, 400, 404, 422, 499" in detail


@pytest.mark.parametrize(("mode", "field", "why"), [
    ("missing", "size", "Field required"),
    ("wrong", "size", "valid integer"),
    ("extra", "colour", "Extra inputs are not permitted"),
])
def test_a_body_off_the_model_is_a_500_naming_the_field(strict: TestClient, mode: str,
                                                        field: str, why: str) -> None:
    broken(strict.get("/gadget", params={"mode": mode}), "GET /gadget", "Gadget",
           f"{field}: ", why)


def test_an_api_error_with_an_undeclared_status_is_a_500(strict: TestClient) -> None:
    broken(strict.get("/gadget", params={"mode": "busy"}), "status 409 is not declared")


def test_a_declared_api_error_is_rendered_as_usual(strict: TestClient) -> None:
    gone = strict.get("/gadget", params={"mode": "gone"})
    assert gone.status_code == 404
    assert gone.json() == {"detail": "No such gadget"}
    service = strict.get("/gadget", params={"mode": "service"})
    assert service.status_code == 400
    assert service.json() == {"message": "Validation", "error": "size must be positive"}


def test_request_validation_is_implicitly_declared(strict: TestClient) -> None:
    response = strict.get("/events", params={"json_instead": "maybe"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "json_instead"]


def test_a_stream_of_the_declared_media_type_passes(strict: TestClient) -> None:
    response = strict.get("/events")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("event: snapshot")


def test_json_where_a_stream_was_declared_is_a_500(strict: TestClient) -> None:
    broken(strict.get("/events", params={"json_instead": "true"}), "GET /events",
           "answered application/json, declared text/event-stream")


def test_a_media_range_covers_the_stored_media_type(strict: TestClient) -> None:
    for kind in ("application/zip", "application/vnd.android.package-archive"):
        response = strict.get("/artifact", params={"kind": kind})
        assert response.status_code == 200, response.text
        assert response.content == b"PK\x03\x04"
    assert covers("image/*", "image/png")
    assert not covers("image/*", "text/plain")
    assert not covers("text/html", "text/plain")


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/gadget", {"mode": "teapot"}, 418),
    ("/gadget", {"mode": "missing"}, 200),
    ("/gadget", {"mode": "wrong"}, 200),
    ("/gadget", {"mode": "extra"}, 200),
    ("/gadget", {"mode": "busy"}, 409),
    ("/events", {"json_instead": "true"}, 200),
])
def test_strict_off_lets_everything_through(lenient: TestClient, path: str,
                                            params: dict[str, str], status: int) -> None:
    response = lenient.get(path, params=params)
    assert response.status_code == status
    if params.get("mode") in BODIES:
        assert response.json() == BODIES[params["mode"]]


def test_another_media_type_next_to_the_model_keeps_json_allowed() -> None:
    """``response_model`` plus a ``media(...)`` entry for the same status means either."""
    router = APIRouter(route_class=StrictJSONRoute)

    @router.get("/report", response_model=Gadget,
                responses={**media(200, "text/csv", "the same as CSV"), "default": {
                    "description": "ranges are not held against answers"}})
    async def report() -> Response:
        return JSONResponse(GOOD)

    contract = contract_of(router.routes[0])  # type: ignore[arg-type]
    assert contract.media[200] == {"application/json", "text/csv"}
    assert contract.problems(JSONResponse(GOOD)) is None
    assert contract.problems(Response("a,b", media_type="text/csv")) is None
