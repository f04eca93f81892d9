"""HTTP plumbing shared by both APIs and the control plane: routing, middleware, auth, the
response contract. Nothing here knows an API; nothing in ``emulator.core`` imports it."""
