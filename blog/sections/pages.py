"""Which pages the book site's sections add, in the order its menu lists them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..sites import Site
from .queries import published_work_slugs


@dataclass(frozen=True)
class SectionPage:
    """A page of a section: its endpoint and its name in the menu."""

    endpoint: str
    label: object  # a lazy string, translated in the page's language


PAGES = (
    SectionPage("public.talks", _l("Talks")),
    SectionPage("public.press_reviews", _l("Press reviews")),
    SectionPage("public.press_kit", _l("Press kit")),
    SectionPage("public.chapters", _l("Chapter slides")),
    SectionPage("public.works_gallery", _l("Artistic liaisons")),
)

# The files a section page links to, exported beside it (the talks' iCalendar feed).
FILES = {
    "public.talks": ("public.talks_calendar",),
    "public.press_kit": ("public.press_kit_archive",),
}

# The pages of the entries a section page lists: (their endpoint, a Select of (slug,
# updated_at)), for the sitemap and the static export.
ENTRY_PAGES = {"public.works_gallery": ("public.work", published_work_slugs)}


def pages_of(site: Site) -> tuple[SectionPage, ...]:
    """Return the section pages a site shows: all of them on a book site, none elsewhere."""
    return PAGES if site.kind == "book" else ()
