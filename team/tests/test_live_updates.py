"""What readers' pages give static/js/live.js: their own ETag, how often to ask, and a 304 until they change.

The browser side (the banner, visibility, back-off, the Content-Security-Policy) is in test_browser_live.py.
"""

import gzip
import html
import importlib
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from team.models import Athlete

TEAM = reverse("team:team")
PAGES = [
    TEAM,
    TEAM + "?sport=para-swimming",
    reverse("team:athlete", args=["roman-saleh"]),
    reverse("team:event", args=["athletics-men-t13-long-jump"]),
    reverse("team:sport", args=["para-swimming"]),
    reverse("team:schedule"),
    reverse("team:medals"),
    reverse("team:classes"),
    reverse("team:sources"),
    reverse("team:corrections"),
]
SCRIPT = '<script src="/static/js/live.js" defer></script>'
FIRST_VIEW_BYTES = 60 * 1024
FIRST_VIEW_REQUESTS = 5


def page_etag(response):
    """The ETag the page names on its <body>, or None."""
    found = re.search(r'<body[^>]* data-page-etag="([^"]*)"', response.text)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("url", PAGES)
def test_a_readers_page_names_the_etag_it_is_served_with(client, page_cache, url):
    rendered = client.get(url)
    assert rendered.status_code == 200
    assert page_etag(rendered) == rendered["ETag"]
    assert SCRIPT in rendered.text
    assert '<template id="live-update-banner">' in rendered.text
    # The same page again, from the cache this time: still its own ETag.
    cached = client.get(url)
    assert cached.content == rendered.content
    assert page_etag(cached) == cached["ETag"] == rendered["ETag"]


def test_the_banner_is_translatable_markup_with_buttons_and_no_inline_style(client, page_cache):
    page = client.get(TEAM).text
    banner = re.search(r'<template id="live-update-banner">(.*?)</template>', page, re.S).group(1)
    assert "New results are in." in banner
    assert '<button type="button" class="live-update-show">Show them</button>' in banner
    assert '<button type="button" class="live-update-dismiss">Dismiss</button>' in banner
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", page), "an inline script"


def test_the_check_interval_is_45_seconds_unless_set(client, page_cache, settings):
    assert 'data-live-interval="45000"' in client.get(TEAM).text
    settings.LIVE_UPDATE_INTERVAL_MS = 1000  # what the browser tests use
    assert 'data-live-interval="1000"' in client.get(reverse("team:medals")).text


@pytest.mark.parametrize(("value", "interval"), [("10", 30_000), ("50000", 50_000), ("600000", 60_000)])
def test_the_check_interval_from_the_environment_stays_between_30_and_60_seconds(monkeypatch, value, interval):
    import paralympics.settings

    monkeypatch.setenv("DJANGO_LIVE_UPDATE_INTERVAL_MS", value)
    try:
        milliseconds = importlib.reload(paralympics.settings).LIVE_UPDATE_INTERVAL_MS
        assert milliseconds == interval
    finally:
        monkeypatch.delenv("DJANGO_LIVE_UPDATE_INTERVAL_MS")
        importlib.reload(paralympics.settings)


def test_the_pages_etag_gets_a_304_until_readers_data_changes(client, page_cache):
    first = client.get(TEAM)
    etag = page_etag(first)
    unchanged = client.get(TEAM, headers={"if-none-match": etag, "cache-control": "no-cache"})
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    Athlete.objects.filter(slug="roman-saleh").update(name="Roman Salekh")

    changed = client.get(TEAM, headers={"if-none-match": etag, "cache-control": "no-cache"})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert page_etag(changed) == changed["ETag"]
    assert "Roman Salekh" in changed.text
    # The new page is current in its turn.
    assert client.get(TEAM, headers={"if-none-match": changed["ETag"]}).status_code == 304


def test_a_weak_copy_of_the_etag_is_recognised_too(client, page_cache):
    # A proxy that compresses pages may weaken the ETag; live.js compares them without the W/.
    etag = page_etag(client.get(TEAM))
    assert client.get(TEAM, headers={"if-none-match": f"W/{etag}"}).status_code == 304


def test_without_the_readers_cache_pages_have_no_etag_and_load_no_script(client, article_data):
    response = client.get(TEAM)
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "<body>" in response.text
    assert "live.js" not in response.text
    assert "live-update-banner" not in response.text


def test_pages_outside_public_page_load_no_script(client, page_cache, admin_client):
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert "live.js" not in not_found.text
    desk = admin_client.get(reverse("admin:index"))
    assert desk.status_code == 200
    assert "live.js" not in desk.text


def gzipped_size(content):
    return len(gzip.compress(content, 9))


def test_the_first_view_stays_within_its_budget(client, page_cache):
    """The team page's HTML and the CSS and scripts a browser fetches to show it (photos and the icon
    aside): at most 60 KB compressed, in 5 requests."""
    page = client.get(TEAM)
    assert page.status_code == 200
    markup = page.text
    subresources = [
        *re.findall(r'<link rel="stylesheet" href="([^"]+)"', markup),
        *re.findall(r'<script src="([^"]+)"', markup),
    ]
    assert "/static/js/live.js" in subresources
    assert any(url.startswith("/theme/") for url in subresources), "the delegation's colours are not linked"
    # While the Games are on, the team page also loads the script that adds the reader's own time.
    if "/static/js/localtime.js" not in subresources:
        subresources.append("/static/js/localtime.js")
    sizes = {TEAM: gzipped_size(page.content)}
    for url in subresources:
        if url.startswith("/static/"):
            path = finders.find(url.removeprefix("/static/"))
            assert path, f"{url} is not found"
            with open(path, "rb") as file:
                sizes[url] = gzipped_size(file.read())
        else:
            response = client.get(url)
            assert response.status_code == 200, url
            sizes[url] = gzipped_size(response.content)
    assert len(sizes) <= FIRST_VIEW_REQUESTS, f"{len(sizes)} requests: {sorted(sizes)}"
    assert sum(sizes.values()) <= FIRST_VIEW_BYTES, f"{sum(sizes.values())} bytes compressed: {sizes}"


def test_live_js_stays_tiny():
    with open(finders.find("js/live.js"), "rb") as file:
        source = file.read()
    assert len(source) < 3 * 1024
    for forbidden in (b"eval(", b"new Function", b"innerHTML", b".style", b'setAttribute("style'):
        assert forbidden not in source, f"live.js uses {forbidden.decode()}"
