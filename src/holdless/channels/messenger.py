"""The signed messenger webhook: WhatsApp-style providers and custom apps (docs/channels.md, "Messenger").

Inbound: a JSON post signed with HMAC-SHA256 over the timestamp and the body (integrations.signing); a bad
signature or a stale timestamp is refused (401), a replay too (409), before anything is parsed or stored.
Outbound: replies are posted, signed the same way, to one configured URL checked against SSRF
(integrations.targets). A free-form reply is refused outside the reply window (by default 24 hours after
the customer's last message); a template ("[template:NAME] text") may always be sent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.channels.base import Capabilities, Outbound, render
from holdless.contacts.model import Identity, IdentityKind
from holdless.conversations.intake import Inbound, Receipt, ThreadMap, receive
from holdless.conversations.model import Attachment, Channel
from holdless.errors import Invalid
from holdless.events import Event
from holdless.ids import QueueId, WorkspaceId
from holdless.integrations.delivery import pinned_request
from holdless.integrations.signing import DEFAULT_TOLERANCE_SECONDS, sign, verify
from holdless.integrations.targets import Resolver, TargetRefused, check_target
from holdless.storage.repositories.messenger import SqlSeenStore, last_customer_message_at
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

PROVIDER = "messenger"  # identities are "messenger:<from.id>"
TEMPLATE = re.compile(r"^\s*\[template:([A-Za-z0-9_.\-]{1,64})\]\s*")
USER_AGENT = "Holdless-Messenger/1"
REPLY_REFUSED = "channel.reply_refused"  # tells the agent a reply was not sent, and why
MAX_ID = 300
MAX_TEXT = 10_000


class ReplyWindowClosed(Invalid):
    """A free-form reply after the reply window: only a template may be sent now (422)."""

    code = "reply_window_closed"


def _text_field(data: Mapping[str, Any], name: str, *, required: bool, limit: int = MAX_ID) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"'{name}' must be a non-empty string.", field=name)
    if len(value) > limit:
        raise Invalid(f"'{name}' is longer than {limit} characters.", field=name)
    return value.strip() if limit == MAX_ID else value


def _attachments(raw: Any) -> tuple[Attachment, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > 20:
        raise Invalid("'attachments' must be a list of at most 20 objects.", field="attachments")
    found = []
    for item in raw:
        if not isinstance(item, dict):
            raise Invalid("Each attachment must be an object.", field="attachments")
        size = item.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise Invalid("An attachment's 'size' must be a whole number of bytes.", field="attachments")
        url = item.get("url")
        found.append(
            Attachment(
                name=str(item.get("name") or "attachment")[:200],
                content_type=str(item.get("content_type") or "application/octet-stream")[:100],
                size=size,
                url=str(url)[:2000] if url else None,
            )
        )
    return tuple(found)


def parse_payload(body: bytes, *, workspace_id: WorkspaceId, received_at: datetime) -> Inbound:
    """The provider's JSON into an `Inbound`, or Invalid saying what is wrong (422)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise Invalid(f"The body is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise Invalid("The body must be a JSON object.")
    message_id = _text_field(data, "message_id", required=True)
    sender = data.get("from")
    if not isinstance(sender, dict):
        raise Invalid("'from' must be an object with an 'id'.", field="from")
    sender_id = _text_field(sender, "id", required=True)
    name = _text_field(sender, "name", required=False, limit=200)
    language = _text_field(sender, "language", required=False, limit=20) or None
    text = _text_field(data, "text", required=False, limit=MAX_TEXT)
    attachments = _attachments(data.get("attachments"))
    if not text.strip() and not attachments:
        raise Invalid("A message needs a 'text' or at least one attachment.", field="text")
    sent_at = data.get("sent_at")
    if sent_at is not None and not isinstance(sent_at, (str, int, float)):
        raise Invalid("'sent_at' must be an ISO 8601 time or seconds since the epoch.", field="sent_at")
    return Inbound(
        workspace_id=workspace_id,
        channel=Channel.MESSENGER,
        sender=Identity(IdentityKind.MESSENGER, f"{PROVIDER}:{sender_id}"),
        display_name=name or f"{PROVIDER} {sender_id}",
        text=text,
        external_id=f"{PROVIDER}:{message_id}",
        received_at=received_at,
        thread_keys=(chat_key(sender_id),),
        attachments=attachments,
        language=language,
    )


def chat_key(sender_id: str) -> str:
    """A messenger has no threads: the customer's chat is one thread, continued by every message."""
    return f"chat:{PROVIDER}:{sender_id}"


def template_of(text: str) -> tuple[str | None, str]:
    """("NAME", rest) for a "[template:NAME] rest" message, else (None, text)."""
    match = TEMPLATE.match(text)
    if match is None:
        return None, text
    return match.group(1), text[match.end() :]


class MessengerChannel:
    channel = Channel.MESSENGER
    capabilities = Capabilities(buttons=True, max_buttons=3, max_text=4096)

    def __init__(
        self,
        ctx: Ctx,
        engine: AsyncEngine,
        workspace_id: WorkspaceId,
        workspace_slug: str,
        threads: ThreadMap,
        *,
        secret: str,
        resolver: Resolver,
        queue_id: QueueId | None = None,
        outbound_url: str | None = None,
        allowed_hosts: Collection[str] = (),
        reply_window_hours: float = 24.0,
        tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._ctx = ctx
        self._engine = engine
        self.workspace_id = workspace_id
        self.workspace_slug = workspace_slug
        self._threads = threads
        self._secret = secret
        self._resolver = resolver
        self._queue_id = queue_id
        self.outbound_url = outbound_url
        self._allowed_hosts = frozenset(allowed_hosts)
        self._window = timedelta(hours=reply_window_hours)
        self._tolerance = tolerance_seconds
        self._timeout = timeout_seconds
        self._seen = SqlSeenStore(engine)
        self._refused: set[str] = set()  # messages already reported refused (the outbox retries a send)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    # --- inbound ---------------------------------------------------------------------------------------

    async def accept(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        """Verify, parse and store one post. Raises BadSignature / StaleTimestamp (401), Replayed (409),
        Invalid (422); nothing is stored in any of these cases."""
        now = self._ctx.clock.now()
        await verify(
            self._secret, headers, body, now=now.timestamp(), seen=self._seen,
            tolerance_seconds=self._tolerance,
        )  # fmt: skip
        inbound = parse_payload(body, workspace_id=self.workspace_id, received_at=now)
        receipt = await receive(self._ctx, inbound, threads=self._threads, queue_id=self._queue_id)
        # The chat's key points at its first conversation (a mapping is never moved).
        await self._threads.remember(
            self.workspace_id, self.channel, inbound.thread_keys, receipt.conversation.id
        )
        log.info(
            "messenger: %s from %s into %s%s", inbound.external_id, inbound.sender.value,
            receipt.conversation.id, "" if receipt.created else " (already stored)",
        )  # fmt: skip
        return receipt

    # --- outbound --------------------------------------------------------------------------------------

    async def check_window(self, outbound: Outbound) -> str | None:
        """The template name; ReplyWindowClosed for a free-form reply outside the window."""
        template, _ = template_of(outbound.reply.text)
        if template is not None:
            return template
        last = await last_customer_message_at(self._engine, outbound.conversation_id)
        now = self._ctx.clock.now()
        if last is None or now - last > self._window:
            hours = f"{self._window.total_seconds() / 3600:g}"
            refusal = ReplyWindowClosed(
                f"Not sent: the customer last wrote more than {hours} hours ago, so the messenger accepts "
                'only a template now. Start the reply with "[template:NAME]".'
            )
            await self._report_refusal(outbound, refusal)
            raise refusal
        return None

    async def _report_refusal(self, outbound: Outbound, refusal: ReplyWindowClosed) -> None:
        if outbound.message_id in self._refused:
            return
        self._refused.add(outbound.message_id)
        event = Event(
            type=REPLY_REFUSED, workspace_id=self.workspace_id, actor="system:messenger",
            at=self._ctx.clock.now(), conversation_id=outbound.conversation_id,
            data={"message_id": outbound.message_id, "code": refusal.code, "reason": refusal.message},
        )  # fmt: skip
        async with self._ctx.uow() as uow:
            uow.record(event)

    def payload(self, outbound: Outbound, template: str | None) -> dict[str, Any]:
        _, text = template_of(outbound.reply.text)
        rendered = render(outbound.reply.__class__(text, outbound.reply.choices), self.capabilities)
        return {
            "message_id": outbound.message_id,
            "conversation_id": outbound.conversation_id,
            "to": {"id": outbound.recipient.partition(":")[2] or outbound.recipient},
            "text": rendered.text,
            "template": template,
            "buttons": [{"label": b.label, "value": b.value} for b in rendered.buttons],
            "automatic": outbound.automatic,
        }

    async def send(self, outbound: Outbound) -> str:
        if not self.outbound_url:
            raise Invalid("No outbound URL is configured (HOLDLESS_MESSENGER_OUTBOUND_URL).")
        template = await self.check_window(outbound)
        try:
            target, addresses = await check_target(self.outbound_url, self._resolver, self._allowed_hosts)
        except TargetRefused as refused:
            raise TargetRefused(
                refused.message.replace("Webhooks", "Messenger replies").replace(
                    "HOLDLESS_WEBHOOK_ALLOWED_HOSTS", "HOLDLESS_MESSENGER_ALLOWED_HOSTS"
                ),
                field="messenger_outbound_url",
            ) from refused
        body = json.dumps(self.payload(outbound, template), separators=(",", ":"), ensure_ascii=False)
        raw = body.encode("utf-8")
        url, headers, extensions = pinned_request(target, addresses[0])
        headers |= sign(self._secret, raw, now=self._ctx.clock.now().timestamp())
        headers |= {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
            request = client.build_request("POST", url, content=raw, headers=headers, extensions=extensions)
            response = await client.send(request)
        if not 200 <= response.status_code < 300:
            raise ConnectionError(f"The messenger answered HTTP {response.status_code}.")
        return f"{PROVIDER}-out:{outbound.message_id}"
