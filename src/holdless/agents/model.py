"""Agent profile rules: skills with levels, languages, capacity per channel, presence state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from holdless.conversations.model import Channel
from holdless.errors import Invalid
from holdless.ids import QueueId, UserId, WorkspaceId

MAX_SKILL_LEVEL = 5
# One call or a few chats at a time is what contact centers run by default.
DEFAULT_CAPACITY: Mapping[Channel, int] = {
    Channel.VOICE: 1,
    Channel.WEBCHAT: 4,
    Channel.TELEGRAM: 4,
    Channel.MESSENGER: 4,
    Channel.EMAIL: 8,
    Channel.API: 4,
}


class AgentState(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class AgentProfile:
    user_id: UserId
    workspace_id: WorkspaceId
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: tuple[str, ...] = ("en",)
    capacity: Mapping[Channel, int] = field(default_factory=lambda: dict(DEFAULT_CAPACITY))
    queue_ids: tuple[QueueId, ...] = ()
    state: AgentState = AgentState.OFFLINE
    state_since: datetime | None = None


def validate_skills(skills: Mapping[str, int]) -> dict[str, int]:
    for name, level in skills.items():
        if not name or len(name) > 64:
            raise Invalid("A skill name is 1–64 characters.", field="skills")
        if not 1 <= level <= MAX_SKILL_LEVEL:
            raise Invalid(f"Skill '{name}' must have a level from 1 to {MAX_SKILL_LEVEL}.", field="skills")
    return dict(skills)


def validate_capacity(capacity: Mapping[Channel, int]) -> dict[Channel, int]:
    for channel, slots in capacity.items():
        if not 0 <= slots <= 50:
            raise Invalid(f"Capacity for {channel.value} must be between 0 and 50.", field="capacity")
    return dict(capacity)


def validate_languages(languages: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(lang.strip().lower() for lang in languages))
    if not cleaned or any(not 2 <= len(lang) <= 8 for lang in cleaned):
        raise Invalid("List at least one language as a code such as 'en', 'ru' or 'zh'.", field="languages")
    return cleaned
