"""Workspaces, users and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from holdless.errors import Invalid
from holdless.ids import UserId, WorkspaceId
from holdless.tenancy import Role

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
DEFAULT_DISPOSITIONS = ("resolved", "answered_question", "follow_up_needed", "duplicate", "spam")
SUPPORTED_LANGUAGES = ("en", "ru", "zh", "be")


@dataclass(frozen=True, slots=True)
class Workspace:
    id: WorkspaceId
    slug: str
    name: str
    created_at: datetime
    languages: tuple[str, ...] = ("en", "ru", "zh")
    dispositions: tuple[str, ...] = DEFAULT_DISPOSITIONS


@dataclass(frozen=True, slots=True)
class User:
    id: UserId
    workspace_id: WorkspaceId
    email: str
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    language: str = "en"
    active: bool = True


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: str
    workspace_id: WorkspaceId
    user_id: UserId
    name: str
    token_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """A browser sign-in. Only the digest of its secret is stored, so a database leak signs nobody in."""

    digest: str
    workspace_id: WorkspaceId
    user_id: UserId
    created_at: datetime
    expires_at: datetime


def validate_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise Invalid("A workspace slug is 2–63 lowercase letters, digits or dashes.", field="slug")
    return slug


def validate_password(password: str) -> str:
    if len(password) < 8 or len(password) > 256:
        raise Invalid("A password must be 8 to 256 characters long.", field="password")
    return password


def new_session_secret() -> str:
    return secrets.token_urlsafe(32)


def new_token_secret() -> str:
    return f"hl_{secrets.token_urlsafe(32)}"


def token_digest(secret: str) -> str:
    """Tokens are high-entropy, so a fast hash is enough and lets a look-up use an index."""
    return hashlib.sha256(secret.encode()).hexdigest()
