"""One Flask app, one post store, several sites chosen by the request's host."""

from __future__ import annotations

import os
from collections import ChainMap

from flask import Flask, templating
from jinja2 import BytecodeCache
from werkzeug.routing import BaseConverter

from . import config, fields, sitesfile


class SlugConverter(BaseConverter):
    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class _ProcessBytecodeCache(BytecodeCache):
    """Compiled templates kept for the life of the process, shared by every app built in it.

    Jinja checks each entry against a checksum of the template's source, so an edited
    template is compiled again. One app per process (a server worker) gains nothing; the
    test suite, which builds an app per test, skips compiling the same templates thousands
    of times.
    """

    def __init__(self) -> None:
        self._codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._codes[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODES = _ProcessBytecodeCache()


class _Globals(ChainMap):
    """A template's globals (its own over the environment's), whose keys are a set.

    Each {% from … import %} subtracts them from the page's globals to see whether the
    imported template needs a module of its own; against a set that is one C operation,
    against ChainMap's keys view a Python lookup per name (a tenth of a page's calls).
    """

    def keys(self):
        return frozenset().union(*self.maps)


class _Environment(templating.Environment):
    def make_globals(self, d):
        return _Globals({} if d is None else d, self.globals)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance config and environment, then extensions."""
    # templates/ and translations/ sit at the project's top level (the agreed layout),
    # so Flask and Flask-Babel are pointed at them explicitly.
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=config.DEFAULTS["TEMPLATES_DIR"],
    )
    app.jinja_environment = _Environment
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _TEMPLATE_CODES}
    app.config.from_mapping(config.DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("BLOG")
        for name in ("DATABASE_URL", "REDIS_URL"):
            if os.environ.get(name):
                app.config[name] = os.environ[name]
    else:
        # A test builds its schema itself; one that wants the start-up check sets SCHEMA_CHECK.
        app.config["SCHEMA_CHECK"] = False
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config["SQLALCHEMY_URL"] = config.database_url(
        app.config["DATABASE_URL"], app.instance_path
    )
    catalogs = sitesfile.catalog_languages(app.config["TRANSLATIONS_DIR"])
    app.extensions["sites"] = sitesfile.load_sites(app.config["SITES_FILE"], catalogs)
    app.extensions["desk_languages"] = sorted(catalogs, key=lambda lang: lang != "fr")
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = fields.IdConverter
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True

    from . import (
        admin,
        caching,
        cli,
        csrf,
        db,
        errors,
        fastpath,
        health,
        i18n,
        media,
        public,
        routing,
        schema,
        security,
        sender,
        urls,
    )
    from .public import (  # noqa: F401 (their views join public.bp)
        browsing,
        comments,
        pages,
        readerforms,
        searching,
        sections,
        subscriptions,
        switching,
        syndication,
    )

    i18n.init_app(app, locale_selector=routing.interface_language)
    db.init_app(app)
    sender.init_app(app)
    caching.init_app(app)
    routing.init_app(app)
    urls.init_app(app)
    # Inside security's ProxyFix, so that the fast path reads the environ Flask reads.
    fastpath.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(health.bp)
    errors.init_app(app)
    schema.init_app(app)
    return app
