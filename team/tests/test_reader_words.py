"""Words written for readers: review points where the fact is shown, the sources page, the 400 page."""

import pytest
from django.urls import reverse

from team.models import Event, ReviewFlag

pytestmark = pytest.mark.usefixtures("article_data")

NUCLEAR = "athletics-men-f55-nuclear-propulsion"
CHECKING = "Our editors are checking some details of this event, as reported."


def test_an_event_whose_name_is_being_checked_says_so_on_its_own_page(client):
    event = Event.objects.get(slug=NUCLEAR)
    assert ReviewFlag.objects.open().filter(event=event).exists()

    page = client.get(reverse("team:event", args=[NUCLEAR])).text

    assert CHECKING in page
    assert f'href="{reverse("team:sources")}#checking">What we are still checking</a>' in page


def test_an_event_with_nothing_open_says_nothing(client):
    event = Event.objects.get(slug=NUCLEAR)
    ReviewFlag.objects.filter(event=event).delete()

    assert CHECKING not in client.get(reverse("team:event", args=[NUCLEAR])).text


def test_the_sources_page_speaks_to_readers(client):
    page = client.get(reverse("team:sources")).text

    assert '<h2 id="checking">What we are still checking</h2>' in page
    assert "we have not confirmed yet" in page
    assert "Under review" not in page


def test_the_400_page_says_what_went_wrong_in_plain_words(client):
    response = client.get(reverse("team:team"), HTTP_HOST="bad host")

    assert response.status_code == 400
    assert "We could not read that address" in response.text
    assert "mistyped" in response.text
    assert "slug" not in response.text.lower()


def test_an_address_with_too_many_parameters_gets_the_400_page_not_an_error(client):
    response = client.get("/?" + "&".join(f"f{n}=1" for n in range(1001)))

    assert response.status_code == 400
    assert "We could not read that address" in response.text
    assert 'rel="canonical"' not in response.text
