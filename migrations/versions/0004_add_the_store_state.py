"""add the store state that validates caches

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_state")),
    )
    state = sa.table("store_state", sa.column("id"), sa.column("version"), sa.column("changed_at"))
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(state, [{"id": 1, "version": 0, "changed_at": now}])


def downgrade() -> None:
    op.drop_table("store_state")
