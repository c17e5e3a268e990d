"""add old addresses that redirect imported posts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "old_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_old_address_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_old_address")),
        sa.UniqueConstraint("site", "path", "query", name=op.f("uq_old_address_site_path_query")),
    )
    with op.batch_alter_table("old_address", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_old_address_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("old_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_old_address_post_id"))

    op.drop_table("old_address")
