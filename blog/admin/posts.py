"""The desk's posts and pages: the list, the editor (save, preview, slug) and translating."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import autosave, db, fields, permissions, posters, queries, rendering
from ..mediahtml import media_names
from ..models import Kind, Media, Post, Revision, Status, Term, TermKind, utcnow
from ..pagination import paginate
from ..rendering import RenderError
from ..rules import ContentRuleError
from ..sites import registry
from ..slugs import slugify
from ..subscriptions import service as subscriptions
from . import preview as full_page
from . import translating
from .desk import keeps_text, post_or_404, query_id, refuse
from .diff import diff_fields
from .editor import categories, editor, translated_from, translation_group
from .forms import PostForm
from .publishing import CONFIRMED, PAGE_PREVIEW, STATUS, Action, Confirmation, places
from .tagging import language_of_names, suggest_tags

bp = Blueprint("posts", __name__)


def translations_only() -> str:
    return _("A translator edits translations only: this post is an original.")


def _choice(value: str | None, offered: list[str]) -> str | None:
    """Return a list filter's value (None: no filter); one the desk never offers is a 404."""
    if not value:
        return None
    if value not in offered:
        abort(404)
    return value


@bp.get("/")
def index():
    """List the store's posts (or pages), filtered and searched, newest first."""
    args, sites = request.args, registry()
    kind = Kind.PAGE if args.get("kind") == Kind.PAGE else Kind.POST
    filters = {
        "site": _choice(args.get("site"), [s.key for s in sites]),
        "language": _choice(args.get("language"), sites.languages),
        "status": _choice(args.get("status"), ["draft", "scheduled", "published"]),
        "category": query_id("category"),
        "search": fields.search_text(args.get("q", "")) or None,
        "only_kind": _choice(args.get("only"), [Kind.POST, Kind.ANNOUNCEMENT]),
        "outdated_only": _choice(args.get("outdated"), ["1"]) == "1",
        "sort": _choice(args.get("sort"), list(queries.DESK_ORDERS)) or "-date",
    }
    listing = paginate(
        queries.desk_posts(**filters, kind=kind, now=utcnow()),
        per_page=25,
        options=queries.DESK_LOADING,
        # A text search reads every post's texts, whatever the page: its ids are read once.
        scans=filters["search"] is not None,
    )
    group_keys = list({p.translation_key for p in listing.items})
    groups: dict[str, dict[str, tuple[int, str]]] = {}
    found = db.session().execute(queries.group_languages(group_keys))
    for group_key, language, post_id, status in found:
        groups.setdefault(group_key, {})[language] = (post_id, status)
    return render_template(
        "admin/posts.html",
        listing=listing,
        groups=groups,
        kind=kind,
        filters=filters,
        categories=categories(),
        tags=list(db.session().scalars(select(Term).where(Term.kind == TermKind.TAG))),
        sites=list(registry()),
        languages=registry().languages,
        now=utcnow(),
    )


@bp.get("/posts/new")
def new():
    sites = registry()
    original_id = query_id("translation_of")
    if original_id is not None:
        original = post_or_404(original_id)
        language = request.args.get("language", "")
        if language not in sites.languages or language == original.language:
            abort(404)
        values = translating.new_translation(sites, original, language)
        return editor(None, PostForm(values), reference=original)
    if not permissions.may_edit(db.session(), g.user, None):
        return refuse(translations_only())
    kind = Kind.PAGE if request.args.get("kind") == Kind.PAGE else Kind.POST
    language = request.args.get("language") or g.user.language
    if language not in sites.languages:
        language = sites.languages[0]
    home = request.args.get("site")
    if sites.get(home) is None or not sites[home].accepts(language):
        home = next((s.key for s in sites if s.accepts(language)), "")
    form = PostForm({"title": "", "slug": "", "language": language, "summary": "", "source": "",
                     "home_site": home, "sites": [], "status": Status.DRAFT, "published_at": "",
                     "categories": [], "tags": "", "menu_order": "", "kind": kind,
                     "version": "", "pinned": "", "comments_open": "1", "translation_of": "",
                     "term_names": {}})  # fmt: skip
    return editor(None, form)


@bp.post("/posts/new")
@keeps_text
def create():
    return _save(None)


@bp.get("/posts/<int:post_id>")
def edit(post_id: int):
    post = post_or_404(post_id)
    if post.kind == Kind.ANNOUNCEMENT:
        return redirect(url_for("admin.announcements.edit", post_id=post.id))
    form = PostForm.from_post(post)
    autosaved = autosave.latest(db.session(), post, g.user)
    restored = None
    if autosaved is not None and request.args.get("restore") == "autosave":
        # The autosaved text in the form; the version stays the post's, so saving keeps it.
        form.values.update({name: getattr(autosaved, name) for name in autosave.TEXT_FIELDS})
        form.values["language"] = autosaved.language
        restored, autosaved = autosaved, None
    return editor(
        post,
        form,
        saved=request.args.get("saved") == "1",
        autosaved=autosaved,
        restored=restored,
        read_only=not permissions.may_edit(db.session(), g.user, post),
    )


@bp.post("/posts/<int:post_id>")
@keeps_text
def save(post_id: int):
    post = post_or_404(post_id)
    if post.kind == Kind.ANNOUNCEMENT:
        abort(404)  # announcements have their own form
    return _save(post)


def _save(post: Post | None):
    """Save the editor's form, or bring it back, text intact, saying what to do."""
    session = db.session()
    form = PostForm.from_request(request.form)
    if g.get("user") is None or g.get("csrf_failed"):
        return editor(post, form, 409, signed_out=True)
    action = request.form.get("action", Action.SAVE)
    if action == Action.PREVIEW:
        try:
            source = form.values["source"]
            files = Media.catalogue(session, media_names(source))
            preview = rendering.preview_markup(source, form.values["language"], files)
        except RenderError as error:
            form.errors["source"] = str(error)
            preview = None
        return editor(post, form, preview=preview)
    new_translation = translated_from(form) is not None
    if not permissions.may_edit(session, g.user, post, translating=new_translation):
        form.errors["title"] = translations_only()
        return editor(post, form, 403)
    action, page = _action(action, post, form)
    if not form.validate(session):
        return editor(post, form, 422)
    if post is not None and form.values["version"] != str(post.version):
        return _conflict(post, form)
    if page is not None or (action in CONFIRMED and request.form.get("confirmed") != action):
        return _try_out(post, form, action, page)

    target = post or Post()
    now = utcnow()
    original = translated_from(form) if post is None else None
    # Saved now: the posters its embeds lack are fetched once, here (never for a reader).
    posters.fetch_missing(form.clean["source"])
    try:
        form.apply(target, session, now)
        if post is None:
            session.add(target)
        if original is not None:
            # A new translation joins the original's group, and remembers what it was made of.
            target.translation_key = original.translation_key
            target.follow(original, translating.last_revision_id(original))
        session.add(Revision.of(target, g.user))
        if "mail_choice" in request.form:
            subscriptions.plan(session, target, request.form.get("mail_subscribers") == "1")
        session.commit()
    except (ContentRuleError, RenderError, StaleDataError) as error:
        return _refused(error, post, form)
    return redirect(url_for("admin.posts.edit", post_id=target.id, saved=1))


def _refused(error: Exception, post: Post | None, form: PostForm):
    """Answer a save the store refused: its editor with the reason and the text intact, or
    the conflict page when the post changed meanwhile (another tab)."""
    session = db.session()
    session.rollback()
    if isinstance(error, StaleDataError):
        return _conflict(session.get(Post, post.id), form)
    form.refused(error)
    return editor(post and session.get(Post, post.id), form, 422)


def _action(asked: str, post: Post | None, form: PostForm) -> tuple[str, tuple | None]:
    """Return the action a button asks for (and the page a full-page preview shows), after
    giving the form the status that action means."""
    page = None
    if asked.startswith(PAGE_PREVIEW + ":"):
        page, asked = tuple(asked.split(":")[1:3]), Action.PREVIEW
        if len(page) != 2:
            abort(404)
    elif asked not in Action.__members__.values():
        asked = Action.SAVE
    if asked == Action.DRAFT and post is not None and post.status == Status.PUBLISHED:
        asked = Action.UNPUBLISH  # taking a post away from its readers is confirmed first
    if asked in STATUS:
        form.values["status"] = STATUS[asked]
    elif not form.values["status"]:
        form.values["status"] = post.status if post is not None else Status.DRAFT
    return asked, page


def _try_out(post: Post | None, form: PostForm, action: str, page: tuple | None):
    """Apply the form without keeping it, to show what an action would do or a full-page
    preview; a refusal of the store comes back as a form error, the text intact."""
    session = db.session()
    target = post or Post()
    try:
        form.apply(target, session, utcnow())
        if post is None:
            session.add(target)
        session.flush()
        if page is not None:
            notice = _l("Preview: this is how the page will look. It is not published.")
            return full_page.page(target, *page, notice)
        confirmation = Confirmation(
            action=action,
            title=target.title,
            places=places(target),
            published_at=target.published_at,
            scheduled=target.is_scheduled,
        )
    except (ContentRuleError, RenderError, StaleDataError) as error:
        return _refused(error, post, form)
    finally:
        session.rollback()
    return editor(post and session.get(Post, post.id), form, confirmation=confirmation)


def _conflict(post: Post, form: PostForm):
    """Show that the post changed since the editor opened, with the author's text kept."""
    stored = PostForm.from_post(post).values
    diffs = diff_fields(stored, form.values)
    saved_by = session_last_revision(post)
    # Saving again now is the author's explicit choice to keep their version.
    form.values["version"] = str(post.version)
    return editor(post, form, 409, conflict=diffs, saved_by=saved_by)


def session_last_revision(post: Post) -> Revision | None:
    return db.session().scalar(post.revisions.select().where(~Revision.autosave).limit(1))


@bp.post("/preview")
def preview():
    """Return the HTML readers would get for a Markdown source (the editor's live preview)."""
    try:
        source = request.form.get("source", "")
        files = Media.catalogue(db.session(), media_names(source))
        return rendering.preview_markup(source, request.form.get("language") or None, files)
    except RenderError as error:
        return str(error), 422, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/slug")
def slug_suggestion():
    """Return the slug a title would get (the editor's suggestion), as JSON: {"slug": …}."""
    # A GET that changes nothing, for signed-in authors only (load_author): no CSRF token needed.
    return {"slug": slugify(request.args.get("title", "")[:1000])}


@bp.get("/tags.json")
def tag_suggestions():
    """Return the tags an author typing in the tags field may mean, as JSON (the editor's list).

    ?q= what is typed after the last comma, ?language= the post's, ?post= or ?reference= the
    post being edited or translated: its translation group's tags without a name in that
    language are offered to take what is typed as their name.
    """
    # A GET that changes nothing, for signed-in authors only (load_author): no CSRF token needed.
    session = db.session()
    language = request.args.get("language", "")
    typed = request.args.get("q", "")[: fields.TERM_NAME.max_length]
    if language not in registry().languages:
        return {"tags": []}
    unnamed: list[Term] = []
    for name in ("post", "reference"):
        post_id = query_id(name)
        post = session.get(Post, post_id) if post_id is not None else None
        if post is None:
            continue
        for version in [post, *translation_group(post).values()]:
            for term in version.tags():
                if term not in unnamed and language not in language_of_names(term):
                    unnamed.append(term)
    tags = list(session.scalars(select(Term).where(Term.kind == TermKind.TAG).order_by(Term.slug)))
    return {"tags": [s.as_json() for s in suggest_tags(tags, typed, language, unnamed)]}


@bp.post("/posts/<int:post_id>/translate")
def translate(post_id: int):
    """Open the editor of a new translation of a post, the original beside it (or the
    existing translation in that language)."""
    original = post_or_404(post_id)
    sites = registry()
    language = request.form.get("language", "")
    if language not in sites.languages or language == original.language:
        abort(400)
    existing = translation_group(original).get(language)
    if existing is not None:
        return redirect(url_for("admin.posts.edit", post_id=existing.id, reference=original.id))
    return redirect(url_for("admin.posts.new", translation_of=original.id, language=language))
