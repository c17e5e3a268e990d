"""The book site's sections: talks (and their iCalendar feed), press reviews, press kit
(and its archive), chapter slides, works inspired by the book (a gallery, a page per work).

Only on sites of kind "book" (a 404 elsewhere); only published rows. The talks page and
feed change as time passes, with no write to the store, so the page cache leaves them out
(caching.UNCACHED_ENDPOINTS).
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_babel import format_date, format_time

from .. import db, seo
from ..readerforms.service import signup_forms_of
from ..sections import calendar, files, works
from ..sections import queries as section_queries
from ..sections.pages import pages_of
from ..sites import Reading, Site
from ..urls import site_path, site_url
from . import bp, now, route
from .pages import render

ICS_MIMETYPE = "text/calendar"


def section_links(site: Site, language: str) -> list[tuple[str, str]]:
    """Return the (name, path) of each section page a site's menu links to."""
    return [(str(page.label), site_path(site, page.endpoint, language)) for page in pages_of(site)]


bp.add_app_template_global(section_links)


def _book_site(reading: Reading) -> Site:
    if reading.site.kind != "book":
        abort(404)
    return reading.site


def _when(talk) -> dict:
    """Return a talk's start and end in the site's time zone, as the page shows them."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    starts = talk.starts_at.astimezone(zone)
    ends = talk.ends_at.astimezone(zone) if talk.ends_at else None
    return {
        "talk": talk,
        "year": starts.year,
        "day": format_date(starts, "full", rebase=False),
        "starts": format_time(starts, "short", rebase=False),
        "ends": format_time(ends, "short", rebase=False) if ends else "",
        "ends_day": format_date(ends, "full", rebase=False)
        if ends and ends.date() != starts.date()
        else "",
    }


@route("/rencontres/")
def talks(reading: Reading):
    site = _book_site(reading)
    moment = now()
    found = list(db.session().scalars(section_queries.published_talks()))
    upcoming = [_when(t) for t in found if t.is_upcoming(moment)]
    past_by_year = defaultdict(list)
    for entry in reversed([_when(t) for t in found if not t.is_upcoming(moment)]):
        past_by_year[entry["year"]].append(entry)
    page_url = site_url(site, "public.talks", reading.language)
    return render(
        reading,
        "public/talks.html",
        signups=signup_paths(site, reading.language, [t.id for t in found], moment),
        upcoming=upcoming,
        past_by_year=sorted(past_by_year.items(), reverse=True),
        calendar_url=site_path(site, "public.talks_calendar", reading.language),
        structured=[calendar.event(site, e["talk"], page_url) for e in upcoming],
    )


def signup_paths(site: Site, language: str, talk_ids: list[int], moment) -> dict[int, str]:
    """Return the path of the open sign-up form of each talk that has one."""
    if not talk_ids:
        return {}
    found = db.session().scalars(signup_forms_of(site.key, talk_ids))
    return {
        form.talk_id: site_path(site, "public.signup", language, slug=form.slug)
        for form in found
        if form.accepts(moment)
    }


@route("/rencontres.ics")
def talks_calendar(reading: Reading):
    site = _book_site(reading)
    talks = db.session().scalars(section_queries.upcoming_talks(now()))
    page_url = site_url(site, "public.talks", reading.language)
    body = calendar.calendar(site, talks, page_url)
    response = current_app.response_class(body, mimetype=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = 'inline; filename="rencontres.ics"'
    return response


@route("/revue-de-presse/")
def press_reviews(reading: Reading):
    site = _book_site(reading)
    reviews = list(db.session().scalars(section_queries.published_reviews()))
    return render(
        reading,
        "public/press_reviews.html",
        reviews=reviews,
        structured=[calendar.review(site, item) for item in reviews],
    )


def _with_files(rows, attribute: str) -> list[tuple]:
    """Return (row, its file) for each row, leaving out rows whose file is missing."""
    found = []
    for row in rows:
        name = getattr(row, attribute)
        info = files.find(name) if name else None
        found.append((row, info))
    return found


@route("/espace-presse/")
def press_kit(reading: Reading):
    _book_site(reading)
    entries = [
        (row, info)
        for row, info in _with_files(
            db.session().scalars(section_queries.published_press_files()), "file"
        )
        if info is not None
    ]
    return render(
        reading,
        "public/press_kit.html",
        entries=entries,
        size_label=files.size_label,
        archive_url=site_path(reading.site, "public.press_kit_archive", reading.language),
        archive_size=sum(info.size for _row, info in entries),
    )


@route("/espace-presse/dossier-de-presse.zip")
def press_kit_archive(reading: Reading):
    _book_site(reading)
    found = [
        files.find(row.file)
        for row in db.session().scalars(section_queries.published_press_files())
    ]
    body = files.archive([info for info in found if info is not None])
    response = current_app.response_class(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="dossier-de-presse.zip"'
    return response


@route("/chapitres/")
def chapters(reading: Reading):
    _book_site(reading)
    entries = _with_files(db.session().scalars(section_queries.published_chapters()), "slides")
    return render(reading, "public/chapters.html", entries=entries, size_label=files.size_label)


def _work_entries(site: Site, language: str, found) -> list[dict]:
    """Return what the gallery and a work's page show of each work: plain values, with the
    chapter it answers (when published) read in one statement for them all."""
    chapters = {row.id: row for row in db.session().execute(section_queries.chapter_names())}
    chapters_path = site_path(site, "public.chapters", language)
    shown = []
    for work in found:
        chapter = chapters.get(work.chapter_id)
        shown.append(
            {
                "work": work,
                "images": list(work.images),
                "path": site_path(site, "public.work", language, slug=work.slug),
                "url": site_url(site, "public.work", language, slug=work.slug),
                "chapter": chapter,
                "chapter_path": f"{chapters_path}#chapitre-{chapter.number}" if chapter else "",
                "player": works.player(work.media),
                "media": files.find(work.media) if work.media else None,
            }
        )
    return shown


def _chapter_name(entry: dict) -> str:
    chapter = entry["chapter"]
    return f"{chapter.number}. {chapter.title}" if chapter else ""


@route("/liaisons-artistiques/")
def works_gallery(reading: Reading):
    site = _book_site(reading)
    entries = _work_entries(
        site, reading.language, db.session().scalars(section_queries.published_works())
    )
    return render(
        reading,
        "public/works.html",
        entries=entries,
        structured=[
            works.creative_work(site, e["work"], e["url"], _chapter_name(e)) for e in entries
        ],
    )


@route("/liaisons-artistiques/<slug>/")
def work(reading: Reading, slug: str):
    site = _book_site(reading)
    found = db.session().scalars(section_queries.published_work(slug)).first()
    if found is None:
        abort(404)
    (entry,) = _work_entries(site, reading.language, [found])
    return render(
        reading,
        "public/work.html",
        entry=entry,
        social=works.social_tags(
            seo.social_tags(site, reading.language, entry["url"]), site, found
        ),
        gallery_path=site_path(site, "public.works_gallery", reading.language),
        structured=[works.creative_work(site, found, entry["url"], _chapter_name(entry))],
    )
