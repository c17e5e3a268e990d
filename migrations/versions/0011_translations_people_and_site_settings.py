"""translations follow their original; people, two-factor sign-in and site settings

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01

Each post counts the changes of its text (`text_version`); a translation records the post it
was translated from, the count it matches and that post's revision then, so that the desk
flags it as outdated when the original changes, with a diff of what changed (issue 16).
Accounts get a role (the existing ones stay administrators) and an optional TOTP secret with
recovery codes; one-time links invite or reset a password; a site's title, tagline and
description can be edited in the desk (site_setting, over the sites file's).

On SQLite, `post` is rebuilt (batch mode): the triggers of 0015 and 0016 that name it are
dropped first and created again after, as 0016 asks.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# The migrations whose SQLite triggers name `post` (their SQLITE_TRIGGERS).
TRIGGER_MIGRATIONS = ("0015_term_listings_in_date_order", "0016_site_listings_in_date_order")
TRIGGERS = (
    "post_term_published_at_on_insert",
    "post_term_published_at_on_post",
    "publication_copy_on_insert",
    "publication_copy_on_post",
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_triggers() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_triggers() -> None:
    for name in TRIGGER_MIGRATIONS:
        path = Path(__file__).with_name(f"{name}.py")
        spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for statement in module.SQLITE_TRIGGERS:
            op.execute(statement)


revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if _sqlite():
        _drop_triggers()
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("text_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("translated_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("translated_from_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("translated_from_revision_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_post_translated_from_id"), ["translated_from_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_post_translated_from_id_post"),
            "post",
            ["translated_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_post_translated_from_revision_id_revision"),
            "revision",
            ["translated_from_revision_id"],
            ["id"],
            ondelete="SET NULL",
        )
    if _sqlite():
        _create_triggers()
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="administrator", nullable=False)
        )
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "recovery_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_recovery_code_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_recovery_code")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)
    op.create_table(
        "one_time_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_one_time_token_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_one_time_token")),
    )
    with op.batch_alter_table("one_time_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_one_time_token_user_id"), ["user_id"], unique=False)
    op.create_table(
        "site_setting",
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("site", "language", "name", name=op.f("pk_site_setting")),
    )


def downgrade() -> None:
    op.drop_table("site_setting")
    with op.batch_alter_table("one_time_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_token_user_id"))
    op.drop_table("one_time_token")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))
    op.drop_table("recovery_code")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("role")
    if _sqlite():
        _drop_triggers()
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_post_translated_from_revision_id_revision"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_post_translated_from_id_post"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_post_translated_from_id"))
        batch_op.drop_column("translated_from_revision_id")
        batch_op.drop_column("translated_from_version")
        batch_op.drop_column("translated_from_id")
        batch_op.drop_column("text_version")
    if _sqlite():
        _create_triggers()
