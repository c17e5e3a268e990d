"""What the tests share besides fixtures: clients, the test config, a clock, small helpers.

Test modules import from here, never from conftest (which only defines fixtures).
"""

from __future__ import annotations

import copy
import functools
import gettext
import hashlib
import io
import os
import re
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from babel import support
from flask import Flask, current_app
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import event
from werkzeug.routing import Rule

from blog import create_app, db, mediastore, search, sender
from blog.models import Base

ROOT = Path(__file__).resolve().parent.parent

BLOG = "http://blog.localhost"
BOOK = "http://book.localhost"
DATA = Path(__file__).parent / "data"
# The tests' own copy of the shipped sites file: the shipped one may be edited (its port...).
SITES_FILE = str(DATA / "sites.toml")
# A cheap scrypt (about a millisecond): production keeps Werkzeug's default, ~0.25 s a hash.
FAST_PASSWORD_HASH = "scrypt:256:8:1"
# Tests never reach the internet: posters are fetched only where a test serves them. Mail
# waits in the outbox until a test runs the sender (sender.run_once), never a thread's.
TEST_CONFIG = {
    "SITES_FILE": SITES_FILE,
    "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
    "EMBED_POSTERS": False,
    "MAIL_SENDER": "command",
}

# Every app a test makes, so that conftest closes their connection pools when the test ends
# (PostgreSQL refuses clients past max_connections: pools left to the garbage collector add up).
MADE_APPS: list[Flask] = []


class SharedBuilderRule(Rule):
    """A URL rule parsed and compiled once per process, not once per app.

    Werkzeug parses every rule of every app and compiles two Python functions for it (~1 ms
    a rule, ~120 rules); the suite makes an app per test. What compile() makes depends only
    on the rule's text, its host or subdomain, its defaults and the converters the map names;
    the builders take the rule as an argument, so the same functions serve every app's copy.
    Converters are instances bound to a map: each rule gets its own, made as werkzeug makes
    them. Production makes one app per process.
    """

    _compiled: ClassVar[dict] = {}

    def compile(self) -> None:
        # (The converters are not kept on the map: some are added to it between two rules.)
        converters = tuple(
            sorted(
                (name, c.__qualname__, getattr(c, "regex", ""))
                for name, c in self.map.converters.items()
            )
        )
        key = (
            self.rule,
            self.host if self.map.host_matching else self.subdomain,
            self.merge_slashes,
            repr(sorted((self.defaults or {}).items())),
            converters,
        )
        known = self._compiled.get(key)
        if known is None:
            self._made = []
            super().compile()
            self._compiled[key] = (
                self._parts,
                self._trace,
                self._made,
                self._build.__func__,
                self._build_unknown.__func__,
            )
            return
        parts, trace, made, build, build_unknown = known
        self._parts, self._trace = list(parts), list(trace)
        self._converters = {}
        for variable, name, args, kwargs in made:
            self._converters[variable] = Rule.get_converter(self, variable, name, args, kwargs)
            self.arguments.add(variable)
        self._build = build.__get__(self, None)
        self._build_unknown = build_unknown.__get__(self, None)

    def get_converter(self, variable_name, converter_name, args, kwargs):
        self._made.append((variable_name, converter_name, args, kwargs))
        return super().get_converter(variable_name, converter_name, args, kwargs)


Flask.url_rule_class = SharedBuilderRule

_catalogs: dict = {}
_load_catalog = support.Translations.load


def remembered_catalog(dirname=None, locales=None, domain=None):
    """Return a compiled catalog read once per process (Flask-Babel reads it once per app).

    Flask-Babel merges what this returns into a catalog of its own and never changes it.
    The file's time is in the key: a test that compiles a catalog again reads the new one.
    """
    names = [str(locale) for locale in (locales or [])]
    found = gettext.find(domain or "messages", dirname, names) if dirname else None
    stamp = os.stat(found).st_mtime_ns if found else None
    key = (dirname, tuple(names), domain, found, stamp)
    if key not in _catalogs:
        _catalogs[key] = _load_catalog(dirname, locales, domain)
    return _catalogs[key]


support.Translations.load = staticmethod(remembered_catalog)

_engines: dict = {}
_make_engine = db.make_engine


def shared_engine(url: str, echo: bool = False, busy_timeout: float = 30, **options):
    """Return the process's engine for these settings, made the first time only.

    An engine keeps the statements it compiled (SQLAlchemy's compiled cache is per engine):
    an app per test with an engine of its own compiled every statement of every page again.
    Apps on the same database share one; conftest closes its pooled connections after each
    test (Engine.dispose), so no connection outlives its test.
    """
    key = (url, echo, busy_timeout, tuple(sorted(options.items(), key=repr)))
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = _make_engine(url, echo, busy_timeout, **options)
    return engine


db.make_engine = shared_engine

_prepared: dict = {}
_prepare = mediastore.prepare


def remembered_prepare(data: bytes, found):
    """Return a picture's stored bytes and copies, encoded once per process per picture.

    Encoding a picture and its copies (WebP, JPEG, resized widths) costs ~0.25 s; the demo
    stores eleven, and a test loads the demo as often as it needs a full store. The result
    depends only on the bytes, the type and the widths configured. Pictures a test makes
    for itself (EXIF, damaged files, bombs) are new bytes, so they are still prepared.
    """
    key = (
        hashlib.sha256(data).digest(),
        found.mime_type,
        tuple(current_app.config["MEDIA_WIDTHS"]),
    )
    known = _prepared.get(key)
    if known is None:
        known = _prepared[key] = _prepare(data, found)
    # restore() replaces .data on what it is given: each caller gets its own copy.
    prepared = copy.copy(known)
    prepared.copies, prepared.widths = dict(known.copies), list(known.widths)
    return prepared


mediastore.prepare = remembered_prepare

PASSWORD = "a long enough password"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(config: dict | None = None) -> Flask:
    """Return an app on the tests' sites file and cheap password hash, with `config` on top.

    Its media folder is a new temporary one unless `config` names one (None: the default,
    instance/media), so that no test writes files into the project's instance folder.
    """
    media = {"MEDIA_DIR": tempfile.mkdtemp(prefix="blog-test-media-")}
    app = create_app({**TEST_CONFIG, **media, **(config or {})})
    MADE_APPS.append(app)
    return app


@functools.cache
def _children_first(tables: int) -> tuple:
    # Sorting the schema's tables costs ~4 ms and every test empties them; `tables` (how
    # many the metadata holds) sorts them again once the app's modules have added theirs.
    return tuple(reversed(Base.metadata.sorted_tables))


def empty_tables(engine) -> None:
    """Delete every row of every table, children first."""
    with engine.begin() as connection:
        for table in _children_first(len(Base.metadata.tables)):
            connection.execute(table.delete())
        search.clear(connection)


def csrf_from(response) -> str:
    """Return the CSRF token a desk page carries in its forms."""
    return CSRF_FIELD.search(response.text).group(1)


def login(client, email: str, password: str, language: str = "en"):
    """Fill in and send the desk's sign-in form; return the response."""
    token = csrf_from(client.get("/admin/login"))
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers={"Accept-Language": language},
    )


class Clock:
    """A clock that stands still until a test moves it; set as an app's CLOCK."""

    def __init__(self, start: datetime | None = None):
        self.moment = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward, e.g. advance(seconds=3), and return the new time."""
        self.moment += timedelta(**delta)
        return self.moment


class SiteClient(FlaskClient):
    """A test client whose requests carry one site's Host header unless told otherwise."""

    def __init__(self, *args, base_url: str = "http://localhost", **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)


class DeskClient(SiteClient):
    """A signed-in author's browser: knows its CSRF token and sends it with every form."""

    token = ""

    def refresh_token(self, path: str = "/admin/") -> None:
        self.token = csrf_from(self.get(path))

    def send(self, path: str, data: dict | None = None, **kwargs):
        return self.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)


class QueryCounter:
    """Count (and keep) the SQL statements an engine runs while active."""

    def __init__(self, engine):
        self.engine, self.count, self.statements = engine, 0, []

    def _count(self, _connection, _cursor, statement, *_args):
        self.count += 1
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


@contextmanager
def gunicorn(environment: dict, log: Path, target: str = "app:app"):
    """Start `gunicorn -w 1 TARGET` on a free port with `environment`; yield the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1", target],
            cwd=ROOT,
            env={**os.environ, **environment, "PYTHONPATH": str(ROOT)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited with {process.returncode}: {log.read_text()}")
                time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not listen within 30 s: {log.read_text()}")
        yield port
    finally:
        process.terminate()
        process.wait(10)


def image_bytes(
    width: int = 64, height: int = 48, fmt: str = "PNG", color=(30, 120, 90), exif=None
) -> bytes:
    """Return an image drawn by Pillow, in `fmt`, with an optional Exif block."""
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    image.paste((200, 40, 40), (0, 0, width // 2, height // 2))  # the top left is red
    options = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **options)
    return out.getvalue()


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to take messages: each DATA is appended to the server's list.

    While the server's `failing` says "connect", it greets with 421 and hangs up; while it
    says "data", it refuses each message with 451 (both transient, as a busy server does).
    """

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        if self.server.failing == "connect":
            self.reply("421 busy, try later")
            return
        self.reply("220 test")
        while True:
            line = self.rfile.readline().decode(errors="replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data.decode(errors="replace"))
                if self.server.failing == "data":
                    self.reply("451 not now")
                else:
                    self.server.messages.append("".join(lines))
                    self.reply("250 kept")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@contextmanager
def smtp_server():
    """Run a local SMTP server (SMTPHandler) on a free port; yield it (`.messages`, `.failing`)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.messages, server.failing = [], None
    # shutdown() waits for the loop to look again: every 20 ms, not the default 0.5 s.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def deliver(app):
    """Run the mail sender once, as `flask send-mail` does; return its Delivery."""
    with app.app_context():
        return sender.run_once()


_AXE = Axe()


# The dark theme changes colours only (the same markup, other custom properties): in dark,
# axe checks the rules that colours decide; every other rule is checked in light. Only
# violations are reported in full (axe's `resultTypes`): the passes are counted, not described.
EVERY_RULE = {"resultTypes": ["violations"]}
COLOUR_RULES = {
    **EVERY_RULE,
    "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
}


def axe_failures(page) -> list[tuple[str, str]]:
    """Run axe-core on the page in the light scheme (every rule) and the dark one (the colour
    rules); return (scheme, report) of each that has violations (none: []), the page left in
    the light scheme."""
    failures = []
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_AXE.axe_script)  # once per page, not once per run (~80 ms each)
    for scheme, options in (("light", EVERY_RULE), ("dark", COLOUR_RULES)):
        page.emulate_media(color_scheme=scheme)
        results = AxeResults(page.evaluate("options => axe.run(options)", options))
        if results.violations_count:
            failures.append((scheme, results.generate_report()))
    page.emulate_media(color_scheme="light")
    return failures
