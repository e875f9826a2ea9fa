"""What readers see of the results desk's record: addresses that follow a corrected slug, how far each athlete
went (and no round shown as coming for one who is out or withdrew), record marks, the source beside each
result, every source with what it supports, and the team's place in the medal tables beside the Games' facts."""

import datetime
import re
import uuid
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from team import front
from team.models import (
    Athlete,
    Change,
    Delegation,
    Entry,
    Event,
    Games,
    GamesFact,
    RecordMark,
    Round,
    Source,
    Standing,
)
from team.tests.factories import (
    grow_delegation,
    make_athlete,
    make_delegation,
    make_entry,
    make_event,
    make_result,
    make_round,
)

pytestmark = pytest.mark.usefixtures("article_data")

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TEAM = reverse("team:team")
SCHEDULE = reverse("team:schedule")
MEDALS = reverse("team:medals")
SOURCES = reverse("team:sources")
BACKSTROKE = "swimming-men-s12-100m-backstroke"  # Roman Saleh, the only one of the team in it
JUDO = "judo-women-class-tbc"  # Dursadaf Karimova and Khatira Ismiyeva


def athlete_page(slug):
    return reverse("team:athlete", args=[slug])


def event_page(slug):
    return reverse("team:event", args=[slug])


def text(markup):
    """What a reader reads: the markup without its tags (a space after each cell, term or block), spaces folded."""
    spaced = re.sub(r"</(dt|dd|th|td|h\d|p|li)>", " ", markup)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", spaced)).strip()


def section(page, heading_id):
    """The markup of the section labelled by `heading_id`."""
    return re.search(rf'<section[^>]* aria-labelledby="{heading_id}".*?</section>', page, re.S).group(0)


def at(month, day, hour):
    return {"scheduled_date": datetime.date(2024, month, day), "scheduled_time": datetime.time(hour)}


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


@pytest.fixture
def clock(monkeypatch):
    """Freezes the front page's clock: `clock(month, day, hour)` in Paris."""

    def freeze(month, day, hour):
        moment = datetime.datetime(2024, month, day, hour, tzinfo=PARIS)
        monkeypatch.setattr(front, "now", lambda: moment)

    return freeze


@pytest.fixture
def backstroke():
    """Roman Saleh's 100 m backstroke S12: heats at 10:00 and the final at 18:00 on 29 August."""
    event = Event.objects.get(slug=BACKSTROKE)
    heats = make_round(event=event, kind=Round.Kind.HEATS, **at(8, 29, 10))
    final = make_round(event=event, kind=Round.Kind.FINAL, **at(8, 29, 18))
    entry = Entry.objects.get(event=event, athlete__slug="roman-saleh")
    return {"event": event, "heats": heats, "final": final, "entry": entry}


@pytest.fixture
def judo():
    """The women's judo on 5 September: round of 16, quarterfinal, semifinal and final, two of the team in it."""
    event = Event.objects.get(slug=JUDO)
    rounds = {
        kind: make_round(event=event, kind=kind, **at(9, 5, hour))
        for kind, hour in [
            (Round.Kind.ROUND_OF_16, 10),
            (Round.Kind.QUARTERFINAL, 12),
            (Round.Kind.SEMIFINAL, 14),
            (Round.Kind.FINAL, 17),
        ]
    }
    entries = {entry.athlete.slug: entry for entry in Entry.objects.filter(event=event).select_related("athlete")}
    return {"event": event, "rounds": rounds, "entries": entries}


def schedule_rounds(response):
    """The rounds the schedule lists, as {(event slug, kind): [athlete slugs]}."""
    rows = [row for _day, rounds in response.context["days"] for row in rounds] + response.context["unscheduled"]
    return {(round.event.slug, round.kind): [entry.athlete.slug for entry in lineup] for round, lineup in rows}


# Addresses that follow corrections


def test_an_athletes_former_address_redirects_permanently_to_the_new_one(client):
    rename(Athlete.objects.get(slug="roman-saleh"), "roman-salekh")

    response = client.get(athlete_page("roman-saleh"))

    assert response.status_code == 301
    assert response["Location"] == athlete_page("roman-salekh")
    assert client.get(athlete_page("roman-salekh")).status_code == 200


def test_an_athlete_renamed_twice_is_found_from_both_former_addresses(client):
    athlete = rename(rename(Athlete.objects.get(slug="roman-saleh"), "roman-salekh"), "roman-salex")

    for former in ("roman-saleh", "roman-salekh"):
        response = client.get(athlete_page(former))
        assert (response.status_code, response["Location"]) == (301, athlete_page("roman-salex"))
    assert client.get(athlete.get_absolute_url()).status_code == 200


def test_an_athlete_renamed_back_is_at_the_first_address_again(client):
    athlete = rename(Athlete.objects.get(slug="roman-saleh"), "roman-salekh")
    assert client.get(athlete_page("roman-saleh")).status_code == 301

    rename(athlete, "roman-saleh")

    assert client.get(athlete_page("roman-saleh")).status_code == 200
    response = client.get(athlete_page("roman-salekh"))
    assert (response.status_code, response["Location"]) == (301, athlete_page("roman-saleh"))


def test_a_live_address_wins_over_a_former_one(client):
    rename(Athlete.objects.get(slug="roman-saleh"), "roman-salekh")
    rename(Athlete.objects.get(slug="vali-israfilov"), "roman-saleh")

    response = client.get(athlete_page("roman-saleh"))

    assert response.status_code == 200
    assert "<h1>Vali Israfilov</h1>" in response.text


def test_an_event_renamed_twice_then_back_redirects_from_each_address_it_had(client):
    event = rename(Event.objects.get(slug="athletics-men-f55-nuclear-propulsion"), "athletics-men-f55-shot-put")
    rename(event, "athletics-men-f55-shot")

    for former in ("athletics-men-f55-nuclear-propulsion", "athletics-men-f55-shot-put"):
        response = client.get(event_page(former))
        assert (response.status_code, response["Location"]) == (301, event_page("athletics-men-f55-shot"))

    rename(event, "athletics-men-f55-nuclear-propulsion")
    assert client.get(event_page("athletics-men-f55-nuclear-propulsion")).status_code == 200
    assert client.get(event_page("athletics-men-f55-shot"))["Location"] == event_page(
        "athletics-men-f55-nuclear-propulsion"
    )


def test_a_live_event_address_wins_over_a_former_one(client):
    rename(Event.objects.get(slug="shooting-p4-50m"), "shooting-mixed-p4-50m")
    rename(Event.objects.get(slug="shooting-p1-10m"), "shooting-p4-50m")

    response = client.get(event_page("shooting-p4-50m"))

    assert response.status_code == 200
    assert "P1" in text(re.search(r"<h1>.*?</h1>", response.text).group(0))


def test_former_addresses_of_other_teams_and_games_and_unknown_ones_are_not_found(client):
    other = make_delegation(country="Testland", npc_code="TST", games=Games.objects.get(slug="paris-2024"))
    rename(make_athlete(delegation=other, slug="visitor"), "visitor-renamed")
    rename(make_event(games=Games.objects.get(slug="tokyo-2020"), slug="old-event"), "old-event-renamed")

    assert client.get(athlete_page("visitor")).status_code == 404
    assert client.get(event_page("old-event")).status_code == 404
    assert client.get(athlete_page("nobody-ever")).status_code == 404
    assert client.get(event_page("no-such-event")).status_code == 404


def test_a_redirect_costs_three_queries(client, django_assert_num_queries):
    rename(Athlete.objects.get(slug="roman-saleh"), "roman-salekh")
    rename(Event.objects.get(slug="shooting-p4-50m"), "shooting-mixed-p4-50m")

    # The delegation, the live address (none), the former one.
    with django_assert_num_queries(3):
        assert client.get(athlete_page("roman-saleh")).status_code == 301
    with django_assert_num_queries(3):
        assert client.get(event_page("shooting-p4-50m")).status_code == 301


def test_a_cached_page_never_hides_a_slug_given_back(client, page_cache):
    athlete = Athlete.objects.get(slug="roman-saleh")
    assert client.get(athlete_page("roman-saleh")).status_code == 200  # stored
    rename(athlete, "roman-salekh")

    redirect = client.get(athlete_page("roman-saleh"))
    assert redirect.status_code == 301
    # Browsers keep a permanent redirect only as long as they are told: here, not without asking again.
    assert "max-age=0" in redirect["Cache-Control"]

    rename(athlete, "roman-saleh")

    page = client.get(athlete_page("roman-saleh"))
    assert page.status_code == 200
    assert "<h1>Roman Saleh</h1>" in page.text
    assert client.get(athlete_page("roman-salekh"))["Location"] == athlete_page("roman-saleh")


def test_share_cards_follow_a_corrected_slug_too(client):
    rename(Athlete.objects.get(slug="roman-saleh"), "roman-salekh")
    rename(Event.objects.get(slug="shooting-p4-50m"), "shooting-mixed-p4-50m")

    athlete_card = client.get("/share/athletes/roman-saleh/abc123.png")
    event_card = client.get("/share/events/shooting-p4-50m/abc123.png")
    medal_card = client.get("/share/events/shooting-p4-50m/gold/abc123.png")

    assert (athlete_card.status_code, athlete_card["Location"]) == (301, "/share/athletes/roman-salekh/abc123.png")
    assert (event_card.status_code, event_card["Location"]) == (301, "/share/events/shooting-mixed-p4-50m/abc123.png")
    assert (medal_card.status_code, medal_card["Location"]) == (
        301,
        "/share/events/shooting-mixed-p4-50m/gold/abc123.png",
    )
    assert client.get("/share/athletes/nobody-ever/abc123.png").status_code == 404


# How far each athlete went


def test_an_athlete_out_in_the_heats_sees_it_said_and_no_final_to_come(client, backstroke):
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=6, mark="1:09.80", progress="out")

    athlete = client.get(athlete_page("roman-saleh")).text
    table = re.search(
        r"<caption>Rounds of Para swimming, men – 100 m backstroke S12</caption>.*?</table>", athlete, re.S
    )
    assert "Place 6, 1:09.80 · Did not advance from the heats" in text(table.group(0))
    assert "Final" not in text(table.group(0))

    event = client.get(event_page(BACKSTROKE)).text
    assert "Did not advance from the heats" in text(section(event, "round-heats"))
    assert "No athlete from Azerbaijan takes part in this round." in text(section(event, "round-final"))


def test_an_athlete_who_advanced_is_shown_as_advanced_with_the_next_round_still_to_come(client, backstroke):
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=2, mark="1:04.10", progress="advanced")

    athlete = text(client.get(athlete_page("roman-saleh")).text)
    assert "Place 2, 1:04.10 · Advanced" in athlete
    assert re.search(r"Final .*? Not yet", athlete)

    event = client.get(event_page(BACKSTROKE)).text
    assert "Advanced" in text(section(event, "round-heats"))
    assert "No results yet." in text(section(event, "round-final"))


def test_an_eliminated_judoka_leaves_the_later_rounds_her_teammate_still_fights_in(client, judo):
    rounds, entries = judo["rounds"], judo["entries"]
    make_result(entry=entries["dursadaf-karimova"], round=rounds["round_of_16"], rank=9, progress="advanced")
    make_result(entry=entries["dursadaf-karimova"], round=rounds["quarterfinal"], rank=5, progress="out")
    make_result(entry=entries["khatira-ismiyeva"], round=rounds["round_of_16"], rank=3, progress="advanced")
    make_result(entry=entries["khatira-ismiyeva"], round=rounds["quarterfinal"], rank=2, progress="advanced")

    event = client.get(event_page(JUDO)).text
    assert "Eliminated in the quarterfinal" in text(section(event, "round-quarterfinal"))
    assert "Advanced" in text(section(event, "round-round_of_16"))
    assert "No results yet." in text(section(event, "round-semifinal"))

    page = text(client.get(athlete_page("dursadaf-karimova")).text)
    assert "Place 5 · Eliminated in the quarterfinal" in page
    assert "Semifinal" not in page

    listed = schedule_rounds(client.get(SCHEDULE))
    assert listed[(JUDO, "round_of_16")] == ["dursadaf-karimova", "khatira-ismiyeva"]
    assert listed[(JUDO, "quarterfinal")] == ["dursadaf-karimova", "khatira-ismiyeva"]
    assert listed[(JUDO, "semifinal")] == ["khatira-ismiyeva"]
    assert listed[(JUDO, "final")] == ["khatira-ismiyeva"]


def test_the_rounds_after_the_last_athlete_went_out_leave_the_schedule_and_coming_up(client, backstroke, clock):
    clock(8, 29, 8)
    assert "100 m backstroke S12 · Final" in text(section(client.get(TEAM).text, "coming-heading"))
    assert schedule_rounds(client.get(SCHEDULE))[(BACKSTROKE, "final")] == ["roman-saleh"]

    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=6, progress="out")

    listed = schedule_rounds(client.get(SCHEDULE))
    assert listed[(BACKSTROKE, "heats")] == ["roman-saleh"]
    assert (BACKSTROKE, "final") not in listed
    coming = section(client.get(TEAM).text, "coming-heading")
    assert "100 m backstroke S12 · Heats" in text(coming)
    assert "100 m backstroke S12 · Final" not in text(coming)


def test_a_withdrawn_entrys_rounds_leave_the_schedule_and_coming_up(client, backstroke, clock):
    entry = backstroke["entry"]
    entry.status, entry.status_reason = Entry.Status.WITHDRAWN, "Illness."
    entry.save()

    listed = schedule_rounds(client.get(SCHEDULE))
    assert (BACKSTROKE, "heats") not in listed
    assert (BACKSTROKE, "final") not in listed

    clock(8, 29, 8)
    assert "100 m backstroke S12" not in text(section(client.get(TEAM).text, "coming-heading"))

    page = client.get(athlete_page("roman-saleh")).text
    assert "Withdrawn: Illness." in text(page)
    assert "Rounds of Para swimming, men – 100 m backstroke S12" not in page


def test_a_withdrawn_athlete_keeps_the_rounds_raced_and_loses_the_rest(client, backstroke):
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=3, progress="advanced")
    athlete = Athlete.objects.get(slug="roman-saleh")
    athlete.status, athlete.status_reason = Athlete.Status.WITHDRAWN, "Injured in the heats."
    athlete.save()

    listed = schedule_rounds(client.get(SCHEDULE))
    assert listed[(BACKSTROKE, "heats")] == ["roman-saleh"]
    assert (BACKSTROKE, "final") not in listed
    page = text(client.get(athlete_page("roman-saleh")).text)
    assert "Withdrawn from the Games: no further rounds." in page
    assert "Place 3 · Advanced" in page


def test_a_teams_event_with_nobody_left_is_not_waiting_for_a_schedule(client):
    waiting = Entry.objects.get(event__slug="powerlifting-men-54kg")
    assert "powerlifting-men-54kg" in [e.slug for e in client.get(SCHEDULE).context["events_without_rounds"]]

    waiting.status, waiting.status_reason = Entry.Status.WITHDRAWN, "Not selected."
    waiting.save()

    assert "powerlifting-men-54kg" not in [e.slug for e in client.get(SCHEDULE).context["events_without_rounds"]]


def test_the_schedule_and_its_lineups_agree(client, judo, backstroke):
    """Every round the schedule keeps has someone in it, and every round with someone in it is kept."""
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=6, progress="out")
    make_result(entry=judo["entries"]["dursadaf-karimova"], round=judo["rounds"]["round_of_16"], progress="out")
    delegation = Delegation.objects.get()

    kept = list(Round.objects.for_schedule(delegation))
    every = Round.objects.entered_by(delegation).as_scheduled(delegation)

    assert all(front.lineup(round) for round in kept)
    assert {round.pk for round in every if front.lineup(round)} == {round.pk for round in kept}


# Record marks


@pytest.mark.parametrize("mark", RecordMark.values)
def test_every_record_mark_is_abbreviated_beside_the_mark_and_explained(client, backstroke, mark):
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=1, mark="1:02.00", record=mark)
    expected = f'1:02.00 <abbr class="record" title="{RecordMark(mark).label}">{mark}</abbr>'

    assert expected in client.get(athlete_page("roman-saleh")).text
    assert expected in client.get(event_page(BACKSTROKE)).text


def test_a_record_set_in_a_medal_is_on_the_medals_page_and_the_strip(client, backstroke):
    make_result(entry=backstroke["entry"], round=backstroke["final"], rank=1, medal="gold", mark="1:01.00", record="SB")

    assert '1:01.00 <abbr class="record" title="Season best">SB</abbr>' in client.get(MEDALS).text
    assert '1:01.00 <abbr class="record" title="Season best">SB</abbr>' in client.get(TEAM).text


# Sources beside each result


@pytest.fixture
def results_desk():
    return Source.objects.create(
        outlet="World Para Athletics",
        title="Official results",
        published_on=datetime.date(2024, 8, 30),
        url="https://www.worldparaathletics.org/results",
    )


def test_a_results_source_is_named_and_linked_beside_it(client, backstroke, results_desk):
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=4, source=results_desk)
    cited = (
        'Source: <a href="https://www.worldparaathletics.org/results">World Para Athletics, '
        '<time datetime="2024-08-30">30 August 2024</time></a>'
    )

    assert cited in client.get(athlete_page("roman-saleh")).text
    assert cited in client.get(event_page(BACKSTROKE)).text


def test_a_source_without_an_address_links_to_our_sources_page(client, backstroke):
    release = Source.objects.create(outlet="NPC Azerbaijan", published_on=datetime.date(2024, 8, 29))
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=4, source=release)

    page = client.get(athlete_page("roman-saleh")).text

    assert f'Source: <a href="{SOURCES}#source-{release.slug}">NPC Azerbaijan, ' in page
    assert f'<h3 id="source-{release.slug}">' in client.get(SOURCES).text


@pytest.mark.parametrize("results", [1, 4])
def test_sources_beside_results_cost_no_query(client, judo, django_assert_num_queries, results):
    """The athlete's page runs its 7 queries and the event's its 5, however many results cite sources."""
    rounds = list(judo["rounds"].values())
    for n, round in enumerate(rounds[:results]):
        source = Source.objects.create(outlet=f"Federation {n}", published_on=datetime.date(2024, 9, 5))
        for entry in judo["entries"].values():
            make_result(entry=entry, round=round, rank=n + 1, progress="advanced", source=source, record="PB")

    with django_assert_num_queries(7):
        page = client.get(athlete_page("khatira-ismiyeva")).text
    assert page.count("Source: <a") == results
    with django_assert_num_queries(5):
        page = client.get(event_page(JUDO)).text
    assert page.count("Source: <a") == 2 * results


# The sources page


def test_the_sources_page_lists_every_source_newest_first(client, results_desk):
    undated = Source.objects.create(outlet="Team handbook", title="Team handbook")
    page = client.get(SOURCES).text

    headings = re.findall(r'<h3 id="source-([^"]+)">', page)
    # Undated ones last, the latest added first.
    assert headings == [results_desk.slug, "azernews-paris-2024-opening", undated.slug, "ipc-classification"]
    assert "Classification in Para sport" in page  # a source without a text of its own is listed too


def test_each_source_says_what_it_supports_with_links(client, backstroke, results_desk):
    result = make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=4, source=results_desk)
    # One correction of two records: its changes share a batch, and it is counted once.
    batch = uuid.uuid4()
    for position, record in enumerate([result, backstroke["heats"]]):
        Change.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=str(record.pk),
            object_repr="Roman Saleh – heats",
            action=Change.Action.CHANGED,
            correction_note="The time was 1:05.32, not 1:05.23.",
            source=results_desk,
            batch=batch,
            position=position,
            at=datetime.datetime(2024, 8, 30, 12, tzinfo=PARIS),
        )
    page = client.get(SOURCES).text
    desk = re.search(rf'<article[^>]*aria-labelledby="source-{results_desk.slug}".*?</article>', page, re.S).group(0)
    article = re.search(r'<article[^>]*aria-labelledby="source-azernews-paris-2024-opening".*?</article>', page, re.S)
    article = article.group(0)

    assert "On this site it supports: 1 result, 1 correction." in text(desk)
    assert f'<a href="{event_page(BACKSTROKE)}#round-heats">Roman Saleh: Para swimming, men – 100 m' in desk
    assert f'<a href="{reverse("team:corrections")}">Roman Saleh – heats (30 August 2024)</a>' in desk
    assert "19 athletes, 24 events, 6 facts about the Games, 1 medal count from earlier Games" in text(article)
    assert f'<a href="{athlete_page("roman-saleh")}">Roman Saleh</a>' in article
    assert f'<a href="{MEDALS}#games-facts">Athletes: 4,000 athletes from around the world</a>' in article
    classification = re.search(r'<article[^>]*aria-labelledby="source-ipc-classification".*?</article>', page, re.S)
    assert "Nothing on this site cites this source yet." in classification.group(0)


@pytest.mark.parametrize("factor", [1, 5])
def test_the_sources_page_runs_a_fixed_number_of_queries(client, backstroke, django_assert_num_queries, factor):
    grow_delegation(Delegation.objects.get(), factor)
    for n in range(factor * 3):
        source = Source.objects.create(outlet=f"Outlet {n}", published_on=datetime.date(2024, 9, 1 + n % 7))
        make_result(
            entry=make_entry(
                event=backstroke["event"],
                athlete=make_athlete(delegation=Delegation.objects.get(), sport=backstroke["event"].sport, gender="M"),
            ),
            round=backstroke["heats"],
            source=source,
            rank=n + 1,
        )
        Standing.objects.update_or_create(
            delegation=Delegation.objects.get(),
            games=Games.objects.get(slug="paris-2024"),
            defaults={"place": 10 + n, "source": source},
        )

    # The delegation, the sources, what cites them (7) and the open review points.
    with django_assert_num_queries(10):
        response = client.get(SOURCES)
    assert response.status_code == 200
    assert response.text.count('class="source-article"') == Source.objects.count()


# Places in the medal table and the Games' facts


@pytest.fixture
def standings(results_desk):
    delegation = Delegation.objects.get()
    paris, tokyo = Games.objects.get(slug="paris-2024"), Games.objects.get(slug="tokyo-2020")
    current = Standing.objects.create(
        delegation=delegation, games=paris, place=14, teams=85, as_of=datetime.date(2024, 9, 3), source=results_desk
    )
    previous = Standing.objects.create(
        delegation=delegation,
        games=tokyo,
        place=22,
        tied=True,
        teams=86,
        source=Source.objects.get(slug="azernews-paris-2024-opening"),
    )
    return current, previous


def test_the_medals_page_gives_the_places_in_both_medal_tables_with_their_sources(client, standings):
    table = text(section(client.get(MEDALS).text, "medal-table"))

    assert (
        "Paris 2024 Summer Paralympic Games 14th of 85 in the medal table, as of 3 September "
        "· Source: World Para Athletics, 30 August 2024" in table
    )
    assert (
        "Tokyo 2020 Summer Paralympic Games Tied 22nd of 86 in the final medal table "
        "· Source: AzerNews, 28 August 2024" in table
    )


@pytest.mark.parametrize(
    ("place", "teams", "tied", "words"),
    [
        (1, 85, False, "1st of 85 in the medal table, as of 3 September"),
        (2, None, False, "2nd in the medal table, as of 3 September"),
        (3, 85, True, "Tied 3rd of 85 in the medal table, as of 3 September"),
        (11, 85, False, "11th of 85 in the medal table, as of 3 September"),
        (12, 85, False, "12th of 85 in the medal table, as of 3 September"),
        (13, 85, False, "13th of 85 in the medal table, as of 3 September"),
        (21, 85, False, "21st of 85 in the medal table, as of 3 September"),
        (73, 85, False, "73rd of 85 in the medal table, as of 3 September"),
    ],
)
def test_places_read_as_places(client, place, teams, tied, words):
    Standing.objects.create(
        delegation=Delegation.objects.get(),
        games=Games.objects.get(slug="paris-2024"),
        place=place,
        teams=teams,
        tied=tied,
        as_of=datetime.date(2024, 9, 3),
    )
    assert words in text(section(client.get(MEDALS).text, "medal-table"))


def test_the_front_page_gives_the_current_place_when_one_is_reported(client, standings):
    glance = text(section(client.get(TEAM).text, "glance-heading"))

    assert "Medal table 14th of 85 in the medal table, as of 3 September · Source: World Para Athletics" in glance
    assert f'<a href="{MEDALS}#medal-table">14th of 85' in client.get(TEAM).text


def test_without_a_reported_place_neither_page_mentions_one(client):
    assert "medal-table" not in client.get(MEDALS).text
    assert "Medal table" not in text(section(client.get(TEAM).text, "glance-heading"))


def test_a_place_reported_only_for_the_earlier_games_stays_off_the_front_page(client, standings):
    standings[0].delete()

    assert "Medal table" not in text(section(client.get(TEAM).text, "glance-heading"))
    assert "Tied 22nd of 86" in text(section(client.get(MEDALS).text, "medal-table"))


def test_the_games_facts_are_on_the_medals_page_with_their_source(client):
    facts = section(client.get(MEDALS).text, "games-facts")

    assert "About the Paris 2024 Summer Paralympic Games" in text(facts)
    assert "Athletes 4,000 athletes from around the world · Source: AzerNews, 28 August 2024" in text(facts)
    assert text(facts).count("Source: AzerNews") == GamesFact.objects.count() == 6


@pytest.mark.parametrize("factor", [1, 10])
def test_the_medals_page_with_places_and_facts_runs_a_fixed_number_of_queries(
    client, standings, django_assert_num_queries, factor
):
    grow_delegation(Delegation.objects.get(), factor)
    # The delegation, the medal results, the tallies (by sport, by day, in all), the earlier Games' medals,
    # the places in the medal tables and the facts about the Games.
    with django_assert_num_queries(8):
        assert client.get(MEDALS).status_code == 200


@pytest.mark.parametrize("factor", [1, 3])
def test_the_front_page_with_a_place_runs_a_fixed_number_of_queries(
    client, standings, backstroke, clock, django_assert_num_queries, factor
):
    """The roster's and the lead's queries (see test_front_page.py), the place among them."""
    grow_delegation(Delegation.objects.get(), factor)
    make_result(entry=backstroke["entry"], round=backstroke["heats"], rank=6, progress="out")
    clock(8, 29, 8)
    with django_assert_num_queries(26):
        assert client.get(TEAM).status_code == 200
