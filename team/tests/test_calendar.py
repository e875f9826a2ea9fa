"""The schedule in readers' calendar apps: `/schedule.ics` holds what `/schedule/` lists, with the same filters."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from team.models import Athlete, Delegation, Event, Round
from team.tests.factories import grow_delegation, make_entry, schedule_article

CALENDAR = reverse("team:schedule_calendar")
SCHEDULE = reverse("team:schedule")
PARIS_SUMMER = datetime.timedelta(hours=2)


@pytest.fixture(autouse=True)
def scheduled(article_data):
    """The article's rounds on the calendar, and five more (see `schedule_article`)."""
    schedule_article()


@pytest.fixture
def azerbaijani_name():
    """A swimmer written with Azerbaijani letters, entered in the women's S2 backstroke."""
    event = Event.objects.get(slug="swimming-women-s2-50m-backstroke")
    athlete = Athlete.objects.create(
        delegation=Delegation.objects.get(),
        sport=event.sport,
        slug="sehla-qahramanova",
        name="Şəhla Qəhrəmanova",
        gender="W",
    )
    make_entry(athlete=athlete, event=event)
    return athlete


def calendar_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def round_uid(event_slug, kind):
    """The UID of that round's VEVENT: the Games, the round's number and the host."""
    return f"paris-2024-round-{Round.objects.get(event__slug=event_slug, kind=kind).pk}@testserver"


def rounds_in(calendar):
    """The rounds in the calendar, as (event slug, kind), found from their UIDs."""
    found = set()
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid.startswith("paris-2024-round-") and uid.endswith("@testserver")
        round = Round.objects.select_related("event").get(pk=uid.removeprefix("paris-2024-round-").split("@")[0])
        found.add((round.event.slug, round.kind))
    return found


def rounds_on(response):
    """The dated rounds the schedule page lists, as (event slug, kind)."""
    return {(round.event.slug, round.kind) for _day, rounds in response.context["days"] for round, _lineup in rounds}


def vevent(calendar, event_slug, kind):
    return next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == round_uid(event_slug, kind))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sport": "para-swimming"},
        {"athlete": "khatira-ismiyeva"},
        {"athlete": "sehla-qahramanova"},
        {"day": "2024-08-29"},
        {"rounds": "medal"},
        {"sport": ["para-swimming", "para-judo"], "rounds": "medal"},
        {"sport": "para-swimming", "athlete": "konul-suleymanova"},
        # Empty: the schedule says which filter emptied it; the calendar is empty.
        {"sport": "para-judo", "athlete": "roman-saleh", "rounds": "medal"},
    ],
)
def test_calendar_holds_exactly_the_rounds_of_the_schedule_page(client, azerbaijani_name, query):
    page = client.get(SCHEDULE, query)
    calendar = calendar_of(client.get(CALENDAR, query))
    assert rounds_in(calendar) == rounds_on(page)
    assert len(calendar.walk("VEVENT")) == len(rounds_on(page))


def test_an_athlete_written_with_azerbaijani_letters_is_named_in_the_summary(client, azerbaijani_name):
    calendar = calendar_of(client.get(CALENDAR, {"athlete": "sehla-qahramanova"}))
    assert rounds_in(calendar) == {("swimming-women-s2-50m-backstroke", "final")}
    summary = str(vevent(calendar, "swimming-women-s2-50m-backstroke", "final")["SUMMARY"])
    assert "Konul Suleymanova" in summary and "Şəhla Qəhrəmanova" in summary
    assert "Şəhla Qəhrəmanova" in str(calendar["X-WR-CALNAME"])


def test_the_empty_result_is_a_valid_calendar_with_no_events(client):
    calendar = calendar_of(client.get(CALENDAR, {"day": "2024-09-08"}))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_times_are_in_the_venue_zone_two_hours_ahead_of_utc_in_paris_summer(client):
    calendar = calendar_of(client.get(CALENDAR))
    start = vevent(calendar, "swimming-women-s2-50m-backstroke", "final")["DTSTART"]
    assert start.params["TZID"] == "Europe/Paris"
    assert start.dt.utcoffset() == PARIS_SUMMER
    assert start.dt.astimezone(datetime.UTC) == datetime.datetime(2024, 8, 29, 16, 0, tzinfo=datetime.UTC)
    # September too: the judo bronze medal contest at 16:00 in Paris is 14:00 UTC.
    judo = vevent(calendar, "judo-women-class-tbc", "bronze")["DTSTART"].dt
    assert judo.astimezone(datetime.UTC) == datetime.datetime(2024, 9, 5, 14, 0, tzinfo=datetime.UTC)
    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Paris"]
    assert {rule.decoded("TZOFFSETTO") for rule in zones[0].walk("DAYLIGHT")} == {PARIS_SUMMER}


def test_a_timed_round_lasts_an_hour_and_says_so(client):
    event = vevent(calendar_of(client.get(CALENDAR)), "taekwondo-men-k44-80kg", "final")
    assert event["DTEND"].dt - event["DTSTART"].dt == datetime.timedelta(hours=1)
    assert "60 minutes" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "http://testserver/events/taekwondo-men-k44-80kg/"
    assert "Abulfaz Abuzarli" in str(event["SUMMARY"])
    assert "DTSTAMP" in event


def test_a_round_whose_time_changes_keeps_its_uid_with_a_higher_sequence(client):
    before = vevent(calendar_of(client.get(CALENDAR)), "taekwondo-men-k44-80kg", "final")
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    final.scheduled_time = datetime.time(17, 0)
    final.save()
    after = vevent(calendar_of(client.get(CALENDAR)), "taekwondo-men-k44-80kg", "final")
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["DTSTART"].dt.hour == 17


def test_a_round_keeps_its_uid_when_editors_correct_the_events_slug_or_the_kind_of_round(client):
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    before = vevent(calendar_of(client.get(CALENDAR)), "taekwondo-men-k44-80kg", "final")
    event = final.event
    event.slug = "para-taekwondo-men-k44-80kg"
    event.save()
    final.kind = "bronze"
    final.save()
    after = vevent(calendar_of(client.get(CALENDAR)), "para-taekwondo-men-k44-80kg", "bronze")
    assert after["UID"] == before["UID"] == f"paris-2024-round-{final.pk}@testserver"
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_a_round_with_a_day_but_no_time_is_an_all_day_event_to_be_confirmed(client):
    Round.objects.filter(event__slug="athletics-men-t13-long-jump").update(scheduled_time=None)
    event = vevent(calendar_of(client.get(CALENDAR)), "athletics-men-t13-long-jump", "unspecified")
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event["DTSTART"].dt == datetime.date(2024, 8, 30)
    assert not isinstance(event["DTSTART"].dt, datetime.datetime)
    assert event["DTEND"].dt == datetime.date(2024, 8, 31)
    assert "time to be confirmed" in str(event["SUMMARY"])


def test_rounds_with_no_day_are_left_out_and_counted_in_the_description(client):
    page = client.get(SCHEDULE, {"sport": "para-swimming"})
    undated = [round for round, _lineup in page.context["unscheduled"]]
    assert len(undated) == 1
    calendar = calendar_of(client.get(CALENDAR, {"sport": "para-swimming"}))
    assert (undated[0].event.slug, undated[0].kind) not in rounds_in(calendar)
    note = str(calendar["X-WR-CALDESC"])
    assert "1 round whose day is to be confirmed is not in this calendar" in note
    assert "http://testserver/schedule/?sport=para-swimming" in note


def test_a_calendar_with_every_round_dated_has_no_such_note(client):
    calendar = calendar_of(client.get(CALENDAR, {"day": "2024-08-29"}))
    assert "to be confirmed is not in this calendar" not in str(calendar["X-WR-CALDESC"])


@pytest.mark.parametrize(
    "query",
    [
        "?sport=curling",
        "?athlete=%C5%9F%C9%99hla",
        "?day=2024-02-30",
        "?day=2024-08-01&rounds=heats",
        "?sport=%ff%fe",
        "?athlete=roman-saleh&athlete=%22%3E%3Cscript%3E",
    ],
)
def test_malformed_filters_get_the_schedule_page_400_messages_as_text(client, query):
    page = client.get(SCHEDULE + query)
    response = client.get(CALENDAR + query)
    assert page.status_code == response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert page.context["problems"]
    for problem in page.context["problems"]:
        assert str(problem) in response.text


def test_unknown_parameters_are_redirected_away(client):
    response = client.get(CALENDAR + "?sport=para-swimming&utm_source=x&day=")
    assert response.status_code == 302
    assert response["Location"] == CALENDAR + "?sport=para-swimming"


def test_calendar_is_open_to_other_sites_and_named_for_the_team(client):
    response = client.get(CALENDAR)
    assert response["Access-Control-Allow-Origin"] == "*"
    calendar = calendar_of(response)
    assert str(calendar["X-WR-CALNAME"]) == "Azerbaijan at the Paris 2024 Summer Paralympic Games: schedule"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert calendar["UID"] == calendar_of(client.get(CALENDAR))["UID"]


def test_calendar_is_cached_and_revalidated_like_the_pages(client, page_cache):
    first = client.get(CALENDAR, {"sport": "para-swimming"})
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public")
    again = client.get(CALENDAR, {"sport": "para-swimming"}, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    Round.objects.filter(event__slug="swimming-women-s2-50m-backstroke", kind="final").update(
        scheduled_time=datetime.time(19, 0)
    )
    changed = client.get(CALENDAR, {"sport": "para-swimming"}, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize(
    "query",
    [{}, {"sport": "para-swimming", "athlete": "konul-suleymanova"}, {"rounds": "medal", "day": "2024-08-29"}],
)
def test_calendar_runs_a_fixed_number_of_queries(client, django_assert_num_queries, factor, query):
    # The delegation, the sports and athletes offered, the rounds, their entries and the team's results in them.
    grow_delegation(Delegation.objects.get(), factor)
    with django_assert_num_queries(6):
        response = client.get(CALENDAR, query)
    assert response.status_code == 200


def test_the_larger_team_fills_a_larger_calendar(client):
    grow_delegation(Delegation.objects.get(), 10)
    assert len(calendar_of(client.get(CALENDAR)).walk("VEVENT")) == 9 + 19 * 9


# Subscribe links


def test_athlete_page_offers_the_athlete_calendar(client):
    response = client.get(reverse("team:athlete", kwargs={"slug": "roman-saleh"}))
    assert f'href="webcal://testserver{CALENDAR}?athlete=roman-saleh"' in response.text
    assert f'href="{CALENDAR}?athlete=roman-saleh" download' in response.text


def test_sport_page_offers_the_sport_calendar(client):
    response = client.get(reverse("team:sport", kwargs={"slug": "para-swimming"}))
    assert f'href="webcal://testserver{CALENDAR}?sport=para-swimming"' in response.text
    assert f'href="{CALENDAR}?sport=para-swimming" download' in response.text


def test_schedule_page_offers_a_calendar_of_the_current_filters(client):
    response = client.get(SCHEDULE, {"sport": "para-swimming", "rounds": "medal"})
    assert f'href="webcal://testserver{CALENDAR}?sport=para-swimming&amp;rounds=medal"' in response.text
    assert f'href="{CALENDAR}?sport=para-swimming&amp;rounds=medal" download' in response.text
    whole = client.get(SCHEDULE)
    assert f'href="webcal://testserver{CALENDAR}"' in whole.text


def test_schedule_page_refusing_its_filters_offers_no_calendar(client):
    response = client.get(SCHEDULE, {"sport": "curling"})
    assert response.status_code == 400
    assert "webcal:" not in response.text
