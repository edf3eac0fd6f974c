"""Reading an email: sender, safe text, thread references, machine-written mail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from holdless.channels.base import Capabilities, Choice, Reply, chosen, render
from holdless.channels.email_inbound import html_to_text, parse_mail, trim_quoted
from holdless.contacts.model import IdentityKind
from holdless.conversations.intake import acknowledgement_text, client_message_id, thread_key
from holdless.errors import Invalid
from holdless.ids import WorkspaceId

WS = WorkspaceId("wsp_1")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CONVERSATION = "con_01jabcdefghjkmnpqrstvwxyz0"


def parse(raw: str, **kwargs: object) -> object:
    return parse_mail(raw.encode(), workspace_id=WS, received_at=NOW, **kwargs)  # type: ignore[arg-type]


def mail(headers: str, body: str = "Hello, my card payment fails.") -> str:
    return f"{headers.strip()}\r\n\r\n{body}\r\n"


def test_a_plain_mail_gives_the_sender_subject_and_text() -> None:
    inbound = parse_mail(
        mail(
            "From: Olga Petrova <Olga@Example.COM>\nSubject: Card payment fails\nMessage-ID: <a1@mx.example>"
        ).encode(),
        workspace_id=WS,
        received_at=NOW,
    )
    assert inbound.sender.kind is IdentityKind.EMAIL
    assert inbound.sender.value == "olga@example.com", "addresses are matched case-insensitively"
    assert inbound.display_name == "Olga Petrova"
    assert inbound.subject == "Card payment fails"
    assert inbound.text == "Hello, my card payment fails."
    assert inbound.external_id == "a1@mx.example"
    assert inbound.thread_keys == ()
    assert inbound.automated is False


def test_replies_reference_their_thread_by_in_reply_to_references_subject_token_and_plus_address() -> None:
    inbound = parse_mail(
        mail(
            "From: olga@example.com\n"
            f"To: Support <support+{CONVERSATION}@acme.test>\n"
            f"Subject: Re: Card payment fails [#{CONVERSATION}]\n"
            "Message-ID: <a3@mx.example>\n"
            "In-Reply-To: <r2@acme.test>\n"
            "References: <a1@mx.example> <r2@acme.test>"
        ).encode(),
        workspace_id=WS,
        received_at=NOW,
    )
    assert inbound.thread_keys == (f"token:{CONVERSATION}", "r2@acme.test", "a1@mx.example")
    assert inbound.subject == "Re: Card payment fails", "the token is not part of the subject"


@pytest.mark.parametrize(
    ("headers", "envelope_sender"),
    [
        ("Auto-Submitted: auto-replied", None),
        ("Precedence: bulk", None),
        ("Precedence: list", None),
        ("Precedence: junk", None),
        ("X-Autoreply: yes", None),
        ("List-Id: <news.example.com>", None),
        ("X-Mailer: x", ""),  # null sender (MAIL FROM:<>)
        ("Return-Path: <>", None),
    ],
)
def test_machine_written_mail_is_marked_automated(headers: str, envelope_sender: str | None) -> None:
    raw = mail(f"From: someone@example.com\nSubject: Out of office\nMessage-ID: <o@x>\n{headers}")
    inbound = parse_mail(raw.encode(), workspace_id=WS, received_at=NOW, envelope_sender=envelope_sender)
    assert inbound.automated is True


def test_a_mail_saying_auto_submitted_no_is_from_a_person() -> None:
    inbound = parse_mail(
        mail("From: a@example.com\nAuto-Submitted: no\nMessage-ID: <p@x>").encode(),
        workspace_id=WS,
        received_at=NOW,
        envelope_sender="a@example.com",
    )
    assert inbound.automated is False


def test_a_bounce_from_mailer_daemon_is_automated() -> None:
    raw = mail("From: MAILER-DAEMON@mx.example.com\nSubject: Undelivered Mail\nMessage-ID: <b@x>")
    assert parse_mail(raw.encode(), workspace_id=WS, received_at=NOW).automated is True


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Subject: hi\r\n\r\nno sender\r\n", "no From"),
        ("From: \r\nSubject: hi\r\n\r\nempty sender\r\n", "no From"),
        ("From: not an address\r\n\r\ntext\r\n", "not usable"),
        ("\x00\xff\xfe garbage", "no From"),
        ("", "empty"),
        ("From: a@example.com\r\nSubject: hi\r\n\r\n   \r\n", "no text"),
    ],
)
def test_unusable_mail_is_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_mail(raw.encode("utf-8", "surrogateescape"), workspace_id=WS, received_at=NOW)
    assert reason in refused.value.message


def test_a_mail_without_message_id_gets_a_stable_id_from_its_content() -> None:
    raw = mail("From: a@example.com\nSubject: hi").encode()
    first = parse_mail(raw, workspace_id=WS, received_at=NOW)
    again = parse_mail(raw, workspace_id=WS, received_at=NOW)
    assert first.external_id == again.external_id
    assert first.external_id.startswith("sha256:")


def test_html_is_reduced_to_text_without_scripts_styles_or_quoted_history() -> None:
    html = (
        "<html><head><style>p{color:red}</style><title>x</title></head><body>"
        "<p>Hello,</p><p>the invoice is <b>wrong</b> &amp; late.</p>"
        "<script>alert('x')</script>"
        "<div class='gmail_quote'>On Mon, Support wrote:<blockquote>old text</blockquote></div>"
        "</body></html>"
    )
    assert html_to_text(html) == "Hello,\n\nthe invoice is wrong & late."


def test_an_html_only_mail_keeps_the_original_as_an_attachment() -> None:
    html = "<p>Please call me</p><blockquote>Earlier: your ticket</blockquote>"
    raw = (
        "From: a@example.com\r\nSubject: Call\r\nMessage-ID: <h@x>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
    )
    inbound = parse_mail(raw.encode(), workspace_id=WS, received_at=NOW)
    assert inbound.text == "Please call me"
    [original] = inbound.attachments
    assert (original.name, original.content_type) == ("original.html", "text/html")
    assert original.size == len(html.encode()) + 2  # the body as sent, with its final CRLF


def test_plain_replies_lose_their_quoted_history() -> None:
    text = (
        "Yes, that fixed it.\nThanks!\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Support <support@acme.test> wrote:\n"
        "> Please try again.\n> Best"
    )
    assert trim_quoted(text) == "Yes, that fixed it.\nThanks!"
    assert trim_quoted("Top\n> quoted\nafter") == "Top\nafter"
    assert trim_quoted("Ок\n\n-----Original Message-----\nFrom: x") == "Ок"


def test_long_ids_are_shortened_to_stable_keys() -> None:
    long_id = "x" * 400 + "@example.com"
    assert thread_key(long_id) == thread_key(long_id)
    assert len(thread_key(long_id)) <= 250
    assert len(client_message_id(long_id)) == 64
    assert client_message_id("a1@mx.example") == "a1@mx.example"


def test_the_acknowledgement_states_the_published_wait_or_only_the_place_in_line() -> None:
    assert "about 4 min" in acknowledgement_text("en", 230)  # 3 min 50 s rounds to 4
    assert "about 1 min" in acknowledgement_text("en", 10), "never 'about 0 minutes'"
    assert "in line" in acknowledgement_text(None, None)
    assert "примерно через 2 мин" in acknowledgement_text("ru", 120)
    assert "2 分钟" in acknowledgement_text("zh", 120)


def test_choices_are_buttons_where_the_channel_has_them_and_numbered_lines_elsewhere() -> None:
    reply = Reply("How did we do?", (Choice("Good", "good"), Choice("Bad", "bad")))
    with_buttons = render(reply, Capabilities(buttons=True, max_buttons=3))
    assert with_buttons.text == "How did we do?"
    assert [b.value for b in with_buttons.buttons] == ["good", "bad"]
    as_text = render(reply, Capabilities(buttons=False))
    assert as_text.text == "How did we do?\n\n1. Good\n2. Bad"
    assert as_text.buttons == ()
    too_many = render(reply, Capabilities(buttons=True, max_buttons=1))
    assert too_many.buttons == ()
    assert "2. Bad" in too_many.text
    assert chosen(reply, " 2. ") == Choice("Bad", "bad")
    assert chosen(reply, "good") == Choice("Good", "good")
    assert chosen(reply, "3") is None
