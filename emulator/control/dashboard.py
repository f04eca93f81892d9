"""Placeholder: filled in by its feature (issue 8)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
