"""The per-API OpenAPI documents: together they hold every operation of /openapi.json once,
Interactly's under the real service's paths, and an unknown API is a 404."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_the_three_documents_partition_the_full_one(emulator):
    client = emulator.client
    full = (await client.get("/openapi.json")).json()
    docs = {api: (await client.get(f"/openapi/{api}.json")).json()
            for api in ("revyl", "interactly", "control")}
    count = sum(len(ops) for ops in full["paths"].values())
    assert sum(len(ops) for d in docs.values() for ops in d["paths"].values()) == count
    assert all(p.startswith(("/api/", "/health_check")) for p in docs["revyl"]["paths"])
    assert all(p.startswith(("/workflows/v1/", "/v1/session")) for p in docs["interactly"]["paths"])
    assert "/v1/session" in docs["interactly"]["paths"]
    assert all(p.startswith(("/_emulator", "/openapi/")) for p in docs["control"]["paths"])
    for doc in docs.values():  # every reference resolves inside its own document
        text = str(doc["paths"])
        for name in doc.get("components", {}).get("schemas", {}):
            assert name in full["components"]["schemas"]
        assert "#/components/schemas/" not in text or doc.get("components")


async def test_an_unknown_api_is_a_404(emulator):
    response = await emulator.client.get("/openapi/nope.json")
    assert response.status_code == 404
    assert "revyl" in response.json()["detail"]
