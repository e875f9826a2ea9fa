"""Competition: events, the athletes entered in them, their rounds and the results."""

import datetime
import functools
import operator
import re
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from team.models.addresses import keep_former_slug
from team.models.games import Games
from team.models.languages import Localized, translations
from team.models.people import Athlete
from team.models.reference import Sport, SportClass
from team.models.review import ExplainsConstraints, ReviewFlag, Sourced


class EventGender(models.TextChoices):
    WOMEN = "W", _("Women")
    MEN = "M", _("Men")
    MIXED = "X", _("Mixed")


EVENT_GENDER_ADJECTIVE = {"W": _("women's"), "M": _("men's"), "X": _("mixed")}
ATHLETE_GENDER_NOUN = {"W": _("a woman"), "M": _("a man")}


class MarkKind(models.TextChoices):
    """How an event records a performance, with the format a mark must follow."""

    TIME = "time", _("Time")
    DISTANCE = "distance", _("Distance or height in metres")
    POINTS = "points", _("Points or score")
    WEIGHT = "weight", _("Weight lifted in kg")
    BOUT = "bout", _("Bout score")
    OTHER = "other", _("Other (free text)")


MARK_FORMATS = {
    MarkKind.TIME: (
        re.compile(r"^(?:\d{1,2}:)?(?:[0-5]?\d:)?[0-5]?\d\.\d{2}$"),
        _("a time such as 1:05.32 or 28.41 (minutes:seconds.hundredths)"),
    ),
    MarkKind.DISTANCE: (re.compile(r"^\d{1,3}\.\d{2}$"), _("metres with two decimals, such as 6.12")),
    MarkKind.POINTS: (re.compile(r"^\d{1,4}(?:\.\d)?$"), _("points such as 563 or 240.3")),
    MarkKind.WEIGHT: (re.compile(r"^\d{2,3}(?:\.\d)?$"), _("kilograms such as 180 or 181.5")),
    MarkKind.BOUT: (re.compile(r"^\d{1,3}[-–:]\d{1,3}$"), _("a bout score such as 12-3")),
}


class EventQuerySet(models.QuerySet):
    def for_page(self, delegation):
        """Events as their page shows them: sport, class and Games; `under_review` (an open review flag
        on the event); `team_in_contention` (one of the delegation's entries may still compete, see
        `Entry.objects.in_contention()`); the delegation's entries as `team_entries` (by athlete name); the
        rounds in order, each with the delegation's results as `team_results` (by rank, each with its athlete
        and its source)."""
        team_entries = Entry.objects.filter(athlete__delegation=delegation).select_related("athlete")
        team_results = Result.objects.filter(entry__athlete__delegation=delegation).select_related(
            "entry__athlete", "source"
        )
        rounds = Round.objects.order_by("order", "pk").prefetch_related(
            Prefetch("results", queryset=team_results.order_by("rank", "pk"), to_attr="team_results")
        )
        flags = ReviewFlag.objects.open().filter(event=OuterRef("pk"))
        contenders = Entry.objects.in_contention().filter(athlete__delegation=delegation, event=OuterRef("pk"))
        return (
            self.select_related("sport", "sport_class", "games")
            .annotate(under_review=Exists(flags), team_in_contention=Exists(contenders))
            .prefetch_related(
                Prefetch("entries", queryset=team_entries.order_by("athlete__name"), to_attr="team_entries"),
                Prefetch("rounds", queryset=rounds),
            )
        )

    def formerly(self, slug):
        """The events whose slug was `slug` before a correction (`FormerSlug`), the latest to have had it first."""
        return self.filter(former_slugs__slug=slug).order_by("-former_slugs__retired_at", "-former_slugs__pk")


class EventManager(models.Manager.from_queryset(EventQuerySet)):
    def get_by_natural_key(self, games_slug, slug):
        return self.get(games__slug=games_slug, slug=slug)


class Event(Sourced):
    """A medal event: sport, gender, class and distance, discipline or weight."""

    games = models.ForeignKey(Games, on_delete=models.PROTECT, related_name="events", verbose_name=_("games"))
    slug = models.SlugField(
        help_text=_(
            "Used in the event's web address. When you correct it, the old address keeps working: it redirects here."
        ),
        verbose_name=_("slug"),
    )
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="events", verbose_name=_("sport"))
    gender = models.CharField(max_length=1, choices=EventGender, verbose_name=_("gender"))
    sport_class = models.ForeignKey(
        SportClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Leave blank while the class is not confirmed (or the sport has none)."),
        verbose_name=_("sport class"),
    )
    discipline = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Distance and stroke, field event, weight category … e.g. 100 m backstroke, -52 kg."),
        verbose_name=_("discipline"),
    )
    discipline_az, discipline_ru = translations(discipline, _("discipline"))
    local_discipline = Localized("discipline")
    is_team = models.BooleanField(
        default=False, help_text=_("A team or pair event: one medal however many athletes."), verbose_name=_("is team")
    )
    mark_kind = models.CharField(
        max_length=10,
        choices=MarkKind,
        default=MarkKind.OTHER,
        help_text=_("How results are recorded; marks are checked against it."),
        verbose_name=_("mark kind"),
    )
    athletes = models.ManyToManyField(Athlete, through="Entry", related_name="events", verbose_name=_("athletes"))

    objects = EventManager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["sport__name", "gender", "discipline"]
        constraints = [
            models.UniqueConstraint(fields=["games", "slug"], name="unique_event_slug"),
            models.CheckConstraint(condition=Q(gender__in=EventGender.values), name="event_gender_valid"),
        ]

    def __str__(self):
        # In English whatever the page's language: it names the event in the change history and the admin.
        with translation.override(settings.LANGUAGE_CODE):
            return self.name

    def save(self, *args, **kwargs):
        keep_former_slug(self, "event")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("team:event", kwargs={"slug": self.slug})

    def meta(self):
        return {
            "title": f"{self.name} – {self.games.local_name}",
            "description": _("Rounds, schedule and results of %(event)s at the %(games)s.")
            % {"event": self.name, "games": self.games.local_name},
            "type": "website",
            "structured": {
                "@context": "https://schema.org",
                "@type": "SportsEvent",
                "name": self.name,
                "sport": self.sport.local_name,
                "superEvent": {"@type": "SportsEvent", "name": self.games.local_name},
                "location": {"@type": "City", "name": self.games.local_host_city},
            },
        }

    def natural_key(self):
        return (*self.games.natural_key(), self.slug)

    natural_key.dependencies = ["team.games", "team.sport", "team.sportclass"]

    @property
    def name(self):
        """e.g. "Para swimming, men – 100 m backstroke S12", in the page's language (its parts translated)."""
        detail = [self.local_discipline] if self.discipline else []
        if self.sport_class_id:
            detail.append(self.sport_class.code)
        elif self.sport.uses_classes:
            detail.append(str(_("class to be confirmed")))
        heading = f"{self.sport.local_name}, {self.get_gender_display().lower()}"
        return f"{heading} – {' '.join(detail)}" if detail else heading


class EntryStatus(models.TextChoices):
    ENTERED = "entered", _("Entered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EntryQuerySet(models.QuerySet):
    def for_cards(self):
        """Entries with their event as a link shows it (sport and class for its name), in event order."""
        return self.select_related("event__sport", "event__sport_class").order_by(
            "event__sport__name", "event__gender", "event__discipline", "event__slug"
        )

    def for_profile(self):
        """`for_cards()` plus the event's Games, its rounds (`event.rounds`, in order), this entry's results
        (`results`, each with its round and source), for `rounds_with_results()`, and `in_contention`
        (see `with_contention()`)."""
        return (
            self.for_cards()
            .with_contention()
            .select_related("event__games")
            .prefetch_related(
                Prefetch("event__rounds", queryset=Round.objects.order_by("order", "pk")),
                Prefetch("results", queryset=Result.objects.select_related("round", "source")),
            )
        )

    @staticmethod
    def contention():
        """The condition of an entry that may still compete: entered, its athlete competing, and not out of
        the event (no result of the entry says it went out)."""
        out = Result.objects.filter(entry=OuterRef("pk"), progress=Progress.ELIMINATED)
        return Q(status=EntryStatus.ENTERED, athlete__status=Athlete.Status.COMPETING) & ~Exists(out)

    def in_contention(self):
        """The entries that may still compete (see `contention()`)."""
        return self.filter(self.contention())

    def with_contention(self):
        """Entries with `in_contention`: whether each may still compete (see `contention()`)."""
        return self.annotate(in_contention=ExpressionWrapper(self.contention(), output_field=BooleanField()))


class EntryManager(models.Manager.from_queryset(EntryQuerySet)):
    def get_by_natural_key(self, games_slug, event_slug, npc_code, athlete_slug):
        return self.get(
            event__games__slug=games_slug,
            event__slug=event_slug,
            athlete__delegation__npc_code=npc_code,
            athlete__slug=athlete_slug,
        )


class Entry(ExplainsConstraints, Sourced):
    """An athlete entered in an event."""

    Status = EntryStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries", verbose_name=_("event"))
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="entries", verbose_name=_("athlete"))
    status = models.CharField(max_length=10, choices=Status, default=Status.ENTERED, verbose_name=_("status"))
    status_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Required when withdrawn: why, in one line."),
        verbose_name=_("status reason"),
    )
    status_reason_az, status_reason_ru = translations(status_reason, _("reason"))
    local_status_reason = Localized("status_reason")

    explained_constraints = frozenset({"withdrawn_entry_has_reason"})

    objects = EntryManager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["event", "athlete__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "athlete"], name="athlete_enters_event_once"),
            models.CheckConstraint(condition=Q(status__in=EntryStatus.values), name="entry_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.WITHDRAWN) | ~Q(status_reason=""),
                name="withdrawn_entry_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.athlete} in {self.event}"

    def natural_key(self):
        return (*self.event.natural_key(), self.athlete.delegation.npc_code, self.athlete.slug)

    natural_key.dependencies = ["team.event", "team.athlete"]

    def clean(self):
        super().clean()
        errors = {}
        if self.is_withdrawn and not self.status_reason:
            errors["status_reason"] = [_("Give the reason for the withdrawal.")]
        if self.event_id and self.athlete_id and (problems := list(self.event_problems())):
            errors["event"] = problems
        if errors:
            raise ValidationError(errors)

    @property
    def is_withdrawn(self):
        return self.status == EntryStatus.WITHDRAWN

    def rounds_with_results(self):
        """Each round of the event, in order, with this entry's result in it (None while there is none).

        Reads what `Entry.objects.for_profile()` prefetched.
        """
        results = {result.round_id: result for result in self.results.all()}
        return [(round, results.get(round.pk)) for round in self.event.rounds.all()]

    def event_problems(self):
        event, athlete = self.event, self.athlete
        if event.games_id != athlete.delegation.games_id:
            yield _("This event belongs to other Games than the athlete's delegation.")
        if event.sport_id != athlete.sport_id:
            yield _("This event is in %(event_sport)s but %(athlete)s competes in %(sport)s.") % {
                "event_sport": event.sport,
                "athlete": athlete,
                "sport": athlete.sport,
            }
        elif event.gender not in (EventGender.MIXED, athlete.gender):
            yield _("This is a %(event_gender)s event; %(athlete)s is listed as %(athlete_gender)s.") % {
                "event_gender": EVENT_GENDER_ADJECTIVE[event.gender],
                "athlete": athlete,
                "athlete_gender": ATHLETE_GENDER_NOUN[athlete.gender],
            }
        if self.pk and self.results.exclude(round__event=event).exists():
            yield _("This entry already has results in its event; delete them before moving it to another event.")


class RoundKind(models.TextChoices):
    UNSPECIFIED = "unspecified", _("Round not stated")
    HEATS = "heats", _("Heats")
    CLASSIFICATION = "classification", _("Classification")
    PRELIMINARY = "preliminary", _("Preliminary round")
    ROUND_OF_32 = "round_of_32", _("Round of 32")
    ROUND_OF_16 = "round_of_16", _("Round of 16")
    REPECHAGE = "repechage", _("Repechage")
    QUARTERFINAL = "quarterfinal", _("Quarterfinal")
    SEMIFINAL = "semifinal", _("Semifinal")
    BRONZE = "bronze", _("Bronze medal contest")
    FINAL = "final", _("Final")


#: Where a round of each kind comes in its event when the editor sets no order: early rounds first, the
#: medal rounds last, the bronze medal contest before the final. Gaps leave room for an order set by hand.
KIND_ORDER = {
    RoundKind.UNSPECIFIED: 10,
    RoundKind.CLASSIFICATION: 20,
    RoundKind.PRELIMINARY: 30,
    RoundKind.HEATS: 40,
    RoundKind.ROUND_OF_32: 50,
    RoundKind.ROUND_OF_16: 60,
    RoundKind.QUARTERFINAL: 70,
    RoundKind.REPECHAGE: 80,
    RoundKind.SEMIFINAL: 90,
    RoundKind.BRONZE: 100,
    RoundKind.FINAL: 110,
}


class RoundQuerySet(models.QuerySet):
    def entered_by(self, delegation):
        """The rounds of the events the delegation's athletes are entered in."""
        return self.filter(event__in=Event.objects.filter(entries__athlete__delegation=delegation))

    def contested_by(self, delegation):
        """The rounds one of the delegation's athletes takes part in: those with a result of theirs, and those
        of events where one of them may still compete (`Entry.objects.in_contention()`). The rounds after the
        one an athlete went out in, and the rounds of a withdrawn athlete, are not theirs."""
        raced = Result.objects.filter(entry=OuterRef("pk"), round=OuterRef(OuterRef("pk")))
        entries = Entry.objects.filter(athlete__delegation=delegation, event=OuterRef("event"))
        return self.filter(Exists(entries.filter(Exists(raced) | Entry.objects.contention())))

    def as_scheduled(self, delegation):
        """These rounds as the schedule shows them: by day and time, each with its event (sport, class,
        Games), the delegation's entries in it as `event.team_entries` (by name, each with `in_contention`)
        and the delegation's results in the round as `team_results`: what `team.front.lineup` reads."""
        entered = (
            Entry.objects.filter(athlete__delegation=delegation)
            .with_contention()
            .select_related("athlete")
            .order_by("athlete__name")
        )
        raced = Result.objects.filter(entry__athlete__delegation=delegation)
        return (
            self.select_related("event__sport", "event__sport_class", "event__games")
            .prefetch_related(
                Prefetch("event__entries", queryset=entered, to_attr="team_entries"),
                Prefetch("results", queryset=raced, to_attr="team_results"),
            )
            .order_by("scheduled_date", "scheduled_time", "event__sport__name", "event__slug", "order")
        )

    def for_schedule(self, delegation):
        """The rounds the delegation's athletes take part in (`contested_by`), as the schedule shows them
        (`as_scheduled`)."""
        return self.contested_by(delegation).as_scheduled(delegation)

    def coming(self, delegation, day):
        """The rounds from `day` on that one of the delegation's athletes takes part in (`contested_by`), in
        order of day and time (a time to be confirmed last in its day), as the schedule shows them
        (`as_scheduled`). Slice it: three queries for any slice."""
        return (
            self.contested_by(delegation)
            .filter(scheduled_date__gte=day)
            .as_scheduled(delegation)
            .order_by(
                "scheduled_date",
                F("scheduled_time").asc(nulls_last=True),
                "event__sport__name",
                "event__slug",
                "order",
                "pk",
            )
        )


class RoundManager(models.Manager.from_queryset(RoundQuerySet)):
    def get_by_natural_key(self, games_slug, event_slug, kind):
        return self.get(event__games__slug=games_slug, event__slug=event_slug, kind=kind)


class Round(Sourced):
    """A stage of an event (heats, repechage, final …) and when it is scheduled.

    Guarded by a database trigger (`team/triggers.py`): a round holding medals
    cannot become a kind that does not award them (`MEDAL_KINDS`).
    """

    Kind = RoundKind

    MEDAL_KINDS = (Kind.FINAL, Kind.BRONZE)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("event"))
    kind = models.CharField(max_length=15, choices=Kind, verbose_name=_("kind"))
    label = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("The round's name as published, if it differs."),
        verbose_name=_("label"),
    )
    label_az, label_ru = translations(label, _("label"))
    local_label = Localized("label")
    order = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Position within the event, earlier rounds first. Leave blank to follow the round's kind."),
        verbose_name=_("order"),
    )
    scheduled_date = models.DateField(
        null=True,
        blank=True,
        help_text=_("Leave blank while the day is to be confirmed."),
        verbose_name=_("scheduled date"),
    )
    scheduled_time = models.TimeField(
        null=True,
        blank=True,
        help_text=_("Local time at the venue (the Games' time zone). Blank while to be confirmed."),
        verbose_name=_("scheduled time"),
    )

    objects = RoundManager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["event", "order"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="one_round_of_each_kind"),
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="round_kind_valid"),
        ]

    def __str__(self):
        return f"{self.event} – {self.label or self.get_kind_display()}"

    def natural_key(self):
        return (*self.event.natural_key(), self.kind)

    natural_key.dependencies = ["team.event"]

    def save(self, *args, **kwargs):
        if self.order is None:
            self.order = KIND_ORDER.get(self.kind, 0)
            if (update_fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*update_fields, "order"}
        super().save(*args, **kwargs)

    @property
    def awards_medals(self):
        return self.kind in self.MEDAL_KINDS

    @property
    def name(self):
        """The round as readers know it: its published label, else its kind (in the page's language)."""
        return self.local_label or self.get_kind_display()

    def clock(self, zone):
        """The scheduled time of day in `zone`, or None while the time is to be confirmed.

        Without a day, the conversion uses the Games' first day: no host changes
        its clocks during a Games, so the offset is the same on every day.
        """
        if self.scheduled_time is None:
            return None
        games = self.event.games
        day = self.scheduled_date or games.start_date or datetime.date(games.year, 7, 1)
        venue = datetime.datetime.combine(day, self.scheduled_time, tzinfo=games.zone)
        return venue.astimezone(zone)

    def clean(self):
        super().clean()
        if self.scheduled_date and self.event_id and not self.event.games.is_during(self.scheduled_date):
            games = self.event.games
            raise ValidationError(
                {
                    "scheduled_date": _("%(day)s is outside %(games)s (%(start)s to %(end)s).")
                    % {"day": self.scheduled_date, "games": games, "start": games.start_date, "end": games.end_date}
                }
            )
        if self.pk and not self.awards_medals and self.results.exclude(medal="").exists():
            raise ValidationError(
                {"kind": _("Results in this round carry medals; only a final or bronze medal contest can.")}
            )
        stored = type(self)._default_manager.filter(pk=self.pk).values("kind", "label").first() if self.pk else None
        if stored and stored["kind"] != self.kind and stored["label"] and stored["label"] == self.label:
            # The label is what readers see; one written for the old kind would hide the correction.
            raise ValidationError(
                {
                    "label": _(
                        "The label “%(label)s” was written for the round's old kind (%(old)s). "
                        "Change it to match %(new)s, or clear it to show the kind."
                    )
                    % {
                        "label": self.label,
                        "old": RoundKind(stored["kind"]).label.lower(),
                        "new": self.get_kind_display().lower(),
                    }
                }
            )


class Medal(models.TextChoices):
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    BRONZE = "bronze", _("Bronze")


MEDAL_RANK = {Medal.GOLD: 1, Medal.SILVER: 2, Medal.BRONZE: 3}


class ResultStatus(models.TextChoices):
    FINISHED = "ok", _("Finished")
    DNS = "dns", _("Did not start")
    DNF = "dnf", _("Did not finish")
    DQ = "dq", _("Disqualified")


class RecordMark(models.TextChoices):
    """The annotation a result carries, as the official results print it beside the mark."""

    WORLD = "WR", _("World record")
    PARALYMPIC = "PR", _("Paralympic record (the Games record)")
    REGIONAL = "AR", _("Area record (regional, e.g. European)")
    EUROPEAN = "ER", _("European record")
    NATIONAL = "NR", _("National record")
    PERSONAL_BEST = "PB", _("Personal best")
    SEASON_BEST = "SB", _("Season best")

    @classmethod
    def split(cls, text):
        """A mark typed with its annotation, "11.44 (SB)" or "11.44 SB", as ("11.44", "SB"); else (text, "").

        The annotation is recognised in any case and with or without brackets; "=WR" (equals the record) counts
        as the record.
        """
        match = MARK_ANNOTATION.match(text or "")
        if match is None:
            return (text or "").strip(), ""
        return match["mark"], (match["a"] or match["b"]).upper()


MARK_ANNOTATION = re.compile(
    r"^\s*(?P<mark>\S.*?)\s*(?:\(\s*=?(?P<a>WR|PR|AR|ER|NR|PB|SB)\s*\)|=?(?P<b>WR|PR|AR|ER|NR|PB|SB))\s*$",
    re.IGNORECASE,
)


class Progress(models.TextChoices):
    """How far the athlete went from this round: on to the next, or out of the event here."""

    NOT_STATED = "", _("Not stated")
    ADVANCED = "advanced", _("Advanced to the next round")
    ELIMINATED = "out", _("Did not advance (out of the event here)")


class Settled(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional")
    OFFICIAL = "official", _("Official")
    AMENDED = "amended", _("Amended after protest or review")


def empty_tally():
    return dict.fromkeys([*Medal.values, "total"], 0)


class ResultQuerySet(models.QuerySet):
    def medals(self):
        return self.exclude(medal="")

    def tally_by(self, group):
        """Gold, silver, bronze and total for each value of the field path `group` (e.g. per sport).

        This is the one statement of how medals are counted: a team event's
        medal counts once per delegation however many of its athletes share
        it; individual medals count one each.
        """
        counts = {}
        for medal in Medal.values:
            counts[f"{medal}_individual"] = Count("pk", filter=Q(medal=medal, entry__event__is_team=False))
            counts[f"{medal}_team"] = Count(
                "entry__event", distinct=True, filter=Q(medal=medal, entry__event__is_team=True)
            )
        groups = [group] if group else []
        rows = self.order_by().values(*groups, "entry__athlete__delegation").annotate(**counts)
        tallies = defaultdict(empty_tally)
        for row in rows:
            tally = tallies[row[group] if group else None]
            for medal in Medal.values:
                won = row[f"{medal}_individual"] + row[f"{medal}_team"]
                tally[medal] += won
                tally["total"] += won
        return dict(tallies)

    def tally(self):
        """Gold, silver, bronze and total over all these results, by the rule of `tally_by()`."""
        return self.tally_by(None).get(None, empty_tally())


class Result(ExplainsConstraints, Sourced):
    """One athlete's outcome in one round, and where it was reported (`source`: the official results, a
    federation's release …).

    Guarded by database triggers (`team/triggers.py`) beside the constraints
    below: the entry and the round belong to the same event, and a medal is
    recorded only in a round that awards medals (`Round.MEDAL_KINDS`).
    """

    Status = ResultStatus
    Record = RecordMark
    Settled = Settled
    Progress = Progress

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="results", verbose_name=_("entry"))
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results", verbose_name=_("round"))
    rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Place in this round (1 = first). Blank if none."),
        verbose_name=_("rank"),
    )
    mark = models.CharField(
        max_length=30,
        blank=True,
        help_text=_("As the sport records it: 1:05.32 for a time, 6.12 for metres, 563 for points."),
        verbose_name=_("mark"),
    )
    medal = models.CharField(
        max_length=6,
        choices=Medal,
        blank=True,
        help_text=_("Only in a final or bronze medal contest."),
        verbose_name=_("medal"),
    )
    tie = models.BooleanField(
        default=False, help_text=_("Tick when officially tied for this place."), verbose_name=_("tie")
    )
    status = models.CharField(max_length=3, choices=Status, default=Status.FINISHED, verbose_name=_("status"))
    record = models.CharField(
        max_length=2,
        choices=Record,
        blank=True,
        help_text=_("Or type it after the mark: “11.44 (SB)”."),
        verbose_name=_("record"),
    )
    progress = models.CharField(
        max_length=8,
        choices=Progress,
        blank=True,
        help_text=_("Whether the athlete went on to the next round or went out of the event in this one."),
        verbose_name=_("progress"),
    )
    settled = models.CharField(max_length=11, choices=Settled, default=Settled.PROVISIONAL, verbose_name=_("settled"))

    explained_constraints = frozenset(
        {"rank_is_positive", "medal_agrees_with_rank", "no_rank_or_medal_without_finish", "no_medal_when_out"}
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "round"], name="one_result_per_entry_per_round"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="rank_is_positive"),
            models.CheckConstraint(
                # rank IS NOT NULL: a comparison with NULL is not false, so it would let a bare medal through.
                condition=functools.reduce(
                    operator.or_,
                    [Q(medal=medal, rank__isnull=False, rank=rank) for medal, rank in MEDAL_RANK.items()],
                    Q(medal=""),
                ),
                name="medal_agrees_with_rank",
            ),
            models.CheckConstraint(
                condition=Q(status=ResultStatus.FINISHED) | Q(medal="", rank__isnull=True),
                name="no_rank_or_medal_without_finish",
            ),
            models.CheckConstraint(condition=Q(status__in=ResultStatus.values), name="result_status_valid"),
            models.CheckConstraint(
                condition=Q(record__in=RecordMark.values) | Q(record=""), name="result_record_valid"
            ),
            models.CheckConstraint(condition=Q(progress__in=Progress.values), name="result_progress_valid"),
            models.CheckConstraint(condition=Q(medal="") | ~Q(progress=Progress.ELIMINATED), name="no_medal_when_out"),
            models.CheckConstraint(
                condition=Q(settled__in=Settled.values),
                name="result_settled_valid",
            ),
            models.UniqueConstraint(
                fields=["round", "medal"],
                condition=Q(medal__in=[Medal.GOLD, Medal.SILVER], tie=False),
                name="one_untied_gold_or_silver_per_round",
                violation_error_message=_(
                    "This round already has that medal. Tick 'tie' on both results if they are officially tied."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.entry.athlete} – {self.round}"

    def clean_fields(self, exclude=None):
        # "11.44 (SB)": the mark and its annotation, typed together as the results print them.
        mark, record = RecordMark.split(self.mark)
        if record and "mark" not in (exclude or ()):
            if self.record and self.record != record:
                raise ValidationError(
                    {
                        "record": _("The mark says %(typed)s but %(chosen)s is chosen here; keep one.")
                        % {"typed": record, "chosen": self.record}
                    }
                )
            self.mark, self.record = mark, record
        super().clean_fields(exclude)

    def clean(self):
        super().clean()
        errors = {}

        def refuse(field, message):
            errors.setdefault(field, []).append(message)

        if self.medal and self.progress == Progress.ELIMINATED:
            refuse("progress", _("A medallist did not go out of the event; leave this blank."))
        if self.entry_id and self.round_id and self.entry.event_id != self.round.event_id:
            refuse(
                "entry",
                _("%(athlete)s is not entered in %(event)s.")
                % {"athlete": self.entry.athlete, "event": self.round.event},
            )
        if self.rank is not None and self.rank < 1:
            refuse("rank", _("Ranks start at 1."))
        if self.mark and self.entry_id:
            pattern, example = MARK_FORMATS.get(self.entry.event.mark_kind, (None, ""))
            if pattern and not pattern.match(self.mark.strip()):
                refuse("mark", _("%(event)s records %(example)s.") % {"event": self.entry.event, "example": example})
        finished = self.finished
        if self.rank and not finished:
            refuse("rank", _("Leave the rank blank when the athlete %(status)s.") % {"status": self.status_phrase})
        if self.medal:
            if self.round_id and not self.round.awards_medals:
                refuse(
                    "medal",
                    _("Medals are won only in a final or a bronze medal contest, not in %(round)s.")
                    % {"round": self.round.get_kind_display().lower()},
                )
            if not finished:
                refuse("medal", _("An athlete who %(status)s cannot win a medal.") % {"status": self.status_phrase})
            elif self.rank != MEDAL_RANK[self.medal]:
                refuse(
                    "medal",
                    _("A %(medal)s medal goes with rank %(rank)s, not %(given)s.")
                    % {
                        "medal": self.get_medal_display().lower(),
                        "rank": MEDAL_RANK[self.medal],
                        "given": self.rank or _("no rank"),
                    },
                )
            elif self.round_id and self.shares_medal_without_tie():
                refuse(
                    "tie",
                    _(
                        "This round already has a %(medal)s medal. "
                        "Tick 'tie' on both results if they are officially tied."
                    )
                    % {"medal": self.get_medal_display().lower()},
                )
        if errors:
            raise ValidationError(errors)

    @property
    def finished(self):
        return self.status == ResultStatus.FINISHED

    @property
    def is_provisional(self):
        return self.settled == Settled.PROVISIONAL

    @property
    def is_amended(self):
        return self.settled == Settled.AMENDED

    @property
    def status_phrase(self):
        return STATUS_PHRASE[self.status]

    @property
    def is_out(self):
        return self.progress == Progress.ELIMINATED

    def out_phrase(self):
        """How far the athlete went, for readers: "Eliminated in the quarterfinal", "Did not advance from the
        heats"; "" unless the athlete went out in this round."""
        if not self.is_out:
            return ""
        kind = self.round.kind
        if kind == RoundKind.UNSPECIFIED and not self.round.label:
            return _("Did not advance")
        if kind in (RoundKind.HEATS, RoundKind.PRELIMINARY, RoundKind.CLASSIFICATION, RoundKind.UNSPECIFIED):
            return _("Did not advance from the %(round)s") % {"round": self.round.name.lower()}
        return _("Eliminated in the %(round)s") % {"round": self.round.name.lower()}

    def shares_medal_without_tie(self):
        """Another gold (or silver) in this round where only one of the two is marked as a tie.

        Two untied ones are refused by the one_untied_gold_or_silver_per_round constraint.
        """
        if self.medal not in (Medal.GOLD, Medal.SILVER):
            return False
        others = Result.objects.filter(round_id=self.round_id, medal=self.medal).exclude(pk=self.pk)
        return others.filter(tie=not self.tie).exists()


STATUS_PHRASE = {
    Result.Status.FINISHED: _("finished"),
    Result.Status.DNS: _("did not start"),
    Result.Status.DNF: _("did not finish"),
    Result.Status.DQ: _("was disqualified"),
}
