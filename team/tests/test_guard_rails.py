"""Editor slips that would empty or break every public page are refused with a message that says why."""

import datetime

import pytest
from django.urls import reverse

from team.models import Delegation, Games
from team.tests.admin_forms import form_data

pytestmark = pytest.mark.usefixtures("article_data")


@pytest.fixture
def desk(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("desk", "desk@example.com", "a-long-passphrase"))
    return client


def save(desk, obj, **changes):
    url = reverse(f"admin:team_{obj._meta.model_name}_change", args=[obj.pk])
    data = form_data(desk.get(url)) | {"correction_note": "Checking the guard rails."} | changes
    return desk.post(url, data)


def test_the_featured_teams_code_cannot_be_changed_from_under_the_site(desk):
    delegation = Delegation.objects.get()
    response = save(desk, delegation, npc_code="AZR")
    assert response.status_code == 200
    assert "This is part of the address of the team the site features (paris-2024/AZE)" in response.text
    delegation.refresh_from_db()
    assert delegation.npc_code == "AZE"
    assert desk.get(reverse("team:team")).status_code == 200


def test_the_featured_games_address_cannot_be_changed_from_under_the_site(desk):
    games = Games.objects.get(slug="paris-2024")
    response = save(desk, games, slug="paris-24")
    assert response.status_code == 200
    assert "every public page would be empty" in response.text
    assert Games.objects.filter(slug="paris-2024").exists()


def test_another_delegations_code_can_be_corrected(desk, settings):
    settings.FEATURED_DELEGATION = "paris-2024/XYZ"
    response = save(desk, Delegation.objects.get(), npc_code="AZR")
    assert response.status_code == 302
    assert Delegation.objects.get().npc_code == "AZR"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_date": "0001-08-28"}, "0001-08-28 is not in 2024, the year of these Games."),
        ({"end_date": "2031-09-08"}, "2031-09-08 is not in 2024, the year of these Games."),
        ({"year": "24"}, "Paralympic Games have been held since 1960; check the year."),
        ({"start_date": "2024-01-02"}, "Games last a few weeks at most; check the dates."),
    ],
)
def test_implausible_games_dates_are_refused(desk, changes, message):
    games = Games.objects.get(slug="paris-2024")
    response = save(desk, games, **changes)
    assert response.status_code == 200
    assert message in response.text
    games.refresh_from_db()
    assert games.start_date == datetime.date(2024, 8, 28)


def test_games_held_a_year_late_are_accepted():
    tokyo = Games(slug="tokyo-2020-test", name="Tokyo", season="summer", year=2020, host_city="Tokyo")
    tokyo.host_country = "Japan"
    tokyo.start_date, tokyo.end_date = datetime.date(2021, 8, 24), datetime.date(2021, 9, 5)
    tokyo.full_clean()


def test_a_span_of_days_no_games_could_have_gives_no_day_filter_options(client):
    Games.objects.filter(slug="paris-2024").update(start_date=datetime.date(1, 1, 1))
    response = client.get(reverse("team:team"))
    assert response.status_code == 200
    assert not [facet for facet in response.context["facets"] if facet.name == "day"]
