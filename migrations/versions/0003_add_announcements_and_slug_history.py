"""add announcements and slug history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slug_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_slug_history_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slug_history")),
    )
    with op.batch_alter_table("slug_history", schema=None) as batch_op:
        batch_op.create_index("ix_slug_history_lookup", ["slug", "language"], unique=False)
        batch_op.create_index(batch_op.f("ix_slug_history_post_id"), ["post_id"], unique=False)

    with op.batch_alter_table("post", schema=None) as batch_op:
        # "announcement" needs more room than "post" and "page" did.
        batch_op.alter_column("kind", existing_type=sa.String(length=8), type_=sa.String(length=16))
        batch_op.add_column(sa.Column("announces_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_post_announces_id"), ["announces_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_post_announces_id_post"),
            "post",
            ["announces_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_post_announces_id_post"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_post_announces_id"))
        batch_op.drop_column("announces_id")
        batch_op.alter_column("kind", existing_type=sa.String(length=16), type_=sa.String(length=8))

    with op.batch_alter_table("slug_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slug_history_post_id"))
        batch_op.drop_index("ix_slug_history_lookup")

    op.drop_table("slug_history")
