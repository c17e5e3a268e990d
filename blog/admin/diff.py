"""Readable differences between two versions of a post, for the desk's templates."""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass

# The fields the desk compares (a conflict, two revisions), in the order it shows them.
FIELDS = ("title", "slug", "language", "summary", "source", "status", "published_at")


class Change(enum.StrEnum):
    """What happened to a line or a run of words (also its CSS class on the compare page)."""

    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class Line:
    kind: Change
    old: list[tuple[Change, str]]  # (kind, text) segments: SAME or REMOVED
    new: list[tuple[Change, str]]  # (kind, text) segments: SAME or ADDED


@dataclass
class FieldDiff:
    name: str
    lines: list[Line]

    @property
    def changed(self) -> bool:
        return any(line.kind != Change.SAME for line in self.lines)


def _words(old: str, new: str) -> tuple[list, list]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append((Change.SAME, "".join(a[i1:i2])))
            right.append((Change.SAME, "".join(b[j1:j2])))
        else:
            if i2 > i1:
                left.append((Change.REMOVED, "".join(a[i1:i2])))
            if j2 > j1:
                right.append((Change.ADDED, "".join(b[j1:j2])))
    return left, right


def diff_text(old: str, new: str) -> list[Line]:
    """Return the lines of `old` → `new`, with changed lines marked word by word."""
    a, b = old.splitlines(), new.splitlines()
    lines = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [Line(Change.SAME, [(Change.SAME, t)], [(Change.SAME, t)]) for t in a[i1:i2]]
            continue
        removed, added = a[i1:i2], b[j1:j2]
        if op == "replace":
            for old_line, new_line in zip(removed, added, strict=False):
                lines.append(Line(Change.CHANGED, *_words(old_line, new_line)))
            removed, added = removed[len(added) :], added[len(removed) :]
        lines += [Line(Change.REMOVED, [(Change.REMOVED, t)], []) for t in removed]
        lines += [Line(Change.ADDED, [], [(Change.ADDED, t)]) for t in added]
    return lines


def diff_fields(
    old: dict[str, str], new: dict[str, str], names: tuple[str, ...] = FIELDS
) -> list[FieldDiff]:
    """Return a FieldDiff per field name, in order; unchanged fields are kept (not changed)."""
    return [FieldDiff(name, diff_text(old.get(name, ""), new.get(name, ""))) for name in names]
