"""add autosaved revisions and shareable draft links

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02

`revision.autosave` marks the revision the editor keeps while the author types (issue 16):
apart from the post, at most one per post and author since the post's last save. Existing
revisions were all saved by hand, so they start as `false`.

`draft_link` holds the links that show a post before it is published to someone signed out:
an unguessable token, an expiry and, once revoked, when.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("autosave", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "draft_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_draft_link_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_draft_link_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_link")),
        sa.UniqueConstraint("token", name=op.f("uq_draft_link_token")),
    )
    with op.batch_alter_table("draft_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_link_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_link_post_id"))
    op.drop_table("draft_link")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_column("autosave")
