"""The readers' data to take away: the roster, the schedule, the results and the medal table, as CSV and JSON.

Each table is declared once here as a `Table`: its columns (name, title,
description, type and how each value is read from a row), which FilterSet
chooses its rows, and how the rows are fetched. The export views, and
anything that describes the data (a data page, a Frictionless
`datapackage.json`), are derived from these declarations: see `TABLES`.

The rows are those of the matching readers' page, in the same order, chosen
by the same FilterSet from the same parameters, with the same 400 messages:

* `roster`: the team page's athletes (`RosterFilter`), all of them, not one page;
* `schedule`: the schedule's rounds (`ScheduleFilter`), by day, then those whose
  day is to be confirmed, then the events with no round yet;
* `results`: every result of the team's athletes in the rounds the schedule's
  filters keep (`ScheduleFilter`); with the athlete filter, only those athletes'
  results;
* `medals`: the medals page's tally by sport, in medal-table order, then the
  total (the row whose sport is empty). It takes no parameters.

Identifiers are slugs and codes, never database ids. Column types are those
of Frictionless Table Schema: string, integer, date, time, datetime, boolean.
"""

import csv
import datetime
import io
import json
from dataclasses import dataclass

from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from team import front
from team.caching import open_data, public_page
from team.filters import RosterFilter, ScheduleFilter
from team.models import Entry, Event, Result, Round, Sport
from team.views import featured_delegation, medal_order

FORMATS = ("csv", "json")
TYPES = ("string", "integer", "date", "time", "datetime", "boolean")
#: The terms of reuse of every table, in its JSON and in the data package.
LICENCE = gettext_lazy("Free to reuse with a credit to this site and a link to it.")


@dataclass(frozen=True)
class Column:
    """One column of a table: `value(row)` reads it from a row as a Python value of its `type`."""

    name: str
    title: str
    description: str
    type: str
    value: object

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"Unknown column type {self.type!r}")

    def describe(self):
        """The column as a Frictionless Table Schema field."""
        return {"name": self.name, "title": str(self.title), "description": str(self.description), "type": self.type}


@dataclass(frozen=True)
class Table:
    """A table readers can download: its name (the address `/<name>.csv`), title, description, columns,
    the FilterSet whose parameters it takes (None: no parameters) and `rows(data, delegation)`, which
    returns the bound FilterSet (or None) and the rows (None when the parameters are refused)."""

    name: str
    title: str
    description: str
    columns: tuple
    filterset_class: type | None
    rows: object

    def params(self):
        """The query parameters this table understands: its FilterSet's."""
        return [*self.filterset_class.base_filters] if self.filterset_class else []

    def schema(self):
        """The table's columns as a Frictionless Table Schema."""
        return {"fields": [column.describe() for column in self.columns]}

    def records(self, rows):
        """Each row as a dict of column name → value."""
        return [{column.name: column.value(row) for column in self.columns} for row in rows]


def athlete_column(athlete_of):
    """The column naming a row's athlete by slug; `athlete_of(row)` finds the athlete."""
    return Column(
        "athlete",
        gettext_lazy("Athlete"),
        gettext_lazy("The athlete's identifier (slug)."),
        "string",
        lambda row: athlete_of(row).slug,
    )


def event_column(event_of):
    """The column naming a row's event by slug; `event_of(row)` finds the event."""
    return Column(
        "event",
        gettext_lazy("Event"),
        gettext_lazy("The event's identifier (slug)."),
        "string",
        lambda row: event_of(row).slug,
    )


def joined(values):
    """Several identifiers in one cell, separated by spaces (identifiers never hold one)."""
    return " ".join(values)


# The roster


def roster_rows(data, delegation):
    filterset = RosterFilter(data, queryset=delegation.athletes.order_by("sport__name", "name"), games=delegation.games)
    if not filterset.is_valid():
        return filterset, None
    athletes = filterset.qs.for_cards()
    # As on the team page: athletes whose details are still being checked come after every confirmed one.
    return filterset, list(athletes.order_by("under_review", *athletes.query.order_by))


ROSTER = Table(
    name="roster",
    title=gettext_lazy("The team"),
    description=gettext_lazy("The delegation's athletes, as the team page lists them with the same filters."),
    columns=(
        athlete_column(lambda athlete: athlete),
        Column(
            "name",
            gettext_lazy("Name"),
            gettext_lazy("The name as this site spells it."),
            "string",
            lambda athlete: athlete.local_name,
        ),
        Column(
            "other_spellings",
            gettext_lazy("Other spellings"),
            gettext_lazy("Other spellings of the name in reports, separated by “; ”."),
            "string",
            lambda athlete: "; ".join(name.name for name in athlete.spellings),
        ),
        Column(
            "sport",
            gettext_lazy("Sport"),
            gettext_lazy("The sport's identifier (slug)."),
            "string",
            lambda athlete: athlete.sport.slug,
        ),
        Column(
            "sport_name",
            gettext_lazy("Sport name"),
            gettext_lazy("The sport's name."),
            "string",
            lambda athlete: athlete.sport.local_name,
        ),
        Column(
            "gender",
            gettext_lazy("Gender"),
            gettext_lazy("M (men) or W (women)."),
            "string",
            lambda athlete: athlete.gender,
        ),
        Column(
            "classes",
            gettext_lazy("Classes"),
            gettext_lazy("The athlete's classification codes, separated by spaces."),
            "string",
            lambda athlete: joined(sport_class.code for sport_class in athlete.class_list),
        ),
        Column(
            "events",
            gettext_lazy("Events"),
            gettext_lazy("The identifiers (slugs) of the events the athlete is entered in, separated by spaces."),
            "string",
            lambda athlete: joined(entry.event.slug for entry in athlete.entry_list),
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            gettext_lazy("competing or withdrawn."),
            "string",
            lambda athlete: athlete.status,
        ),
        Column(
            "flagbearer",
            gettext_lazy("Flagbearer"),
            gettext_lazy("Whether the athlete carried the flag."),
            "boolean",
            lambda athlete: athlete.is_flagbearer,
        ),
        Column(
            "being_checked",
            gettext_lazy("Being checked"),
            gettext_lazy("Whether editors are still checking some of the athlete's details."),
            "boolean",
            lambda athlete: athlete.under_review,
        ),
    ),
    filterset_class=RosterFilter,
    rows=roster_rows,
)


# The schedule


@dataclass
class ScheduleRow:
    """A round with the team's athletes in it, or an event with no round yet (`round` None)."""

    event: Event
    round: Round | None
    entries: list


def schedule_filterset(data, delegation):
    return ScheduleFilter(data, queryset=Round.objects.contested_by(delegation), delegation=delegation)


def schedule_rows(data, delegation):
    filterset = schedule_filterset(data, delegation)
    if not filterset.is_valid():
        return filterset, None
    rounds = front.with_lineups(filterset.qs.as_scheduled(delegation))
    rows = [ScheduleRow(round.event, round, entries) for round, entries in rounds if round.scheduled_date]
    rows += [ScheduleRow(round.event, round, entries) for round, entries in rounds if not round.scheduled_date]
    contenders = Entry.objects.in_contention().filter(athlete__delegation=delegation)
    waiting = (
        filterset.without_rounds(Event.objects.filter(pk__in=contenders.values("event"), rounds__isnull=True))
        .select_related("sport", "sport_class", "games")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=contenders.select_related("athlete").order_by("athlete__name"),
                to_attr="team_entries",
            )
        )
        .order_by("sport__name", "slug")
    )
    rows += [ScheduleRow(event, None, event.team_entries) for event in waiting]
    return filterset, rows


def round_value(name):
    return lambda row: getattr(row.round, name) if row.round else None


SCHEDULE = Table(
    name="schedule",
    title=gettext_lazy("Schedule"),
    description=gettext_lazy(
        "Every round the team is in, by day and time at the venue, then the rounds whose day is to be "
        "confirmed, then the events with no round yet, as the schedule page lists them with the same filters."
    ),
    columns=(
        Column(
            "date",
            gettext_lazy("Date"),
            gettext_lazy("The day of the round; empty while to be confirmed."),
            "date",
            round_value("scheduled_date"),
        ),
        Column(
            "time",
            gettext_lazy("Time"),
            gettext_lazy("The time at the venue (see venue_time_zone); empty while to be confirmed."),
            "time",
            round_value("scheduled_time"),
        ),
        Column(
            "venue_time_zone",
            gettext_lazy("Time zone"),
            gettext_lazy("The venue's IANA time zone."),
            "string",
            lambda row: row.event.games.time_zone,
        ),
        Column(
            "sport",
            gettext_lazy("Sport"),
            gettext_lazy("The sport's identifier (slug)."),
            "string",
            lambda row: row.event.sport.slug,
        ),
        event_column(lambda row: row.event),
        Column(
            "event_name",
            gettext_lazy("Event name"),
            gettext_lazy("The event's name."),
            "string",
            lambda row: row.event.name,
        ),
        Column(
            "round",
            gettext_lazy("Round"),
            gettext_lazy("The kind of round (heats, final …); empty for an event with no round yet."),
            "string",
            round_value("kind"),
        ),
        Column(
            "round_name",
            gettext_lazy("Round name"),
            gettext_lazy("The round's name as published."),
            "string",
            round_value("name"),
        ),
        Column(
            "medal_round",
            gettext_lazy("Medal round"),
            gettext_lazy("Whether the round awards medals (a final or a bronze medal contest)."),
            "boolean",
            round_value("awards_medals"),
        ),
        Column(
            "athletes",
            gettext_lazy("Athletes"),
            gettext_lazy("The team's athletes in it (slugs), separated by spaces."),
            "string",
            lambda row: joined(entry.athlete.slug for entry in row.entries),
        ),
    ),
    filterset_class=ScheduleFilter,
    rows=schedule_rows,
)


# The results


def results_rows(data, delegation):
    filterset = schedule_filterset(data, delegation)
    if not filterset.is_valid():
        return filterset, None
    results = Result.objects.filter(entry__athlete__delegation=delegation, round__in=filterset.qs.values("pk"))
    if athletes := filterset.active().get("athlete"):
        results = results.filter(entry__athlete__slug__in=athletes)
    results = results.select_related(
        "entry__athlete", "entry__event__sport", "entry__event__sport_class", "round", "source"
    ).order_by(
        F("round__scheduled_date").asc(nulls_last=True),
        F("round__scheduled_time").asc(nulls_last=True),
        "entry__event__sport__name",
        "entry__event__slug",
        "round__order",
        F("rank").asc(nulls_last=True),
        "entry__athlete__name",
    )
    return filterset, list(results)


RESULTS = Table(
    name="results",
    title=gettext_lazy("Results"),
    description=gettext_lazy(
        "Every result of the team's athletes in the rounds the schedule's filters keep (only the chosen "
        "athletes' results when athletes are chosen), by the round's day and time, then by place."
    ),
    columns=(
        athlete_column(lambda result: result.entry.athlete),
        Column(
            "athlete_name",
            gettext_lazy("Name"),
            gettext_lazy("The athlete's name."),
            "string",
            lambda result: result.entry.athlete.local_name,
        ),
        event_column(lambda result: result.entry.event),
        Column(
            "event_name",
            gettext_lazy("Event name"),
            gettext_lazy("The event's name."),
            "string",
            lambda result: result.entry.event.name,
        ),
        Column(
            "round",
            gettext_lazy("Round"),
            gettext_lazy("The kind of round (heats, final …)."),
            "string",
            lambda result: result.round.kind,
        ),
        Column(
            "date",
            gettext_lazy("Date"),
            gettext_lazy("The day of the round; empty while to be confirmed."),
            "date",
            lambda result: result.round.scheduled_date,
        ),
        Column(
            "rank",
            gettext_lazy("Rank"),
            gettext_lazy("Place in the round (1 = first); empty if none."),
            "integer",
            lambda result: result.rank,
        ),
        Column(
            "tie",
            gettext_lazy("Tie"),
            gettext_lazy("Whether officially tied for this place."),
            "boolean",
            lambda result: result.tie,
        ),
        Column(
            "mark",
            gettext_lazy("Mark"),
            gettext_lazy("Time, distance or score as the sport records it."),
            "string",
            lambda result: result.mark,
        ),
        Column(
            "record",
            gettext_lazy("Record"),
            gettext_lazy("WR, PR, AR, ER, NR, PB or SB; empty if none."),
            "string",
            lambda result: result.record,
        ),
        Column(
            "medal",
            gettext_lazy("Medal"),
            gettext_lazy("gold, silver or bronze; empty if none."),
            "string",
            lambda result: result.medal,
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            gettext_lazy("ok (finished), dns, dnf or dq."),
            "string",
            lambda result: result.status,
        ),
        Column(
            "progress",
            gettext_lazy("Progress"),
            gettext_lazy("advanced (to the next round), out (of the event here) or empty if not stated."),
            "string",
            lambda result: result.progress,
        ),
        Column(
            "settled",
            gettext_lazy("Settled"),
            gettext_lazy("provisional, official or amended."),
            "string",
            lambda result: result.settled,
        ),
        Column(
            "source",
            gettext_lazy("Source"),
            gettext_lazy("The identifier (slug) of the source that reported it; empty if entered by editors."),
            "string",
            lambda result: result.source.slug if result.source else "",
        ),
    ),
    filterset_class=ScheduleFilter,
    rows=results_rows,
)


# The medal table


@dataclass
class TallyRow:
    sport: Sport | None
    counts: dict


def medal_rows(data, delegation):
    won = Result.objects.filter(entry__athlete__delegation=delegation).medals()
    by_sport = won.tally_by("entry__event__sport")
    sports = Sport.objects.in_bulk(by_sport)
    rows = sorted(
        (TallyRow(sports[pk], counts) for pk, counts in by_sport.items()),
        key=lambda row: (medal_order(row.counts), row.sport.local_name),
    )
    return None, [*rows, TallyRow(None, won.tally())]


def tally_value(medal):
    return lambda row: row.counts[medal]


MEDALS = Table(
    name="medals",
    title=gettext_lazy("Medals"),
    description=gettext_lazy(
        "The team's medals by sport, in medal-table order (gold, then silver, then bronze), then the total: "
        "a medal won by a team or pair counts once."
    ),
    columns=(
        Column(
            "sport",
            gettext_lazy("Sport"),
            gettext_lazy("The sport's identifier (slug); empty on the last row, the total over all sports."),
            "string",
            lambda row: row.sport.slug if row.sport else "",
        ),
        Column(
            "sport_name",
            gettext_lazy("Sport name"),
            gettext_lazy("The sport's name, or “All sports”."),
            "string",
            lambda row: row.sport.local_name if row.sport else _("All sports"),
        ),
        Column("gold", gettext_lazy("Gold"), gettext_lazy("Gold medals."), "integer", tally_value("gold")),
        Column("silver", gettext_lazy("Silver"), gettext_lazy("Silver medals."), "integer", tally_value("silver")),
        Column("bronze", gettext_lazy("Bronze"), gettext_lazy("Bronze medals."), "integer", tally_value("bronze")),
        Column("total", gettext_lazy("Total"), gettext_lazy("All medals."), "integer", tally_value("total")),
    ),
    filterset_class=None,
    rows=medal_rows,
)

#: Every table readers can download, by name.
TABLES = {table.name: table for table in (ROSTER, SCHEDULE, RESULTS, MEDALS)}


# Writing the files


def csv_cell(value):
    """A value as a CSV cell: ISO 8601 dates and times, true/false, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def json_value(value):
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def csv_text(table, rows):
    """The rows as CSV: UTF-8 with a byte-order mark (so that spreadsheets read it as UTF-8), a header of the
    column names, then one line per row."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(column.name for column in table.columns)
    writer.writerows([csv_cell(column.value(row)) for column in table.columns] for row in rows)
    return buffer.getvalue()


def data_version(changed):
    """The data's version: when an editor last changed it (in UTC), so it moves only when the data does."""
    return changed.astimezone(datetime.UTC).isoformat(timespec="seconds") if changed else "0"


def package(request, delegation, resources, changed):
    """A Frictionless tabular data package of `resources` (table, path of its CSV), each with its schema;
    `changed` is when the data last changed (`front.last_change()`), its version."""
    page = request.build_absolute_uri(reverse("team:data"))
    return {
        "profile": "tabular-data-package",
        "name": f"{delegation.games.slug}-{delegation.npc_code.lower()}",
        "title": delegation.headline,
        "homepage": page,
        "version": data_version(changed),
        "licenses": [{"title": str(LICENCE), "path": f"{page}#licence"}],
        "sources": [{"title": _("Our sources"), "path": request.build_absolute_uri(reverse("team:sources"))}],
        "resources": [
            {
                "name": table.name,
                "title": str(table.title),
                "description": str(table.description),
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": table.schema(),
            }
            for table, path in resources
        ],
    }


def file_name(table, delegation, filters, fmt):
    """e.g. paris-2024-aze-roster-sport-para-swimming-2024-08-29.csv: the table, its filters and the day."""
    parts = [delegation.games.slug, delegation.npc_code.lower(), table.name]
    parts += [slugify(f"{name} {' '.join(values) if isinstance(values, list) else values}") for name, values in filters]
    stem = "-".join(part for part in parts if part)[:120].rstrip("-")
    return f"{stem}-{timezone.localdate().isoformat()}.{fmt}"


def active_filters(filterset):
    """The parameters that chose the rows, in the order the filters are declared."""
    if filterset is None:
        return []
    cleaned = filterset.form.cleaned_data
    return [(name, cleaned[name]) for name in filterset.filters if cleaned.get(name) not in (None, "", [], ())]


def refusal(problems, fmt):
    if fmt == "json":
        body = json.dumps({"errors": [str(problem) for problem in problems]}, ensure_ascii=False, indent=1)
        return HttpResponse(body, content_type="application/json", status=400)
    text = "\n".join([_("This address asks for something we cannot show:"), *map(str, problems)]) + "\n"
    return HttpResponse(text, content_type="text/plain; charset=utf-8", status=400)


def export(request, table, fmt, delegation):
    """The response for `table` in `fmt` with the request's parameters: the file, or a 400 with the reasons."""
    filterset, rows = table.rows(request.GET, delegation)
    if rows is None:
        return refusal(filterset.problems(), fmt)
    filters = active_filters(filterset)
    if fmt == "csv":
        response = HttpResponse(csv_text(table, rows), content_type="text/csv; charset=utf-8")
    else:
        document = {
            "title": f"{table.title} – {delegation.headline}",
            "generated": timezone.now().isoformat(timespec="seconds"),
            "source": _("%(site)s, from the sources listed at %(sources)s")
            % {
                "site": delegation.headline,
                "sources": request.build_absolute_uri(reverse("team:sources")),
            },
            "licence": str(LICENCE),
            "filters": {name: value for name, value in filters},
            "schema": table.schema(),
            "rows": [{name: json_value(value) for name, value in record.items()} for record in table.records(rows)],
        }
        # Compact: without `indent`, Python's json module encodes in C, several times faster on a whole Games.
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = content_disposition_header(True, file_name(table, delegation, filters, fmt))
    return response


# The views


def export_view(table):
    """The view of `table`, in the format named by the address (`fmt`): cached and revalidated like the
    readers' pages (`public_page`), unknown parameters redirected away, readable from any origin."""

    @require_safe
    @public_page(params=table.params)
    @open_data
    def view(request, fmt):
        return export(request, table, fmt, featured_delegation())

    view.__name__ = view.__qualname__ = f"{table.name}_export"
    view.__doc__ = f"The {table.name} table as CSV or JSON."
    return view


views = {name: export_view(table) for name, table in TABLES.items()}
