"""The store is created and changed only by the migrations, which go up and down."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from blog import db, search
from blog.models import Base
from blog.schema import alembic_config, upgrade


def test_migrations_go_up_and_back_down(app):
    from alembic import command

    with app.app_context():
        engine = db.engine()
        command.downgrade(alembic_config(), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(engine).get_table_names())
        assert {"post", "publication", "term", "term_name", "post_term"} <= tables


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_name": lambda name, type_, _: not search.is_index_table(name)},
        )
        assert compare_metadata(context, Base.metadata) == []
