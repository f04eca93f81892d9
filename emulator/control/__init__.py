"""The control plane (``/_emulator/...``): what a test drives the emulator with."""
