"""What search engines and sharing services read: Open Graph, Twitter cards, JSON-LD."""

from __future__ import annotations

from urllib.parse import urljoin

from babel import Locale
from babel.core import get_global
from flask import url_for

from .feeds import first_image
from .models import Kind, Post
from .sites import Site
from .urls import canonical_url, site_url


def og_locale(language: str) -> str:
    """Return the Open Graph locale of a language ("fr" → "fr_FR", "en" → "en_US")."""
    likely = get_global("likely_subtags").get(language, language)
    locale = Locale.parse(likely)
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def _absolute_static(site: Site, filename: str) -> str:
    return site.url + url_for("static", filename=filename)


def _image(site: Site, post: Post | None) -> str | None:
    if post is not None:
        found = first_image(post.html)
        if found:
            # Relative images are made absolute against the post's own address.
            return urljoin(canonical_url(post), found)
    if site.book.get("cover"):
        return _absolute_static(site, site.book["cover"])
    return None


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
        tags.append(("og:image", image))
    tags.append(("twitter:card", "summary_large_image" if image and post else "summary"))
    tags.append(("twitter:title", title))
    if description:
        tags.append(("twitter:description", description))
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
    if info.get("cover"):
        data["image"] = _absolute_static(site, info["cover"])
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
    image = _image(site, post) if first_image(post.html) else None
    if image:
        data["image"] = image
    if post.terms:
        data["keywords"] = [t.name(post.language) for t in post.terms]
    return {k: v for k, v in data.items() if v is not None}
