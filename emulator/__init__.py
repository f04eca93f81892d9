"""Offline emulator of the Revyl and Interactly APIs."""

__version__ = "0.2.0"
