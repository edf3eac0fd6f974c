"""How an inbound signed webhook endpoint built on `signing.verify` answers: a bad signature 401, a stale
timestamp 401, a replay 409, each with a message and nothing stored; a genuine message 200 once."""

from __future__ import annotations

import time

import httpx
from fastapi import FastAPI, Request

from holdless.integrations.signing import MemorySeenStore, sign, verify
from holdless.web.errors import install_error_handlers

SECRET = "whsec_inbound"


def endpoint() -> tuple[FastAPI, list[bytes]]:
    stored: list[bytes] = []
    seen = MemorySeenStore()
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/in")
    async def receive(request: Request) -> dict[str, bool]:
        body = await request.body()
        await verify(SECRET, dict(request.headers), body, now=time.time(), seen=seen, tolerance_seconds=300)
        stored.append(body)
        return {"ok": True}

    return app, stored


async def test_the_answers_of_a_signed_endpoint() -> None:
    app, stored = endpoint()
    body = b'{"text":"hello"}'
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://in") as client:
        forged = sign("whsec_wrong", body, now=time.time())
        stale = sign(SECRET, body, now=time.time() - 600)
        genuine = sign(SECRET, body, now=time.time())

        bad = await client.post("/in", content=body, headers=forged)
        old = await client.post("/in", content=body, headers=stale)
        assert stored == []
        ok = await client.post("/in", content=body, headers=genuine)
        again = await client.post("/in", content=body, headers=genuine)

    assert (bad.status_code, bad.json()["error"]["code"]) == (401, "bad_signature")
    assert (old.status_code, old.json()["error"]["code"]) == (401, "stale_timestamp")
    assert ok.status_code == 200
    assert (again.status_code, again.json()["error"]["code"]) == (409, "replayed")
    assert "already received" in again.json()["error"]["message"]
    assert stored == [body], "only the genuine message, once"
