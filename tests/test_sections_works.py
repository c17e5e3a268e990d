"""The works inspired by the book (« Les liaisons artistiques »): gallery, pages, desk."""

import json

import pytest
from lxml import html as lxml_html
from PIL import Image
from sqlalchemy import select

from blog.moving import static_site
from blog.sections.models import Chapter, Work

from .test_sitemaps import entries

ORIGIN = "http://book.localhost:5000"
WORK = {
    "title": "La rivière sous la ville",
    "slug": "",
    "artist": "Inès Morel",
    "chapter_id": "",
    "images": "liaisons/fresque.png | Une fresque : une rivière bleue sous une rue pavée.\n"
    "liaisons/detail.jpg | Détail de la fresque : des poissons sous une grille.",
    "media": "liaisons/lecture.mp3",
    "transcript": "Sous la rue, l'eau.\n\nElle coule encore.",
    "link": "https://video.example.org/w/riviere",
    "source": "Une **fresque** peinte sur le mur du quai.\n\n<script>alert(1)</script>",
    "position": "1",
    "published": "1",
}


@pytest.fixture
def media(app, tmp_path):
    folder = tmp_path / "media"
    (folder / "liaisons").mkdir(parents=True)
    app.config["MEDIA_DIR"] = str(folder)
    Image.new("RGB", (640, 400), (30, 80, 160)).save(folder / "liaisons" / "fresque.png")
    Image.new("RGB", (300, 450), (200, 180, 60)).save(folder / "liaisons" / "detail.jpg")
    (folder / "liaisons" / "lecture.mp3").write_bytes(b"ID3" + b"\x00" * 500)
    (folder / "liaisons" / "film.webm").write_bytes(b"\x1aE\xdf\xa3" + b"\x00" * 500)
    (folder / "liaisons" / "faux.png").write_bytes(b"<html>not an image</html>")
    return folder


@pytest.fixture
def chapter(session):
    row = Chapter(number=2, title="Sous la voûte", published=True)
    session.add(row)
    session.commit()
    return row


def test_a_work_written_at_the_desk_has_its_page_and_a_card_in_the_gallery(
    desk, book, session, media, chapter
):
    response = desk.send("/admin/book/works/new", {**WORK, "chapter_id": str(chapter.id)})
    assert response.status_code == 302, response.text
    work = session.scalar(select(Work))
    assert work.slug == "la-riviere-sous-la-ville"
    assert [(i.file, i.width, i.height) for i in work.images] == [
        ("liaisons/fresque.png", 640, 400),
        ("liaisons/detail.jpg", 300, 450),
    ]
    # Rendered at save, by rendering.py: the Markdown made HTML, the script gone.
    assert "<strong>fresque</strong>" in work.html and "<script" not in work.html

    gallery = book.get("/liaisons-artistiques/")
    assert gallery.status_code == 200
    tree = lxml_html.fromstring(gallery.data)
    card = tree.xpath('//li[@class="work-card"]')[0]
    assert card.xpath("h2/a/@href") == ["/liaisons-artistiques/la-riviere-sous-la-ville/"]
    image = card.xpath(".//img")[0]
    assert (image.get("src"), image.get("width"), image.get("height")) == (
        "/media/liaisons/fresque.png",
        "640",
        "400",
    )
    assert "Inès Morel" in card.text_content()
    assert card.xpath(".//p[@class='meta']/a/@href") == ["/chapitres/#chapitre-2"]
    # The menu links to the gallery.
    assert tree.xpath('//nav//a[@href="/liaisons-artistiques/"]')

    page = book.get("/liaisons-artistiques/la-riviere-sous-la-ville/")
    assert page.status_code == 200
    tree = lxml_html.fromstring(page.data)
    images = tree.xpath("//figure[@class='work-image']/img")
    assert [i.get("alt") for i in images] == [
        "Une fresque : une rivière bleue sous une rue pavée.",
        "Détail de la fresque : des poissons sous une grille.",
    ]
    assert images[0].get("loading") is None and images[1].get("loading") == "lazy"
    audio = tree.xpath("//audio")[0]
    assert audio.get("src") == "/media/liaisons/lecture.mp3" and audio.get("controls") is not None
    transcript = tree.xpath("//details//p/text()")
    assert transcript == ["Sous la rue, l'eau.", "Elle coule encore."]
    assert tree.xpath("//p[@class='work-link']/a/@href") == ["https://video.example.org/w/riviere"]
    assert tree.xpath("//div[@class='content']/p/strong/text()") == ["fresque"]
    assert "<script>alert" not in page.text
    assert tree.xpath("//a[@href='/chapitres/#chapitre-2']")

    meta = {m.get("property") or m.get("name"): m.get("content") for m in tree.xpath("//meta")}
    assert meta["og:image"] == ORIGIN + "/media/liaisons/fresque.png"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("640", "400")
    assert meta["og:title"] == "La rivière sous la ville"
    assert meta["twitter:card"] == "summary_large_image"
    (data,) = [json.loads(s) for s in tree.xpath('//script[@type="application/ld+json"]/text()')]
    assert data["@type"] == "CreativeWork" and data["name"] == "La rivière sous la ville"
    assert data["creator"] == {"@type": "Person", "name": "Inès Morel"}
    assert data["url"] == ORIGIN + "/liaisons-artistiques/la-riviere-sous-la-ville/"
    assert data["image"][0]["contentUrl"] == ORIGIN + "/media/liaisons/fresque.png"
    assert data["image"][0]["width"] == 640
    assert data["associatedMedia"]["@type"] == "AudioObject"
    assert data["associatedMedia"]["transcript"].startswith("Sous la rue")
    assert data["about"] == "2. Sous la voûte" and data["isBasedOn"]["@type"] == "Book"


def test_a_video_gets_a_video_player(desk, book, media):
    typed = {**WORK, "media": "liaisons/film.webm", "transcript": ""}
    assert desk.send("/admin/book/works/new", typed).status_code == 302
    tree = lxml_html.fromstring(book.get("/liaisons-artistiques/la-riviere-sous-la-ville/").data)
    video = tree.xpath("//video")[0]
    assert video.get("src") == "/media/liaisons/film.webm"
    assert video.get("poster") == "/media/liaisons/fresque.png"
    assert not tree.xpath("//audio") and not tree.xpath("//details")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"images": "liaisons/fresque.png"}, "Image 1: write its alt text"),
        ({"images": "liaisons/fresque.png |   "}, "Image 1: write its alt text"),
        ({"images": "liaisons/absent.png | Une image"}, "Image 1: there is no file"),
        ({"images": "liaisons/faux.png | Une image"}, "Image 1: a JPEG, PNG, WebP or GIF"),
        ({"images": "../secret.png | Une image"}, "Image 1: there is no file"),
        ({"media": "liaisons/fresque.png"}, "a file of one of these types"),
        ({"slug": "Pas Une Adresse"}, "lowercase letters, digits and hyphens"),
        ({"link": "javascript:alert(1)"}, "a web address starting with https://"),
        ({"artist": ""}, "Artist: required."),
        ({"chapter_id": "999"}, "Choose one of the values offered."),
        ({"source": "> " * 200 + "deep"}, "too deeply"),
    ],
)
def test_a_refused_work_comes_back_as_typed_with_its_reason(desk, session, media, changes, reason):
    typed = {**WORK, "title": "Une œuvre « à part »", **changes}
    response = desk.send("/admin/book/works/new", typed)
    assert response.status_code == 422
    assert reason in response.text
    assert "Une œuvre « à part »" in response.text
    assert session.scalar(select(Work)) is None


def test_two_works_cannot_share_an_address(desk, book, session, media):
    assert desk.send("/admin/book/works/new", WORK).status_code == 302
    address = "/liaisons-artistiques/la-riviere-sous-la-ville/"
    assert "La rivière sous la ville" in book.get(address).text
    response = desk.send("/admin/book/works/new", WORK)
    assert response.status_code == 422 and "Another work has this address" in response.text
    # Saving the same work again keeps its own address.
    work = session.scalar(select(Work))
    response = desk.send(f"/admin/book/works/{work.id}", {**WORK, "title": "Nouveau titre"})
    assert response.status_code == 302
    session.refresh(work)
    assert (work.title, work.slug) == ("Nouveau titre", "la-riviere-sous-la-ville")
    # The page follows the edit (the page cache is told by the store's state).
    assert "Nouveau titre" in book.get(address).text


def test_the_desk_shows_a_work_as_it_was_saved(desk, session, media, chapter):
    desk.send("/admin/book/works/new", {**WORK, "chapter_id": str(chapter.id)})
    work = session.scalar(select(Work))
    form = lxml_html.fromstring(desk.get(f"/admin/book/works/{work.id}").data)
    assert form.xpath("//textarea[@name='images']/text()")[0].strip() == WORK["images"]
    assert form.xpath("//select[@name='chapter_id']/option[@selected]/@value") == [str(chapter.id)]
    assert form.xpath("//textarea[@name='source']/text()")[0].strip() == WORK["source"]
    assert "La rivière sous la ville" in desk.get("/admin/book/works/").text
    # A help text is text, even with angle brackets in it.
    assert "/media/&lt;name&gt;" in desk.get("/admin/book/works/new").text


def test_unpublished_works_reach_no_page_sitemap_or_gallery(desk, book, blog, session, media):
    desk.send("/admin/book/works/new", {**WORK, "published": ""})
    desk.send("/admin/book/works/new", {**WORK, "title": "Publiée", "slug": "publiee"})
    assert book.get("/liaisons-artistiques/la-riviere-sous-la-ville/").status_code == 404
    gallery = book.get("/liaisons-artistiques/").text
    assert "Publiée" in gallery and "La rivière sous la ville" not in gallery
    listed = entries(book)
    assert ORIGIN + "/liaisons-artistiques/publiee/" in listed
    assert ORIGIN + "/liaisons-artistiques/" in listed
    assert not [url for url in listed if "la-riviere-sous-la-ville" in url]
    assert blog.get("/fr/liaisons-artistiques/").status_code == 404
    assert blog.get("/fr/liaisons-artistiques/publiee/").status_code == 404
    assert book.get("/liaisons-artistiques/nope/").status_code == 404


def test_a_deleted_chapter_leaves_the_work_without_a_chapter(desk, book, session, media, chapter):
    desk.send("/admin/book/works/new", {**WORK, "chapter_id": str(chapter.id)})
    session.delete(chapter)
    session.commit()
    work = session.scalar(select(Work))
    session.refresh(work)
    assert work.chapter_id is None
    page = book.get("/liaisons-artistiques/la-riviere-sous-la-ville/")
    assert page.status_code == 200 and "chapitre-2" not in page.text


def test_the_static_export_writes_published_works_only(app, desk, media, tmp_path):
    desk.send("/admin/book/works/new", WORK)
    desk.send("/admin/book/works/new", {**WORK, "slug": "brouillon", "published": ""})
    static_site.export(app, static_site.plan(app), tmp_path / "site")
    written = {p.relative_to(tmp_path / "site").as_posix() for p in tmp_path.rglob("*.html")}
    assert "book.localhost/liaisons-artistiques/index.html" in written
    assert "book.localhost/liaisons-artistiques/la-riviere-sous-la-ville/index.html" in written
    assert not [name for name in written if "brouillon" in name]
