"""add import origins, page parents and pinned posts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

`imported_item` knows each imported post by the WordPress site it came from and its id
there, since ids are unique only within one site. The stores imported before this revision
recorded only the `?p=ID` old address of each post, not the site it came from, so the
upgrade fills `imported_item` from those addresses with an empty origin ("not known yet"):
one row per `old_address` whose path is "/" and whose query is `p=<digits>`, for the same
site and post. The next import of the same export claims such a row (writes its origin) when
the post also holds the item's old permalink, so re-importing stays a no-op and a different
export with overlapping ids imports fully (see wordpress.py).

`post.parent_id` keeps a page under its parent; `post.pinned` lists a post first on its
site's home page. Both start empty (no parent, not pinned).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_imported_item_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_item")),
        sa.UniqueConstraint(
            "site", "origin", "item_id", name=op.f("uq_imported_item_site_origin_item_id")
        ),
    )
    with op.batch_alter_table("imported_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_item_post_id"), ["post_id"], unique=False)
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("pinned", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_post_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_post_parent_id_post"), "post", ["parent_id"], ["id"], ondelete="SET NULL"
        )

    addresses = sa.table(
        "old_address",
        sa.column("site"),
        sa.column("path"),
        sa.column("query"),
        sa.column("post_id"),
    )
    items = sa.table(
        "imported_item",
        sa.column("site"),
        sa.column("origin"),
        sa.column("item_id"),
        sa.column("post_id"),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(addresses.c.site, addresses.c.query, addresses.c.post_id).where(
            addresses.c.path == "/", addresses.c.query.like("p=%")
        )
    )
    rows = [
        {"site": site, "origin": "", "item_id": int(query[2:]), "post_id": post_id}
        for site, query, post_id in found
        if query[2:].isdigit()
    ]
    if rows:
        op.bulk_insert(items, rows)


def downgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_post_parent_id_post"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_post_parent_id"))
        batch_op.drop_column("pinned")
        batch_op.drop_column("parent_id")
    with op.batch_alter_table("imported_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_item_post_id"))
    op.drop_table("imported_item")
