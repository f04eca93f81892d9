"""The lean request handler (emulator/web/lean.py) answers what FastAPI's own handler answers,
errors included; the response encoder (emulator/web/responses.py) writes what Starlette's
``JSONResponse`` writes."""

import json
import math
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from starlette.responses import JSONResponse

from emulator.core.errors import ApiError
from emulator.web import lean
from emulator.web.auth import namespace
from emulator.web.responses import encode_json, ok
from emulator.web.routing import StrictJSONRoute, mount


class _State:
    strict = False


def make_app() -> FastAPI:
    """A fresh router per app: a route decides on its first request whether it takes the
    lean path."""
    router = APIRouter(dependencies=[Depends(namespace)], route_class=StrictJSONRoute)
    Ns = Annotated[Any, Depends(namespace)]

    @router.get("/poll")
    async def poll(task_id: Annotated[str, Query()], ns: Ns) -> JSONResponse:
        return ok({"task_id": task_id, "ns": ns})

    @router.post("/runs/{run_id}/turn")
    async def turn(run_id: Annotated[str, Path(pattern="^[0-9a-f]{4}$")], request: Request,
                   ns: Ns, body: Annotated[dict[str, Any], Body()],
                   version: Annotated[int | None, Query(ge=0)] = None) -> JSONResponse:
        return ok({"run_id": run_id, "body": body, "version": version,
                   "path": request.url.path})

    app = FastAPI()
    app.state.settings = _State()

    class Registry:
        def get(self, token: str) -> str:
            return f"ns:{token}"

    app.state.registry = Registry()

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code)

    mount(app, router)
    return app


CASES: list[tuple[str, str, dict[str, str], bytes | None]] = [
    ("GET", "/poll?task_id=t1", {"authorization": "Bearer a"}, None),
    ("GET", "/poll?task_id=a%20b&task_id=c", {"authorization": "Bearer a"}, None),
    ("GET", "/poll?task_id=", {"authorization": "Bearer a"}, None),
    ("GET", "/poll?task_id=x+y&other=1", {"authorization": "Bearer a"}, None),
    ("GET", "/poll", {"authorization": "Bearer a"}, None),
    ("GET", "/poll?task_id=t1", {}, None),
    ("GET", "/poll?task_id=t1", {"authorization": "Basic a"}, None),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "application/json"}, b'{"m":"\xc3\xa9"}'),
    ("POST", "/runs/00ff/turn?version=2", {"authorization": "Bearer a",
                                           "content-type": "application/json; charset=utf-8"},
     b'{"m":1}'),
    ("POST", "/runs/00ff/turn?version=-1", {"authorization": "Bearer a",
                                            "content-type": "application/json"}, b'{"m":1}'),
    ("POST", "/runs/XYZ/turn", {"authorization": "Bearer a",
                                "content-type": "application/json"}, b'{"m":1}'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "application/json"}, b'{"m":'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "application/json"}, b'{"m":NaN}'),
    ("POST", "/runs/00ff/turn", {"content-type": "application/json"}, b'{"m":'),
    ("POST", "/runs/00ff/turn", {"content-type": "application/json"}, b'{"m":1}'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "application/json"}, b'[1]'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "application/json"}, b'null'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "text/plain"}, b'{"m":1}'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a"}, b'{"m":1}'),
    ("POST", "/runs/00ff/turn", {"authorization": "Bearer a",
                                 "content-type": "application/json"}, b''),
]


async def answers(app: FastAPI) -> list[tuple[int, bytes, str | None]]:
    found = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        for method, path, headers, body in CASES:
            response = await client.request(method, path, headers=headers, content=body)
            found.append((response.status_code, response.content,
                          response.headers.get("content-type")))
    return found


@pytest.mark.anyio
async def test_lean_answers_as_fastapi_does_errors_included(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:  # no lean path: FastAPI answers everything
        patch.setattr(lean, "request_params_to_args", None)
        fastapi_alone = await answers(make_app())
    taken = []
    build = lean.lean_handler

    def counted(route: Any) -> Any:
        handler = build(route)

        async def counting(request: Request) -> Any:
            response = await handler(request)  # type: ignore[misc]
            taken.append(response is not None)
            return response
        return counting if handler else None

    monkeypatch.setattr(lean, "lean_handler", counted)
    with_lean = await answers(make_app())
    for case, theirs, ours in zip(CASES, fastapi_alone, with_lean, strict=True):
        assert ours == theirs, case
    # Answered lean: the 6 valid requests; the 3 without a bearer token raised the 401 there.
    assert taken.count(True) == 6 and len(taken) == len(CASES) - 3
    statuses = {status for status, _, _ in with_lean}
    assert {200, 401, 422} <= statuses  # the cases reach every kind of answer


def test_routes_with_what_lean_does_not_handle_keep_fastapi() -> None:
    router = APIRouter(route_class=StrictJSONRoute)

    @router.get("/h")
    async def header(x_token: Annotated[str | None, Depends(lambda: None)]) -> JSONResponse:
        return ok({})

    @router.get("/d")
    async def plain_dict() -> dict:
        return {}

    @router.get("/s")
    def sync() -> JSONResponse:
        return ok({})

    for route in router.routes:
        assert lean.lean_handler(route) is None, route.path  # type: ignore[arg-type]


STARLETTE = JSONResponse(None).render
SAMPLES: list[Any] = [
    None, True, 0, -1, 2**63 - 1, -2**63, 2**64, -2**70, 0.5, -0.0, 20.0, 1767225608.0,
    "é ü 中 🎉", "\x00\x1f\x7f\u2028\"\\/\b\f\n\r\t", {"a": [1, {"b": None}], "": ""},
    {1: "int key"}, {"t": (1, 2)}, [[[[]]]], {"x" * 127: 1.5, "y": [2**64, None]},
]


@pytest.mark.parametrize("content", SAMPLES, ids=range(len(SAMPLES)))
def test_encoder_writes_what_starlette_writes(content: Any) -> None:
    assert encode_json(content) == STARLETTE(content)


@pytest.mark.parametrize("content", [math.nan, {"a": [1, -math.inf]}, {"s": "\ud800"},
                                     {"o": object()}])
def test_encoder_refuses_what_starlette_refuses(content: Any) -> None:
    with pytest.raises((ValueError, TypeError)) as theirs:
        STARLETTE(content)
    with pytest.raises(type(theirs.value)):
        encode_json(content)


def test_encoder_floats_are_the_same_numbers() -> None:
    for value in (1e-5, 1e16, 1e22, 5e-324, 1.7976931348623157e308, 123456.789):
        assert json.loads(encode_json([value])) == [value]
