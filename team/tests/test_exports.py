"""The tables readers take away (CSV and JSON): the same rows, filters and refusals as the pages, and cacheable."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from team.exports import TABLES, TYPES
from team.models import Delegation, Entry, Round, Sport
from team.tests.factories import grow_delegation, make_athlete, make_result, schedule_article

pytestmark = pytest.mark.usefixtures("article_data")

FORMATS = ["csv", "json"]


def table_rows(response):
    """The rows of a CSV or JSON export, as dicts of strings (CSV) or JSON values."""
    if response["Content-Type"].startswith("text/csv"):
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(text[1:])))
    return json.loads(response.content.decode("utf-8"))["rows"]


def export(client, table, fmt, query=""):
    response = client.get(reverse(f"team:{table}-{fmt}") + query)
    assert response.status_code == 200, response.content
    return table_rows(response)


@pytest.fixture
def xelilova():
    """An athlete whose name is spelt with Azerbaijani letters only."""
    delegation = Delegation.objects.get()
    athlete = make_athlete(
        delegation=delegation, sport=Sport.objects.get(slug="para-taekwondo"), name="Günay Xəlilova", slug="gunay"
    )
    return athlete


@pytest.fixture
def results():
    """The article's rounds on the calendar, with a gold, a heat and a result whose day is to be confirmed."""
    schedule_article()
    final = Round.objects.get(event__slug="taekwondo-men-k44-80kg", kind="final")
    entry = Entry.objects.get(athlete__slug="abulfaz-abuzarli", event=final.event)
    gold = make_result(entry=entry, round=final, rank=1, medal="gold")
    heats = Round.objects.get(event__slug="swimming-men-s12-100m-backstroke", kind="heats")
    heat = make_result(
        entry=Entry.objects.get(athlete__slug="roman-saleh", event=heats.event),
        round=heats,
        rank=2,
        mark="1:05.32",
        record="SB",
    )
    return [gold, heat]


# The roster


def roster_on_page(client, query):
    context = client.get(reverse("team:team") + query).context
    return [athlete.slug for athlete in [*context["confirmed"], *context["checking"]]]


ROSTER_QUERIES = [
    "",
    "?sport=para-swimming",
    "?sport=para-judo&sport=para-swimming&gender=W",
    "?sort=name",
    "?q=X%C9%99lilova",
    "?q=Khalilov",
    "?medal=gold",
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", ROSTER_QUERIES)
def test_roster_export_has_the_team_page_rows_in_its_order(client, xelilova, fmt, query):
    rows = export(client, "roster", fmt, query)
    assert [row["athlete"] for row in rows] == roster_on_page(client, query)


def test_roster_export_keeps_azerbaijani_letters(client, xelilova):
    csv_rows = export(client, "roster", "csv", "?q=X%C9%99lilova")
    json_rows = export(client, "roster", "json", "?q=X%C9%99lilova")
    assert [row["name"] for row in csv_rows] == [row["name"] for row in json_rows] == ["Günay Xəlilova"]
    response = client.get(reverse("team:roster-json") + "?q=X%C9%99lilova")
    assert "Xəlilova".encode() in response.content
    assert json.loads(response.content)["filters"] == {"q": "Xəlilova"}


def test_empty_roster_export_has_only_its_header(client):
    response = client.get(reverse("team:roster-csv") + "?medal=gold")
    assert response.content.decode("utf-8").splitlines() == [
        "\ufeff" + ",".join(column.name for column in TABLES["roster"].columns)
    ]
    assert export(client, "roster", "json", "?medal=gold") == []


# The schedule and the results


def schedule_on_page(client, query):
    context = client.get(reverse("team:schedule") + query).context
    rounds = [round for _day, items in context["days"] for round, _entries in items]
    rounds += [round for round, _entries in context["unscheduled"]]
    rows = [(round.event.slug, round.kind) for round in rounds]
    rows += [(event.slug, "") for event in context["events_without_rounds"]]
    return rows, rounds


SCHEDULE_QUERIES = [
    "",
    "?sport=para-swimming",
    "?athlete=konul-suleymanova",
    "?athlete=roman-saleh&athlete=abulfaz-abuzarli",
    "?rounds=medal",
    "?day=2024-08-29",
    "?day=2024-09-08",
    "?sport=para-judo&athlete=roman-saleh",
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", SCHEDULE_QUERIES)
def test_schedule_export_has_the_schedule_page_rows_in_its_order(client, results, fmt, query):
    rows = export(client, "schedule", fmt, query)
    expected, _rounds = schedule_on_page(client, query)
    assert [(row["event"], row["round"] or "") for row in rows] == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", SCHEDULE_QUERIES)
def test_results_export_has_the_results_in_the_schedule_page_rounds(client, results, fmt, query):
    rows = export(client, "results", fmt, query)
    _expected, rounds = schedule_on_page(client, query)
    athletes = [value.split("=")[1] for value in query.lstrip("?").split("&") if value.startswith("athlete=")]
    shown = {
        (result.entry.athlete.slug, round.event.slug, round.kind)
        for round in rounds
        for result in round.team_results
        if not athletes or result.entry.athlete.slug in athletes
    }
    assert {(row["athlete"], row["event"], row["round"]) for row in rows} == shown
    assert len(rows) == len(shown)


def test_results_export_columns(client, results):
    (row,) = export(client, "results", "json", "?sport=para-swimming")
    assert row == {
        "athlete": "roman-saleh",
        "athlete_name": "Roman Saleh",
        "event": "swimming-men-s12-100m-backstroke",
        "event_name": row["event_name"],
        "round": "heats",
        "date": "2024-08-29",
        "rank": 2,
        "tie": False,
        "mark": "1:05.32",
        "record": "SB",
        "medal": "",
        "status": "ok",
        "progress": "",
        "settled": "provisional",
        "source": "",
    }
    (csv_row,) = export(client, "results", "csv", "?sport=para-swimming")
    assert (csv_row["rank"], csv_row["tie"], csv_row["date"]) == ("2", "false", "2024-08-29")


def test_schedule_export_gives_day_time_and_athletes(client, results):
    rows = export(client, "schedule", "json", "?athlete=abulfaz-abuzarli")
    final = next(row for row in rows if row["round"] == "final")
    assert final["date"] == "2024-08-31"
    assert final["time"] == "15:30:00"
    assert final["venue_time_zone"] == "Europe/Paris"
    assert final["medal_round"] is True
    assert "abulfaz-abuzarli" in final["athletes"].split()


# The medal table


@pytest.mark.parametrize("fmt", FORMATS)
def test_medal_export_is_the_medals_page_tally_by_sport_then_the_total(client, results, fmt):
    context = client.get(reverse("team:medals")).context
    rows = export(client, "medals", fmt)
    expected = [(sport.slug, counts["gold"], counts["total"]) for sport, counts in context["by_sport"]]
    expected.append(("", context["tally"]["gold"], context["tally"]["total"]))
    assert [(row["sport"], int(row["gold"]), int(row["total"])) for row in rows] == expected
    assert expected[0] == ("para-taekwondo", 1, 1)


# Refusals


MALFORMED = {
    "roster": ["?sport=nope", "?gender=X&medal=tin", "?sort=-name", "?day=2024-02-30"],
    "schedule": ["?sport=nope", "?day=2024-02-30", "?rounds=heats&athlete=nobody"],
    "results": ["?sport=nope", "?day=1999-01-01"],
}
PAGES = {"roster": "team:team", "schedule": "team:schedule", "results": "team:schedule"}


@pytest.mark.parametrize(
    ("table", "query"), [(table, query) for table, queries in MALFORMED.items() for query in queries]
)
def test_malformed_filters_get_the_pages_400_messages(client, table, query):
    page = client.get(reverse(PAGES[table]) + query)
    assert page.status_code == 400
    problems = [str(problem) for problem in page.context["problems"]]
    assert problems
    response = client.get(reverse(f"team:{table}-json") + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == {"errors": problems}
    response = client.get(reverse(f"team:{table}-csv") + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    for problem in problems:
        assert problem in response.content.decode("utf-8")


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_parameters_are_redirected_away(client, table, fmt):
    response = client.get(reverse(f"team:{table}-{fmt}") + "?utm_source=x")
    assert response.status_code == 302
    assert response["Location"] == reverse(f"team:{table}-{fmt}")


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", ["?page=2", "?sport=%ff%fe", "?q=" + "x" * 3000, "?%ff=1"])
def test_odd_parameters_never_give_a_500(client, table, fmt, query):
    assert client.get(reverse(f"team:{table}-{fmt}") + query).status_code in (200, 302, 400)


# Files, headers and caching


def test_csv_is_utf8_with_a_bom_and_named_after_its_filters(client):
    response = client.get(reverse("team:roster-csv") + "?sport=para-swimming")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="paris-2024-aze-roster-sport-para-swimming-{today}.csv"'
    )


def test_json_has_its_metadata_and_schema(client):
    response = client.get(reverse("team:schedule-json") + "?sport=para-swimming&rounds=medal")
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["filters"] == {"sport": ["para-swimming"], "rounds": ["medal"]}
    assert datetime.datetime.fromisoformat(document["generated"])
    assert "/sources/" in document["source"]
    assert document["licence"]
    assert [field["name"] for field in document["schema"]["fields"]] == [c.name for c in TABLES["schedule"].columns]


def test_every_column_is_described():
    for table in TABLES.values():
        assert table.title and table.description
        names = [column.name for column in table.columns]
        assert len(names) == len(set(names))
        for column in table.columns:
            assert column.type in TYPES
            assert str(column.title) and str(column.description)
            assert column.describe()["name"] == column.name


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_may_be_read_from_any_origin(client, table, fmt):
    response = client.get(reverse(f"team:{table}-{fmt}"))
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_are_cached_and_revalidated(client, page_cache, fmt):
    url = reverse(f"team:schedule-{fmt}") + "?sport=para-swimming"
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Cache-Control"].startswith("public")
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    cached = client.get(url)
    assert cached.content == first.content
    assert cached["Content-Type"] == first["Content-Type"]
    assert cached["Access-Control-Allow-Origin"] == "*"
    assert cached["Content-Disposition"] == first["Content-Disposition"]
    # Another filter is another file, with another ETag.
    other = client.get(reverse(f"team:schedule-{fmt}") + "?sport=para-judo")
    assert other["ETag"] != etag


# Queries

EXPORT_QUERIES = {
    # The delegation, the filters' sport and class choices, the athletes, their classes, spellings and entries.
    "roster": 7,
    "roster?sport=para-swimming&q=Saleh": 7,
    # The delegation, the filters' sport and athlete choices, the rounds, their entries and results, the events
    # with no round yet and their entries.
    "schedule": 8,
    # Medal rounds asked for: no event without rounds can match, so those are not looked up.
    "schedule?sport=para-swimming&rounds=medal": 6,
    # The delegation, the filters' sport and athlete choices, and the results with all they name.
    "results": 4,
    "results?athlete=roman-saleh": 4,
    # The delegation, the tally by sport, the sports and the total.
    "medals": 4,
}


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("address", "queries"), EXPORT_QUERIES.items())
def test_export_runs_a_fixed_number_of_queries(
    client, results, django_assert_num_queries, address, queries, fmt, factor
):
    grow_delegation(Delegation.objects.get(), factor)
    table, _sep, query = address.partition("?")
    with django_assert_num_queries(queries):
        response = client.get(reverse(f"team:{table}-{fmt}") + (f"?{query}" if query else ""))
    assert response.status_code == 200


def test_the_larger_exports_really_are_larger(client):
    grow_delegation(Delegation.objects.get(), 10)
    assert len(export(client, "roster", "csv")) == 190
    assert len(export(client, "results", "json")) >= 171


# Links from the pages


def test_pages_link_to_their_exports_with_the_current_filters(client):
    page = client.get(reverse("team:team") + "?sport=para-swimming&gender=W").text
    assert 'href="/roster.csv?sport=para-swimming&amp;gender=W"' in page
    assert 'href="/roster.json?sport=para-swimming&amp;gender=W"' in page
    page = client.get(reverse("team:schedule") + "?athlete=roman-saleh").text
    for table in ("schedule", "results"):
        for fmt in FORMATS:
            assert f'href="/{table}.{fmt}?athlete=roman-saleh"' in page
    page = client.get(reverse("team:schedule")).text
    assert 'href="/schedule.csv"' in page
    page = client.get(reverse("team:medals")).text
    assert 'href="/medals.csv"' in page and 'href="/medals.json"' in page
