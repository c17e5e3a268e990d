"""The terms of a WordPress import: categories and tags, Polylang's translated terms and groups.

A part of the import (wordpress._Import inherits it): the driver gives it `session`, `site`,
`language`, `report`, `origin`, `index`, `by_wordpress` and `group_keys`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from urllib.parse import unquote

from ..models import Term, TermKind
from ..queries import term_by_slug
from ..slugs import slugify
from .wpitems import Plan
from .wxr import Export, TermEntry, php_translations

# Translation keys made from Polylang's group names, the same on every run of an import.
POLYLANG_GROUPS = uuid.UUID("8a1b5f0e-2a4e-4c55-9a53-0f1c6c7d2e11")
TAXONOMIES = {"category": TermKind.CATEGORY, "post_tag": TermKind.TAG}


class Terms:
    """Find or create the terms new posts carry; give Polylang's groups their keys."""

    def _serialized_groups(self, export: Export) -> dict[int, str]:
        """Return Polylang's post groups given in the channel's terms: WordPress id → group.

        Items may carry only their language; their groups are then read from the serialized
        description of each `post_translations` term.
        """
        groups: dict[int, str] = {}
        for term in export.terms:
            if term.taxonomy != "post_translations":
                continue
            try:
                members = php_translations(term.description)
            except ValueError as error:
                self.report.skipped.append(
                    f"Polylang group {term.slug}: its description cannot be read ({error}); "
                    "its posts are imported without their translations unless they name it"
                )
                continue
            for wp_id in members.values():
                groups.setdefault(wp_id, term.slug)
        return groups

    def _make_terms(self, export: Export, plans: list[Plan]) -> None:
        """Find or create the terms the new posts carry, with their ancestors and names."""
        carried = {(t.domain, t.slug) for plan in plans for t in plan.item.terms}
        declared = {(t.taxonomy, t.slug): t for t in export.terms if t.taxonomy in TAXONOMIES}
        canonical, members = self._term_translations(export, declared)
        seen = _seen_terms(plans, declared, carried)
        by_slug: dict[tuple[str, str], Term] = {}
        created: list[tuple[Term, TermEntry | None]] = []
        for key, names in seen.items():
            chosen = canonical.get(key, key)
            entry = declared.get(chosen)
            kind = TAXONOMIES[key[0]]
            slug = self._term_slug(chosen, entry, names)
            with self.session.no_autoflush:  # by_slug has the terms made here: one flush
                term = by_slug.get((kind, slug)) or self.session.scalar(term_by_slug(kind, slug))
            if term is None:
                term = Term(kind=kind, slug=slug)
                self.session.add(term)
                created.append((term, entry))
            by_slug[(kind, slug)] = self.by_wordpress[key] = term
            translated = [(lang, e.name) for lang, e in members.get(chosen, [])]
            for lang, name in [*translated, *names]:
                # Names are added, never changed: a second run, or the author's edits, stay.
                if name and self.site.accepts(lang) and lang not in _languages(term):
                    term.set_name(lang, name[:200])
            if not term.names:
                term.set_name(self.language, (entry.name if entry else "") or slug)
        self.session.flush()
        self._place_terms(created, canonical)
        self.report.terms = len(created)
        used = {canonical.get(key, key) for key in carried}
        unused = [key for key in declared if canonical.get(key, key) not in used]
        if unused:
            self.report.skipped.append(
                f"{len(unused)} categories and tags carried by no post: "
                + ", ".join(slug for _taxonomy, slug in unused)
            )

    def _term_translations(self, export: Export, declared: dict[tuple[str, str], TermEntry]):
        """Return the term each of Polylang's translated terms becomes, and each one's members.

        Polylang translates a term as another term: here, one term with a name per language.
        """
        by_id = {t.term_id: t for t in declared.values() if t.term_id is not None}
        canonical: dict[tuple[str, str], tuple[str, str]] = {}
        members: dict[tuple[str, str], list[tuple[str, TermEntry]]] = {}
        for group in export.term_groups():
            found = [(lang, by_id[i]) for lang, i in group.items() if i in by_id]
            if not found:
                continue
            chosen = min(found, key=lambda pair: self._rank(pair[0]))[1]
            for lang, entry in found:
                canonical[(entry.taxonomy, entry.slug)] = (chosen.taxonomy, chosen.slug)
                members.setdefault((chosen.taxonomy, chosen.slug), []).append((lang, entry))
        return canonical, members

    def _place_terms(self, created: list[tuple[Term, TermEntry | None]], canonical) -> None:
        """Put each new category under its WordPress parent, once the terms have their ids."""
        for term, entry in created:
            if entry is not None and entry.parent:
                parent_key = ("category", entry.parent)
                parent = self.by_wordpress.get(canonical.get(parent_key, parent_key))
                if parent is not None and parent is not term:
                    term.parent_id = parent.id

    def _term_slug(self, key, entry: TermEntry | None, names: list[tuple[str, str]]) -> str:
        """Return a term's slug here: WordPress's (decoded, made ASCII), else its name's."""
        name = entry.name if entry is not None else next((n for _lang, n in names if n), "")
        slug = slugify(unquote(key[1])) or slugify(name)
        if not slug:
            slug = f"term-{entry.term_id}" if entry and entry.term_id else "term"
        return slug

    def _rank(self, language: str) -> int:
        languages = self.site.languages
        return languages.index(language) if language in languages else len(languages)

    def _group_key(self, plan: Plan) -> str | None:
        """Return the translation key of the item's Polylang group (None: a group of its own)."""
        if not plan.group:
            return None
        if plan.group not in self.group_keys:
            # The same on every run, so that a later import completes the same group.
            made = uuid.uuid5(POLYLANG_GROUPS, f"{self.site.key}:{self.origin}:{plan.group}")
            self.group_keys[plan.group] = str(made)
        return self.group_keys[plan.group]

    def _count_groups(self, plans) -> None:
        """Count the translation groups this import made or completed (two posts or more)."""
        added = {p.group for p in plans if p.group and p.known is None}
        # A group has one post per language: its size is the number of its languages.
        sizes = Counter(key for key, _language in self.index.groups)
        for group, key in self.group_keys.items():
            if group in added and sizes[key] >= 2:
                self.report.groups += 1


def _languages(term: Term) -> set[str]:
    return {n.language for n in term.names}


def _seen_terms(plans: list[Plan], declared: dict, carried: set) -> dict:
    """Return the terms the new posts carry, with the names they give them per language.

    A category brings its ancestors (added to `carried`), so that the hierarchy comes across
    whole.
    """
    seen: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for plan in plans:
        if plan.known is not None:
            continue
        for term in plan.item.terms:
            if term.domain not in TAXONOMIES:
                continue
            key = (term.domain, term.slug)
            entry = declared.get(key)
            name = entry.name if entry else term.name
            seen.setdefault(key, []).append((plan.language, name))
            while entry is not None and entry.parent and entry.taxonomy == "category":
                key = ("category", entry.parent)
                entry = declared.get(key)
                seen.setdefault(key, [])
                carried.add(key)
    return seen
