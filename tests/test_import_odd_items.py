"""Importers never crash on one odd item: each is refused with its line or file and a reason.

import-wxr leaves an odd item out and lists it under "Skipped" (line, item, reason); the
rest is imported. import-markdown refuses the whole folder, naming the file (and the line
of terms.yaml) and the reason: nothing is imported. Both in one transaction, as before.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from blog.models import Post, Term

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Odd</title><wp:wxr_version>1.2</wp:wxr_version>
"""


def item(post_id: str, title: str, *, excerpt: str = "", name: str = "", body: str = "Text."):
    return f"""<item>
<title>{title}</title>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_type>post</wp:post_type>
<wp:status>publish</wp:status>
<wp:post_name>{name}</wp:post_name>
<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
<content:encoded><![CDATA[{body}]]></content:encoded>
<excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
</item>
"""


def export(tmp_path, *items: str):
    path = tmp_path / "odd.xml"
    path.write_text(HEAD + "".join(items) + "</channel></rss>\n", encoding="utf-8")
    return path


def titles(session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(Post.title)))


@pytest.mark.parametrize(
    ("odd", "reason"),
    [
        # (An over-long title is not odd: it is cut at a word and reported, see test_wpcontent.)
        (item("2", "Whole document", excerpt="<html id=x></html>"), "its excerpt cannot be read"),
        (item("²", "Odd id"), "its <wp:post_id> is not a whole number"),
        (item(str(2**63), "Huge id"), "its <wp:post_id> is not a whole number"),
        (item("5", "Delete\x7fcharacter"), "Title: a control character (U+007F)"),
        (item("6", "Long summary", excerpt="s" * 10_001), "Summary: too long"),
    ],
)
def test_wxr_odd_item_is_skipped_with_its_line_and_the_rest_imported(
    cli, session, tmp_path, odd, reason
):
    path = export(tmp_path, item("1", "Good one"), odd, item("7", "Good two"))
    result = cli("import-wxr", str(path), "--site", "blog")
    assert "2 posts" in result.output
    skipped = [line for line in result.output.splitlines() if reason in line]
    assert len(skipped) == 1, result.output
    assert skipped[0].strip().startswith("line 17: post ")
    assert titles(session) == ["Good one", "Good two"]


def test_wxr_overlong_slug_is_shortened_and_reported(cli, session, tmp_path):
    path = export(tmp_path, item("1", "Long slug", name="a" * 300))
    result = cli("import-wxr", str(path), "--site", "blog")
    assert "Slugs changed:" in result.output
    post = session.scalars(select(Post)).one()
    assert post.slug == "a" * 120


def test_wxr_nul_is_refused_with_its_position(cli, session, tmp_path):
    # XML cannot hold NUL, even as a reference: the whole file is refused where it is.
    path = export(tmp_path, item("1", "Good one"), item("2", "Nul &#0; here"))
    result = cli("import-wxr", str(path), "--site", "blog", ok=False)
    assert result.exit_code == 1
    assert "line 18" in result.output and "Nothing was imported." in result.output
    assert titles(session) == []


def test_wxr_odd_numbers_in_metadata_do_not_crash(cli, session, tmp_path):
    odd = item("3", "Trashed").replace(
        "<wp:status>publish</wp:status>",
        "<wp:status>trash</wp:status><wp:menu_order>③</wp:menu_order>"
        "<wp:post_parent>99999999999999999999</wp:post_parent>"
        "<wp:postmeta><wp:meta_key>_wp_trash_meta_time</wp:meta_key>"
        "<wp:meta_value>²</wp:meta_value></wp:postmeta>",
    )
    cli("import-wxr", str(export(tmp_path, odd)), "--site", "blog")
    post = session.scalars(select(Post)).one()
    assert post.deleted_at is not None


# --- import-markdown -------------------------------------------------------------------------


def folder(tmp_path, post: str, terms: str = ""):
    (tmp_path / "posts" / "fr").mkdir(parents=True)
    (tmp_path / "posts" / "fr" / "a-good-one.md").write_text(
        "---\ntitle: Good\nlanguage: fr\nsites: [blog]\n---\nFine.", encoding="utf-8"
    )
    (tmp_path / "posts" / "fr" / "odd.md").write_text(post, encoding="utf-8")
    if terms:
        (tmp_path / "terms.yaml").write_text(terms, encoding="utf-8")
    return str(tmp_path)


GOOD = "---\ntitle: Odd\nlanguage: fr\nsites: [blog]\n---\nText."


@pytest.mark.parametrize(
    ("post", "reason"),
    [
        ('---\ntitle: "Nul\\0 here"\nlanguage: fr\nsites: [blog]\n---\nx', "U+0000"),
        ("---\ntitle: Nul in text\nlanguage: fr\nsites: [blog]\n---\nx\x00y", "U+0000"),
        (f"---\ntitle: {'t' * 301}\nlanguage: fr\nsites: [blog]\n---\nx", "too long (301"),
        (
            f"---\ntitle: T\nslug: {'s' * 121}\nlanguage: fr\nsites: [blog]\n---\nx",
            "Slug: too long (121",
        ),
        ("---\ntitle: T\nslug: Bad Slug/../X\nlanguage: fr\nsites: [blog]\n---\nx", "slug"),
        ("---\ntitle: T\nmenu_order: ²\nlanguage: fr\nsites: [blog]\n---\nx", "digits 0 to 9"),
        (f"---\ntitle: T\nmenu_order: {2**63}\nlanguage: fr\nsites: [blog]\n---\nx", "digits"),
        (f"---\ntitle: T\nlanguage: {'x' * 17}\nsites: [blog]\n---\nx", "Language: too long"),
        ('---\ntitle: T\nsummary: "a\\0"\nlanguage: fr\nsites: [blog]\n---\nx', "U+0000"),
        (
            "---\ntitle: T\nlanguage: fr\nsites: [blog]\nold_addresses: [{path: /x}]\n---\nx",
            "the key 'site' is missing",
        ),
        (
            "---\ntitle: T\nlanguage: fr\nsites: [blog]\nprevious_slugs:\n"
            "  - {language: fr, slug: Bad Slug}\n---\nx",
            "slug",
        ),
    ],
)
def test_markdown_odd_file_is_refused_by_name_and_nothing_imported(
    cli, session, tmp_path, post, reason
):
    result = cli("import-markdown", folder(tmp_path, post), ok=False)
    assert result.exit_code == 1
    assert "odd.md" in result.output and reason in result.output, result.output
    assert "Nothing was imported." in result.output
    assert "Traceback" not in result.output
    assert session.scalar(select(func.count(Post.id))) == 0


@pytest.mark.parametrize(
    ("terms", "line", "reason"),
    [
        ("- kind: tag\n  slug: fine\n- kind: tag\n  slug: Bad Slug/../X\n", 3, "not valid"),
        ('- kind: tag\n  slug: ok\n  names: {fr: "a\\0"}\n', 1, "U+0000"),
        (f"- kind: category\n  slug: ok\n  names: {{fr: {'n' * 201}}}\n", 1, "too long (201"),
        ("- kind: tag\n  slug: ok\n  names: [fr]\n", 1, "names is a mapping"),
        ("- kind: tag\n  slug: ok\n- {kind: person, slug: x}\n", 3, "each term has a kind"),
    ],
)
def test_terms_file_is_checked_line_by_line(cli, session, tmp_path, terms, line, reason):
    result = cli("import-markdown", folder(tmp_path, GOOD, terms), ok=False)
    assert result.exit_code == 1
    assert f"terms.yaml, line {line}: " in result.output and reason in result.output
    assert session.scalar(select(func.count(Term.id))) == 0
    assert session.scalar(select(func.count(Post.id))) == 0


def test_terms_file_with_spaces_around_a_slug_is_read(cli, session, tmp_path):
    terms = "- kind: category\n  slug: ' top '\n- kind: category\n  slug: low\n  parent: top\n"
    cli("import-markdown", folder(tmp_path, GOOD, terms))
    found = {t.slug: t for t in session.scalars(select(Term))}
    assert found["low"].parent_id == found["top"].id
