"""add contact messages, sign-up forms and their registrations

Revision ID: 0018
Revises: 0022
Create Date: 2026-12-01

What readers send through a site's forms (blog/readerforms/models.py): a contact message
keeps a name, an email, a subject and the text; a registration keeps a name, an email and a
message for one sign-up form; both keep, for a few days, a hash of the sender's address for
the rate limit. A sign-up form has so many seats, a state (draft, open, closed), an optional
closing time and an optional talk it is for.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_message")),
    )
    op.create_index(
        "ix_contact_message_status_created", "contact_message", ["status", "created_at"]
    )
    op.create_index(
        "ix_contact_message_address_hash", "contact_message", ["address_hash", "created_at"]
    )
    op.create_index("ix_contact_message_created_at", "contact_message", ["created_at"])
    op.create_table(
        "signup_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=True),
        sa.Column("talk_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["talk_id"], ["talk.id"], name=op.f("fk_signup_form_talk_id_talk"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_form")),
        sa.UniqueConstraint("slug", name=op.f("uq_signup_form_slug")),
    )
    op.create_index(op.f("ix_signup_form_talk_id"), "signup_form", ["talk_id"], unique=False)
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["signup_form.id"],
            name=op.f("fk_registration_form_id_signup_form"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
    )
    op.create_index(
        "ix_registration_form_status_created",
        "registration",
        ["form_id", "status", "created_at"],
    )
    op.create_index("ix_registration_address_hash", "registration", ["address_hash", "created_at"])
    op.create_index("ix_registration_created_at", "registration", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_registration_created_at", table_name="registration")
    op.drop_index("ix_registration_address_hash", table_name="registration")
    op.drop_index("ix_registration_form_status_created", table_name="registration")
    op.drop_table("registration")
    op.drop_index(op.f("ix_signup_form_talk_id"), table_name="signup_form")
    op.drop_table("signup_form")
    op.drop_index("ix_contact_message_created_at", table_name="contact_message")
    op.drop_index("ix_contact_message_address_hash", table_name="contact_message")
    op.drop_index("ix_contact_message_status_created", table_name="contact_message")
    op.drop_table("contact_message")
