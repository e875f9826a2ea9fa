"""The team page as a reader sees it."""

import pytest
from django.urls import reverse

from team.models import Athlete, Delegation, Round, Sport
from team.tests.factories import make_athlete, make_entry, make_event, make_result, make_round

pytestmark = pytest.mark.usefixtures("article_data")

TEAM = reverse("team:team")


def names_on(response):
    return {athlete.name for athlete in response.context["athletes"]}


def test_team_page_shows_every_athlete_of_the_article(client):
    response = client.get(TEAM)
    assert response.status_code == 200
    page = response.text
    for athlete in Athlete.objects.all():
        assert athlete.name in page
    assert len(names_on(response)) == 19


def test_team_page_shows_the_delegation_at_a_glance(client):
    page = client.get(TEAM).text
    assert "<title>Azerbaijan at the Paris 2024 Summer Paralympic Games</title>" in page
    assert "19 competing (18 announced)" in page
    assert "7 (7 announced)" in page
    assert "Imameddin Khalilov and Lamiya Valiyeva" in page
    assert "14 medals: 4 gold, 4 silver, 6 bronze (as reported)" in page
    assert "0: 0 gold, 0 silver, 0 bronze" in page


def test_team_page_explains_classes_and_other_spellings(client):
    page = client.get(TEAM).text
    assert '<span class="class-code">S12</span>: <span class="class-meaning">Swimmers with low vision' in page
    assert "Also spelled Imamaddin Khalilov" in page


def test_the_one_known_time_is_shown_in_paris_and_baku_time(client):
    page = client.get(TEAM).text
    assert '<time datetime="12:00">12:00</time> Paris time · 14:00 Baku time, day to be confirmed' in page


def test_filter_by_sport_shows_that_sport_only(client):
    response = client.get(TEAM, {"sport": "para-swimming"})
    assert names_on(response) == {"Konul Suleymanova", "Roman Saleh", "Vali Israfilov"}
    assert "Dursadaf Karimova" not in response.text


def test_filter_by_gender(client):
    response = client.get(TEAM, {"gender": "W"})
    assert names_on(response) == {
        "Lamiya Valiyeva",
        "Royala Fataliyeva",
        "Konul Suleymanova",
        "Aybeniz Babayeva",
        "Dursadaf Karimova",
        "Khatira Ismiyeva",
    }


def test_filter_by_class(client):
    response = client.get(TEAM, {"sport_class": "S12"})
    assert names_on(response) == {"Roman Saleh"}
    assert "Vali Israfilov" not in response.text


def test_filters_combine_and_keep_their_state_in_the_url(client):
    response = client.get(TEAM, {"sport": "para-athletics", "gender": "M", "sport_class": "T13"})
    assert names_on(response) == {"Orkhan Aslanov"}
    assert '<option value="para-athletics" selected>' in response.text
    assert '<option value="T13" selected>' in response.text


def test_a_filter_that_matches_nobody_says_so_and_links_back(client):
    response = client.get(TEAM, {"sport": "para-judo", "sport_class": "S12"})
    assert response.status_code == 200
    assert "No athlete matches these filters." in response.text
    assert f'<a href="{TEAM}">Show the whole team</a>' in response.text


@pytest.mark.parametrize(
    "params",
    [{"sport": "curling"}, {"gender": "Z"}, {"sport_class": "S99"}, {"sport": "para-swimming", "gender": "<script>"}],
)
def test_a_nonsense_filter_value_gets_a_400_that_says_what_was_wrong(client, params):
    response = client.get(TEAM, params)
    assert response.status_code == 400
    assert "Some filters could not be used:" in response.text
    assert "Select a valid choice" in response.text
    assert "<script>" not in response.text
    assert not response.context["athletes"]


def test_withdrawn_athlete_is_marked_and_not_counted_as_competing(client):
    Athlete.objects.filter(slug="jeyhun-mahmudov").update(status="withdrawn", status_reason="Injured in training")
    page = client.get(TEAM).text
    assert "18 competing (18 announced)" in page
    assert "Withdrawn" in page
    assert "Injured in training" in page


def test_a_medal_entered_by_an_editor_appears_in_the_tally(client):
    entry = Athlete.objects.get(slug="royala-fataliyeva").entries.get()
    make_result(entry=entry, round=make_round(event=entry.event, kind=Round.Kind.FINAL), rank=1, medal="gold")
    assert "1: 1 gold, 0 silver, 0 bronze" in client.get(TEAM).text


def test_no_delegation_loaded_gives_a_plain_404(client, settings):
    settings.FEATURED_DELEGATION = "milan-2026/AZE"
    response = client.get(TEAM)
    assert response.status_code == 404
    assert "No team loaded yet" in response.text


def grow_delegation(factor):
    """Add athletes, events and results until the delegation is `factor` times larger."""
    delegation = Delegation.objects.get()
    sports = list(Sport.objects.all())
    for n in range(19 * (factor - 1)):
        athlete = make_athlete(delegation=delegation, sport=sports[n % len(sports)], gender="M")
        event = make_event(games=delegation.games, sport=athlete.sport, gender="M")
        entry = make_entry(athlete=athlete, event=event)
        make_result(entry=entry, rank=3, medal="bronze")


@pytest.mark.parametrize("factor", [1, 10])
def test_team_page_runs_the_same_queries_whatever_the_team_size(client, django_assert_num_queries, factor):
    grow_delegation(factor)
    with django_assert_num_queries(11):
        response = client.get(TEAM)
    assert len(response.context["athletes"]) == 19 * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_filtered_team_page_runs_the_same_queries_whatever_the_team_size(client, django_assert_num_queries, factor):
    grow_delegation(factor)
    with django_assert_num_queries(13):
        client.get(TEAM, {"sport": "para-swimming", "sport_class": "S12"})
