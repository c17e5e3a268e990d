"""The desk's forms (post, announcement, term): what the author typed, checked, then applied.

One shape for all three: the submitted values are kept as typed, so that a refused form
always comes back with the author's text intact; each field's value is checked by
blog/fields.py and a refusal is noted against its field, one message per field; a refusal of
the store (a rule, a source that cannot be rendered) is shown on the field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from .. import announcements, fields
from ..mediastore import missing_alt
from ..models import SLUG_MAX, SLUG_RE, Kind, Media, MediaKind, Post, Status, Term, TermKind
from ..queries import term_by_slug
from ..rules import Rule
from ..sites import registry
from ..slugs import slugify
from .desk import local, timezone
from .tagging import language_of_names, tags_named

TIME_FORMAT = "%Y-%m-%dT%H:%M"


@dataclass
class Form:
    """Values as typed, errors by field name, and the clean values once they pass."""

    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    clean: dict = field(default_factory=dict)

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ()
    LIST_FIELDS: ClassVar[tuple[str, ...]] = ()
    # Which field shows a refusal of the store, by the rule it names (else the text's field).
    RULE_FIELDS: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_request(cls, form: MultiDict):
        """Return the form as submitted, every field present (empty when not sent)."""
        values = {name: form.get(name, "") for name in cls.TEXT_FIELDS}
        values.update({name: form.getlist(name) for name in cls.LIST_FIELDS})
        return cls(values)

    def checked(self, name: str, check, *args):
        """Return a value checked by one of fields' checks, or None after noting why not."""
        try:
            return check(*args, field=name)
        except fields.FieldError as error:
            self.errors.setdefault(name, str(error))
            return None

    def refused(self, error: Exception) -> None:
        """Note a refusal of the store against the field it concerns."""
        self.errors[self.RULE_FIELDS.get(getattr(error, "rule", ""), "source")] = str(error)


@dataclass
class PostForm(Form):
    """The editor of a post or a page."""

    TEXT_FIELDS = ("title", "slug", "language", "summary", "source", "home_site", "status",
                   "published_at", "tags", "menu_order", "kind", "version", "pinned",
                   "comments_open", "translation_of", "featured_media")  # fmt: skip
    # A tag's name in the post's language, typed where the tag has none yet: term-name-<id>.
    TERM_NAME_PREFIX = "term-name-"
    LIST_FIELDS = ("sites", "categories")
    # The fields written to the post as they are; the others need the store's objects.
    # The source goes through Post.set_source, which renders it.
    APPLIED_FIELDS = ("title", "slug", "language", "summary", "status", "menu_order", "pinned",
                      "comments_open")  # fmt: skip
    # Which field shows a refusal of the store, by the rule it names (every rule has one:
    # tests/test_rules.py); the text's own field for the rules the author cannot fix elsewhere.
    RULE_FIELDS: ClassVar[dict[Rule, str]] = {
        Rule.SITE_LANGUAGE: "sites",
        Rule.SITE: "home_site",
        Rule.HOME: "home_site",
        Rule.SLUG: "slug",
        Rule.TRANSLATION_GROUP: "language",
        Rule.PUBLISHED_AT: "published_at",
        Rule.HTML: "source",
        Rule.ANNOUNCEMENT: "source",
        Rule.ANNOUNCEMENT_SITE: "source",
        Rule.ANNOUNCEMENT_UNIQUE: "source",
    }

    @classmethod
    def from_request(cls, form: MultiDict) -> PostForm:
        found = super().from_request(form)
        found.values["term_names"] = {
            key.removeprefix(cls.TERM_NAME_PREFIX): value
            for key, value in form.items()
            if key.startswith(cls.TERM_NAME_PREFIX) and value.strip()
        }
        return found

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
                "comments_open": "1" if post.comments_open else "",
                "translation_of": "",
                "term_names": {},
                "featured_media": str(post.featured_media_id or ""),
            }
        )

    def validate(self, session: Session) -> bool:
        """Check the values; fill `clean` or `errors` (one message per field)."""
        v, errors, sites = self.values, self.errors, registry()
        title = self.checked("title", fields.text, fields.TITLE, v["title"])
        if title == "":
            errors["title"] = _("Give the post a title.")
        slug = v["slug"].strip() or slugify(title or "")
        if not slug:
            errors["slug"] = _("Give the post a slug: lowercase letters, digits and hyphens.")
        else:
            slug = self.checked("slug", fields.slug, slug)
        summary = self.checked("summary", fields.text, fields.SUMMARY, v["summary"])
        source = self.checked("source", fields.text, fields.SOURCE, v["source"])
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
            menu_order = self.checked(
                "menu_order", fields.integer, fields.MENU_ORDER, v["menu_order"]
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
        tags = self.checked("tags", fields.text, fields.TAGS, v["tags"]) or ""
        for name in (t.strip() for t in tags.split(",")):
            if not name:
                continue
            name = self.checked("tags", fields.text, fields.TERM_NAME, name)
            if name is not None and not slugify(name):
                errors["tags"] = _("Each tag needs at least one letter or digit.")
            tag_names.append(name)
        term_names = {}
        for raw, name in v.get("term_names", {}).items():
            term_id = fields.parse_int(raw)
            name = self.checked("tags", fields.text, fields.TERM_NAME, name.strip())
            if term_id is not None and name:
                term_names[term_id] = name
        featured = self._featured(session, v.get("featured_media", ""))
        if status == Status.PUBLISHED and source is not None and language in sites.languages:
            bare = missing_alt(session, source, language)
            if bare:
                errors["source"] = _(
                    "Give each picture an alt text before publishing (in the Markdown, or in "
                    "the media library for this language): %(names)s.",
                    names=", ".join(bare),
                )
        if errors:
            return False
        self.clean = {
            "featured_media_id": featured,
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
            "term_names": term_names,
            "kind": Kind.PAGE if v["kind"] == Kind.PAGE else Kind.POST,
        }
        # Only a post is listed by date, so only a post can be pinned first on the home page.
        self.clean["pinned"] = self.clean["kind"] == Kind.POST and v.get("pinned") == "1"
        self.clean["comments_open"] = v.get("comments_open") == "1"
        self.values["slug"] = slug
        return True

    def _featured(self, session: Session, raw: str) -> int | None:
        """Return the id of the featured image chosen, None for none; note a wrong choice."""
        if not raw:
            return None
        media_id = fields.parse_int(raw)
        media = session.get(Media, media_id) if media_id is not None else None
        if media is None or media.kind != MediaKind.IMAGE:
            self.errors["featured_media"] = _("Choose the featured image among the library's.")
            return None
        return media.id

    def apply(self, post: Post, session: Session, now: datetime) -> None:
        """Write the clean values to `post` (the store's rules are checked at flush)."""
        c = self.clean
        post.kind = c["kind"]
        post.featured_media_id = c["featured_media_id"]
        for name in self.APPLIED_FIELDS:
            setattr(post, name, c[name])
        post.set_source(c["source"], session=session)
        if c["status"] == Status.PUBLISHED and c["published_at"] is None:
            c["published_at"] = post.published_at or now
        post.published_at = c["published_at"]
        post.set_sites([c["home_site"], *c["sites"]])
        tags = tags_named(session, c["tag_names"], c["language"], c["term_names"])
        post.terms = c["categories"] + tags
        for term in post.terms:
            # The post's language gets a name where the author gave one and the term had none.
            name = c["term_names"].get(term.id)
            if name and language_of_names(term).get(c["language"]) is None:
                term.set_name(c["language"], name)
        post.updated_at = now


@dataclass
class AnnouncementForm(Form):
    """An announcement: a short entry of another site that leads to the original."""

    TEXT_FIELDS = ("site", "language", "title", "slug", "source", "status")
    RULE_FIELDS: ClassVar[dict[Rule, str]] = {
        Rule.ANNOUNCEMENT_SITE: "site",
        Rule.ANNOUNCEMENT_UNIQUE: "language",
        Rule.SITE_LANGUAGE: "language",
        Rule.SLUG: "slug",
        Rule.SITE: "source",
        Rule.HOME: "source",
        Rule.TRANSLATION_GROUP: "source",
        Rule.PUBLISHED_AT: "source",
        Rule.HTML: "source",
        Rule.ANNOUNCEMENT: "source",
    }

    @classmethod
    def from_post(cls, announcement: Post) -> AnnouncementForm:
        return cls(
            {
                "site": announcement.home_site,
                "language": announcement.language,
                "title": announcement.title,
                "slug": announcement.slug,
                "source": announcement.source,
                "status": announcement.status,
            }
        )

    def validate(self) -> bool:
        """Check the values with the rules the `announce` command uses too."""
        self.errors.update(announcements.check(self.values))
        return not self.errors


@dataclass
class TermForm(Form):
    """A category or a tag: its slug and its name in each language of the sites."""

    languages: tuple[str, ...] = ()

    @classmethod
    def from_term(cls, term: Term, languages) -> TermForm:
        values = {"slug": term.slug, **{f"name-{n.language}": n.name for n in term.names}}
        return cls(values, languages=tuple(languages))

    @classmethod
    def from_request(cls, form: MultiDict, languages=()) -> TermForm:
        names = ["slug", *(f"name-{language}" for language in languages)]
        return cls({name: form.get(name, "") for name in names}, languages=tuple(languages))

    def validate(self, session: Session, term: Term) -> bool:
        """Check the names and the slug (made from the first name when left empty)."""
        names = {}
        for language in self.languages:
            try:
                names[language] = fields.text(fields.TERM_NAME, self.values[f"name-{language}"])
            except fields.FieldError as error:
                # One message for all the names: the last refused one's.
                names[language], self.errors["names"] = "", str(error)
        slug = self.values["slug"].strip() or slugify(next(filter(None, names.values()), ""))
        self.values["slug"] = slug
        if not any(names.values()):
            self.errors.setdefault("names", _("Give the term a name in at least one language."))
        if not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
            self.errors["slug"] = _("The slug uses lowercase letters, digits and hyphens.")
        else:
            clash = session.scalar(term_by_slug(term.kind, slug))
            if clash not in (None, term):
                self.errors["slug"] = _("Another term of this kind already has this slug.")
        if self.errors:
            return False
        self.clean = {"slug": slug, "names": names}
        return True

    def apply(self, term: Term) -> None:
        """Write the slug and the names; a name left empty is removed."""
        names = self.clean["names"]
        term.slug = self.clean["slug"]
        for language, name in names.items():
            if name:
                term.set_name(language, name)
        term.names = [n for n in term.names if names.get(n.language, n.name)]
