"""Placeholder: filled in by its feature (issue 7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
