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
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from .. import clock
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
    app: Flask, plan: Plan, directory: Path, step: Callable[[int], None] | None = None
) -> Report:
    """Write `plan` into `directory`; call `step(1)` after each address."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{directory}: {error.strerror}") from None
    old = _read_manifest(directory)
    # Each request pushes its own app context (and store session) only when none is active:
    # a fresh context keeps the command's own out of the pages.
    return contextvars.Context().run(_export, app, plan, directory, old, step)


def _export(app: Flask, plan: Plan, directory: Path, old: dict, step) -> Report:
    report, files = Report(), {}
    client = app.test_client(use_cookies=False)
    pinned = app.config.get("CLOCK")
    # Every page sees the plan's instant, so that a post coming due meanwhile cannot make
    # the pages disagree with the list of addresses.
    app.config["CLOCK"] = lambda: plan.now
    try:
        for target in plan.targets:
            name = f"{host_folder(target.site)}/{file_name(target.path, target.query)}"
            entry = _export_one(client, target, directory / name, old.get(name), report)
            if entry is not None:
                files[name] = entry
            if step is not None:
                step(1)
    finally:
        app.config["CLOCK"] = pinned
    for name in sorted(set(old) - set(files)):
        path = directory / name
        if path.is_file():
            path.unlink()
            _prune(path.parent, directory)
        report.removed += 1
    _write_manifest(directory, files)
    static_servers.write(directory, app, files)
    return report


def _export_one(client, target: Target, path: Path, known: dict | None, report: Report):
    """Render one address unless its stamp is unchanged; write it unless its bytes are."""
    present = known is not None and _size(path) == known["size"]
    if present and target.stamp is not None and known.get("stamp") == target.stamp:
        report.kept += 1
        return known
    response = client.get(target.path, query_string=target.query, base_url=target.site.url)
    try:
        body = response.get_data()
        status, content_type = response.status_code, response.content_type
    finally:
        response.close()
    report.rendered += 1
    if status != 200:
        report.failed.append((f"{target.site.url}{target.url}", status))
        return None
    digest = hashlib.sha256(body).hexdigest()
    entry = {"sha256": digest, "size": len(body), "type": content_type, "stamp": target.stamp}
    if present and known["sha256"] == digest:
        report.kept += 1
        return entry
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(body)
    os.replace(partial, path)
    report.written += 1
    return entry


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
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
    partial.write_text(json.dumps(document, indent=0, sort_keys=True), encoding="utf-8")
    os.replace(partial, directory / MANIFEST)
