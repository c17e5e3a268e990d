"""The store as a Markdown folder: export, then import into an empty database, gives it back."""

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from blog.comments.models import Comment
from blog.models import (
    Media,
    OldAddress,
    Post,
    Revision,
    SlugHistory,
    StoreState,
    Term,
)
from blog.moving.markdown_format import read_file

from .helpers import empty_tables

DATA = Path(__file__).parent / "data" / "wxr"
POST_FIELDS = (
    "kind", "title", "summary", "source", "html", "status", "published_at", "created_at",
    "updated_at", "deleted_at", "menu_order", "translation_key",
)  # fmt: skip


@pytest.fixture
def rich_store(cli, session):
    """Fill the store: the demo (cross-posts, announcements), a WordPress import, a moved post."""
    cli("demo")
    cli("import-wxr", str(DATA / "polylang.xml"), "--site", "blog")
    post = session.scalar(select(Post).where(Post.slug == "a-propos"))
    post.slug = "qui-ecrit-ici"
    session.commit()


def snapshot(session) -> dict:
    """Return the store's content keyed by natural keys (ids differ from one store to another)."""
    session.expire_all()
    posts = {}
    for p in session.scalars(select(Post)):
        posts[(p.language, p.slug)] = {
            **{name: getattr(p, name) for name in POST_FIELDS},
            "publications": sorted((x.site, x.kind) for x in p.publications),
            "terms": sorted((t.kind, t.slug) for t in p.terms),
            "announces": (p.announces.language, p.announces.slug) if p.announces else None,
        }
    slugs = {t.id: t.slug for t in session.scalars(select(Term))}
    terms = {
        (t.kind, t.slug): ({n.language: n.name for n in t.names}, slugs.get(t.parent_id))
        for t in session.scalars(select(Term))
    }
    keys = {p.id: (p.language, p.slug) for p in session.scalars(select(Post))}
    addresses = sorted(
        (a.site, a.path, a.query, keys[a.post_id]) for a in session.scalars(select(OldAddress))
    )
    history = sorted(
        (h.language, h.slug, h.changed_at, keys[h.post_id])
        for h in session.scalars(select(SlugHistory))
    )
    comments = {
        c.id: c for c in session.scalars(select(Comment).where(Comment.status == "approved"))
    }
    threads = sorted(
        (keys[c.post_id], c.name, c.created_at, c.source, c.website, c.by_author,
         comments[c.parent_id].source if c.parent_id else None)
        for c in comments.values()
    )  # fmt: skip
    return {
        "posts": posts,
        "terms": terms,
        "addresses": addresses,
        "history": history,
        "comments": threads,
    }


def test_export_then_import_into_an_empty_database_gives_the_same_store(
    app, cli, session, rich_store, tmp_path
):
    before = snapshot(session)
    assert len(before["posts"]) > 30 and before["addresses"] and before["history"]
    assert any(p["announces"] for p in before["posts"].values())
    assert any(p["deleted_at"] for p in before["posts"].values())
    assert any(len(p["publications"]) > 1 for p in before["posts"].values())
    assert any(parent for _names, parent in before["terms"].values())
    assert any(parent for *_rest, parent in before["comments"])
    cli("export-markdown", str(tmp_path / "out"))
    session.close()
    empty_tables(app.extensions["db"]["engine"])
    assert snapshot(session)["posts"] == {}
    result = cli("import-markdown", str(tmp_path / "out"))
    assert f"{len(before['posts'])} created, 0 updated, 0 unchanged" in result.output
    after = snapshot(session)
    for key in before:
        assert after[key] == before[key], key


def test_media_are_written_beside_the_posts_and_linked_relatively(
    app, cli, session, rich_store, tmp_path
):
    out = tmp_path / "out"
    cli("export-markdown", str(out))
    assert (out / "media" / "plan-de-castelbrune-1890.png").is_file()
    assert (out / "media" / "communique-de-presse.pdf").read_bytes().startswith(b"%PDF")
    assert not (out / "media" / "v").exists()  # the copies are made again on import
    text = (out / "posts" / "fr" / "pourquoi-les-rivieres-disparaissent-des-cartes.md").read_text()
    assert "![](../../media/plan-de-castelbrune-1890.png)" in text and "(/media/" not in text
    # The relative link leads to the file, from the post's own file.
    post_file = out / "posts" / "fr" / "pourquoi-les-rivieres-disparaissent-des-cartes.md"
    assert (post_file.parent / "../../media/plan-de-castelbrune-1890.png").resolve().is_file()
    library = (out / "media.yaml").read_text(encoding="utf-8")
    assert "plan-de-castelbrune-1890.png" in library and "Castelbrune, plan de 1890" in library


def test_a_folder_with_media_comes_back_into_a_new_instance(
    app, cli, session, rich_store, tmp_path
):
    media_folder = Path(app.config["MEDIA_DIR"])
    before = {m.name: (m.fingerprint, m.width, m.texts[0].alt if m.texts else "")
              for m in session.scalars(select(Media))}  # fmt: skip
    html = session.scalar(select(Post).where(Post.slug == "why-rivers-vanish-from-maps")).html
    out = tmp_path / "out"
    cli("export-markdown", str(out))
    session.close()
    empty_tables(app.extensions["db"]["engine"])
    shutil.rmtree(media_folder)
    cli("import-markdown", str(out))
    after = {m.name: (m.fingerprint, m.width, m.texts[0].alt if m.texts else "")
             for m in session.scalars(select(Media))}  # fmt: skip
    assert after == before and len(after) == 11
    post = session.scalar(select(Post).where(Post.slug == "why-rivers-vanish-from-maps"))
    assert post.source.count("(/media/plan-de-castelbrune-1890.png)") == 1
    assert post.html == html and "srcset=" in html
    assert any((media_folder / "v").glob("plan-de-castelbrune-1890.*.w480.webp"))


def test_a_post_file_holds_its_front_matter_and_its_source(app, cli, session, rich_store, tmp_path):
    cli("export-markdown", str(tmp_path))
    meta, source = read_file(tmp_path / "posts" / "fr" / "les-rivieres-oubliees-de-lyon.md")
    post = session.scalar(select(Post).where(Post.slug == "les-rivieres-oubliees-de-lyon"))
    assert source == post.source
    assert meta["language"] == "fr" and meta["translation_group"] == post.translation_key
    assert meta["published"] == "2019-03-04T09:30:00Z"
    assert meta["categories"] == ["rivieres"] and meta["tags"] == ["archives"]
    assert {"site": "blog", "path": "/", "query": "p=101"} in meta["old_addresses"]
    # Its approved comments, a reply naming the comment it answers; no email, no spam.
    assert [(c["id"], c["name"], c.get("reply_to")) for c in meta["comments"]] == [
        (1, "Lucie", None), (2, "Claire", 1), (3, "Lucie", 1)
    ]  # fmt: skip
    assert meta["comments"][0] == {
        "id": 1, "name": "Lucie", "date": "2019-03-05T11:00:00Z", "text": "Et la Rize ?"
    }  # fmt: skip
    assert meta["comments"][1]["website"] == "https://carnet.example.net/"
    assert not any("email" in c for c in meta["comments"])
    # Sites: the home site first.
    crossposted = session.scalars(select(Post)).all()
    shared = next(p for p in crossposted if len(p.sites) > 1)
    folder = {"post": "posts", "page": "pages", "announcement": "announcements"}[shared.kind]
    meta, _source = read_file(tmp_path / folder / shared.language / f"{shared.slug}.md")
    assert meta["sites"][0] == shared.home_site and set(meta["sites"]) == set(shared.sites)
    announcement = next(p for p in crossposted if p.kind == "announcement")
    meta, _source = read_file(
        tmp_path / "announcements" / announcement.language / f"{announcement.slug}.md"
    )
    original = announcement.announces
    assert meta["kind"] == "announcement"
    assert meta["announces"] == f"{original.language}/{original.slug}"
    terms = yaml.safe_load((tmp_path / "terms.yaml").read_text(encoding="utf-8"))
    assert {"kind": "category", "slug": "rivieres", "parent": "terrain",
            "names": {"en": "Rivers", "fr": "Rivières"}} in terms  # fmt: skip
    assert (tmp_path / "sites.toml").read_bytes() == Path(app.config["SITES_FILE"]).read_bytes()


def test_importing_the_same_folder_again_changes_nothing(cli, session, rich_store, tmp_path):
    cli("export-markdown", str(tmp_path))
    version = session.scalar(select(StoreState.version))
    revisions = session.scalar(select(func.count(Revision.id)))
    comments = session.scalar(select(func.count(Comment.id)))
    result = cli("import-markdown", str(tmp_path))
    assert "0 created, 0 updated" in result.output
    session.expire_all()
    assert session.scalar(select(StoreState.version)) == version
    assert session.scalar(select(func.count(Revision.id))) == revisions
    assert session.scalar(select(func.count(Comment.id))) == comments


def test_an_author_edits_a_file_and_writes_a_new_one(cli, session, tmp_path, make_post, make_term):
    make_term("tag", "crues", fr="Crues")
    post = make_post(language="fr", slug="les-crues", title="Les crues", source="Avant.")
    cli("export-markdown", str(tmp_path))
    path = tmp_path / "posts" / "fr" / "les-crues.md"
    meta, _source = read_file(path)
    meta["title"] = "Les grandes crues"
    meta["tags"] = ["crues"]
    path.write_text(f"---\n{yaml.safe_dump(meta)}---\nAprès.\n", encoding="utf-8")
    (tmp_path / "posts" / "fr" / "nouveau.md").write_text(
        "---\ntitle: Un billet écrit ailleurs\nlanguage: fr\nsites: [blog]\n---\nSon *texte*.\n",
        encoding="utf-8",
    )
    result = cli("import-markdown", str(tmp_path))
    assert "1 created, 1 updated" in result.output
    session.expire_all()
    edited = session.get(Post, post.id)
    assert (edited.title, edited.source) == ("Les grandes crues", "Après.\n")
    assert [t.slug for t in edited.terms] == ["crues"]
    new = session.scalar(select(Post).where(Post.slug == "un-billet-ecrit-ailleurs"))
    assert (new.status, new.home_site, new.html) == ("draft", "blog", "<p>Son <em>texte</em>.</p>")
    notes = session.scalars(select(Revision.note).where(Revision.post_id == edited.id)).all()
    assert "Imported from Markdown" in notes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: T\nlanguage: fr\nsites: [blog]\ncolour: red\n---\nx", "unknown key 'colour'"),
        ("title: T\n", "a post starts with a line '---'"),
        ("---\ntitle: T\nlanguage: fr\n---\nx", "the key 'sites' is missing"),
        ("---\ntitle: T\nlanguage: en\nsites: [book]\n---\nx", "The site book publishes only in"),
        ("---\ntitle: [unclosed\n---\nx", "not valid YAML"),
        ("---\ntitle: T\nlanguage: fr\nsites: [blog]\ntags: [nowhere]\n---\nx", "'nowhere'"),
    ],
)
def test_a_wrong_file_is_refused_by_name_and_nothing_is_imported(
    cli, session, tmp_path, text, message
):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a-good-one.md").write_text(
        "---\ntitle: Good\nlanguage: fr\nsites: [blog]\n---\nFine.", encoding="utf-8"
    )
    (tmp_path / "posts" / "wrong.md").write_text(text, encoding="utf-8")
    result = cli("import-markdown", str(tmp_path), ok=False)
    assert result.exit_code == 1
    assert "wrong.md" in result.output and message in result.output
    assert session.scalar(select(func.count(Post.id))) == 0


def test_export_refuses_a_folder_that_is_not_empty(cli, tmp_path):
    (tmp_path / "old.md").write_text("x", encoding="utf-8")
    result = cli("export-markdown", str(tmp_path), ok=False)
    assert result.exit_code == 1 and "is not empty" in result.output
