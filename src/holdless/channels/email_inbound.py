"""Reading one email: who wrote, what they wrote (as safe text), which thread it continues, and whether a
machine wrote it (auto-replies, bounces, mailing lists are recorded but never answered).

No I/O: `parse_mail` turns the raw bytes into an `Inbound`, or raises `Invalid` with the reason a mail
server can return to the sender.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from holdless.contacts.model import Identity, IdentityKind, normalize_identity
from holdless.conversations.intake import Inbound, token_key
from holdless.conversations.model import MAX_TEXT, Attachment, Channel
from holdless.errors import Invalid
from holdless.ids import ConversationId, WorkspaceId

TOKEN = re.compile(r"\[#(con_[0-9a-z]{26})\]")
PLUS_TOKEN = re.compile(r"\+(con_[0-9a-z]{26})@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
AUTOMATED_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)
MAX_REFERENCES = 30


# --- HTML to safe text ----------------------------------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "pre"}
_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg"}
_QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "divrplyfwdmsg", "protonmail_quote")
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}


class _TextExtractor(HTMLParser):
    """Text of an HTML mail; scripts, styles and quoted history (blockquote, client quote blocks) dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: does it hide its content?

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        hides = tag in _SKIP or tag == "blockquote" or any(c in classes for c in _QUOTE_CLASSES)
        if tag in _BLOCK and not self._hidden():
            self.parts.append("\n")
        if tag not in _VOID:
            self._stack.append(hides)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and not self._hidden():
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self._stack:
            return
        self._stack.pop()
        if tag in _BLOCK and not self._hidden():
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- quoted history -------------------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^(on .{3,200} wrote:|.{3,200} написал\(а\):|.{3,200} написал:|在.{3,200}写道：?|"
    r"-{2,}\s*original message\s*-{2,}|-{2,}\s*исходное сообщение\s*-{2,}|_{10,})\s*$",
    re.IGNORECASE,
)
_OUTLOOK_HEADER = re.compile(r"^(from|от|发件人)\s*[:：]", re.IGNORECASE)


def trim_quoted(text: str) -> str:
    """The new part of a reply: '>' lines and everything after an attribution line are history."""
    kept: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _ATTRIBUTION.match(stripped):
            break
        if _OUTLOOK_HEADER.match(stripped) and index > 0 and not lines[index - 1].strip() and kept:
            break  # an Outlook-style "From: …" block after a blank line starts the quoted mail
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


# --- headers --------------------------------------------------------------------------------------------


def message_ids(value: str | None) -> list[str]:
    return MESSAGE_ID.findall(value or "")


def is_automated(message: EmailMessage, envelope_sender: str | None) -> str | None:
    """Why this mail was written by a machine (RFC 3834 and common practice), or None for a person."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id", "List-Unsubscribe"):
        if message.get(header) is not None:
            return header
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        return "null sender"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "null sender"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    _, address = parseaddr(str(message.get("From", "")))
    if AUTOMATED_SENDERS.match(address):
        return f"sender {address}"
    return None


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        from_header = message["From"]
    except (IndexError, ValueError):
        from_header = None
    if from_header is None:
        raise Invalid("The mail has no From address.")
    name, address = parseaddr(str(from_header))
    if not address:
        raise Invalid("The mail has no From address.")
    try:
        value = normalize_identity(IdentityKind.EMAIL, address)
    except Invalid as error:
        raise Invalid(f"The From address is not usable: {error.message}") from None
    return name, value


def _tokens(message: EmailMessage, subject: str, recipients: tuple[str, ...]) -> list[str]:
    found = TOKEN.findall(subject)
    headers = ("To", "Cc", "Delivered-To", "X-Original-To")
    addresses = [a for _, a in getaddresses([str(v) for h in headers for v in message.get_all(h, [])])]
    for address in (*addresses, *recipients):
        found += PLUS_TOKEN.findall(address)
    return [token_key(ConversationId(token.lower())) for token in dict.fromkeys(found)]


# --- body and attachments -------------------------------------------------------------------------------


def _body(message: EmailMessage) -> tuple[str, list[Attachment]]:
    """The text the customer wrote now, and attachment metadata (the HTML original kept as one)."""
    attachments: list[Attachment] = []
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    text = ""
    if plain is not None:
        text = trim_quoted(_content(plain))
    if html is not None:
        original = _content(html)
        if not text:
            text = trim_quoted(html_to_text(original))
        payload = html.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else len(original.encode())
        attachments.append(Attachment("original.html", "text/html", size))
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage):
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        name = (part.get_filename() or "attachment")[:200]
        attachments.append(Attachment(name, part.get_content_type()[:100], size))
    return text[:MAX_TEXT], attachments


def _content(part: MIMEPart) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def parse_mail(
    raw: bytes,
    *,
    workspace_id: WorkspaceId,
    received_at: datetime,
    envelope_sender: str | None = None,
    recipients: tuple[str, ...] = (),
) -> Inbound:
    """One mail as the customer's message; raises Invalid (refused with that reason) when it is unusable."""
    if not raw.strip():
        raise Invalid("The mail is empty.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage):
        raise Invalid("The mail could not be read.")
    name, address = _sender(message)
    subject = re.sub(r"\s+", " ", str(message.get("Subject", ""))).strip()
    own = message_ids(str(message.get("Message-ID", "")))
    external_id = own[0] if own else "sha256:" + hashlib.sha256(raw).hexdigest()
    references = message_ids(str(message.get("In-Reply-To", ""))) + list(
        reversed(message_ids(str(message.get("References", ""))))
    )
    thread_keys = [*_tokens(message, subject, recipients), *dict.fromkeys(references)][:MAX_REFERENCES]
    text, attachments = _body(message)
    automated = is_automated(message, envelope_sender)
    if not text and not attachments:
        raise Invalid("The mail has no text.")
    if not text:
        text = "(attachments only)"
    language = str(message.get("Content-Language", "")).strip()[:2].lower() or None
    return Inbound(
        workspace_id=workspace_id,
        channel=Channel.EMAIL,
        sender=Identity(IdentityKind.EMAIL, address),
        display_name=_display_name(name),
        text=text,
        external_id=external_id,
        received_at=received_at,
        thread_keys=tuple(thread_keys),
        subject=TOKEN.sub("", subject).strip()[:500],
        attachments=tuple(attachments[:20]),
        language=language if language in ("en", "ru", "zh") else None,
        automated=automated is not None,
    )


def _display_name(name: str) -> str:
    return re.sub(r"[\x00-\x1f]", "", name).strip()[:200]
