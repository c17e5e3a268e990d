"""The desk's media library: upload without JavaScript, browse, describe, replace, delete."""

from __future__ import annotations

import io

import pytest

from blog.models import Media, Post

from .helpers import image_bytes


def upload(desk, *files, path="/admin/media/upload"):
    data = {"file": [(io.BytesIO(content), name) for name, content in files]}
    return desk.send(path, data, content_type="multipart/form-data")


@pytest.fixture
def library(media_folder, desk):
    return desk


def test_a_plain_file_input_uploads_and_opens_the_details(library, session, media_folder):
    response = upload(library, ("Berge de la Saône.png", image_bytes(640, 480)))
    assert response.status_code == 302
    media = session.query(Media).one()
    assert response.headers["Location"].endswith(f"/admin/media/{media.id}?uploaded=1")
    assert media.name == "berge-de-la-saone.png"
    assert (media_folder / media.name).exists()
    page = library.get(f"/admin/media/{media.id}")
    assert "640 × 480" in page.text and "/media/berge-de-la-saone.png" in page.text
    assert "No post uses this file." in page.text


def test_refused_files_are_listed_with_their_reason_in_the_authors_language(library, session, app):
    app.config["MEDIA_MAX_SIZE"] = 5000
    response = upload(
        library,
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("communique.pdf", image_bytes()),
        ("gros.pdf", b"%PDF-1.4" + b"0" * 6000),
        ("ok.pdf", b"%PDF-1.4 fine"),
    )
    assert response.status_code == 422
    assert "photo.jpg" in response.text and "scripts" in response.text
    assert "communique.pdf" in response.text and "content is PNG" in response.text
    assert "gros.pdf" in response.text and "the limit is 5 KB" in response.text
    assert [m.name for m in session.query(Media)] == ["ok.pdf"]


def test_the_library_is_searched_filtered_and_shown_as_grid_or_list(library):
    upload(library, ("riviere.png", image_bytes()), ("dossier.pdf", b"%PDF-1.4 x"))
    grid = library.get("/admin/media/")
    assert 'class="media-grid"' in grid.text and "riviere.png" in grid.text
    assert "dossier.pdf" in grid.text
    images = library.get("/admin/media/?kind=image&view=list")
    assert 'class="media-list"' in images.text
    assert "riviere.png" in images.text and "dossier.pdf" not in images.text
    found = library.get("/admin/media/?q=doss")
    assert "dossier.pdf" in found.text and "riviere.png" not in found.text


def test_texts_per_language_are_saved(library, session):
    upload(library, ("riviere.png", image_bytes()))
    media = session.query(Media).one()
    response = library.send(
        f"/admin/media/{media.id}",
        {"alt-fr": "La Saône en crue", "caption-fr": "Lyon, 2024", "alt-en": "The Saône in flood"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert media.text("fr").alt == "La Saône en crue" and media.text("fr").caption == "Lyon, 2024"
    assert media.text("en").alt == "The Saône in flood" and media.text("it") is None


def test_delete_is_refused_while_a_post_uses_the_file(library, session, make_post, media_folder):
    upload(library, ("riviere.png", image_bytes()))
    media = session.query(Media).one()
    post = make_post(title="Crue de la Saône", source="![](/media/riviere.png)")
    response = library.send(f"/admin/media/{media.id}/delete")
    assert response.status_code == 409, response.headers.get("Location")
    assert "Remove it from these posts first" in response.text
    assert "Crue de la Saône" in response.text and f"/admin/posts/{post.id}" in response.text
    assert (media_folder / "riviere.png").exists()
    post.set_source("Sans image.", session=session)
    session.commit()
    response = library.send(f"/admin/media/{media.id}/delete")
    assert response.status_code == 302
    assert session.query(Media).count() == 0 and not (media_folder / "riviere.png").exists()


def test_replace_keeps_the_address(library, session):
    upload(library, ("riviere.png", image_bytes(64, 48)))
    media = session.query(Media).one()
    response = upload(
        library, ("autre.png", image_bytes(100, 50)), path=f"/admin/media/{media.id}/replace"
    )
    assert response.status_code == 302
    session.expire_all()
    assert media.name == "riviere.png" and (media.width, media.height) == (100, 50)
    refused = upload(library, ("x.pdf", b"%PDF-1.4"), path=f"/admin/media/{media.id}/replace")
    assert refused.status_code == 422 and "same type" in refused.text


def test_uploading_needs_the_csrf_token(library, session):
    response = library.post(
        "/admin/media/upload",
        data={"file": (io.BytesIO(image_bytes()), "a.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 403)
    assert session.query(Media).count() == 0


def post_form(**overrides):
    data = {
        "title": "La crue",
        "slug": "la-crue",
        "language": "fr",
        "home_site": "blog",
        "summary": "",
        "source": "Texte.",
        "status": "published",
        "published_at": "",
        "tags": "",
        "kind": "post",
        "version": "",
        "featured_media": "",
        "action": "save",
    }
    return {**data, **overrides}


def test_the_editor_offers_each_file_to_insert_at_the_cursor(library, session):
    upload(library, ("riviere.png", image_bytes()), ("dossier.pdf", b"%PDF-1.4 x"))
    media = session.query(Media).filter_by(name="riviere.png").one()
    media.set_text("fr", "La Saône", "")
    session.commit()
    page = library.get("/admin/posts/new?language=fr")
    assert 'data-markdown="![La Saône](/media/riviere.png)"' in page.text
    assert 'data-markdown="[dossier.pdf (PDF, 10 B)](/media/dossier.pdf)"' in page.text
    assert f'<option value="{media.id}">riviere.png</option>' in page.text


def test_a_featured_image_is_chosen_from_the_library(library, session):
    upload(library, ("riviere.png", image_bytes()), ("dossier.pdf", b"%PDF-1.4 x"))
    image = session.query(Media).filter_by(name="riviere.png").one()
    document = session.query(Media).filter_by(name="dossier.pdf").one()
    refused = library.send("/admin/posts/new", post_form(featured_media=str(document.id)))
    assert refused.status_code == 422 and "featured image among" in refused.text
    saved = library.send("/admin/posts/new", post_form(featured_media=str(image.id)))
    assert saved.status_code == 302
    post = session.query(Post).filter_by(slug="la-crue").one()
    assert post.featured_media_id == image.id


def test_a_picture_without_alt_text_is_not_published(library, session):
    upload(library, ("riviere.png", image_bytes()))
    text = "Voici ![](/media/riviere.png)"
    refused = library.send("/admin/posts/new", post_form(source=text))
    assert refused.status_code == 422
    assert "alt text before publishing" in refused.text and "riviere.png" in refused.text
    assert text in refused.text  # the author's text comes back
    draft = library.send("/admin/posts/new", post_form(source=text, status="draft"))
    assert draft.status_code == 302
    with_alt = library.send(
        "/admin/posts/new", post_form(source="![La Saône](/media/riviere.png)", slug="deux")
    )
    assert with_alt.status_code == 302


def test_the_preview_shows_library_pictures_as_published(library, session):
    upload(library, ("riviere.png", image_bytes(1200, 800)))
    media = session.query(Media).one()
    response = library.send(
        "/admin/preview", {"source": "![Saône](/media/riviere.png)", "language": "fr"}
    )
    assert f"/media/v/riviere.{media.fingerprint}.w480.webp 480w" in response.text
