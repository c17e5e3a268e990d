"""The demo content: original posts for both sites, loaded through the store's own rules.

Its pictures and documents are drawn by pictures.py and go into the media library under their
own names (mediastore.restore), with their sizes and copies, as an upload's would; its video
link gets a drawn poster, kept as a fetched one would be (posters.keep).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import posters
from ..config import media_dir
from ..mediastore import restore
from ..models import Kind, Media, Post, PublicationKind, Revision, Status, Term, utcnow
from ..queries import term_by_slug
from ..readerforms.models import SignupForm
from ..sections.models import Chapter, PressFile, PressReview, Talk, Work
from .files import image_size, write_demo_files
from .pictures import DRAWINGS

CONTENT_FILE = Path(__file__).with_name("content.toml")


def load_demo(session: Session, path: Path = CONTENT_FILE) -> dict[str, int]:
    """Add the demo terms and posts that are not in the store yet; return what was done."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    terms = {}
    for item in data.get("terms", []):
        term = session.scalar(term_by_slug(item["kind"], item["slug"]))
        if term is None:
            term = Term(kind=item["kind"], slug=item["slug"])
            session.add(term)
        for language, name in item["names"].items():
            term.set_name(language, name)
        terms[item["slug"]] = term

    library = _load_media(session, data.get("media", []))
    _draw_posters(data.get("posts", []))
    report = {"created": 0, "existing": 0, "sections": 0}
    posts: dict[str, Post] = {}
    # Originals first, so that translations can join their group.
    for item in sorted(data.get("posts", []), key=lambda i: "translation_of" in i):
        post = session.scalar(
            select(Post).where(Post.language == item["language"], Post.slug == item["slug"])
        )
        if post is not None:
            report["existing"] += 1
        else:
            post = _new_post(item, terms, posts, session)
            if "featured" in item:
                post.featured_media_id = library[item["featured"]].id
            session.add(post)
            session.add(Revision.of(post, note="demo"))
            report["created"] += 1
        posts[item["key"]] = post
    for item in data.get("announcements", []):
        announcement = session.scalar(
            select(Post).where(Post.language == item["language"], Post.slug == item["slug"])
        )
        if announcement is not None:
            report["existing"] += 1
            continue
        announcement = Post(
            kind=Kind.ANNOUNCEMENT,
            announces=posts[item["of"]],
            language=item["language"],
            title=item["title"],
            slug=item["slug"],
            status=Status.PUBLISHED,
            created_at=posts[item["of"]].created_at,
        )
        announcement.set_source(item["body"].strip())
        session.add(announcement)
        announcement.publish_on(item["site"], PublicationKind.HOME)
        session.add(Revision.of(announcement, note="demo"))
        report["created"] += 1
    _load_sections(session, data, report)
    session.commit()
    return report


def _load_media(session: Session, items: list[dict]) -> dict[str, Media]:
    """Upload the demo's files that the library does not have yet; return them all by name."""
    library = {}
    for item in items:
        media = session.scalar(select(Media).where(Media.name == item["file"]))
        if media is None:
            # Under its own name, even where a file of that name was left in the folder: the
            # posts link to it by that name.
            media = restore(session, DRAWINGS[item["draw"]](), item["file"], utcnow())
        for language in sorted(set(item.get("alt", {})) | set(item.get("caption", {}))):
            media.set_text(
                language,
                item.get("alt", {}).get(language, ""),
                item.get("caption", {}).get(language, ""),
            )
        library[media.name] = media
    session.flush()
    return library


def _draw_posters(items: list[dict]) -> None:
    """Give the demo's embeds a poster drawn here: the demo asks nothing of the providers
    (a saved post's poster is the provider's own, fetched then: see posters.py)."""
    for item in items:
        for video in posters.videos_in(item["body"]):
            if not posters.stored(video.url):
                posters.keep(video, DRAWINGS["video-poster"]())


def _load_sections(session: Session, data: dict, report: dict[str, int]) -> None:
    """Add the book site's talks, press reviews, press kit and chapters that are not there yet
    (all published), the files they name, and the sign-up forms (linked to their talk)."""
    write_demo_files(media_dir())
    for model, items, key in (
        (Talk, data.get("talks", []), ("title", "starts_at")),
        (PressReview, data.get("press_reviews", []), ("outlet", "published_on")),
        (PressFile, data.get("press_files", []), ("title",)),
        (Chapter, data.get("chapters", []), ("number",)),
    ):
        for item in items:
            found = session.scalar(
                select(model).where(*(getattr(model, name) == item[name] for name in key))
            )
            if found is None:
                session.add(model(**item, published=True))
                report["sections"] += 1
    session.flush()
    for item in data.get("works", []):
        if session.scalar(select(Work.id).where(Work.slug == item["slug"])) is None:
            session.add(_new_work(session, dict(item)))
            report["sections"] += 1
    for item in data.get("signup_forms", []):
        if session.scalar(select(SignupForm.id).where(SignupForm.slug == item["slug"])) is None:
            item = dict(item)
            talk, description = item.pop("talk", None), item.pop("description", "")
            signup = SignupForm(**item)
            signup.talk_id = session.scalar(select(Talk.id).where(Talk.title == talk))
            signup.set_description(description.strip(), "fr")
            session.add(signup)
            report["sections"] += 1


def _new_work(session: Session, item: dict) -> Work:
    """Return a published work of the demo, its text rendered and its images measured."""
    number, images, source = item.pop("chapter"), item.pop("images"), item.pop("source")
    work = Work(**item, published=True)
    work.chapter_id = session.scalar(select(Chapter.id).where(Chapter.number == number))
    work.set_source(source.strip())
    work.set_images(
        [
            (image["file"], image["alt"], *image_size(media_dir() / image["file"]))
            for image in images
        ]
    )
    return work


def _new_post(item: dict, terms: dict[str, Term], posts: dict[str, Post], session: Session) -> Post:
    post = Post(
        kind=item.get("kind", "post"),
        language=item["language"],
        title=item["title"],
        slug=item["slug"],
        summary=item.get("summary", ""),
        status=Status.PUBLISHED,
        published_at=item["published"],
        created_at=item["published"],
        updated_at=item.get("updated", item["published"]),
        menu_order=item.get("menu_order"),
    )
    post.set_source(item["body"], session=session)
    if "translation_of" in item:
        post.translation_key = posts[item["translation_of"]].translation_key
    post.set_sites([item["home"], *item.get("also", [])])
    post.terms = [terms[slug] for slug in item.get("categories", []) + item.get("tags", [])]
    return post
