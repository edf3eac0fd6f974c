"""The email channel against real servers on loopback: aiosmtpd in and out, dovecot for IMAP polling."""

from __future__ import annotations

import asyncio
import imaplib
import logging
import smtplib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from holdless.bootstrap import Holdless, build
from holdless.channels.email import EmailChannel
from holdless.contacts.model import IdentityKind
from holdless.conversations.actions import resolve
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Author, Channel, Conversation, Message, Status
from holdless.conversations.repository import ConversationFilter
from holdless.ids import ConversationId, CustomerId
from holdless.storage.repositories.channels import SqlThreadMap
from tests.conftest import Backend, make_settings
from tests.factories import World, make_world
from tests.integration.mail_servers import Dovecot, Sink, deliver, smtp_sink, start_dovecot


@dataclass
class Mail:
    holdless: Holdless
    world: World
    sink: Sink

    @property
    def port(self) -> int:
        assert self.holdless.email is not None
        assert self.holdless.email.port is not None
        return self.holdless.email.port

    async def idle(self) -> None:
        for outbox in self.holdless.outboxes:
            await outbox.wait_idle()

    async def conversations_of(self, email: str) -> list[Conversation]:
        ctx = self.holdless.ctx
        async with ctx.uow() as uow:
            ws = self.world.workspace_id
            customer = await uow.customers.find_by_identity(ws, IdentityKind.EMAIL, email)
            if customer is None:
                return []
            found = await uow.conversations.list(
                self.world.workspace_id, ConversationFilter(customer_id=customer.id), limit=100, before=None
            )
        return sorted(found, key=lambda c: c.id)

    async def messages(self, conversation_id: ConversationId) -> list[Message]:
        async with self.holdless.ctx.uow() as uow:
            return await uow.messages.list(self.world.workspace_id, conversation_id, after_seq=0, limit=100)

    async def reply(self, conversation_id: ConversationId, text: str) -> Message:
        message, _ = await post_message(
            self.holdless.ctx, self.world.supervisor.principal, conversation_id, text=text
        )
        return message


def raw_mail(
    *,
    message_id: str,
    subject: str = "Order 17 is missing",
    sender: str = "Ivan Sidorov <ivan@customer.example>",
    body: str = "Hello, order 17 has not arrived.",
    to: str = "support@acme.test",
    extra: str = "",
) -> bytes:
    headers = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
    if extra:
        headers += extra.strip().replace("\n", "\r\n") + "\r\n"
    return f"{headers}\r\n{body}\r\n".encode()


def email_settings(backend: Backend, tmp_path: Path, sink: Sink, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "routing": False, "email_workspace": "acme", "email_queue": "Billing", "email_smtp_listen_port": 0,
        "email_smtp_host": "127.0.0.1", "email_smtp_port": sink.port, "email_from": "support@acme.test",
        "email_outbox_poll_seconds": 0.2,
    }  # fmt: skip
    return make_settings(backend, tmp_path, **(values | extra))


@asynccontextmanager
async def running(settings: Any, world: World | None = None) -> AsyncIterator[tuple[Holdless, World]]:
    holdless = build(settings)
    try:
        world = world or await make_world(holdless.ctx)
        await holdless.start()
        yield holdless, world
    finally:
        await holdless.close()


@pytest.fixture
async def mail(backend: Backend, tmp_path: Path) -> AsyncIterator[Mail]:
    async with smtp_sink() as sink, running(email_settings(backend, tmp_path, sink)) as (holdless, world):
        yield Mail(holdless, world, sink)


async def test_a_mail_becomes_a_queued_conversation_and_the_agents_reply_goes_out_once(
    backend: Backend, tmp_path: Path
) -> None:
    async with smtp_sink() as sink:
        settings = email_settings(backend, tmp_path, sink)
        async with running(settings) as (holdless, world):
            mail = Mail(holdless, world, sink)
            await deliver(mail.port, raw_mail(message_id="first@customer.example"))
            [conversation] = await mail.conversations_of("ivan@customer.example")
            assert conversation.channel is Channel.EMAIL
            assert conversation.status is Status.QUEUED
            assert conversation.queue_id == world.queue_id
            assert conversation.subject == "Order 17 is missing"
            [first, ack] = await mail.messages(conversation.id)
            assert (first.author, first.text) == (Author.CUSTOMER, "Hello, order 17 has not arrived.")
            assert ack.author is Author.BOT

            [acknowledgement] = await sink.wait_for(1)
            assert acknowledgement["To"].addresses[0].addr_spec == "ivan@customer.example"
            assert acknowledgement["Auto-Submitted"] == "auto-replied", "other robots must not answer it"
            text = acknowledgement.get_content()
            assert "You are in line" in text, "no estimate published: no made-up time"
            assert acknowledgement["In-Reply-To"] == "<first@customer.example>"
            assert f"[#{conversation.id}]" in acknowledgement["Subject"]

            await mail.reply(conversation.id, "We are sending a new parcel today.")
            _, answer = await sink.wait_for(2)
            assert answer.get_content().strip() == "We are sending a new parcel today."
            assert answer["Subject"] == f"Re: Order 17 is missing [#{conversation.id}]"
            assert answer["Reply-To"] == f"support+{conversation.id}@acme.test"
            assert "<first@customer.example>" in answer["References"]
            await mail.idle()

        async with running(settings, world) as (holdless, _):
            await Mail(holdless, world, sink).idle()
            await asyncio.sleep(0.3)
            assert len(sink.mails) == 2, "a restart sends nothing again"


async def test_a_five_message_exchange_stays_in_one_thread_and_a_new_subject_starts_another(
    mail: Mail,
) -> None:
    await deliver(mail.port, raw_mail(message_id="t1@customer.example"))
    [conversation] = await mail.conversations_of("ivan@customer.example")
    await mail.reply(conversation.id, "Which address did you order to?")
    _, reply = await mail.sink.wait_for(2)
    our_id = reply["Message-ID"]

    # 3: a normal reply (In-Reply-To and References)
    await deliver(mail.port, raw_mail(
        message_id="t3@customer.example", subject=f"Re: Order 17 is missing [#{conversation.id}]",
        body="Lenina 1, Moscow.\n\nOn Mon, Support wrote:\n> Which address did you order to?",
        extra=f"In-Reply-To: {our_id}\nReferences: <t1@customer.example> {our_id}",
    ))  # fmt: skip
    # 4: a client that drops the references keeps the subject token
    await deliver(mail.port, raw_mail(
        message_id="t4@customer.example", subject=f"RE: Order 17 is missing [#{conversation.id}]",
        body="Also, flat 5.",
    ))  # fmt: skip
    # 5: only the plus-addressed Reply-To says where it belongs
    await deliver(mail.port, raw_mail(
        message_id="t5@customer.example", subject="one more thing", body="Ring twice.",
        to=f"support+{conversation.id}@acme.test",
    ))  # fmt: skip

    [still_one] = await mail.conversations_of("ivan@customer.example")
    assert still_one.id == conversation.id
    texts = [(m.author, m.text) for m in await mail.messages(conversation.id)]
    customer_texts = [text for author, text in texts if author is Author.CUSTOMER]
    assert customer_texts == [
        "Hello, order 17 has not arrived.", "Lenina 1, Moscow.", "Also, flat 5.", "Ring twice.",
    ], "quoted history is trimmed"  # fmt: skip
    assert [a for a, _ in texts].count(Author.AGENT) == 1

    await deliver(mail.port, raw_mail(message_id="n1@customer.example", subject="Refund for order 12"))
    conversations = await mail.conversations_of("ivan@customer.example")
    assert len(conversations) == 2, "a new subject without references is a new conversation"
    assert conversations[1].subject == "Refund for order 12"

    # Another sender quoting Ivan's thread (a forwarded mail) never lands in Ivan's conversation.
    await deliver(mail.port, raw_mail(
        message_id="f1@other.example", sender="olga@other.example", subject=f"Fwd: [#{conversation.id}]",
        extra="References: <t1@customer.example>", body="Forwarding this.",
    ))  # fmt: skip
    [olgas] = await mail.conversations_of("olga@other.example")
    assert olgas.id != conversation.id
    assert len(await mail.messages(conversation.id)) == len(texts)


async def test_auto_replies_bounces_and_lists_are_recorded_but_never_answered(mail: Mail) -> None:
    await deliver(mail.port, raw_mail(message_id="l1@customer.example"))
    [conversation] = await mail.conversations_of("ivan@customer.example")
    await mail.reply(conversation.id, "Could you send a photo?")
    _, reply = await mail.sink.wait_for(2)

    await deliver(mail.port, raw_mail(
        message_id="ooo@customer.example", subject="Out of office", body="I am away until Monday.",
        extra=f"Auto-Submitted: auto-replied\nIn-Reply-To: {reply['Message-ID']}",
    ))  # fmt: skip
    await deliver(
        mail.port,
        raw_mail(message_id="bounce@mx.example", sender="MAILER-DAEMON@mx.example", subject="Undelivered",
                 body="Delivery failed."),
        mail_from="",
    )  # fmt: skip
    await deliver(mail.port, raw_mail(
        message_id="news@list.example", sender="news@list.example", subject="Our newsletter",
        body="News!", extra="Precedence: bulk\nList-Id: <news.list.example>",
    ))  # fmt: skip
    await mail.idle()
    await asyncio.sleep(0.3)
    assert len(mail.sink.mails) == 2, "no acknowledgement for any machine-written mail (no loops)"

    last = (await mail.messages(conversation.id))[-1]
    assert (last.author, last.text) == (Author.SYSTEM, "I am away until Monday."), (
        "the auto-reply is recorded in its thread, not as the customer's own words"
    )
    [bounce] = await mail.conversations_of("mailer-daemon@mx.example")
    [newsletter] = await mail.conversations_of("news@list.example")
    for recorded in (bounce, newsletter):
        assert recorded.status is Status.WITH_BOT, "recorded, but not put in line for a person"
        assert [m.author for m in await mail.messages(recorded.id)] == [Author.SYSTEM]

    await resolve(mail.holdless.ctx, mail.world.supervisor.principal, conversation.id, disposition="resolved")
    await deliver(mail.port, raw_mail(
        message_id="ooo2@customer.example", subject="Automatic reply", body="Still away.",
        extra=f"X-Autoreply: yes\nIn-Reply-To: {reply['Message-ID']}",
    ))  # fmt: skip
    [after] = [c for c in await mail.conversations_of("ivan@customer.example") if c.id == conversation.id]
    assert after.status is Status.RESOLVED, "an auto-reply does not reopen a resolved conversation"
    await mail.idle()
    assert len(mail.sink.mails) == 2


async def test_a_redelivered_mail_is_stored_once(mail: Mail) -> None:
    raw = raw_mail(message_id="dup@customer.example")
    await deliver(mail.port, raw)
    await deliver(mail.port, raw)
    [conversation] = await mail.conversations_of("ivan@customer.example")
    authors = [m.author for m in await mail.messages(conversation.id)]
    assert authors == [Author.CUSTOMER, Author.BOT], "one message, one acknowledgement"
    await mail.idle()
    assert len(mail.sink.mails) == 1


async def test_bad_mail_is_refused_with_an_smtp_error_and_the_server_keeps_running(
    mail: Mail, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="holdless.channels.email")
    with pytest.raises(smtplib.SMTPDataError) as no_from:
        await deliver(mail.port, b"Subject: who am I\r\nMessage-ID: <x@y>\r\n\r\nno sender\r\n")
    assert no_from.value.smtp_code == 550
    assert b"no From address" in no_from.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as garbage:
        await deliver(mail.port, b"\x00\x01\x02 \xff\xfe garbage without headers")
    assert garbage.value.smtp_code == 550
    assert any("refused mail" in r.getMessage() for r in caplog.records), "refusals are logged"

    await deliver(mail.port, raw_mail(message_id="fine@customer.example"))
    assert len(await mail.conversations_of("ivan@customer.example")) == 1, "still receiving"


async def poll(channel: EmailChannel) -> int:
    """One IMAP poll; a 'temporary authentication failure' from a loaded dovecot is retried."""
    for _ in range(10):
        try:
            return await channel.poll_once()
        except imaplib.IMAP4.error as error:
            if "UNAVAILABLE" not in str(error):
                raise
            await asyncio.sleep(0.3)
    return await channel.poll_once()


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    yield from start_dovecot()


async def test_imap_polling_reads_html_mail_as_text_and_threads_the_replies(
    backend: Backend, tmp_path: Path, dovecot: Dovecot
) -> None:
    html = (
        "<html><head><style>.x{}</style></head><body><p>Hello,</p><p>my <b>invoice</b> is wrong.</p>"
        "<script>steal()</script><blockquote>Earlier mail</blockquote></body></html>"
    )
    first = (
        "From: Anna <anna@customer.example>\r\nTo: support@acme.test\r\nSubject: Invoice\r\n"
        "Message-ID: <imap1@customer.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        '--b1\r\nContent-Type: text/html; charset="utf-8"\r\n\r\n' + html + "\r\n"
        '--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
    ).encode()
    async with smtp_sink() as sink:
        settings = email_settings(
            backend, tmp_path, sink, email_smtp_listen_port=None, email_imap_host="127.0.0.1",
            email_imap_port=dovecot.port, email_imap_user=dovecot.user, email_imap_password=dovecot.password,
            email_imap_ssl=False, email_imap_poll_seconds=3600,
        )  # fmt: skip
        async with running(settings) as (holdless, world):
            mail = Mail(holdless, world, sink)
            channel = holdless.email
            assert channel is not None
            await asyncio.to_thread(dovecot.append, first)
            assert await poll(channel) == 1
            [conversation] = await mail.conversations_of("anna@customer.example")
            [message, _ack] = await mail.messages(conversation.id)
            assert message.text == "Hello,\n\nmy invoice is wrong."
            assert [(a.name, a.content_type) for a in message.attachments] == [
                ("original.html", "text/html"), ("invoice.pdf", "application/pdf"),
            ]  # fmt: skip
            assert message.attachments[1].size == 9, "the decoded size of the PDF (%PDF-1.4\\n)"

            await mail.reply(conversation.id, "Fixed, see the new invoice.")
            _, reply = await sink.wait_for(2)
            await asyncio.to_thread(dovecot.append, raw_mail(
                message_id="imap2@customer.example", sender="anna@customer.example", subject="Re: Invoice",
                body="Thanks!", extra=f"In-Reply-To: {reply['Message-ID']}",
            ))  # fmt: skip
            await asyncio.to_thread(dovecot.append, first)  # the same mail delivered twice
            assert await poll(channel) == 2
            assert await poll(channel) == 0, "read mail is marked seen"
            assert await asyncio.to_thread(dovecot.unseen) == 0
            [same] = await mail.conversations_of("anna@customer.example")
            texts = [m.text for m in await mail.messages(same.id) if m.author is Author.CUSTOMER]
            assert texts == ["Hello,\n\nmy invoice is wrong.", "Thanks!"]


async def test_thread_keys_are_never_moved_to_another_conversation(mail: Mail) -> None:
    threads = SqlThreadMap(mail.holdless.engine, mail.holdless.ctx.clock)
    await deliver(mail.port, raw_mail(message_id="k1@customer.example"))
    await deliver(mail.port, raw_mail(message_id="k2@customer.example", subject="Another"))
    first, second = await mail.conversations_of("ivan@customer.example")
    await threads.remember(mail.world.workspace_id, Channel.EMAIL, ["k1@customer.example"], second.id)
    found = await threads.find(mail.world.workspace_id, Channel.EMAIL, ["k1@customer.example"])
    assert found == [first.id]
    assert CustomerId(first.customer_id) == second.customer_id


async def test_the_first_reply_waits_for_the_routing_engine_to_place_the_conversation(
    backend: Backend, tmp_path: Path
) -> None:
    async with smtp_sink() as sink:
        settings = email_settings(backend, tmp_path, sink, routing=True, offer_timeout_seconds=600)
        async with running(settings) as (holdless, world):
            mail = Mail(holdless, world, sink)
            await deliver(mail.port, raw_mail(message_id="placed@customer.example"))
            [conversation] = await mail.conversations_of("ivan@customer.example")
            async with holdless.ctx.uow() as uow:
                logged = await uow.events.list(
                    world.workspace_id, after=0, limit=100, conversation_id=conversation.id,
                    types=("queue.position", "message.created"),
                )  # fmt: skip
            kinds = [(e.type, e.data.get("message", {}).get("author")) for e in logged]
            placed = kinds.index(("queue.position", None))
            acknowledged = kinds.index(("message.created", "bot"))
            assert placed < acknowledged, "the reply is written after the engine published the place"
            [acknowledgement] = await sink.wait_for(1)
            assert "You are in line" in acknowledgement.get_content(), "nobody signed in: no time promised"
