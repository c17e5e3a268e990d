"""add the index of the desk's list of posts

Revision ID: 0023
Revises: 0017
Create Date: 2026-12-01

The desk lists the posts that are not in the trash, of one kind, by date: with 10,000 posts,
finding them through `ix_post_listing` read each one's row for `deleted_at` (the texts
beside it), for the page and again for the count. `ix_post_desk` holds all three columns,
so the list and its count read the index alone.
"""

from alembic import op

revision = "0023"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_post_desk"), "post", ["kind", "deleted_at", "published_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_post_desk"), table_name="post")
