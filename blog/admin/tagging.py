"""Tags as the editor takes them: found or made from what the author typed, and suggested
while typing (by slug or by a name in any language, accents and case ignored)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..i18n import language_name
from ..models import Term, TermKind
from ..queries import term_by_slug, term_named
from ..slugs import slugify


def language_of_names(term: Term) -> dict[str, str]:
    """Return a term's names by language."""
    return {n.language: n.name for n in term.names}


def tags_named(
    session: Session, names: list[str], language: str, named: dict[int, str] | None = None
) -> list[Term]:
    """Return the tags with these names, creating the missing ones (named in `language`).

    A name is a tag's slug or its name in any language: typing « inondations » in a French
    post finds the tag "floods" when that is its French name, rather than making a new tag.
    `named` gives names in `language` to existing tags (by id): a typed name that is one of
    them is that tag, which takes it as its name there (see PostForm.apply).
    """
    tags = []
    given = {name.casefold(): term_id for term_id, name in (named or {}).items()}
    for name in names:
        tag = None
        if name.casefold() in given:
            tag = session.get(Term, given[name.casefold()])
            tag = tag if tag is not None and tag.kind == TermKind.TAG else None
        slug = slugify(name)
        if tag is None:
            tag = session.scalar(term_by_slug(TermKind.TAG, slug))
        if tag is None:
            tag = session.scalar(term_named(TermKind.TAG, name))
        if tag is None:
            tag = Term(kind=TermKind.TAG, slug=slug)
            tag.set_name(language, name)
            session.add(tag)
        if tag not in tags:
            tags.append(tag)
    return tags


def _folded(text: str) -> str:
    """Return `text` for matching: case and accents ignored (« Écluse » finds "ecluse")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class TagSuggestion:
    """A tag offered while typing: what goes in the field, and the tag it names (if any)."""

    term_id: int
    insert: str
    label: str
    note: str
    # The tag's name as the desk shows it (in the post's language, else in another).
    tag_name: str
    # The tag that takes `insert` as its name in the post's language (a tag of the
    # translation group that has none there yet), else None.
    name_for: int | None = None

    def as_json(self) -> dict:
        return {
            "id": self.term_id,
            "insert": self.insert,
            "label": self.label,
            "note": self.note,
            "tag_name": self.tag_name,
            "name_for": self.name_for,
        }


def suggest_tags(
    tags: list[Term], typed: str, language: str, unnamed: list[Term], limit: int = 10
) -> list[TagSuggestion]:
    """Return the tags an author typing `typed` in a post of `language` may mean.

    A tag matches when its slug or its name in any language contains what was typed; it is
    offered by its name in the post's language, or by another one when it has none yet (it
    then gets one after saving). When no tag has that very name, the tags of the post's
    translation group without a name in its language (`unnamed`) are offered to take it:
    typing « inondations » in the French translation of a post tagged "floods" offers to
    make it the French name of "floods" rather than a new tag.
    """
    wanted = _folded(typed.strip())
    if not wanted:
        return []
    found, exact = [], False
    for term in tags:
        names = language_of_names(term)
        if not any(wanted in _folded(n) for n in [term.slug, *names.values()]):
            continue
        own = names.get(language)
        exact = exact or any(_folded(n) == wanted for n in names.values())
        if own is not None:
            others = [f"{n} ({language_name(lg)})" for lg, n in names.items() if lg != language]
            found.append(TagSuggestion(term.id, own, own, ", ".join(others), own))
        else:
            shown = term.name(language)
            note = _("no name in %(language)s yet", language=language_name(language))
            found.append(TagSuggestion(term.id, shown, shown, note, shown))
    found.sort(key=lambda s: (not _folded(s.insert).startswith(wanted), _folded(s.insert)))
    offers = []
    if not exact:
        for term in unnamed:
            note = _(
                "as the name in %(language)s of the tag “%(name)s”",
                language=language_name(language),
                name=term.name(language),
            )
            name = term.name(language)
            offers.append(TagSuggestion(term.id, typed.strip(), typed.strip(), note, name, term.id))
    return (offers + found)[:limit]
