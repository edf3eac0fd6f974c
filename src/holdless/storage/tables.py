"""The schema, as SQLAlchemy Core tables. Alembic migrations under migrations/ create it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json: Any = JSON().with_variant(JSONB(), "postgresql")
Id = String(40)


def _ws() -> Column[str]:
    return Column("workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Id, primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("languages", Json, nullable=False),
    Column("dispositions", Json, nullable=False),
    # The last event sequence number given out; bumping it row-locks the workspace, which orders commits.
    Column("event_seq", BigInteger, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("email", String(320), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("language", String(8), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("workspace_id", "email"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("digest", String(64), primary_key=True),
    _ws(),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index(None, "user_id"),
)

agent_profiles = Table(
    "agent_profiles",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    _ws(),
    Column("skills", Json, nullable=False),
    Column("languages", Json, nullable=False),
    Column("capacity", Json, nullable=False),
    Column("queue_ids", Json, nullable=False),
    Column("state", String(20), nullable=False),
    Column("state_since", UtcDateTime),
    Index(None, "workspace_id"),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("name", String(200), nullable=False),
    Column("language", String(8)),
    Column("segment", String(64), nullable=False),
    Column("attributes", Json, nullable=False),
    Column("merged_into", Id),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "workspace_id", "id"),
)

customer_identities = Table(
    "customer_identities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _ws(),
    Column("customer_id", Id, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", String(320), nullable=False),
    Column("verified", Boolean, nullable=False),
    UniqueConstraint("workspace_id", "kind", "value"),
    Index(None, "customer_id"),
)

queues = Table(
    "queues",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("name", String(200), nullable=False),
    Column("skills", Json, nullable=False),
    Column("languages", Json, nullable=False),
    Column("segments", Json, nullable=False),
    UniqueConstraint("workspace_id", "name"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("customer_id", Id, ForeignKey("customers.id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("language", String(8)),
    Column("queue_id", Id),
    Column("segment", String(64)),
    Column("assignee_id", Id),
    Column("disposition", String(64)),
    Column("last_message_seq", Integer, nullable=False),
    Column("away_from", String(20)),
    Column("attributes", Json, nullable=False),
    Column("reopen_count", Integer, nullable=False),
    *(
        Column(name, UtcDateTime)
        for name in (
            "first_queued_at",
            "queued_at",
            "assigned_at",
            "first_response_at",
            "away_since",
            "abandoned_at",
            "resolved_at",
            "reopened_at",
            "last_customer_message_at",
            "last_agent_message_at",
        )
    ),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "workspace_id", "status", "id"),
    Index(None, "workspace_id", "assignee_id"),
    Index(None, "workspace_id", "customer_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("author", String(20), nullable=False),
    Column("author_id", Id),
    Column("text", Text, nullable=False),
    Column("attachments", Json, nullable=False),
    Column("client_message_id", String(100)),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("conversation_id", "seq"),
    UniqueConstraint("conversation_id", "client_message_id"),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", Id, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "conversation_id"),
)

# Append-only: nothing updates or deletes rows here (erasure, when built, redacts payloads in a new event).
events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    _ws(),
    Column("seq", BigInteger, nullable=False),
    Column("type", String(64), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("conversation_id", Id),
    Column("queue_id", Id),
    Column("assignee_id", Id),
    Column("audience", String(20), nullable=False),
    Column("data", Json, nullable=False),
    UniqueConstraint("workspace_id", "seq"),
    Index(None, "workspace_id", "conversation_id", "seq"),
)

# The routing engine's decisions, kept durably (docs/routing.md, "Service integration").
offers = Table(
    "offers",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("agent_id", Id, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("reason", String(200), nullable=False),
    Index(None, "workspace_id", "agent_id", "status"),
    # A contact is never offered to two agents at once, whatever any process believes.
    Index(
        "uq_offers_one_pending",
        "conversation_id",
        unique=True,
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("window_start", UtcDateTime, nullable=False),
    Column("window_end", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("at_risk", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("reason", String(200), nullable=False),
    Index(None, "workspace_id", "status", "window_end"),
    # One open promise per conversation.
    Index(
        "uq_callbacks_one_open",
        "conversation_id",
        unique=True,
        sqlite_where=text("status = 'promised'"),
        postgresql_where=text("status = 'promised'"),
    ),
)

surveys = Table(
    "surveys",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("language", String(8), nullable=False),
    Column("questions", Json, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime),
    Column("answers", Json, nullable=False),
    Column("comment", Text, nullable=False),
    Index(None, "workspace_id", "conversation_id", "requested_at"),
    Index(None, "workspace_id", "customer_id", "requested_at"),
)

# One row per workspace: its business calendar and complaint categories (validated by complaints/model.py).
complaint_settings = Table(
    "complaint_settings",
    metadata,
    Column("workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("document", Json, nullable=False),
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", Id, nullable=False),
    Column("category", String(64), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("due", Json, nullable=False),
    Column("done", Json, nullable=False),
    Column("warned", Json, nullable=False),
    UniqueConstraint("conversation_id"),
    Index(None, "workspace_id", "opened_at"),
)

# Outbound webhooks (docs/integrations.md). The secret is stored sealed with the server's key.
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("url", String(2000), nullable=False),
    Column("event_types", Json, nullable=False),
    Column("secret_sealed", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("after_seq", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "workspace_id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    _ws(),
    Column("subscription_id", Id, ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("payload", Json, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("last_error", String(500), nullable=False),
    Column("response_status", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_attempt_at", UtcDateTime),
    Column("delivered_at", UtcDateTime),
    # One delivery per event and subscription, however often the log is read again.
    UniqueConstraint("subscription_id", "event_seq"),
    Index(None, "status", "next_attempt_at"),
    Index(None, "workspace_id", "subscription_id", "status"),
)

# How far the delivering process has read each workspace's event log.
webhook_cursors = Table(
    "webhook_cursors",
    metadata,
    Column("workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

# Channels (docs/channels.md). Thread keys: every email Message-ID received or sent, and each conversation's
# token, point at the conversation they belong to, so a reply finds its thread and never another one.
channel_threads = Table(
    "channel_threads",
    metadata,
    Column("workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "conversation_id"),
)

# What each channel sent: one row per outgoing message, claimed before the send, so a restart never
# sends a message twice (a claim left 'sending' by a crash is retried with the same Message-ID).
channel_deliveries = Table(
    "channel_deliveries",
    metadata,
    Column("message_id", Id, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    _ws(),
    Column("channel", String(20), nullable=False),
    Column("conversation_id", Id, nullable=False),
    Column("status", String(20), nullable=False),  # sending | sent | failed
    Column("external_id", String(300)),
    Column("attempts", Integer, nullable=False),
    Column("error", String(500), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Index(None, "workspace_id", "status"),
)

# How far each channel's outbound listener has read the workspace's event log.
channel_cursors = Table(
    "channel_cursors",
    metadata,
    Column("workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

# The virtual agent (docs/virtual-agent.md): a workspace's flows, and the bot's memory of each conversation.
bot_flows = Table(
    "bot_flows",
    metadata,
    Column("workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("definition", Json, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(80), nullable=False),
    Column("cursor", BigInteger, nullable=False),  # the last event the bot has applied
)

bot_conversations = Table(
    "bot_conversations",
    metadata,
    Column("conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    _ws(),
    Column("state", Json, nullable=False),
    Column("card", Json),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Signed messenger webhook: signatures accepted recently, so a replay is refused in every process.
messenger_seen = Table(
    "messenger_seen",
    metadata,
    Column("signature_digest", String(64), primary_key=True),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("until", UtcDateTime, nullable=False),
    Index(None, "until"),
)
