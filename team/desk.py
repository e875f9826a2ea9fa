"""The results desk: a round's results entered or corrected in one save, and the day's rounds at a glance.

An editor opens one page per round (`admin:team_desk_round`, by event and round
kind) with a row for every athlete entered in the event, and enters each one's
rank, mark, status, record, medal, tie, progress and settled state in one save.
When the round does not exist yet, the same page asks for its day, time and
label and creates it in that save. The day view (`admin:team_desk_day`) lists a
day's rounds, those still missing results first, each linking to its desk.

Each row is a `team.forms.EditorForm`, so the desk validates, refuses stale saves
and asks for correction notes exactly as the rest of the admin does. A row counts
as changed only when the editor changed what the page showed them (its values
travel with it as hidden initial values): a row someone else corrected
meanwhile is left alone unless this editor touched it too. Everything is
validated and saved in one transaction, recorded in the history as one batch
(`team.history.revert_batch` undoes it in one step); when the database refuses
the save, nothing is saved and the page comes back with the reason and
everything typed. A source chosen or added on the page (`SourceChoiceForm`) is
cited by every result created or changed in that save.
"""

import contextlib
import dataclasses
import datetime
import re
import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.formsets import BaseFormSet
from django.forms.renderers import get_default_renderer
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from team import history
from team.dates import local_date
from team.forms import EditorForm, ExplainsNul, SourceChoiceForm, database_refusal, is_usable_key
from team.models import KIND_ORDER, Change, Delegation, Entry, Event, Games, Medal, Result, Round

#: What an editor needs to enter results at the desk; creating a round also needs `team.add_round`.
DESK_PERMISSIONS = ("team.change_result", "team.add_result")

#: The fields of a result entered at the desk, in the order a results sheet prints them.
ROW_FIELDS = ["rank", "mark", "record", "status", "medal", "tie", "progress", "settled"]

#: The keys a row's inputs are posted under: "row-<entry id>-<field>" (and "initial-row-…" for what was shown).
ROW_KEY = re.compile(r"^(?:initial-)?row-(\d+)-")

#: Posted key for a row's value, for the tests and for the template's row anchors.
ROW_PREFIX = "row"


# Forms


class NewRoundForm(EditorForm):
    """The day, time and label of a round created at the desk; its kind comes from the address, its order
    from its kind (`Round.save`)."""

    class Meta:
        model = Round
        fields = ["scheduled_date", "scheduled_time", "label"]
        widgets = {
            "scheduled_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "scheduled_time": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }
        labels = {
            "scheduled_date": gettext_lazy("Day"),
            "scheduled_time": gettext_lazy("Time at the venue"),
            "label": gettext_lazy("Label (if the results name the round otherwise)"),
        }


class DeskNoteForm(ExplainsNul, forms.Form):
    """One correction note for every corrected result of the save that has none of its own."""

    prefix = "desk"

    note = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Correction note for every corrected result"),
        help_text=gettext_lazy(
            "Used for each already published result you change here that has no note of its own "
            "(e.g. “Official results replace the provisional ones.”). Readers see it in the corrections log."
        ),
    )

    def shared_note(self):
        return self.cleaned_data.get("note", "").strip() if self.is_valid() else ""


class ResultRowForm(EditorForm):
    """One athlete's result in the round, as a row of the desk.

    Every value field carries the value the page showed (`show_hidden_initial`),
    so "changed" means changed by this editor. A row opened without a result
    remembers version 0: if another editor enters a result for the athlete
    meanwhile, changing the row is refused as stale like any other record.
    """

    clear = forms.BooleanField(
        required=False,
        label=gettext_lazy("Clear this result"),
        help_text=gettext_lazy("Deletes the result (recorded in the history; it can be reverted)."),
    )

    internal_fields = EditorForm.internal_fields | {"clear"}

    class Meta:
        model = Result
        fields = ROW_FIELDS
        widgets = {
            "rank": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 3}),
            "mark": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 10}),
        }
        labels = {"record": gettext_lazy("Record"), "settled": gettext_lazy("Settled")}

    def __init__(self, *args, shared_note="", **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_note = shared_note
        for name in ROW_FIELDS:
            self.fields[name].show_hidden_initial = True
        for field in self.fields.values():
            field.help_text = ""  # the desk explains its columns once, above the rows
        if self.instance.pk is None:
            self.fields["seen_version"].initial = 0
            del self.fields["clear"]

    def desk_fields(self):
        """The row's value fields, in the desk's column order."""
        return [self[name] for name in ROW_FIELDS]

    @cached_property
    def changed_data(self):
        """What the editor changed on this row; a note alone, or the version the row was opened at, is no change."""
        return [name for name in super().changed_data if name not in ("seen_version", "correction_note")]

    @property
    def clears(self):
        return self.instance.pk is not None and bool(self.is_valid() and self.cleaned_data.get("clear"))

    def clean_correction_note(self):
        return self.cleaned_data.get("correction_note", "").strip() or self.shared_note

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("seen_version") and self.has_changed():
            # Opened with a result that another editor has cleared since: saving would bring it back unasked.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_version")] = 0
            raise ValidationError(
                _(
                    "Another editor cleared this result after you opened the page. Your entry is still in the row: "
                    "save again to enter it anew."
                ),
                code="cleared_meanwhile",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        round = self.instance.round
        if self.instance.medal and round.pk is None and not round.awards_medals:
            # Result.clean checks this against a saved round; the desk's new round is saved only with its results.
            self.add_error(
                "medal",
                _("Medals are won only in a final or a bronze medal contest, not in %(round)s.")
                % {"round": round.get_kind_display().lower()},
            )
        # Ties are checked across every row of the save by the formset (Result.clean sees only saved results).
        if "tie" in self._errors:
            del self._errors["tie"]
            self.cleaned_data["tie"] = self.instance.tie


@dataclasses.dataclass
class DeskRow:
    """An athlete's line on the desk: their entry, their result in the round (None while there is none), what
    that result held when the page was loaded, how far they went before this round, and the form (None when
    withdrawn)."""

    entry: Entry
    result: Result | None
    stored_medal: str = ""
    stored_tie: bool = False
    out_in: Round | None = None
    form: ResultRowForm | None = None

    @property
    def anchor(self):
        return f"entry-{self.entry.pk}"


class ResultRows(forms.BaseModelFormSet):
    """The desk's rows: one form per athlete entered (not withdrawn), keyed by the entry's id ("row-<id>-rank"),
    so a row keeps its athlete even when the list of athletes changed since the page was opened."""

    model = Result
    form = ResultRowForm
    fields = ROW_FIELDS
    extra = 0
    can_order = False
    can_delete = False
    can_delete_extra = False
    min_num = 0
    max_num = 1000
    absolute_max = 1000
    validate_min = False
    validate_max = False
    renderer = get_default_renderer()

    def __init__(self, data=None, *, rows, round, withdrawn_rows=(), refusal=None, shared_note=""):
        self.rows = rows
        self.round = round
        self.withdrawn_rows = withdrawn_rows
        self.refusal = refusal
        super().__init__(
            data, prefix=ROW_PREFIX, queryset=Result.objects.none(), form_kwargs={"shared_note": shared_note}
        )

    def initial_form_count(self):
        return sum(1 for row in self.rows if row.result is not None)

    def total_form_count(self):
        return len(self.rows)

    def add_prefix(self, index):
        if isinstance(index, int):
            return f"{self.prefix}-{self.rows[index].entry.pk}"
        return f"{self.prefix}-{index}"

    def add_fields(self, form, index):
        BaseFormSet.add_fields(self, form, index)  # no hidden id: the row's key says whose result it is

    def _construct_form(self, i, **kwargs):
        row = self.rows[i]
        kwargs["instance"] = row.result or Result(entry=row.entry, round=self.round)
        kwargs["empty_permitted"] = row.result is None
        kwargs["use_required_attribute"] = False
        return BaseFormSet._construct_form(self, i, **kwargs)

    def clean(self):
        if self.refusal:
            raise ValidationError(self.refusal, code="refused_by_database")
        posted = {int(match[1]) for key in self.data if (match := ROW_KEY.match(key))}
        known = {row.entry.pk for row in [*self.rows, *self.withdrawn_rows]}
        if posted - known:
            raise ValidationError(
                _(
                    "This page sent results for athletes who are not (or no longer) entered in this event. "
                    "Nothing was saved: reload the page and enter the results again."
                ),
                code="unknown_rows",
            )
        self.check_shared_medals()

    def check_shared_medals(self):
        """Two golds (or silvers) in one round are right only when every one of them is marked as a tie."""
        holders = {Medal.GOLD: [], Medal.SILVER: []}
        for medal, tie, form in self.outcome():
            if medal in holders:
                holders[medal].append((tie, form))
        for medal, held in holders.items():
            if len(held) < 2 or all(tie for tie, _form in held):
                continue
            message = _(
                "This round already has a %(medal)s medal. Tick 'tie' on both results if they are officially tied."
            ) % {"medal": Medal(medal).label.lower()}
            forms_to_tell = [form for tie, form in held if form is not None and not tie]
            forms_to_tell = forms_to_tell or [form for _tie, form in held if form is not None]
            for form in forms_to_tell:
                form.add_error("tie", message)

    def outcome(self):
        """(medal, tie, form) of every result the round will hold after this save, as far as the rows can say."""
        for row, form in zip(self.rows, self.forms, strict=True):
            if not form.has_changed() and not form.errors:
                if row.result is not None:
                    yield row.stored_medal, row.stored_tie, form
            elif form.is_valid() and not form.cleaned_data.get("clear"):
                yield form.cleaned_data.get("medal", ""), form.cleaned_data.get("tie", False), form
        for row in self.withdrawn_rows:
            if row.result is not None:
                yield row.stored_medal, row.stored_tie, None


# Loading a round's desk


def event_or_404(event_pk):
    if not is_usable_key(Event._meta.pk, event_pk):
        raise Http404(_("There is no event with this number."))
    event = Event.objects.select_related("sport", "sport_class", "games").filter(pk=event_pk).first()
    if event is None:
        raise Http404(_("There is no event with this number."))
    return event


def kind_or_404(kind):
    if kind not in Round.Kind.values:
        raise Http404(_("“%(kind)s” is not a kind of round.") % {"kind": kind})
    return Round.Kind(kind)


class RoundDesk:
    """Everything on one round's desk: the round (a new, unsaved one when it does not exist yet), a row per
    athlete entered, the forms, and the save."""

    def __init__(self, event, kind, data=None, refusal=None):
        self.event = event
        self.kind = kind
        self.round = Round.objects.filter(event=event, kind=kind).first() or Round(event=event, kind=kind)
        self.round.event = event
        self.is_new_round = self.round.pk is None
        self.data = data
        self.round_form = NewRoundForm(data, prefix="round", instance=self.round) if self.is_new_round else None
        self.note_form = DeskNoteForm(data)
        self.source_form = SourceChoiceForm(data)
        self.rows = self.load_rows()
        editable = [row for row in self.rows if not row.entry.is_withdrawn]
        self.formset = ResultRows(
            data,
            rows=editable,
            round=self.round,
            withdrawn_rows=[row for row in self.rows if row.entry.is_withdrawn],
            refusal=refusal,
            shared_note=self.note_form.shared_note() if data is not None else "",
        )
        for row, form in zip(editable, self.formset.forms, strict=True):
            row.form = form

    def load_rows(self):
        """A row per entry of the event, by athlete name, with its result in this round and the earlier round
        (if any) where the athlete went out of the event. Three queries, however many athletes."""
        entries = list(self.event.entries.select_related("athlete").order_by("athlete__name", "pk"))
        results = {}
        out_in = {}
        if not self.is_new_round:
            for result in self.round.results.all():
                result.round = self.round
                results[result.entry_id] = result
        earlier = (
            Result.objects.filter(round__event=self.event, progress=Result.Progress.ELIMINATED)
            .exclude(round__kind=self.kind)
            .select_related("round")
            .order_by("round__order", "round__pk")
        )
        order = self.round.order if self.round.order is not None else KIND_ORDER.get(self.kind, 0)
        for result in earlier:
            if (result.round.order or 0) < order:
                out_in.setdefault(result.entry_id, result.round)
        rows = []
        for entry in entries:
            entry.event = self.event
            result = results.get(entry.pk)
            if result is not None:
                result.entry = entry
            rows.append(
                DeskRow(
                    entry=entry,
                    result=result,
                    stored_medal=result.medal if result else "",
                    stored_tie=result.tie if result else False,
                    out_in=out_in.get(entry.pk),
                )
            )
        return rows

    def forms(self):
        return [form for form in (self.round_form, self.note_form, self.source_form) if form is not None]

    def is_valid(self):
        """Validate every form (call it inside the save's transaction: rows lock what they change)."""
        valid = [form.is_valid() for form in self.forms()]
        return all(valid) and self.formset.is_valid()

    def save(self, user):
        """Save what changed, in one batch; returns a `Saved` summary. Call inside the transaction of `is_valid`."""
        batch = uuid.uuid4()
        changed = [row for row in self.formset.rows if row.form.has_changed() and not row.form.clears]
        cleared = [row for row in self.formset.rows if row.form.clears]
        if not (changed or cleared or self.is_new_round):
            return Saved(batch=None, created=0, changed=0, cleared=0, round_created=False)
        source = self.source_form.cited(user, batch)
        if self.is_new_round:
            if source is not None:
                self.round.source = source
            self.round.save()
            history.record_save(self.round, {}, user, batch=batch)
        before = {row.entry.pk: history.stored_snapshot(row.result) for row in changed if row.result is not None}
        if cleared:
            history.delete_with_history([row.result for row in cleared], user, batch=batch)
        # A medal that moves from one athlete to another in this save is lifted first, so that for a moment the
        # round never holds two untied golds (the database refuses that at every statement).
        moving = [row.result.pk for row in changed if row.stored_medal and row.result.medal != row.stored_medal]
        if moving:
            Result.objects.filter(pk__in=moving).update(medal="")
        created = 0
        for row in changed:
            result = row.form.save(commit=False)
            result.round = self.round
            if source is not None:
                result.source = source
            result.save()
            note = row.form.cleaned_data.get("correction_note", "")
            history.record_save(result, before.get(row.entry.pk, {}), user, note=note, batch=batch, source=source)
            if row.result is None:
                created += 1
        return Saved(
            batch=batch,
            created=created,
            changed=len(changed) - created,
            cleared=len(cleared),
            round_created=self.is_new_round,
        )

    def error_summary(self):
        """Each error on the page as (anchor, text), rows named by their athlete, for the summary at the top."""
        summary = []
        for form in self.forms():
            for name, errors in form.errors.items():
                anchor = form[name].auto_id if name in form.fields and name != "__all__" else "desk-form"
                for error in errors:
                    summary.append((anchor, error))
        for error in self.formset.non_form_errors():
            summary.append(("desk-rows", error))
        for row in self.formset.rows:
            for errors in row.form.errors.values():
                for error in errors:
                    summary.append((row.anchor, f"{row.entry.athlete.name}: {error}"))
        return summary

    @property
    def title(self):
        return _("Results: %(event)s – %(round)s") % {"event": self.event, "round": self.round.name}


@dataclasses.dataclass
class Saved:
    batch: uuid.UUID | None
    created: int
    changed: int
    cleared: int
    round_created: bool

    @property
    def results(self):
        return self.created + self.changed


# Where an editor finds the desk


def round_desk_url(event, kind, entry=None):
    url = reverse("admin:team_desk_round", args=[event.pk, kind])
    return f"{url}#entry-{entry.pk}" if entry is not None else url


def round_for_entry(entry):
    """The round whose desk an "enter result" link opens for `entry`: the first round where the athlete has no
    result yet (or went out of the event), else the last; the final while the event has no round."""
    rounds = list(entry.event.rounds.order_by("order", "pk"))
    if not rounds:
        return Round.Kind.FINAL
    results = {result.round_id: result for result in entry.results.all()}
    for round in rounds:
        result = results.get(round.pk)
        if result is None or result.is_out:
            return round.kind
    return rounds[-1].kind


@admin.display(description=gettext_lazy("results desk"))
def entry_desk_link(model_admin, entry):
    """For an athlete's "events entered": a link to the desk where their next result goes."""
    if entry.pk is None or not entry.event_id:
        return ""
    if entry.is_withdrawn:
        return _("Withdrawn")
    kind = round_for_entry(entry)
    return format_html(
        '<a href="{}">{}</a>',
        round_desk_url(entry.event, kind, entry),
        _("Enter result (%(round)s)") % {"round": Round.Kind(kind).label.lower()},
    )


@admin.display(description=gettext_lazy("results"))
def round_desk_link(model_admin, round):
    """For an event's rounds: a link to the round's desk."""
    if round.pk is None or not round.event_id:
        return ""
    return format_html('<a href="{}">{}</a>', round_desk_url(round.event, round.kind), _("Enter results"))


@admin.display(description=gettext_lazy("results desk"))
def event_desk_links(model_admin, event):
    """For an event's page: the desk of each of its rounds, and of each kind of round it does not have yet."""
    if event.pk is None:
        return _("Save the event first; then enter its results here.")
    existing = list(event.rounds.order_by("order", "pk"))
    have = {round.kind for round in existing}
    rounds = format_html_join(
        " · ", '<a href="{}">{}</a>', ((round_desk_url(event, round.kind), round.name) for round in existing)
    )
    new = format_html_join(
        " · ",
        '<a href="{}">{}</a>',
        (
            (round_desk_url(event, kind), kind.label)
            for kind in sorted(Round.Kind, key=lambda kind: -KIND_ORDER.get(kind, 0))
            if kind not in have
        ),
    )
    parts = []
    if existing:
        parts.append(format_html("{} {}", _("Enter results for:"), rounds))
    parts.append(format_html("{} {}", _("Enter results for a new round:"), new))
    parts.append(format_html('<a href="{}">{}</a>', reverse("admin:team_desk_today"), _("Today's rounds at the desk")))
    return format_html_join("", "<p>{}</p>", ((part,) for part in parts))


# The day's rounds


def desk_games():
    """The Games the desk works on: the featured delegation's, else the latest with dates."""
    delegation = Delegation.objects.featured(settings.FEATURED_DELEGATION)
    if delegation is not None:
        return delegation.games
    return Games.objects.filter(start_date__isnull=False).order_by("-start_date").first()


def venue_today(games):
    """Today at the venue, brought within the Games' dates."""
    if games is None:
        return timezone.localdate()
    today = timezone.now().astimezone(games.zone).date()
    if games.start_date and today < games.start_date:
        return games.start_date
    if games.end_date and today > games.end_date:
        return games.end_date
    return today


def parse_day(text):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise Http404(_("“%(day)s” is not a day (write it as 2024-08-30).") % {"day": text})
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise Http404(_("“%(day)s” is not a day (write it as 2024-08-30).") % {"day": text}) from None


@dataclasses.dataclass
class DayRound:
    """A round on the day's list: how many athletes are expected in it and how many results are in."""

    round: Round
    expected: int
    entered: int

    @property
    def missing(self):
        return max(self.expected - self.entered, 0)


def rounds_of_day(day):
    """The rounds scheduled on `day` with their counts, those missing results first, then by time.

    Three queries however many rounds: the rounds with their events, the events' entries, and the results of
    those events. An athlete who went out of the event in an earlier round is not expected in a later one.
    """
    rounds = list(Round.objects.filter(scheduled_date=day).select_related("event__sport", "event__sport_class"))
    events = {round.event_id for round in rounds}
    entries = {}
    for entry in Entry.objects.filter(event__in=events, status=Entry.Status.ENTERED).only("pk", "event_id"):
        entries.setdefault(entry.event_id, set()).add(entry.pk)
    results = Result.objects.filter(round__event__in=events).values_list(
        "entry_id", "round_id", "progress", "round__order", "round__event_id"
    )
    in_round = {}
    out_before = {}
    for entry_id, round_id, progress, order, event_id in results:
        in_round.setdefault(round_id, set()).add(entry_id)
        if progress == Result.Progress.ELIMINATED:
            out_before.setdefault(event_id, []).append((order or 0, entry_id))
    listed = []
    for round in rounds:
        gone = {entry_id for order, entry_id in out_before.get(round.event_id, []) if order < (round.order or 0)}
        expected = entries.get(round.event_id, set()) - gone
        listed.append(DayRound(round=round, expected=len(expected), entered=len(in_round.get(round.pk, set()))))
    never = datetime.time.max
    listed.sort(
        key=lambda item: (
            item.missing == 0,
            item.round.scheduled_time or never,
            item.round.event.sport.name,
            item.round.event.slug,
            item.round.order or 0,
        )
    )
    return listed


# The views


class ResultsDeskViews:
    """The desk's pages, served by the admin site under the rounds' admin (`RoundAdmin.get_urls`)."""

    def __init__(self, admin_site):
        self.admin_site = admin_site

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/", view(self.day_view), name="team_desk_today"),
            path("desk/day/<str:day>/", view(self.day_view), name="team_desk_day"),
            path("desk/<str:event_pk>/<str:kind>/", view(self.round_view), name="team_desk_round"),
        ]

    def check_permission(self, request, *more):
        if not request.user.has_perms([*DESK_PERMISSIONS, *more]):
            raise PermissionDenied

    def context(self, request, **extra):
        # The desk needs the whole width (a phone's, or a grid of nine columns): no sidebar of models.
        context = {**self.admin_site.each_context(request), "opts": Round._meta, **extra}
        return context | {"is_nav_sidebar_enabled": False}

    def day_view(self, request, day=None):
        self.check_permission(request)
        games = desk_games()
        day = parse_day(day) if day is not None else venue_today(games)
        days = games.days() if games is not None else []
        earlier = day - datetime.timedelta(days=1)
        later = day + datetime.timedelta(days=1)
        context = self.context(
            request,
            title=_("Results desk: %(day)s") % {"day": local_date(day, "day_year")},
            day=day,
            games=games,
            days=days,
            previous_day=earlier if games is None or games.is_during(earlier) else None,
            next_day=later if games is None or games.is_during(later) else None,
            outside=games is not None and not games.is_during(day),
            rounds=rounds_of_day(day),
        )
        return TemplateResponse(request, "admin/team/desk/day.html", context)

    def round_view(self, request, event_pk, kind):
        self.check_permission(request)
        event = event_or_404(event_pk)
        kind = kind_or_404(kind)
        if not Round.objects.filter(event=event, kind=kind).exists():
            self.check_permission(request, "team.add_round")
        if request.method == "POST":
            try:
                desk, saved = self.attempt(request, event, kind)
            except IntegrityError as error:
                refusal = _("Nothing was saved. %(reason)s Everything you entered is still in the form below.") % {
                    "reason": database_refusal(error)
                }
                desk, saved = self.attempt(request, event, kind, refusal=refusal)
            if saved is not None:
                self.tell(request, desk, saved)
                return HttpResponseRedirect(round_desk_url(event, kind))
        else:
            desk = RoundDesk(event, kind)
        return self.render(request, desk)

    def attempt(self, request, event, kind, refusal=None):
        """Validate and save the submission in one transaction; (desk, None) when it was not saved."""
        with transaction.atomic():
            desk = RoundDesk(event, kind, request.POST, refusal=refusal)
            if not desk.is_valid():
                transaction.set_rollback(True)
                return desk, None
            return desk, desk.save(request.user)

    def render(self, request, desk):
        day = desk.round.scheduled_date
        context = self.context(
            request,
            title=desk.title,
            desk=desk,
            event=desk.event,
            round=desk.round,
            rows=desk.rows,
            formset=desk.formset,
            errors=desk.error_summary() if desk.data is not None else [],
            day_url=reverse("admin:team_desk_day", args=[day.isoformat()]) if day else None,
            event_admin_url=reverse("admin:team_event_change", args=[desk.event.pk]),
            round_admin_url=None if desk.is_new_round else reverse("admin:team_round_change", args=[desk.round.pk]),
            columns=[ResultRowForm.base_fields[name].label or name for name in ROW_FIELDS],
        )
        return TemplateResponse(request, "admin/team/desk/round.html", context)

    def tell(self, request, desk, saved):
        """The success message: what was saved, with links to the event's public page and to this save's changes."""
        if saved.batch is None:
            messages.info(request, _("Nothing to save: no result was changed."))
            return
        parts = []
        if saved.round_created:
            parts.append(_("Created the round %(round)s.") % {"round": desk.round.name})
        if saved.results:
            parts.append(
                ngettext(
                    "Saved %(count)d result in %(round)s.",
                    "Saved %(count)d results in %(round)s.",
                    saved.results,
                )
                % {"count": saved.results, "round": desk.round}
            )
        if saved.cleared:
            parts.append(
                ngettext("Cleared %(count)d result.", "Cleared %(count)d results.", saved.cleared)
                % {"count": saved.cleared}
            )
        links = [(desk.event.get_absolute_url(), _("See the event's page"))]
        links.append((f"{reverse('admin:team_change_changelist')}?batch={saved.batch}", _("See this save's changes")))
        first = Change.objects.filter(batch=saved.batch).order_by("position", "pk").first()
        if first is not None:
            with contextlib.suppress(NoReverseMatch):  # the history's batch revert, where the admin has one
                links.append((reverse("admin:team_change_revert_batch", args=[first.pk]), _("Revert this batch")))
        message = format_html(
            "{} {}",
            " ".join(parts),
            format_html_join(" · ", '<a href="{}">{}</a>', links),
        )
        messages.success(request, message)
