"""index each language's posts apart in PostgreSQL's search index

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-01

A search matches its words in each language against the posts of that language. Through
the GIN index of all posts, every post holding a word is read and those of other languages
are then dropped — most of them when a word is spelled alike in French, English and Italian
(« archives »): on PostgreSQL, one GIN index per configured language (partial: `WHERE
language = 'fr'`…) reads only that language's posts. SQLite's FTS5 index needs nothing.
"""

from alembic import op

from blog.search import postgres

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        postgres.create_language_indexes(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for language in postgres.CONFIGURATIONS:
            op.execute(f"DROP INDEX IF EXISTS ix_{postgres.TABLE}_{language}")
