"""signed messenger webhook: signatures seen recently (replays refused across processes)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:25:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import holdless.storage.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messenger_seen",
        sa.Column("signature_digest", sa.String(length=64), nullable=False),
        sa.Column("seen_at", holdless.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("until", holdless.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature_digest", name=op.f("pk_messenger_seen")),
    )
    op.create_index(op.f("ix_messenger_seen_until"), "messenger_seen", ["until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_messenger_seen_until"), table_name="messenger_seen")
    op.drop_table("messenger_seen")
