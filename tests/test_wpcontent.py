"""WordPress bodies and titles made into the store's text: shortcodes, blocks, embeds, uploads."""

import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from blog.models import Media, Post
from blog.moving import wpcontent, wxr

DATA = Path(__file__).parent / "data" / "wxr"
UPLOADS = "https://crues.example.net/wp-content/uploads/2024/05/"


@pytest.fixture
def media(app, tmp_path):
    """The media folder of the app, in the test's own directory."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def import_wxr(app, media):
    def run(name: str, *options: str, site: str = "blog"):
        args = ["import-wxr", str(DATA / name), "--site", site, *options]
        return app.test_cli_runner().invoke(args=args)

    return run


def png(width: int = 1, height: int = 1) -> bytes:
    """Return a tiny valid PNG image, made here rather than kept as a binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def posts(session) -> dict[str, Post]:
    session.expire_all()
    return {p.slug: p for p in session.scalars(select(Post))}


def elements(html: str, tag: str) -> list:
    return lxml_html.fragment_fromstring(html, create_parent="div").findall(f".//{tag}")


# Shortcodes, blocks and embeds, through the whole import


def test_shortcodes_become_html_and_never_reach_readers(import_wxr, session, blog):
    result = import_wxr("content.xml")
    assert result.exit_code == 0, result.output
    post = posts(session)["le-titre-et-co"]
    html = post.html
    for raw in ("[caption", "[/caption]", "[gallery ids", "[audio", "[video", "[embed]"):
        assert raw not in html, raw
    # [caption] → a figure with its (linked) image and its caption.
    figure = next(f for f in elements(html, "figure") if f.find("figcaption") is not None)
    assert figure.find("a/img").get("src") == UPLOADS + "berge-nord-300x200.png"
    assert figure.find("figcaption").text_content() == "La berge nord en mai"
    # [gallery ids=…] → the attachments' images in the given order; a missing id is reported.
    gallery = elements(html, "ul")[0]
    assert gallery.get("class") == "gallery"
    assert [img.get("src") for img in gallery.iter("img")] == [
        UPLOADS + "berge-sud.png",
        UPLOADS + "berge-nord.png",
    ]
    assert gallery.findall("li")[1].find("figure/figcaption").text_content() == "La berge nord"
    assert "[gallery]: attachments not in the export: 999" in result.output
    # [gallery] without ids: the files attached to the post, in their menu order.
    second = elements(html, "ul")[1]
    assert [img.get("alt") for img in second.iter("img")] == ["Berge sud", "Berge nord"]
    # [audio] and [video] → players with their sources, a link inside, never autoplay.
    audio = elements(html, "audio")[0]
    assert audio.get("controls") is not None and audio.get("autoplay") is None
    assert audio.find("source").get("src") == UPLOADS + "crue.mp3"
    assert audio.find("source").get("type") == "audio/mpeg"
    video = elements(html, "video")[0]
    assert (video.get("poster"), video.get("width"), video.get("height")) == (
        UPLOADS + "affiche.png",
        "640",
        "360",
    )
    assert video.get("autoplay") is None
    assert video.find("source").get("src") == UPLOADS + "crue.mp4"
    assert f'type="video/mp4"><a href="{UPLOADS}crue.mp4">crue.mp4</a></video>' in html
    # A format no browser plays: a link to the file.
    assert '<a href="https://crues.example.net/old.wmv">old.wmv</a>' in html
    # The page readers get has the players, not the syntax.
    page = blog.get("/fr/2024/05/le-titre-et-co/").get_data(as_text=True)
    assert "<video controls" in page and "<audio controls" in page and "[caption" not in page


def test_embeds_and_bare_provider_urls_become_links_named_after_the_provider(import_wxr, session):
    import_wxr("content.xml")
    links = {
        a.get("href"): a.text_content()
        for a in elements(posts(session)["le-titre-et-co"].html, "a")
    }
    # The post is French: the link's words are French. In the source, a link named after its
    # provider; on the page, a poster loading the player when clicked (mediahtml.py).
    source = posts(session)["le-titre-et-co"].source
    assert ">Vidéo sur YouTube</a>" in source and ">Son sur SoundCloud</a>" in source
    assert (
        links["https://www.youtube.com/watch?v=dQw4w9WgXcQ"] == "YouTubeVoir la vidéo sur YouTube"
    )
    assert links["https://soundcloud.com/atelier/crue-de-mai"] == "SoundCloudÉcouter sur SoundCloud"
    assert links["https://vimeo.com/76979871"] == "VimeoVoir la vidéo sur Vimeo"
    assert posts(session)["le-titre-et-co"].html.count("data-embed=") == 3
    # Another URL alone on its line is left as the author wrote it (Markdown shows it as text).
    assert "https://example.org/une-adresse-seule" in posts(session)["le-titre-et-co"].source
    assert "https://example.org/une-adresse-seule" not in links


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "Vidéo sur Dailymotion"),
        ("en", "Video on Dailymotion"),
        ("it", "Video su Dailymotion"),
    ],
)
def test_provider_link_speaks_the_post_language(app, language, words):
    with app.app_context():
        result = wpcontent.convert(
            "https://www.dailymotion.com/video/x7tgad0\n", post_id=1, language=language
        )
    assert f'<a href="https://www.dailymotion.com/video/x7tgad0">{words}</a>' in result.source


def test_gutenberg_comments_are_stripped_and_indentation_makes_no_code_block(import_wxr, session):
    import_wxr("content.xml")
    post = posts(session)["le-titre-et-co"]
    assert "wp:" not in post.source and "wp:" not in post.html
    assert "<p>Un paragraphe indenté dans un groupe.</p>" in post.html
    # Only the author's own <pre> is code, its indentation and brackets kept.
    assert len(elements(post.html, "pre")) == 1
    assert "    du code indenté [gallery] reste" in elements(post.html, "pre")[0].text_content()


def test_more_marker_sets_the_summary_unless_the_item_has_an_excerpt(import_wxr, session):
    import_wxr("content.xml")
    found = posts(session)
    assert found["le-titre-et-co"].summary == "Avant la coupure, le fleuve monte."
    assert "more" not in found["le-titre-et-co"].source
    given = found["resume-donne"]
    assert given.summary == "Le résumé de l’auteur."
    assert "<!--more" not in given.source and "Fin." in given.html


def test_unknown_shortcodes_stay_and_are_listed_with_their_count(import_wxr, session):
    result = import_wxr("content.xml")
    post = posts(session)["le-titre-et-co"]
    assert "[footnote]une note[/footnote]" in post.source
    assert '[contact-form-7 id="4"]' in post.source
    assert "[sic]" in post.source
    assert "post 10 “Le titre & co”: 2 × [footnote], 1 × [contact-form-7]" in result.output
    assert "[sic]" not in result.output  # brackets in prose are not a shortcode
    assert (
        "Converted from WordPress's syntax: 1 [audio], 1 [caption], 1 [embed], 2 [gallery], "
        "2 [video], 1 link to SoundCloud, 1 link to YouTube" in result.output
    )


def test_shortcode_attributes_are_read_as_wordpress_reads_them():
    assert wpcontent._attributes(""" ids="1,2" columns='3' size=large "loose" bare""") == {
        "ids": "1,2",
        "columns": "3",
        "size": "large",
        "0": "loose",
        "1": "bare",
    }


def test_shortcodes_are_told_apart_from_brackets_in_text():
    result = wpcontent.convert(
        '[caption id="1"]x[/caption] [gallery ids="9"] [sic] [[gallery]] [a link](https://x.org) '
        "[footnote]n[/footnote] [^1]",
        post_id=1,
        language="en",
    )
    assert result.unknown == {"[footnote]": 1}
    assert result.converted == {"[caption]": 1, "[gallery]": 1}
    # [[gallery]] is WordPress's way of writing the shortcode itself.
    assert "[sic] [gallery] [a link](https://x.org)" in result.source


def test_a_hostile_shortcode_is_neutralised_by_the_sanitizer(app):
    from blog.rendering import render_markdown

    with app.app_context():
        result = wpcontent.convert(
            '[video src="javascript:alert(1)//x.mp4" poster="javascript:alert(2)"]\n'
            '[caption]<img src=x onerror=alert(3)> "><script>alert(4)</script>[/caption]\n'
            "[embed]javascript:alert(5)[/embed]",
            post_id=1,
            language="en",
        )
    html = render_markdown(result.source)
    assert "<script" not in html and "onerror" not in html
    for element in lxml_html.fragment_fromstring(html, create_parent="div").iter():
        assert not any("javascript" in value for value in element.attrib.values())


# Titles


def test_titles_are_plain_text_and_a_long_one_is_cut_at_a_word_and_reported(
    import_wxr, session, blog
):
    result = import_wxr("content.xml")
    found = posts(session)
    assert found["le-titre-et-co"].title == "Le titre & co"
    long = found["titre-long"].title
    # Cut where a word ends, with an ellipsis.
    assert len(long) <= 300 and long.endswith("…")
    assert found["titre-long"].title[:-1] + " " in ("Un titre très long " * 20)
    assert "Titles cut to 300 characters:\n  post 11: 379 characters" in result.output
    page = blog.get("/fr/2024/05/le-titre-et-co/").get_data(as_text=True)
    assert "<title>Le titre &amp; co" in page and "&lt;em&gt;" not in page


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("<em>Le</em> titre &amp; co", "Le titre & co"),
        ("L&#8217;été &laquo;&nbsp;chaud&nbsp;&raquo;", "L’été « chaud »"),
        ("a < b and c > d", "a < b and c > d"),
        ("<script>x</script>Titre", "xTitre"),
        ("  deux\n lignes ", "deux lignes"),
    ],
)
def test_plain_title(title, text):
    assert wpcontent.plain_title(title) == text


# Polylang in its two shapes


def test_polylang_groups_from_the_serialized_description_alone(import_wxr, session):
    result = import_wxr("polylang-serialized.xml")
    assert result.exit_code == 0, result.output
    found = posts(session)
    assert found["la-crue-de-mai"].translation_key == found["the-may-flood"].translation_key
    # Ids may be given as strings of digits.
    assert found["la-digue"].translation_key == found["the-dike"].translation_key
    assert found["la-crue-de-mai"].translation_key != found["la-digue"].translation_key
    # A damaged description is a report line, never a traceback; its posts still come.
    assert found["le-pont"].translation_key != found["the-bridge"].translation_key
    assert "Polylang group pll_65a0c2: its description cannot be read" in result.output
    assert "2 translation groups" in result.output
    again = import_wxr("polylang-serialized.xml")
    assert "6 items were already imported" in again.output


def test_polylang_groups_from_the_per_item_term(import_wxr, session):
    # The other shape: each item names its group (tests/data/wxr/polylang.xml).
    result = import_wxr("polylang.xml")
    assert "2 translation groups" in result.output
    found = posts(session)
    assert found["a-propos"].translation_key == found["about"].translation_key


@pytest.mark.parametrize(
    "description",
    [
        "",
        'a:1:{s:2:"fr";i:12;',
        'a:2:{s:2:"fr";i:12;}',
        'a:1:{s:9:"fr";i:1;}',
        'O:8:"stdClass":0:{}',
    ],
)
def test_malformed_serialized_groups_are_refused(description):
    with pytest.raises(ValueError):
        wxr.php_translations(description)


# Uploads


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads with two images, and a secret outside it."""
    folder = tmp_path / "uploads"
    (folder / "2024" / "05").mkdir(parents=True)
    for name in ("berge-nord.png", "berge-nord-300x200.png", "berge-sud.png", "affiche.png"):
        (folder / "2024" / "05" / name).write_bytes(png())
    (folder / "2024" / "05" / "crue.mp3").write_bytes(b"ID3" + bytes(64))
    (folder / "2024" / "05" / "rapport.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "secret.txt").write_text("not for the web")
    (folder / "2024" / "05" / "crue.mp4").symlink_to(tmp_path / "secret.txt")
    (folder / ".htaccess").write_text("deny")
    return folder


def test_uploads_become_library_files_and_links_point_to_them(
    import_wxr, session, blog, uploads, media
):
    (uploads / "2024" / "05" / "berge-nord.png").write_bytes(png(1200, 800))
    (uploads / "2024" / "05" / "notes.txt").write_text("pas pour la bibliothèque")
    result = import_wxr("content.xml", "--uploads", str(uploads))
    assert result.exit_code == 0, result.output
    found = posts(session)
    html = found["le-titre-et-co"].html + found["lien"].html
    library = {m.original_name: m for m in session.scalars(select(Media))}
    # WordPress's resized copy leads to its original, which the library resizes itself.
    nord = library["2024/05/berge-nord.png"]
    assert "2024/05/berge-nord-300x200.png" not in library
    assert (nord.name, nord.width, nord.height) == ("berge-nord.png", 1200, 800)
    assert nord.widths == [480, 960]
    stem = f"/media/v/berge-nord.{nord.fingerprint}"
    assert f'srcset="{stem}.w480.webp 480w, {stem}.w960.webp 960w, {stem}.webp 1200w"' in html
    assert f'<img src="{stem}.png" srcset="{stem}.w480.png 480w' in html
    assert 'alt="La berge" width="1200" height="800"' in html
    assert '<a href="/media/rapport.pdf">Rapport</a>' in html
    # A site-relative link to the uploads folder is recognised too.
    sud = library["2024/05/berge-sud.png"]
    assert f'<img src="/media/v/berge-sud.{sud.fingerprint}.png"' in html
    assert '<source src="/media/crue.mp3"' in html
    assert {m.kind for m in library.values()} == {"image", "document", "audio"}
    with blog.get(f"{stem}.w480.webp") as served:
        assert served.status_code == 200 and served.mimetype == "image/webp"
    # The featured image (_thumbnail_id) is the library's, with WordPress's alt text.
    assert found["le-titre-et-co"].featured_media_id == sud.id
    assert sud.text("fr").alt == "La berge sud, en crue"
    assert "1 featured images set from the library." in result.output
    # Missing files stay linked at the old site and are listed.
    assert UPLOADS + "absente.png" in html
    assert "Not found in the uploads folder (linked at their old address):\n" in result.output
    assert "  2024/05/absente.png" in result.output
    # A symlink out of the folder, a dot file and ".." never bring anything in.
    assert not (media / "uploads" / "2024" / "05" / "crue.mp4").exists()
    assert not list(media.rglob(".htaccess")) and not list(media.rglob("wp-config.php"))
    assert not list(media.rglob("secret.txt"))
    assert "  2024/05/crue.mp4" in result.output.split("Refused")[1]
    assert "  2024/05/.htaccess" in result.output.split("Refused")[1]
    assert "files copied from the uploads folder into the media store (" in result.output
    assert "of them into the media library)." in result.output
    assert all(
        Path(os.path.realpath(p)).is_relative_to(os.path.realpath(media)) for p in media.rglob("*")
    )


def test_without_uploads_links_stay_external_and_are_counted(import_wxr, session, media):
    result = import_wxr("content.xml")
    assert UPLOADS + "rapport.pdf" in posts(session)["lien"].html
    assert (
        "files of the WordPress uploads folder are linked at their old address "
        "(import with --uploads DIR to bring them here)." in result.output
    )
    assert not media.exists()


def test_a_file_of_the_same_name_is_not_overwritten(import_wxr, session, uploads, media):
    media.mkdir()
    (media / "berge-sud.png").write_bytes(b"the author's own file")
    target = media / "uploads" / "2024" / "05" / "notes.txt"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the author's own notes")
    (uploads / "2024" / "05" / "notes.txt").write_text("les notes de WordPress")
    with (DATA / "content.xml").open() as f:
        export = f.read().replace("2024/05/rapport.pdf", "2024/05/notes.txt")
    (media.parent / "notes.xml").write_text(export)
    result = import_wxr(str(media.parent / "notes.xml"), "--uploads", str(uploads))
    assert result.exit_code == 0, result.output
    assert (media / "berge-sud.png").read_bytes() == b"the author's own file"
    assert target.read_bytes() == b"the author's own notes"
    html = posts(session)["lien"].html
    assert "/media/v/berge-sud-2." in html
    assert '<a href="/media/uploads/2024/05/notes-2.txt">Rapport</a>' in html


def test_a_failed_import_leaves_no_copied_file(import_wxr, session, uploads, media, monkeypatch):
    from blog.moving import wordpress

    def fail(self, post, plan):
        raise wordpress.WordPressImportError("the disk is full")

    monkeypatch.setattr(wordpress._Import, "_old_addresses", fail)
    result = import_wxr("content.xml", "--uploads", str(uploads))
    assert "Nothing was imported." in result.output
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "path",
    ["../secret.txt", "2024/../../secret.txt", "/etc/passwd", "2024//x.png", "a\\b.png", "C:x.png"],
)
def test_upload_paths_out_of_the_folder_are_refused(tmp_path, uploads, path):
    from blog.moving.wpuploads import Uploads

    copier = Uploads(uploads, tmp_path / "media")
    assert copier.place(path) is None
    assert copier.refused == [path]
    assert not (tmp_path / "media").exists()


@pytest.mark.parametrize(
    "hostile",
    ["<!-- wp:a " * 50_000, "<!--more" * 50_000, "[caption]x" * 50_000, "[embed]" * 60_000],
    ids=["unclosed block comments", "unclosed more", "unclosed captions", "empty embeds"],
)
def test_conversion_stays_linear_on_hostile_bodies(app, hostile):
    # Quadratic scans of these half-megabyte bodies take minutes; a linear one, a fraction of
    # a second (the bound leaves room for a busy machine).
    started = time.perf_counter()
    with app.app_context():
        wpcontent.convert(hostile, post_id=1, language="fr", uploads_base="https://x.org")
    assert time.perf_counter() - started < 10


def test_uploads_already_in_the_media_folder_become_library_files(
    import_wxr, session, uploads, media
):
    media.mkdir()
    uploads.rename(media / "uploads")
    result = import_wxr("content.xml")
    assert result.exit_code == 0, result.output
    library = {m.original_name: m.name for m in session.scalars(select(Media))}
    assert library["2024/05/berge-sud.png"] == "berge-sud.png"
    assert '<a href="/media/rapport.pdf">Rapport</a>' in posts(session)["lien"].html
    # The files stay where the author put them.
    assert (media / "uploads" / "2024" / "05" / "berge-sud.png").read_bytes() == png()
