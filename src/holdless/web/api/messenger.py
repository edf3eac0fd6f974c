"""The signed messenger webhook's inbound endpoint (docs/channels.md, "Messenger").

No login: the HMAC signature is the authentication. Errors: 401 bad signature or stale timestamp, 409 a
replay, 422 a body that is not a valid message, 404 when the channel is off or the workspace is another.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from pydantic import BaseModel

from holdless.errors import HoldlessError, NotFound
from holdless.web.deps import holdless

log = logging.getLogger(__name__)
router = APIRouter(tags=["channels"])


class Accepted(BaseModel):
    conversation_id: str
    message_id: str
    created: bool


@router.post("/channels/messenger/{workspace_slug}/webhook", response_model=Accepted)
async def messenger_webhook(workspace_slug: str, request: Request) -> Accepted:
    channel = holdless(request).messenger
    if channel is None or channel.workspace_slug != workspace_slug:
        raise NotFound("No messenger channel is configured for this workspace.")
    body = await request.body()
    try:
        receipt = await channel.accept(request.headers, body)
    except HoldlessError as error:
        client = request.client.host if request.client else "?"
        log.warning("messenger: refused a post from %s: %s %s", client, error.code, error.message)
        raise
    return Accepted(
        conversation_id=receipt.conversation.id, message_id=receipt.message.id, created=receipt.created
    )
