"""What the API tests expect of every answer, and the widget steps several tests share."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.conftest import RunningServer


def refusal(response: httpx.Response, status: int) -> str:
    """The answer is `status` with a JSON error carrying a message a person can read; returns it."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    message = response.json()["error"]["message"]
    assert isinstance(message, str), response.text
    assert message.strip(), response.text
    return message


@dataclass(frozen=True)
class Chat:
    """A widget visitor with a customer token and one conversation."""

    customer_id: str
    token: str
    conversation_id: str


async def start_chat(server: RunningServer, slug: str, *, queue_id: str | None = None) -> Chat:
    async with server.client() as anonymous:
        session = await anonymous.post("/api/v1/widget/sessions", json={"workspace": slug, "name": "Visitor"})
        assert session.status_code == 201, session.text
        token = session.json()["customer_token"]
    async with server.client(token) as widget:
        started = await widget.post("/api/v1/widget/conversations", json={"queue_id": queue_id})
        assert started.status_code == 201, started.text
    return Chat(session.json()["customer_id"], token, started.json()["id"])
