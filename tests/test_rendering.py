"""Markdown → HTML → bleach: hostile input is neutralised, safe markup survives."""

import json
import re
import time
from pathlib import Path

import markdown
import pytest
from flask_babel import force_locale
from lxml import html as lxml_html

from blog import rendering, watchdog, workers
from blog.rendering import RenderError, clean_html, render_many, render_markdown, typography

DATA = Path(__file__).with_name("data")

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[ref][x]\n\n[x]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![img](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example.com"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<p onclick='alert(1)'>unclosed <b>bold <i>italic",
    "<svg><script>alert(1)</script></svg>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=javascript:alert(1)><input type=submit></form>",
    '<a href="javascript&#58;alert(1)">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<object data=x></object><embed src=x>",
    '<base href="https://evil.example.com/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example.com">',
    "<!--><script>alert(1)</script>-->",
    '<video src="javascript:alert(1)" poster="jav&#x61;script:alert(1)" onplay="alert(1)"></video>',
    '<audio controls autoplay><source src="java&#x09;script:alert(1)" type="text/html"></audio>',
    '<video><source src="data:video/mp4;base64,AAAA"></video>',
]


def assert_harmless(output: str) -> None:
    tree = lxml_html.fragment_fromstring(output or "<p></p>", create_parent="div")
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        assert tag not in {"script", "style", "iframe", "svg", "math", "form", "object", "embed",
                           "base", "meta", "noscript"}, output  # fmt: skip
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), output
            assert name.lower() != "style", output
            if name in ("href", "src", "action", "cite", "poster"):
                scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):", value)
                assert scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}, (
                    output
                )


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_neutralised(source):
    output = render_markdown(source)
    assert_harmless(output)
    assert clean_html(output) == output


def test_unclosed_tags_are_closed():
    output = render_markdown("<b>bold <i>italic")
    assert output.count("<b>") == output.count("</b>")
    assert output.count("<i>") == output.count("</i>")


def test_safe_markdown_survives():
    source = Path(__file__).with_name("data").joinpath("safe.md").read_text()
    output = render_markdown(source)
    for fragment in [
        '<h2 id="a-section">A section',
        'class="heading-anchor" href="#a-section"',
        '<a href="https://example.org/page" title="Example">a link</a>',
        '<a href="/fr/2024/01/relative/">relative</a>',
        '<img alt="A river" src="/media/river.jpg"',
        "<blockquote>",
        "<ul>",
        "<ol>",
        '<th align="left">Station</th>',
        '<td align="right">1.42</td>',
        '<code class="language-python">',
        'class="footnote-ref"',
        '<div class="footnote">',
        'id="fn:1"',
        "<del>struck</del>",
        "<abbr title=",
    ]:
        assert fragment in output, fragment


def test_autolinked_email_survives_as_mailto():
    output = render_markdown("Write to <mailto:author@example.org>.")
    link = lxml_html.fragment_fromstring(output).find(".//a")
    assert link.get("href") == "mailto:author@example.org"


def test_footnote_ids_cannot_clobber_arbitrary_names():
    output = clean_html('<p id="location">x</p><p id="1bad">y</p><p id="ok-id">z</p>')
    assert 'id="location"' in output  # harmless shape
    assert 'id="1bad"' not in output
    assert 'id="ok-id"' in output


def test_classes_outside_the_allowlist_are_dropped():
    output = clean_html(
        '<code class="language-python evil">x</code><span class="footnote-ref">y</span>'
    )
    assert "evil" not in output
    assert 'class="footnote-ref"' in output


def test_oversized_source_is_refused_with_a_reason():
    with pytest.raises(RenderError, match="limit"):
        render_markdown("a" * 600_000)


def test_players_and_figures_survive_with_safe_attributes_only():
    output = render_markdown(
        '<figure><video controls preload="metadata" poster="/media/p.jpg" width="640" '
        'height="360" autoplay loop muted onplay="x()" style="color:red">'
        '<source src="https://example.org/v.mp4" type="video/mp4">'
        '<a href="https://example.org/v.mp4">v.mp4</a></video>'
        "<figcaption>The flood</figcaption></figure>\n\n"
        '<audio controls preload="none" src="/media/uploads/a.mp3"></audio>'
    )
    assert (
        '<figure><video controls preload="metadata" poster="/media/p.jpg" width="640" '
        'height="360"><source src="https://example.org/v.mp4" type="video/mp4">'
        '<a href="https://example.org/v.mp4">v.mp4</a></video>'
        "<figcaption>The flood</figcaption></figure>"
    ) in output
    assert '<audio controls preload="none" src="/media/uploads/a.mp3"></audio>' in output
    assert_harmless(output)


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("src", "javascript:alert(1)"),
        ("src", "&#106;avascript:alert(1)"),
        ("src", "data:video/mp4;base64,AAAA"),
        ("src", "mailto:someone@example.org"),
        ("poster", "vbscript:x"),
        ("preload", "everything"),
        ("width", "100%"),
        ("controls", "javascript:alert(1)"),
    ],
)
def test_player_attributes_of_another_form_are_dropped(attribute, value):
    output = clean_html(f'<video {attribute}="{value}"></video>')
    assert output == "<video></video>"


def test_source_type_is_a_media_type():
    output = clean_html(
        '<audio><source src="a.ogg" type="audio/ogg"><source src="b" type="text/html"></audio>'
    )
    assert output == '<audio><source src="a.ogg" type="audio/ogg"><source src="b"></audio>'


def test_gallery_class_is_allowed():
    output = clean_html('<ul class="gallery"><li><img src="/media/a.png" alt="A"></li></ul>')
    assert 'class="gallery"' in output


def test_a_refusal_speaks_the_language_of_the_request(app):
    french = r"^Le texte fait 600000 caractères ; la limite est de 500000\.$"
    with app.test_request_context(), force_locale("fr"), pytest.raises(RenderError, match=french):
        render_markdown("a" * 600_000)
    # Outside any request (a command, an import) the message is in English.
    with pytest.raises(RenderError, match=r"^The text is 600000 characters long"):
        render_markdown("a" * 600_000)


def varied_corpus() -> list[tuple[str, str | None]]:
    """Return texts of every kind, each in French, English and no language, in a mixed order.

    French typography, code, footnotes, abbreviations and headings (state a reused converter
    could carry from one text to the next), tables, nasty markup, and texts that are refused.
    """
    texts = [
        "« Bonjour ! » dit-elle ; puis : « Pourquoi ? »",
        "Le débit : 3 m³/s ; la `crue ; du 3 : mai` et <code>a : b ?</code> « cité »",
        "```python\nprint('a ; b : c ?')\n```\n\nAprès le code : la suite !",
        "*[HTML]: HyperText Markup Language\n\nThe HTML abbreviation.",
        "HTML here has no definition of its own.",
        "Note.[^1] Again.[^2]\n\n[^1]: First.\n[^2]: Second : « deux ».",
        "Another note.[^1]\n\n[^1]: Its own first note.",
        "## Crue\n\ntext\n\n## Crue\n\n### Crue",
        "## Crue\n\nthe same heading in another text",
        (DATA / "safe.md").read_text(),
        "> " * 150 + "too deep",
        "a" * (rendering.MAX_SOURCE_LENGTH + 1),
        "",
    ]
    for name in ("markdown.txt", "mutation.txt", "bleach-cves.txt"):
        for line in (DATA / "xss" / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                texts.append(json.loads(line))
    return [(text, language) for text in texts for language in ("fr", "en", None)]


def test_render_many_gives_render_markdowns_html_and_refusals_in_order():
    corpus = varied_corpus()
    assert len(corpus) > 10 * workers.MIN_ITEMS  # worker processes do the work
    expected = []
    for source, language in corpus:
        try:
            expected.append(render_markdown(source, language))
        except RenderError as error:
            expected.append(str(error))
    got = list(render_many(corpus))
    assert [g.html if isinstance(g, rendering.Rendered) else str(g) for g in got] == expected
    assert [(g.source, g.language) for g in got if isinstance(g, rendering.Rendered)] == [
        text for text, html in zip(corpus, got, strict=True) if not isinstance(html, RenderError)
    ]
    assert sum(isinstance(g, RenderError) for g in got) == 6  # too deep, too long, each × 3


def test_a_reused_converter_renders_as_a_new_one_would():
    for source, language in varied_corpus()[:200]:
        if len(source) > rendering.MAX_SOURCE_LENGTH:
            continue
        try:
            html = markdown.markdown(
                rendering.CONTROL_CHARACTERS.sub("", source),
                extensions=rendering.MARKDOWN_EXTENSIONS,
                extension_configs=rendering.MARKDOWN_CONFIG,
                output_format="html",
            )
        except RecursionError:
            continue
        try:
            fresh = rendering.accessible(clean_html(typography(html, language)), language)
        except RenderError:
            continue
        assert render_markdown(source, language) == fresh, source


def test_a_few_texts_are_rendered_in_this_process():
    texts = [("« Oui ! »", "fr"), ("> " * 150, None), ("*a*", "en")]
    got = list(render_many(texts))
    assert got[0] == rendering.Rendered("« Oui ! »", "fr", render_markdown("« Oui ! »", "fr"))
    assert isinstance(got[1], RenderError)
    assert got[2].html == "<p><em>a</em></p>"


def test_a_render_is_interrupted_even_when_the_first_interrupt_is_lost():
    """An interrupt raised inside a garbage-collector callback is reported there and dropped;
    the watchdog sends it again until the render stops."""

    def render_that_loses_one_interrupt():
        try:
            while True:
                time.sleep(0.001)
        except watchdog._OutOfTime:
            pass  # as Python does with an exception raised in a weakref callback
        stop = time.monotonic() + 2
        while time.monotonic() < stop:
            time.sleep(0.001)
        return "never interrupted again"

    with pytest.raises(watchdog.Overrun):
        watchdog.within(0.05, render_that_loses_one_interrupt)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("L'eau monte.", "<p>L’eau monte.</p>"),
        ("Le 1er mai, la 1re fois, les 1ers jours.",
         "<p>Le 1<sup>er</sup> mai, la 1<sup>re</sup> fois, les 1<sup>ers</sup> jours.</p>"),
        ("La 2e édition, le 21e jour.", "<p>La 2<sup>e</sup> édition, le 21<sup>e</sup> jour.</p>"),
        ("Au XIXe siècle, sous François Ier, le VIe.",
         "<p>Au XIX<sup>e</sup> siècle, sous François I<sup>er</sup>, le VI<sup>e</sup>.</p>"),
        # Words that look like numerals or ordinals stay words.
        ("Vers la Vie, Ce livre, De Xe, Le 3D.",
         "<p>Vers la Vie, Ce livre, De X<sup>e</sup>, Le 3D.</p>"),
        # Never in code, addresses or attributes.
        ("`l'eau` et https://example.org/l'eau et [l'eau](https://example.org/1er/l'eau)",
         '<p><code>l\'eau</code> et https://example.org/l\'eau et '
         '<a href="https://example.org/1er/l\'eau">l’eau</a></p>'),
    ],
)  # fmt: skip
def test_french_typography_at_render(source, expected):
    assert render_markdown(source, "fr") == expected


def test_typography_is_french_only():
    assert render_markdown("It's the 1er.", "en") == "<p>It's the 1er.</p>"


@pytest.mark.parametrize(
    ("language", "code", "table"),
    [
        ("fr", "Code (défile horizontalement)", "Tableau (défile horizontalement)"),
        ("en", "Code (scrolls sideways)", "Table (scrolls sideways)"),
        ("it", "Codice (scorre in orizzontale)", "Tabella (scorre in orizzontale)"),
    ],
)
def test_wide_blocks_are_reachable_by_keyboard_with_a_label(language, code, table):
    tree = lxml_html.fragment_fromstring(
        render_markdown("    x = 1\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", language),
        create_parent=True,
    )
    pre, found = tree.find("pre"), tree.find("table")
    assert (pre.get("tabindex"), pre.get("role"), pre.get("aria-label")) == ("0", "region", code)
    assert (found.get("tabindex"), found.get("aria-label")) == ("0", table)


def test_heading_permalinks_are_named_by_their_heading():
    tree = lxml_html.fragment_fromstring(render_markdown("## What the cellar shows", "en"))
    anchor = tree.find("a")
    assert anchor.get("href") == "#what-the-cellar-shows"
    assert anchor.get("aria-labelledby") == tree.get("id") == "what-the-cellar-shows"
    assert anchor.find("span").get("aria-hidden") == "true"


def test_titles_are_typeset_in_their_language():
    assert rendering.typeset("L'eau du XIXe <b>", "fr") == "L’eau du XIX<sup>e</sup> &lt;b&gt;"
    assert rendering.typeset("It's <b>", "en") == "It&#39;s &lt;b&gt;"


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("What the cellar shows", "what-the-cellar-shows"),
        ("2024 in review", "section-2024-in-review"),
        ("Ελληνικά", "section"),
        ("Un titre " + "très " * 30 + "long", None),
    ],
)
def test_every_heading_keeps_an_anchor_the_cleaner_allows(heading, expected):
    """A heading's id starts with a letter and fits SAFE_ID, whatever its text, so that its
    permalink leads to it, names it, and cleaning the HTML again changes nothing."""
    html = render_markdown(f"## {heading}\n\n## {heading}", "en")
    assert clean_html(html) == html
    tree = lxml_html.fragment_fromstring(html, create_parent=True)
    ids = [h2.get("id") for h2 in tree.findall("h2")]
    assert ids[1] == f"{ids[0]}_1"
    for h2, id_ in zip(tree.findall("h2"), ids, strict=True):
        assert rendering.SAFE_ID.match(id_), id_
        anchor = h2.find("a")
        assert (anchor.get("href"), anchor.get("aria-labelledby")) == (f"#{id_}", id_)
    if expected is not None:
        assert ids[0] == expected


def test_a_text_with_a_first_level_heading_keeps_its_outline_a_level_lower():
    """A page's title is its h1: a text's `#` headings become h2 (and every heading under
    them a level lower), instead of losing their heading to the cleaner."""
    html = render_markdown(
        "# Crues\n\nTexte.\n\n## Causes\n\n###### Détail\n\n    <h1>pas un titre</h1>\n\n"
        "<H1>Brut</H1>",
        "fr",
    )
    tree = lxml_html.fragment_fromstring(html, create_parent="div")
    outline = [(h.tag, h.get("id"), h.text) for h in tree.xpath("h1|h2|h3|h4|h5|h6")]
    assert outline == [
        ("h2", "crues", "Crues"),
        ("h3", "causes", "Causes"),
        ("h6", "detail", "Détail"),
        ("h2", None, "Brut"),
    ]
    assert 'href="#crues"' in html and "&lt;h1&gt;pas un titre&lt;/h1&gt;" in html
    # A text whose headings start at ## is left as written.
    plain = render_markdown("## Causes\n\n### Pluies", "fr")
    assert plain.startswith('<h2 id="causes">') and '<h3 id="pluies">' in plain
