"""The virtual agent through the real API: greeting, escape hatch, misunderstanding, containment, anger,
verification — with the real NLU (trained once per test process) and the real routing engine."""

from __future__ import annotations

import copy
import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from holdless.bot.demo import DEMO_FLOWS
from holdless.settings import Settings
from tests.api.expect import Chat, refusal, start_chat
from tests.conftest import Backend, RunningServer, make_settings, settle, start_server, stop_server
from tests.factories import World, make_world
from tests.integration.routing_steps import available, events_of, offers_of, place_of, published

pytestmark = pytest.mark.slow
EMAIL = "olga.bot@acme.example"


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    return make_settings(backend, tmp_path, offer_timeout_seconds=600)


async def idle(server: RunningServer) -> None:
    """The bot's actions feed routing, whose positions feed the bot: wait until both are done."""
    bot = server.holdless.bot
    assert bot is not None
    for _ in range(3):
        await settle(server)
        await bot.wait_idle(within=60)


async def bot_world(server: RunningServer) -> World:
    world = await make_world(server.holdless.ctx)
    async with server.client(world.admin.token) as api:
        stored = await api.put("/api/v1/bot/flows", json={**DEMO_FLOWS, "handoff_queue": world.queue_id})
    assert stored.status_code == 200, stored.text
    return world


async def known_chat(server: RunningServer, world: World, *, queued: bool = True) -> Chat:
    """A widget visitor whose email the workspace knows (so it can be verified)."""
    chat = await start_chat(server, world.slug, queue_id=world.queue_id if queued else None)
    async with server.client(world.admin.token) as api:
        added = await api.post(
            f"/api/v1/customers/{chat.customer_id}/identities", json={"kind": "email", "value": EMAIL}
        )
    assert added.status_code < 300, added.text
    return chat


async def say(server: RunningServer, chat: Chat, text: str) -> list[str]:
    """The customer writes; returns what the bot answered to it."""
    before = len(await bot_lines(server, chat))
    async with server.client(chat.token) as widget:
        sent = await widget.post(
            f"/api/v1/widget/conversations/{chat.conversation_id}/messages", json={"text": text}
        )
    assert sent.status_code == 201, sent.text
    await idle(server)
    return (await bot_lines(server, chat))[before:]


async def bot_lines(server: RunningServer, chat: Chat) -> list[str]:
    async with server.client(chat.token) as widget:
        response = await widget.get(f"/api/v1/widget/conversations/{chat.conversation_id}/messages")
    assert response.status_code == 200, response.text
    return [m["text"] for m in response.json() if m["author"] == "bot"]


async def conversation(server: RunningServer, world: World, conversation_id: str) -> dict[str, Any]:
    async with server.client(world.admin.token) as api:
        found: dict[str, Any] = (await api.get(f"/api/v1/conversations/{conversation_id}")).json()
    return found


async def card_of(server: RunningServer, world: World, conversation_id: str) -> dict[str, Any] | None:
    async with server.client(world.supervisor.token) as api:
        response = await api.get(f"/api/v1/conversations/{conversation_id}/handoff")
    assert response.status_code == 200, response.text
    card: dict[str, Any] | None = response.json()["card"]
    return card


async def test_the_greeting_shows_the_place_in_line_and_the_expected_wait(server: RunningServer) -> None:
    world = await bot_world(server)
    await available(server, world, world.agent, chats=1)
    first = await start_chat(server, world.slug, queue_id=world.queue_id)
    [offer] = await offers_of(server, world.agent)
    async with server.client(world.agent.token) as api:
        assert (await api.post(f"/api/v1/offers/{offer['id']}/accept")).status_code == 200
    second = await start_chat(server, world.slug, queue_id=world.queue_id)
    await idle(server)

    positions = await events_of(server, world.admin, "queue.position")
    place = next(e["data"] for e in positions if e["conversation_id"] == second.conversation_id)
    greeting = (await bot_lines(server, second))[0]
    assert "virtual assistant" in greeting
    assert "place in line is secured" in greeting
    assert f"number {place['position']}" in greeting
    minutes = max(1, round(place["expected_wait_seconds"] / 60))
    assert f"expected wait about {minutes} min" in greeting
    assert "help while you wait" in greeting
    assert await bot_lines(server, first) == [], "taken at once: no waiting, no greeting"


async def test_operator_mid_flow_hands_off_at_once_with_the_card(server: RunningServer) -> None:
    world = await bot_world(server)
    chat = await known_chat(server, world)
    await idle(server)
    place = (await place_of(server, world.admin, chat.conversation_id))["position"]

    [question] = await say(server, chat, "Я потерял карту")
    assert "почты" in question, "the card flow first asks who the customer is, in Russian"
    [acknowledged] = await say(server, chat, "оператор")
    assert "оператору" in acknowledged
    assert "место в очереди сохранено" in acknowledged
    assert await say(server, chat, EMAIL) == [], "no further bot questions"

    assert (await place_of(server, world.admin, chat.conversation_id))["position"] == place, "place kept"
    card = await card_of(server, world, chat.conversation_id)
    assert card is not None
    assert card["intent"]["name"] == "block_card"
    assert card["ended"] == "handed over"
    assert card["handoff_reason"] == "customer asked for a person"
    assert {"what": "block_card", "outcome": "handoff"} in card["tried"]
    assert "Я потерял карту" in card["last_messages"]
    [handoff] = await events_of(server, world.admin, "bot.handoff")
    assert handoff["conversation_id"] == chat.conversation_id


async def test_asking_for_a_person_first_thing_puts_a_bot_conversation_in_line(server: RunningServer) -> None:
    world = await bot_world(server)
    chat = await start_chat(server, world.slug)  # with the bot only
    replies = await say(server, chat, "转人工")
    assert "人工" in replies[0]
    assert (await conversation(server, world, chat.conversation_id))["status"] == "queued"
    card = await card_of(server, world, chat.conversation_id)
    assert card is not None
    assert card["language"] == "zh"
    assert card["handoff_reason"] == "customer asked for a person"


async def test_two_misunderstandings_lead_to_a_person(server: RunningServer) -> None:
    world = await bot_world(server)
    chat = await start_chat(server, world.slug)  # with the bot only, not in line yet
    [first] = await say(server, chat, "What's the weather on Mars tomorrow?")
    assert "didn't understand" in first
    second = await say(server, chat, "Can you compute 17 times 23?")
    assert "person will help" in second[0]
    assert "number 1 in line" in second[-1], "then the place in line it was given"
    handed = await conversation(server, world, chat.conversation_id)
    assert handed["status"] == "queued", "the bot put the customer in line for a person"
    assert handed["queue_id"] == world.queue_id
    card = await card_of(server, world, chat.conversation_id)
    assert card is not None
    assert card["handoff_reason"] == "the bot did not understand"


async def test_a_contained_conversation_leaves_the_queue(server: RunningServer) -> None:
    world = await bot_world(server)
    chat = await known_chat(server, world)
    await say(server, chat, "I forgot my password")
    replies = await say(server, chat, EMAIL.upper())
    assert any("reset link" in r for r in replies)
    assert any("Did that help?" in r for r in replies)
    [goodbye] = await say(server, chat, "yes")
    assert "Glad I could help" in goodbye

    closed = await conversation(server, world, chat.conversation_id)
    assert closed["status"] == "resolved"
    assert closed["disposition"] == "contained"
    assert (await place_of(server, world.admin, chat.conversation_id))["waiting"] is False
    await available(server, world, world.agent)
    assert await offers_of(server, world.agent) == [], "nobody is offered a solved conversation"
    [contained] = await events_of(server, world.admin, "bot.contained")
    assert contained["data"]["what"] == "reset_password"
    steps = [e["data"]["step"] for e in await events_of(server, world.admin, "bot.step")]
    assert steps[:3] == ["who", "sent", "solved"], "the funnel records each step the customer reached"


async def test_an_angry_message_raises_priority(server: RunningServer) -> None:
    world = await bot_world(server)
    calm = await start_chat(server, world.slug, queue_id=world.queue_id)
    upset = await start_chat(server, world.slug, queue_id=world.queue_id)
    await idle(server)
    assert (await place_of(server, world.admin, upset.conversation_id))["position"] == 2

    await say(server, upset, "This is ridiculous! I've been waiting forever, your service is terrible!")
    assert (await conversation(server, world, upset.conversation_id))["attributes"]["angry"] == "yes"
    await published(server)
    assert (await place_of(server, world.admin, upset.conversation_id))["position"] == 1
    assert (await place_of(server, world.admin, calm.conversation_id))["position"] == 2
    await available(server, world, world.agent, chats=1)
    [offer] = await offers_of(server, world.agent)
    assert offer["conversation_id"] == upset.conversation_id, "the engine moved the angry customer up"


async def test_a_failed_verification_leaks_nothing(server: RunningServer) -> None:
    world = await bot_world(server)
    chat = await known_chat(server, world)
    await say(server, chat, "I lost my card")
    said = await say(server, chat, "olga@wrong.example")
    said += await say(server, chat, "olga.bot@other.example")
    for secret in (EMAIL, "acme.example", "olga.bot@acme"):
        assert not any(secret in line for line in said), said
    assert any("couldn't verify" in line for line in said)
    card = await card_of(server, world, chat.conversation_id)
    assert card is not None
    assert card["verified"] == [], "nothing is marked verified"
    assert {"what": "block_card", "outcome": "verification failed"} in card["tried"]
    assert not any(EMAIL in str(value) for value in card.values()), "the card holds no stored data either"


async def test_flows_are_stored_per_workspace_and_mistakes_are_refused(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    broken = {"flows": [{"id": "cards", "intent": "block_card", "steps": [{"id": "a", "type": "say"}]}]}
    yaml_flows = (
        "flows:\n  - id: hi\n    intent: greeting\n    steps:\n      - {id: hello, type: say, text: Hi}\n"
    )
    async with server.client(world.admin.token) as api:
        assert (await api.get("/api/v1/bot/flows")).status_code == 404
        message = refusal(await api.put("/api/v1/bot/flows", json=broken), 422)
        assert "flow 'cards' step 'a'" in message
        assert "'text' is missing" in message
        stored = await api.put(
            "/api/v1/bot/flows", content=yaml_flows, headers={"Content-Type": "application/yaml"}
        )
        assert stored.status_code == 200, stored.text
        assert (await api.get("/api/v1/bot/flows")).json()["definition"]["flows"][0]["id"] == "hi"
    async with server.client(world.agent.token) as api:
        refusal(await api.put("/api/v1/bot/flows", json=DEMO_FLOWS), 403)


async def test_a_restart_carries_on_mid_flow_without_saying_anything_twice(
    backend: Backend, tmp_path: Path
) -> None:
    settings = make_settings(backend, tmp_path, offer_timeout_seconds=600)
    first, task, server = await start_server(settings)
    try:
        world = await bot_world(server)
        chat = await known_chat(server, world)
        await say(server, chat, "I lost my card")
        before = await bot_lines(server, chat)
    finally:
        await stop_server(first, task)

    second, task, server = await start_server(settings)
    try:
        await idle(server)
        assert await bot_lines(server, chat) == before, "nothing is said again after the restart"
        [verified, question] = await say(server, chat, EMAIL)
        assert "verified" in verified
        assert "last four digits" in question, "the flow goes on where it stopped"
    finally:
        await stop_server(second, task)


async def test_a_lost_card_is_blocked_by_the_bot_after_verification(server: RunningServer) -> None:
    world = await bot_world(server)
    chat = await known_chat(server, world)
    await say(server, chat, "I lost my card")
    [verified, question] = await say(server, chat, EMAIL)
    assert "verified" in verified
    assert "last four digits" in question
    replies = await say(server, chat, "4821")
    assert any("ending 4821 is blocked" in r for r in replies)
    assert (await conversation(server, world, chat.conversation_id))["attributes"]["card_blocked"] == "4821"
    await say(server, chat, "yes")
    closed = await conversation(server, world, chat.conversation_id)
    assert closed["disposition"] == "contained"
    card = await card_of(server, world, chat.conversation_id)
    assert card is not None
    assert card["verified"] == [{"fact": "email", "value": EMAIL, "dont_ask_again": True}]
    assert card["details"]["card_last4"] == "4821"


SECRET = "shop-secret"


@pytest.fixture
def order_system() -> Iterator[tuple[str, list[bool]]]:
    """A shop's order API on loopback: answers only requests signed with SECRET."""
    signed: list[bool] = []

    class Orders(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            header = self.headers.get("X-Holdless-Signature", "")
            parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
            query = self.path.split("?", 1)[1] if "?" in self.path else ""
            message = f"{parts.get('t', '')}.{query}".encode()
            expected = hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(parts.get("v1", ""), expected)
            signed.append(ok)
            body = b'{"status": "shipped on 20 November"}' if ok else b"{}"
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Orders)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", signed
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_an_order_status_comes_from_a_signed_request_and_an_unreachable_system_falls_back(
    server: RunningServer, order_system: tuple[str, list[bool]]
) -> None:
    base, signed = order_system
    world = await make_world(server.holdless.ctx)
    flows = copy.deepcopy(DEMO_FLOWS)
    [lookup] = [s for s in flows["flows"][2]["steps"] if s["id"] == "lookup"]
    lookup["url"] = base + "/orders/{order_number}"
    async with server.client(world.admin.token) as api:
        stored = await api.put("/api/v1/bot/flows", json={**flows, "http_secret": SECRET})
        assert stored.status_code == 200, stored.text
    chat = await start_chat(server, world.slug, queue_id=world.queue_id)
    await say(server, chat, "where is my order")
    replies = await say(server, chat, "12345")
    assert "Order 12345: shipped on 20 November." in replies
    assert signed == [True], "one request, correctly signed"

    lookup["url"] = "http://127.0.0.1:9/orders/{order_number}"  # nothing listens: refused at once
    async with server.client(world.admin.token) as api:
        assert (await api.put("/api/v1/bot/flows", json=flows)).status_code == 200
    other = await start_chat(server, world.slug, queue_id=world.queue_id)
    await say(server, other, "where is my order")
    replies = await say(server, other, "777")
    assert any("a person will check order 777" in r for r in replies)
    card = await card_of(server, world, other.conversation_id)
    assert card is not None
    assert card["details"]["order_number"] == "777"
