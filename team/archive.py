"""The whole delegation as one dated archive: /data/archive.zip, saved as e.g. paris-2024-aze-2024-09-08.zip.

The archive holds one CSV per table and a `datapackage.json` describing them
(Frictionless, paths relative to the archive), so a newsroom can load
everything at once: the athletes and every spelling of their names, the
events, entries and rounds, the results, the medal table, the corrections
log and the sources.

The athletes, results and medals tables are those of the filtered downloads
(`team.exports.TABLES`) without a filter; the others are declared here with
the same `Column`/`Table` types, so the data page documents them from the
same declarations. Nothing internal is in it: no database ids, no editors,
no quoted source texts, only what readers can see on the pages.

The archive is built in memory (it is a few hundred kilobytes even for a
whole Games) with the files' times set to the data's last change, so two
downloads of the same data are byte for byte the same. It is a readers'
address like the others (`public_page`): cached per generation, with ETag
and 304, readable from any origin.
"""

import datetime
import io
import json
import zipfile

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from team import front
from team.caching import open_data, public_page
from team.exports import MEDALS, RESULTS, ROSTER, Column, Table, athlete_column, csv_text, event_column, package
from team.models import AthleteName, Change, Entry, Event, Round, Source
from team.views import featured_delegation


def slug_of(record):
    """A related record's identifier, empty when there is none."""
    return record.slug if record is not None else ""


#: What the source column of a table means.
STATES_IT = gettext_lazy("The identifier (slug) of the source that states it; empty if none.")


def source_column(description=STATES_IT):
    return Column("source", gettext_lazy("Source"), description, "string", lambda row: slug_of(row.source))


def unfiltered(table):
    """`table` with every row: the rows of its page without any filter."""
    return lambda delegation: table.rows({}, delegation)[1]


# The spellings of names


def name_rows(delegation):
    return list(
        AthleteName.objects.filter(athlete__delegation=delegation)
        .select_related("athlete", "source")
        .order_by("athlete__name", "athlete__slug", "name")
    )


NAMES = Table(
    name="names",
    title=gettext_lazy("Spellings of names"),
    description=gettext_lazy(
        "Every other spelling of each athlete's name seen in reports, with its script, "
        "by athlete; the name this site uses is in the athletes table."
    ),
    columns=(
        athlete_column(lambda name: name.athlete),
        Column("name", gettext_lazy("Name"), gettext_lazy("The spelling."), "string", lambda name: name.name),
        Column(
            "script",
            gettext_lazy("Script"),
            gettext_lazy("latin (English transliteration), azerbaijani (Azerbaijani Latin) or cyrillic."),
            "string",
            lambda name: name.script,
        ),
        source_column(),
    ),
    filterset_class=None,
    rows=name_rows,
)


# Events and entries


def event_rows(delegation):
    return list(
        Event.objects.filter(entries__athlete__delegation=delegation)
        .distinct()
        .select_related("sport", "sport_class", "source")
        .order_by("sport__name", "slug")
    )


EVENTS = Table(
    name="events",
    title=gettext_lazy("Events"),
    description=gettext_lazy("Every event the team's athletes are entered in, by sport."),
    columns=(
        event_column(lambda event: event),
        Column("name", gettext_lazy("Name"), gettext_lazy("The event's name."), "string", lambda event: event.name),
        Column(
            "sport",
            gettext_lazy("Sport"),
            gettext_lazy("The sport's identifier (slug)."),
            "string",
            lambda event: event.sport.slug,
        ),
        Column(
            "gender",
            gettext_lazy("Gender"),
            gettext_lazy("M (men), W (women) or X (mixed)."),
            "string",
            lambda event: event.gender,
        ),
        Column(
            "class",
            gettext_lazy("Class"),
            gettext_lazy("The classification code; empty while not confirmed or where the sport has none."),
            "string",
            lambda event: event.sport_class.code if event.sport_class_id else "",
        ),
        Column(
            "discipline",
            gettext_lazy("Discipline"),
            gettext_lazy("Distance and stroke, field event, weight category …"),
            "string",
            lambda event: event.discipline,
        ),
        Column(
            "team_event",
            gettext_lazy("Team event"),
            gettext_lazy("Whether it is a team or pair event (one medal however many athletes)."),
            "boolean",
            lambda event: event.is_team,
        ),
        Column(
            "mark_kind",
            gettext_lazy("Kind of mark"),
            gettext_lazy("How results are recorded: time, distance, points, score or other."),
            "string",
            lambda event: event.mark_kind,
        ),
        source_column(),
    ),
    filterset_class=None,
    rows=event_rows,
)


def entry_rows(delegation):
    return list(
        Entry.objects.filter(athlete__delegation=delegation)
        .select_related("athlete", "event", "source")
        .order_by("athlete__name", "athlete__slug", "event__slug")
    )


ENTRIES = Table(
    name="entries",
    title=gettext_lazy("Entries"),
    description=gettext_lazy("Which athlete is entered in which event, and whether they withdrew from it."),
    columns=(
        athlete_column(lambda entry: entry.athlete),
        event_column(lambda entry: entry.event),
        Column(
            "status",
            gettext_lazy("Status"),
            gettext_lazy("entered or withdrawn."),
            "string",
            lambda entry: entry.status,
        ),
        Column(
            "withdrawal_reason",
            gettext_lazy("Reason"),
            gettext_lazy("Why the athlete withdrew, as published; empty if entered."),
            "string",
            lambda entry: entry.local_status_reason if entry.is_withdrawn else "",
        ),
        source_column(),
    ),
    filterset_class=None,
    rows=entry_rows,
)


# Rounds


def round_rows(delegation):
    return list(
        Round.objects.filter(event__entries__athlete__delegation=delegation)
        .distinct()
        .select_related("event__games", "source")
        .order_by("event__slug", "order", "pk")
    )


ROUNDS = Table(
    name="rounds",
    title=gettext_lazy("Rounds"),
    description=gettext_lazy("Every round of the team's events, by event and in the order they are held."),
    columns=(
        event_column(lambda round: round.event),
        Column(
            "round",
            gettext_lazy("Round"),
            gettext_lazy("The kind of round (heats, final …); with the event, it identifies the round."),
            "string",
            lambda round: round.kind,
        ),
        Column(
            "round_name",
            gettext_lazy("Round name"),
            gettext_lazy("The round's name as published."),
            "string",
            lambda round: round.name,
        ),
        Column(
            "order",
            gettext_lazy("Order"),
            gettext_lazy("Its place among the event's rounds (1 = first held)."),
            "integer",
            lambda round: round.order,
        ),
        Column(
            "date",
            gettext_lazy("Date"),
            gettext_lazy("The day of the round; empty while to be confirmed."),
            "date",
            lambda round: round.scheduled_date,
        ),
        Column(
            "time",
            gettext_lazy("Time"),
            gettext_lazy("The time at the venue (see venue_time_zone); empty while to be confirmed."),
            "time",
            lambda round: round.scheduled_time,
        ),
        Column(
            "venue_time_zone",
            gettext_lazy("Time zone"),
            gettext_lazy("The venue's IANA time zone."),
            "string",
            lambda round: round.event.games.time_zone,
        ),
        Column(
            "medal_round",
            gettext_lazy("Medal round"),
            gettext_lazy("Whether the round awards medals (a final or a bronze medal contest)."),
            "boolean",
            lambda round: round.awards_medals,
        ),
        source_column(),
    ),
    filterset_class=None,
    rows=round_rows,
)


# The corrections log and the sources


def correction_rows(delegation):
    return Change.objects.corrections_log(most=None)


CORRECTIONS = Table(
    name="corrections",
    title=gettext_lazy("Corrections"),
    description=gettext_lazy(
        "Every correction of a published fact, as the corrections page lists them, latest first: one row per "
        "correction, however many records it changed."
    ),
    columns=(
        Column(
            "published",
            gettext_lazy("Published"),
            gettext_lazy("When the correction was made (UTC)."),
            "datetime",
            lambda correction: correction.at.astimezone(datetime.UTC).replace(microsecond=0),
        ),
        Column(
            "note",
            gettext_lazy("Note"),
            gettext_lazy("The editors' note to readers."),
            "string",
            lambda correction: "\n".join(correction.notes),
        ),
        Column(
            "records",
            gettext_lazy("Records"),
            gettext_lazy("What it concerns (athletes, events, rounds …), separated by “; ”."),
            "string",
            lambda correction: "; ".join(correction.records),
        ),
        Column(
            "changes",
            gettext_lazy("Changes"),
            gettext_lazy("What changed in each record, one line per record."),
            "string",
            lambda correction: "\n".join(f"{record}: {summary}" for record, summary in correction.lines),
        ),
        source_column(gettext_lazy("The identifier (slug) of the source it cites; empty if none.")),
    ),
    filterset_class=None,
    rows=correction_rows,
)


def source_rows(delegation):
    return list(Source.objects.order_by("outlet", "slug"))


SOURCES = Table(
    name="sources",
    title=gettext_lazy("Sources"),
    description=gettext_lazy("Every source the facts come from: the source column of the other tables names one."),
    columns=(
        Column(
            "source",
            gettext_lazy("Source"),
            gettext_lazy("The source's identifier (slug)."),
            "string",
            lambda source: source.slug,
        ),
        Column("outlet", gettext_lazy("Outlet"), gettext_lazy("Who published it."), "string", lambda s: s.outlet),
        Column("title", gettext_lazy("Title"), gettext_lazy("The headline as published."), "string", lambda s: s.title),
        Column("author", gettext_lazy("Author"), gettext_lazy("The byline, if any."), "string", lambda s: s.author),
        Column(
            "published_on",
            gettext_lazy("Published on"),
            gettext_lazy("The date of publication, if known."),
            "date",
            lambda source: source.published_on,
        ),
        Column("url", gettext_lazy("Address"), gettext_lazy("Where to read it."), "string", lambda s: s.url),
    ),
    filterset_class=None,
    rows=source_rows,
)

#: The archive's tables, in the order its data package lists them (the athletes first).
ARCHIVE = (
    (ROSTER, unfiltered(ROSTER)),
    (NAMES, NAMES.rows),
    (EVENTS, EVENTS.rows),
    (ENTRIES, ENTRIES.rows),
    (ROUNDS, ROUNDS.rows),
    (RESULTS, unfiltered(RESULTS)),
    (MEDALS, unfiltered(MEDALS)),
    (CORRECTIONS, CORRECTIONS.rows),
    (SOURCES, SOURCES.rows),
)


# The archive


def archive_name(delegation, day):
    """e.g. paris-2024-aze-2024-09-08: the Games, the team and the day the data was last changed."""
    return f"{delegation.games.slug}-{delegation.npc_code.lower()}-{day.isoformat()}"


def archive_bytes(request, delegation):
    """The archive: a folder named after the data's day holding every table and its data package."""
    changed = front.last_change()
    day = timezone.localdate(changed) if changed else timezone.localdate()
    folder = archive_name(delegation, day)
    # Zip stores local times without a zone; the data's last change at the venue, to the second (zip: two).
    stamp = timezone.localtime(changed).timetuple()[:6] if changed else (1980, 1, 1, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name, text):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode())

        resources = [(table, f"{table.name}.csv") for table, _rows in ARCHIVE]
        described = package(request, delegation, resources, changed)
        add("datapackage.json", json.dumps(described, ensure_ascii=False, indent=1) + "\n")
        for table, rows in ARCHIVE:
            add(f"{table.name}.csv", csv_text(table, rows(delegation)))
    return folder, buffer.getvalue()


@require_safe
@public_page
@open_data
def download(request):
    """Everything about the delegation as one zip archive, named after the day its data last changed."""
    delegation = featured_delegation()
    folder, content = archive_bytes(request, delegation)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"{folder}.zip")
    return response
