"""The medals page's charts: by day, by sport and against the previous Games.

A chart never says something its table does not: every bar is the tally's numbers, drawn. The page's
tests enter a small Games' results through the factories; the geometry is tested on its own below.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from team import charts
from team.models import MEDAL_RANK, MedalRecord, Round
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

MEDALS_PAGE = reverse("team:medals")


def day(month, number):
    return datetime.date(2024, month, number)


class PageReader(HTMLParser):
    """What a page's charts and tables show: for each chart (in page order), each bar's medals, read from
    its segments' titles, and the total written at its end; for each table, by caption, its rows of cells."""

    def __init__(self, page):
        super().__init__()
        self.charts, self.tables = [], {}
        self.in_chart = False
        self.capturing, self.text = None, []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "svg" and "chart-svg" in classes:
            self.in_chart = True
            self.charts.append([])
        elif tag == "g" and "chart-bar" in classes:
            self.charts[-1].append({"medals": {}, "total": None})
        elif (tag == "title" and self.in_chart) or (tag == "text" and "chart-total" in classes):
            self.start(tag)
        elif tag == "table":
            self.rows, self.caption = [], ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("caption", "th", "td"):
            self.start(tag)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_chart = False
        elif tag == "table":
            self.tables[self.caption] = self.rows
        if tag != self.capturing:
            return
        text = " ".join("".join(self.text).split())
        self.capturing = None
        if tag == "title":
            name, count = text.split(": ")
            self.charts[-1][-1]["medals"][name.lower()] = int(count)
        elif tag == "text":
            self.charts[-1][-1]["total"] = text
        elif tag == "caption":
            self.caption = text
        else:
            self.rows[-1].append(text)

    def handle_data(self, data):
        if self.capturing:
            self.text.append(data)

    def start(self, tag):
        self.capturing, self.text = tag, []


def counts_of(row):
    """A table row's gold, silver, bronze and total cells as numbers."""
    return dict(zip(("gold", "silver", "bronze", "total"), (int(cell.rstrip("*")) for cell in row[1:]), strict=True))


@pytest.fixture
def games(db):
    previous = make_games(
        slug="tokyo",
        name="Tokyo 2020 Summer Paralympic Games",
        year=2020,
        start_date=datetime.date(2021, 8, 24),
        end_date=datetime.date(2021, 9, 5),
    )
    return make_games(slug="paris", name="Paris 2024 Summer Paralympic Games", previous=previous)


@pytest.fixture
def delegation(games, settings):
    delegation = make_delegation(games=games)
    settings.FEATURED_DELEGATION = f"{games.slug}/{delegation.npc_code}"
    return delegation


@pytest.fixture
def swimming():
    return make_sport(name="Para swimming", slug="para-swimming")


@pytest.fixture
def judo():
    return make_sport(name="Para judo", slug="para-judo")


def win(delegation, sport, medal, on=None, athletes=1):
    """`athletes` of the delegation win `medal` in a new event of `sport`, in a final on the day `on`
    (None: the day is to be confirmed). More than one athlete makes it a team event."""
    event = make_event(games=delegation.games, sport=sport, is_team=athletes > 1)
    final = make_round(event=event, kind=Round.Kind.FINAL, scheduled_date=on)
    for _n in range(athletes):
        entry = make_entry(athlete=make_athlete(delegation=delegation, sport=sport), event=event)
        make_result(entry=entry, round=final, rank=MEDAL_RANK[medal], medal=medal, tie=athletes > 1)


@pytest.fixture
def medals(delegation, swimming, judo):
    """Six medals: swimming's gold and bronze on 29 August and silver on 31 August; judo's bronze on
    5 September, its team gold (three athletes, one medal) on 2 September and a bronze whose day is
    still to be confirmed."""
    win(delegation, swimming, "gold", day(8, 29))
    win(delegation, swimming, "bronze", day(8, 29))
    win(delegation, swimming, "silver", day(8, 31))
    win(delegation, judo, "bronze", day(9, 5))
    win(delegation, judo, "gold", day(9, 2), athletes=3)
    win(delegation, judo, "bronze")


@pytest.fixture
def tokyo(delegation):
    """Tokyo 2020 as the article reports it: 4 gold, 4 silver, 6 bronze, 14 in all."""
    return MedalRecord.objects.create(
        delegation=delegation, games=delegation.games.previous, gold=4, silver=4, bronze=6, total=14
    )


def medals_page(client):
    response = client.get(MEDALS_PAGE)
    assert response.status_code == 200
    return response


# What the page's charts show


@pytest.mark.usefixtures("medals")
def test_the_bars_of_each_chart_add_up_to_the_tally(client, delegation):
    response = medals_page(client)
    tally = delegation.medal_tally()
    assert tally == {"gold": 2, "silver": 1, "bronze": 3, "total": 6}
    assert response.context["day_chart"].totals == tally
    assert response.context["sport_chart"].totals == tally
    by_day, by_sport = PageReader(response.text).charts[:2]
    for drawn in (by_day, by_sport):
        for medal in ("gold", "silver", "bronze"):
            assert sum(bar["medals"].get(medal, 0) for bar in drawn) == tally[medal]
        assert sum(int(bar["total"]) for bar in drawn) == tally["total"]


@pytest.mark.usefixtures("medals")
def test_a_medal_counts_on_the_day_of_the_round_that_awarded_it(client):
    bars = {bar.key: bar.counts for bar in medals_page(client).context["day_chart"].bars}
    assert bars[day(8, 29)] == {"gold": 1, "silver": 0, "bronze": 1, "total": 2}
    assert bars[day(8, 31)] == {"gold": 0, "silver": 1, "bronze": 0, "total": 1}
    assert bars[day(9, 2)] == {"gold": 1, "silver": 0, "bronze": 0, "total": 1}
    assert bars[None] == {"gold": 0, "silver": 0, "bronze": 1, "total": 1}


@pytest.mark.usefixtures("medals")
def test_every_day_of_the_games_has_a_column_and_days_without_medals_show_zero(client):
    response = medals_page(client)
    chart = response.context["day_chart"]
    assert [bar.key for bar in chart.bars] == [
        *(day(8, n) for n in range(28, 32)),
        *(day(9, n) for n in range(1, 9)),
        None,
    ]
    rows = PageReader(response.text).tables["Medals by day"]
    assert rows[1] == ["Wednesday 28 August", "0", "0", "0", "0"]
    assert rows[-2] == ["Day to be confirmed", "0", "0", "1", "1"]
    assert rows[-1] == ["All days", "2", "1", "3", "6"]
    first_day = PageReader(response.text).charts[0][0]
    assert first_day == {"medals": {}, "total": "0"}
    assert "The column marked ? holds 1 medal whose day is to be confirmed." in response.text


@pytest.mark.usefixtures("medals")
def test_the_tables_hold_the_numbers_the_bars_draw(client):
    reader = PageReader(medals_page(client).text)
    by_day, by_sport = reader.charts[:2]
    for caption, drawn in (("Medals by day", by_day), ("Medals by sport", by_sport)):
        rows = reader.tables[caption][1:-1]
        assert len(rows) == len(drawn)
        for row, bar in zip(rows, drawn, strict=True):
            counts = counts_of(row)
            assert {medal: count for medal, count in counts.items() if medal != "total" and count} == bar["medals"]
            assert str(counts["total"]) == bar["total"]


@pytest.mark.usefixtures("medals")
def test_sports_are_drawn_in_medal_table_order_and_a_team_medal_counts_once(client):
    response = medals_page(client)
    bars = [(bar.label, bar.counts) for bar in response.context["sport_chart"].bars]
    assert bars == [
        ("Para swimming", {"gold": 1, "silver": 1, "bronze": 1, "total": 3}),
        ("Para judo", {"gold": 1, "silver": 0, "bronze": 2, "total": 3}),
    ]
    assert 'aria-label="Medals by sport. The table below gives every sport."' in response.text


@pytest.mark.usefixtures("medals")
def test_each_chart_is_an_image_with_words_and_a_table_with_a_caption(client):
    page = medals_page(client).text
    assert page.count('role="img"') == 2
    assert 'aria-label="Medals by day of the Games: the most, 2, on Thursday 29 August.' in page
    assert "<caption>Medals by day</caption>" in page
    assert "<caption>Medals by sport</caption>" in page
    assert page.count('<ul class="chart-legend" aria-hidden="true">') == 2


@pytest.mark.usefixtures("medals")
def test_charts_take_their_colours_from_the_stylesheet(client):
    """The strict Content-Security-Policy allows no style attribute, and a colour fixed in the markup
    could not follow the reader's dark theme: the medals' classes carry the colours."""
    page = medals_page(client).text
    svg = page[page.index('<svg class="chart-defs"') :]
    assert "style=" not in svg
    assert "fill=" not in svg
    assert 'class="chart-segment chart-gold"' in svg
    assert 'id="chart-pattern-silver"' in svg


def test_the_comparison_shows_the_previous_games_as_reported(client, delegation, swimming, tokyo):
    win(delegation, swimming, "gold", day(8, 29))
    response = medals_page(client)
    assert '<h2 id="medals-against-previous">Compared with Tokyo 2020 Summer Paralympic Games</h2>' in response.text
    reader = PageReader(response.text)
    rows = reader.tables[
        "Paris 2024 Summer Paralympic Games so far, against Tokyo 2020 Summer Paralympic Games as reported"
    ]
    assert rows[1:] == [
        ["Paris 2024 Summer Paralympic Games", "1", "0", "0", "1"],
        ["Tokyo 2020 Summer Paralympic Games", "4", "4", "6", "14"],
    ]
    assert reader.charts[-1] == [
        {"medals": {"gold": 1}, "total": "1"},
        {"medals": {"gold": 4, "silver": 4, "bronze": 6}, "total": "14"},
    ]
    assert "add up to" not in response.text


def test_a_reported_total_that_does_not_add_up_is_kept_and_flagged(client, delegation, tokyo):
    tokyo.total = 15
    tokyo.save()
    response = medals_page(client)
    assert PageReader(response.text).charts[-1][1] == {"medals": {"gold": 4, "silver": 4, "bronze": 6}, "total": "15*"}
    assert "<td>15*</td>" in response.text
    assert (
        "* The total for Tokyo 2020 Summer Paralympic Games is shown as reported, 15, "
        "although its gold, silver and bronze medals add up to 14."
    ) in response.text


def test_without_a_previous_record_there_is_no_comparison(client, delegation, swimming):
    win(delegation, swimming, "gold", day(8, 29))
    response = medals_page(client)
    assert response.context["previous_chart"] is None
    assert "Compared with" not in response.text


def test_before_the_first_medal_the_page_says_so_instead_of_drawing_empty_charts(client, delegation, tokyo):
    response = medals_page(client)
    assert response.context["day_chart"].is_empty
    assert response.context["sport_chart"].is_empty
    assert '<h2 id="medals-by-day">Medals by day</h2> <p>No medals yet.</p>' in " ".join(response.text.split())
    assert '<tr><td colspan="5">No medals yet.</td></tr>' in response.text
    assert "Medals by day, in numbers" not in response.text
    # Only the previous Games are drawn: this Games' bar is a plain 0.
    assert PageReader(response.text).charts == [
        [{"medals": {}, "total": "0"}, {"medals": {"gold": 4, "silver": 4, "bronze": 6}, "total": "14"}]
    ]


def test_without_any_medal_or_record_no_chart_is_drawn(client, delegation):
    page = medals_page(client).text
    assert "<svg" not in page.split("<main", 1)[1]
    assert "No medals yet." in page


def test_chart_coordinates_are_not_written_the_way_a_locale_writes_numbers():
    chart = charts.bars([("a", "A", {"gold": 1, "silver": 2, "bronze": 0, "total": 3})])
    with translation.override("ru"):
        svg = render_to_string("includes/charts/bars.html", {"chart": chart, "summary": "A"})
    assert 'width="29.333%"' in svg
    assert "29,333" not in svg


# Geometry


def test_the_longest_bar_fills_the_plot_and_the_others_are_in_proportion():
    chart = charts.bars(
        [
            ("a", "A", {"gold": 2, "silver": 0, "bronze": 0, "total": 2}),
            ("b", "B", {"gold": 1, "silver": 2, "bronze": 1, "total": 4}),
        ]
    )
    short, longest = chart.bars
    assert longest.width == chart.right == charts.BARS_RIGHT
    assert short.width == chart.right / 2
    assert longest.segments[-1].x + longest.segments[-1].width == pytest.approx(chart.right)


def test_the_tallest_column_fills_the_plot():
    chart = charts.columns(
        [
            ("a", "A", {"gold": 0, "silver": 0, "bronze": 1, "total": 1}),
            ("b", "B", {"gold": 3, "silver": 0, "bronze": 1, "total": 4}),
        ]
    )
    low, tallest = chart.bars
    assert tallest.y == chart.top
    assert tallest.height == chart.bottom - chart.top
    assert low.height == (chart.bottom - chart.top) / 4
    gold, bronze = tallest.segments
    assert gold.y + gold.height == chart.bottom  # gold at the foot, bronze on top
    assert bronze.y == chart.top


def test_segments_stack_in_medal_table_order():
    (bar,) = charts.bars([("a", "A", {"bronze": 1, "silver": 1, "gold": 1, "total": 3})]).bars
    assert [segment.medal for segment in bar.segments] == ["gold", "silver", "bronze"]
    assert bar.segments[0].x == 0
    assert bar.segments[1].x == bar.segments[0].width


def test_a_medal_not_won_draws_nothing_of_zero_size():
    chart = charts.bars(
        [
            ("a", "A", {"gold": 2, "silver": 0, "bronze": 1, "total": 3}),
            ("b", "B", {"gold": 0, "silver": 0, "bronze": 0, "total": 0}),
        ]
    )
    won, nothing = chart.bars
    assert [segment.medal for segment in won.segments] == ["gold", "bronze"]
    assert nothing.segments == ()
    assert nothing.width == 0
    assert all(segment.width > 0 and segment.height > 0 for bar in chart.bars for segment in bar.segments)


def test_a_chart_without_medals_is_empty_and_divides_by_nothing():
    chart = charts.columns([("a", "A", charts.NO_MEDALS), ("b", "B", charts.NO_MEDALS)])
    assert chart.is_empty
    assert all(bar.height == 0 and bar.segments == () for bar in chart.bars)
    assert [tick.value for tick in chart.ticks] == [0]
    assert chart.leader is None
    assert charts.bars([]).is_empty


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [(0, [0]), (1, [0, 1]), (7, [0, 2, 4, 6]), (23, [0, 5, 10, 15, 20]), (150, [0, 50, 100, 150])],
)
def test_ticks_are_few_round_numbers_that_stop_at_the_longest_bar(maximum, ticks):
    assert charts.tick_values(maximum) == ticks
    chart = charts.bars([("a", "A", {"gold": maximum, "silver": 0, "bronze": 0, "total": maximum})])
    assert [tick.value for tick in chart.ticks] == ticks
    assert all(0 <= tick.position <= chart.right for tick in chart.ticks)
    assert chart.ticks[0].anchor == "start"


def test_a_count_is_written_inside_its_segment_only_where_it_fits():
    (bar,) = charts.bars([("a", "A", {"gold": 1, "silver": 0, "bronze": 30, "total": 31})]).bars
    gold, bronze = bar.segments
    assert not gold.labelled
    assert bronze.labelled
    (column,) = charts.columns([("a", "A", {"gold": 1, "silver": 0, "bronze": 20, "total": 21})]).bars
    assert not column.segments[0].labelled


def test_by_day_lists_every_day_then_the_undated_medals():
    days = [day(8, 28), day(8, 29), day(8, 30)]
    one_gold = {"gold": 1, "silver": 0, "bronze": 0, "total": 1}
    rows = charts.by_day(days, {day(8, 29): one_gold, None: one_gold, day(9, 9): one_gold})
    assert [key for key, _label, _counts in rows] == [*days, day(9, 9), None]
    assert rows[0][2] == charts.NO_MEDALS
    assert [key for key, _label, _counts in charts.by_day(days, {})] == days


def test_the_leader_is_the_bar_with_strictly_the_most_medals():
    one = {"gold": 1, "silver": 0, "bronze": 0, "total": 1}
    two = {"gold": 0, "silver": 1, "bronze": 1, "total": 2}
    assert charts.bars([("a", "A", one), ("b", "B", two)]).leader.key == "b"
    assert charts.bars([("a", "A", two), ("b", "B", two)]).leader is None


def test_a_reported_record_is_drawn_by_its_parts_and_labelled_with_its_total():
    record = MedalRecord(gold=4, silver=4, bronze=6, total=15)
    (bar,) = charts.bars([("tokyo", "Tokyo", record)]).bars
    assert (bar.parts, bar.total, bar.adds_up) == (14, 15, False)
    assert bar.width == charts.BARS_RIGHT
