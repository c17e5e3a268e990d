"""Alembic environment: the app's engine and the models' metadata."""

from alembic import context
from sqlalchemy import create_engine

from blog import (
    mail,  # noqa: F401 (the outbox's table joins Base's)
    search,
)
from blog.comments import models as comment_models  # noqa: F401 (their tables join Base's)
from blog.models import Base
from blog.readerforms import models as form_models  # noqa: F401 (their tables join Base's)
from blog.sections import models as section_models  # noqa: F401 (their tables join Base's)
from blog.subscriptions import models as subscription_models  # noqa: F401 (same)

config = context.config
target_metadata = Base.metadata


def outside_search_index(name, type_, _parent_names) -> bool:
    """Leave the search index's tables to the search module (they are not models)."""
    return not (type_ == "table" and search.is_index_table(name))


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        # Plain `alembic` use, outside the app: take the URL from alembic.ini / -x url=…
        url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
            "sqlalchemy.url"
        )
        engine = create_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one; with foreign keys on, dropping
            # `post` would delete every row that refers to it (ON DELETE CASCADE). The pragma
            # only takes effect outside a transaction, hence here.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                include_name=outside_search_index,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"The migration broke foreign keys: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
