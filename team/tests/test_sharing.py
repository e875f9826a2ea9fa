"""What a shared link shows: each page, filtered ones included, names its own address."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

TEAM = reverse("team:team")

pytestmark = pytest.mark.usefixtures("article_data")


def canonical_and_og_url(page):
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page).group(1)
    og_url = re.search(r'<meta property="og:url" content="([^"]+)">', page).group(1)
    return unescape(canonical), unescape(og_url)


def test_a_filtered_page_names_its_own_address_not_the_unfiltered_one(client):
    page = client.get(f"{TEAM}?sport=para-judo").text

    canonical, og_url = canonical_and_og_url(page)
    assert canonical == og_url == "http://testserver/?sport=para-judo"


@pytest.mark.parametrize("query", ["gender=W&sport=para-judo", "sport=para-judo&gender=W"])
def test_the_address_is_normalised_whatever_order_the_filters_came_in(client, query):
    page = client.get(f"{TEAM}?{query}").text

    assert canonical_and_og_url(page)[0] == "http://testserver/?gender=W&sport=para-judo"


def test_the_unfiltered_page_has_no_query(client):
    assert canonical_and_og_url(client.get(TEAM).text) == ("http://testserver/", "http://testserver/")


def test_values_are_escaped_in_the_address(client):
    page = client.get(TEAM, {"q": 'Saleh "&<'}).text

    canonical, _og_url = canonical_and_og_url(page)
    assert canonical == "http://testserver/?q=Saleh+%22%26%3C"


# The site's icon


def test_every_page_names_its_icons(client):
    page = client.get(TEAM).text

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/static/img/favicon-32.png" sizes="32x32" type="image/png">' in page
    assert '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">' in page


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.url == "/static/img/favicon-32.png"
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405


def test_the_icons_are_small_files_that_exist():
    from django.contrib.staticfiles import finders

    for name, limit in [("img/favicon.svg", 1024), ("img/favicon-32.png", 2048), ("img/apple-touch-icon.png", 10240)]:
        path = finders.find(name)
        assert path, name
        assert 0 < Path(path).stat().st_size <= limit, name
