"""Serve the app on a free local port with its own database, for browsers to drive.

Used by the browser tests and by `python -m tools.screenshots`. Every site's
configured origin is rewritten to that port, so absolute links work.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from blog import create_app
from blog.config import DEFAULTS
from blog.demo import load_demo
from blog.schema import upgrade

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, headless, with *.localhost sent here and no calls to the outside world.
CHROMIUM_ARGS = [
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ClosingHandler(WSGIRequestHandler):
    """Close every response, even one the browser reset the connection on.

    A browser leaving a page can reset the connection right after a picture was sent:
    Werkzeug's development server then fails while it drains the socket, before it closes
    the response, and the picture's open file is only found by the garbage collector (a
    ResourceWarning, an error in the tests). The app's `wsgi` below records each response.
    """

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            response = getattr(self, "environ", {}).pop("livesite.response", None)
            if response is not None and hasattr(response, "close"):
                response.close()  # closing twice is harmless: files and Werkzeug's iterators


@dataclass
class LiveSite:
    app: Flask
    port: int

    def url(self, site: str, path: str = "/") -> str:
        """Return the absolute URL of `path` on a site, e.g. url("blog", "/fr/")."""
        return self.app.extensions["sites"][site].url + path


@contextmanager
def serve(
    workdir: Path, demo: bool = False, sites_file: str | Path = DEFAULTS["SITES_FILE"]
) -> Iterator[LiveSite]:
    """Serve a fresh app (a SQLite file in `workdir`) in a thread until the block ends."""
    app: Flask | None = None

    def wsgi(environ, start_response):  # the app needs the port first, for its sites file
        response = environ["livesite.response"] = app(environ, start_response)
        return response

    server = make_server("127.0.0.1", 0, wsgi, threaded=True, request_handler=ClosingHandler)
    try:
        port = server.server_port
        sites = Path(sites_file).read_text(encoding="utf-8")
        sites = re.sub(r'^(url\s*=\s*"https?://[^":/]+)(:\d+)?"', rf'\1:{port}"', sites, flags=re.M)
        sites_file = workdir / "sites.toml"
        sites_file.write_text(sites, encoding="utf-8")
        database = f"sqlite:///{workdir / 'blog.sqlite3'}"
        # Its own media folder: the demo writes its files there, not in the project's instance/.
        app = create_app(
            {"DATABASE_URL": database, "SITES_FILE": str(sites_file),
             "MEDIA_DIR": str(workdir / "media")}
        )  # fmt: skip
        with app.app_context():
            upgrade()
            if demo:
                with app.extensions["db"]["sessionmaker"]() as session:
                    load_demo(session)
        thread = threading.Thread(target=server.serve_forever, name="live-site", daemon=True)
        thread.start()
        try:
            yield LiveSite(app, port)
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        server.server_close()
        if app is not None:
            app.extensions["db"]["engine"].dispose()
