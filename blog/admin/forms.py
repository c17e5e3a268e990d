"""The editor's form: what the author typed, checked, and applied to a post.

The submitted values are kept as typed, so that a refused form always comes
back with the author's text intact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from .. import fields
from ..models import Kind, Post, Status, Term, TermKind
from ..queries import term_by_slug
from ..sites import registry
from ..slugs import slugify
from .desk import local, timezone

TEXT_FIELDS = ("title", "slug", "language", "summary", "source", "home_site", "status",
               "published_at", "tags", "menu_order", "kind", "version", "pinned")  # fmt: skip
LIST_FIELDS = ("sites", "categories")
# Copied as they are; the source goes through Post.set_source, which renders it.
APPLIED_FIELDS = ("title", "slug", "language", "summary", "status", "menu_order", "pinned")
TIME_FORMAT = "%Y-%m-%dT%H:%M"


@dataclass
class PostForm:
    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    clean: dict = field(default_factory=dict)

    @classmethod
    def from_post(cls, post: Post) -> PostForm:
        published = local(post.published_at)
        return cls(
            {
                "title": post.title,
                "slug": post.slug,
                "language": post.language,
                "summary": post.summary,
                "source": post.source,
                "home_site": post.home_site or "",
                "sites": [s for s in post.sites if s != post.home_site],
                "status": post.status,
                "published_at": published.strftime(TIME_FORMAT) if published else "",
                "categories": [str(t.id) for t in post.categories()],
                "tags": ", ".join(t.name(post.language) for t in post.tags()),
                "menu_order": "" if post.menu_order is None else str(post.menu_order),
                "kind": post.kind,
                "version": str(post.version or ""),
                "pinned": "1" if post.pinned else "",
            }
        )

    @classmethod
    def from_request(cls, form: MultiDict) -> PostForm:
        values = {name: form.get(name, "") for name in TEXT_FIELDS}
        values.update({name: form.getlist(name) for name in LIST_FIELDS})
        return cls(values)

    def validate(self, session: Session) -> bool:
        """Check the values; fill `clean` or `errors` (one message per field)."""
        v, errors, sites = self.values, self.errors, registry()
        title = _checked(errors, "title", fields.text, fields.TITLE, v["title"])
        if title == "":
            errors["title"] = _("Give the post a title.")
        slug = v["slug"].strip() or slugify(title or "")
        if not slug:
            errors["slug"] = _("Give the post a slug: lowercase letters, digits and hyphens.")
        else:
            slug = _checked(errors, "slug", fields.slug, slug)
        summary = _checked(errors, "summary", fields.text, fields.SUMMARY, v["summary"])
        source = _checked(errors, "source", fields.text, fields.SOURCE, v["source"])
        language = v["language"]
        if language not in sites.languages:
            errors["language"] = _("Choose one of the languages offered.")
        home = v["home_site"]
        if sites.get(home) is None:
            errors["home_site"] = _("Choose the site where the post belongs.")
        others = [s for s in v["sites"] if s != home]
        if any(sites.get(s) is None for s in others):
            errors["sites"] = _("Choose among the sites offered.")
        status = v["status"]
        if status not in (Status.DRAFT, Status.PUBLISHED):
            errors["status"] = _("Choose draft or published.")
        published_at = None
        if v["published_at"].strip():
            try:
                naive = datetime.strptime(v["published_at"].strip(), TIME_FORMAT)
                published_at = naive.replace(tzinfo=timezone())
            except ValueError:
                errors["published_at"] = _(
                    "Write the publication time as YYYY-MM-DD HH:MM, for example 2025-03-14T09:30."
                )
        menu_order = None
        if v["menu_order"].strip():
            menu_order = _checked(
                errors, "menu_order", fields.integer, fields.MENU_ORDER, v["menu_order"]
            )
        categories = []
        for raw in v["categories"]:
            term_id = fields.parse_int(raw)
            term = session.get(Term, term_id) if term_id is not None else None
            if term is None or term.kind != TermKind.CATEGORY:
                errors["categories"] = _("Choose among the categories offered.")
                break
            categories.append(term)
        tag_names = []
        tags = _checked(errors, "tags", fields.text, fields.TAGS, v["tags"]) or ""
        for name in (t.strip() for t in tags.split(",")):
            if not name:
                continue
            name = _checked(errors, "tags", fields.text, fields.TERM_NAME, name)
            if name is not None and not slugify(name):
                errors["tags"] = _("Each tag needs at least one letter or digit.")
            tag_names.append(name)
        if errors:
            return False
        self.clean = {
            "title": title,
            "slug": slug,
            "language": language,
            "summary": summary.strip(),
            "source": source,
            "home_site": home,
            "sites": others,
            "status": status,
            "published_at": published_at,
            "menu_order": menu_order,
            "categories": categories,
            "tag_names": tag_names,
            "kind": Kind.PAGE if v["kind"] == Kind.PAGE else Kind.POST,
        }
        # Only a post is listed by date, so only a post can be pinned first on the home page.
        self.clean["pinned"] = self.clean["kind"] == Kind.POST and v.get("pinned") == "1"
        self.values["slug"] = slug
        return True

    def apply(self, post: Post, session: Session, now: datetime) -> None:
        """Write the clean values to `post` (the store's rules are checked at flush)."""
        c = self.clean
        post.kind = c["kind"]
        for name in APPLIED_FIELDS:
            setattr(post, name, c[name])
        post.set_source(c["source"])
        if c["status"] == Status.PUBLISHED and c["published_at"] is None:
            c["published_at"] = post.published_at or now
        post.published_at = c["published_at"]
        post.set_sites([c["home_site"], *c["sites"]])
        post.terms = c["categories"] + tags_named(session, c["tag_names"], c["language"])
        post.updated_at = now


def _checked(errors: dict[str, str], name: str, check, *args):
    """Return a value checked by one of fields' checks, or None after noting why not."""
    try:
        return check(*args, field=name)
    except fields.FieldError as error:
        errors.setdefault(name, str(error))
        return None


def tags_named(session: Session, names: list[str], language: str) -> list[Term]:
    """Return the tags with these names, creating the missing ones (named in `language`)."""
    tags = []
    for name in names:
        slug = slugify(name)
        tag = session.scalar(term_by_slug(TermKind.TAG, slug))
        if tag is None:
            tag = Term(kind=TermKind.TAG, slug=slug)
            tag.set_name(language, name)
            session.add(tag)
        if tag not in tags:
            tags.append(tag)
    return tags
