"""`flask translate …`: extract, update and compile the interface catalogs (pybabel)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def translate() -> None:
    """Extract, update and compile the interface catalogs in translations/."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


def _paths() -> tuple[Path, Path, Path]:
    root = Path(current_app.config["TRANSLATIONS_DIR"])
    return root, root.parent / "babel.cfg", root / "messages.pot"


@translate.command("extract")
def translate_extract() -> None:
    """Collect every marked string of the code and templates into messages.pot."""
    root, cfg, pot = _paths()
    _pybabel("extract", "-F", str(cfg), "-k", "_l", "--no-location", "--sort-output",
             "-o", str(pot), str(root.parent))  # fmt: skip


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge new strings into every language's catalog."""
    translate_extract.callback()
    root, _cfg, pot = _paths()
    _pybabel("update", "-i", str(pot), "-d", str(root), "--no-fuzzy-matching")


@translate.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start the catalog of a new LANGUAGE (then translate it and compile)."""
    translate_extract.callback()
    root, _cfg, pot = _paths()
    _pybabel("init", "-i", str(pot), "-d", str(root), "-l", language)


@translate.command("compile")
def translate_compile() -> None:
    """Compile every catalog so the app can use it."""
    root, _cfg, _pot = _paths()
    _pybabel("compile", "-d", str(root), "--statistics")
