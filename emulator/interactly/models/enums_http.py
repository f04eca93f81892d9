"""Enumerations of the HTTP request node."""

from __future__ import annotations

from enum import StrEnum


class HttpMethodEnum(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"


class BodyContentTypeEnum(StrEnum):
    JSON = "application/json"
    FORM = "application/x-www-form-urlencoded"
    MULTIPART = "multipart/form-data"
    TEXT = "text/plain"


class ResponseFormatEnum(StrEnum):
    JSON = "json"
    TEXT = "text"
    BINARY = "binary"
