"""Customers and channel identities. Identities are normalised so the same person is found again."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from holdless.errors import Invalid
from holdless.ids import CustomerId, WorkspaceId

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_NOISE = re.compile(r"[\s().\-]")
MAX_ATTRIBUTES = 100


class IdentityKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    MESSENGER = "messenger"  # "<provider>:<user id>", e.g. "telegram:42"
    WEB_VISITOR = "web_visitor"


@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdentityKind
    value: str
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Customer:
    id: CustomerId
    workspace_id: WorkspaceId
    name: str
    language: str | None
    segment: str
    created_at: datetime
    attributes: Mapping[str, str] = field(default_factory=dict)
    identities: tuple[Identity, ...] = ()
    merged_into: CustomerId | None = None


def normalize_identity(kind: IdentityKind, value: str) -> str:
    """The canonical form used for look-ups; raises Invalid with a message a person understands."""
    raw = value.strip()
    if not raw or len(raw) > 320:
        raise Invalid(
            f"A {kind.value.replace('_', ' ')} identity must be 1 to 320 characters.", field="value"
        )
    if kind is IdentityKind.EMAIL:
        if not _EMAIL.match(raw):
            raise Invalid(f"'{raw}' is not an email address.", field="value")
        return raw.lower()
    if kind is IdentityKind.PHONE:
        digits = _PHONE_NOISE.sub("", raw)
        if not re.fullmatch(r"\+?\d{5,15}", digits):
            raise Invalid(f"'{raw}' is not a phone number.", field="value")
        return digits if digits.startswith("+") else f"+{digits}"
    if kind is IdentityKind.MESSENGER:
        provider, sep, user = raw.partition(":")
        if not sep or not provider or not user:
            raise Invalid("A messenger identity looks like 'telegram:12345'.", field="value")
        return f"{provider.lower()}:{user}"
    return raw


def merged_attributes(target: Mapping[str, str], source: Mapping[str, str]) -> dict[str, str]:
    """On merge the surviving customer's own values win; the other one only fills gaps."""
    return {**source, **target}


def check_merge(target: Customer, source: Customer) -> None:
    if target.id == source.id:
        raise Invalid("A customer cannot be merged into themselves.")
    if source.merged_into is not None or target.merged_into is not None:
        raise Invalid("One of these customers was already merged into another one.")


def validate_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    if len(attributes) > MAX_ATTRIBUTES:
        raise Invalid(f"A customer can have at most {MAX_ATTRIBUTES} attributes.", field="attributes")
    for key, value in attributes.items():
        if not key or len(key) > 64 or len(str(value)) > 1000:
            raise Invalid("Attribute names are 1–64 characters and values at most 1000.", field="attributes")
    return {k: str(v) for k, v in attributes.items()}
