"""The media library's files: types from content, safe names, clean images, copies, uses."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from PIL import Image

from blog import mediaintake, mediastore, sniffing
from blog.models import Media, MediaKind

from .helpers import image_bytes

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)


@pytest.fixture
def store(app, media_folder, session):
    """Run the media store in a request of the desk (its messages in English)."""
    with app.test_request_context("/admin/", headers={"Accept-Language": "en"}):
        yield session


def save(session, data: bytes, name: str) -> Media:
    media = mediastore.save_upload(session, data, name, NOW)
    session.commit()
    return media


def refusal(session, data: bytes, name: str) -> str:
    with pytest.raises(mediaintake.MediaRefused) as refused:
        mediastore.save_upload(session, data, name, NOW)
    return str(refused.value)


def test_a_png_named_pdf_is_refused_with_the_reason(store):
    message = refusal(store, image_bytes(), "communique.pdf")
    assert "“.pdf”" in message and "PNG" in message
    assert store.query(Media).count() == 0


def test_an_html_file_named_jpg_is_refused(store):
    message = refusal(store, b"<!doctype html><script>alert(1)</script>", "photo.jpg")
    assert "scripts" in message


def test_an_svg_with_a_script_is_refused(store):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
    assert "SVG" in refusal(store, svg, "logo.svg")
    assert "SVG" in refusal(store, svg, "logo.png")


def test_an_oversized_file_is_refused(app, store):
    app.config["MEDIA_MAX_SIZE"] = 1000
    message = refusal(store, b"%PDF-1.4 " + b"x" * 2000, "dossier.pdf")
    assert message == "The file is 2 KB; the limit is 1 KB."


def test_unknown_content_is_refused(store):
    assert "not of a type" in refusal(store, b"just some text", "notes.pdf")


def test_a_damaged_image_is_refused(store):
    assert "damaged" in refusal(store, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "broken.png")


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n", sniffing.PDF),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.presentation"}), sniffing.ODP),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}), sniffing.ODT),
        (zipped({"mimetype": b"application/epub+zip"}), sniffing.EPUB),
        (zipped({"[Content_Types].xml": b"", "ppt/presentation.xml": b""}), sniffing.PPTX),
        (zipped({"[Content_Types].xml": b"", "word/document.xml": b""}), sniffing.DOCX),
        (zipped({"other.txt": b""}), None),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", sniffing.MP3),
        (b"OggS\x00\x02" + b"\x00" * 20, sniffing.OGG),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", sniffing.M4A),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", sniffing.MP4),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", sniffing.WEBM),
        (image_bytes(fmt="JPEG"), sniffing.JPEG),
        (image_bytes(fmt="GIF"), sniffing.GIF),
        (image_bytes(fmt="WEBP"), sniffing.WEBP),
        (b"<html></html>", None),
    ],
)
def test_types_are_found_from_content(data, expected):
    assert sniffing.sniff(data) == expected


def test_names_are_safe_and_unique(store):
    first = save(store, b"%PDF-1.4 a", "Dossier de presse (2025) été.PDF")
    second = save(store, b"%PDF-1.4 b", "dossier de presse 2025 ete.pdf")
    third = save(store, b"%PDF-1.4 c", "../../etc/passwd.pdf")
    assert first.name == "dossier-de-presse-2025-ete.pdf"
    assert second.name == "dossier-de-presse-2025-ete-2.pdf"
    assert third.name == "passwd.pdf"
    assert first.original_name == "Dossier de presse (2025) été.PDF"
    assert first.kind == MediaKind.DOCUMENT and first.mime_type == "application/pdf"


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show it rotated 90° clockwise
    exif[0x010F] = "RiverCam"
    exif.get_ifd(0x8825)[2] = (45.0, 46.0, 12.5)  # GPSLatitude
    return exif.tobytes()


def test_exif_is_stripped_and_the_orientation_applied(store, media_folder):
    media = save(store, image_bytes(200, 100, "JPEG", exif=gps_exif()), "Berge.jpg")
    stored = (media_folder / media.name).read_bytes()
    assert b"RiverCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert image.size == (100, 200)  # upright: the 200×100 picture turned a quarter
        # The red top left corner, turned clockwise, is now at the top right.
        assert image.getpixel((90, 5))[0] > 150 and image.getpixel((5, 5))[0] < 100
    assert (media.width, media.height) == (100, 200)


def test_resized_copies_and_webp_are_made_once(app, store, media_folder):
    app.config["MEDIA_WIDTHS"] = (480, 960, 1600)
    media = save(store, image_bytes(1200, 800, "PNG"), "carte.png")
    assert media.widths == [480, 960]
    base = f"carte.{media.fingerprint}"
    names = sorted(p.name for p in (media_folder / "v").iterdir())
    assert names == sorted(
        [
            f"{base}.png",
            f"{base}.webp",
            f"{base}.w480.png",
            f"{base}.w480.webp",
            f"{base}.w960.png",
            f"{base}.w960.webp",
            f"{base}.card.jpg",
        ]
    )
    with Image.open(media_folder / "v" / f"{base}.w480.webp") as image:
        assert image.format == "WEBP" and image.size == (480, 320)
    with Image.open(media_folder / "v" / f"{base}.card.jpg") as image:
        assert image.size == (1200, 630)


def test_a_file_used_by_a_post_cannot_be_deleted(store, make_post, media_folder):
    media = save(store, image_bytes(), "berge.png")
    post = make_post(source="![La berge](/media/berge.png)")
    with pytest.raises(mediastore.MediaInUse) as in_use:
        mediastore.delete(store, media)
    assert in_use.value.posts == [post]
    post.set_source("Plus d'image.")
    store.commit()
    mediastore.delete(store, media)
    store.commit()
    assert not (media_folder / "berge.png").exists()
    assert list((media_folder / "v").iterdir()) == []


def test_a_featured_image_is_a_use(store, make_post):
    media = save(store, image_bytes(), "une.png")
    post = make_post(featured_media_id=media.id)
    assert mediastore.uses(store, media) == [post]


def test_replacing_keeps_the_address_and_renders_posts_again(store, make_post, media_folder):
    media = save(store, image_bytes(64, 48), "berge.png")
    post = make_post(source="![La berge](/media/berge.png)")
    old = media.fingerprint
    assert f"/media/v/berge.{old}.png" in post.html
    mediastore.replace(store, media, image_bytes(80, 40, color=(0, 0, 200)), "new.png", NOW)
    store.commit()
    assert media.name == "berge.png" and media.fingerprint != old
    assert (media.width, media.height) == (80, 40)
    assert f"/media/v/berge.{media.fingerprint}.png" in post.html
    assert 'width="80" height="40"' in post.html


def test_a_replacement_of_another_type_is_refused(store):
    media = save(store, image_bytes(), "berge.png")
    with pytest.raises(mediaintake.MediaRefused, match="same type"):
        mediastore.replace(store, media, image_bytes(fmt="JPEG"), "berge.jpg", NOW)
