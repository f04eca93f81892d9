"""The control-plane helpers every handle on an emulator offers (``advance``, ``script_outcome``,
``journal``...), once over an async httpx client and once over a sync one.

The in-process fixture, the live-server fixture and the interception mock differ only in how a
request reaches the app; keeping the helpers here, written against a client, gives all of them
the same methods with the same answers and errors.
"""

from __future__ import annotations

from typing import Any

INTERACTLY_PREFIX = "/workflows"


class EmulatorError(RuntimeError):
    """A control-plane call the emulator refused (or a route this version does not have)."""

    def __init__(self, message: str, status_code: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


def answer(response: Any, method: str, path: str) -> Any:
    """JSON of a 2xx control-plane answer, else an ``EmulatorError`` that says what went wrong."""
    if response.status_code == 404 and path.startswith("journal"):
        try:
            body = response.json()
        except ValueError:
            body = None
        detail = body.get("detail") if isinstance(body, dict) else None
        if detail == "Not Found":  # FastAPI's own 404: no such route
            raise EmulatorError(
                f"/_emulator/{path} is not mounted in this emulator version (the journal "
                "needs a newer emulator package)", 404, detail)
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        raise EmulatorError(f"{method} /_emulator/{path} -> {response.status_code}: {body}",
                            response.status_code, body)
    return response.json() if response.content else None


def query(filters: dict[str, Any]) -> dict[str, Any]:
    """Query parameters for the journal: booleans as ``true``/``false``, ``None`` dropped."""
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None:
            continue
        out[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return out


def entries(body: Any) -> Any:
    return body["entries"] if isinstance(body, dict) and "entries" in body else body


class AsyncControl:
    """Async helpers over ``self.client`` (an ``httpx.AsyncClient`` carrying the token)."""

    client: Any

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call ``/_emulator/<path>`` in this namespace; JSON out, ``EmulatorError`` on 4xx/5xx."""
        response = await self.client.request(method, f"/_emulator/{path}", **kwargs)
        return answer(response, method, path)

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the virtual clock ``seconds`` forward, firing every timer on the way."""
        return await self.control("POST", "clock/advance", json={"seconds": seconds})

    async def sleep(self, seconds: float) -> None:
        """Drop-in for ``asyncio.sleep`` in code under test: advances virtual time instead."""
        await self.advance(seconds)

    async def run_until_idle(self) -> dict[str, Any]:
        """Jump from timer to timer until nothing is pending (every run finishes)."""
        return await self.control("POST", "clock/run-until-idle")

    async def clock(self) -> dict[str, Any]:
        return await self.control("GET", "clock")

    async def set_clock(self, **update: Any) -> dict[str, Any]:
        """``PUT /_emulator/clock``: ``mode="realtime"|"manual"``, ``scale=k``, ``now=...``."""
        return await self.control("PUT", "clock", json=update)

    async def script_outcome(self, **outcome: Any) -> list[dict[str, Any]]:
        """Queue one Revyl outcome, e.g. ``script_outcome(test_id=..., result="fail")``."""
        return await self.script_outcomes(outcome)

    async def script_outcomes(self, *outcomes: dict[str, Any]) -> list[dict[str, Any]]:
        body = await self.control("POST", "scripts/revyl/outcomes",
                                  json={"outcomes": list(outcomes)})
        return body["queued"]

    async def script_llm(self, **reply: Any) -> list[dict[str, Any]]:
        """Queue one Interactly LLM behaviour, e.g. ``script_llm(node="Front", reply="Hi")``."""
        return await self.script_llm_replies(reply)

    async def script_llm_replies(self, *replies: dict[str, Any]) -> list[dict[str, Any]]:
        body = await self.control("POST", "scripts/interactly/llm",
                                  json={"replies": list(replies)})
        return body["queued"]

    async def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """Requests this namespace sent, oldest first: ``GET /_emulator/journal`` with
        ``filters`` (``method``, ``path`` (glob), ``status``, ``since``, ``limit``) as query."""
        return entries(await self.control("GET", "journal", params=query(filters)))

    async def find_requests(self, **match: Any) -> list[dict[str, Any]]:
        """``POST /_emulator/journal/find``: like ``journal`` plus ``query={...}`` and
        ``body={"dotted.path": value}`` matching."""
        return entries(await self.control("POST", "journal/find", json=match))

    async def state(self) -> dict[str, Any]:
        return await self.control("GET", "state")

    async def reset(self) -> dict[str, Any]:
        """Back to the fixtures (this namespace only)."""
        return await self.control("POST", "reset")


class SyncControl:
    """The same helpers, synchronous. Subclasses say how a request is sent and as whom
    (``token=`` picks another namespace where the handle allows it)."""

    def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        raise NotImplementedError

    def control(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        """Call ``/_emulator/<path>`` synchronously, e.g. ``control("POST", "clock/advance",
        json={"seconds": 5})``. JSON out, ``EmulatorError`` on 4xx/5xx."""
        return answer(self._send(method, f"/_emulator/{path}", token, **kwargs), method, path)

    def advance(self, seconds: float, token: str | None = None) -> dict[str, Any]:
        """Move the virtual clock ``seconds`` forward, firing every timer on the way."""
        return self.control("POST", "clock/advance", token, json={"seconds": seconds})

    def sleep(self, seconds: float, token: str | None = None) -> None:
        """Drop-in for ``time.sleep`` in code under test: advances virtual time instead."""
        self.advance(seconds, token)

    def run_until_idle(self, token: str | None = None) -> dict[str, Any]:
        return self.control("POST", "clock/run-until-idle", token)

    def clock(self, token: str | None = None) -> dict[str, Any]:
        return self.control("GET", "clock", token)

    def set_clock(self, token: str | None = None, **update: Any) -> dict[str, Any]:
        return self.control("PUT", "clock", token, json=update)

    def script_outcome(self, token: str | None = None, **outcome: Any) -> list[dict[str, Any]]:
        return self.script_outcomes(outcome, token=token)

    def script_outcomes(self, *outcomes: dict[str, Any],
                        token: str | None = None) -> list[dict[str, Any]]:
        return self.control("POST", "scripts/revyl/outcomes", token,
                            json={"outcomes": list(outcomes)})["queued"]

    def script_llm(self, token: str | None = None, **reply: Any) -> list[dict[str, Any]]:
        return self.script_llm_replies(reply, token=token)

    def script_llm_replies(self, *replies: dict[str, Any],
                           token: str | None = None) -> list[dict[str, Any]]:
        return self.control("POST", "scripts/interactly/llm", token,
                            json={"replies": list(replies)})["queued"]

    def journal(self, token: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        return entries(self.control("GET", "journal", token, params=query(filters)))

    def find_requests(self, token: str | None = None, **match: Any) -> list[dict[str, Any]]:
        return entries(self.control("POST", "journal/find", token, json=match))

    def state(self, token: str | None = None) -> dict[str, Any]:
        return self.control("GET", "state", token)

    def reset(self, token: str | None = None) -> dict[str, Any]:
        return self.control("POST", "reset", token)


class ClientControl(SyncControl):
    """Sync helpers over one ``httpx.Client`` that already carries a token."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        if token is not None:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Authorization": f"Bearer {token}"}
        return self.client.request(method, path, **kwargs)
