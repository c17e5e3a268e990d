"""add the search index

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-02

One row per post (blog/search): on SQLite an FTS5 table of stems, on PostgreSQL a tsvector
per post in its language's configuration, with a GIN index and the `unaccent` extension.
The index is filled from the posts already stored. It is not a model: the search module
owns its shape, and the models' comparison and backups leave it out (search.is_index_table).
"""

from alembic import op

from blog import search

revision = "0012"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    search.create(connection)
    search.rebuild(connection)


def downgrade() -> None:
    search.drop(op.get_bind())
