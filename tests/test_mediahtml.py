"""Library pictures, players and click-to-load embeds, made when a text is rendered."""

from __future__ import annotations

import pytest

from blog.mediahtml import LibraryFile, frame_hosts, media_names, player_of
from blog.rendering import render_markdown

PHOTO = LibraryFile(
    name="berge.jpg",
    kind="image",
    mime_type="image/jpeg",
    fingerprint="0123456789",
    width=2000,
    height=1000,
    widths=(480, 960, 1600),
    texts={"fr": ('La berge <en crue> & "haute"', "Lyon, 2024", "")},
)
INTERVIEW = LibraryFile(
    name="entretien.mp3",
    kind="audio",
    mime_type="audio/mpeg",
    fingerprint="abcdef0123",
    texts={"fr": ("", "Entretien sur France Culture", "Première ligne.\n\nDeuxième <b>ligne</b>.")},
)
LIBRARY = {f.name: f for f in (PHOTO, INTERVIEW)}


@pytest.fixture(autouse=True)
def context(app):
    with app.test_request_context("/"):
        yield


def render(source: str, language: str = "fr") -> str:
    return render_markdown(source, language, LIBRARY)


def test_the_names_a_text_refers_to_are_found():
    text = "![a](/media/berge.jpg) [b](/media/dossier-2.pdf) /media/uploads/2020/x.jpg /media/v/y.z"
    assert media_names(text) == {"berge.jpg", "dossier-2.pdf"}


def test_a_library_picture_gets_its_copies_dimensions_and_texts():
    html = render("![](/media/berge.jpg)")
    base = "/media/v/berge.0123456789"
    assert html.startswith("<figure><picture>")
    assert (
        f'<source type="image/webp" srcset="{base}.w480.webp 480w, {base}.w960.webp 960w, '
        f'{base}.w1600.webp 1600w, {base}.webp 2000w" sizes="(min-width: 44rem) 40rem, 100vw">'
    ) in html
    assert f'srcset="{base}.w480.jpg 480w, {base}.w960.jpg 960w' in html
    assert f'<img src="{base}.jpg"' in html
    assert 'width="2000" height="1000"' in html
    # The library's alt text in the post's language, escaped; the caption as a figcaption.
    assert 'alt="La berge &lt;en crue&gt; &amp; &quot;haute&quot;"' in html
    assert "<figcaption>Lyon, 2024</figcaption></figure>" in html


def test_only_pictures_after_the_first_are_lazy():
    html = render("![Un](/media/berge.jpg)\n\nTexte ![deux](/media/berge.jpg) ![](/x.png)")
    images = html.split("<img ")[1:]
    assert 'loading="lazy"' not in images[0]
    assert 'loading="lazy"' in images[1] and 'loading="lazy"' in images[2]
    assert 'alt="Un"' in images[0] and 'alt="deux"' in images[1]


def test_a_picture_in_another_language_has_no_caption():
    html = render("![River bank](/media/berge.jpg)", "en")
    assert "<figcaption>" not in html and 'alt="River bank"' in html


def test_an_audio_file_gets_a_player_and_its_transcript():
    html = render("![](/media/entretien.mp3)")
    assert '<audio controls preload="none" src="/media/entretien.mp3">' in html
    assert "autoplay" not in html
    assert "<figcaption>Entretien sur France Culture</figcaption>" in html
    assert "<details><summary>Transcription</summary><p>Première ligne.</p>" in html
    assert "<p>Deuxième &lt;b&gt;ligne&lt;/b&gt;.</p>" in html


YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "provider", "player"),
    [
        (YOUTUBE, "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
        ("https://youtu.be/dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/"),
        ("https://vimeo.com/76979871", "Vimeo", "https://player.vimeo.com/video/76979871"),
        ("https://www.dailymotion.com/video/x8abcd1", "Dailymotion", "https://www.dailymotion.com/embed/video/x8abcd1"),
        ("https://soundcloud.com/artist/track-name", "SoundCloud", "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fartist%2Ftrack-name"),
        ("https://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d", "PeerTube", "https://framatube.org/videos/embed/9c9de5e8"),
    ],
)  # fmt: skip
def test_a_provider_address_alone_on_its_line_becomes_a_click_to_load_embed(url, provider, player):
    html = render(f"Avant.\n\n{url}\n\nAprès.")
    assert '<figure class="embed' in html
    assert f'href="{url}"' in html  # without JavaScript: a plain link to the provider's page
    assert f'data-embed="{player}' in html
    assert f'<span class="embed-provider">{provider}</span>' in html
    assert "<iframe" not in html
    assert player_of(url, ("framatube.org",))[0] == provider


@pytest.mark.parametrize(
    "source",
    [
        f"Regardez {YOUTUBE} ce soir.",
        "https://peertube.example.net/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        "https://www.youtube.com/watch?v=short",
        "https://evil.example/embed/x",
    ],
)
def test_other_addresses_stay_as_written(source):
    assert "data-embed" not in render(source)


def test_an_imported_provider_link_alone_becomes_an_embed_too():
    html = render(f'<p><a href="{YOUTUBE}">Vidéo sur YouTube</a></p>')
    assert "data-embed=" in html


def test_authors_cannot_write_embeds_or_frames_themselves():
    html = render(
        '<a class="embed-load" data-embed="https://evil.example/">x</a>'
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>'
    )
    assert "data-embed" not in html and "<iframe" not in html


def test_the_frame_hosts_are_exactly_the_players():
    assert set(frame_hosts()) == {
        "www.youtube-nocookie.com",
        "player.vimeo.com",
        "www.dailymotion.com",
        "w.soundcloud.com",
        "framatube.org",
        "peertube.fr",
    }


def test_the_pages_policy_allows_frames_from_those_hosts_only(blog):
    csp = blog.get("/fr/").headers["Content-Security-Policy"]
    frame_src = next(d for d in csp.split("; ") if d.startswith("frame-src"))
    assert frame_src.split()[1:] == [f"https://{h}" for h in frame_hosts()]
