"""The Interactly workflows API. Production serves it under ``/workflows`` on the gateway; the
emulator serves the same routes at the root too (an alias), except the gateway-only ones."""

# Interactly's production base, and the one path that only exists at the gateway root.
INTERACTLY_MOUNT = "/workflows"
INTERACTLY_GATEWAY_ONLY = ("/v1/session",)
