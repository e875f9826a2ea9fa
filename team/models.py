"""The delegation's data: Games → delegation → athletes → events → rounds → results.

Nothing here is specific to Azerbaijan or to Paris: another country or the next
Games needs new fixtures, not new code. Every fact loaded from a news source
keeps the sentence that states it (`Sourced`), and anything in the source that
an editor must check carries a `ReviewFlag`.
"""

import datetime
import re
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Length, Now, Substr, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from team.names import search_key


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Europe/Paris or Asia/Baku."),
            params={"value": value},
        )


class ExplainsConstraints:
    """Skip, in `full_clean()`, the constraints whose rule `clean()` already explains.

    The database still enforces them; editors just see one readable message
    instead of that message plus Django's generic "Constraint … is violated".
    """

    explained_constraints = frozenset()

    def get_constraints(self):
        return [
            (model, [c for c in constraints if c.name not in self.explained_constraints])
            for model, constraints in super().get_constraints()
        ]


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Edited(models.Model):
    """Bookkeeping for anything editors change: when, and a version that guards against lost updates.

    `version` goes up by one on every save; an admin form remembers the version
    it was opened at and is refused if someone else saved in between.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), verbose_name=_("last changed"))

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if (update_fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)


class Source(Edited):
    """A published text (or reference work) that facts were taken from."""

    slug = models.SlugField(unique=True, help_text=_("Short stable identifier used by fixtures."))
    outlet = models.CharField(max_length=200, help_text=_("Who published it, e.g. AzerNews."))
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Headline as published. Leave blank if it is not known."),
    )
    author = models.CharField(max_length=200, blank=True, help_text=_("Byline, if any."))
    published_on = models.DateField(null=True, blank=True, help_text=_("Date of publication, if known."))
    url = models.URLField(blank=True, help_text=_("Where readers can find the original."))
    body = models.TextField(
        blank=True,
        help_text=_("The full text as received. Quoted sentences must appear in it word for word."),
    )

    objects = SlugManager()

    class Meta:
        ordering = ["outlet", "slug"]

    def __str__(self):
        return self.title or f"{self.outlet} ({self.slug})"

    def natural_key(self):
        return (self.slug,)


class Sourced(Edited):
    """Where a fact came from: the source and the sentence that states it."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The publication this fact was taken from. Blank for facts entered by editors."),
    )
    source_quote = models.TextField(
        blank=True,
        help_text=_("The sentence in the source that states this fact, copied word for word."),
    )

    class Meta(Edited.Meta):
        abstract = True

    def clean(self):
        super().clean()
        if self.source_quote and self.source_id and self.source.body and self.source_quote not in self.source.body:
            raise ValidationError({"source_quote": _("This sentence does not appear word for word in the source.")})


class Games(ExplainsConstraints, Sourced):
    class Season(models.TextChoices):
        SUMMER = "summer", _("Summer")
        WINTER = "winter", _("Winter")

    slug = models.SlugField(unique=True, help_text=_("Short stable identifier, e.g. paris-2024."))
    name = models.CharField(max_length=200, help_text=_("e.g. Paris 2024 Summer Paralympic Games."))
    season = models.CharField(max_length=10, choices=Season)
    year = models.PositiveSmallIntegerField(help_text=_("The year in the Games' name."))
    host_city = models.CharField(max_length=100)
    host_country = models.CharField(max_length=100)
    start_date = models.DateField(null=True, blank=True, help_text=_("Opening ceremony day."))
    end_date = models.DateField(null=True, blank=True, help_text=_("Closing ceremony day."))
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Local time zone of the host city; schedule times are entered in it."),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        help_text=_("The earlier Games this one is compared with."),
    )

    explained_constraints = frozenset({"games_ends_after_it_starts"})

    objects = SlugManager()

    class Meta:
        ordering = ["-year", "season"]
        verbose_name_plural = "games"
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="games_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    @cached_property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The Games cannot end before they start.")})

    def days(self):
        """Every day of the Games, when both ends are known."""
        if not (self.start_date and self.end_date):
            return []
        length = (self.end_date - self.start_date).days + 1
        return [self.start_date + datetime.timedelta(days=n) for n in range(length)]

    def is_during(self, day):
        """Whether `day` falls within the Games (unknown bounds do not refuse)."""
        if self.start_date and day < self.start_date:
            return False
        return not (self.end_date and day > self.end_date)


class GamesFactManager(models.Manager):
    def get_by_natural_key(self, games_slug, slug):
        return self.get(games__slug=games_slug, slug=slug)


class GamesFact(Sourced):
    """A headline fact about the Games as a source reports it."""

    games = models.ForeignKey(Games, on_delete=models.CASCADE, related_name="facts")
    slug = models.SlugField(help_text=_("Short stable identifier within these Games."))
    label = models.CharField(max_length=200, help_text=_("What the fact is about, for readers."))
    value = models.CharField(max_length=300, help_text=_("The fact as a short phrase for readers."))
    number = models.IntegerField(null=True, blank=True, help_text=_("The figure, where the fact is a number."))
    order = models.PositiveSmallIntegerField(default=0)

    objects = GamesFactManager()

    class Meta:
        ordering = ["games", "order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["games", "slug"], name="unique_fact_per_games"),
        ]

    def __str__(self):
        return f"{self.label}: {self.value}"

    def natural_key(self):
        return (*self.games.natural_key(), self.slug)

    natural_key.dependencies = ["team.games"]


class Sport(Sourced):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, help_text=_("Name readers know, e.g. Para swimming."))
    description = models.TextField(blank=True, help_text=_("One or two plain sentences for readers."))
    uses_classes = models.BooleanField(
        default=True,
        help_text=_("Untick for sports with a single class, such as para powerlifting (weight categories only)."),
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("team:sport", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class SportClassManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class SportClass(Sourced):
    """A classification code (S12, T13, K44 …) explained for readers."""

    class Kind(models.TextChoices):
        SPORT_CLASS = "class", _("Sport class")
        EVENT_CODE = "event", _("Event code")

    class Impairment(models.TextChoices):
        PHYSICAL = "physical", _("Physical impairment")
        VISUAL = "visual", _("Visual impairment")
        INTELLECTUAL = "intellectual", _("Intellectual impairment")

    code = models.CharField(max_length=12, unique=True, help_text=_("As printed, e.g. S12."))
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="classes")
    kind = models.CharField(
        max_length=10,
        choices=Kind,
        default=Kind.SPORT_CLASS,
        help_text=_("Shooting uses event codes (P1, P2 …) where other sports name a class."),
    )
    impairment = models.CharField(max_length=20, choices=Impairment)
    meaning = models.TextField(help_text=_("What the code means, in a sentence a reader understands."))

    objects = SportClassManager()

    class Meta:
        ordering = ["sport__name", "code"]
        verbose_name_plural = "sport classes"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["class", "event"]), name="sportclass_kind_valid"),
            models.CheckConstraint(
                condition=Q(impairment__in=["physical", "visual", "intellectual"]),
                name="sportclass_impairment_valid",
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("team:classes") + f"#class-{self.code}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["team.sport"]


def aggregated(queryset, group_by, expression, default=None):
    """One aggregate over a correlated `queryset` (filtered on an OuterRef), as a subquery column.

    Grouping by the correlated field yields exactly one row, so a page can carry
    lists and counts of related rows without a query per row.
    """
    subquery = Subquery(queryset.order_by().values(group_by).annotate(value=expression).values("value")[:1])
    return subquery if default is None else Coalesce(subquery, default, output_field=expression.output_field)


def linked_names(athlete_path):
    """Athletes as one "slug|name;slug|name" column, for pages that link each of them."""
    return StringAgg(Concat(f"{athlete_path}__slug", Value("|"), f"{athlete_path}__name"), Value(";"))


def unpack_linked_names(packed):
    """(slug, name) pairs from a `linked_names` column, by name."""
    pairs = (tuple(pair.split("|", 1)) for pair in (packed or "").split(";") if pair)
    return sorted(pairs, key=lambda pair: pair[1])


def featured_lookup(key, prefix=""):
    """Lookups selecting the delegation named "games-slug/NPC" (settings.FEATURED_DELEGATION)."""
    games_slug, _sep, npc_code = key.partition("/")
    return {f"{prefix}games__slug": games_slug, f"{prefix}npc_code": npc_code}


class DelegationQuerySet(models.QuerySet):
    def for_pages(self):
        """The delegation with everything its pages' headers show, in one query."""
        athletes = Athlete.objects.filter(delegation=OuterRef("pk"))
        competing = athletes.filter(status=Athlete.Status.COMPETING)
        opening = Flagbearer.objects.filter(delegation=OuterRef("pk"), ceremony=Flagbearer.Ceremony.OPENING)
        previous = MedalRecord.objects.filter(delegation=OuterRef("pk"), games=OuterRef("games__previous"))
        record = {
            f"previous_{medal}": Subquery(previous.values(medal)[:1]) for medal in ("gold", "silver", "bronze", "total")
        }
        # The medal tally, by the same rule as Result.objects.tally(): a team event's medal counts once.
        results = Result.objects.filter(entry__athlete__delegation=OuterRef("pk"))
        group = "entry__athlete__delegation"
        tally = {
            f"tally_{medal}": aggregated(
                results.filter(medal=medal, entry__event__is_team=False), group, Count("pk"), default=0
            )
            + aggregated(
                results.filter(medal=medal, entry__event__is_team=True),
                group,
                Count("entry__event", distinct=True),
                default=0,
            )
            for medal in Medal.values
        }
        return self.select_related("games__previous").annotate(
            athletes_named=aggregated(athletes, "delegation", Count("pk"), default=0),
            athletes_competing=aggregated(competing, "delegation", Count("pk"), default=0),
            sports_competing=aggregated(competing, "delegation", Count("sport", distinct=True), default=0),
            flagbearer_list=aggregated(opening, "delegation", linked_names("athlete")),
            **record,
            **tally,
        )

    def featured(self, key):
        """The delegation named "games-slug/NPC", or None when it is not loaded."""
        return self.filter(**featured_lookup(key)).first()


class DelegationManager(models.Manager.from_queryset(DelegationQuerySet)):
    def get_by_natural_key(self, games_slug, npc_code):
        return self.get(games__slug=games_slug, npc_code=npc_code)


class Delegation(ExplainsConstraints, Sourced):
    games = models.ForeignKey(Games, on_delete=models.PROTECT, related_name="delegations")
    country = models.CharField(max_length=100)
    npc_code = models.CharField(max_length=3, help_text=_("The IPC's three-letter country code, e.g. AZE."))
    home_time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Readers' home time zone; schedule times are shown in it beside the venue's."),
    )
    athletes_announced = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Team size as announced in the source.")
    )
    sports_announced = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Number of sports as announced in the source.")
    )

    explained_constraints = frozenset({"npc_code_is_three_capitals"})

    objects = DelegationManager()

    class Meta:
        ordering = ["games", "country"]
        constraints = [
            models.UniqueConstraint(fields=["games", "npc_code"], name="one_delegation_per_npc"),
            models.CheckConstraint(
                condition=Q(
                    Exact(Length("npc_code"), 3),
                    *[GreaterThanOrEqual(Substr("npc_code", i, 1), "A") for i in (1, 2, 3)],
                    npc_code=Upper("npc_code"),
                ),
                name="npc_code_is_three_capitals",
            ),
        ]

    def __str__(self):
        return f"{self.country} at {self.games}"

    @property
    def headline(self):
        return _("%(country)s at the %(games)s") % {"country": self.country, "games": self.games.name}

    def meta(self, page=None, description=None):
        """Title, description and structured data for one of the delegation's pages."""
        title = f"{page} – {self.headline}" if page else self.headline
        return {
            "title": title,
            "description": description
            or _("Who competes for %(country)s at the %(games)s, in what, when, and what they won.")
            % {"country": self.country, "games": self.games.name},
            "type": "website",
            "structured": {
                "@context": "https://schema.org",
                "@type": "SportsTeam",
                "name": self.headline,
                "sport": "Paralympic sports",
                "memberOf": {"@type": "SportsOrganization", "name": self.games.name},
            },
        }

    def natural_key(self):
        return (*self.games.natural_key(), self.npc_code)

    natural_key.dependencies = ["team.games"]

    def clean(self):
        super().clean()
        code = self.npc_code
        if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
            raise ValidationError({"npc_code": _("Use the three capital letters of the IPC code, e.g. AZE.")})

    def medal_tally(self):
        """Gold, silver, bronze and total, from `for_pages()` when it was used, else counted now."""
        if hasattr(self, "tally_gold"):
            tally = {medal: getattr(self, f"tally_{medal}") for medal in Medal.values}
            return tally | {"total": sum(tally.values())}
        return Result.objects.filter(entry__athlete__delegation=self).tally()

    @property
    def previous_record(self):
        """The earlier Games' medals as reported, from `for_pages()`; None when not reported."""
        if getattr(self, "previous_total", None) is None:
            return None
        return {medal: getattr(self, f"previous_{medal}") for medal in ("gold", "silver", "bronze", "total")}

    @property
    def opening_flagbearers(self):
        """(slug, name) pairs from `for_pages()`, by name."""
        return unpack_linked_names(getattr(self, "flagbearer_list", None))

    @cached_property
    def home_zone(self):
        return zoneinfo.ZoneInfo(self.home_time_zone)


class Gender(models.TextChoices):
    WOMEN = "W", _("Women")
    MEN = "M", _("Men")


class EventGender(models.TextChoices):
    WOMEN = "W", _("Women")
    MEN = "M", _("Men")
    MIXED = "X", _("Mixed")


EVENT_GENDER_ADJECTIVE = {"W": _("women's"), "M": _("men's"), "X": _("mixed")}
ATHLETE_GENDER_NOUN = {"W": _("a woman"), "M": _("a man")}


class AthleteQuerySet(models.QuerySet):
    def competing(self):
        return self.filter(status=Athlete.Status.COMPETING)

    def named(self, query):
        """Athletes whose name or any other spelling contains `query`, however it is spelled."""
        key = search_key(query)
        if not key:
            return self
        matching_names = AthleteName.objects.filter(search_key__contains=key).values("athlete")
        return self.filter(Q(search_key__contains=key) | Q(pk__in=matching_names))

    def roster(self):
        """Athletes with their classes, other spellings and competition facts folded into columns.

        One query carries what the team page filters and counts on: classes (as
        "code, impairment, meaning" lines), scheduled days, round kinds, result
        statuses and medals (space-separated), and every spelling's search key.
        """
        mine = OuterRef("pk")
        through = Athlete.sport_classes.through.objects.filter(athlete=mine)
        rounds = Round.objects.filter(event__entries__athlete=mine)
        results = Result.objects.filter(entry__athlete=mine)
        names = AthleteName.objects.filter(athlete=mine)
        return self.select_related("sport").annotate(
            class_info=aggregated(
                through,
                "athlete",
                StringAgg(
                    Concat(
                        "sportclass__code",
                        Value("\t"),
                        "sportclass__impairment",
                        Value("\t"),
                        "sportclass__meaning",
                        output_field=models.TextField(),
                    ),
                    Value("\n"),
                ),
                default=Value(""),
            ),
            other_names=aggregated(names, "athlete", StringAgg("name", Value("; ")), default=Value("")),
            name_keys=aggregated(names, "athlete", StringAgg("search_key", Value("|")), default=Value("")),
            days=aggregated(
                rounds.filter(scheduled_date__isnull=False),
                "event__entries__athlete",
                StringAgg(Cast("scheduled_date", models.CharField()), Value(" ")),
                default=Value(""),
            ),
            round_kinds=aggregated(rounds, "event__entries__athlete", StringAgg("kind", Value(" ")), default=Value("")),
            result_statuses=aggregated(results, "entry__athlete", StringAgg("status", Value(" ")), default=Value("")),
            medals=aggregated(
                results.exclude(medal=""), "entry__athlete", StringAgg("medal", Value(" ")), default=Value("")
            ),
            is_flagbearer=Exists(Flagbearer.objects.filter(athlete=mine)),
            under_review=Exists(ReviewFlag.objects.open().filter(athlete=mine)),
        )


class AthleteManager(models.Manager.from_queryset(AthleteQuerySet)):
    def get_by_natural_key(self, games_slug, npc_code, slug):
        return self.get(delegation__games__slug=games_slug, delegation__npc_code=npc_code, slug=slug)


class Athlete(ExplainsConstraints, Sourced):
    class Status(models.TextChoices):
        COMPETING = "competing", _("Competing")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="athletes")
    slug = models.SlugField(help_text=_("Used in the athlete's web address; keep it stable."))
    name = models.CharField(
        max_length=200, help_text=_("Canonical spelling shown to readers. Other spellings go below.")
    )
    gender = models.CharField(max_length=1, choices=Gender)
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="athletes")
    sport_classes = models.ManyToManyField(
        SportClass,
        blank=True,
        related_name="athletes",
        help_text=_("Every class the athlete is reported in (a swimmer may have S, SB and SM)."),
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.COMPETING)
    status_reason = models.CharField(
        max_length=300, blank=True, help_text=_("Required when withdrawn: why, in one line.")
    )
    search_key = models.CharField(max_length=300, blank=True, editable=False)

    explained_constraints = frozenset({"withdrawn_athlete_has_reason"})

    objects = AthleteManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "slug"], name="unique_athlete_slug"),
            models.CheckConstraint(condition=Q(gender__in=["W", "M"]), name="athlete_gender_valid"),
            models.CheckConstraint(condition=Q(status__in=["competing", "withdrawn"]), name="athlete_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(status_reason=""),
                name="withdrawn_athlete_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("team:athlete", kwargs={"slug": self.slug})

    def meta(self):
        games = self.delegation.games
        return {
            "title": f"{self.name} – {self.sport.name} – {self.delegation.country} at {games.name}",
            "description": _(
                "%(name)s competes for %(country)s in %(sport)s at the %(games)s: events, schedule and results."
            )
            % {
                "name": self.name,
                "country": self.delegation.country,
                "sport": self.sport.name.lower(),
                "games": games.name,
            },
            "type": "profile",
            "structured": {
                "@context": "https://schema.org",
                "@type": "Person",
                "name": self.name,
                "alternateName": [name for name in (getattr(self, "other_names", "") or "").split("; ") if name],
                "nationality": self.delegation.country,
                "memberOf": {"@type": "SportsTeam", "name": self.delegation.headline},
            },
        }

    def natural_key(self):
        return (*self.delegation.natural_key(), self.slug)

    natural_key.dependencies = ["team.delegation", "team.sport"]

    def clean(self):
        super().clean()
        if self.status == self.Status.WITHDRAWN and not self.status_reason:
            raise ValidationError({"status_reason": _("Give the reason for the withdrawal.")})


class AthleteNameManager(models.Manager):
    def get_by_natural_key(self, games_slug, npc_code, athlete_slug, name):
        return self.get(
            athlete__delegation__games__slug=games_slug,
            athlete__delegation__npc_code=npc_code,
            athlete__slug=athlete_slug,
            name=name,
        )


class AthleteName(Sourced):
    """Another spelling of an athlete's name seen in a source or used elsewhere."""

    class Script(models.TextChoices):
        LATIN = "latin", _("Latin (English transliteration)")
        AZERBAIJANI = "azerbaijani", _("Azerbaijani Latin")
        CYRILLIC = "cyrillic", _("Cyrillic")

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    script = models.CharField(max_length=12, choices=Script, default=Script.LATIN)
    search_key = models.CharField(max_length=300, blank=True, editable=False)

    objects = AthleteNameManager()

    class Meta:
        ordering = ["athlete", "name"]
        constraints = [
            models.UniqueConstraint(fields=["athlete", "name"], name="unique_spelling_per_athlete"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (*self.athlete.natural_key(), self.name)

    natural_key.dependencies = ["team.athlete"]


class FlagbearerManager(models.Manager):
    def get_by_natural_key(self, games_slug, npc_code, athlete_slug, ceremony):
        return self.get(
            delegation__games__slug=games_slug,
            delegation__npc_code=npc_code,
            athlete__slug=athlete_slug,
            ceremony=ceremony,
        )


class Flagbearer(Sourced):
    class Ceremony(models.TextChoices):
        OPENING = "opening", _("Opening ceremony")
        CLOSING = "closing", _("Closing ceremony")

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="flagbearers")
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="+")
    ceremony = models.CharField(max_length=10, choices=Ceremony, default=Ceremony.OPENING)

    objects = FlagbearerManager()

    class Meta:
        ordering = ["delegation", "athlete__name"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "athlete", "ceremony"], name="unique_flagbearer"),
            models.CheckConstraint(condition=Q(ceremony__in=["opening", "closing"]), name="ceremony_valid"),
        ]

    def __str__(self):
        return f"{self.athlete} ({self.get_ceremony_display()})"

    def natural_key(self):
        return (*self.delegation.natural_key(), self.athlete.slug, self.ceremony)

    def clean(self):
        super().clean()
        if self.athlete_id and self.delegation_id and self.athlete.delegation_id != self.delegation_id:
            raise ValidationError({"athlete": _("The flagbearer must belong to this delegation.")})

    natural_key.dependencies = ["team.athlete"]


class MedalRecordManager(models.Manager):
    def get_by_natural_key(self, games_slug, npc_code, past_games_slug):
        return self.get(
            delegation__games__slug=games_slug,
            delegation__npc_code=npc_code,
            games__slug=past_games_slug,
        )


class MedalRecord(Sourced):
    """A delegation's medals at an earlier Games, as a source reports them."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="past_records")
    games = models.ForeignKey(Games, on_delete=models.PROTECT, related_name="+", help_text=_("The earlier Games."))
    gold = models.PositiveSmallIntegerField()
    silver = models.PositiveSmallIntegerField()
    bronze = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField(
        help_text=_("The total as reported; it is kept even when it does not add up.")
    )

    objects = MedalRecordManager()

    class Meta:
        ordering = ["-games__year"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "games"], name="one_record_per_past_games"),
        ]

    def __str__(self):
        return f"{self.delegation.country} at {self.games}: {self.total} medals"

    def natural_key(self):
        return (*self.delegation.natural_key(), self.games.slug)

    natural_key.dependencies = ["team.delegation", "team.games"]

    @property
    def adds_up(self):
        return self.gold + self.silver + self.bronze == self.total


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


class EventManager(models.Manager):
    def get_by_natural_key(self, games_slug, slug):
        return self.get(games__slug=games_slug, slug=slug)


class Event(Sourced):
    """A medal event: sport, gender, class and distance, discipline or weight."""

    games = models.ForeignKey(Games, on_delete=models.PROTECT, related_name="events")
    slug = models.SlugField(help_text=_("Used in web addresses; keep it stable."))
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="events")
    gender = models.CharField(max_length=1, choices=EventGender)
    sport_class = models.ForeignKey(
        SportClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("Leave blank while the class is not confirmed (or the sport has none)."),
    )
    discipline = models.CharField(
        max_length=120,
        blank=True,
        help_text=_("Distance and stroke, field event, weight category … e.g. 100 m backstroke, -52 kg."),
    )
    is_team = models.BooleanField(default=False, help_text=_("A team or pair event: one medal however many athletes."))
    mark_kind = models.CharField(
        max_length=10,
        choices=MarkKind,
        default=MarkKind.OTHER,
        help_text=_("How results are recorded; marks are checked against it."),
    )
    athletes = models.ManyToManyField(Athlete, through="Entry", related_name="events")

    objects = EventManager()

    class Meta:
        ordering = ["sport__name", "gender", "discipline"]
        constraints = [
            models.UniqueConstraint(fields=["games", "slug"], name="unique_event_slug"),
            models.CheckConstraint(condition=Q(gender__in=["W", "M", "X"]), name="event_gender_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("team:event", kwargs={"slug": self.slug})

    def meta(self):
        return {
            "title": f"{self.name} – {self.games.name}",
            "description": _("Rounds, schedule and results of %(event)s at the %(games)s.")
            % {"event": self.name, "games": self.games.name},
            "type": "website",
            "structured": {
                "@context": "https://schema.org",
                "@type": "SportsEvent",
                "name": self.name,
                "sport": self.sport.name,
                "superEvent": {"@type": "SportsEvent", "name": self.games.name},
                "location": {"@type": "City", "name": self.games.host_city},
            },
        }

    def natural_key(self):
        return (*self.games.natural_key(), self.slug)

    natural_key.dependencies = ["team.games", "team.sport", "team.sportclass"]

    @property
    def name(self):
        """e.g. "Para swimming, men – 100 m backstroke S12"."""
        detail = [self.discipline] if self.discipline else []
        if self.sport_class_id:
            detail.append(self.sport_class.code)
        elif self.sport.uses_classes:
            detail.append(str(_("class to be confirmed")))
        heading = f"{self.sport.name}, {self.get_gender_display().lower()}"
        return f"{heading} – {' '.join(detail)}" if detail else heading


class EntryManager(models.Manager):
    def get_by_natural_key(self, games_slug, event_slug, npc_code, athlete_slug):
        return self.get(
            event__games__slug=games_slug,
            event__slug=event_slug,
            athlete__delegation__npc_code=npc_code,
            athlete__slug=athlete_slug,
        )


class Entry(ExplainsConstraints, Sourced):
    """An athlete entered in an event."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("Entered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(max_length=10, choices=Status, default=Status.ENTERED)
    status_reason = models.CharField(
        max_length=300, blank=True, help_text=_("Required when withdrawn: why, in one line.")
    )

    explained_constraints = frozenset({"withdrawn_entry_has_reason"})

    objects = EntryManager()

    class Meta:
        ordering = ["event", "athlete__name"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["event", "athlete"], name="athlete_enters_event_once"),
            models.CheckConstraint(condition=Q(status__in=["entered", "withdrawn"]), name="entry_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(status_reason=""),
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
        if self.status == self.Status.WITHDRAWN and not self.status_reason:
            errors["status_reason"] = [_("Give the reason for the withdrawal.")]
        if self.event_id and self.athlete_id and (problems := list(self.event_problems())):
            errors["event"] = problems
        if errors:
            raise ValidationError(errors)

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
    REPECHAGE = "repechage", _("Repechage")
    QUARTERFINAL = "quarterfinal", _("Quarterfinal")
    SEMIFINAL = "semifinal", _("Semifinal")
    BRONZE = "bronze", _("Bronze medal contest")
    FINAL = "final", _("Final")


class RoundQuerySet(models.QuerySet):
    def for_schedule(self, delegation):
        """The rounds the delegation's athletes are entered in, with those athletes as "slug|name;…"."""
        entered = Entry.objects.filter(event=OuterRef("event"), athlete__delegation=delegation)
        return (
            self.filter(event__in=Event.objects.filter(entries__athlete__delegation=delegation))
            .select_related("event__sport", "event__sport_class", "event__games")
            .annotate(athlete_list=aggregated(entered, "event", linked_names("athlete")))
            .order_by("scheduled_date", "scheduled_time", "event__sport__name", "event__slug", "order")
        )


class RoundManager(models.Manager.from_queryset(RoundQuerySet)):
    def get_by_natural_key(self, games_slug, event_slug, kind):
        return self.get(event__games__slug=games_slug, event__slug=event_slug, kind=kind)


class Round(Sourced):
    """A stage of an event (heats, repechage, final …) and when it is scheduled."""

    Kind = RoundKind

    MEDAL_KINDS = (Kind.FINAL, Kind.BRONZE)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(max_length=15, choices=Kind)
    label = models.CharField(max_length=120, blank=True, help_text=_("The round's name as published, if it differs."))
    order = models.PositiveSmallIntegerField(default=0, help_text=_("Position within the event: earlier rounds first."))
    scheduled_date = models.DateField(
        null=True, blank=True, help_text=_("Leave blank while the day is to be confirmed.")
    )
    scheduled_time = models.TimeField(
        null=True,
        blank=True,
        help_text=_("Local time at the venue (the Games' time zone). Blank while to be confirmed."),
    )

    objects = RoundManager()

    class Meta:
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

    @property
    def athletes(self):
        """(slug, name) pairs from `for_schedule()`, by name."""
        return unpack_linked_names(getattr(self, "athlete_list", None))

    @property
    def awards_medals(self):
        return self.kind in self.MEDAL_KINDS

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


class ResultQuerySet(models.QuerySet):
    def medals(self):
        return self.exclude(medal="")

    def tally(self):
        """Gold, silver, bronze and total.

        A team event's medal counts once per delegation however many of its
        athletes share it; individual medals count one each.
        """
        counts = {}
        for medal in Medal.values:
            counts[f"{medal}_individual"] = Count("pk", filter=Q(medal=medal, entry__event__is_team=False))
            counts[f"{medal}_team"] = Count(
                "entry__event", distinct=True, filter=Q(medal=medal, entry__event__is_team=True)
            )
        per_delegation = self.order_by().values("entry__athlete__delegation").annotate(**counts)
        tally = dict.fromkeys(Medal.values, 0)
        for row in per_delegation:
            for medal in Medal.values:
                tally[medal] += row[f"{medal}_individual"] + row[f"{medal}_team"]
        tally["total"] = sum(tally.values())
        return tally


class Medal(models.TextChoices):
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    BRONZE = "bronze", _("Bronze")


MEDAL_RANK = {Medal.GOLD: 1, Medal.SILVER: 2, Medal.BRONZE: 3}


class Result(ExplainsConstraints, Edited):
    """One athlete's outcome in one round."""

    class Status(models.TextChoices):
        FINISHED = "ok", _("Finished")
        DNS = "dns", _("Did not start")
        DNF = "dnf", _("Did not finish")
        DQ = "dq", _("Disqualified")

    class Record(models.TextChoices):
        WORLD = "WR", _("World record")
        PARALYMPIC = "PR", _("Paralympic record")
        REGIONAL = "AR", _("Area record")

    class Settled(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional")
        OFFICIAL = "official", _("Official")
        AMENDED = "amended", _("Amended after protest or review")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="results")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Place in this round (1 = first). Blank if none.")
    )
    mark = models.CharField(
        max_length=30,
        blank=True,
        help_text=_("As the sport records it: 1:05.32 for a time, 6.12 for metres, 563 for points."),
    )
    medal = models.CharField(
        max_length=6, choices=Medal, blank=True, help_text=_("Only in a final or bronze medal contest.")
    )
    tie = models.BooleanField(default=False, help_text=_("Tick when officially tied for this place."))
    status = models.CharField(max_length=3, choices=Status, default=Status.FINISHED)
    record = models.CharField(max_length=2, choices=Record, blank=True)
    settled = models.CharField(max_length=11, choices=Settled, default=Settled.PROVISIONAL)

    explained_constraints = frozenset({"rank_is_positive", "medal_agrees_with_rank", "no_rank_or_medal_without_finish"})

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "round"], name="one_result_per_entry_per_round"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="rank_is_positive"),
            models.CheckConstraint(
                # rank IS NOT NULL: a comparison with NULL is not false, so it would let a bare medal through.
                condition=Q(medal="")
                | Q(medal="gold", rank__isnull=False, rank=1)
                | Q(medal="silver", rank__isnull=False, rank=2)
                | Q(medal="bronze", rank__isnull=False, rank=3),
                name="medal_agrees_with_rank",
            ),
            models.CheckConstraint(
                condition=Q(status="ok") | Q(medal="", rank__isnull=True),
                name="no_rank_or_medal_without_finish",
            ),
            models.CheckConstraint(condition=Q(status__in=["ok", "dns", "dnf", "dq"]), name="result_status_valid"),
            models.CheckConstraint(
                condition=Q(settled__in=["provisional", "official", "amended"]),
                name="result_settled_valid",
            ),
            models.UniqueConstraint(
                fields=["round", "medal"],
                condition=Q(medal__in=["gold", "silver"], tie=False),
                name="one_untied_gold_or_silver_per_round",
                violation_error_message=_(
                    "This round already has that medal. Tick 'tie' on both results if they are officially tied."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.entry.athlete} – {self.round}"

    def clean(self):
        super().clean()
        errors = {}

        def refuse(field, message):
            errors.setdefault(field, []).append(message)

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
        finished = self.status == self.Status.FINISHED
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
    def medal_unit(self):
        """What one medal in a tally stands for: a team event's medal counts once, an individual result once each."""
        event = self.entry.event
        return (event.pk, self.medal) if event.is_team else self.pk

    @property
    def status_phrase(self):
        return STATUS_PHRASE[self.status]

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


class ReviewFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class ReviewFlagManager(models.Manager.from_queryset(ReviewFlagQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


FLAG_TARGETS = ("source", "games", "delegation", "athlete", "event", "entry", "round", "medal_record")


def exactly_one_of(fields):
    """A condition that holds when exactly one of the nullable `fields` is set."""
    return Q(
        *[
            Q(**{f"{field}__isnull": False}) & Q(**{f"{other}__isnull": True for other in fields if other != field})
            for field in fields
        ],
        _connector=Q.OR,
    )


class ReviewFlag(ExplainsConstraints, Edited):
    """Something in a source an editor must check, attached to the fact it concerns."""

    TARGETS = FLAG_TARGETS

    slug = models.SlugField(unique=True, help_text=_("Short stable identifier."))
    note = models.TextField(help_text=_("What to check and why, in plain words."))
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    games = models.ForeignKey(Games, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    delegation = models.ForeignKey(Delegation, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    athlete = models.ForeignKey(Athlete, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    medal_record = models.ForeignKey(MedalRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text=_("What was checked and what was done."))

    explained_constraints = frozenset({"flag_has_exactly_one_target", "resolved_flag_says_how"})

    objects = ReviewFlagManager()

    class Meta:
        ordering = ["created_at", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=exactly_one_of(FLAG_TARGETS),
                name="flag_has_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="resolved_flag_says_how",
            ),
        ]

    def __str__(self):
        return self.slug

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = [
        f"team.{name}"
        for name in ("source", "games", "delegation", "athlete", "event", "entry", "round", "medalrecord")
    ]

    @property
    def target(self):
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    def clean(self):
        super().clean()
        chosen = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(chosen) != 1:
            raise ValidationError(_("Attach the flag to exactly one thing (an athlete, an event …)."))
        if self.resolved_at and not self.resolution:
            raise ValidationError({"resolution": _("Say how the flag was resolved.")})


class ChangeQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def corrections(self):
        """Changes to published facts that carry a note for readers."""
        return self.exclude(correction_note="")


class Change(models.Model):
    """One recorded change to the data: who, when, and each field's old and new value.

    Written by `team.history` for every save and delete made through the admin,
    bulk actions and reverts included. A change with a correction note is
    published in the readers' corrections log.
    """

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        CHANGED = "changed", _("Changed")
        DELETED = "deleted", _("Deleted")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300, verbose_name=_("record"))
    action = models.CharField(max_length=10, choices=Action)
    fields = models.JSONField(default=dict, help_text=_("Field name → [old value, new value]."))
    snapshot = models.JSONField(default=dict, help_text=_("The whole record after the change (before, if deleted)."))
    version = models.PositiveIntegerField(null=True, blank=True, help_text=_("The record's version after the change."))
    batch = models.UUIDField(default=uuid.uuid4, help_text=_("Changes made by one action share a batch."))
    position = models.PositiveIntegerField(default=0, help_text=_("Order within the batch."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    correction_note = models.TextField(blank=True, help_text=_("Shown to readers in the corrections log."))
    summary = models.TextField(
        blank=True, help_text=_("What changed, in words, as readers see it in the corrections log.")
    )
    reverts = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by")

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="change_object")]
        permissions = [("revert_change", "Can revert a recorded change")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=["added", "changed", "deleted"]), name="change_action_valid"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"
