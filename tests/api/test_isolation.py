"""Workspaces are sealed from each other: another workspace's objects look exactly like missing ones.

Two tables drive these tests. TARGETS lists every endpoint whose path names an object: the caller asks for
the other workspace's object, with an otherwise valid body. REFERENCES lists request bodies that name
another object: the caller acts on their own object but points at the other workspace's. A test walks
/openapi.json, so a new endpoint with an `{..._id}` in its path, or an `_id` in its body, fails the suite
until it is added here.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from holdless.accounts.actions import create_workspace
from holdless.agents.actions import set_state, update_profile
from holdless.agents.model import AgentState
from holdless.complaints.actions import configure, open_complaint
from holdless.contacts.actions import create_customer
from holdless.conversations.actions import resolve
from holdless.routing.callback_actions import request_callback
from holdless.settings import Settings
from holdless.tenancy import SystemPrincipal
from tests.api.expect import Chat, refusal, start_chat
from tests.conftest import Backend, RunningServer, make_settings, settle
from tests.factories import Person, World, make_world, queued_conversation

Json = dict[str, Any]


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    """Offers must not expire while the test walks every endpoint; webhooks may target loopback."""
    return make_settings(backend, tmp_path, offer_timeout_seconds=600, webhook_allowed_hosts=["127.0.0.1"])


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # exactly as in /openapi.json
    body: Json | None = None
    offered: bool = False  # offers go to agents and supervisors: the supervisor makes these calls
    alias: tuple[str, str] | None = None  # fill this path placeholder with that id instead

    @property
    def as_customer(self) -> bool:
        return self.path.startswith("/api/v1/widget/")

    async def send(
        self, client: httpx.AsyncClient, path_ids: dict[str, str], body_ids: dict[str, str]
    ) -> httpx.Response:
        body = _fill(self.body, body_ids) if self.body is not None else None
        if self.alias is not None:
            path_ids = path_ids | {self.alias[0]: path_ids[self.alias[1]]}
        return await client.request(self.method, _fill(self.path, path_ids), json=body)


def _fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map(ids)
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, ids) for value in template]
    return template


LATER = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
COMPLAINT_SETTINGS = {
    "zone": "UTC",
    "hours": {str(day): [["00:00", "00:00"]] for day in range(7)},
    "categories": [{"name": "billing", "acknowledge_hours": 1, "respond_hours": 8, "resolve_hours": 40}],
}
CONVERSATION = "/api/v1/conversations/{conversation_id}"
WIDGET_CONVERSATION = "/api/v1/widget/conversations/{conversation_id}"

# Path placeholders are filled with the OTHER workspace's ids, body placeholders with the caller's own.
# Bodies are valid for the caller's own objects (checked too), so a 404 can only come from the path.
# Order matters for that check: the lifecycle rows run queue → assign → transfer → resolve → reopen.
TARGETS = [
    Call("GET", "/api/v1/users/{user_id}"),
    Call("PATCH", "/api/v1/users/{user_id}", {"name": "Renamed"}),
    Call("GET", "/api/v1/agents/{agent_id}"),
    Call("PATCH", "/api/v1/agents/{agent_id}", {"skills": {"billing": 2}}),
    Call("POST", "/api/v1/agents/{agent_id}/state", {"state": "away"}),
    Call("GET", "/api/v1/customers/{customer_id}"),
    Call("PATCH", "/api/v1/customers/{customer_id}", {"name": "Renamed", "segment": "standard"}),
    Call("POST", "/api/v1/customers/{customer_id}/identities", {"kind": "email", "value": "new@example.com"}),
    Call("POST", "/api/v1/customers/{customer_id}/merge", {"source_id": "{spare_customer_id}"}),
    Call("GET", "/api/v1/queues/{queue_id}"),
    Call("PATCH", "/api/v1/queues/{queue_id}", {"name": "Renamed"}),
    Call("GET", CONVERSATION),
    Call("GET", CONVERSATION + "/messages"),
    Call("POST", CONVERSATION + "/messages", {"text": "Hello"}),
    Call("GET", CONVERSATION + "/notes"),
    Call("POST", CONVERSATION + "/notes", {"text": "Checked the card"}),
    Call("POST", CONVERSATION + "/queue", {"queue_id": "{queue_id}"}),
    Call("POST", CONVERSATION + "/assign", {"agent_id": "{agent_id}"}),
    Call("POST", CONVERSATION + "/transfer", {"queue_id": "{other_queue_id}"}),
    Call("POST", CONVERSATION + "/resolve", {"disposition": "resolved"}),
    Call("POST", CONVERSATION + "/reopen"),
    Call("DELETE", "/api/v1/tokens/{token_id}"),
    Call("GET", WIDGET_CONVERSATION + "/messages"),
    Call("POST", WIDGET_CONVERSATION + "/messages", {"text": "Hello?"}),
    Call("POST", WIDGET_CONVERSATION + "/away"),
    Call("POST", CONVERSATION + "/priority", {"angry": True}),
    Call("GET", CONVERSATION + "/place"),
    Call("POST", CONVERSATION + "/callback", {"window_end": LATER, "channel": "webchat"}),
    Call("POST", "/api/v1/offers/{offer_id}/accept", offered=True),
    Call("POST", "/api/v1/callbacks/{callback_id}/no-answer"),
    Call(
        "POST",
        "/api/v1/offers/{offer_id}/decline",
        {"reason": "on a call"},
        offered=True,
        alias=("offer_id", "declined_offer_id"),
    ),
    Call("GET", WIDGET_CONVERSATION + "/place"),
    Call("POST", WIDGET_CONVERSATION + "/callback", {"window_end": LATER}),
    Call("POST", WIDGET_CONVERSATION + "/leave"),
    Call("GET", CONVERSATION + "/survey"),
    Call("POST", CONVERSATION + "/complaint", {"category": "billing"}),
    Call("POST", "/api/v1/complaints/{complaint_id}/{stage}"),
    Call("GET", WIDGET_CONVERSATION + "/survey", alias=("conversation_id", "surveyed_chat_id")),
    Call("POST", WIDGET_CONVERSATION + "/survey", {"csat": 5}, alias=("conversation_id", "surveyed_chat_id")),
    Call("GET", "/api/v1/webhooks/{webhook_id}"),
    Call("PATCH", "/api/v1/webhooks/{webhook_id}", {"event_types": ["conversation.", "message.created"]}),
    Call("GET", "/api/v1/webhooks/{webhook_id}/deliveries"),
    Call("POST", "/api/v1/webhook-deliveries/{delivery_id}/replay"),
    Call("DELETE", "/api/v1/webhooks/{webhook_id}"),
    Call("GET", CONVERSATION + "/handoff"),
]

# Path placeholders are filled with the caller's OWN ids, body placeholders with the other workspace's
# (or, prefixed with own_, the caller's).
REFERENCES = [
    Call("POST", "/api/v1/conversations", {"customer_id": "{customer_id}"}),
    Call("POST", "/api/v1/conversations", {"customer_id": "{own_customer_id}", "queue_id": "{queue_id}"}),
    Call("POST", CONVERSATION + "/queue", {"queue_id": "{queue_id}"}),
    Call("POST", CONVERSATION + "/assign", {"agent_id": "{agent_id}"}),
    Call("POST", CONVERSATION + "/transfer", {"queue_id": "{queue_id}"}),
    Call("POST", CONVERSATION + "/transfer", {"agent_id": "{agent_id}"}),
    Call("POST", "/api/v1/customers/{customer_id}/merge", {"source_id": "{customer_id}"}),
    Call("PATCH", "/api/v1/agents/{agent_id}", {"queue_ids": ["{queue_id}"]}),
    Call("POST", "/api/v1/widget/conversations", {"queue_id": "{queue_id}"}),
]
# Body fields ending in _id that name no object: an idempotency key, and the widget's own visitor key
# (test_the_same_visitor_id_in_two_workspaces_is_two_customers covers that one).
NOT_REFERENCES = {"client_message_id", "visitor_id"}


@dataclass(frozen=True)
class Side:
    """One workspace as the tests see it: its world, a widget chat, and the ids to fill templates with."""

    world: World
    chat: Chat
    ids: dict[str, str]


async def _side(server: RunningServer, slug: str) -> Side:
    ctx = server.holdless.ctx
    world = await make_world(ctx, slug)
    async with server.client(world.admin.token) as api:
        hook = {"url": "http://127.0.0.1:9/unreachable", "event_types": ["conversation."]}
        webhook_id = (await api.post("/api/v1/webhooks", json=hook)).json()["id"]
    conversation = await queued_conversation(ctx, world)
    spare = await create_customer(ctx, SystemPrincipal(world.workspace_id), name="Spare")
    chat = await start_chat(server, slug, queue_id=world.queue_id)
    async with server.client(world.admin.token) as api:
        token = await api.post("/api/v1/tokens", json={"name": "spare"})
    # The visitor's second chat, resolved, so a survey was asked in it.
    async with server.client(chat.token) as widget:
        second = await widget.post("/api/v1/widget/conversations", json={"queue_id": world.queue_id})
    surveyed = second.json()["id"]
    await resolve(ctx, world.admin.principal, surveyed, disposition="resolved")
    # Real offers: the supervisor joins the Tech queue and becomes available; the engine offers it two
    # conversations, one of which has a callback promised.
    promised = await queued_conversation(ctx, world, queue_id=world.other_queue_id)
    declined = await queued_conversation(ctx, world, queue_id=world.other_queue_id)
    callback = await request_callback(
        ctx, SystemPrincipal(world.workspace_id), promised.id,
        window_end=datetime.now(UTC) + timedelta(hours=1), channel="webchat",
    )  # fmt: skip
    await configure(ctx, world.admin.principal, COMPLAINT_SETTINGS)
    complaint = await open_complaint(ctx, world.admin.principal, promised.id, category="billing")
    boss = world.supervisor
    await update_profile(
        ctx,
        world.admin.principal,
        boss.user_id,
        queue_ids=(world.other_queue_id,),
        skills={"tech": 3},
        languages=("en", "ru"),
    )
    await set_state(ctx, boss.principal, boss.user_id, AgentState.AVAILABLE)
    await settle(server)
    async with server.client(boss.token) as api:
        offers = {o["conversation_id"]: o["id"] for o in (await api.get("/api/v1/offers")).json()}
    async with server.client(world.admin.token) as api:
        for _ in range(200):  # the delivering process makes the deliveries soon after the commit
            deliveries = (await api.get(f"/api/v1/webhooks/{webhook_id}/deliveries")).json()
            if deliveries:
                break
            await asyncio.sleep(0.05)
    ids = {
        "user_id": world.agent.user_id,
        "agent_id": world.agent.user_id,
        "customer_id": world.customer_id,
        "spare_customer_id": spare.id,
        "queue_id": world.queue_id,
        "other_queue_id": world.other_queue_id,
        "conversation_id": conversation.id,
        "token_id": token.json()["id"],
        "offer_id": offers[promised.id],
        "declined_offer_id": offers[declined.id],
        "callback_id": callback.id,
        "surveyed_chat_id": surveyed,
        "complaint_id": complaint.id,
        "stage": "acknowledge",
        "webhook_id": webhook_id,
        "delivery_id": deliveries[-1]["id"],
    }
    return Side(world, chat, ids)


def _token(side: Side, call: Call, person: Person) -> str:
    if call.as_customer:
        return side.chat.token
    return side.world.supervisor.token if call.offered else person.token


def _path_ids(side: Side, call: Call) -> dict[str, str]:
    return side.ids | {"conversation_id": side.chat.conversation_id} if call.as_customer else side.ids


async def _snapshot(server: RunningServer, side: Side) -> Json:
    """Everything the workspace's admin can read about it, including its whole event log."""
    await settle(server)
    conversations = [side.ids["conversation_id"], side.chat.conversation_id]
    async with server.client(side.world.admin.token) as api:
        state: Json = {}
        for path in ("users", "agents", "customers", "queues", "conversations", "tokens", "workspace"):
            state[path] = (await api.get(f"/api/v1/{path}")).json()
        state["events"] = (await api.get("/api/v1/events", params={"limit": 1000})).json()
        for conversation_id in conversations:
            for part in ("messages", "notes"):
                state[f"{conversation_id}/{part}"] = (
                    await api.get(f"/api/v1/conversations/{conversation_id}/{part}")
                ).json()
    async with server.client(side.chat.token) as widget:
        state["widget"] = (await widget.get("/api/v1/widget/conversations")).json()
    assert len(state["events"]) > 10, "the snapshot should see the workspace's history"
    return state


async def test_every_object_of_another_workspace_is_not_found_and_stays_unchanged(
    server: RunningServer,
) -> None:
    """Asked as admin (and agent); then, as a control, the same calls succeed on the caller's own objects
    (so the 404s come from the workspace boundary, not from a broken request)."""
    acme, globex = await _side(server, "acme"), await _side(server, "globex")
    before = await _snapshot(server, globex)
    missing = {
        name: f"{value[:4]}00000000000000000000000000" if name.endswith("_id") else value
        for name, value in globex.ids.items()
    }

    # Agents also see the conversation rows, where what they may see is decided per conversation.
    calls = [(acme.world.admin, call) for call in TARGETS]
    calls += [(acme.world.agent, call) for call in TARGETS if call.path.startswith(CONVERSATION)]
    for caller, call in calls:
        async with server.client(_token(acme, call, caller)) as api:
            foreign = await call.send(api, _path_ids(globex, call), acme.ids)
            made_up = await call.send(api, missing, acme.ids)
        refusal(foreign, 404)
        assert foreign.json() == made_up.json(), (
            f"{call.method} {call.path} as {caller.principal.role} tells a foreign object from a missing one"
        )

    async with server.client(globex.world.admin.token) as api:
        assert (await api.get("/api/v1/me")).status_code == 200, "the other workspace's token still works"
    assert await _snapshot(server, globex) == before

    for call in TARGETS:
        async with server.client(_token(acme, call, acme.world.admin)) as api:
            response = await call.send(api, _path_ids(acme, call), acme.ids)
        assert response.status_code < 300, f"{call.method} {call.path} at home: {response.text}"


async def test_naming_another_workspaces_object_in_a_request_is_not_found(server: RunningServer) -> None:
    acme, globex = await _side(server, "acme"), await _side(server, "globex")
    before = {"acme": await _snapshot(server, acme), "globex": await _snapshot(server, globex)}

    for call in REFERENCES:
        token = acme.chat.token if call.as_customer else acme.world.admin.token
        async with server.client(token) as api:
            own = {f"own_{name}": value for name, value in acme.ids.items()}
            refusal(await call.send(api, acme.ids, globex.ids | own), 404)

    assert await _snapshot(server, acme) == before["acme"]
    assert await _snapshot(server, globex) == before["globex"]


async def test_lists_and_filters_show_only_the_callers_workspace(server: RunningServer) -> None:
    acme, globex = await _side(server, "acme"), await _side(server, "globex")
    ids = {value for name, value in globex.ids.items() if name.endswith("_id")}
    theirs = ids | {globex.chat.customer_id, globex.chat.conversation_id}

    async with server.client(acme.world.admin.token) as api:
        seen = [
            await api.get("/api/v1/users"),
            await api.get("/api/v1/agents"),
            await api.get("/api/v1/queues"),
            await api.get("/api/v1/customers"),
            await api.get("/api/v1/customers", params={"q": "globex"}),
            await api.get("/api/v1/conversations"),
            await api.get("/api/v1/conversations", params={"customer_id": globex.world.customer_id}),
            await api.get("/api/v1/conversations", params={"queue_id": globex.world.queue_id}),
            await api.get("/api/v1/events", params={"limit": 1000}),
            await api.get("/api/v1/events", params={"conversation_id": globex.ids["conversation_id"]}),
            await api.get("/api/v1/tokens"),
            await api.get("/api/v1/webhooks"),
        ]
    async with server.client(acme.chat.token) as widget:
        seen.append(await widget.get("/api/v1/widget/conversations"))

    for response in seen:
        assert response.status_code == 200, response.text
        assert not any(object_id in response.text for object_id in theirs), response.request.url
        assert "globex" not in response.text, response.request.url
    assert "acme" in seen[0].text, "the lists do show the caller's own workspace"


async def test_the_same_visitor_id_in_two_workspaces_is_two_customers(server: RunningServer) -> None:
    for slug in ("acme", "globex"):
        await create_workspace(server.holdless.ctx, slug=slug, name=slug.title(), languages=("en",))
    visitor = {"visitor_id": "visitor-0123456789", "name": "Same browser"}
    async with server.client() as anonymous:
        at_acme = await anonymous.post("/api/v1/widget/sessions", json={"workspace": "acme", **visitor})
        at_globex = await anonymous.post("/api/v1/widget/sessions", json={"workspace": "globex", **visitor})
        again_at_acme = await anonymous.post("/api/v1/widget/sessions", json={"workspace": "acme", **visitor})
    assert at_acme.json()["customer_id"] != at_globex.json()["customer_id"]
    assert again_at_acme.json()["customer_id"] == at_acme.json()["customer_id"]

    async with server.client(at_acme.json()["customer_token"]) as acme_widget:
        started = await acme_widget.post("/api/v1/widget/conversations", json={"subject": "Hi"})
    async with server.client(at_globex.json()["customer_token"]) as globex_widget:
        assert (await globex_widget.get("/api/v1/widget/conversations")).json() == []
        messages = f"/api/v1/widget/conversations/{started.json()['id']}/messages"
        refusal(await globex_widget.get(messages), 404)


def _body_fields(spec: Json, operation: Json) -> set[str]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if not schema or "$ref" not in schema:
        return set()
    properties = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]].get("properties", {})
    return {name for name in properties if re.search(r"_ids?$", name)} - NOT_REFERENCES


async def test_every_endpoint_that_names_an_object_is_in_the_isolation_tables(server: RunningServer) -> None:
    async with server.client() as client:
        spec = (await client.get("/openapi.json")).json()
    targets = {(call.method, call.path) for call in TARGETS}
    references = {(call.method, call.path, name) for call in REFERENCES for name in call.body or {}}

    missing_targets, missing_references = [], []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if re.search(r"\{\w+_id\}", path) and (method.upper(), path) not in targets:
                missing_targets.append(f"{method.upper()} {path}")
            for name in _body_fields(spec, operation):
                if (method.upper(), path, name) not in references:
                    missing_references.append(f"{method.upper()} {path} body.{name}")

    assert not missing_targets, f"add these endpoints to TARGETS: {missing_targets}"
    assert not missing_references, f"add these body fields to REFERENCES: {missing_references}"
