"""Build a large, deterministic store for benchmarks: N posts in FR/EN/IT on both sites.

    python bench/store.py --posts 10000 --database sqlite:////tmp/bench.sqlite3

Everything goes through the models and a session of the app's own factory, so the store's
rules run on every flush (home site, languages per site, translation groups, unique slugs,
announcements). The text is made up here from word lists; the same N gives the same store.

What it writes, for N posts:
- posts in French, English and Italian on the blog, in translation groups: about half
  alone, many pairs and some triples; one French post in ten has its home on the book site;
- announcements both ways: some book posts announced on the blog (in French and English),
  some French blog posts announced on the book site;
- categories and tags with a name in each language, a few per post;
- a few pages on each site.
Announcements and pages come on top of the N posts.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blog import create_app, rendering
from blog.models import Kind, Post, PublicationKind, Status, Term, TermKind
from blog.schema import upgrade

LANGUAGES = ("fr", "en", "it")
BATCH = 500
# Distinct bodies per language (see remembered_rendering).
BODIES = 60
START = datetime(2015, 1, 5, 8, 0, tzinfo=UTC)

# Words per language, in the same order, so that a translation says the same thing.
SUBJECTS = {
    "fr": ["la rivière", "le canal", "la source", "le lavoir", "le pont", "la berge", "le moulin",
           "la crue", "le bief", "la digue", "le gué", "l'égout", "le quai", "la fontaine"],
    "en": ["the river", "the canal", "the spring", "the wash-house", "the bridge", "the bank",
           "the mill", "the flood", "the millrace", "the dyke", "the ford", "the sewer",
           "the quay", "the fountain"],
    "it": ["il fiume", "il canale", "la sorgente", "il lavatoio", "il ponte", "la sponda",
           "il mulino", "la piena", "la gora", "l'argine", "il guado", "la fogna", "la banchina",
           "la fontana"],
}  # fmt: skip
PLACES = ["Lyon", "Bologne", "Bristol", "Nantes", "Turin", "Leeds", "Grenoble", "Padoue",
          "Norwich", "Rouen", "Vérone", "Bath", "Troyes", "Mantoue"]  # fmt: skip
TITLES = {
    "fr": "{subject} de {place}, note {n}",
    "en": "{subject} of {place}, note {n}",
    "it": "{subject} di {place}, nota {n}",
}
SENTENCES = {
    "fr": [
        "Les archives municipales gardent la trace de {subject} depuis le XVIIe siècle.",
        "Sur le terrain, il ne reste qu'une grille et un bruit d'eau sous la chaussée.",
        "Un plan de {year} montre un tracé que personne ne se rappelle aujourd'hui.",
        "Les riverains parlent encore d'une odeur de vase les étés secs.",
        "La couverture du cours d'eau fut votée en une seule séance du conseil.",
        "Les photographies de l'époque montrent des lavandières au bord de l'eau.",
    ],
    "en": [
        "The city archives have kept track of {subject} since the seventeenth century.",
        "On the ground, only a grate remains, and the sound of water under the road.",
        "A map from {year} shows a course that nobody remembers today.",
        "Neighbours still speak of a smell of mud in dry summers.",
        "Covering the watercourse was voted in a single council session.",
        "Photographs of the time show washerwomen at the water's edge.",
    ],
    "it": [
        "L'archivio comunale conserva le tracce de {subject} dal Seicento.",
        "Sul terreno resta solo una grata e un rumore d'acqua sotto la strada.",
        "Una pianta del {year} mostra un tracciato che nessuno ricorda oggi.",
        "Gli abitanti parlano ancora di un odore di fango nelle estati secche.",
        "La copertura del corso d'acqua fu votata in una sola seduta del consiglio.",
        "Le fotografie dell'epoca mostrano lavandaie in riva all'acqua.",
    ],
}
HEADINGS = {"fr": "Ce que disent les sources", "en": "What the sources say",
            "it": "Cosa dicono le fonti"}  # fmt: skip
CATEGORIES = {
    "archives": {"fr": "Archives", "en": "Archives", "it": "Archivi"},
    "fieldwork": {"fr": "Terrain", "en": "Fieldwork", "it": "Ricerca sul campo"},
    "maps": {"fr": "Cartes", "en": "Maps", "it": "Mappe"},
    "history": {"fr": "Histoire", "en": "History", "it": "Storia"},
    "ecology": {"fr": "Écologie", "en": "Ecology", "it": "Ecologia"},
    "city-planning": {"fr": "Urbanisme", "en": "City planning", "it": "Urbanistica"},
    "reading-notes": {"fr": "Notes de lecture", "en": "Reading notes", "it": "Note di lettura"},
    "the-book": {"fr": "Le livre", "en": "The book", "it": "Il libro"},
}
TAG_WORDS = {
    "fr": ["crue", "pont", "moulin", "égout", "lavoir", "quai", "digue", "source", "canal",
           "berge", "gué", "fontaine"],
    "en": ["flood", "bridge", "mill", "sewer", "wash-house", "quay", "dyke", "spring", "canal",
           "bank", "ford", "fountain"],
    "it": ["piena", "ponte", "mulino", "fogna", "lavatoio", "banchina", "argine", "sorgente",
           "canale", "sponda", "guado", "fontana"],
}  # fmt: skip
PAGES = {
    "blog": [("about", {"fr": "À propos", "en": "About", "it": "Chi sono"}),
             ("contact", {"fr": "Contact", "en": "Contact", "it": "Contatti"}),
             ("method", {"fr": "Méthode", "en": "Method", "it": "Metodo"})],
    "book": [("le-livre", {"fr": "Le livre"}), ("presse", {"fr": "Presse"}),
             ("l-autrice", {"fr": "L’autrice"})],
}  # fmt: skip
ANNOUNCE_TITLE = {"fr": "{title}", "en": "In French: {title}"}
ANNOUNCE = {"fr": "À lire sur l'autre site : {title}.", "en": "Read it on the other site: {title}."}


@dataclass(frozen=True)
class Entry:
    """One post to write: its place in a translation group and on the sites."""

    n: int
    group: int
    language: str
    home: str


def plan(count: int) -> list[Entry]:
    """Return `count` posts in groups: mostly alone or in pairs, some in threes.

    Groups cycle through a pattern of ten: four alone, four pairs, two triples. The first
    language of a group turns with the group; a group whose original is French has its home
    on the book site one time in ten (it then has no translations: the book is French only).
    """
    sizes = (1, 2, 1, 2, 3, 1, 2, 1, 2, 3)
    entries: list[Entry] = []
    group = 0
    while len(entries) < count:
        first = group % 3
        languages = [LANGUAGES[(first + k) % 3] for k in range(sizes[group % 10])]
        home = "book" if languages[0] == "fr" and group % 10 == 6 else "blog"
        if home == "book":
            languages = ["fr"]
        for language in languages[: count - len(entries)]:
            entries.append(Entry(len(entries), group, language, home))
        group += 1
    return entries


def make_terms(session: Session) -> tuple[list[Term], list[Term]]:
    """Add the categories and tags (a name in each language); return them."""
    categories = []
    for slug, names in CATEGORIES.items():
        term = Term(kind=TermKind.CATEGORY, slug=slug)
        for language, name in names.items():
            term.set_name(language, name)
        categories.append(term)
    tags = []
    for k in range(len(TAG_WORDS["en"])):
        for year in range(2015, 2027, 3):
            term = Term(kind=TermKind.TAG, slug=f"tag-{k}-{year}")
            for language in LANGUAGES:
                term.set_name(language, f"{TAG_WORDS[language][k]} {year}")
            tags.append(term)
    session.add_all(categories + tags)
    session.commit()
    return categories, tags


def source(entry: Entry) -> str:
    """Return the Markdown of a post: a few paragraphs, a heading, a list and a link."""
    language, g = entry.language, entry.group % BODIES
    subject = SUBJECTS[language][g % len(SUBJECTS[language])]
    sentences = SENTENCES[language]
    year = 1700 + g % 250

    def paragraph(k: int) -> str:
        return " ".join(
            sentences[(g + k + i) % len(sentences)].format(subject=subject, year=year)
            for i in range(4)
        )

    items = "\n".join(f"- {PLACES[(g + i) % len(PLACES)]}, {year + i * 7}" for i in range(4))
    return (
        f"{paragraph(0)}\n\n{paragraph(1)} *{PLACES[g % len(PLACES)]}*.\n\n"
        f"## {HEADINGS[language]}\n\n{paragraph(2)}\n\n{items}\n\n"
        f"{paragraph(3)} [{year}](https://example.org/archives/{g}).\n"
    )


def title(entry: Entry) -> str:
    subject = SUBJECTS[entry.language][entry.group % len(SUBJECTS["en"])]
    place = PLACES[entry.group % len(PLACES)]
    text = TITLES[entry.language].format(subject=subject, place=place, n=entry.group)
    return text[0].upper() + text[1:]


@contextlib.contextmanager
def remembered_rendering():
    """Render each distinct (source, language) once while the store is built.

    Rendering is a pure function and costs about 10 ms a post on the development machine
    (Markdown, typography, bleach), so 10,000 distinct bodies would take minutes. Bodies repeat
    every BODIES groups, titles and slugs never; every post still goes through the validator.
    """
    original = rendering.render_markdown
    remembered = functools.lru_cache(maxsize=None)(original)

    def render_markdown(source, language=None, library=None, posters=None):
        # The generated bodies show no library file and no embed: those are the ones kept.
        if library or posters:
            return original(source, language, library, posters)
        return remembered(source, language)

    rendering.render_markdown = render_markdown
    try:
        yield
    finally:
        rendering.render_markdown = original


def build(session: Session, count: int, progress=None) -> dict[str, int]:
    """Write `count` posts, their terms, announcements and pages; return what was written."""
    with remembered_rendering():
        return _build(session, count, progress)


def _build(session: Session, count: int, progress=None) -> dict[str, int]:
    categories, tags = make_terms(session)
    announced: list[Post] = []
    written = 0
    for entry in plan(count):
        published = START + timedelta(hours=7 * entry.group, minutes=entry.n % 3)
        post = Post(
            kind=Kind.POST,
            language=entry.language,
            title=title(entry),
            slug=f"note-{entry.group}-{entry.language}",
            status=Status.PUBLISHED,
            published_at=published,
            created_at=published,
            updated_at=published,
        )
        post.set_source(source(entry))
        # A key made from the group number: translations need no flush to find their group.
        post.translation_key = str(uuid.UUID(int=entry.group + 1))
        post.publish_on(entry.home, PublicationKind.HOME)
        g = entry.group
        post.terms = [categories[g % len(categories)], categories[(g * 3 + 1) % len(categories)]][
            : 1 + g % 2
        ] + [tags[(g * 7 + i) % len(tags)] for i in range(g % 4)]
        session.add(post)
        # Announcements both ways, on originals only: book → blog, and French blog → book.
        if entry.language == LANGUAGES[entry.group % 3] and (
            entry.home == "book" or (entry.language == "fr" and g % 20 == 3)
        ):
            announced.append(post)
        written += 1
        if written % BATCH == 0:
            session.commit()
            if progress:
                progress(written)
    session.commit()
    announcements = 0
    for original in announced:
        target = "blog" if original.home_site == "book" else "book"
        for language in ("fr", "en") if target == "blog" else ("fr",):
            announcement = Post(
                kind=Kind.ANNOUNCEMENT,
                announces=original,
                language=language,
                title=ANNOUNCE_TITLE[language].format(title=original.title),
                slug=f"{original.slug}-{target}-{language}",
                status=Status.PUBLISHED,
                created_at=original.created_at,
            )
            announcement.set_source(ANNOUNCE[language].format(title=original.title))
            announcement.publish_on(target, PublicationKind.HOME)
            session.add(announcement)
            session.flush()
            announcements += 1
    pages = 0
    for site, items in PAGES.items():
        for order, (slug, titles) in enumerate(items):
            key = None
            for language, page_title in titles.items():
                page = Post(
                    kind=Kind.PAGE,
                    language=language,
                    title=page_title,
                    slug=slug,
                    status=Status.PUBLISHED,
                    published_at=START,
                    menu_order=order,
                )
                page.set_source(source(Entry(order, order, language, site)))
                if key:
                    page.translation_key = key
                page.publish_on(site, PublicationKind.HOME)
                session.add(page)
                session.flush()
                key = page.translation_key
                pages += 1
    session.commit()
    return {"posts": written, "announcements": announcements, "pages": pages}


def sample_pages(session: Session) -> dict[str, tuple[str, str]]:
    """Return (host, path) of the pages the benchmark measures, chosen from the store."""
    triples = (
        select(Post.translation_key)
        .group_by(Post.translation_key)
        .having(func.count() == 3)
        .scalar_subquery()
    )
    post = session.scalar(
        select(Post)
        .where(Post.kind == Kind.POST, Post.language == "en", Post.translation_key.in_(triples))
        .order_by(Post.published_at.desc())
        .limit(1)
    )
    category = next(iter(CATEGORIES))
    return {
        "home": ("blog.localhost", "/en/"),
        "post": (
            "blog.localhost",
            f"/en/{post.published_at:%Y}/{post.published_at:%m}/{post.slug}/",
        ),
        "category": ("blog.localhost", f"/en/category/{category}/"),
        "feed": ("blog.localhost", "/en/feed.atom"),
        "sitemap": ("blog.localhost", "/sitemap-1.xml"),
        "book home": ("book.localhost", "/"),
    }


def make_store(url: str, count: int, quiet: bool = False) -> dict[str, int]:
    """Create the schema at `url` and fill it; return what was written and how long it took."""
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade()
    began = time.perf_counter()

    def progress(done: int) -> None:
        if not quiet:
            rate = done / (time.perf_counter() - began)
            print(f"\r{done}/{count} posts ({rate:.0f}/s)", end="", file=sys.stderr, flush=True)

    with app.extensions["db"]["sessionmaker"]() as session:
        if session.scalar(select(func.count()).select_from(Post)):
            raise SystemExit(f"{url} already holds posts; give an empty database.")
        report = build(session, count, progress)
    app.extensions["db"]["engine"].dispose()
    report["seconds"] = round(time.perf_counter() - began, 1)
    if not quiet:
        print(file=sys.stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="how many posts (default 10000)")
    parser.add_argument(
        "--database",
        default=None,
        help="SQLAlchemy URL of an empty database (default: bench-store.sqlite3 here)",
    )
    args = parser.parse_args()
    url = args.database or f"sqlite:///{Path('bench-store.sqlite3').resolve()}"
    report = make_store(url, args.posts)
    print(
        f"{report['posts']} posts, {report['announcements']} announcements, "
        f"{report['pages']} pages in {report['seconds']} s → {url}"
    )


if __name__ == "__main__":
    main()
