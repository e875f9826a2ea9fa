"""Medal counts as bar charts: the geometry (bars, their medal segments, ticks, label positions) that the
templates in templates/includes/charts/ draw as SVG, kept apart from them so it can be tested on its own.

Across a chart, positions are percentages of its width: the SVG is as wide as the column it sits in
(`width="100%"`, no viewBox), so the bars stretch from a 320 px phone to a desktop while the text keeps
the size of the page's text instead of shrinking with the drawing. Down a chart, positions are pixels.
Medals stack in medal-table order: gold first (leftmost, or lowest), then silver, then bronze.

A row is `(key, label, counts)`: counts hold gold, silver, bronze and total, as `Result.objects.tally()`
gives them or as a source reported them. A bar is as long as its medals (the parts); the number shown
at its end is the total as given, which a source may have got wrong (`Bar.adds_up`).
"""

import datetime
from dataclasses import dataclass

MEDALS = ("gold", "silver", "bronze")
NO_MEDALS = {"gold": 0, "silver": 0, "bronze": 0, "total": 0}

# Horizontal bars (`bars()`): each row is its name on a line of its own, then its bar, so a long sport
# name never squeezes the bar on a phone. The bars end by 88 % of the width; the rest holds the totals.
ROW_NAME = 16
BAR_THICKNESS = 20
ROW_GAP = 12
BARS_RIGHT = 88.0
BARS_AXIS = 20

# Columns (`columns()`): room above for each column's total, the plot, then a line for the day of the
# month and one for the month. Tick values sit at the left, above their grid lines.
COLUMNS_TOP = 20
COLUMNS_PLOT = 140
COLUMNS_BOTTOM = 36
COLUMNS_LEFT = 6.0
COLUMN_SHARE = 0.64

# Most ticks on an axis, 0 included.
MOST_TICKS = 6


@dataclass(frozen=True)
class Segment:
    """One medal's part of a bar. `labelled` when its count fits inside it at any screen width."""

    medal: str
    count: int
    x: float
    y: float
    width: float
    height: float
    labelled: bool

    @property
    def centre_x(self):
        return _round(self.x + self.width / 2)

    @property
    def centre_y(self):
        return _round(self.y + self.height / 2)


@dataclass(frozen=True)
class Bar:
    """One row's bar: its segments (none for a medal not won, so nothing of zero size is drawn), the box
    they fill together, where its name goes and where its total goes."""

    key: object
    label: str
    counts: dict
    segments: tuple
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    total_x: float
    total_y: float

    @property
    def parts(self):
        return sum(self.counts[medal] for medal in MEDALS)

    @property
    def total(self):
        return self.counts["total"]

    @property
    def adds_up(self):
        return self.parts == self.total


@dataclass(frozen=True)
class Tick:
    """A value on the count axis: where its grid line goes (a percentage across for bars, pixels down for
    columns) and how its label is anchored (so the first label does not hang off the chart's edge)."""

    value: int
    position: float
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its bars in the order given, the count axis's ticks, its height in pixels, the plot
    area (`left`/`right` in percent, `top`/`bottom` in pixels) and the count the longest bar stands for."""

    bars: tuple
    ticks: tuple
    height: float
    left: float
    right: float
    top: float
    bottom: float
    maximum: int

    @property
    def is_empty(self):
        """No bar has a medal: a chart would be a blank frame, so say so in words instead."""
        return self.maximum == 0

    @property
    def totals(self):
        """Each medal and the total summed over the bars."""
        return {name: sum(bar.counts[name] for bar in self.bars) for name in NO_MEDALS}

    @property
    def leader(self):
        """The bar with the most medals, or None when no bar has strictly more than every other."""
        ranked = sorted(self.bars, key=lambda bar: bar.parts, reverse=True)
        if not ranked or ranked[0].parts == 0 or (len(ranked) > 1 and ranked[1].parts == ranked[0].parts):
            return None
        return ranked[0]

    @property
    def with_medals(self):
        """How many bars have a medal in them."""
        return sum(1 for bar in self.bars if bar.parts)


def tick_values(maximum, most=MOST_TICKS):
    """Whole numbers from 0 up to `maximum` (never beyond: the longest bar ends the axis) in steps of
    1, 2 or 5 times a power of ten, at most `most` of them: 0 → 0; 1 → 0, 1; 7 → 0, 2, 4, 6;
    23 → 0, 5, 10, 15, 20."""
    if maximum <= 0:
        return [0]
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if maximum // step + 1 <= most:
                return list(range(0, maximum + 1, step))
        power *= 10


def bars(rows):
    """Horizontal stacked bars, one per row, in the order given; the longest ends at `BARS_RIGHT`."""
    rows = [(key, label, _counts(counts)) for key, label, counts in rows]
    maximum = max((_parts(counts) for _key, _label, counts in rows), default=0)
    scale = BARS_RIGHT / max(maximum, 1)
    built = []
    for n, (key, label, counts) in enumerate(rows):
        top = n * (ROW_NAME + BAR_THICKNESS + ROW_GAP)
        bar_y = top + ROW_NAME + 4
        segments, x = [], 0.0
        for medal in MEDALS:
            if not counts[medal]:
                continue
            width = counts[medal] * scale
            fits = width >= 3.5 * len(str(counts[medal])) + 2
            segments.append(Segment(medal, counts[medal], _round(x), bar_y, _round(width), BAR_THICKNESS, fits))
            x += width
        built.append(
            Bar(
                key=key,
                label=label,
                counts=counts,
                segments=tuple(segments),
                x=0.0,
                y=bar_y,
                width=_round(x),
                height=BAR_THICKNESS,
                label_x=0.0,
                label_y=top + ROW_NAME - 4,
                total_x=_round(x),
                total_y=bar_y + BAR_THICKNESS - 5,
            )
        )
    bottom = len(rows) * (ROW_NAME + BAR_THICKNESS + ROW_GAP) - ROW_GAP
    ticks = tuple(
        Tick(value, _round(value * scale), "start" if value == 0 else "middle") for value in tick_values(maximum)
    )
    return Chart(
        bars=tuple(built),
        ticks=ticks,
        height=bottom + BARS_AXIS,
        left=0.0,
        right=BARS_RIGHT,
        top=0,
        bottom=bottom,
        maximum=maximum,
    )


def columns(rows):
    """Vertical stacked columns, one per row, left to right; the tallest fills the plot's height."""
    rows = [(key, label, _counts(counts)) for key, label, counts in rows]
    maximum = max((_parts(counts) for _key, _label, counts in rows), default=0)
    scale = COLUMNS_PLOT / max(maximum, 1)
    bottom = COLUMNS_TOP + COLUMNS_PLOT
    slot = (100 - COLUMNS_LEFT) / max(len(rows), 1)
    width = slot * COLUMN_SHARE
    built = []
    for n, (key, label, counts) in enumerate(rows):
        x = COLUMNS_LEFT + n * slot + (slot - width) / 2
        segments, y = [], float(bottom)
        for medal in MEDALS:
            if not counts[medal]:
                continue
            height = counts[medal] * scale
            y -= height
            fits = height >= 15 and width >= 3.2 * len(str(counts[medal]))
            segments.append(Segment(medal, counts[medal], _round(x), _round(y), _round(width), _round(height), fits))
        built.append(
            Bar(
                key=key,
                label=label,
                counts=counts,
                segments=tuple(segments),
                x=_round(x),
                y=_round(y),
                width=_round(width),
                height=_round(bottom - y),
                label_x=_round(x + width / 2),
                label_y=bottom + 15,
                total_x=_round(x + width / 2),
                total_y=_round(y - 5),
            )
        )
    ticks = tuple(Tick(value, _round(bottom - value * scale), "end") for value in tick_values(maximum))
    return Chart(
        bars=tuple(built),
        ticks=ticks,
        height=bottom + COLUMNS_BOTTOM,
        left=COLUMNS_LEFT,
        right=100.0,
        top=COLUMNS_TOP,
        bottom=bottom,
        maximum=maximum,
    )


def by_day(days, tallies):
    """Rows for `columns()`: every day in `days` (a day without medals counts zero), any other day that
    holds medals (a medal round entered outside the Games' dates), all in order; then, keyed None, the
    medals whose day is still to be confirmed, when there are any. `tallies` maps a day (or None) to
    its counts, as `Result.objects.tally_by()` gives them."""
    dated = sorted(set(days) | {day for day in tallies if isinstance(day, datetime.date)})
    rows = [(day, day, tallies.get(day, NO_MEDALS)) for day in dated]
    if _parts(_counts(tallies.get(None, NO_MEDALS))):
        rows.append((None, None, tallies[None]))
    return rows


def _counts(counts):
    """The four numbers a bar needs, from a dict or an object with gold/silver/bronze/total (a MedalRecord)."""
    if not isinstance(counts, dict):
        counts = {name: getattr(counts, name) for name in NO_MEDALS}
    return {name: counts.get(name, 0) or 0 for name in NO_MEDALS}


def _parts(counts):
    return sum(counts[medal] for medal in MEDALS)


def _round(value):
    return round(value, 3)
