"""Fuzzing, load, bad input and client-drop tests (issue 9)."""
