"""add the works inspired by the book (« Les liaisons artistiques ») and their images

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-03

A work is an artist's piece answering a chapter of the book: a title, an artist, the chapter
(left empty if the chapter is deleted), an optional recording (a file of the media folder
with its transcript, or a link) and a Markdown text with its rendered HTML. Its images are
rows of their own, each a file of the media folder with its size and alt text.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("artist", sa.String(length=200), nullable=False),
        sa.Column("chapter_id", sa.Integer(), nullable=True),
        sa.Column("media", sa.String(length=300), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapter.id"],
            name=op.f("fk_work_chapter_id_chapter"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work")),
        sa.UniqueConstraint("slug", name=op.f("uq_work_slug")),
    )
    op.create_index(op.f("ix_work_chapter_id"), "work", ["chapter_id"], unique=False)
    op.create_table(
        "work_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=300), nullable=False),
        sa.Column("alt", sa.String(length=500), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"], ["work.id"], name=op.f("fk_work_image_work_id_work"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_image")),
    )
    op.create_index(op.f("ix_work_image_work_id"), "work_image", ["work_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_work_image_work_id"), table_name="work_image")
    op.drop_table("work_image")
    op.drop_index(op.f("ix_work_chapter_id"), table_name="work")
    op.drop_table("work")
