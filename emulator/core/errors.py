"""Errors raised by services, independent of HTTP, and how each API renders them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ApiError(Exception):
    """A client-visible failure. Services raise it; the app turns it into the API's error body.

    ``detail`` is a string or an object (Revyl uses both), rendered as ``{"detail": ...}``.
    """

    status_code = 400

    def __init__(self, detail: Any, status_code: int | None = None) -> None:
        super().__init__(detail if isinstance(detail, str) else repr(detail))
        self.detail = detail
        if status_code is not None:
            self.status_code = status_code

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail}


class BadRequest(ApiError):
    status_code = 400


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    status_code = 404


def lookup(store: Mapping[K, V], key: K, kind: str) -> V:
    """``store[key]``, or the 404 every store answers: "<kind> <key> not found"."""
    found = store.get(key)
    if found is None:
        raise NotFound(f"{kind} {key} not found")
    return found


class Conflict(ApiError):
    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class ServiceError(ApiError):
    """Interactly's own validation errors: ``{"message": <category>, "error": <rule>}``
    (spec §5.2; the SDK shows them as "category: reason")."""

    status_code = 400

    def __init__(self, message: str, error: str, status_code: int | None = None) -> None:
        super().__init__(f"{message}: {error}", status_code)
        self.message, self.error = message, error

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "error": self.error}
