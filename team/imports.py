"""Imports: a schedule or an official results table, pasted or uploaded, previewed, then saved as one batch.

The layouts, with examples and the column names each accepts, are documented
for editors in `docs/imports.md`. The flow:

1. The editor pastes a table (a table copied from a browser pastes as
   tab-separated text) or uploads a CSV/TSV file, and chooses what it is.
2. `ResultsImport` or `ScheduleImport` reads it into a `Plan`: every row is
   validated by the rules the admin applies (`full_clean()`, and the correction
   note a change to a record readers have seen needs), and nothing is saved.
   The preview shows the errors first (row, column, value, how to fix it),
   then what changes, what is new, unchanged and skipped.
3. On confirm the plan is built again inside one transaction, against the
   database as it is then. When a record it touches moved on since the
   preview (the versions signed into the confirm form differ), nothing is
   saved and the preview is shown again. Otherwise every change is recorded
   by `team.history.record_save` under one shared batch, so the whole import
   can be reverted in one step from the history (`ChangeAdmin`).

Why Python's `csv` module and not a library: django-import-export (4.4.3, the
current release when this was written) declares support for Django 4.2 to 5.2
only, and brings its own import/confirm cycle, temporary storage and log,
which would sit beside our validation, history batches and stale-save guard
rather than under them. tablib (3.10.0) supports Python 3.13 but only wraps the
`csv` module for these two formats, and we still need the raw line numbers
and cells for the editors' error messages. Reading CSV and TSV is a few lines
of the standard library; everything else here is our own domain rules.
"""

import codecs
import csv
import dataclasses
import datetime
import functools
import hashlib
import io
import re
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from team import history
from team.forms import ExplainsNul, KeyedModelChoiceField, SourceChoiceForm, database_refusal
from team.models import Change, Delegation, Entry, Event, Medal, RecordMark, Result, Round, RoundKind

#: The largest table read, in bytes of UTF-8 text: an official results table of a few hundred rows is ~30 kB.
MAX_BYTES = 200_000
#: The most data rows read from one table (an event's heats list every nation: a hundred rows at most).
MAX_ROWS = 500
#: How many lines at the top may come before the header (a heading copied with the table).
HEADER_SEARCH_LINES = 5

#: Permissions an import needs: it adds and changes rounds and results.
PERMISSIONS = ("team.add_result", "team.change_result", "team.add_round", "team.change_round")

SIGNING_SALT = "team.imports.preview"


class Layout:
    RESULTS = "results"
    SCHEDULE = "schedule"

    CHOICES = [
        (RESULTS, gettext_lazy("Results of one round (an official results table)")),
        (SCHEDULE, gettext_lazy("Schedule (rounds: date, time, label)")),
    ]


#: The columns of each layout: our name → the header names accepted (compared in lower case, punctuation ignored).
COLUMNS = {
    Layout.RESULTS: {
        "rank": ("rank", "rk", "pos", "position", "place", "pl", "#"),
        "name": ("name", "athlete", "athlete name", "competitor", "family name given name"),
        "npc": ("npc", "country", "nation", "noc", "team", "npc code", "country code"),
        "result": ("result", "time", "mark", "score", "performance", "distance", "points", "total", "weight"),
        "notes": ("notes", "note", "remarks", "remark", "qualification", "q", "record", "records", "rec"),
    },
    Layout.SCHEDULE: {
        "date": ("date", "day"),
        "time": ("time", "start", "start time", "local time", "time local"),
        "event": ("event", "event slug", "slug", "medal event"),
        "round": ("round", "phase", "stage", "kind", "round kind"),
        "label": ("label", "round name", "title", "name as published"),
    },
}
REQUIRED = {Layout.RESULTS: ("name", "npc"), Layout.SCHEDULE: ("event", "round")}
#: Each column's heading as the documented layouts write it.
HEADINGS = {
    "rank": "Rank",
    "name": "Name",
    "npc": "NPC",
    "result": "Result",
    "notes": "Notes",
    "date": "Date",
    "time": "Time",
    "event": "Event",
    "round": "Round",
    "label": "Label",
}

#: Statuses as official results print them, in the rank or the result column.
STATUS_WORDS = {
    "DNS": Result.Status.DNS,
    "DNF": Result.Status.DNF,
    "DQ": Result.Status.DQ,
    "DSQ": Result.Status.DQ,
    "DISQ": Result.Status.DQ,
}
RECORD_TOKEN = re.compile(r"^\(?=?(WR|PR|AR|ER|NR|PB|SB)\)?$", re.IGNORECASE)
QUALIFIED = {"Q", "q", "(Q)", "(q)"}
NO_MARK = {"", "-", "–", "—", "NM"}
RANK = re.compile(r"^(?P<before>=|T)?\s*(?P<rank>\d{1,3})\s*(?P<after>=|T)?\.?$", re.IGNORECASE)
MEDAL_BY_RANK = {1: Medal.GOLD, 2: Medal.SILVER, 3: Medal.BRONZE}

#: Round kinds as schedules write them, besides each kind's own name (compared without case, spaces or dashes).
KIND_ALIASES = {
    "heat": RoundKind.HEATS,
    "finals": RoundKind.FINAL,
    "goldmedalcontest": RoundKind.FINAL,
    "goldmedalmatch": RoundKind.FINAL,
    "semi": RoundKind.SEMIFINAL,
    "semifinals": RoundKind.SEMIFINAL,
    "quarterfinals": RoundKind.QUARTERFINAL,
    "r16": RoundKind.ROUND_OF_16,
    "18final": RoundKind.ROUND_OF_16,
    "eighthfinal": RoundKind.ROUND_OF_16,
    "r32": RoundKind.ROUND_OF_32,
    "116final": RoundKind.ROUND_OF_32,
    "bronze": RoundKind.BRONZE,
    "bronzefinal": RoundKind.BRONZE,
    "bronzemedalmatch": RoundKind.BRONZE,
    "bronzemedalbout": RoundKind.BRONZE,
    "contestforbronze": RoundKind.BRONZE,
    "repechages": RoundKind.REPECHAGE,
    "preliminaries": RoundKind.PRELIMINARY,
    "prelims": RoundKind.PRELIMINARY,
    "preliminary": RoundKind.PRELIMINARY,
    "qualification": RoundKind.PRELIMINARY,
    "qualifying": RoundKind.PRELIMINARY,
    "classifications": RoundKind.CLASSIFICATION,
}
#: Written in a date or time cell to clear it (the day or time is to be confirmed again).
TO_BE_CONFIRMED = {"tbc", "tbd", "tba"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")
DATE_FORMATS_WITHOUT_YEAR = ("%d %b", "%d %B", "%b %d", "%B %d", "%d/%m", "%d.%m")
WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)

#: Fields an import never shows as changed: the record's identity, and where it came from.
QUIET_FIELDS = frozenset({"entry", "round", "event", "kind", "source", "source_quote", "order"})
#: Fields whose change readers do not see, so needs no correction note.
INTERNAL_FIELDS = frozenset({"source", "source_quote", "order"})


#: How a record the preview relied on is named when it is not in the plan any more.
RECORD_KINDS = {"round": gettext_lazy("a round of this event"), "result": gettext_lazy("a result")}


class Refused(Exception):
    """The input as a whole cannot be read (too large, not text, no header): the message says why."""


# Reading the text


def decode(data):
    """The text of an uploaded file, or Refused with a message an editor can act on."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused(
            _(
                "This is a spreadsheet file (Excel or similar), not a text table. In the spreadsheet choose "
                "“Save as” → “CSV UTF-8”, or select the cells, copy them and paste them here."
            )
        )
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text" is tab-separated UTF-16
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise Refused(
            _(
                "This file is not UTF-8 text (it may be a binary file, or text saved in an older encoding). "
                "Save it as “CSV UTF-8”, or open it, copy the table and paste it here."
            )
        ) from None
    check_text(text)
    return text


def check_text(text):
    """Refuse text too large to import, or holding control characters (a binary file read as text)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise Refused(too_large())
    if any(ord(character) < 32 and character not in "\t\r\n" for character in text):
        raise Refused(
            _(
                "This is not a text table: it holds control characters, as a binary file does. "
                "Paste the table as plain text, or upload a CSV or TSV file."
            )
        )


def too_large():
    return _(
        "This table is too large to import at once (at most %(kb)d kB and %(rows)d rows). "
        "Split it, e.g. one round or one day at a time."
    ) % {"kb": MAX_BYTES // 1000, "rows": MAX_ROWS}


def header_key(text):
    return re.sub(r"[^\w#]+", " ", text.casefold()).strip()


@dataclasses.dataclass
class Table:
    """The rows of a pasted table, each cell under our name for its column (`COLUMNS`)."""

    headers: dict  # our column name → the header as the table wrote it
    rows: list  # (line number in the text, {our column name: cell})
    ignored: list  # headers of columns not used
    errors: list  # RowError for rows that could not be read at all

    def header(self, name):
        return self.headers.get(name, "")


def read_table(text, layout):
    """The table in `text` (tab-, comma- or semicolon-separated) for `layout`, or Refused."""
    text = text.replace("\xa0", " ")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise Refused(_("The table is empty. Paste a table with its header line, or choose a file."))
    sample = "\n".join(lines[:HEADER_SEARCH_LINES])
    delimiter = "\t" if "\t" in sample else ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = COLUMNS[layout]
    aliases = {alias: name for name, names in columns.items() for alias in names}
    header_at = None
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header_at is None:
                found = {aliases.get(header_key(cell)) for cell in cells}
                if all(name in found for name in REQUIRED[layout]):
                    header_at = list(cells)
                    continue
                if reader.line_num >= HEADER_SEARCH_LINES:
                    break
                continue
            rows.append((reader.line_num, [cell.strip() for cell in cells]))
            if len(rows) > MAX_ROWS:
                raise Refused(too_large())
    except csv.Error as error:
        raise Refused(
            _("Line %(line)d cannot be read (%(error)s). Check its quotes, then preview again.")
            % {"line": reader.line_num, "error": error}
        ) from None
    if header_at is None:
        expected = ", ".join(HEADINGS[name] for name in columns)
        required = ", ".join(HEADINGS[name] for name in REQUIRED[layout])
        raise Refused(
            _(
                "No header line found. The first line of the table must name its columns, e.g. %(expected)s "
                "(%(required)s are needed). See the layouts in the import guide."
            )
            % {"expected": expected, "required": required}
        )
    index, headers, ignored = {}, {}, []
    for position, cell in enumerate(header_at):
        name = aliases.get(header_key(cell))
        if name and name not in index:
            index[name], headers[name] = position, cell.strip()
        elif cell.strip():
            ignored.append(cell.strip())
    table = Table(headers=headers, rows=[], ignored=ignored, errors=[])
    for line, cells in rows:
        extra = [cell for cell in cells[len(header_at) :] if cell]
        if extra:
            table.errors.append(
                RowError(
                    line,
                    "",
                    delimiter.join(cells),
                    _(
                        "This row has %(cells)d cells but the header has %(columns)d: a comma inside a value? "
                        "Put that value in double quotes, or paste the table as tab-separated text."
                    )
                    % {"cells": len(cells), "columns": len(header_at)},
                )
            )
            continue
        table.rows.append((line, {name: cells[i] if i < len(cells) else "" for name, i in index.items()}))
    if not table.rows and not table.errors:
        raise Refused(_("The table has a header line but no rows. Paste the rows under it."))
    return table


# The plan: what an import would do


@dataclasses.dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str


@dataclasses.dataclass
class Skipped:
    row: int
    what: str
    reason: str


@dataclasses.dataclass
class Item:
    """One record the import adds or changes, or finds as it already is."""

    row: int | None
    obj: object
    before: dict  # the record as stored ({} when new)
    key: str  # names the record in the preview's signed versions
    cells: dict = dataclasses.field(default_factory=dict)  # the row of the table that states it

    @property
    def is_new(self):
        return not self.before

    @functools.cached_property
    def after(self):
        """The record as the import leaves it, in the form `history.snapshot` gives (a new record's fields are
        read one by one: its database defaults have no value yet)."""
        if self.before:
            return history.snapshot(self.obj)
        return {
            field.name: field.value_from_object(self.obj)
            for field in self.obj._meta.concrete_fields
            if not field.primary_key and field.name not in history.BOOKKEEPING
        }

    @functools.cached_property
    def fields(self):
        """(field, old, new) as an editor reads them, for the fields that change (all of a new record's)."""
        model = type(self.obj)
        return [
            (history.label(model, name), history.describe(model, name, old), history.describe(model, name, new))
            for name, (old, new) in history.diff(self.before, self.after).items()
            if name not in QUIET_FIELDS and (self.before or new not in (None, "", False))
        ]

    @functools.cached_property
    def public_changes(self):
        return [name for name in history.diff(self.before, self.after) if name not in INTERNAL_FIELDS]

    @property
    def version(self):
        return 0 if self.is_new else self.obj.version

    def __str__(self):
        if isinstance(self.obj, Result):
            return f"{self.obj.entry.athlete} – {self.obj.round.name}"
        return str(self.obj)


class Plan:
    def __init__(self, table=None):
        self.errors = list(table.errors) if table else []
        self.items = []
        self.skipped = []
        self.ignored = table.ignored if table else []
        #: Records the plan relies on without changing them: key → version.
        self.watched = {}

    @property
    def new(self):
        return [item for item in self.items if item.is_new]

    @property
    def changed(self):
        return [item for item in self.items if not item.is_new and item.public_changes]

    @property
    def unchanged(self):
        return [item for item in self.items if not item.is_new and not item.public_changes]

    @property
    def to_save(self):
        return self.new + self.changed

    def versions(self):
        return {**self.watched, **{item.key: item.version for item in self.items}}

    def describe(self, key):
        for item in self.items:
            if item.key == key:
                return str(item)
        return str(RECORD_KINDS.get(key.split(":", 1)[0], key))

    def error(self, row, column, value, message):
        self.errors.append(RowError(row, column, value, message))


def field_errors(error, columns):
    """(column, message) for each message of a model's ValidationError, by the column that holds the field."""
    if not hasattr(error, "error_dict"):
        return [("", message) for message in error.messages]
    return [
        (columns.get(name, ""), message)
        for name, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


class Import:
    """What both layouts share: the delegation, the correction note and the check that it is given."""

    layout = None

    def __init__(self, delegation, note="", lock=False):
        self.delegation = delegation
        self.note = note.strip()
        self.lock = lock

    def locked(self, queryset):
        """`queryset`, its rows locked until the transaction ends when this plan is the one to be saved."""
        return queryset.select_for_update() if self.lock else queryset

    def plan(self, text):
        table = read_table(text, self.layout)
        plan = Plan(table)
        self.read(table, plan)
        if not self.note:
            for item in plan.changed:
                names = ", ".join(history.label(type(item.obj), name) for name in item.public_changes)
                plan.error(
                    item.row,
                    "",
                    str(item),
                    _(
                        "This changes %(record)s (%(fields)s), which readers have already seen. Write a correction "
                        "note above (it is published), then preview again."
                    )
                    % {"record": item, "fields": names},
                )
        plan.errors.sort(key=lambda error: error.row or 0)
        return plan

    def validate(self, plan, item, table, columns, value, exclude=None):
        """Validate the record as the admin does; each error names the column holding the field (`columns`: field
        → our column name) and the cell as the table wrote it (`value` when no column holds it)."""
        try:
            item.obj.full_clean(exclude=exclude, validate_constraints=False)
        except ValidationError as error:
            for column, message in field_errors(error, columns):
                plan.error(item.row, table.header(column), item.cells.get(column) or value, message)
            return False
        return True

    def save(self, plan, user, source, batch):
        """Save what the plan adds or changes, each recorded in `batch` and citing `source`. Call it in a
        transaction."""
        for item in plan.to_save:
            if source is not None:
                item.obj.source = source
            item.obj.save()
            history.record_save(item.obj, item.before, user, note=self.note, batch=batch, source=source)


class ResultsImport(Import):
    """The delegation's rows of an official results table, as results of one round of one event."""

    layout = Layout.RESULTS

    def __init__(self, delegation, event, kind, settled, note="", lock=False):
        super().__init__(delegation, note, lock)
        self.event = event
        self.kind = kind
        self.settled = settled

    def read(self, table, plan):
        event = self.event
        round = self.locked(Round.objects.filter(event=event, kind=self.kind)).first()
        if round is None:
            round = Round(event=event, kind=self.kind)
            plan.items.append(Item(None, round, {}, f"round:new:{event.pk}:{self.kind}"))
            self.validate(plan, plan.items[-1], table, {}, round.get_kind_display())
        else:
            round.event = event
            plan.watched[f"round:{round.pk}"] = round.version
        entries = {
            entry.athlete_id: entry for entry in Entry.objects.filter(event=event).select_related("athlete", "event")
        }
        stored = {}
        if round.pk:
            results = self.locked(Result.objects.filter(round=round)).select_related("entry__athlete")
            stored = {result.entry_id: result for result in results}
        columns = {
            "rank": "rank",
            "tie": "rank",
            "medal": "rank",
            "status": "rank" if table.header("rank") else "result",
            "mark": "result",
            "record": "notes" if table.header("notes") else "result",
            "progress": "notes" if table.header("notes") else "result",
            "entry": "name",
        }
        seen_rows = {}
        for row, cells in table.rows:
            name, npc = cells.get("name", ""), cells.get("npc", "")
            if not npc:
                plan.error(
                    row,
                    table.header("npc"),
                    npc,
                    _("The NPC is missing. Write the three-letter code, e.g. %(npc)s.")
                    % {"npc": self.delegation.npc_code},
                )
                continue
            if not self.is_delegation(npc):
                plan.skipped.append(Skipped(row, f"{name} ({npc})", _("another NPC")))
                continue
            athlete = self.athlete(plan, row, table.header("name"), name, entries)
            if athlete is None:
                continue
            entry = entries.get(athlete.pk)
            if entry is None:
                plan.error(
                    row,
                    table.header("name"),
                    name,
                    _(
                        "%(athlete)s is not entered in %(event)s. Check the event chosen above, or enter the "
                        "athlete on the event's page first, then preview again."
                    )
                    % {"athlete": athlete, "event": event},
                )
                continue
            if athlete.pk in seen_rows:
                plan.error(
                    row,
                    table.header("name"),
                    name,
                    _("%(athlete)s is already on row %(row)d. Keep one row per athlete.")
                    % {"athlete": athlete, "row": seen_rows[athlete.pk]},
                )
                continue
            seen_rows[athlete.pk] = row
            fields = self.read_row(plan, row, table, cells)
            if fields is None:
                continue
            result = stored.get(entry.pk)
            if result is None:
                result = Result(entry=entry, round=round)
                key = f"result:new:{entry.pk}:{round.pk or 'new'}"
                before = {}
            else:
                result.entry, result.round = entry, round
                key, before = f"result:{result.pk}", history.snapshot(result)
            for field, value in fields.items():
                setattr(result, field, value)
            item = Item(row, result, before, key, cells)
            exclude = ["round"] if round.pk is None else None
            if self.validate(plan, item, table, columns, name, exclude):
                plan.items.append(item)
        self.check_medals(plan, stored, table)

    def is_delegation(self, npc):
        code = self.delegation.npc_code.upper()
        text = npc.strip()
        return (
            text.upper() == code
            or text.casefold() == self.delegation.country.casefold()
            or re.match(rf"^{re.escape(code)}\b", text.upper()) is not None
        )

    def athlete(self, plan, row, column, name, entries):
        """The delegation's athlete `name` names ("SURNAME Given", any spelling), or None with an error."""
        if not any(character.isalpha() for character in name):
            plan.error(row, column, name, _("The name is missing. Write the athlete's name as the results print it."))
            return None
        athletes = self.delegation.athletes
        found = list(athletes.named(name).order_by("name")[:10])
        if not found:
            words = name.split()
            slugs = {slugify(name), slugify(" ".join(reversed(words)))}
            exact = Q(name__iexact=" ".join(words)) | Q(name__iexact=" ".join(words[::-1]))
            found = list(athletes.filter(Q(slug__in=slugs) | exact))
        entered = [athlete for athlete in found if athlete.pk in entries]
        if len(found) == 1:
            return found[0]
        if len(entered) == 1:
            return entered[0]
        if not found:
            plan.error(
                row,
                column,
                name,
                _(
                    "No athlete of %(country)s is called “%(name)s”. Check the spelling, or add this spelling to "
                    "the athlete's other spellings, then preview again."
                )
                % {"country": self.delegation.country, "name": name},
            )
        else:
            plan.error(
                row,
                column,
                name,
                _("“%(name)s” could be %(athletes)s. Write the name as it is on the athlete's page.")
                % {"name": name, "athletes": ", ".join(str(athlete) for athlete in found)},
            )
        return None

    def read_row(self, plan, row, table, cells):
        """The result's fields as this row states them, or None after recording why the row cannot be read."""
        failures = len(plan.errors)
        rank_text = cells.get("rank", "")
        rank, tie, status = None, False, None
        if rank_text.upper() in STATUS_WORDS:
            status = STATUS_WORDS[rank_text.upper()]
        elif rank_text not in NO_MARK:
            match = RANK.match(rank_text)
            if match is None:
                plan.error(
                    row,
                    table.header("rank"),
                    rank_text,
                    _("This is not a place. Write 1, 2, =3 or T3 (tied), or DNS, DNF or DQ."),
                )
            else:
                rank, tie = int(match["rank"]), bool(match["before"] or match["after"])
        mark_words, records, qualified = [], [], False
        for column, text in (("result", cells.get("result", "")), ("notes", cells.get("notes", ""))):
            for word in re.split(r"[\s,;]+", text):
                if not word:
                    continue
                if word.upper() in STATUS_WORDS:
                    said = STATUS_WORDS[word.upper()]
                    if status and status != said:
                        plan.error(
                            row,
                            table.header(column),
                            text,
                            _("The row says both %(one)s and %(other)s. Keep one.")
                            % {"one": Result.Status(status).label, "other": Result.Status(said).label},
                        )
                    status = said
                elif word in QUALIFIED:
                    qualified = True
                elif match := RECORD_TOKEN.match(word):
                    records.append(match[1].upper())
                elif column == "result":
                    mark_words.append(word)
        mark = " ".join(mark_words)
        if mark.upper() in NO_MARK:
            mark = ""
        mark, typed_record = RecordMark.split(mark)
        if typed_record:
            records.append(typed_record)
        order = list(RecordMark.values)
        record = min(records, key=order.index) if records else ""
        if len(plan.errors) > failures:
            return None
        status = status or Result.Status.FINISHED
        fields = {
            "rank": rank if status == Result.Status.FINISHED else None,
            "tie": tie,
            "mark": mark,
            "status": status,
            "record": record,
            "medal": self.medal(rank, status),
            "settled": self.settled,
        }
        if qualified:
            fields["progress"] = Result.Progress.ADVANCED
        return fields

    def medal(self, rank, status):
        if status != Result.Status.FINISHED or rank is None:
            return ""
        if self.kind == RoundKind.FINAL:
            return MEDAL_BY_RANK.get(rank, "")
        if self.kind == RoundKind.BRONZE and rank == 3:
            return Medal.BRONZE
        return ""

    def check_medals(self, plan, stored, table):
        """A gold or silver held by two results of the round must be marked tied on both, counting the round's
        results this import leaves alone."""
        planned = {item.obj.entry_id: item for item in plan.items if isinstance(item.obj, Result)}
        holders = {}
        for entry_id, result in stored.items():
            if entry_id not in planned:
                holders.setdefault(result.medal, []).append((None, result))
        for item in planned.values():
            holders.setdefault(item.obj.medal, []).append((item, item.obj))
        for medal in (Medal.GOLD, Medal.SILVER):
            held = holders.get(medal, [])
            if len(held) > 1 and not all(result.tie for _item, result in held):
                for item, _result in held:
                    if item is not None:
                        plan.error(
                            item.row,
                            table.header("rank"),
                            item.cells.get("rank", ""),
                            _(
                                "%(count)d athletes would hold the %(medal)s medal of this round. Mark the rank "
                                "tied on every one of them (=1 or T1) if they are officially tied."
                            )
                            % {"count": len(held), "medal": Medal(medal).label.lower()},
                        )

    def save(self, plan, user, source, batch):
        # A medal moving from one athlete to another (a swap after review) would, saved in either order, put
        # two untied holders in the round for a moment: the medals leaving a result are taken off first.
        for item in plan.changed:
            if isinstance(item.obj, Result) and item.before.get("medal") and item.before["medal"] != item.obj.medal:
                Result.objects.filter(pk=item.obj.pk).update(medal="")
        super().save(plan, user, source, batch)


class ScheduleImport(Import):
    """Rounds added or rescheduled: day, time and published label, by event and kind."""

    layout = Layout.SCHEDULE

    def read(self, table, plan):
        games = self.delegation.games
        events = list(Event.objects.filter(games=games).select_related("sport", "sport_class", "games"))
        by_slug = {event.slug.casefold(): event for event in events}
        by_name = {}
        for event in events:
            by_name.setdefault(name_key(event.name), []).append(event)
        stored = {
            (round.event_id, round.kind): round
            for round in self.locked(Round.objects.filter(event__games=games)).select_related("event")
        }
        kinds = kind_lookup()
        columns = {
            "scheduled_date": "date",
            "scheduled_time": "time",
            "label": "label",
            "kind": "round",
            "event": "event",
        }
        seen_rows = {}
        for row, cells in table.rows:
            failures = len(plan.errors)
            event_text, kind_text = cells.get("event", ""), cells.get("round", "")
            event = by_slug.get(event_text.strip().casefold())
            if event is None:
                named = by_name.get(name_key(event_text), [])
                event = named[0] if len(named) == 1 else None
            if event is None:
                example = events[0].slug if events else "swimming-men-s12-100m-backstroke"
                plan.error(
                    row,
                    table.header("event"),
                    event_text,
                    _(
                        "No event of these Games has this slug or name. Write the event's slug, as in its web "
                        "address (e.g. %(example)s), or its full name as the admin shows it."
                    )
                    % {"example": example},
                )
            kind = kinds.get(kind_key(kind_text))
            if kind is None:
                plan.error(
                    row,
                    table.header("round"),
                    kind_text,
                    _("This is not a round the site knows. Write one of: %(kinds)s.")
                    % {"kinds": ", ".join(str(label) for label in RoundKind.labels)},
                )
            day = self.read_cell(plan, row, table.header("date"), cells, "date", self.day)
            clock = self.read_cell(plan, row, table.header("time"), cells, "time", read_clock)
            if len(plan.errors) > failures:
                continue
            if (event.pk, kind) in seen_rows:
                plan.error(
                    row,
                    table.header("round"),
                    kind_text,
                    _("The %(round)s of this event is already on row %(row)d. Keep one row per round.")
                    % {"round": RoundKind(kind).label.lower(), "row": seen_rows[(event.pk, kind)]},
                )
                continue
            seen_rows[(event.pk, kind)] = row
            round = stored.get((event.pk, kind))
            if round is None:
                round = Round(event=event, kind=kind)
                before, key = {}, f"round:new:{event.pk}:{kind}"
            else:
                round.event = event
                before, key = history.snapshot(round), f"round:{round.pk}"
            if day is not None:
                round.scheduled_date = day or None
            if clock is not None:
                round.scheduled_time = clock or None
            if label := cells.get("label", ""):
                round.label = label
            item = Item(row, round, before, key, cells)
            if self.validate(plan, item, table, columns, event_text):
                plan.items.append(item)

    def read_cell(self, plan, row, column, cells, name, parse):
        """A date or time cell read by `parse`: None when blank (left as it is), "" for TBC (cleared)."""
        text = cells.get(name, "").strip()
        if not text:
            return None
        if text.casefold() in TO_BE_CONFIRMED:
            return ""
        try:
            return parse(text)
        except ValueError as error:
            plan.error(row, column, text, str(error))
            return None

    def day(self, text):
        games = self.delegation.games
        text = WEEKDAY.sub("", text.replace(",", " ")).strip()
        text = " ".join(text.split())
        for format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, format).date()
            except ValueError:
                pass
        for format in DATE_FORMATS_WITHOUT_YEAR:
            try:
                return datetime.datetime.strptime(f"{text} {games.year}", f"{format} %Y").date()
            except ValueError:
                pass
        raise ValueError(_("This is not a date. Write it as 2024-08-29 or 29 Aug 2024 (TBC when not known)."))


def read_clock(text):
    match = CLOCK.match(text)
    hour, minute, second = (int(match[i] or 0) for i in (1, 2, 3)) if match else (99, 0, 0)
    if match and match[4]:
        hour = hour % 12 + (12 if match[4].lower() == "pm" else 0)
    try:
        return datetime.time(hour, minute, second)
    except ValueError:
        raise ValueError(
            _("This is not a time of day. Write it as 18:30, local time at the venue (TBC when not known).")
        ) from None


def name_key(text):
    return " ".join(re.sub(r"[–—,\-]+", " ", text.casefold()).split())


def kind_key(text):
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def kind_lookup():
    """Every way a schedule may write a round kind, compared by `kind_key`."""
    lookup = {kind_key(alias): kind for alias, kind in KIND_ALIASES.items()}
    for kind in RoundKind:
        lookup[kind_key(kind.value)] = kind
        lookup[kind_key(str(kind.label))] = kind
    with override("en"):
        for kind in RoundKind:
            lookup[kind_key(str(kind.label))] = kind
    return lookup


# The form and the view


class ImportForm(ExplainsNul, forms.Form):
    layout = forms.ChoiceField(
        choices=Layout.CHOICES, initial=Layout.RESULTS, widget=forms.RadioSelect, label=gettext_lazy("What is it?")
    )
    event = KeyedModelChoiceField(
        queryset=Event.objects.none(),
        required=False,
        label=gettext_lazy("Event"),
        help_text=gettext_lazy("For results: the event the table is for."),
    )
    kind = forms.ChoiceField(
        choices=[("", "---------"), *RoundKind.choices],
        required=False,
        label=gettext_lazy("Round"),
        help_text=gettext_lazy("For results: the round the table is for. It is added to the event if missing."),
    )
    settled = forms.ChoiceField(
        choices=Result.Settled.choices,
        initial=Result.Settled.PROVISIONAL,
        label=gettext_lazy("These results are"),
        help_text=gettext_lazy("Official once the results page says so; provisional until then."),
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label=gettext_lazy("Table"),
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Paste the table with its header line (copied from a results page, it pastes as tab-separated text), "
            "or choose a file below."
        ),
    )
    upload = forms.FileField(
        required=False,
        label=gettext_lazy("Or a file"),
        help_text=gettext_lazy("A CSV or TSV file in UTF-8. Its text replaces the table above."),
    )
    correction_note = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Correction note"),
        widget=forms.TextInput(attrs={"size": 80}),
        help_text=gettext_lazy(
            "Needed when the import changes results or rounds readers have already seen: say in one line what "
            "was wrong. It is published in the corrections log."
        ),
    )

    def __init__(self, delegation, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.delegation = delegation
        self.fields["event"].queryset = Event.objects.filter(games=delegation.games).select_related(
            "sport", "sport_class"
        )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        text = cleaned.get("text") or ""
        try:
            if upload is not None:
                if upload.size > MAX_BYTES:
                    raise Refused(too_large())
                text = decode(upload.read(MAX_BYTES + 1))
                # The file's text goes into the table field, so the editor can fix a row there and preview again.
                self.data = self.data.copy()
                self.data[self.add_prefix("text")] = text
            elif text:
                check_text(text)
        except Refused as refusal:
            self.add_error("upload" if upload is not None else "text", str(refusal))
            return cleaned
        if not text.strip() and "text" not in self.errors:
            self.add_error("text", _("Paste a table, or choose a file."))
        cleaned["text"] = text
        if cleaned.get("layout") == Layout.RESULTS:
            if not cleaned.get("event") and "event" not in self.errors:
                self.add_error("event", _("Choose the event these results are for."))
            if not cleaned.get("kind") and "kind" not in self.errors:
                self.add_error("kind", _("Choose the round these results are for."))
        return cleaned

    def importer(self, lock=False):
        cleaned = self.cleaned_data
        note = cleaned.get("correction_note", "")
        if cleaned["layout"] == Layout.SCHEDULE:
            return ScheduleImport(self.delegation, note, lock)
        return ResultsImport(self.delegation, cleaned["event"], cleaned["kind"], cleaned["settled"], note, lock)

    def digest(self):
        """Names what was previewed: a table changed after its preview must be previewed again."""
        cleaned = self.cleaned_data
        event = cleaned.get("event")
        parts = [cleaned["layout"], str(event.pk if event else ""), cleaned.get("kind", ""), cleaned["settled"]]
        return hashlib.sha256("\x1f".join([*parts, cleaned["text"]]).encode("utf-8", "surrogatepass")).hexdigest()


def preview_token(form, plan):
    return signing.dumps({"digest": form.digest(), "versions": plan.versions()}, salt=SIGNING_SALT)


def read_token(token):
    try:
        seen = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(seen, dict) or not isinstance(seen.get("versions"), dict):
        return None
    return seen


class Stale(Exception):
    """What changed since the preview, raised inside the confirm's transaction so that nothing is saved."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def stale_message(form, seen, plan):
    if seen is None:
        return _("Nothing was saved yet: check the preview below, then confirm the import.")
    if seen.get("digest") != form.digest():
        return _(
            "Nothing was saved: the table or the choices above changed after the preview. Check the preview below, "
            "then confirm."
        )
    now = plan.versions()
    moved = sorted(key for key in seen["versions"].keys() | now.keys() if seen["versions"].get(key) != now.get(key))
    if not moved:
        return None
    return _(
        "Nothing was saved: another editor changed %(records)s after your preview. Check the preview below "
        "against their changes, then confirm again."
    ) % {"records": ", ".join(dict.fromkeys(plan.describe(key) for key in moved))}


def confirm(form, cite, user, token):
    """Save the import in one transaction, when it is still what the editor previewed.

    Returns (plan, batch, refusal): batch is None when nothing was saved, and refusal then says why.
    """
    importer = form.importer(lock=True)
    try:
        with transaction.atomic():
            plan = importer.plan(form.cleaned_data["text"])
            message = stale_message(form, read_token(token), plan)
            if message:
                raise Stale(message)
            if plan.errors:
                return plan, None, _("Nothing was saved: the table has errors (listed below).")
            batch = uuid.uuid4()
            source = cite.cited(user, batch)
            importer.save(plan, user, source, batch)
    except Stale as stale:
        return plan, None, stale.message
    except (ValidationError, IntegrityError) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else database_refusal(error)
        plan = form.importer().plan(form.cleaned_data["text"])
        return plan, None, _("Nothing was saved. %(reason)s") % {"reason": reason}
    return plan, batch, None


def saved_message(plan, batch):
    first = Change.objects.filter(batch=batch).order_by("position", "pk").first()
    listing = f"{reverse('admin:team_change_changelist')}?batch={batch}"
    text = _(
        "Import saved: %(new)d added, %(changed)d changed, %(unchanged)d unchanged, %(skipped)d rows of other "
        "NPCs skipped."
    ) % {
        "new": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": len(plan.unchanged),
        "skipped": len(plan.skipped),
    }
    if first is None:
        return text
    return format_html(
        '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
        text,
        listing,
        _("See the changes"),
        reverse("admin:team_change_revert_batch", args=[first.pk]),
        _("Revert this import"),
    )


def import_view(request, admin_site):
    """The import page: the form, its preview, and the confirmed save (admin: team_import)."""
    if not request.user.has_perms(PERMISSIONS):
        raise PermissionDenied
    delegation = Delegation.objects.featured(settings.FEATURED_DELEGATION)
    context = {
        **admin_site.each_context(request),
        "title": _("Import results or a schedule"),
        "opts": Round._meta,
        "delegation": delegation,
    }
    if delegation is None:
        context["missing"] = _("The team this site follows has not been loaded yet: there is nothing to import into.")
        return render(request, "admin/team/import/form.html", context)
    plan = token = None
    if request.method == "POST":
        form = ImportForm(delegation, request.POST, request.FILES)
        cite = SourceChoiceForm(request.POST)
        valid = form.is_valid() & cite.is_valid()
        if form.is_valid():
            try:
                if valid and "confirm" in request.POST:
                    plan, batch, refusal = confirm(form, cite, request.user, request.POST.get("seen", ""))
                    if batch is not None:
                        messages.success(request, saved_message(plan, batch))
                        return HttpResponseRedirect(reverse("admin:team_import"))
                    messages.warning(request, refusal)
                else:
                    plan = form.importer().plan(form.cleaned_data["text"])
            except Refused as refusal:
                form.add_error("text", str(refusal))
                plan = None
            if plan is not None and not plan.errors and valid:
                token = preview_token(form, plan)
    else:
        initial = {key: request.GET[key] for key in ("layout", "event", "kind") if key in request.GET}
        form = ImportForm(delegation, initial=initial)
        cite = SourceChoiceForm()
    context.update({"form": form, "cite": cite, "plan": plan, "token": token})
    return render(request, "admin/team/import/form.html", context)
