"""What a WordPress import did, and what it left behind and why: the report it prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..models import Post
from .wpuploads import Uploads

TITLE_MAX = Post.__table__.c.title.type.length


@dataclass
class Report:
    """What an import did, and what it left behind and why."""

    site: str
    timezone: str
    posts: int = 0
    pages: int = 0
    terms: int = 0
    groups: int = 0
    redirects: int = 0
    already: int = 0
    skipped: list[str] = field(default_factory=list)
    authors: Counter[str] = field(default_factory=Counter)
    renamed: list[str] = field(default_factory=list)
    shortcodes: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    sticky: list[str] = field(default_factory=list)
    nested: int = 0
    formats: Counter[str] = field(default_factory=Counter)
    featured: int = 0  # featured images whose file did not come (no --uploads, or missing)
    featured_imported: int = 0
    # Items that were not public on WordPress (a password, private): drafts here, one line each.
    hidden: list[str] = field(default_factory=list)
    # Comments imported, by status; and those left behind, by kind (pingbacks…).
    comments: Counter[str] = field(default_factory=Counter)
    comments_left: Counter[str] = field(default_factory=Counter)
    local_dates: int = 0
    converted: Counter[str] = field(default_factory=Counter)
    content: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    external_uploads: set[str] = field(default_factory=set)
    uploads: Uploads | None = None

    def lines(self) -> list[str]:
        """Return the report as lines of text for the terminal."""
        lines = [
            f"Imported into {self.site}: {self.posts} posts, {self.pages} pages, {self.terms} "
            f"terms, {self.groups} translation groups and {self.redirects} redirects created; "
            f"{self.already} items were already imported."
        ]
        if self.nested:
            lines.append(f"{self.nested} pages placed under their parent page.")
        if self.authors:
            lines.append("Authors (named in each post's first revision; posts have no author):")
            lines += [f"  {name}: {n}" for name, n in sorted(self.authors.items())]
        skipped = list(self.skipped)
        comments = sum(self.comments.values())
        if comments:
            detail = ", ".join(f"{n} {state}" for state, n in sorted(self.comments.items()))
            lines.append(f"{comments} comments imported ({detail}).")
        for what, n in sorted(self.comments_left.items()):
            skipped.append(f"{n} {what}: not imported")
        if self.formats:
            detail = ", ".join(f"{name}: {n}" for name, n in sorted(self.formats.items()))
            skipped.append(
                f"{sum(self.formats.values())} post formats ({detail}): not imported, the "
                "posts are ordinary posts here"
            )
        if self.featured_imported:
            lines.append(f"{self.featured_imported} featured images set from the library.")
        if self.featured:
            skipped.append(
                f"{self.featured} featured images (_thumbnail_id): not imported (their files "
                "did not come: import with --uploads DIR); the image files are listed under "
                "Attachments"
            )
        if self.converted:
            lines.append(
                "Converted from WordPress's syntax: "
                + ", ".join(f"{n} {what}" for what, n in sorted(self.converted.items()))
            )
        sections = [
            ("Skipped", skipped),
            ("Not public on WordPress, so not public here", self.hidden),
            ("Shortcodes left in the text (they mean nothing here: edit these)", self.shortcodes),
            ("Content", self.content),
            (f"Titles cut to {TITLE_MAX} characters", self.titles),
            *self._upload_sections(),
            (
                "Attachments (their files stay at these addresses unless a text links them and "
                "--uploads brought them)"
                if self.uploads is not None
                else "Attachments (not downloaded: their files stay at these addresses)",
                self.attachments,
            ),
            (
                "Pinned (sticky on WordPress: listed first on the home page)",
                self.sticky,
            ),
            ("Slugs changed", self.renamed),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title}:")
                lines += [f"  {item}" for item in items]
        lines += self._upload_line()
        if self.local_dates:
            lines.append(
                f"{self.local_dates} dates had no UTC counterpart in the export and were read "
                f"in {self.timezone}."
            )
        return lines

    def _upload_sections(self) -> list[tuple[str, list[str]]]:
        uploads = self.uploads
        if uploads is None:
            return []
        return [
            ("Not found in the uploads folder (linked at their old address)", uploads.missing),
            ("Refused (a path out of the uploads folder; left as they are)", uploads.refused),
        ]

    def _upload_line(self) -> list[str]:
        if self.uploads is not None:
            n, library = len(self.uploads.copied), len(set(self.uploads.library.values()))
            return [
                f"{n} files copied from the uploads folder into the media store "
                f"({library} of them into the media library)."
            ]
        if self.external_uploads:
            n = len(self.external_uploads)
            return [
                f"{n} files of the WordPress uploads folder are linked at their old address "
                "(import with --uploads DIR to bring them here)."
            ]
        return []
