"""Real mail servers on loopback for the email tests: an SMTP sink (aiosmtpd) and a private dovecot."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import free_port


@dataclass
class Sink:
    """An SMTP server that keeps every mail it is given (the customer's mailbox, seen from outside)."""

    mails: list[EmailMessage] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(parsed)
        return "250 OK"

    async def wait_for(self, count: int, within: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + within
        while len(self.mails) < count and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        assert len(self.mails) >= count, f"expected {count} mails, got {len(self.mails)}"
        return self.mails


@contextlib.asynccontextmanager
async def smtp_sink() -> AsyncIterator[Sink]:
    sink = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, hostname="sink", loop=loop), "127.0.0.1", 0)
    sink.port = server.sockets[0].getsockname()[1]
    try:
        yield sink
    finally:
        server.close()
        await server.wait_closed()


def send_mail(
    port: int, raw: bytes, *, mail_from: str = "customer@example.com", to: str = "support@acme.test"
) -> None:
    """Deliver raw bytes over SMTP, as another mail server would (raises SMTP*Error on a refusal)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail(mail_from, [to], raw)


async def deliver(port: int, raw: bytes, **kwargs: str) -> None:
    await asyncio.to_thread(send_mail, port, raw, **kwargs)


# --- dovecot ---------------------------------------------------------------------------------------------

IMAP_USER = "support"
IMAP_PASSWORD = "mailbox-secret"


@dataclass(frozen=True)
class Dovecot:
    port: int
    user: str = IMAP_USER
    password: str = IMAP_PASSWORD

    def _login(self) -> imaplib.IMAP4:
        """Signed in; dovecot answers 'temporary authentication failure' on a loaded machine: retried."""
        for attempt in range(10):
            client = imaplib.IMAP4("127.0.0.1", self.port)
            try:
                client.login(self.user, self.password)
                return client
            except imaplib.IMAP4.error:
                client.shutdown()
                if attempt == 9:
                    raise
                time.sleep(0.3)
        raise AssertionError("unreachable")

    def append(self, raw: bytes) -> None:
        """Put a mail in the INBOX, as the mail server's delivery agent would."""
        client = self._login()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def unseen(self) -> int:
        client = self._login()
        try:
            client.select("INBOX")
            _, data = client.uid("search", "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            client.logout()


DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={root}/mail/%u
}}
"""


def _mail_user() -> tuple[str, str, str]:
    """(internal, login, mail) users: dovecot's own when root, else whoever runs the tests."""
    if os.geteuid() == 0:
        with contextlib.suppress(KeyError):
            pwd.getpwnam("dovecot")
            pwd.getpwnam("dovenull")
            return "dovecot", "dovenull", "dovecot"
    me = pwd.getpwuid(os.geteuid()).pw_name
    return me, me, me


def start_dovecot() -> Iterator[Dovecot]:
    """A private dovecot in its own directory: not under pytest's temporary directory, whose 0700
    parent (reset by every pytest session on the machine) the mail user could not traverse."""
    root = Path(tempfile.mkdtemp(prefix="holdless-dovecot-"))
    try:
        yield from _run_dovecot(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run_dovecot(root: Path) -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        pytest.skip("dovecot is not installed (make test installs dovecot-imapd); IMAP test skipped")
    internal, login, mail_user = _mail_user()
    port = free_port()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(root=root, port=port, internal=internal, login=login, mail_user=mail_user)
    )
    if os.geteuid() == 0:
        shutil.chown(root / "mail", mail_user, mail_user)
        for path in (root, root / "run", root / "state"):
            path.chmod(0o711)  # the mail user reaches its files; nothing here is listable by others
        (root / "passwd").chmod(0o644)
    # The daemon forks and keeps its standard streams: nothing is captured, or run() would wait for it.
    started = subprocess.run(
        [binary, "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=20,
        check=False,
    )
    if started.returncode != 0:
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        raise RuntimeError(f"dovecot refused to start (exit {started.returncode}):\n{log}")
    server = Dovecot(port)
    deadline = time.monotonic() + 10
    while True:
        try:
            server.unseen()
            break
        except (OSError, imaplib.IMAP4.error):
            if time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot did not start:\n{log}") from None
            time.sleep(0.1)
    try:
        yield server
    finally:
        pid_file = root / "run" / "master.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
