"""add the indexes of the public read path

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Every public query is served by an index, so that a page costs the same with 100 posts or
10,000 (issue 14): listings, archives and feeds walk `post` newest first and stop after one
page (`ix_post_published_at`, also the latest due publication time of conditional requests);
a home walks pinned posts first (`ix_post_home`); a term's posts are found from the term
(`ix_post_term_term_id`, also what deleting a term cascades through). A post's address is
found through the existing (language, slug) constraint, a menu through `ix_post_listing`.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_post_published_at", "post", ["published_at", "id"]),
    ("ix_post_home", "post", ["pinned", "published_at", "id"]),
    ("ix_post_term_term_id", "post_term", ["term_id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
