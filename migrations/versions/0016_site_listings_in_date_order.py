"""keep each post's time and pin beside its sites, so a site's listings walk its own posts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

A site's home, archives and feeds list its posts newest first (pinned first on the home).
Walked through `post`, a site that carries one post in twenty (the book site beside a busy
blog) reads twenty posts per listed one, more as the other site grows. With the post's
`published_at` and `pinned` copied onto `publication` and indexed per site, each site walks
its own posts in order and stops after one page.

As for post_term (0015), the copy is kept by the database (triggers), whatever writes.
A later migration that rebuilds `post` or `publication` on SQLite (batch mode) must create
these triggers again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER publication_copy_on_insert AFTER INSERT ON publication
    BEGIN
        UPDATE publication
        SET published_at = (SELECT published_at FROM post WHERE id = NEW.post_id),
            pinned = (SELECT pinned FROM post WHERE id = NEW.post_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER publication_copy_on_post AFTER UPDATE OF published_at, pinned ON post
    BEGIN
        UPDATE publication SET published_at = NEW.published_at, pinned = NEW.pinned
        WHERE post_id = NEW.id;
    END
    """,
]

POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION publication_copy_on_insert() RETURNS trigger AS $$
    BEGIN
        SELECT published_at, pinned INTO NEW.published_at, NEW.pinned
        FROM post WHERE id = NEW.post_id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER publication_copy_on_insert BEFORE INSERT ON publication
    FOR EACH ROW EXECUTE FUNCTION publication_copy_on_insert()
    """,
    """
    CREATE FUNCTION publication_copy_on_post() RETURNS trigger AS $$
    BEGIN
        UPDATE publication SET published_at = NEW.published_at, pinned = NEW.pinned
        WHERE post_id = NEW.id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER publication_copy_on_post AFTER UPDATE OF published_at, pinned ON post
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at
                       OR OLD.pinned IS DISTINCT FROM NEW.pinned)
    EXECUTE FUNCTION publication_copy_on_post()
    """,
]

INDEXES = [
    ("ix_publication_listing", ["site", "published_at", "post_id"]),
    ("ix_publication_home", ["site", "pinned", "published_at", "post_id"]),
]


def upgrade() -> None:
    with op.batch_alter_table("publication") as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE publication SET "
        "published_at = (SELECT published_at FROM post WHERE post.id = publication.post_id), "
        "pinned = (SELECT pinned FROM post WHERE post.id = publication.post_id)"
    )
    for name, columns in INDEXES:
        op.create_index(op.f(name), "publication", columns, unique=False)
    triggers = (
        POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER publication_copy_on_post ON post")
        op.execute("DROP TRIGGER publication_copy_on_insert ON publication")
        op.execute("DROP FUNCTION publication_copy_on_post()")
        op.execute("DROP FUNCTION publication_copy_on_insert()")
    else:
        op.execute("DROP TRIGGER publication_copy_on_post")
        op.execute("DROP TRIGGER publication_copy_on_insert")
    for name, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name="publication")
    with op.batch_alter_table("publication") as batch_op:
        batch_op.drop_column("pinned")
        batch_op.drop_column("published_at")
