"""add the media library and featured images

Revision ID: 0008
Revises: 0011
Create Date: 2026-12-02

`media` holds a row per file of the library (its safe, unique name — the address
/media/<name> that survives a replacement — the fingerprint of its current content, its
type found from the content, size, dimensions and resized widths); `media_text` its alt
text, caption and transcript per language. `post.featured_media_id` is the picture that
stands for a post (sharing cards, feeds); deleting the file leaves the post without one.

On SQLite, adding a column with its reference (and removing it) rebuilds `post`, which
the triggers of 0015 and 0016 name: they are kept, dropped, and created again after.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("fingerprint", sa.String(length=16), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("variants", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("name", name=op.f("uq_media_name")),
    )
    op.create_table(
        "media_text",
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("alt", sa.String(length=1000), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_media_text_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("media_id", "language", name=op.f("pk_media_text")),
    )
    with _post_rebuilt() as batch:
        batch.add_column(sa.Column("featured_media_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_post_featured_media_id"), ["featured_media_id"])
        batch.create_foreign_key(
            batch.f("fk_post_featured_media_id_media"),
            "media",
            ["featured_media_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with _post_rebuilt() as batch:
        batch.drop_constraint(batch.f("fk_post_featured_media_id_media"), type_="foreignkey")
        batch.drop_index(batch.f("ix_post_featured_media_id"))
        batch.drop_column("featured_media_id")
    op.drop_table("media_text")
    op.drop_table("media")


@contextmanager
def _post_rebuilt():
    """Alter `post` in batch mode, keeping its triggers where the table is rebuilt (SQLite)."""
    kept = []
    if op.get_bind().dialect.name == "sqlite":
        # Every trigger: those of other tables name `post` too, which the rebuild renames.
        rows = op.get_bind().exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        kept = list(rows)
        for name, _sql in kept:
            op.execute(f'DROP TRIGGER "{name}"')
    with op.batch_alter_table("post") as batch:
        yield batch
    for _name, statement in kept:
        op.execute(statement)
