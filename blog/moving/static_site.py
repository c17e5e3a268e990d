"""Export both sites as static files, one folder per domain, each page as the app serves it.

Every file is the body of a request to the app itself (a test client with the site's Host),
so an exported page is byte-identical to the live one: there is no second renderer to drift.
A manifest beside the folders records each file's digest and stamp (static_plan.py), so a
second run renders only pages whose rows changed, writes only files whose bytes changed and
removes the files of addresses that are gone.
"""

from __future__ import annotations

import contextvars
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from flask import Flask
from werkzeug.test import EnvironBuilder

from .. import clock, workers
from ..pagecache import STATIC_EXPORT
from . import static_servers
from .static_plan import Stamps, Target, file_name, file_targets, host_folder, site_targets

MANIFEST = ".static-export.json"
MANIFEST_VERSION = 1


class ExportError(Exception):
    """A folder the export cannot write to, or a manifest it cannot read."""


@dataclass
class Plan:
    """What one export writes: every address of every site, at one instant."""

    now: datetime
    targets: list[Target]


@dataclass
class Report:
    written: int = 0
    removed: int = 0
    kept: int = 0
    rendered: int = 0
    # Addresses the store listed but the app did not answer with 200 (never expected).
    failed: list[tuple[str, int]] = field(default_factory=list)


def plan(app: Flask) -> Plan:
    """Return every address of every site at one instant, the store read in one session."""
    with app.app_context():
        now = clock.now()
        # A read-only session: an export must not hold SQLite's write lock while it reads.
        with app.extensions["db"]["sessionmaker"]() as session:
            session.info["writes"] = False
            stamps = Stamps(session, now)
            targets = []
            for site in app.extensions["sites"]:
                targets.extend(site_targets(session, site, now, stamps))
                targets.extend(file_targets(site, app.static_folder))
    return Plan(now, targets)


def export(
    app: Flask,
    plan: Plan,
    directory: Path,
    step: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> Report:
    """Write `plan` into `directory`; call `step(1)` after each address.

    Pages are rendered by `processes` worker processes (default: one per core; 1 renders in
    this process), forked once the plan is made; the files and the manifest are the same.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{directory}: {error.strerror}") from None
    old = _read_manifest(directory)
    # Each request pushes its own app context (and store session) only when none is active:
    # a fresh context keeps the command's own out of the pages.
    return contextvars.Context().run(_export, app, plan, directory, old, step, processes)


@dataclass
class _Job:
    """The pages one export renders, inherited by its worker processes through the fork."""

    app: Flask
    directory: Path
    # (address, file name, the manifest's entry for it or None)
    work: list[tuple[Target, str, dict | None]]


# Set while an export renders: a worker is given indices into it, not addresses to pickle.
_job: _Job | None = None


def _export(app: Flask, plan: Plan, directory: Path, old: dict, step, processes) -> Report:
    global _job
    report, files, work = Report(), {}, []
    # Per address, only strings: a path object per file costs more than the stat (45,000
    # addresses at 10,000 posts, all looked at by a run that rewrites a few).
    folders = {site.key: host_folder(site) for site in app.extensions["sites"]}
    root = str(directory)
    for target in plan.targets:
        name = f"{folders[target.site.key]}/{file_name(target.path, target.query)}"
        known = old.get(name)
        if _unchanged(target, f"{root}/{name}", known):
            files[name] = known
            report.kept += 1
            if step is not None:
                step(1)
        else:
            work.append((target, name, known))
    pinned, cache = app.config.get("CLOCK"), app.extensions.get("page_cache")
    # Every page sees the plan's instant, so that a post coming due meanwhile cannot make
    # the pages disagree with the list of addresses.
    app.config["CLOCK"] = lambda: plan.now
    # Each page is rendered once: a response cache would only hold them all (memory, Redis).
    app.extensions["page_cache"] = None
    # No pooled connection crosses the fork: each worker opens its own.
    app.extensions["db"]["engine"].dispose()
    _job = _Job(app, directory, work)
    try:
        rendered = workers.map_in_order(
            _render_chunk, range(len(work)), processes=processes, initializer=_own_connections
        )
        for (target, name, _known), (entry, status, wrote) in zip(work, rendered, strict=True):
            report.rendered += 1
            if entry is None:
                report.failed.append((f"{target.site.url}{target.url}", status))
            else:
                files[name] = entry
                report.written += wrote
                report.kept += not wrote
            if step is not None:
                step(1)
    finally:
        _job = None
        app.config["CLOCK"] = pinned
        app.extensions["page_cache"] = cache
    for name in sorted(set(old) - set(files)):
        path = directory / name
        if path.is_file():
            path.unlink()
            _prune(path.parent, directory)
        report.removed += 1
    _write_manifest(directory, files)
    static_servers.write(directory, app, files)
    return report


def _unchanged(target: Target, path: str, known: dict | None) -> bool:
    """Tell whether the file of an address is present and its stamp the recorded one."""
    if known is None or target.stamp is None or known.get("stamp") != target.stamp:
        return False
    return _size(path) == known["size"]


def _own_connections() -> None:
    # The pool was emptied before the fork; close=False so that nothing inherited is touched.
    _job.app.extensions["db"]["engine"].dispose(close=False)


def _render_chunk(indices: list[int]) -> list[tuple[dict | None, int, bool]]:
    """Render and write the pages at `indices` of the job: (entry, status, written) each."""
    return contextvars.Context().run(_render_many, indices)


def _render_many(indices: list[int]) -> list[tuple[dict | None, int, bool]]:
    bases = {site.key: base_environ(site.url) for site in _job.app.extensions["sites"]}
    return [
        _render_one(bases[_job.work[index][0].site.key], *_job.work[index]) for index in indices
    ]


def base_environ(site_url: str) -> dict:
    """Return the WSGI environ of a GET of the site's root, as a test client would send it."""
    builder = EnvironBuilder(
        "/", base_url=site_url, environ_base={STATIC_EXPORT: True, "REMOTE_ADDR": "127.0.0.1"}
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def request(app: Flask, base: dict, target: Target) -> tuple[int, str, bytes]:
    """Ask the app for one address: (status, content type, body).

    The app is called as a server calls it, with the site's environ (`base`: base_environ)
    and the address's path: the request a test client sends, without building one per file.
    """
    environ = dict(base)
    # WSGI's strings: the percent-decoded path's UTF-8 bytes, each as one character.
    environ["PATH_INFO"] = unquote(target.path).encode().decode("latin-1")
    environ["QUERY_STRING"] = target.query
    environ["REQUEST_URI"] = environ["RAW_URI"] = target.url.encode().decode("latin-1")
    environ["wsgi.input"] = io.BytesIO()
    answer = []

    def start_response(status, headers, exc_info=None):
        answer[:] = [int(status.split(" ", 1)[0]), dict(headers).get("Content-Type", "")]
        return lambda data: None

    body_parts = app(environ, start_response)
    try:
        body = b"".join(body_parts)
    finally:
        if hasattr(body_parts, "close"):
            body_parts.close()
    return answer[0], answer[1], body


def _render_one(base: dict, target: Target, name: str, known: dict | None):
    """Render one address; write its file unless the bytes there are already these."""
    status, content_type, body = request(_job.app, base, target)
    if status != 200:
        return None, status, False
    path = _job.directory / name
    digest = hashlib.sha256(body).hexdigest()
    entry = {"sha256": digest, "size": len(body), "type": content_type, "stamp": target.stamp}
    if known is not None and known["sha256"] == digest and _size(path) == len(body):
        return entry, status, False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(body)
    os.replace(partial, path)
    return entry, status, True


def _size(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _prune(folder: Path, root: Path) -> None:
    """Remove the folders a removed file leaves empty, up to the export's root."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ExportError(f"{path}: not a manifest of this exporter ({error}).") from None
    if document.get("version") != MANIFEST_VERSION:
        return {}
    return document["files"]


def _write_manifest(directory: Path, files: dict) -> None:
    document = {
        "version": MANIFEST_VERSION,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    partial = directory / f"{MANIFEST}.partial"
    # Without indent, so that json's C encoder writes it (tens of thousands of entries).
    partial.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
    os.replace(partial, directory / MANIFEST)
