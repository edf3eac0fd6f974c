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
