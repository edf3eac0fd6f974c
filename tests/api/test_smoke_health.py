"""The server answers health checks and publishes its API description."""

from __future__ import annotations

from tests.conftest import RunningServer


async def test_health_and_openapi_are_served(server: RunningServer) -> None:
    async with server.client() as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/conversations/{conversation_id}/messages" in spec["paths"]
    assert "/api/v1/customers/{customer_id}/merge" in spec["paths"]
