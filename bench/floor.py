"""The framework floor: a minimal Flask app answering the engine's bytes from a dict.

    BENCH_FLOOR_DIR=run/floor gunicorn -w 2 bench.floor:app

The directory holds pages.json, a list of {"host", "path", "file", "content_type"}, and
the files it names (written by bench/harness.py from the engine's own responses).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, abort, request


def load(folder: Path) -> dict[tuple[str, str], tuple[bytes, str]]:
    """Return the pages of `folder` by (host, path)."""
    pages = json.loads((folder / "pages.json").read_text())
    return {
        (p["host"], p["path"]): ((folder / p["file"]).read_bytes(), p["content_type"])
        for p in pages
    }


PAGES = load(Path(os.environ.get("BENCH_FLOOR_DIR", ".")))
app = Flask(__name__)


@app.route("/", defaults={"_path": ""})
@app.route("/<path:_path>")
def page(_path: str) -> Response:
    found = PAGES.get((request.host.split(":")[0], request.path))
    if found is None:
        abort(404)
    return Response(found[0], content_type=found[1])
