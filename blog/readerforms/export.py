"""What readers sent, as CSV for a spreadsheet: UTF-8 (with a BOM, for Excel), every cell
quoted, and no cell a spreadsheet would take for a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection);
# tab and carriage return start one too once the cell is trimmed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Return a value as a CSV cell a spreadsheet shows as text (a formula gets a ' first)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Return the rows under their header as CSV bytes (UTF-8 with a BOM, CRLF lines)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
