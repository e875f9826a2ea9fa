"""The team page's lead, on Games built here with results entered: today's and the next rounds as of a frozen
clock, the medals newest first, the time of the last change, the roster's numbers in one sentence, and how
long a cached copy of a page that says "Today" may be served."""

import datetime
import gzip
import re
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import escape

from team import front, history
from team.models import Athlete, Change, Entry, Event, Result, Round
from team.tests.factories import (
    grow_delegation,
    make_athlete,
    make_delegation,
    make_entry,
    make_event,
    make_games,
    make_result,
    make_round,
    make_sport,
    make_sport_class,
)

TEAM = reverse("team:team")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(month, day, hour=0, minute=0):
    return datetime.datetime(2024, month, day, hour, minute, tzinfo=PARIS)


def on(month, day, hour=None, minute=0):
    """A round's schedule fields: the day, and the time at the venue when `hour` is given."""
    time = datetime.time(hour, minute) if hour is not None else None
    return {"scheduled_date": datetime.date(2024, month, day), "scheduled_time": time}


def build_games():
    """Test Games in Paris (28 August to 8 September 2024) and a delegation from Baku that was announced as
    four athletes; six are on the list, one of them withdrawn. Three medals are in: a bronze on 29 August,
    a team gold on 30 August at 11:00 (two athletes share it) and a silver on 30 August at 16:00.

    From 31 August on: Aysel's 100 m heats (10:00) and final (18:30) and Murad's round at a time to be
    confirmed on 31 August; Nigar's round at 12:00 that day, but she has withdrawn; Aysel's 200 m heats
    and final on 1 September; Leyla's two rounds on 2 September and Kamal's two on 3 September."""
    earlier = make_games(slug="test-2020", name="Test 2020 Paralympic Games", year=2020, start_date=None, end_date=None)
    games = make_games(slug="test-2024", name="Test 2024 Paralympic Games", previous=earlier)
    delegation = make_delegation(games, athletes_announced=4, sports_announced=3)
    swimming = make_sport(slug="para-swimming", name="Para swimming")
    judo = make_sport(slug="para-judo", name="Para judo", uses_classes=False)
    shooting = make_sport(slug="para-shooting", name="Para shooting", uses_classes=False)
    s9 = make_sport_class(sport=swimming, code="S9", meaning="Swimmers with a mild physical impairment.")

    def athlete(name, sport, gender="W", **fields):
        return make_athlete(delegation, sport, slug=name.lower().replace(" ", "-"), name=name, gender=gender, **fields)

    aysel = athlete("Aysel Aliyeva", swimming)
    bahar = athlete("Bahar Babayeva", swimming)
    kamal = athlete("Kamal Karimov", judo, "M")
    leyla = athlete("Leyla Lazimova", shooting)
    murad = athlete("Murad Mammadov", shooting, "M")
    nigar = athlete("Nigar Nabiyeva", judo, status=Athlete.Status.WITHDRAWN, status_reason="Injured.")

    def event(slug, sport, gender="W", discipline="", **fields):
        return make_event(games, sport, slug=slug, gender=gender, discipline=discipline, **fields)

    swim50 = event("swim-50-free", swimming, discipline="50 m freestyle", sport_class=s9, mark_kind="time")
    swim100 = event("swim-100-back", swimming, discipline="100 m backstroke", sport_class=s9, mark_kind="time")
    swim200 = event("swim-200-im", swimming, discipline="200 m medley", sport_class=s9, mark_kind="time")
    judo_m = event("judo-men-73", judo, "M", "-73 kg")
    judo_w = event("judo-women-57", judo, "W", "-57 kg")
    mixed = event("shooting-mixed-team", shooting, "X", "10 m air rifle team", is_team=True)
    air = event("shooting-women-10m", shooting, "W", "10 m air rifle")
    pistol = event("shooting-men-25m", shooting, "M", "25 m pistol")
    judo_open = event("judo-men-open", judo, "M", "open")

    entries = {
        (athlete.slug, event.slug): make_entry(athlete=athlete, event=event)
        for athlete, event in [
            (bahar, swim50),
            (aysel, swim100),
            (aysel, swim200),
            (kamal, judo_m),
            (kamal, judo_open),
            (nigar, judo_w),
            (leyla, mixed),
            (murad, mixed),
            (leyla, air),
            (murad, pistol),
        ]
    }
    final = Round.Kind.FINAL
    rounds = {
        "swim50-final": make_round(swim50, final, **on(8, 29, 18)),
        "mixed-final": make_round(mixed, final, **on(8, 30, 11)),
        "judo-final": make_round(judo_m, final, **on(8, 30, 16)),
        "swim100-heats": make_round(swim100, Round.Kind.HEATS, order=1, **on(8, 31, 10)),
        "swim100-final": make_round(swim100, final, order=2, **on(8, 31, 18, 30)),
        "judo-women": make_round(judo_w, Round.Kind.PRELIMINARY, **on(8, 31, 12)),
        "pistol-final": make_round(pistol, final, **on(8, 31)),
        "swim200-heats": make_round(swim200, Round.Kind.HEATS, order=1, **on(9, 1, 10)),
        "swim200-final": make_round(swim200, final, order=2, **on(9, 1, 19)),
        "air-qualification": make_round(air, Round.Kind.PRELIMINARY, order=1, **on(9, 2, 9)),
        "air-final": make_round(air, final, order=2, **on(9, 2, 14)),
        "open-preliminary": make_round(judo_open, Round.Kind.PRELIMINARY, order=1, **on(9, 3, 10)),
        "open-final": make_round(judo_open, final, order=2, **on(9, 3, 17)),
        "open-repechage": make_round(judo_open, Round.Kind.REPECHAGE, order=3),  # day to be confirmed
    }
    make_result(entries["bahar-babayeva", "swim-50-free"], rounds["swim50-final"], rank=3, medal="bronze", mark="29.85")
    for slug in ("leyla-lazimova", "murad-mammadov"):
        make_result(
            entries[slug, "shooting-mixed-team"], rounds["mixed-final"], rank=1, medal="gold", mark="630.1", tie=True
        )
    make_result(
        entries["kamal-karimov", "judo-men-73"], rounds["judo-final"], rank=2, medal="silver", settled="official"
    )
    return delegation


@pytest.fixture
def delegation(db, settings):
    settings.FEATURED_DELEGATION = "test-2024/AZE"
    return build_games()


@pytest.fixture
def clock(monkeypatch):
    """Freezes the front page's clock: `clock(moment)`."""

    def freeze(moment):
        monkeypatch.setattr(front, "now", lambda: moment)

    return freeze


def section(page, heading_id):
    """The markup of the section labelled by `heading_id`."""
    return re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', page, re.S).group(0)


def text(markup):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", markup)).strip()


def listed(markup, css_class):
    """Each item's text, in order, of the lists with this class."""
    items = []
    for block in re.findall(rf'<ol class="{css_class}".*?</ol>', markup, re.S):
        items += [text(item) for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
    return items


# Today and next up


def test_on_a_day_with_rounds_today_lists_them_all_then_the_next_ones(client, delegation, clock):
    clock(paris(8, 31, 9))
    coming = section(client.get(TEAM).text, "coming-heading")

    assert '<h2 id="coming-heading">Today, Saturday 31 August</h2>' in coming
    today, later = coming.split("<h3>Next up</h3>")
    # The withdrawn athlete's round is not listed; a time to be confirmed comes last in its day.
    assert listed(today, "coming-rounds") == [
        "10:00 Paris time · 12:00 Baku time, Saturday 31 August "
        "Para swimming, women – 100 m backstroke S9 · Heats Aysel Aliyeva",
        "18:30 Paris time · 20:30 Baku time, Saturday 31 August "
        "Para swimming, women – 100 m backstroke S9 · Final Aysel Aliyeva",
        "Saturday 31 August, time to be confirmed Para shooting, men – 25 m pistol · Final Murad Mammadov",
    ]
    # With today's three, the next five rounds reach two of 1 September's.
    assert listed(later, "coming-rounds") == [
        "10:00 Paris time · 12:00 Baku time, Sunday 1 September "
        "Para swimming, women – 200 m medley S9 · Heats Aysel Aliyeva",
        "19:00 Paris time · 21:00 Baku time, Sunday 1 September "
        "Para swimming, women – 200 m medley S9 · Final Aysel Aliyeva",
    ]
    assert "Nigar Nabiyeva" not in coming


def test_each_time_names_its_moment_in_utc_and_links_to_the_event(client, delegation, clock):
    clock(paris(8, 31, 9))
    coming = section(client.get(TEAM).text, "coming-heading")

    assert (
        '<time datetime="2024-08-31T08:00:00Z" data-zones="Europe/Paris Asia/Baku">10:00</time> Paris time · '
        "12:00 Baku time, Saturday 31 August" in coming
    )
    assert 'data-local-label="your time"' in coming
    event = Event.objects.get(slug="swim-100-back")
    assert f'<a href="{event.get_absolute_url()}" aria-describedby="class-note-S9">' in coming
    assert f'<a href="{Athlete.objects.get(slug="aysel-aliyeva").get_absolute_url()}">Aysel Aliyeva</a>' in coming


def test_without_rounds_today_next_up_lists_the_next_five(client, delegation, clock):
    clock(paris(8, 28, 12))  # the opening day: no round for the team
    coming = section(client.get(TEAM).text, "coming-heading")

    assert '<h2 id="coming-heading">Next up</h2>' in coming
    assert "Today" not in coming
    assert [item.split(" Para ")[0] for item in listed(coming, "coming-rounds")] == [
        "18:00 Paris time · 20:00 Baku time, Thursday 29 August",
        "11:00 Paris time · 13:00 Baku time, Friday 30 August",
        "16:00 Paris time · 18:00 Baku time, Friday 30 August",
        "10:00 Paris time · 12:00 Baku time, Saturday 31 August",
        "18:30 Paris time · 20:30 Baku time, Saturday 31 August",
    ]
    # A team event lists every athlete of the team in it.
    assert "Leyla Lazimova, Murad Mammadov" in text(coming)


def test_today_is_the_day_at_the_venue_not_on_the_server(client, delegation, clock, settings):
    settings.TIME_ZONE = "UTC"  # where it is still 30 August
    clock(datetime.datetime(2024, 8, 30, 22, 30, tzinfo=datetime.UTC))  # 00:30 on 31 August in Paris
    assert '<h2 id="coming-heading">Today, Saturday 31 August</h2>' in client.get(TEAM).text


def test_rounds_earlier_today_stay_under_today_until_midnight(client, delegation, clock):
    clock(paris(9, 1, 23, 50))
    coming = section(client.get(TEAM).text, "coming-heading")

    assert '<h2 id="coming-heading">Today, Sunday 1 September</h2>' in coming
    today, later = coming.split("<h3>Next up</h3>")
    assert len(listed(today, "coming-rounds")) == 2
    assert [item.split(",")[1].split(" Para")[0].strip() for item in listed(later, "coming-rounds")] == [
        "Monday 2 September",
        "Monday 2 September",
        "Tuesday 3 September",
    ]


def test_when_nothing_is_scheduled_any_more_it_says_so(client, delegation, clock):
    clock(paris(9, 6, 9))
    coming = section(client.get(TEAM).text, "coming-heading")

    assert '<h2 id="coming-heading">Next up</h2>' in coming
    assert "No round of the team is scheduled from today on." in coming
    assert '<a href="/schedule/">The whole schedule, with rounds whose day is still to be confirmed</a>' in coming


def test_a_busy_day_lists_its_first_rounds_and_links_to_the_rest(client, delegation, clock, monkeypatch):
    monkeypatch.setattr(front, "TODAY_MOST", 2)
    make_round(Event.objects.get(slug="swim-100-back"), Round.Kind.SEMIFINAL, order=3, **on(8, 31, 14))
    clock(paris(8, 31, 9))
    coming = section(client.get(TEAM).text, "coming-heading")

    today = coming.split("<h3>Next up</h3>")[0]
    assert [item.split(" Paris")[0] for item in listed(today, "coming-rounds")] == ["10:00", "14:00"]
    assert '<a href="/schedule/?day=2024-08-31">Every round today</a>' in coming
    assert client.get("/schedule/?day=2024-08-31").status_code == 200


def test_after_the_games_the_block_says_so_and_points_to_the_results(client, delegation, clock):
    clock(paris(9, 9, 10))
    page = client.get(TEAM).text
    coming = section(page, "coming-heading")

    assert '<h2 id="coming-heading">The Games are over</h2>' in coming
    assert "The Test 2024 Paralympic Games ended on Sunday 8 September 2024." in coming
    assert '<a href="/medals/">What the team won</a>' in coming
    assert "coming-rounds" not in coming
    assert "localtime.js" not in page


def test_the_reader_time_script_loads_only_with_rounds_to_show(client, delegation, clock):
    clock(paris(8, 31, 9))
    page = client.get(TEAM).text
    assert '<script src="/static/js/localtime.js" defer></script>' in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('type="application/ld+json"' in attrs or 'src="/static/' in attrs for attrs in scripts)
    assert " style=" not in page
    assert "localtime.js" not in client.get(TEAM, {"sport": "para-judo"}).text


# Medals


def test_the_medal_strip_shows_the_tally_then_each_medal_newest_first(client, delegation, clock):
    clock(paris(8, 31, 9))
    strip = section(client.get(TEAM).text, "medal-strip-heading")

    assert '<span class="medal-badge medal-gold">Gold</span> 1</li>' in strip
    assert '<span class="medal-badge medal-silver">Silver</span> 1</li>' in strip
    assert '<span class="medal-badge medal-bronze">Bronze</span> 1</li>' in strip
    assert "3 medals in all" in strip
    # The team gold counts once and is listed once, with both athletes.
    assert listed(strip, "medal-list") == [
        "Silver Kamal Karimov · Para judo, men – -73 kg · Friday 30 August",
        "Gold Leyla Lazimova, Murad Mammadov · Para shooting, mixed – 10 m air rifle team · 630.1 · Friday 30 August"
        " provisional",
        "Bronze Bahar Babayeva · Para swimming, women – 50 m freestyle S9 · 29.85 · Thursday 29 August provisional",
    ]
    kamal = Athlete.objects.get(slug="kamal-karimov")
    assert f'<a href="{kamal.get_absolute_url()}">Kamal Karimov</a>' in strip
    assert f'<a href="{Event.objects.get(slug="judo-men-73").get_absolute_url()}">' in strip
    assert '<time datetime="2024-08-30">Friday 30 August</time>' in strip


def test_a_medal_entered_now_leads_the_strip(client, delegation, clock):
    clock(paris(8, 31, 20))
    entry = Entry.objects.get(athlete__slug="aysel-aliyeva", event__slug="swim-100-back")
    make_result(entry, Round.objects.get(event=entry.event, kind="final"), rank=1, medal="gold", mark="1:08.20")
    strip = section(client.get(TEAM).text, "medal-strip-heading")

    assert listed(strip, "medal-list")[0].startswith("Gold Aysel Aliyeva · Para swimming, women – 100 m backstroke")
    assert "4 medals in all" in strip


def test_without_medals_the_strip_says_so(client, delegation, clock):
    Result.objects.all().delete()
    clock(paris(8, 28, 12))
    strip = section(client.get(TEAM).text, "medal-strip-heading")
    assert "No medals yet." in strip
    assert "0 medals in all" in strip


# Updated


def test_the_updated_stamp_is_the_last_change_in_the_venues_time(client, delegation, clock, editor):
    clock(paris(8, 31, 9))
    assert 'class="updated"' not in client.get(TEAM).text  # no editor has changed anything yet

    athlete_type = ContentType.objects.get_for_model(Athlete)
    for moment in (paris(8, 31, 8, 5), paris(8, 30, 22)):
        Change.objects.create(
            content_type=athlete_type, object_id="1", object_repr="x", action=Change.Action.CHANGED, at=moment
        )
    assert (
        '<p class="updated">Updated <time datetime="2024-08-31T06:05:00Z">08:05 Paris time, Saturday 31 August 2024'
        "</time></p>" in client.get(TEAM).text
    )

    athlete = Athlete.objects.get(slug="bahar-babayeva")
    before = history.snapshot(athlete)
    athlete.name = "Bahar Babayeva-Aliyeva"
    athlete.save()
    change = history.record_save(athlete, before, editor)
    local = change.at.astimezone(PARIS)
    stamp = f'<time datetime="{change.at.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}">{local:%H:%M} Paris time, '
    assert stamp in client.get(TEAM).text


# The roster in one sentence


@pytest.mark.parametrize(
    ("announced", "named", "competing", "sentence"),
    [
        (18, 19, 19, "18 athletes were announced; we list 19 (1 more than announced), all competing."),
        (
            18,
            19,
            18,
            "18 athletes were announced; we list 19 (1 more than announced), of whom 18 compete and 1 has withdrawn.",
        ),
        (18, 18, 18, "18 athletes were announced; we list 18, all competing."),
        (
            18,
            15,
            13,
            "18 athletes were announced; we list 15 (3 not named yet), of whom 13 compete and 2 have withdrawn.",
        ),
        (None, 7, 7, "We list 7 athletes, all competing."),
        (None, 1, 1, "We list 1 athlete, competing."),
        (2, 2, 0, "2 athletes were announced; we list 2, all withdrawn."),
        (None, 0, 0, "No athlete is on our list yet."),
    ],
)
def test_the_roster_numbers_in_one_sentence(announced, named, competing, sentence):
    assert front.roster_sentence(announced, named, competing) == sentence


def test_the_page_explains_the_roster_numbers(client, delegation, clock):
    clock(paris(8, 31, 9))
    glance = section(client.get(TEAM).text, "glance-heading")
    assert (
        "4 athletes were announced; we list 6 (2 more than announced), of whom 5 compete and 1 has withdrawn." in glance
    )


# Queries and size


@pytest.mark.parametrize("factor", [1, 3])
@pytest.mark.parametrize(("moment", "queries"), [(paris(8, 31, 9), 26), (paris(9, 9, 9), 23)], ids=["games", "after"])
def test_the_front_page_runs_a_fixed_number_of_queries(
    client, delegation, clock, django_assert_num_queries, factor, moment, queries
):
    """The roster's 20 (see test_public_pages.py), the latest medals, the last change, the place in the medal
    table and, during the Games, the coming rounds with their entries and the team's results in them."""
    grow_delegation(delegation, factor)
    clock(moment)
    with django_assert_num_queries(queries):
        assert client.get(TEAM).status_code == 200


def test_the_first_view_stays_small_on_a_large_teams_busiest_day(client, delegation, clock):
    grow_delegation(delegation, 10)  # 171 more athletes, each with a final on the opening day
    clock(paris(8, 28, 9))
    page = client.get(TEAM).content
    assert len(gzip.compress(page)) <= 60 * 1024
    assert page.count(b'class="coming-when"') == front.TODAY_MOST
    assert b"Every round today" in page


# Cached copies do not outlive the day they were made for


class ShiftedClock:
    """Stands in for the `time` module in team.caching: wall-clock time moved on by `offset` seconds."""

    def __init__(self):
        import time

        self._time = time
        self.offset = 0

    def time(self):
        return self._time.time() + self.offset

    def monotonic(self):
        return self._time.monotonic()


@pytest.fixture
def readers_cache(settings, monkeypatch):
    """Readers' pages cached as in production (see `page_cache` in conftest), with a wall clock tests move."""
    from django.db import connection

    settings.PUBLIC_PAGE_CACHE = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS team_publish IMMEDIATE")
    shifted = ShiftedClock()
    monkeypatch.setattr("team.caching.time", shifted)
    return shifted


def test_a_cached_today_is_not_served_or_confirmed_after_midnight(
    client, delegation, clock, readers_cache, settings, django_assert_max_num_queries
):
    clock(paris(8, 31, 23, 59))
    first = client.get(TEAM)
    etag = first["ETag"]
    assert "Today, Saturday 31 August" in first.text
    assert not first.has_header("Last-Modified")  # a date alone would confirm this copy tomorrow
    assert f'data-page-etag="{escape(etag)}"' in first.text

    settings.PAGE_GENERATION_TTL = 60
    with django_assert_max_num_queries(0):
        assert client.get(TEAM, headers={"if-none-match": etag}).status_code == 304
        assert client.get(TEAM)["ETag"] == etag

    clock(paris(9, 1, 0, 1))
    readers_cache.offset = 120  # past the minute the page held until
    after = client.get(TEAM, headers={"if-none-match": etag})
    assert after.status_code == 200
    assert "Today, Sunday 1 September" in after.text
    assert after["ETag"] != etag
    assert client.get(TEAM, headers={"if-none-match": after["ETag"]}).status_code == 304


def test_a_new_generation_still_moves_the_front_page_on(client, delegation, clock, readers_cache):
    clock(paris(8, 31, 20))
    etag = client.get(TEAM)["ETag"]
    entry = Entry.objects.get(athlete__slug="aysel-aliyeva", event__slug="swim-100-back")
    make_result(entry, Round.objects.get(event=entry.event, kind="final"), rank=1, medal="gold")

    response = client.get(TEAM, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert listed(section(response.text, "medal-strip-heading"), "medal-list")[0].startswith("Gold Aysel Aliyeva")


def test_after_the_games_and_on_filtered_pages_nothing_depends_on_the_clock(client, delegation, clock, readers_cache):
    clock(paris(9, 9, 10))
    over = client.get(TEAM)
    assert over.has_header("Last-Modified")
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]{16}"', over["ETag"])
    assert client.get(TEAM, headers={"if-modified-since": over["Last-Modified"]}).status_code == 304

    clock(paris(8, 31, 9))
    filtered = client.get(TEAM, {"sport": "para-judo"})
    assert filtered.has_header("Last-Modified")
    assert 'id="coming-heading"' not in filtered.text
