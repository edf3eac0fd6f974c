"""Bad input is answered with a 4xx and a JSON message, never a 500: wrong types, missing fields, broken
JSON, text that is too long, numbers out of range, unknown values, and characters no database stores."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.expect import refusal
from tests.conftest import Backend, RunningServer, make_settings, start_server, stop_server
from tests.factories import make_world, queued_conversation

HUGE = 10**24


@dataclass(frozen=True)
class Bad:
    method: str
    path: str  # {conversation_id}, {customer_id}, {agent_id} are filled in
    body: Any = None
    params: dict[str, Any] | None = None
    raw: bytes | None = None  # sent as is, with a JSON content type
    status: int = 422


CONVERSATION = "/api/v1/conversations/{conversation_id}"
BAD_INPUT = [
    # wrong types and missing fields
    Bad("POST", "/api/v1/conversations", {"customer_id": 123}),
    Bad("POST", "/api/v1/conversations", {}),
    Bad("POST", "/api/v1/conversations", [{"customer_id": "x"}]),
    Bad("POST", CONVERSATION + "/messages", {"text": 42}),
    Bad("POST", CONVERSATION + "/messages", {"attachments": [{"name": "a.png"}]}),
    Bad("POST", CONVERSATION + "/transfer", {"queue_id": 5}),
    Bad("POST", "/api/v1/customers", {"name": "Ann", "attributes": {"vip": True}}),
    Bad("PATCH", "/api/v1/agents/{agent_id}", {"skills": {"billing": "high"}}),
    Bad("POST", "/api/v1/auth/login", {"workspace": "acme"}),
    # broken JSON
    Bad("POST", "/api/v1/conversations", raw=b'{"customer_id": '),
    Bad("POST", CONVERSATION + "/messages", raw=b"\xff\xfe not even utf-8", status=400),
    # too long, too short, out of range
    Bad("POST", CONVERSATION + "/messages", {"text": "x" * 10_001}),
    Bad("POST", CONVERSATION + "/notes", {"text": ""}),
    Bad("POST", "/api/v1/customers", {"name": "x" * 201}),
    Bad("GET", "/api/v1/customers", params={"q": "x" * 201}),
    Bad("GET", "/api/v1/conversations", params={"limit": -1}),
    Bad("GET", "/api/v1/conversations", params={"limit": 0}),
    Bad("GET", "/api/v1/conversations", params={"limit": "ten"}),
    Bad("GET", "/api/v1/conversations", params={"limit": HUGE}),
    Bad("GET", "/api/v1/customers", params={"limit": -5}),
    Bad("GET", "/api/v1/events", params={"limit": -5}),
    Bad("GET", CONVERSATION + "/messages", params={"after_seq": -1}),
    Bad("GET", CONVERSATION + "/messages", params={"after_seq": HUGE}),
    Bad("GET", CONVERSATION + "/messages", params={"after_seq": 2**63}),
    Bad("GET", "/api/v1/events", params={"after": HUGE}),
    Bad("PATCH", "/api/v1/agents/{agent_id}", {"capacity": {"webchat": -1}}),
    Bad("PATCH", "/api/v1/agents/{agent_id}", {"skills": {"billing": HUGE}}),
    Bad("POST", "/api/v1/queues", {"name": "Q", "segments": [{"name": "x", "priority": 1}]}),
    # unknown enum values
    Bad("GET", "/api/v1/conversations", params={"status": "lost"}),
    Bad("GET", "/api/v1/conversations", params={"channel": "fax"}),
    Bad("POST", "/api/v1/conversations", {"customer_id": "{customer_id}", "channel": "fax"}),
    Bad("POST", "/api/v1/customers", {"name": "Ann", "identities": [{"kind": "fax", "value": "1"}]}),
    Bad("POST", "/api/v1/users", {"email": "a@b.c", "name": "A", "role": "owner", "password": "long enough"}),
    Bad("POST", "/api/v1/agents/{agent_id}/state", {"state": "sleeping"}),
    Bad("POST", CONVERSATION + "/resolve", {"disposition": "done-and-dusted"}),
    # NUL characters, which PostgreSQL cannot store: refused the same way on every backend
    Bad("GET", "/api/v1/conversations/con_%00"),
    Bad("GET", "/api/v1/customers", params={"q": "\x00"}),
    Bad("GET", "/api/v1/conversations", params={"before": "\x00"}),
    Bad("GET", "/api/v1/events", params={"conversation_id": "\x00"}),
    Bad("DELETE", "/api/v1/tokens/tok_%00"),
    Bad("POST", CONVERSATION + "/messages", {"text": "a\x00b"}),
    Bad("POST", CONVERSATION + "/messages", {"text": "ok", "client_message_id": "\x00"}),
    Bad("POST", "/api/v1/customers", {"name": "a\x00b"}),
    Bad("POST", "/api/v1/customers", {"name": "Ann", "attributes": {"plan\x00": "gold"}}),
    Bad("POST", "/api/v1/auth/login", {"workspace": "acme\x00", "email": "a@b.c", "password": "x"}),
    Bad("POST", "/api/v1/widget/sessions", {"workspace": "acme", "visitor_id": "\x00" * 10}),
]


def _fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map(ids) if "{" in template else template
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, ids) for value in template]
    return template


async def test_bad_input_is_a_4xx_with_a_json_message_never_a_500(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    conversation = await queued_conversation(ctx, world)
    ids = {
        "conversation_id": conversation.id,
        "customer_id": world.customer_id,
        "agent_id": world.agent.user_id,
    }
    async with server.client(world.admin.token) as admin:
        before = (await admin.get("/api/v1/customers")).json()
        for bad in BAD_INPUT:
            path = _fill(bad.path, ids)
            if bad.raw is not None:
                headers = {"content-type": "application/json"}
                response = await admin.request(bad.method, path, content=bad.raw, headers=headers)
            else:
                response = await admin.request(bad.method, path, json=_fill(bad.body, ids), params=bad.params)
            assert response.status_code == bad.status, f"{bad}: {response.status_code} {response.text}"
            refusal(response, bad.status)
        assert (await admin.get("/api/v1/customers")).json() == before, "nothing bad was stored"
        assert (await admin.get(f"/api/v1/conversations/{conversation.id}/messages")).json() == []


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
_fields = ["name", "text", "customer_id", "queue_id", "agent_id", "identities", "attributes", "skills"]
_bodies = st.dictionaries(st.sampled_from(_fields), _json, max_size=4) | _json


async def test_random_json_bodies_never_cause_a_500(server: RunningServer) -> None:
    """Hypothesis runs in a worker thread with a blocking client; the server keeps serving on this loop."""
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    conversation = await queued_conversation(ctx, world)
    targets = [
        ("POST", "/api/v1/customers"),
        ("POST", "/api/v1/conversations"),
        ("POST", f"/api/v1/conversations/{conversation.id}/messages"),
        ("POST", f"/api/v1/conversations/{conversation.id}/transfer"),
        ("PATCH", f"/api/v1/agents/{world.agent.user_id}"),
    ]
    headers = {"Authorization": f"Bearer {world.admin.token}"}

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(target=st.sampled_from(targets), body=_bodies)
    def property_holds(target: tuple[str, str], body: Any) -> None:
        method, path = target
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
            response = client.request(method, path, json=body)
        assert response.status_code < 500, f"{method} {path} {body!r}: {response.text}"
        if response.status_code >= 400:
            assert response.json()["error"]["message"]

    await asyncio.to_thread(property_holds)


async def test_too_many_new_chat_sessions_from_one_address_get_429_with_retry_after(
    backend: Backend, tmp_path: Path
) -> None:
    server, task, running = await start_server(make_settings(backend, tmp_path, widget_sessions_per_minute=2))
    try:
        world = await make_world(running.holdless.ctx)
        async with running.client() as anonymous:
            for _ in range(2):
                opened = await anonymous.post("/api/v1/widget/sessions", json={"workspace": world.slug})
                assert opened.status_code == 201, opened.text
            refused = await anonymous.post("/api/v1/widget/sessions", json={"workspace": world.slug})
        assert "Too many new chat sessions" in refusal(refused, 429)
        assert int(refused.headers["Retry-After"]) >= 1
    finally:
        await stop_server(server, task)
