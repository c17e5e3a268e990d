"""What search engines and sharing services read: Open Graph, Twitter cards, JSON-LD."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from babel import Locale
from babel.core import get_global
from flask import current_app, url_for
from PIL import Image

from .feeds import first_image
from .mediahtml import CARD_SIZE
from .models import Kind, Post
from .sites import Site
from .urls import canonical_url, site_url


@functools.lru_cache(maxsize=256)
def og_locale(language: str) -> str:
    """Return the Open Graph locale of a language ("fr" → "fr_FR", "en" → "en_US")."""
    likely = get_global("likely_subtags").get(language, language)
    locale = Locale.parse(likely)
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def _absolute_static(site: Site, filename: str) -> str:
    return site.url + url_for("static", filename=filename)


@dataclass(frozen=True)
class SharingImage:
    url: str
    width: int | None = None
    height: int | None = None
    alt: str = ""


def featured_image(site: Site, post) -> SharingImage | None:
    """Return a post's featured image as its 1200×630 sharing card, if it has one."""
    featured = getattr(post, "featured", None)
    if featured is None:
        return None
    return SharingImage(site.url + featured.path, *CARD_SIZE, featured.alt(post.language))


def _image(site: Site, post: Post | None) -> SharingImage | None:
    """Return what a page shares: the post's featured image, else its first picture, else the
    site's sharing image (a raster one: social networks show no SVG)."""
    if post is not None:
        featured = featured_image(site, post)
        if featured is not None:
            return featured
        found = first_image(post.html)
        if found:
            # Relative images are made absolute against the post's own address.
            return SharingImage(urljoin(canonical_url(post), found))
    if site.image:
        return SharingImage(_absolute_static(site, site.image), *_static_size(site.image))
    return None


@functools.cache
def _static_size(filename: str) -> tuple[int, int]:
    with Image.open(Path(current_app.static_folder) / filename) as image:
        return image.size


def social_tags(site: Site, language: str, canonical: str, post: Post | None = None,
                versions: list[Post] = ()) -> list[tuple[str, str]]:  # fmt: skip
    """Return the (property, content) pairs of Open Graph and Twitter card tags."""
    title = post.title if post else site.title_in(language)
    description = (post.summary if post else "") or site.tagline_in(language)
    shown_language = post.language if post else language
    tags = [
        ("og:site_name", site.title_in(language)),
        ("og:type", "article" if post is not None and post.kind != Kind.PAGE else "website"),
        ("og:title", title),
        ("og:url", canonical),
        ("og:locale", og_locale(shown_language)),
    ]
    others = [v.language for v in versions if v.language != shown_language]
    others = others or ([lang for lang in site.languages if lang != language] if not post else [])
    tags += [("og:locale:alternate", og_locale(lang)) for lang in others]
    if description:
        tags.append(("og:description", description))
    if post is not None and post.kind != Kind.PAGE:
        tags.append(("article:published_time", post.published_at.isoformat()))
        tags.append(("article:modified_time", post.updated_at.isoformat()))
    image = _image(site, post)
    if image:
        tags.append(("og:image", image.url))
        if image.width:
            tags += [("og:image:width", str(image.width)), ("og:image:height", str(image.height))]
        if image.alt:
            tags.append(("og:image:alt", image.alt))
    tags.append(("twitter:card", "summary_large_image" if image else "summary"))
    tags.append(("twitter:title", title))
    if description:
        tags.append(("twitter:description", description))
    if image:
        tags.append(("twitter:image", image.url))
        if image.alt:
            tags.append(("twitter:image:alt", image.alt))
    return tags


def _person(name: str) -> dict:
    return {"@type": "Person", "name": name}


def website(site: Site, language: str) -> dict:
    """Return the schema.org WebSite of a site's home page in a language."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site.title_in(language),
        "description": site.tagline_in(language),
        "url": site_url(site, "public.home", language),
        "inLanguage": language,
        "author": _person(site.author),
    }


def book(site: Site) -> dict | None:
    """Return the schema.org Book a book site is about, from its configuration."""
    info = site.book
    if not info:
        return None
    data = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": info.get("title", site.title_in(site.default_language)),
        "author": _person(info.get("author", site.author)),
        "inLanguage": info.get("language", site.default_language),
        "url": site.url + "/",
    }
    if info.get("isbn"):
        data["isbn"] = info["isbn"]
    if info.get("publisher"):
        data["publisher"] = {"@type": "Organization", "name": info["publisher"]}
    if info.get("date_published"):
        data["datePublished"] = info["date_published"]
    # The cover as a raster image: search engines, like social networks, show no SVG.
    cover = info.get("cover_image") or info.get("cover", "")
    if cover and not cover.endswith(".svg"):
        data["image"] = _absolute_static(site, cover)
    elif site.image:
        data["image"] = _absolute_static(site, site.image)
    return data


def posting(site: Site, post: Post) -> dict:
    """Return the schema.org BlogPosting (blog) or Article (other sites) of a post."""
    url = canonical_url(post)
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage"
        if post.kind == Kind.PAGE
        else ("BlogPosting" if site.kind == "blog" else "Article"),
        "headline": post.title,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": post.language,
        "author": _person(site.author),
        "datePublished": post.published_at.isoformat() if post.published_at else None,
        "dateModified": post.updated_at.isoformat(),
    }
    if post.summary:
        data["description"] = post.summary
    image = featured_image(site, post)
    if image is None and first_image(post.html):
        image = _image(site, post)
    if image:
        data["image"] = image.url
    if post.terms:
        data["keywords"] = [t.name(post.language) for t in post.terms]
    return {k: v for k, v in data.items() if v is not None}
