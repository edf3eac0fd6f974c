"""Outbound webhooks through the API, against a real receiver on loopback: signed deliveries, retries with
back-off, the dead-letter list and its replay, SSRF refusals, roles, and a secret shown only once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from holdless.bootstrap import build
from holdless.settings import Settings
from holdless.storage.tables import webhook_subscriptions
from holdless.web.app import create_app
from tests.api.expect import refusal
from tests.api.receiver import Received, receiver
from tests.conftest import Backend, RunningServer, make_settings, serve_app
from tests.factories import World, make_world, queued_conversation

Json = dict[str, Any]
BASE = 0.2  # first retry delay in these tests; then 0.4
ATTEMPTS = 3


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    """The tests' own receiver listens on loopback: an admin allowed 127.0.0.1 (and nothing else)."""
    return make_settings(
        backend, tmp_path, webhook_allowed_hosts=["127.0.0.1"], webhook_retry_base_seconds=BASE,
        webhook_max_attempts=ATTEMPTS, webhook_poll_seconds=0.05, offer_timeout_seconds=600,
    )  # fmt: skip


async def eventually(check: Callable[[], Any], within: float = 15.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def subscribe(server: RunningServer, world: World, url: str, types: list[str]) -> Json:
    async with server.client(world.admin.token) as api:
        created = await api.post("/api/v1/webhooks", json={"url": url, "event_types": types})
    assert created.status_code == 201, created.text
    body: Json = created.json()
    return body


async def deliveries(
    server: RunningServer, world: World, webhook_id: str, status: str | None = None
) -> list[Json]:
    params = {"status": status} if status else {}
    async with server.client(world.admin.token) as api:
        listed = await api.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params=params)
    assert listed.status_code == 200, listed.text
    found: list[Json] = listed.json()
    return found


def signed_by(secret: str, request: Received) -> bool:
    """The receiver's check, written from the documentation: HMAC-SHA256 over "{timestamp}.{body}"."""
    timestamp = request.headers["holdless-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    return (
        request.headers["holdless-signature"] == f"v1={expected}" and abs(time.time() - int(timestamp)) < 60
    )


async def test_a_flaky_receiver_gets_each_event_signed_after_retries(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    async with receiver(fail_first=2) as hooks:
        webhook = await subscribe(server, world, hooks.url, ["conversation."])
        conversation = await queued_conversation(server.holdless.ctx, world)

        async def settled() -> list[Json]:
            found = await deliveries(server, world, webhook["id"])
            return found if len(found) == 2 and all(d["status"] == "delivered" for d in found) else []

        done = await eventually(settled)
    assert sorted(d["event_type"] for d in done) == ["conversation.created", "conversation.queued"]
    assert {d["attempts"] for d in done} == {3}, "two failures, then the third attempt succeeded"
    assert {d["response_status"] for d in done} == {200}
    assert all(r.path == "/hooks/holdless" for r in hooks.requests)
    assert all(signed_by(webhook["secret"], r) for r in hooks.requests), "every attempt is signed"
    for delivery in done:
        attempts = hooks.for_delivery(delivery["id"])
        assert len(attempts) == 3
        bodies = {r.body for r in attempts}
        assert len(bodies) == 1, "a retry sends the same event"
        event = json.loads(bodies.pop())
        assert event["type"] == delivery["event_type"]
        assert event["seq"] == delivery["event_seq"]
        assert event["conversation_id"] == conversation.id
        assert attempts[0].headers["holdless-event"] == event["type"]
        gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
        assert gaps[0] >= BASE * 0.9, f"back-off: {gaps}"
        assert gaps[1] >= 2 * BASE * 0.9, f"back-off doubles: {gaps}"
    assert not any(json.loads(r.body)["type"].startswith("offer.") for r in hooks.requests), "filtered"


async def test_after_the_last_attempt_a_delivery_is_dead_and_a_replay_delivers_it(
    server: RunningServer,
) -> None:
    world = await make_world(server.holdless.ctx)
    async with receiver(fail_first=1_000, failure_status=503) as hooks:
        webhook = await subscribe(server, world, hooks.url, ["conversation.created"])
        await queued_conversation(server.holdless.ctx, world)

        [dead] = await eventually(lambda: deliveries(server, world, webhook["id"], "dead"))
        assert dead["attempts"] == ATTEMPTS
        assert dead["response_status"] == 503
        assert "503" in dead["last_error"]
        assert dead["next_attempt_at"] is None
        await asyncio.sleep(3 * BASE)
        assert len(hooks.for_delivery(dead["id"])) == ATTEMPTS, "nothing more is tried once dead"

        hooks.fail_first = 0  # the receiver is fixed; the admin replays from the dead-letter list
        async with server.client(world.admin.token) as api:
            replayed = await api.post(f"/api/v1/webhook-deliveries/{dead['id']}/replay")
        assert replayed.status_code == 200, replayed.text
        assert (replayed.json()["status"], replayed.json()["attempts"]) == ("pending", 0)

        async def delivered() -> list[Json]:
            return await deliveries(server, world, webhook["id"], "delivered")

        [done] = await eventually(delivered)
    assert done["id"] == dead["id"]
    assert done["attempts"] == 1
    assert done["response_status"] == 200
    assert await deliveries(server, world, webhook["id"], "dead") == []
    sent = hooks.for_delivery(dead["id"])
    assert len(sent) == ATTEMPTS + 1
    assert sent[-1].body == sent[0].body
    assert signed_by(webhook["secret"], sent[-1])


async def test_redirects_are_not_followed(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    async with receiver() as elsewhere:
        async with receiver(fail_first=1_000, failure_status=302, location=elsewhere.url) as hooks:
            webhook = await subscribe(server, world, hooks.url, ["conversation.created"])
            await queued_conversation(server.holdless.ctx, world)
            [dead] = await eventually(lambda: deliveries(server, world, webhook["id"], "dead"))
        await asyncio.sleep(0.2)
    assert dead["response_status"] == 302
    assert "redirects are not followed" in dead["last_error"]
    assert len(hooks.requests) == ATTEMPTS
    assert elsewhere.connections == 0


async def test_the_secret_is_shown_once_and_stored_sealed(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    webhook = await subscribe(server, world, "http://127.0.0.1:9/in", ["message.created", "offer."])
    secret = webhook["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    async with server.client(world.admin.token) as api:
        one = await api.get(f"/api/v1/webhooks/{webhook['id']}")
        listed = await api.get("/api/v1/webhooks")
    assert secret not in one.text
    assert "secret" not in one.json()
    assert secret not in listed.text
    assert [w["id"] for w in listed.json()] == [webhook["id"]]
    async with server.holdless.engine.connect() as conn:
        stored = (await conn.execute(select(webhook_subscriptions.c.secret_sealed))).scalar_one()
    assert secret not in stored
    assert secret[6:] not in stored


async def test_an_admin_edits_pauses_and_deletes_a_webhook(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    webhook = await subscribe(server, world, "http://127.0.0.1:9/in", ["conversation."])
    path = f"/api/v1/webhooks/{webhook['id']}"
    async with server.client(world.admin.token) as api:
        changed = await api.patch(path, json={"event_types": ["message.created", "*"], "active": False})
        assert changed.status_code == 200, changed.text
        assert changed.json()["event_types"] == ["message.created", "*"]
        assert changed.json()["active"] is False
        message = refusal(await api.patch(path, json={"event_types": ["not a type!"]}), 422)
        assert "not a type!" in message
        refusal(
            await api.post("/api/v1/webhooks", json={"url": "ftp://example.com/", "event_types": ["*"]}), 422
        )
        assert (await api.delete(path)).status_code == 204
        refusal(await api.get(path), 404)
        refusal(await api.get(path + "/deliveries"), 404)


async def test_a_paused_webhook_is_sent_nothing(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    async with receiver() as hooks:
        paused = await subscribe(server, world, hooks.url, ["conversation."])
        async with server.client(world.admin.token) as api:
            await api.patch(f"/api/v1/webhooks/{paused['id']}", json={"active": False})
        live = await subscribe(server, world, hooks.url, ["conversation.created"])
        await queued_conversation(server.holdless.ctx, world)
        await eventually(lambda: deliveries(server, world, live["id"], "delivered"))
        await asyncio.sleep(0.3)
        assert await deliveries(server, world, paused["id"]) == []
        assert len(hooks.requests) == 1

        async with server.client(world.admin.token) as api:
            await api.patch(f"/api/v1/webhooks/{paused['id']}", json={"active": True})
        later = await queued_conversation(server.holdless.ctx, world)

        async def both() -> list[Json]:
            found = await deliveries(server, world, paused["id"], "delivered")
            return found if len(found) == 2 else []

        resumed = await eventually(both)
    assert {d["payload"]["conversation_id"] for d in resumed} == {later.id}, "only what followed the resume"


@pytest.mark.parametrize("role", ["agent", "supervisor"])
async def test_only_admins_manage_webhooks(server: RunningServer, role: str) -> None:
    world = await make_world(server.holdless.ctx)
    webhook = await subscribe(server, world, "http://127.0.0.1:9/in", ["conversation."])
    path = f"/api/v1/webhooks/{webhook['id']}"
    refused = [
        ("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/x", "event_types": ["*"]}),
        ("GET", "/api/v1/webhooks", None),
        ("GET", path, None),
        ("PATCH", path, {"active": False}),
        ("DELETE", path, None),
        ("GET", path + "/deliveries", None),
        ("POST", "/api/v1/webhook-deliveries/dlv_00000000000000000000000000/replay", None),
    ]
    person = world.agent if role == "agent" else world.supervisor
    async with server.client(person.token) as api:
        for method, target, body in refused:
            message = refusal(await api.request(method, target, json=body), 403)
            assert "admin" in message, f"{method} {target}: {message}"
    async with server.client(world.admin.token) as api:
        [still] = (await api.get("/api/v1/webhooks")).json()
    assert still["active"] is True
    assert still["id"] == webhook["id"]


SSRF_URLS = [
    ("http://10.0.0.1/hook", "private"),
    ("http://192.168.1.1/hook", "private"),
    ("http://[::1]:8080/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://0.0.0.0/hook", "unspecified"),
]


async def test_private_and_loopback_targets_are_refused_before_any_packet(
    backend: Backend, tmp_path: Path
) -> None:
    """No allow-list here: a loopback listener is there to notice any connection."""
    settings = make_settings(backend, tmp_path, webhook_retry_base_seconds=BASE)
    async with receiver() as listener, serve_app(create_app(settings)) as server:
        world = await make_world(server.holdless.ctx)
        urls = [(listener.url, "loopback"), (f"http://localhost:{listener.port}/x", "loopback"), *SSRF_URLS]
        async with server.client(world.admin.token) as api:
            for url, kind in urls:
                body = {"url": url, "event_types": ["conversation."]}
                message = refusal(await api.post("/api/v1/webhooks", json=body), 422)
                assert "may not be sent" in message, f"{url}: {message}"
                assert kind in message, f"{url}: {message}"
            assert (await api.get("/api/v1/webhooks")).json() == [], "nothing was stored"
        await asyncio.sleep(0.2)
    assert listener.connections == 0, "refused by resolution: no connection was attempted"


class SwitchableDns:
    """A resolver the test controls: DNS that changes after the subscription was checked."""

    def __init__(self) -> None:
        self.table: dict[str, list[str]] = {}

    async def resolve(self, host: str, port: int) -> list[str]:
        return self.table.get(host, [host])


async def test_a_host_that_later_resolves_to_loopback_is_refused_at_delivery_time(
    backend: Backend, tmp_path: Path
) -> None:
    settings = make_settings(
        backend, tmp_path, webhook_retry_base_seconds=0.05, webhook_max_attempts=2, webhook_poll_seconds=0.05
    )
    dns = SwitchableDns()
    dns.table["hooks.example.com"] = ["93.184.215.14"]  # public when the admin subscribes
    app = create_app(settings, holdless=build(settings, resolver=dns))
    async with receiver() as listener, serve_app(app) as server:
        world = await make_world(server.holdless.ctx)
        url = f"http://hooks.example.com:{listener.port}/in"
        webhook = await subscribe(server, world, url, ["conversation.created"])
        dns.table["hooks.example.com"] = ["127.0.0.1"]  # ...then the name is pointed at this machine
        async with server.client(world.admin.token) as api:
            body = {"url": f"http://other.example.com:{listener.port}/in"}
            dns.table["other.example.com"] = ["10.0.0.1"]
            refusal(await api.patch(f"/api/v1/webhooks/{webhook['id']}", json=body), 422)
        await queued_conversation(server.holdless.ctx, world)
        [dead] = await eventually(lambda: deliveries(server, world, webhook["id"], "dead"))
    assert dead["attempts"] == 2
    assert dead["response_status"] is None
    assert "Not sent" in dead["last_error"]
    assert "loopback" in dead["last_error"]
    assert listener.connections == 0
