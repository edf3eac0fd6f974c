"""The Telegram channel: the Bot API over httpx, inbound by webhook or long polling, replies by sendMessage.

Updates are parsed by `parse_update` into `Inbound` values and handed to `conversations.intake.receive`:
the thread key is the chat ("chat:<chat id>"), the external id "<chat id>:<message id>", so an update
delivered twice is stored once. Outbound messages come from the channel's `Outbox` through `send`;
choices become inline keyboard buttons (`channels.base.render`). The Bot API base URL is configurable,
which is also how tests point it at a local stand-in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from holdless.channels.base import Capabilities, Outbound, render
from holdless.contacts.model import Identity, IdentityKind
from holdless.conversations.intake import Inbound, Receipt, ThreadMap, receive
from holdless.conversations.model import Attachment, Channel
from holdless.errors import HoldlessError, Invalid
from holdless.ids import QueueId, WorkspaceId
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

# Media kinds of a message whose metadata is kept as attachments (the file stays with Telegram).
MEDIA = {
    "photo": "image/jpeg",
    "document": "application/octet-stream",
    "audio": "audio/mpeg",
    "voice": "audio/ogg",
    "video": "video/mp4",
    "video_note": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
}
EDITED_NOTE = "(edited) "
MESSAGE_KEY = re.compile(r"-?\d+:\d+")  # "<chat id>:<message id>"


@dataclass(frozen=True, slots=True)
class TelegramBot:
    token: str
    api_base: str = "https://api.telegram.org"
    poll_seconds: float = 1.0  # between getUpdates calls when polling
    long_poll_timeout: int = 0  # the getUpdates "timeout" (seconds the server may hold the request)
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class Update:
    """A parsed update: the message to store, and the callback query to answer (a button press)."""

    inbound: Inbound
    chat_id: int
    callback_query_id: str | None = None


def chat_key(chat_id: int | str) -> str:
    return f"chat:{chat_id}"


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"Telegram update: {what} must be an object")
    return value


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"Telegram update: {what} must be an integer")
    return value


def _attachments(message: dict[str, Any]) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for kind, content_type in MEDIA.items():
        media = message.get(kind)
        if isinstance(media, list) and media:  # photos come in several sizes: the largest is last
            media = media[-1]
        if not isinstance(media, dict):
            continue
        name = str(
            media.get("file_name") or f"{kind}-{media.get('file_unique_id') or media.get('file_id', '')}"
        )
        size = media.get("file_size")
        found.append(
            Attachment(
                name=name[:255],
                content_type=str(media.get("mime_type") or content_type),
                size=size if isinstance(size, int) and not isinstance(size, bool) else 0,
                url=f"tg-file:{media['file_id']}" if isinstance(media.get("file_id"), str) else None,
            )
        )
    return tuple(found)


def _sender(user: dict[str, Any]) -> tuple[Identity, str, str | None]:
    user_id = _int(user.get("id"), "from.id")
    names = [str(user.get(k) or "") for k in ("first_name", "last_name")]
    display = " ".join(n for n in names if n) or str(user.get("username") or "") or f"Telegram {user_id}"
    language = user.get("language_code")
    return (
        Identity(IdentityKind.MESSENGER, f"telegram:{user_id}"),
        display,
        language if isinstance(language, str) and language else None,
    )


def _thread_keys(chat_id: int, message: dict[str, Any], *, before: bool = False) -> tuple[str, ...]:
    """The newest conversation of the chat first: the message replied to (or pressed), the chat's latest
    messages (ids of a chat are consecutive, replies sent included), then the chat itself. So after a
    conversation ends for good, the next one is found by its own recent messages, not the chat key."""
    keys: list[str] = []
    reply_to = message.get("reply_to_message")
    if isinstance(reply_to, dict) and isinstance(reply_to.get("message_id"), int):
        keys.append(f"{chat_id}:{reply_to['message_id']}")
    message_id = message.get("message_id")
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        first = 1 if before else 0
        keys += [f"{chat_id}:{message_id - n}" for n in range(first, first + 5) if message_id - n > 0]
    return (*dict.fromkeys(keys), chat_key(chat_id))


def parse_update(update: object, *, workspace_id: WorkspaceId, received_at: datetime) -> Update | None:
    """One Bot API update as a customer message; None for updates that carry none (a bot added to a
    group, a poll answer). Raises Invalid when the payload is not a usable update."""
    body = _obj(update, "the body")
    _int(body.get("update_id"), "update_id")
    if "callback_query" in body:
        query = _obj(body["callback_query"], "callback_query")
        query_id = query.get("id")
        if not isinstance(query_id, str) or not query_id:
            raise Invalid("Telegram update: callback_query.id is missing")
        sender, display, language = _sender(_obj(query.get("from"), "callback_query.from"))
        message = _obj(query.get("message"), "callback_query.message")
        chat_id = _int(_obj(message.get("chat"), "callback_query.message.chat").get("id"), "chat.id")
        data = query.get("data")
        text = data if isinstance(data, str) and data else ""
        if not text:
            return None  # a game button; nothing the customer said
        inbound = Inbound(
            workspace_id=workspace_id, channel=Channel.TELEGRAM, sender=sender, display_name=display,
            text=text, external_id=f"{chat_id}:callback:{query_id}", received_at=received_at,
            thread_keys=_thread_keys(chat_id, message), language=language,
        )  # fmt: skip
        return Update(inbound, chat_id, callback_query_id=query_id)
    edited = "message" not in body and "edited_message" in body
    raw = body.get("message", body.get("edited_message"))
    if raw is None:
        return None
    message = _obj(raw, "message")
    message_id = _int(message.get("message_id"), "message.message_id")
    chat_id = _int(_obj(message.get("chat"), "message.chat").get("id"), "message.chat.id")
    sender, display, language = _sender(_obj(message.get("from"), "message.from"))
    text = message.get("text", message.get("caption", ""))
    if not isinstance(text, str):
        raise Invalid("Telegram update: message.text must be a string")
    attachments = _attachments(message)
    if not text.strip() and not attachments:
        return None  # a service message (joined, pinned…)
    if not text.strip():
        text = ", ".join(a.name for a in attachments)
    external_id = f"{chat_id}:{message_id}"
    if edited:
        # An edit is a new message in the timeline that says so; each edit is stored once.
        edit_date = message.get("edit_date")
        external_id += f":edit:{edit_date if isinstance(edit_date, int) else 0}"
        text = EDITED_NOTE + text
    inbound = Inbound(
        workspace_id=workspace_id, channel=Channel.TELEGRAM, sender=sender, display_name=display,
        text=text, external_id=external_id, received_at=received_at, attachments=attachments,
        thread_keys=_thread_keys(chat_id, message, before=not edited), language=language,
    )  # fmt: skip
    return Update(inbound, chat_id)


class TelegramChannel:
    channel = Channel.TELEGRAM
    capabilities = Capabilities(buttons=True, max_buttons=8, max_text=4096)

    def __init__(
        self,
        ctx: Ctx,
        workspace_id: WorkspaceId,
        threads: ThreadMap,
        bot: TelegramBot,
        *,
        queue_id: QueueId | None = None,
        polling: bool = False,
        webhook_secret: str | None = None,
    ) -> None:
        self._ctx = ctx
        self._workspace_id = workspace_id
        self._threads = threads
        self._bot = bot
        self._queue_id = queue_id
        self._polling = polling
        self.webhook_secret = webhook_secret
        self._client: httpx.AsyncClient | None = None
        self._poller: asyncio.Task[None] | None = None
        self.offset: int | None = None  # the next update id to ask for when polling

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        base = self._bot.api_base.rstrip("/")
        self._client = httpx.AsyncClient(base_url=f"{base}/bot{self._bot.token}/", timeout=self._bot.timeout)
        if self._polling:
            self._poller = asyncio.create_task(self._poll_forever(), name="holdless-telegram")

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        """One Bot API method; returns its "result". Raises ConnectionError when Telegram refuses."""
        assert self._client is not None, "the Telegram channel is not started"
        response = await self._client.post(method, json=payload)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else None
            raise ConnectionError(f"Telegram {method}: {response.status_code} {description or ''}".strip())
        return body.get("result")

    # --- inbound ---------------------------------------------------------------------------------------

    async def accept(self, update: object) -> Receipt | None:
        """One update into its conversation. Raises Invalid when the payload is unusable."""
        parsed = parse_update(update, workspace_id=self._workspace_id, received_at=self._ctx.clock.now())
        if parsed is None:
            return None
        receipt = await receive(self._ctx, parsed.inbound, threads=self._threads, queue_id=self._queue_id)
        await self._threads.remember(
            self._workspace_id, self.channel, [chat_key(parsed.chat_id)], receipt.conversation.id
        )
        if parsed.callback_query_id is not None:
            try:  # stops the button's spinner; a failure here loses nothing
                await self.call("answerCallbackQuery", {"callback_query_id": parsed.callback_query_id})
            except (ConnectionError, httpx.HTTPError) as error:
                log.warning("telegram: answerCallbackQuery failed: %s", error)
        log.info(
            "telegram: %s into %s%s", parsed.inbound.external_id, receipt.conversation.id,
            "" if receipt.created else " (already stored)",
        )  # fmt: skip
        return receipt

    async def poll_once(self) -> int:
        """One getUpdates call; returns how many updates were handled. Confirms them by the offset."""
        payload: dict[str, Any] = {"timeout": self._bot.long_poll_timeout}
        if self.offset is not None:
            payload["offset"] = self.offset
        updates = await self.call("getUpdates", payload)
        handled = 0
        for update in updates if isinstance(updates, list) else []:
            update_id = update.get("update_id") if isinstance(update, dict) else None
            try:
                await self.accept(update)
                handled += 1
            except Invalid as error:
                log.warning("telegram: refused update %s: %s", update_id, error.message)
            if isinstance(update_id, int):
                # Past a stored or refused update; a crash before this only redelivers it (idempotent).
                self.offset = max(self.offset or 0, update_id + 1)
        return handled

    async def _poll_forever(self) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except (ConnectionError, httpx.HTTPError) as error:
                log.warning("telegram: getUpdates failed: %s", error)
            except HoldlessError as error:
                log.warning("telegram: could not store an update: %s", error.message)
            except Exception:
                log.exception("telegram: polling failed")
            await asyncio.sleep(self._bot.poll_seconds)

    # --- outbound --------------------------------------------------------------------------------------

    def compose(self, outbound: Outbound) -> dict[str, Any]:
        keys = outbound.thread_keys
        chat = next((k.removeprefix("chat:") for k in keys if k.startswith("chat:")), None)
        # A later conversation of a chat has no chat key (the first keeps it): its message keys say it.
        chat = chat or next((k.split(":")[0] for k in keys if MESSAGE_KEY.fullmatch(k)), None)
        if chat is None:
            chat = outbound.recipient.removeprefix("telegram:")  # private chats: the chat id is the user id
        rendered = render(outbound.reply, self.capabilities)
        payload: dict[str, Any] = {"chat_id": int(chat) if chat.lstrip("-").isdigit() else chat}
        payload["text"] = rendered.text
        if rendered.buttons:
            keyboard = [[{"text": b.label, "callback_data": b.value[:64]}] for b in rendered.buttons]
            payload["reply_markup"] = {"inline_keyboard": keyboard}
        return payload

    async def send(self, outbound: Outbound) -> str:
        payload = self.compose(outbound)
        result = await self.call("sendMessage", payload)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return f"{payload['chat_id']}:{message_id}"
