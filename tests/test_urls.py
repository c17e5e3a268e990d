"""Addresses written out by urls.post_url are the ones the URL map builds and routes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from blog.models import Kind
from blog.sites import registry
from blog.urls import post_url, post_values, site_url


@pytest.mark.parametrize("kind", [Kind.POST, Kind.PAGE])
def test_a_written_out_address_is_the_url_maps(app, make_post, kind):
    # An announcement is addressed as a post is (post_values: every kind but a page).
    post = make_post(
        language="en", kind=kind, slug="a-post-9", published_at=datetime(2007, 3, 9, tzinfo=UTC)
    )
    with app.test_request_context():
        for site in registry():
            for language in ("fr", "en", "it", "de"):
                endpoint, values = post_values(post)
                built = site_url(site, endpoint, language, **values)
                assert post_url(post, site, language) == built, (site.key, language)
