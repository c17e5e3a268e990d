"""keep each post's publication time beside its terms, so a term page walks its own posts by date

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-01

A term page lists the term's posts newest first. Found through `post` (walking every post by
date until one page of the term's is found), a tag carried by one post in a hundred costs a
hundred posts read per listed one, more as the archive grows; found through `post_term` by
term, every post of a big category must be sorted. With the post's `published_at` copied onto
`post_term` and indexed (term, time, post), the database walks the term's own posts newest
first and stops after one page: a term page costs the same whatever the archive's size.

The copy is kept by the database itself (triggers), whatever writes: the desk, an import, a
restore, a hand-written statement. `post_term.published_at` is never written by the app.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER post_term_published_at_on_insert AFTER INSERT ON post_term
    BEGIN
        UPDATE post_term SET published_at = (SELECT published_at FROM post WHERE id = NEW.post_id)
        WHERE post_id = NEW.post_id AND term_id = NEW.term_id;
    END
    """,
    """
    CREATE TRIGGER post_term_published_at_on_post AFTER UPDATE OF published_at ON post
    BEGIN
        UPDATE post_term SET published_at = NEW.published_at WHERE post_id = NEW.id;
    END
    """,
]

POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION post_term_published_at_on_insert() RETURNS trigger AS $$
    BEGIN
        NEW.published_at := (SELECT published_at FROM post WHERE id = NEW.post_id);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER post_term_published_at_on_insert BEFORE INSERT ON post_term
    FOR EACH ROW EXECUTE FUNCTION post_term_published_at_on_insert()
    """,
    """
    CREATE FUNCTION post_term_published_at_on_post() RETURNS trigger AS $$
    BEGIN
        UPDATE post_term SET published_at = NEW.published_at WHERE post_id = NEW.id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER post_term_published_at_on_post AFTER UPDATE OF published_at ON post
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION post_term_published_at_on_post()
    """,
]


def upgrade() -> None:
    with op.batch_alter_table("post_term") as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE post_term SET published_at = "
        "(SELECT published_at FROM post WHERE post.id = post_term.post_id)"
    )
    op.create_index(
        op.f("ix_post_term_listing"),
        "post_term",
        ["term_id", "published_at", "post_id"],
        unique=False,
    )
    triggers = (
        POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER post_term_published_at_on_post ON post")
        op.execute("DROP TRIGGER post_term_published_at_on_insert ON post_term")
        op.execute("DROP FUNCTION post_term_published_at_on_post()")
        op.execute("DROP FUNCTION post_term_published_at_on_insert()")
    else:
        op.execute("DROP TRIGGER post_term_published_at_on_post")
        op.execute("DROP TRIGGER post_term_published_at_on_insert")
    op.drop_index(op.f("ix_post_term_listing"), table_name="post_term")
    with op.batch_alter_table("post_term") as batch_op:
        batch_op.drop_column("published_at")
