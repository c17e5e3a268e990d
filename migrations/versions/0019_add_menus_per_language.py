"""add the menus edited in the desk, per site and language

Revision ID: 0019
Revises: 0008
Create Date: 2026-12-01

A `menu` row for a site and a language replaces that site's automatic menu (its pages in
menu order, then the book's sections) with the items of `menu_item`, in order: a page, a
term, a section or another address, each with an optional label; a check keeps exactly the
column its kind names filled. A page or a term removed from the store takes its items along.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0008"
branch_labels = None
depends_on = None

ONE_TARGET = (
    "(kind = 'page' AND post_id IS NOT NULL AND term_id IS NULL AND section IS NULL"
    " AND url IS NULL)"
    " OR (kind = 'term' AND term_id IS NOT NULL AND post_id IS NULL AND section IS NULL"
    " AND url IS NULL)"
    " OR (kind = 'section' AND section IS NOT NULL AND post_id IS NULL"
    " AND term_id IS NULL AND url IS NULL)"
    " OR (kind = 'link' AND url IS NOT NULL AND post_id IS NULL AND term_id IS NULL"
    " AND section IS NULL)"
)


def upgrade() -> None:
    op.create_table(
        "menu",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu")),
        sa.UniqueConstraint("site", "language", name=op.f("uq_menu_site_language")),
    )
    op.create_table(
        "menu_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("menu_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("term_id", sa.Integer(), nullable=True),
        sa.Column("section", sa.String(length=64), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("nested", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(ONE_TARGET, name=op.f("ck_menu_item_one_target")),
        sa.ForeignKeyConstraint(
            ["menu_id"], ["menu.id"], name=op.f("fk_menu_item_menu_id_menu"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_menu_item_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["term_id"], ["term.id"], name=op.f("fk_menu_item_term_id_term"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_item")),
        sa.UniqueConstraint("menu_id", "position", name=op.f("uq_menu_item_menu_id_position")),
    )
    op.create_index(op.f("ix_menu_item_post_id"), "menu_item", ["post_id"], unique=False)
    op.create_index(op.f("ix_menu_item_term_id"), "menu_item", ["term_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_menu_item_term_id"), table_name="menu_item")
    op.drop_index(op.f("ix_menu_item_post_id"), table_name="menu_item")
    op.drop_table("menu_item")
    op.drop_table("menu")
