"""Commands on the store's content: the demo, authors' accounts, announcements."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from .. import accounts, clock, db, fields, people, posters, search
from ..announcements import check, create_announcement, prefill
from ..demo import load_demo
from ..mediahtml import peertube_hosts
from ..models import Post, Status, User
from ..operations import store_command
from ..rendering import RenderError
from ..rules import ContentRuleError
from ..schema import upgrade
from ..sections.models import Work
from ..sites import registry
from ..urls import site_url


@click.command()
@with_appcontext
def demo() -> None:
    """Bring the database up to date and load the demo content (run twice: no duplicates)."""
    upgrade()
    report = load_demo(db.session())
    click.echo(
        f"Demo content: {report['created']} posts created, {report['existing']} already there; "
        f"{report['sections']} entries of the book site's sections created."
    )
    for site in registry():
        click.echo(f"  {site.key}: {site.url}/")


@click.command("create-user")
@click.argument("email")
@click.option("--name", default="", help="The name shown in the desk.")
@click.option("--language", default="fr", show_default=True, help="Language of the desk.")
@click.password_option(help="Asked on the terminal when not given.")
@with_appcontext
@store_command
def create_user(email: str, name: str, language: str, password: str) -> None:
    """Create an author account for EMAIL (one account works on every site)."""
    if language not in current_app.extensions["desk_languages"]:
        raise click.BadParameter(
            "choose one of " + ", ".join(current_app.extensions["desk_languages"]),
            param_hint="--language",
        )
    try:
        user = accounts.create_user(db.session(), email, password, name=name, language=language)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the account {user.email}; sign in at /admin/ on any site.")


@click.command("reset-password")
@click.argument("email")
@click.option("--site", help="The site whose address the link uses (default: the first).")
@with_appcontext
@store_command
def reset_password(email: str, site: str | None) -> None:
    """Print a one-time link that sets a new password for EMAIL (mailed too if SMTP is set)."""
    session = db.session()
    user = session.scalar(select(User).where(User.email == accounts.normalize_email(email)))
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    sites = registry()
    chosen = sites.get(site) if site else next(iter(sites))
    if chosen is None:
        raise click.BadParameter(
            "choose one of " + ", ".join(s.key for s in sites), param_hint="--site"
        )
    token = people.new_link_token(session, user, people.RESET, clock.now())
    url = site_url(chosen, "admin.people.set_password", link_token=token)
    mailed = people.mail_link(session, user, "Choose a new password", f"Open this link: {url}")
    session.commit()
    if mailed:
        click.echo(f"Queued for {user.email} (the mail sender sends it).")
    click.echo(url)


@click.command()
@click.argument("post_id", type=click.IntRange(1, fields.INT_MAX))
@click.option("--on", "site", required=True, help="The site where the post is announced.")
@click.option(
    "--language",
    help="Language of the announcement (default: the post's if the site takes it).",
)
@click.option("--title", help="Title (default: the post's, when the language is the same).")
@click.option("--text", help="Short text (default: the post's summary).")
@click.option("--slug", default="", help="Slug (default: made from the title).")
@click.option("--draft", is_flag=True, help="Save it as a draft instead of publishing it.")
@with_appcontext
@store_command
def announce(post_id, site, language, title, text, slug, draft) -> None:
    """Announce post POST_ID on another site: a short entry there that links to the post."""
    session = db.session()
    original = session.get(Post, post_id)
    if original is None or original.kind != "post" or original.deleted_at is not None:
        raise click.ClickException(
            f"There is no post {post_id} (pages and announcements cannot be announced)."
        )
    if registry().get(site) is None:
        raise click.BadParameter(f"there is no site {site!r}", param_hint="--on")
    values = prefill(original, site)
    if values["site"] != site:
        raise click.ClickException(f"Post {post_id} lives on {site}: announce it on another site.")
    for name, given in (("language", language), ("title", title), ("source", text), ("slug", slug)):
        if given is not None:
            values[name] = given
    if not values["title"]:
        raise click.ClickException(
            "The announcement is in another language than the post: give its title with --title."
        )
    values["status"] = Status.DRAFT if draft else Status.PUBLISHED
    refused = check(values)
    if refused:
        raise click.ClickException(" ".join(refused.values()))
    try:
        announcement = create_announcement(original, values)
        session.commit()
    except (ContentRuleError, ValueError) as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Announced post {post_id} on {site} as post {announcement.id} ({announcement.language})."
    )


@click.command()
@with_appcontext
@store_command
def reindex() -> None:
    """Rebuild the search index from every post in the store."""
    count = search.rebuild(db.connection())
    db.session().commit()
    click.echo(f"Search index rebuilt: {count} posts.")


# Texts loaded, rendered and written at a time by rerender.
RERENDER_BATCH = 200


@click.command()
@with_appcontext
@store_command
def rerender() -> None:
    """Render every text of the store again (posts, pages, works) with today's renderer.

    A text is rendered when it is saved: after an upgrade that renders differently (headings,
    typography, embeds), this brings the stored HTML of every text up to date. Only the texts
    whose HTML changes are written; sources, revisions and translations' flags stay as they
    are. A text the renderer now refuses is named and left as it was.
    """
    session = db.session()
    seen = changed = 0
    refused = []
    for model in (Post, Work):
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), RERENDER_BATCH):
            batch = ids[start : start + RERENDER_BATCH]
            for text in session.scalars(select(model).where(model.id.in_(batch))):
                if text.source is None:
                    continue
                seen += 1
                html = text.html
                try:
                    text.set_source(text.source)
                except RenderError as error:
                    refused.append(f"{model.__name__.lower()} {text.id}: {error}")
                    continue
                changed += text.html != html
            session.commit()
            session.expunge_all()
    click.echo(f"Rendered {seen} texts again: {changed} changed.")
    for line in refused:
        click.echo(f"  left as it was: {line}", err=True)


@click.command("fetch-posters")
@with_appcontext
@store_command
def fetch_posters() -> None:
    """Fetch the posters embeds lack (texts imported, or saved offline) and show them.

    Each provider's picture is fetched once and kept (EMBED_POSTERS); the posts and works that
    link to it are rendered again with it. Nothing else of them changes.
    """
    if not current_app.config["EMBED_POSTERS"]:
        raise click.ClickException("EMBED_POSTERS is off: no poster is fetched.")
    session = db.session()
    hosts = ("youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "dai.ly", "soundcloud.com")
    hosts += peertube_hosts()
    shown, failed = 0, set()
    for model in (Post, Work):
        texts = session.scalars(
            select(model)
            .where(or_(*(model.source.contains(host, autoescape=True) for host in hosts)))
            .order_by(model.id)
        )
        for text in texts:
            before = posters.stored(text.source)
            failed.update(posters.fetch_missing(text.source))
            if posters.stored(text.source) != before:
                html = text.html
                text.set_source(text.source)
                shown += text.html != html
    session.commit()
    click.echo(f"Posters shown in {shown} texts.")
    if failed:
        click.echo("No poster could be had for (they keep the placeholder):")
        for url in sorted(failed):
            click.echo(f"  {url}")
