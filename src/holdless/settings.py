"""All configuration in one typed object, read from HOLDLESS_* environment variables or a .env file."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOLDLESS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///./var/holdless.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    redis_url: str | None = Field(
        default=None, description="Set to run several processes; none: in-process bus"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str = Field(default="", description="Signs session cookies and customer tokens")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    heartbeat_seconds: float = Field(default=20.0, gt=0)
    replay_limit: int = Field(default=1000, ge=10, description="Beyond this many missed events: resync")
    session_days: int = Field(default=7, ge=1)
    cookie_secure: bool = False
    db_pool_size: int = Field(default=10, ge=1)
    var_dir: Path = Path("var")
    widget_sessions_per_minute: int = Field(
        default=30, ge=0, description="New widget sessions a minute per client address (0: no limit)"
    )
    timers_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="How often commitments about to break are checked"
    )
    routing: bool = Field(default=True, description="Run the routing engine (offers, positions, callbacks)")
    offer_timeout_seconds: float = Field(
        default=20.0, gt=0, le=600, description="An unanswered offer moves on"
    )
    routing_tick_seconds: float = Field(default=0.5, gt=0, le=10, description="Timers and position updates")
    bot: bool = Field(
        default=True,
        description="Run the virtual agent where a workspace has flows (PUT /api/v1/bot/flows)",
    )
    gc_tuning: bool = Field(default=True, description="Freeze start-up objects and make full GC rare")
    webhooks: bool = Field(default=True, description="Deliver outbound webhooks from this process")
    webhook_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts webhooks may reach although they resolve to private or loopback addresses "
        '(JSON list, e.g. ["crm.internal", "127.0.0.1"])',
    )
    webhook_retry_base_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="First retry delay; doubled after every failed attempt"
    )
    webhook_max_attempts: int = Field(default=8, ge=1, le=50, description="Then the dead-letter list")
    webhook_max_delay_seconds: float = Field(default=3600.0, gt=0, description="Cap on one retry delay")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="Per attempt")
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, le=60, description="Log poll when the bus is quiet"
    )
    signature_tolerance_seconds: int = Field(
        default=300,
        ge=1,
        le=3600,
        description="Signed inbound webhooks: accepted clock skew and replay window",
    )
    # Email channel (docs/channels.md): off unless a workspace and a way in are configured.
    email_workspace: str | None = Field(default=None, description="Slug of the workspace email serves")
    email_queue: str | None = Field(default=None, description="Queue name for new email conversations")
    email_smtp_listen_host: str = "127.0.0.1"
    email_smtp_listen_port: int | None = Field(
        default=None, ge=0, le=65535, description="Receive mail by SMTP on this port; none: off"
    )
    email_imap_host: str | None = Field(default=None, description="Poll this IMAP mailbox; none: off")
    email_imap_port: int = Field(default=993, ge=1, le=65535)
    email_imap_user: str = ""
    email_imap_password: str = ""
    email_imap_ssl: bool = True
    email_imap_poll_seconds: float = Field(default=30.0, gt=0)
    email_smtp_host: str | None = Field(default=None, description="Send replies through this SMTP server")
    email_smtp_port: int = Field(default=25, ge=1, le=65535)
    email_smtp_user: str | None = None
    email_smtp_password: str | None = None
    email_smtp_starttls: bool = False
    email_from: str = Field(default="support@localhost", description="From address of replies")
    email_outbox_poll_seconds: float = Field(default=2.0, gt=0)
    email_placement_wait_seconds: float = Field(
        default=3.0, ge=0, le=30, description="First reply waits this long for a place in line and its wait"
    )

    # Telegram channel (docs/channels.md): off unless a workspace and a bot token are configured.
    telegram_workspace: str | None = Field(default=None, description="Slug of the workspace Telegram serves")
    telegram_queue: str | None = Field(default=None, description="Queue name for new Telegram conversations")
    telegram_bot_token: str | None = Field(default=None, description="The bot's token from @BotFather")
    telegram_webhook_secret: str | None = Field(
        default=None, description="Webhook mode: the X-Telegram-Bot-Api-Secret-Token every update must carry"
    )
    telegram_mode: Literal["webhook", "polling"] = Field(
        default="webhook",
        description="Updates by webhook (POST /api/v1/channels/telegram/webhook) or getUpdates",
    )
    telegram_api_base: str = Field(default="https://api.telegram.org", description="The Bot API server")
    telegram_poll_seconds: float = Field(default=1.0, gt=0, le=300, description="Polling mode: between calls")
    telegram_outbox_poll_seconds: float = Field(default=2.0, gt=0)
    # Signed messenger webhook (docs/channels.md, "Messenger"): off unless a workspace and a secret are set.
    messenger_workspace: str | None = Field(default=None, description="Slug of the workspace it serves")
    messenger_secret: str = Field(default="", description="HMAC-SHA256 key of inbound and outbound posts")
    messenger_queue: str | None = Field(default=None, description="Queue name for new conversations")
    messenger_outbound_url: str | None = Field(
        default=None, description="Agent replies are POSTed here, signed; none: replies are not sent"
    )
    messenger_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts the outbound URL may name although they resolve to private or loopback addresses",
    )
    messenger_reply_window_hours: float = Field(
        default=24.0, gt=0, description="Free-form replies only this long after the customer's last message"
    )
    messenger_outbox_poll_seconds: float = Field(default=2.0, gt=0)

    def resolved_secret_key(self) -> str:
        """An unset key is generated once and kept under var/, so sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
