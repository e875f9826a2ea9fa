"""The medal tally is derived from results: nobody types the numbers in."""

import pytest

from team.models import Medal, Result, Round
from team.tests.factories import (
    make_athlete,
    make_delegation,
    make_entry,
    make_event,
    make_result,
    make_round,
    make_sport,
)

pytestmark = pytest.mark.django_db

NO_MEDALS = {"gold": 0, "silver": 0, "bronze": 0, "total": 0}
ONE_GOLD = {"gold": 1, "silver": 0, "bronze": 0, "total": 1}


@pytest.fixture
def delegation():
    return make_delegation(npc_code="AZE")


@pytest.fixture
def rival(delegation):
    """Another delegation at the same Games."""
    return make_delegation(games=delegation.games, country="France", npc_code="FRA")


@pytest.fixture
def sport():
    return make_sport(name="Para swimming")


def entry_for(delegation, event):
    athlete = make_athlete(delegation=delegation, sport=event.sport, gender=event.gender)
    return make_entry(athlete=athlete, event=event)


def new_event(delegation, sport, **fields):
    return make_event(games=delegation.games, sport=sport, **fields)


def test_tally_is_zero_without_results(delegation):
    assert delegation.medal_tally() == NO_MEDALS
    assert Result.objects.tally() == NO_MEDALS


def test_results_without_medals_count_nothing(delegation, sport):
    event = new_event(delegation, sport)
    make_result(entry=entry_for(delegation, event), round=make_round(event=event), rank=4)

    assert delegation.medal_tally() == NO_MEDALS


def test_gold_result_makes_one_gold_and_a_total_of_one(delegation, sport):
    event = new_event(delegation, sport)
    make_result(entry=entry_for(delegation, event), rank=1, medal=Medal.GOLD)

    assert delegation.medal_tally() == ONE_GOLD
    assert Result.objects.tally() == ONE_GOLD


def test_changing_a_result_medal_moves_the_tally(delegation, sport):
    event = new_event(delegation, sport)
    result = make_result(entry=entry_for(delegation, event), rank=1, medal=Medal.GOLD)

    result.rank, result.medal = 2, Medal.SILVER
    result.save()

    assert delegation.medal_tally() == {"gold": 0, "silver": 1, "bronze": 0, "total": 1}


def test_deleting_the_result_removes_its_medal(delegation, sport):
    event = new_event(delegation, sport)
    result = make_result(entry=entry_for(delegation, event), rank=1, medal=Medal.GOLD)

    result.delete()

    assert delegation.medal_tally() == NO_MEDALS
    assert Result.objects.tally() == NO_MEDALS


def test_results_of_another_delegation_are_not_counted(delegation, rival, sport):
    event = new_event(delegation, sport)
    final = make_round(event=event)
    make_result(entry=entry_for(rival, event), round=final, rank=1, medal=Medal.GOLD)
    make_result(entry=entry_for(delegation, event), round=final, rank=3, medal=Medal.BRONZE)

    assert delegation.medal_tally() == {"gold": 0, "silver": 0, "bronze": 1, "total": 1}
    assert rival.medal_tally() == ONE_GOLD
    assert Result.objects.tally() == {"gold": 1, "silver": 0, "bronze": 1, "total": 2}


def test_team_gold_shared_by_two_athletes_counts_as_one_gold(delegation, sport):
    relay = new_event(delegation, sport, is_team=True)
    final = make_round(event=relay)
    for _ in range(2):
        make_result(entry=entry_for(delegation, relay), round=final, rank=1, medal=Medal.GOLD, tie=True)

    assert Result.objects.filter(round=final, medal=Medal.GOLD).count() == 2
    assert delegation.medal_tally() == ONE_GOLD


def test_two_bronzes_won_by_two_athletes_in_an_individual_event_count_as_two(delegation, sport):
    event = new_event(delegation, sport, is_team=False)
    contest = make_round(event=event, kind=Round.Kind.BRONZE)
    for _ in range(2):
        make_result(entry=entry_for(delegation, event), round=contest, rank=3, medal=Medal.BRONZE)

    assert delegation.medal_tally() == {"gold": 0, "silver": 0, "bronze": 2, "total": 2}


def test_team_golds_in_two_team_events_count_as_two(delegation, sport):
    for discipline in ("4 × 100 m freestyle", "4 × 100 m medley"):
        relay = new_event(delegation, sport, is_team=True, discipline=discipline)
        final = make_round(event=relay)
        for _ in range(2):
            make_result(entry=entry_for(delegation, relay), round=final, rank=1, medal=Medal.GOLD, tie=True)

    assert delegation.medal_tally() == {"gold": 2, "silver": 0, "bronze": 0, "total": 2}


def test_team_and_individual_medals_add_up(delegation, sport):
    relay = new_event(delegation, sport, is_team=True)
    relay_final = make_round(event=relay)
    for _ in range(2):
        make_result(entry=entry_for(delegation, relay), round=relay_final, rank=2, medal=Medal.SILVER, tie=True)
    sprint = new_event(delegation, sport)
    make_result(entry=entry_for(delegation, sprint), rank=1, medal=Medal.GOLD)

    assert delegation.medal_tally() == {"gold": 1, "silver": 1, "bronze": 0, "total": 2}


def test_team_bronzes_of_two_delegations_count_as_two_in_the_overall_tally(delegation, rival, sport):
    team_event = new_event(delegation, sport, is_team=True)
    contest = make_round(event=team_event, kind=Round.Kind.BRONZE)
    for team in (delegation, rival):
        make_result(entry=entry_for(team, team_event), round=contest, rank=3, medal=Medal.BRONZE)

    assert delegation.medal_tally() == rival.medal_tally() == {"gold": 0, "silver": 0, "bronze": 1, "total": 1}
    assert Result.objects.tally() == {"gold": 0, "silver": 0, "bronze": 2, "total": 2}


def test_the_tally_by_sport_counts_by_the_same_rule_and_adds_up_to_the_whole():
    delegation = make_delegation()
    team_event = make_event(games=delegation.games, is_team=True)
    final = make_round(event=team_event)
    for _n in range(2):
        athlete = make_athlete(delegation=delegation, sport=team_event.sport)
        make_result(entry=make_entry(athlete=athlete, event=team_event), round=final, rank=1, medal="gold", tie=True)
    solo = make_athlete(delegation=delegation)
    make_result(entry=make_entry(athlete=solo), rank=3, medal="bronze")

    results = Result.objects.filter(entry__athlete__delegation=delegation)
    by_sport = results.tally_by("entry__event__sport")

    assert by_sport == {
        team_event.sport_id: {"gold": 1, "silver": 0, "bronze": 0, "total": 1},
        solo.sport_id: {"gold": 0, "silver": 0, "bronze": 1, "total": 1},
    }
    assert delegation.medal_tally() == {"gold": 1, "silver": 0, "bronze": 1, "total": 2}
