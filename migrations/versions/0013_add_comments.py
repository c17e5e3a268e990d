"""add readers' comments: the comment table, the blocklist, a post's comments switch

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-03

Comments (blog/comments/models.py) keep a name, an optional email and website, the text and
its sanitized HTML, the time, and an address hash erased after a few days. Every existing
post is open to comments (the site's `comments` in the sites file decides first).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of the post table on SQLite would drop its triggers (0016).
    op.add_column(
        "post", sa.Column("comments_open", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("by_author", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comment.id"], name=op.f("fk_comment_parent_id_comment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_comment_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )  # fmt: skip
    op.create_index("ix_comment_parent_id", "comment", ["parent_id"])
    op.create_index(
        "ix_comment_post_status_created", "comment", ["post_id", "status", "created_at"]
    )
    op.create_index("ix_comment_status_created", "comment", ["status", "created_at"])
    op.create_index("ix_comment_address_hash", "comment", ["address_hash", "created_at"])
    op.create_table(
        "comment_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_block")),
        sa.UniqueConstraint("pattern", name=op.f("uq_comment_block_pattern")),
    )


def downgrade() -> None:
    op.drop_table("comment_block")
    op.drop_index("ix_comment_address_hash", table_name="comment")
    op.drop_index("ix_comment_status_created", table_name="comment")
    op.drop_index("ix_comment_post_status_created", table_name="comment")
    op.drop_index("ix_comment_parent_id", table_name="comment")
    op.drop_table("comment")
    op.drop_column("post", "comments_open")
