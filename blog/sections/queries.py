"""What the book site's sections show: Selects of published rows, in the order pages list them.

Each page runs one statement per section it shows, whatever the number of rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .models import Chapter, PressFile, PressReview, Talk, Work


def published_talks() -> Select:
    """Return the published talks, earliest first."""
    return select(Talk).where(Talk.published).order_by(Talk.starts_at, Talk.id)


def upcoming_talks(now: datetime) -> Select:
    """Return the published talks that have not ended at `now`, earliest first."""
    return published_talks().where(func.coalesce(Talk.ends_at, Talk.starts_at) >= now)


def published_reviews() -> Select:
    """Return the published press reviews, newest first."""
    return (
        select(PressReview)
        .where(PressReview.published)
        .order_by(PressReview.published_on.desc(), PressReview.id.desc())
    )


def published_press_files() -> Select:
    """Return the published files of the press kit, in their order."""
    return select(PressFile).where(PressFile.published).order_by(PressFile.position, PressFile.id)


def published_chapters() -> Select:
    """Return the published chapters, in the book's order."""
    return select(Chapter).where(Chapter.published).order_by(Chapter.number, Chapter.id)


def published_works() -> Select:
    """Return the published works, in their order (their images come with them)."""
    return select(Work).where(Work.published).order_by(Work.position, Work.id)


def published_work(slug: str) -> Select:
    """Return the published work of a slug."""
    return published_works().where(Work.slug == slug)


def published_work_slugs() -> Select:
    """Return (slug, updated_at) of the published works: the addresses of their pages."""
    return select(Work.slug, Work.updated_at).where(Work.published).order_by(Work.position, Work.id)


def chapter_names() -> Select:
    """Return (id, number, title) of the published chapters, for the works that answer them."""
    return select(Chapter.id, Chapter.number, Chapter.title).where(Chapter.published)


def sections_state(session: Session, now: datetime) -> tuple:
    """Return what the sections' pages are made of at `now`, for a static export's stamps:
    each row's id, version time and status, and whether each talk is still upcoming."""
    talks = session.execute(
        select(Talk.id, Talk.updated_at, Talk.published, Talk.starts_at, Talk.ends_at).order_by(
            Talk.id
        )
    ).all()
    reviews = session.execute(
        select(PressReview.id, PressReview.updated_at, PressReview.published).order_by(
            PressReview.id
        )
    ).all()
    others = [
        session.execute(select(m.id, m.updated_at, m.published).order_by(m.id)).all()
        for m in (PressFile, Chapter, Work)
    ]
    return (
        [(*row[:3], (row.ends_at or row.starts_at) >= now) for row in talks],
        [tuple(row) for row in reviews],
        [[tuple(row) for row in rows] for rows in others],
    )
