"""Impossible data is refused twice: by the database, and by full_clean() in words an editor understands.

Every database test saves inside `transaction.atomic()` (via `refused_by_database`), so the
refusal is rolled back to a savepoint and the test can go on to check that nothing was stored.
Unique constraints are reported by name on PostgreSQL but by column list on SQLite, so those
tests accept either.
"""

import datetime
import re
from contextlib import contextmanager

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from team.models import STATUS_PHRASE, Athlete, Delegation, Entry, Games, Medal, Result, ReviewFlag, Round
from team.tests.factories import (
    make_athlete,
    make_delegation,
    make_entry,
    make_event,
    make_games,
    make_result,
    make_round,
    make_sport,
)

pytestmark = pytest.mark.django_db

GENERIC_CONSTRAINT_MESSAGE = "Constraint “"
NOT_FINISHED = [Result.Status.DNS, Result.Status.DNF, Result.Status.DQ]


@contextmanager
def refused_by_database(*evidence):
    """Expect an IntegrityError mentioning one of `evidence`, rolled back so the test can continue."""
    pattern = "|".join(re.escape(text) for text in evidence)
    with pytest.raises(IntegrityError, match=pattern), transaction.atomic():
        yield


def validation_errors(instance):
    """The messages full_clean() gives, by field; fails the test if full_clean() accepts `instance`."""
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def all_messages(errors):
    return [message for messages in errors.values() for message in messages]


def assert_readable(errors, *words):
    """No bare "Constraint … is violated." message, and the words an editor needs are there."""
    text = " ".join(all_messages(errors))
    assert GENERIC_CONSTRAINT_MESSAGE not in text, errors
    for word in words:
        assert word in text.lower(), errors


@pytest.fixture
def entry():
    return make_entry()


@pytest.fixture
def final(entry):
    return make_round(event=entry.event, kind=Round.Kind.FINAL)


@pytest.fixture
def heats(entry):
    return make_round(event=entry.event, kind=Round.Kind.HEATS)


@pytest.fixture
def teammate_entry(entry):
    """A second athlete of the same delegation in the same event."""
    athlete = make_athlete(delegation=entry.athlete.delegation, sport=entry.athlete.sport)
    return make_entry(athlete=athlete, event=entry.event)


@pytest.fixture
def other_event(entry):
    """An event the athlete could enter (same Games, sport and gender) but has not."""
    return make_event(games=entry.event.games, sport=entry.event.sport, gender=entry.event.gender)


# Rank


def test_rank_of_zero_is_refused_by_the_database(entry, final):
    with refused_by_database("rank_is_positive"):
        make_result(entry=entry, round=final, rank=0)

    assert not Result.objects.exists()


def test_rank_of_one_is_accepted_by_the_database(entry, final):
    make_result(entry=entry, round=final, rank=1)

    assert Result.objects.get().rank == 1


def test_full_clean_explains_a_rank_of_zero(entry, final):
    errors = validation_errors(Result(entry=entry, round=final, rank=0))

    assert_readable(errors, "rank")


# Medal against rank


@pytest.mark.parametrize(("medal", "rank"), [(Medal.GOLD, 2), (Medal.BRONZE, 1)])
def test_medal_that_contradicts_the_rank_is_refused_by_the_database(entry, final, medal, rank):
    with refused_by_database("medal_agrees_with_rank"):
        make_result(entry=entry, round=final, rank=rank, medal=medal)

    assert not Result.objects.exists()


def test_medal_without_a_rank_is_refused_by_the_database(entry, final):
    with refused_by_database("medal_agrees_with_rank"):
        make_result(entry=entry, round=final, rank=None, medal=Medal.SILVER)

    assert not Result.objects.exists()


@pytest.mark.parametrize(
    ("medal", "rank", "message"),
    [
        (Medal.GOLD, 2, "A gold medal goes with rank 1, not 2."),
        (Medal.BRONZE, 1, "A bronze medal goes with rank 3, not 1."),
        (Medal.SILVER, None, "A silver medal goes with rank 2, not no rank."),
    ],
)
def test_full_clean_says_which_rank_goes_with_the_medal(entry, final, medal, rank, message):
    errors = validation_errors(Result(entry=entry, round=final, rank=rank, medal=medal))

    assert errors["medal"] == [message]


# Medal outside a medal round


def test_medal_in_heats_is_refused_by_the_database(entry, heats):
    with refused_by_database("medal_only_in_medal_round"):
        make_result(entry=entry, round=heats, rank=1, medal=Medal.GOLD)

    assert not Result.objects.exists()


def test_adding_a_medal_to_a_heats_result_is_refused_by_the_database(entry, heats):
    result = make_result(entry=entry, round=heats, rank=1)

    result.medal = Medal.GOLD
    with refused_by_database("medal_only_in_medal_round"):
        result.save()

    result.refresh_from_db()
    assert result.medal == ""


def test_bronze_in_a_bronze_medal_contest_is_accepted_by_the_database(entry):
    contest = make_round(event=entry.event, kind=Round.Kind.BRONZE)

    make_result(entry=entry, round=contest, rank=3, medal=Medal.BRONZE)

    assert Result.objects.get().medal == Medal.BRONZE


def test_full_clean_says_medals_are_won_only_in_a_medal_round(entry, heats):
    errors = validation_errors(Result(entry=entry, round=heats, rank=1, medal=Medal.GOLD))

    assert errors["medal"] == ["Medals are won only in a final or a bronze medal contest, not in heats."]


# Result for an athlete not entered in the event


def test_result_for_an_athlete_not_entered_in_the_event_is_refused_by_the_database(entry, other_event):
    round_of_other_event = make_round(event=other_event)

    with refused_by_database("result_entry_and_round_in_same_event"):
        make_result(entry=entry, round=round_of_other_event, rank=1)

    assert not Result.objects.exists()


def test_full_clean_says_the_athlete_is_not_entered_in_the_event(entry, other_event):
    round_of_other_event = make_round(event=other_event)

    errors = validation_errors(Result(entry=entry, round=round_of_other_event, rank=1))

    assert errors["entry"] == [f"{entry.athlete} is not entered in {other_event}."]


# Turning a medal round into a non-medal round


def test_turning_a_round_holding_a_medal_into_heats_is_refused_by_the_database(entry, final):
    make_result(entry=entry, round=final, rank=1, medal=Medal.GOLD)

    final.kind = Round.Kind.HEATS
    with refused_by_database("medal_only_in_medal_round"):
        final.save()

    final.refresh_from_db()
    assert final.kind == Round.Kind.FINAL


def test_turning_a_round_without_medals_into_heats_is_accepted_by_the_database(entry, final):
    make_result(entry=entry, round=final, rank=4)

    final.kind = Round.Kind.HEATS
    final.save()

    final.refresh_from_db()
    assert final.kind == Round.Kind.HEATS


def test_full_clean_refuses_to_turn_a_round_holding_a_medal_into_heats(entry, final):
    make_result(entry=entry, round=final, rank=1, medal=Medal.GOLD)

    final.kind = Round.Kind.HEATS
    errors = validation_errors(final)

    assert errors["kind"] == ["Results in this round carry medals; only a final or bronze medal contest can."]


# Moving an entry to another event


def test_moving_an_entry_with_results_to_another_event_is_refused_by_the_database(entry, final, other_event):
    make_result(entry=entry, round=final, rank=1)
    original_event = entry.event

    entry.event = other_event
    with refused_by_database("result_entry_and_round_in_same_event"):
        entry.save()

    entry.refresh_from_db()
    assert entry.event == original_event


def test_moving_an_entry_without_results_to_another_event_is_accepted_by_the_database(entry, other_event):
    entry.event = other_event
    entry.save()

    entry.refresh_from_db()
    assert entry.event == other_event


def test_full_clean_explains_why_an_entry_with_results_cannot_move(entry, final, other_event):
    make_result(entry=entry, round=final, rank=1)

    entry.event = other_event
    errors = validation_errors(entry)

    assert_readable(errors, "result")


# Entering the same event twice


def test_athlete_entering_the_same_event_twice_is_refused_by_the_database(entry):
    with refused_by_database("athlete_enters_event_once", "team_entry.event_id, team_entry.athlete_id"):
        Entry.objects.create(athlete=entry.athlete, event=entry.event)

    assert Entry.objects.filter(athlete=entry.athlete, event=entry.event).count() == 1


def test_full_clean_says_the_athlete_is_already_entered(entry):
    errors = validation_errors(Entry(athlete=entry.athlete, event=entry.event))

    assert errors[NON_FIELD_ERRORS] == ["Entry with this Event and Athlete already exists."]


# Withdrawn without a reason


def test_withdrawn_athlete_without_a_reason_is_refused_by_the_database():
    with refused_by_database("withdrawn_athlete_has_reason"):
        make_athlete(status=Athlete.Status.WITHDRAWN)

    assert not Athlete.objects.exists()


def test_withdrawn_entry_without_a_reason_is_refused_by_the_database(entry):
    entry.status = Entry.Status.WITHDRAWN
    with refused_by_database("withdrawn_entry_has_reason"):
        entry.save()

    entry.refresh_from_db()
    assert entry.status == Entry.Status.ENTERED


def test_withdrawal_with_a_reason_is_accepted_by_the_database(entry):
    entry.status = Entry.Status.WITHDRAWN
    entry.status_reason = "Injured in training."
    entry.save()
    athlete = make_athlete(status=Athlete.Status.WITHDRAWN, status_reason="Not selected.")

    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    assert athlete.status == Athlete.Status.WITHDRAWN


def test_full_clean_asks_for_the_reason_an_athlete_withdrew():
    athlete = make_athlete()

    athlete.status = Athlete.Status.WITHDRAWN
    errors = validation_errors(athlete)

    assert errors["status_reason"] == ["Give the reason for the withdrawal."]


def test_full_clean_asks_for_the_reason_an_entry_was_withdrawn(entry):
    entry.status = Entry.Status.WITHDRAWN
    errors = validation_errors(entry)

    assert errors["status_reason"] == ["Give the reason for the withdrawal."]


# Did not start, did not finish, disqualified


@pytest.mark.parametrize("status", NOT_FINISHED)
def test_result_without_a_finish_but_with_a_rank_is_refused_by_the_database(entry, final, status):
    with refused_by_database("no_rank_or_medal_without_finish"):
        make_result(entry=entry, round=final, status=status, rank=5)

    assert not Result.objects.exists()


@pytest.mark.parametrize("status", NOT_FINISHED)
def test_result_without_a_finish_but_with_a_medal_is_refused_by_the_database(entry, final, status):
    with refused_by_database("no_rank_or_medal_without_finish"):
        make_result(entry=entry, round=final, status=status, rank=1, medal=Medal.GOLD)

    assert not Result.objects.exists()


@pytest.mark.parametrize("status", NOT_FINISHED)
def test_result_without_a_finish_rank_or_medal_is_accepted_by_the_database(entry, final, status):
    make_result(entry=entry, round=final, status=status)

    assert Result.objects.get().status == status


@pytest.mark.parametrize("status", NOT_FINISHED)
def test_full_clean_asks_to_leave_the_rank_blank_without_a_finish(entry, final, status):
    errors = validation_errors(Result(entry=entry, round=final, status=status, rank=5))

    assert errors["rank"] == [f"Leave the rank blank when the athlete {STATUS_PHRASE[status]}."]


@pytest.mark.parametrize("status", NOT_FINISHED)
def test_full_clean_says_an_athlete_who_did_not_finish_wins_no_medal(entry, final, status):
    errors = validation_errors(Result(entry=entry, round=final, status=status, rank=1, medal=Medal.GOLD))

    assert errors["medal"] == [f"An athlete who {STATUS_PHRASE[status]} cannot win a medal."]


# Two golds (or silvers) in one round


@pytest.mark.parametrize(("medal", "rank"), [(Medal.GOLD, 1), (Medal.SILVER, 2)])
def test_two_untied_golds_or_silvers_in_one_round_are_refused_by_the_database(
    entry, teammate_entry, final, medal, rank
):
    make_result(entry=entry, round=final, rank=rank, medal=medal)

    with refused_by_database("one_untied_gold_or_silver_per_round", "team_result.round_id, team_result.medal"):
        make_result(entry=teammate_entry, round=final, rank=rank, medal=medal)

    assert Result.objects.filter(round=final, medal=medal).count() == 1


def test_two_golds_both_marked_tie_are_accepted(entry, teammate_entry, final):
    first = make_result(entry=entry, round=final, rank=1, medal=Medal.GOLD, tie=True)
    second = Result(entry=teammate_entry, round=final, rank=1, medal=Medal.GOLD, tie=True)

    second.full_clean()
    second.save()

    assert set(Result.objects.filter(round=final, medal=Medal.GOLD)) == {first, second}


def test_two_bronzes_in_one_round_need_no_tie(entry, teammate_entry, final):
    make_result(entry=entry, round=final, rank=3, medal=Medal.BRONZE)
    make_result(entry=teammate_entry, round=final, rank=3, medal=Medal.BRONZE)

    assert Result.objects.filter(round=final, medal=Medal.BRONZE).count() == 2


def test_full_clean_suggests_ticking_tie_for_a_second_gold(entry, teammate_entry, final):
    make_result(entry=entry, round=final, rank=1, medal=Medal.GOLD)

    errors = validation_errors(Result(entry=teammate_entry, round=final, rank=1, medal=Medal.GOLD))

    assert errors[NON_FIELD_ERRORS] == [
        "This round already has that medal. Tick 'tie' on both results if they are officially tied."
    ]


# Review flags


def flag_on_two_things():
    athlete = make_athlete()
    return ReviewFlag(slug="two-things", note="Check the spelling.", athlete=athlete, games=athlete.delegation.games)


def flag_on_nothing():
    return ReviewFlag(slug="nothing", note="Check the spelling.")


@pytest.mark.parametrize("build_flag", [flag_on_two_things, flag_on_nothing], ids=["two-things", "nothing"])
def test_review_flag_not_attached_to_exactly_one_thing_is_refused_by_the_database(build_flag):
    flag = build_flag()

    with refused_by_database("flag_has_exactly_one_target"):
        flag.save()

    assert not ReviewFlag.objects.exists()


def test_review_flag_attached_to_one_thing_is_accepted_by_the_database():
    athlete = make_athlete()

    ReviewFlag.objects.create(slug="one-thing", note="Check the spelling.", athlete=athlete)

    assert ReviewFlag.objects.get().target == athlete


@pytest.mark.parametrize("build_flag", [flag_on_two_things, flag_on_nothing], ids=["two-things", "nothing"])
def test_full_clean_asks_to_attach_the_flag_to_exactly_one_thing(build_flag):
    errors = validation_errors(build_flag())

    assert "Attach the flag to exactly one thing (an athlete, an event …)." in errors[NON_FIELD_ERRORS]


# Games dates


def games_ending_before_they_start():
    return Games(
        slug="backwards",
        name="Backwards Games",
        season=Games.Season.SUMMER,
        year=2024,
        host_city="Paris",
        host_country="France",
        start_date=datetime.date(2024, 9, 8),
        end_date=datetime.date(2024, 8, 28),
    )


def test_games_ending_before_they_start_are_refused_by_the_database():
    with refused_by_database("games_ends_after_it_starts"):
        games_ending_before_they_start().save()

    assert not Games.objects.exists()


def test_games_ending_the_day_they_start_are_accepted_by_the_database():
    games = make_games(start_date=datetime.date(2024, 8, 28), end_date=datetime.date(2024, 8, 28))

    assert Games.objects.get() == games


def test_full_clean_explains_games_ending_before_they_start():
    errors = validation_errors(games_ending_before_they_start())

    assert_readable(errors, "end")


# NPC codes


@pytest.mark.parametrize("npc_code", ["az", "Aze", "aze", "AZ"])
def test_npc_code_that_is_not_three_capitals_is_refused_by_the_database(npc_code):
    games = make_games()

    with refused_by_database("npc_code_is_three_capitals"):
        make_delegation(games=games, npc_code=npc_code)

    assert not Delegation.objects.exists()


def test_npc_code_with_a_digit_is_refused_by_the_database():
    games = make_games()

    with refused_by_database("npc_code_is_three_capitals"):
        make_delegation(games=games, npc_code="AZ1")

    assert not Delegation.objects.exists()


@pytest.mark.parametrize("npc_code", ["az", "Aze"])
def test_full_clean_explains_an_npc_code_that_is_not_three_capitals(npc_code):
    errors = validation_errors(Delegation(games=make_games(), country="Azerbaijan", npc_code=npc_code))

    assert_readable(errors, "three")


# Entry.clean: gender and sport


def test_full_clean_refuses_a_mens_athlete_in_a_womens_event(entry):
    man = make_athlete(delegation=entry.athlete.delegation, sport=entry.athlete.sport, gender="M")

    errors = validation_errors(Entry(athlete=man, event=entry.event))

    assert errors["event"] == [f"This is a women's event; {man} is listed as a man."]


def test_full_clean_accepts_a_mens_athlete_in_a_mixed_event(entry):
    man = make_athlete(delegation=entry.athlete.delegation, sport=entry.athlete.sport, gender="M")
    mixed = make_event(games=entry.event.games, sport=entry.event.sport, gender="X")

    Entry(athlete=man, event=mixed).full_clean()

    assert man.gender == "M"
    assert mixed.gender == "X"


def test_full_clean_refuses_an_athlete_in_an_event_of_another_sport(entry):
    other_sport = make_sport(name="Para judo")
    judo = make_event(games=entry.event.games, sport=other_sport)

    errors = validation_errors(Entry(athlete=entry.athlete, event=judo))

    assert errors["event"] == [f"This event is in Para judo but {entry.athlete} competes in {entry.athlete.sport}."]


# Round.clean: dates


@pytest.mark.parametrize("day", [datetime.date(2024, 8, 27), datetime.date(2024, 9, 9)], ids=["before", "after"])
def test_full_clean_refuses_a_round_dated_outside_the_games(entry, day):
    games = entry.event.games
    semifinal = Round(event=entry.event, kind=Round.Kind.SEMIFINAL, scheduled_date=day)

    errors = validation_errors(semifinal)

    assert errors["scheduled_date"] == [f"{day} is outside {games} ({games.start_date} to {games.end_date})."]


@pytest.mark.parametrize("day", [datetime.date(2024, 8, 28), datetime.date(2024, 9, 8)], ids=["first", "last"])
def test_full_clean_accepts_a_round_dated_within_the_games(entry, day):
    semifinal = Round(event=entry.event, kind=Round.Kind.SEMIFINAL, scheduled_date=day)

    semifinal.full_clean()

    assert entry.event.games.is_during(day)


def test_full_clean_refuses_a_tied_gold_beside_an_untied_one(entry, teammate_entry, final):
    make_result(entry=entry, round=final, rank=1, medal=Medal.GOLD)

    errors = validation_errors(Result(entry=teammate_entry, round=final, rank=1, medal=Medal.GOLD, tie=True))

    assert errors == {
        "tie": ["This round already has a gold medal. Tick 'tie' on both results if they are officially tied."]
    }


def test_full_clean_gives_one_readable_message_per_problem():
    games = Games(
        slug="backwards-2024",
        name="Backwards Games",
        season=Games.Season.SUMMER,
        year=2024,
        host_city="Paris",
        host_country="France",
        start_date=datetime.date(2024, 9, 8),
        end_date=datetime.date(2024, 8, 28),
    )

    errors = validation_errors(games)

    assert errors == {"end_date": ["The Games cannot end before they start."]}
