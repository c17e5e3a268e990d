"""A post's comments as an Atom feed, built apart from HTTP (like feeds.py)."""

from __future__ import annotations

from datetime import datetime

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from ..feeds import absolute_links, plain
from .queries import Shown


def atom(
    post_title: str,
    post_url: str,
    feed_url: str,
    language: str,
    comments: list[Shown],
    published: datetime,
) -> bytes:
    """Return the Atom feed of a post's latest comments (newest first)."""
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(plain(_("Comments on %(title)s", title=post_title)))
    fg.language(language)
    fg.link(href=feed_url, rel="self")
    fg.link(href=post_url, rel="alternate")
    fg.generator("blog")
    fg.updated(comments[0].created_at if comments else published)
    for comment in comments:
        entry = fg.add_entry(order="append")
        url = f"{post_url}#comment-{comment.id}"
        entry.id(url)
        entry.title(plain(_("%(name)s on %(title)s", name=comment.name, title=post_title)))
        entry.link(href=url, rel="alternate")
        entry.published(comment.created_at)
        entry.updated(comment.created_at)
        entry.author({"name": comment.name})
        entry.content(absolute_links(comment.html, post_url), type="html")
    return fg.atom_str(pretty=True)
