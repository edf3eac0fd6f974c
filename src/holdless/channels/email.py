"""The email channel: an SMTP receiver (aiosmtpd), an IMAP mailbox poller, and SMTP sending.

Inbound mail is parsed by `email_inbound.parse_mail` and handed to `conversations.intake.receive`;
outbound messages come from the channel's `Outbox` listener through `send`. Threading: every Message-ID
received or sent is mapped to its conversation, and replies carry a conversation token in the subject
("[#con_…]") and in a plus-addressed Reply-To, so a reply finds its thread even without References.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import smtplib
import time
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from aiosmtpd.smtp import SMTP, Envelope, Session

from holdless.channels.base import Capabilities, Outbound, render
from holdless.channels.email_inbound import parse_mail
from holdless.conversations.intake import (
    Inbound,
    Receipt,
    ThreadMap,
    acknowledge_receipt,
    latest_wait,
    needs_acknowledgement,
    receive,
)
from holdless.conversations.model import Channel, Status
from holdless.errors import HoldlessError, Invalid
from holdless.ids import QueueId, WorkspaceId
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmtpOut:
    host: str
    port: int
    from_address: str
    from_name: str = "Support"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class ImapBox:
    host: str
    port: int
    username: str
    password: str
    ssl: bool = True
    mailbox: str = "INBOX"
    poll_seconds: float = 30.0


class EmailChannel:
    channel = Channel.EMAIL
    capabilities = Capabilities(buttons=False, threads=True)

    def __init__(
        self,
        ctx: Ctx,
        workspace_id: WorkspaceId,
        threads: ThreadMap,
        *,
        queue_id: QueueId | None = None,
        smtp_out: SmtpOut | None = None,
        listen: tuple[str, int] | None = None,
        imap: ImapBox | None = None,
        placement_wait_seconds: float = 0.0,
    ) -> None:
        # How long the first reply may wait for the routing engine to publish a place in line, so that
        # it can say when a person will answer (0: answer at once, "you are in line").
        self._placement_wait = placement_wait_seconds
        self._ctx = ctx
        self._workspace_id = workspace_id
        self._threads = threads
        self._queue_id = queue_id
        self._smtp_out = smtp_out
        self._listen = listen
        self._imap = imap
        self._server: asyncio.Server | None = None
        self._poller: asyncio.Task[None] | None = None
        self.port: int | None = None  # the receiver's port once started (0 in settings: any free port)

    # --- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._listen is not None:
            loop = asyncio.get_running_loop()
            host, port = self._listen
            self._server = await loop.create_server(
                lambda: SMTP(_Receiver(self), hostname="holdless", loop=loop), host, port
            )
            self.port = self._server.sockets[0].getsockname()[1]
            log.info("email: receiving mail on %s:%s", host, self.port)
        if self._imap is not None:
            self._poller = asyncio.create_task(self._poll_forever(self._imap), name="holdless-imap")

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # --- inbound ---------------------------------------------------------------------------------------

    async def accept(
        self, raw: bytes, *, envelope_sender: str | None = None, recipients: tuple[str, ...] = ()
    ) -> Receipt:
        """One raw mail into its conversation. Raises Invalid when the mail is unusable."""
        inbound: Inbound = parse_mail(
            raw,
            workspace_id=self._workspace_id,
            received_at=self._ctx.clock.now(),
            envelope_sender=envelope_sender,
            recipients=recipients,
        )
        receipt = await receive(
            self._ctx, inbound, threads=self._threads, queue_id=self._queue_id, acknowledge=False
        )
        if needs_acknowledgement(receipt, inbound):
            await self._await_placement(receipt)
            receipt = replace(receipt, acknowledgement=await acknowledge_receipt(self._ctx, receipt))
        log.info(
            "email: %s from %s into %s%s%s", inbound.external_id, inbound.sender.value,
            receipt.conversation.id, "" if receipt.created else " (already stored)",
            " (automated: not answered)" if inbound.automated else "",
        )  # fmt: skip
        return receipt

    async def _await_placement(self, receipt: Receipt) -> None:
        if receipt.conversation.status is not Status.QUEUED or self._placement_wait <= 0:
            return
        deadline = time.monotonic() + self._placement_wait
        while time.monotonic() < deadline:
            published, _ = await latest_wait(self._ctx, receipt.conversation)
            if published:
                return
            await asyncio.sleep(0.05)

    async def poll_once(self) -> int:
        """Read the unseen mail of the IMAP mailbox; returns how many were stored."""
        assert self._imap is not None, "no IMAP mailbox configured"
        box = self._imap
        client = await asyncio.to_thread(_imap_connect, box)
        stored = 0
        try:
            _, data = await asyncio.to_thread(client.uid, "search", "UNSEEN")
            for uid in (bytes(data[0] or b"")).decode().split():
                _, parts = await asyncio.to_thread(client.uid, "fetch", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
                try:
                    await self.accept(raw)
                    stored += 1
                except HoldlessError as error:
                    log.warning("email: refused IMAP message %s: %s", uid, error.message)
                # Seen after it is stored or refused; a crash before this reads it again (idempotent).
                await asyncio.to_thread(client.uid, "store", uid, "+FLAGS", "(\\Seen)")
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                await asyncio.to_thread(client.logout)
        return stored

    async def _poll_forever(self, box: ImapBox) -> None:
        while True:
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except (imaplib.IMAP4.error, OSError) as error:
                log.warning("email: IMAP poll of %s failed: %s", box.host, error)
            except Exception:
                log.exception("email: IMAP poll failed")
            await asyncio.sleep(box.poll_seconds)

    # --- outbound --------------------------------------------------------------------------------------

    def compose(self, outbound: Outbound) -> EmailMessage:
        assert self._smtp_out is not None, "no outgoing SMTP server configured"
        out = self._smtp_out
        local, _, domain = out.from_address.partition("@")
        message = EmailMessage()
        message["From"] = formataddr((out.from_name, out.from_address))
        message["To"] = formataddr((outbound.recipient_name, outbound.recipient))
        message["Reply-To"] = f"{local}+{outbound.conversation_id}@{domain}"
        subject = outbound.subject or "Your request"
        prefix = "" if subject.lower().startswith("re:") else "Re: "
        message["Subject"] = f"{prefix}{subject} [#{outbound.conversation_id}]"
        message["Message-ID"] = f"<{outbound.message_id}.{outbound.conversation_id}@{domain or 'holdless'}>"
        message["Date"] = format_datetime(self._ctx.clock.now())
        message["Auto-Submitted"] = "auto-replied" if outbound.automatic else "no"
        if outbound.thread_keys:
            message["In-Reply-To"] = f"<{outbound.thread_keys[-1]}>"
            message["References"] = " ".join(f"<{k}>" for k in outbound.thread_keys[-10:])
        message.set_content(render(outbound.reply, self.capabilities).text)
        return message

    async def send(self, outbound: Outbound) -> str:
        message = self.compose(outbound)
        await asyncio.to_thread(self._send_blocking, message)
        return str(message["Message-ID"]).strip("<>")

    def _send_blocking(self, message: EmailMessage) -> None:
        out = self._smtp_out
        assert out is not None
        with smtplib.SMTP(out.host, out.port, timeout=out.timeout) as client:
            if out.starttls:
                client.starttls()
            if out.username:
                client.login(out.username, out.password or "")
            client.send_message(message)


def _imap_connect(box: ImapBox) -> imaplib.IMAP4:
    client = imaplib.IMAP4_SSL(box.host, box.port) if box.ssl else imaplib.IMAP4(box.host, box.port)
    try:
        client.login(box.username, box.password)
        client.select(box.mailbox)
    except BaseException:
        with contextlib.suppress(OSError):
            client.shutdown()  # a refused login must not leave the socket open
        raise
    return client


class _Receiver:
    """aiosmtpd handler: every DATA becomes a message, or a 5xx reply saying why it was refused."""

    def __init__(self, channel: EmailChannel) -> None:
        self._channel = channel

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        sender = envelope.mail_from if isinstance(envelope.mail_from, str) else None
        try:
            await self._channel.accept(raw, envelope_sender=sender, recipients=tuple(envelope.rcpt_tos))
        except Invalid as error:
            log.warning("email: refused mail from %r: %s", sender, error.message)
            return f"550 5.6.0 {error.message}"
        except HoldlessError as error:
            log.warning("email: could not store mail from %r: %s", sender, error.message)
            return "451 4.3.0 Temporarily unable to store the message; try again later"
        except Exception:
            log.exception("email: failed on mail from %r", sender)
            return "451 4.3.0 Temporarily unable to store the message; try again later"
        return "250 2.0.0 Message accepted"
