"""The press kit (files with type and size, one ZIP of everything) and the chapter slides."""

import io
import zipfile

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from blog.sections.models import Chapter, PressFile


@pytest.fixture
def media(app, tmp_path):
    folder = tmp_path / "media"
    (folder / "presse").mkdir(parents=True)
    app.config["MEDIA_DIR"] = str(folder)
    (folder / "presse" / "communique.pdf").write_bytes(b"%PDF-1.4 communique" + b"x" * 2500)
    (folder / "presse" / "couverture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"y" * 1_500_000)
    (folder / "chapitre-1.odp").write_bytes(b"PK odp slides")
    (folder / "notes.txt").write_bytes(b"not slides")
    return folder


def add(session, row):
    session.add(row)
    session.commit()
    return row


def test_the_press_kit_lists_files_with_type_size_and_credit(book, session, media):
    add(session, PressFile(title="Communiqué de presse", file="presse/communique.pdf",
                           kind="press_release", position=1, published=True,
                           description="Une page pour présenter le livre."))  # fmt: skip
    add(session, PressFile(title="Couverture en haute définition", file="presse/couverture.png",
                           kind="image", position=2, published=True,
                           credit="Éditions de l'Aulne"))  # fmt: skip
    add(session, PressFile(title="Brouillon de dossier", file="presse/communique.pdf",
                           position=0, published=False))  # fmt: skip
    add(session, PressFile(title="Fichier disparu", file="presse/absent.pdf", position=3,
                           published=True))  # fmt: skip
    response = book.get("/espace-presse/")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.data)
    titles = [a.text for a in tree.xpath('//li[@class="press-file"]/h2/a')]
    assert titles == ["Communiqué de presse", "Couverture en haute définition"]
    items = tree.xpath('//li[@class="press-file"]')
    assert items[0].xpath("string(p[@class='meta'])") == "PDF · 3 ko"
    assert items[1].xpath("string(p[@class='meta'])") == "PNG · 1,5 Mo"
    assert "Crédit : Éditions de l'Aulne" in items[1].text_content()
    assert tree.xpath('//li[@class="press-file"]/h2/a/@href') == [
        "/media/presse/communique.pdf", "/media/presse/couverture.png",
    ]  # fmt: skip
    assert "Brouillon" not in response.text and "Fichier disparu" not in response.text
    archive_link = tree.xpath('//p[@class="download-all"]/a')[0]
    assert archive_link.get("href") == "/espace-presse/dossier-de-presse.zip"

    archive = book.get("/espace-presse/dossier-de-presse.zip")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    assert "attachment" in archive.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        assert sorted(zipped.namelist()) == ["communique.pdf", "couverture.png"]
        assert zipped.read("communique.pdf") == (media / "presse" / "communique.pdf").read_bytes()
    with book.get("/media/presse/communique.pdf") as served:
        assert served.status_code == 200


def test_chapters_are_listed_in_order_with_their_slides(book, session, media):
    add(session, Chapter(number=2, title="Sous la voûte", summary="La couverture.", published=True))
    add(session, Chapter(number=1, title="Des eaux encombrantes", slides="chapitre-1.odp",
                         summary="Pourquoi couvrir.\n\nEt comment.", published=True))  # fmt: skip
    add(session, Chapter(number=3, title="Chapitre caché", published=False))
    response = book.get("/chapitres/")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.data)
    assert [" ".join(h.text_content().split()) for h in tree.xpath("//main//h2")] == [
        "Chapitre 1 : Des eaux encombrantes", "Chapitre 2 : Sous la voûte",
    ]  # fmt: skip
    first = tree.xpath('//section[@class="chapter"]')[0]
    assert [p.text for p in first.xpath("p")][:2] == ["Pourquoi couvrir.", "Et comment."]
    assert first.xpath(".//a/@href") == ["/media/chapitre-1.odp"]
    assert "ODP" in first.text_content()
    assert "Chapitre caché" not in response.text


def test_the_desk_takes_files_of_the_media_folder_only(desk, book, session, media):
    entry = {"title": "Communiqué", "kind": "press_release", "file": "presse/absent.pdf",
             "description": "", "credit": "", "position": "1", "published": "1"}  # fmt: skip
    response = desk.send("/admin/book/press-kit/new", entry)
    assert response.status_code == 422
    assert "there is no file of this name in the media folder" in response.text
    for name in ("../etc/passwd", "/etc/passwd", ".hidden"):
        assert desk.send("/admin/book/press-kit/new", {**entry, "file": name}).status_code == 422
    assert desk.send("/admin/book/press-kit/new", {**entry, "kind": "nope"}).status_code == 422
    response = desk.send("/admin/book/press-kit/new", {**entry, "file": "presse/communique.pdf"})
    assert response.status_code == 302
    assert session.scalar(select(PressFile)).file == "presse/communique.pdf"
    assert "Communiqué" in book.get("/espace-presse/").text

    chapter = {"number": "1", "title": "Des eaux", "summary": "", "slides": "notes.txt",
               "published": "1"}  # fmt: skip
    response = desk.send("/admin/book/chapters/new", chapter)
    assert response.status_code == 422 and "odp, pdf, pptx" in response.text
    response = desk.send("/admin/book/chapters/new", {**chapter, "number": "un"})
    assert response.status_code == 422
    response = desk.send("/admin/book/chapters/new", {**chapter, "slides": "chapitre-1.odp"})
    assert response.status_code == 302
    assert "Des eaux" in book.get("/chapitres/").text


def test_press_kit_and_chapters_live_on_the_book_site_only(blog, book, media):
    assert "en préparation" in book.get("/espace-presse/").text
    for path in ("/fr/espace-presse/", "/fr/chapitres/", "/fr/espace-presse/dossier-de-presse.zip"):
        assert blog.get(path).status_code == 404
