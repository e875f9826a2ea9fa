"""The team page as a reader sees it: the delegation at a glance and a roster with filters in the URL."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from team.filters import FacetFilter, RosterFilter
from team.models import Athlete, Delegation, Entry, Event, EventGender, ReviewFlag, Round
from team.tests.factories import make_result, make_round

pytestmark = pytest.mark.usefixtures("article_data")

TEAM = reverse("team:team")


def names_on(response):
    page = response.context["page"]
    return {athlete.name for athlete in page.object_list} if page is not None else set()


def option(response, facet_name, value):
    facet = next(facet for facet in response.context["facets"] if facet.name == facet_name)
    return next(option for option in facet.options if option.value == value)


def test_team_page_shows_every_athlete_of_the_article(client):
    response = client.get(TEAM)
    assert response.status_code == 200
    for athlete in Athlete.objects.all():
        assert athlete.name in response.text
    assert len(names_on(response)) == 19
    assert "19 athletes" in response.text


def test_team_page_shows_the_delegation_at_a_glance(client):
    page = client.get(TEAM).text
    assert "<title>Azerbaijan at the Paris 2024 Summer Paralympic Games</title>" in page
    assert "18 athletes were announced; we list 19 (1 more than announced), all competing." in page
    assert "Competing in 7 sports" in page
    assert '<a href="/athletes/imameddin-khalilov/">Imameddin Khalilov</a> and' in page
    assert "At Tokyo 2020 Summer Paralympic Games" in page
    assert "14 medals: 4 gold, 4 silver, 6 bronze (as reported)" in page
    # The tally is the medal strip's (the glance does not repeat it).
    assert "0 medals in all" in page and "0: 0 gold" not in page


def test_class_codes_are_explained_in_place_with_a_link_to_the_glossary(client):
    page = client.get(TEAM).text
    assert (
        '<a class="class-code" href="/classes/#class-S12">S12</a> <span class="class-meaning">'
        "(Swimmers with low vision" in page
    )
    assert 'Also spelled <span lang="az">İmaməddin Xəlilov</span>' in page
    assert '<span lang="en">Imamaddin Khalilov</span>' in page


def test_filter_by_sport_shows_that_sport_only(client):
    response = client.get(TEAM, {"sport": "para-swimming"})
    assert names_on(response) == {"Konul Suleymanova", "Roman Saleh", "Vali Israfilov"}
    assert "Dursadaf Karimova" not in response.text


def test_several_values_of_one_filter_combine_with_or(client):
    response = client.get(f"{TEAM}?sport=para-swimming&sport=para-judo")
    assert names_on(response) == {
        "Konul Suleymanova",
        "Roman Saleh",
        "Vali Israfilov",
        "Dursadaf Karimova",
        "Khatira Ismiyeva",
        "Ilham Zakiyev",
    }


def test_filters_combine_with_and_and_keep_their_state_in_the_url(client):
    response = client.get(f"{TEAM}?sport=para-athletics&gender=M&classification=T13")
    assert names_on(response) == {"Orkhan Aslanov"}
    assert 'name="sport" value="para-athletics" checked' in response.text
    assert 'name="classification" value="T13" checked' in response.text


def test_filter_by_gender_and_class(client):
    assert len(names_on(client.get(TEAM, {"gender": "W"}))) == 6
    assert names_on(client.get(TEAM, {"classification": "S12"})) == {"Roman Saleh"}


def test_filter_by_round_day_result_and_medal(client):
    assert names_on(client.get(TEAM, {"round": "final"})) == {"Konul Suleymanova", "Abulfaz Abuzarli"}
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    Round.objects.filter(pk=final.pk).update(scheduled_date=datetime.date(2024, 9, 1))
    assert names_on(client.get(TEAM, {"day": "2024-09-01"})) == {"Abulfaz Abuzarli"}
    make_result(entry=Entry.objects.get(athlete__slug="abulfaz-abuzarli"), round=final, rank=3, medal="bronze")
    assert names_on(client.get(TEAM, {"medal": "bronze"})) == {"Abulfaz Abuzarli"}
    assert names_on(client.get(TEAM, {"result": "ok"})) == {"Abulfaz Abuzarli"}
    assert names_on(client.get(TEAM, {"medal": "gold"})) == set()


def test_name_search_finds_any_spelling(client):
    for query in ["Khalilov", "Imamaddin", "Xəlilov", "Халилов", "xelilov"]:
        assert names_on(client.get(TEAM, {"q": query})) == {"Imameddin Khalilov"}, query


def test_each_option_shows_how_many_athletes_it_would_show(client):
    response = client.get(TEAM)
    assert option(response, "sport", "para-swimming").count == 3
    assert option(response, "gender", "W").count == 6
    assert option(response, "classification", "K44").count == 4
    assert 'value="para-swimming"> Para swimming <span class="option-count">(3)</span>' in response.text

    filtered = client.get(TEAM, {"gender": "W"})
    assert option(filtered, "sport", "para-swimming").count == 1


def test_class_options_are_grouped_by_impairment(client):
    facet = next(facet for facet in client.get(TEAM).context["facets"] if facet.name == "classification")
    groups = {str(label): [option.value for option in options] for label, options in facet.groups}
    assert groups["Visual impairment"] == ["S12", "S13", "SB13", "T12", "T13"]
    assert "K44" in groups["Physical impairment"]


def test_active_filters_show_as_chips_that_remove_themselves(client):
    response = client.get(f"{TEAM}?sport=para-swimming&sport=para-judo&gender=W")
    chips = {chip["value"]: chip["url"] for chip in response.context["chips"]}
    assert chips["Para swimming"] == "/?sport=para-judo&gender=W"
    assert chips["Women"] == "/?sport=para-swimming&sport=para-judo"


def test_empty_parameters_are_dropped_from_the_url(client):
    response = client.get(f"{TEAM}?q=&sport=para-judo&sort=")
    assert response.status_code == 302
    assert response.url == "/?sport=para-judo"
    assert client.get(f"{TEAM}?q=&sort=").url == "/"


def test_an_empty_result_says_which_filter_emptied_it(client):
    response = client.get(TEAM, {"sport": "para-judo", "classification": "S12"})
    assert response.status_code == 200
    assert "No athlete matches all these filters." in response.text
    assert 'Without the “Class” filter there would be 3 athletes. <a href="/?sport=para-judo">' in response.text
    assert 'Without the “Sport” filter there would be 1 athlete. <a href="/?classification=S12">' in response.text


def test_sorting_by_name_lists_athletes_alphabetically(client):
    response = client.get(TEAM, {"sort": "name"})
    confirmed = [athlete.name for athlete in response.context["confirmed"]]
    checking = [athlete.name for athlete in response.context["checking"]]
    assert confirmed == sorted(confirmed) and checking == sorted(checking)
    assert confirmed[0] == "Abulfaz Abuzarli"
    assert [a.name for a in response.context["page"].object_list] == confirmed + checking


@pytest.mark.parametrize("sort", ["sport", "name"])
def test_an_athlete_still_being_confirmed_does_not_open_the_roster(client, sort):
    # The article names the archer by surname only ("Musayev"): under review, and Para archery sorts first.
    assert ReviewFlag.objects.open().filter(athlete__slug="musayev-archery").exists()
    response = client.get(TEAM, {"sort": sort})
    confirmed = [athlete.slug for athlete in response.context["confirmed"]]
    checking = [athlete.slug for athlete in response.context["checking"]]
    assert "musayev-archery" in checking and "musayev-archery" not in confirmed
    assert checking == [a.slug for a in response.context["page"].object_list][len(confirmed) :]
    page = response.text
    roster = page[page.index('id="roster-heading"') :]
    first_card = roster.index('<article class="athlete"')
    assert 'id="musayev-archery"' not in roster[first_card : first_card + 200]
    # Each of them is shown under its own heading, with where readers learn what is being checked.
    group = roster[roster.index('id="checking-heading"') :]
    assert "Still being confirmed" in group and 'id="musayev-archery"' in group
    assert '<a href="/sources/#checking">What we are still checking</a>' in group


def test_pagination_keeps_the_filters(client, settings, monkeypatch):
    monkeypatch.setattr("team.views.ROSTER_PAGE_SIZE", 2)
    response = client.get(TEAM, {"sport": "para-swimming"})
    assert response.context["page"].paginator.num_pages == 2
    assert '<a href="?sport=para-swimming&amp;page=2" rel="next">' in response.text
    second = client.get(TEAM, {"sport": "para-swimming", "page": 2})
    # Roman Saleh's events are still being checked: he comes after the confirmed swimmers, on page 2.
    assert names_on(response) == {"Konul Suleymanova", "Vali Israfilov"}
    assert names_on(second) == {"Roman Saleh"}


@pytest.mark.parametrize(
    "query",
    [
        "sport=curling",
        "gender=Z",
        "classification=S99",
        "day=yesterday",
        "day=2030-01-01",
        "round=podium",
        "medal=platinum",
        "result=maybe",
        "status=retired",
        "sort=height",
        "page=0",
        "page=abc",
        "page=99",
        "sport=para-swimming&gender=%3Cscript%3E",
    ],
)
def test_a_nonsense_parameter_gets_a_400_that_says_what_was_wrong(client, query):
    response = client.get(f"{TEAM}?{query}")
    assert response.status_code == 400
    assert "This address asks for something we cannot show:" in response.text
    assert "<script>" not in response.text
    assert '<a href="/">Show the whole team</a>' in response.text


def test_withdrawn_athlete_is_marked_and_not_counted_as_competing(client):
    Athlete.objects.filter(slug="jeyhun-mahmudov").update(status="withdrawn", status_reason="Injured in training")
    response = client.get(TEAM)
    assert (
        "18 athletes were announced; we list 19 (1 more than announced), of whom 18 compete and 1 has withdrawn."
        in response.text
    )
    assert "Injured in training" in response.text
    assert names_on(client.get(TEAM, {"status": "withdrawn"})) == {"Jeyhun Mahmudov"}


def test_a_medal_entered_by_an_editor_appears_in_the_tally(client):
    entry = Athlete.objects.get(slug="royala-fataliyeva").entries.get()
    make_result(entry=entry, round=make_round(event=entry.event, kind=Round.Kind.FINAL), rank=1, medal="gold")
    page = client.get(TEAM).text
    assert '<span class="medal-badge medal-gold">Gold</span> 1</li>' in page and "1 medal in all" in page


def test_no_delegation_loaded_gives_a_404_page(client, settings):
    settings.FEATURED_DELEGATION = "milan-2026/AZE"
    response = client.get(TEAM)
    assert response.status_code == 404
    assert "Page not found" in response.text


def every_single_option(delegation):
    filterset = RosterFilter(QueryDict(), queryset=delegation.athletes.all(), games=delegation.games)
    for facet in filterset.facets():
        for option in facet.options:
            yield facet.name, option.value, option.count


def test_counts_beside_options_are_what_choosing_the_option_shows(client):
    """Each count is worked out by one grouped query; choosing the option filters the list another way."""
    Round.objects.filter(event__slug="taekwondo-men-k44-80kg").update(scheduled_date=datetime.date(2024, 9, 1))
    make_result(
        entry=Entry.objects.get(athlete__slug="abulfaz-abuzarli"),
        round=Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final"),
        rank=3,
        medal="bronze",
    )
    checked = 0
    for name, value, count in every_single_option(Delegation.objects.get()):
        response = client.get(TEAM, {name: value})
        assert response.status_code == 200, (name, value)
        assert response.context["page"].paginator.count == count, (name, value)
        checked += 1
    assert checked >= 28


def test_counts_ignore_their_own_filter_and_follow_the_others(client):
    response = client.get(TEAM, {"sport": "para-swimming", "gender": "W"})
    assert names_on(response) == {"Konul Suleymanova"}
    # Sport counts follow the gender filter only: judo would add two women.
    assert option(response, "sport", "para-swimming").count == 1
    assert option(response, "sport", "para-judo").count == 2
    assert option(response, "sport", "para-swimming").checked
    # Gender counts follow the sport filter only: three swimmers, one a woman.
    assert option(response, "gender", "W").count == 1
    assert option(response, "gender", "M").count == 2


class RosterWithEventGender(RosterFilter):
    """A filter added in one declaration, to show that the page derives everything else from it."""

    event_gender = FacetFilter("entries__event__gender", choices=EventGender.choices, label="Event category")


def test_a_filter_added_in_one_declaration_gets_counts_chips_and_messages(client, monkeypatch):
    monkeypatch.setattr("team.views.RosterFilter", RosterWithEventGender)

    response = client.get(TEAM)
    assert option(response, "event_gender", "X").count == 2  # the P4 mixed shooting event
    assert option(response, "event_gender", "W").count == 6
    assert 'name="event_gender" value="X"> Mixed <span class="option-count">(2)</span>' in response.text

    filtered = client.get(TEAM, {"event_gender": "X"})
    assert names_on(filtered) == {"Kamran Zeynalov", "Aybeniz Babayeva"}
    assert [chip["value"] for chip in filtered.context["chips"]] == ["Mixed"]
    assert "Event category: Mixed" in filtered.text

    emptied = client.get(TEAM, {"event_gender": "X", "sport": "para-judo"})
    assert "Without the “Event category” filter there would be 3 athletes." in emptied.text

    refused = client.get(TEAM, {"event_gender": "Q"})
    assert refused.status_code == 400
    assert "Event category: Select a valid choice. Q is not one of the available choices." in refused.text


def test_an_event_with_two_entrants_is_linked_from_both(client):
    event = Event.objects.get(slug="shooting-p4-50m")
    page = client.get(TEAM).text
    assert page.count(f'href="{event.get_absolute_url()}"') == 2
