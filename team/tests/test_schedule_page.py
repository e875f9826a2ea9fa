"""The schedule as a reader filters it: by sport, athlete, day and medal rounds, with the state in the URL."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from team.filters import ScheduleFilter
from team.models import Athlete, Delegation, Entry, Event, Round
from team.tests.factories import make_athlete, make_delegation, schedule_article

SCHEDULE = reverse("team:schedule")


@pytest.fixture(autouse=True)
def scheduled(article_data):
    """The article's rounds on the calendar, and five more (see `schedule_article`)."""
    schedule_article()


def rounds_on(response):
    """The rounds listed, as (event slug, kind)."""
    days = [rounds for _day, rounds in response.context["days"]] + [response.context["unscheduled"]]
    return {(round.event.slug, round.kind) for rounds in days for round, _lineup in rounds}


def option(response, facet_name, value):
    facet = next(facet for facet in response.context["facets"] if facet.name == facet_name)
    return next(option for option in facet.options if option.value == value)


def test_the_whole_schedule_lists_every_round_and_offers_every_facet(client):
    response = client.get(SCHEDULE)
    assert response.status_code == 200
    assert len(rounds_on(response)) == response.context["count"] == 10
    assert "10 rounds" in response.text
    assert [facet.name for facet in response.context["facets"]] == ["sport", "athlete", "day", "rounds"]
    assert response.context["chips"] == []
    assert "No round matches" not in response.text


# Each filter alone


def test_filter_by_sport_is_a_link_to_that_sport_schedule(client):
    response = client.get(SCHEDULE, {"sport": "para-swimming"})
    assert rounds_on(response) == {
        ("swimming-women-s2-50m-backstroke", "classification"),
        ("swimming-women-s2-50m-backstroke", "final"),
        ("swimming-men-s12-100m-backstroke", "heats"),
        ("swimming-men-s12-100m-backstroke", "final"),
    }
    assert "4 rounds" in response.text
    assert response.context["meta"]["title"].startswith("Schedule: Para swimming – ")


def test_filter_by_athlete_keeps_every_teammate_in_the_rounds_found(client):
    response = client.get(SCHEDULE, {"athlete": "khatira-ismiyeva"})
    assert rounds_on(response) == {("judo-women-class-tbc", "preliminary"), ("judo-women-class-tbc", "bronze")}
    # The athletes column still names both judoka of the event.
    assert response.text.count(">Dursadaf Karimova</a>") == 2


def test_filter_by_day(client):
    response = client.get(SCHEDULE, {"day": "2024-08-29"})
    assert rounds_on(response) == {
        ("swimming-women-s2-50m-backstroke", "final"),
        ("swimming-men-s12-100m-backstroke", "heats"),
        ("swimming-men-s12-100m-backstroke", "final"),
    }
    assert '<h2 id="day-2024-08-29">Thursday 29 August</h2>' in response.text
    assert "Day to be confirmed" not in response.text


def test_medal_rounds_only_keeps_finals_and_bronze_medal_contests(client):
    response = client.get(SCHEDULE, {"rounds": "medal"})
    found = rounds_on(response)
    assert {kind for _event, kind in found} == {"final", "bronze"}
    assert len(found) == 5
    assert ("judo-women-class-tbc", "bronze") in found


# Combined


def test_filters_combine_with_and(client):
    response = client.get(SCHEDULE, {"sport": "para-swimming", "rounds": "medal"})
    assert rounds_on(response) == {
        ("swimming-women-s2-50m-backstroke", "final"),
        ("swimming-men-s12-100m-backstroke", "final"),
    }
    response = client.get(SCHEDULE, {"sport": "para-swimming", "day": "2024-08-29", "athlete": "roman-saleh"})
    assert rounds_on(response) == {
        ("swimming-men-s12-100m-backstroke", "heats"),
        ("swimming-men-s12-100m-backstroke", "final"),
    }


def test_several_values_of_one_filter_combine_with_or(client):
    response = client.get(f"{SCHEDULE}?sport=para-judo&sport=shooting-para-sport")
    assert rounds_on(response) == {
        ("judo-women-class-tbc", "preliminary"),
        ("judo-women-class-tbc", "bronze"),
        ("shooting-p4-50m", "final"),
    }
    response = client.get(f"{SCHEDULE}?day=2024-08-30&day=2024-08-31")
    assert len(rounds_on(response)) == 3


def test_active_filters_show_as_chips_that_remove_themselves(client):
    response = client.get(f"{SCHEDULE}?sport=para-swimming&sport=para-judo&rounds=medal")
    chips = {chip["value"]: chip["url"] for chip in response.context["chips"]}
    assert chips["Para swimming"] == "/schedule/?sport=para-judo&rounds=medal"
    assert chips["Medal rounds only (finals and bronze medal contests)"] == (
        "/schedule/?sport=para-swimming&sport=para-judo"
    )
    assert '<li><a href="/schedule/">Clear all</a></li>' in response.text
    assert "Rounds: Medal rounds only" in response.text
    assert 'name="rounds" value="medal" checked' in response.text


# Counts


def every_single_option(delegation):
    rounds = Round.objects.entered_by(delegation)
    filterset = ScheduleFilter(QueryDict(), queryset=rounds, delegation=delegation)
    for facet in filterset.facets():
        for choice in facet.options:
            yield facet.name, choice.value, choice.count


def test_counts_beside_options_are_what_choosing_the_option_shows(client):
    checked = 0
    for name, value, count in every_single_option(Delegation.objects.get()):
        response = client.get(SCHEDULE, {name: value})
        assert response.status_code == 200, (name, value)
        assert response.context["count"] == count, (name, value)
        checked += 1
    assert checked == 5 + 8 + 5 + 1  # sports, athletes and days with rounds, and medal rounds


def test_each_option_shows_its_count_and_the_counts_follow_the_other_filters(client):
    response = client.get(SCHEDULE)
    assert option(response, "sport", "para-swimming").count == 4
    assert option(response, "athlete", "dursadaf-karimova").count == 2
    assert option(response, "day", "2024-08-29").count == 3
    assert option(response, "rounds", "medal").count == 5
    assert 'value="para-swimming"> Para swimming <span class="option-count">(4)</span>' in response.text
    assert 'value="2024-08-29"> Thu 29 Aug <span class="option-count">(3)</span>' in response.text

    filtered = client.get(SCHEDULE, {"sport": "para-swimming"})
    # Sport counts ignore their own filter; the others follow it.
    assert option(filtered, "sport", "para-swimming").checked
    assert option(filtered, "sport", "para-judo").count == 2
    assert option(filtered, "day", "2024-08-29").count == 3
    assert option(filtered, "rounds", "medal").count == 2
    assert option(filtered, "athlete", "roman-saleh").count == 2
    assert option(filtered, "athlete", "dursadaf-karimova").count == 0


def test_athletes_with_no_round_are_not_offered_but_their_link_still_works(client):
    response = client.get(SCHEDULE)
    offered = {
        choice.value for facet in response.context["facets"] if facet.name == "athlete" for choice in facet.options
    }
    assert "vali-israfilov" not in offered

    unscheduled = client.get(SCHEDULE, {"athlete": "vali-israfilov"})
    assert unscheduled.status_code == 200
    assert "No round matches all these filters." in unscheduled.text
    # His event is still named, as one whose day is not known yet.
    assert [event.slug for event in unscheduled.context["events_without_rounds"]] == [
        "swimming-men-sb13-100m-breaststroke"
    ]


def test_events_without_rounds_follow_the_sport_and_athlete_filters(client):
    everything = client.get(SCHEDULE).context["events_without_rounds"]
    swimming = client.get(SCHEDULE, {"sport": "para-swimming"}).context["events_without_rounds"]
    assert {event.sport.slug for event in swimming} == {"para-swimming"}
    assert 0 < len(swimming) < len(everything)
    saleh = client.get(SCHEDULE, {"athlete": "roman-saleh"}).context["events_without_rounds"]
    assert {event.slug for event in saleh} == {
        "swimming-men-s13-50m-freestyle",
        "swimming-men-s12-100m-freestyle",
        "swimming-men-s12-100m-butterfly",
    }
    # A day or medal rounds can only be matched by a round.
    assert client.get(SCHEDULE, {"athlete": "roman-saleh", "rounds": "medal"}).context["events_without_rounds"] == []
    assert client.get(SCHEDULE, {"day": "2024-08-29"}).context["events_without_rounds"] == []


def test_another_teams_athlete_with_the_same_address_is_neither_counted_nor_matched(client):
    """Athletes' addresses are unique within a team only: another delegation at the same Games may have a
    "roman-saleh" too, entered in one of our events."""
    ours = Delegation.objects.get()
    theirs = make_delegation(games=ours.games, country="Türkiye", npc_code="TUR", home_time_zone="Europe/Istanbul")
    namesake = make_athlete(
        delegation=theirs, sport=Athlete.objects.get(slug="kamran-zeynalov").sport, slug="roman-saleh"
    )
    Entry.objects.create(athlete=namesake, event=Event.objects.get(slug="shooting-p4-50m"))

    response = client.get(SCHEDULE, {"athlete": "roman-saleh"})
    assert rounds_on(response) == {
        ("swimming-men-s12-100m-backstroke", "heats"),
        ("swimming-men-s12-100m-backstroke", "final"),
    }
    assert option(client.get(SCHEDULE), "athlete", "roman-saleh").count == 2
    assert namesake.name not in client.get(SCHEDULE).text


# Nothing matches


def test_an_empty_result_says_which_filter_emptied_it(client):
    response = client.get(SCHEDULE, {"sport": "para-judo", "day": "2024-08-29"})
    assert response.status_code == 200
    assert "No round matches all these filters." in response.text
    assert 'Without the “Day” filter there would be 2 rounds. <a href="/schedule/?sport=para-judo">' in response.text
    assert 'Without the “Sport” filter there would be 3 rounds. <a href="/schedule/?day=2024-08-29">' in response.text
    assert '<p><a href="/schedule/">Show the whole schedule</a></p>' in response.text
    assert "0 rounds" in response.text


def test_an_empty_result_with_one_filter_says_so_in_the_singular(client):
    response = client.get(SCHEDULE, {"athlete": "orkhan-aslanov", "rounds": "medal"})
    assert "No round matches all these filters." in response.text
    assert "Without the “Rounds” filter there would be 1 round." in response.text


# Bad values: a message in plain words, never a 500


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sport=curling", "Sport: this team has no sport “curling”."),
        ("athlete=nobody", "Athlete: this team has no athlete “nobody”."),
        (
            "day=2024-02-30",
            "Day: “2024-02-30” is not a day of these Games, which run from 28 August to 8 September 2024.",
        ),
        ("day=2030-01-01", "Day: “2030-01-01” is not a day of these Games"),
        ("day=yesterday", "Day: “yesterday” is not a day of these Games"),
        ("rounds=heats", "Rounds: “heats” is not a kind of round we can show on its own."),
        ("sport=para-swimming&day=%3Cscript%3E", "Day: “&lt;script&gt;” is not a day of these Games"),
    ],
)
def test_a_bad_value_gets_a_400_that_says_what_was_wrong(client, query, message):
    response = client.get(f"{SCHEDULE}?{query}")
    assert response.status_code == 400
    assert "This address asks for something we cannot show:" in response.text
    assert message in response.text
    assert "<script>" not in response.text
    assert '<a href="/schedule/">Show the whole schedule</a>' in response.text
    # The filters stay at hand, open, to pick a value that exists.
    assert '<details class="filter-panel" id="schedule-filters" open>' in response.text


@pytest.mark.parametrize(
    "query",
    [
        "sport=%ff%fe",
        "day=2024-08-29%00",
        "athlete=" + "x" * 3000,
        "sport[]=para-swimming",
        "rounds=medal&rounds=medal",
    ],
)
def test_malformed_values_never_give_a_500(client, query):
    assert client.get(f"{SCHEDULE}?{query}").status_code in (200, 302, 400)


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("sort=name", "/schedule/"),
        ("page=2&sport=para-swimming", "/schedule/?sport=para-swimming"),
        ("sport=&day=", "/schedule/"),
        ("sport=para-swimming&day=&medal=gold", "/schedule/?sport=para-swimming"),
    ],
)
def test_unknown_and_empty_parameters_are_redirected_away(client, query, target):
    response = client.get(f"{SCHEDULE}?{query}")
    assert response.status_code == 302
    assert response.url == target


# Markup


def test_results_come_before_the_filters_which_sit_behind_one_disclosure(client):
    page = client.get(SCHEDULE, {"sport": "para-swimming"}).text
    assert page.index('<h2 id="day-2024-08-29">') < page.index('<details class="filter-panel" id="schedule-filters">')
    assert "<summary>Filter</summary>" in page
    assert '<a href="#schedule-filters">Filter the schedule</a>' in page
    assert 'aria-labelledby="schedule-filters-heading"' in page


def test_each_cell_names_its_column_for_narrow_screens(client):
    page = client.get(SCHEDULE, {"day": "2024-08-31"}).text
    assert '<th scope="col">When</th><th scope="col">Event</th>' in page
    for label in ("When", "Event", "Round", "Athletes"):
        assert page.count(f'data-label="{label}"') == 2, label
    assert 'style="' not in page
