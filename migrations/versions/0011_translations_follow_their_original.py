"""translations follow their original

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-01

Each post counts the changes of its text (`text_version`); a translation records the post it
was translated from, the count it matches and that post's revision then, so that the desk
flags it as outdated when the original changes, with a diff of what changed (issue 16).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("text_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("translated_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("translated_from_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("translated_from_revision_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_post_translated_from_id"), ["translated_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_post_translated_from_id_post"),
            "post",
            ["translated_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_post_translated_from_revision_id_revision"),
            "revision",
            ["translated_from_revision_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_post_translated_from_revision_id_revision"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_post_translated_from_id_post"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_post_translated_from_id"))
        batch_op.drop_column("translated_from_revision_id")
        batch_op.drop_column("translated_from_version")
        batch_op.drop_column("translated_from_id")
        batch_op.drop_column("text_version")
