"""Floods of addresses no cache has seen: one entry per page however it is spelt, short lives, a render limit."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from team import caching

TEAM = reverse("team:team")


@pytest.fixture
def warm_generation(settings):
    """The generation was read a moment ago, as between two requests in production."""
    settings.PAGE_GENERATION_TTL = 60


@pytest.mark.parametrize("host", ["LOCALHOST", "localhost.", "localhost:80", "localhost:99999", "LocalHost.:80"])
def test_spellings_of_the_host_share_one_cache_entry(
    client, page_cache, warm_generation, host, django_assert_num_queries
):
    first = client.get(TEAM, HTTP_HOST="localhost")
    with django_assert_num_queries(0):
        again = client.get(TEAM, HTTP_HOST=host)
    assert again.status_code == 200
    assert again["ETag"] == first["ETag"]
    assert '<link rel="canonical" href="http://localhost/">' in again.text


def test_parameter_order_makes_no_new_entry(client, page_cache, warm_generation, django_assert_num_queries):
    first = client.get(f"{TEAM}?sport=para-judo&gender=W")
    with django_assert_num_queries(0):
        again = client.get(f"{TEAM}?gender=W&sport=para-judo")
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    ("asked", "redirected_to"),
    [
        ("?utm_source=newsletter", "/"),
        ("?sport=para-judo&fbclid=abc123", "/?sport=para-judo"),
        ("?sport=para-judo&q=", "/?sport=para-judo"),
    ],
)
def test_unknown_and_empty_parameters_are_redirected_not_rendered(client, page_cache, asked, redirected_to):
    response = client.get(TEAM + asked)
    assert response.status_code == 302
    assert response.url == redirected_to


def test_pages_without_parameters_take_none(client, page_cache):
    response = client.get(reverse("team:medals") + "?page=2")
    assert response.status_code == 302
    assert response.url == reverse("team:medals")


def test_filtered_pages_are_kept_briefly_and_the_team_page_for_a_day(client, page_cache, monkeypatch):
    kept = {}
    real_set = cache.set

    def spy(key, value, timeout=None, version=None):
        if key.startswith("page:"):
            kept[key] = timeout
        return real_set(key, value, timeout)

    monkeypatch.setattr(cache, "set", spy)
    client.get(TEAM)
    client.get(TEAM, {"sport": "para-judo"})
    assert sorted(kept.values()) == [caching.FILTERED_PAGE_TIMEOUT, caching.PAGE_TIMEOUT]
    assert caching.FILTERED_PAGE_TIMEOUT <= 600


def test_an_oversized_page_is_served_but_not_stored(client, page_cache, warm_generation, monkeypatch):
    monkeypatch.setattr(caching, "MAX_PAGE_BYTES", 1000)
    assert client.get(TEAM).status_code == 200
    key, _etag = caching.page_key(client.get(TEAM).wsgi_request, caching.generation())
    assert not cache.has_key(key)


def test_beyond_the_render_limit_a_miss_is_shed_while_cached_pages_are_served(client, page_cache, settings):
    assert client.get(TEAM).status_code == 200  # cached
    settings.RENDER_CONCURRENCY = 0  # every render slot taken
    assert client.get(TEAM).status_code == 200
    assert client.get(TEAM, headers={"if-none-match": client.get(TEAM)["ETag"]}).status_code == 304
    shed = client.get(TEAM, {"sport": "para-judo"})
    assert shed.status_code == 503
    assert shed["Retry-After"] == "5"
    assert shed["Cache-Control"] == "no-store"
    assert "Please try again in a few seconds" in shed.text


@pytest.mark.parametrize("cached", [True, False])
def test_a_bad_host_header_gets_a_plain_400(client, article_data, settings, cached):
    settings.PUBLIC_PAGE_CACHE = cached
    response = client.get(TEAM, HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "We could not read that address" in response.text
    assert "attacker.example" not in response.text
