"""The Games, the delegation that follows them, headline facts and earlier Games' medals."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Length, Substr, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from team.colours import validate_colour
from team.colours import version as colour_version
from team.models.languages import Localized, translations
from team.models.review import ExplainsConstraints, SlugManager, Sourced


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Europe/Paris or Asia/Baku."),
            params={"value": value},
        )


FIRST_PARALYMPICS = 1960
LAST_PLAUSIBLE_YEAR = 2100
MAX_GAMES_DAYS = 42


class Games(ExplainsConstraints, Sourced):
    class Season(models.TextChoices):
        SUMMER = "summer", _("Summer")
        WINTER = "winter", _("Winter")

    slug = models.SlugField(
        unique=True, help_text=_("Short stable identifier, e.g. paris-2024."), verbose_name=_("slug")
    )
    name = models.CharField(
        max_length=200, help_text=_("e.g. Paris 2024 Summer Paralympic Games."), verbose_name=_("name")
    )
    name_az, name_ru = translations(name, _("name"))
    season = models.CharField(max_length=10, choices=Season, verbose_name=_("season"))
    year = models.PositiveSmallIntegerField(help_text=_("The year in the Games' name."), verbose_name=_("year"))
    host_city = models.CharField(max_length=100, verbose_name=_("host city"))
    host_city_az, host_city_ru = translations(host_city, _("host city"))
    host_country = models.CharField(max_length=100, verbose_name=_("host country"))
    host_country_az, host_country_ru = translations(host_country, _("host country"))
    local_name = Localized("name")
    local_host_city = Localized("host_city")
    local_host_country = Localized("host_country")
    start_date = models.DateField(
        null=True, blank=True, help_text=_("Opening ceremony day."), verbose_name=_("start date")
    )
    end_date = models.DateField(null=True, blank=True, help_text=_("Closing ceremony day."), verbose_name=_("end date"))
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Local time zone of the host city; schedule times are entered in it."),
        verbose_name=_("time zone"),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        help_text=_("The earlier Games this one is compared with."),
        verbose_name=_("previous"),
    )

    explained_constraints = frozenset({"games_ends_after_it_starts"})

    objects = SlugManager()

    class Meta:
        verbose_name = _("Games")
        verbose_name_plural = _("Games")
        ordering = ["-year", "season"]
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
        errors = {}
        if self.year and not FIRST_PARALYMPICS <= self.year <= LAST_PLAUSIBLE_YEAR:
            errors["year"] = _("Paralympic Games have been held since %(first)s; check the year.") % {
                "first": FIRST_PARALYMPICS
            }
        for name in ("start_date", "end_date"):
            day = getattr(self, name)
            # Games are held in the year they are named after, or (Tokyo 2020) one year later.
            if day and self.year and day.year not in (self.year, self.year + 1):
                errors[name] = [
                    _("%(day)s is not in %(year)s, the year of these Games.")
                    % {
                        "day": day,
                        "year": self.year,
                    }
                ]
        if self.start_date and self.end_date and (self.end_date - self.start_date).days >= MAX_GAMES_DAYS:
            errors.setdefault("end_date", []).append(_("Games last a few weeks at most; check the dates."))
        if self.pk and (featured := featured_key_changes(self, lambda games: games.slug)):
            errors["slug"] = featured
        if errors:
            raise ValidationError(errors)

    def days(self):
        """Every day of the Games, when both ends are known (none for an implausibly long span)."""
        if not (self.start_date and self.end_date):
            return []
        length = (self.end_date - self.start_date).days + 1
        if length > MAX_GAMES_DAYS:
            return []
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

    games = models.ForeignKey(Games, on_delete=models.CASCADE, related_name="facts", verbose_name=_("games"))
    slug = models.SlugField(help_text=_("Short stable identifier within these Games."), verbose_name=_("slug"))
    label = models.CharField(
        max_length=200, help_text=_("What the fact is about, for readers."), verbose_name=_("label")
    )
    label_az, label_ru = translations(label, _("label"))
    value = models.CharField(
        max_length=300, help_text=_("The fact as a short phrase for readers."), verbose_name=_("value")
    )
    value_az, value_ru = translations(value, _("value"))
    local_label = Localized("label")
    local_value = Localized("value")
    number = models.IntegerField(
        null=True, blank=True, help_text=_("The figure, where the fact is a number."), verbose_name=_("number")
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    objects = GamesFactManager()

    class Meta:
        verbose_name = _("Games fact")
        verbose_name_plural = _("Games facts")
        ordering = ["games", "order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["games", "slug"], name="unique_fact_per_games"),
        ]

    def __str__(self):
        return f"{self.label}: {self.value}"

    def natural_key(self):
        return (*self.games.natural_key(), self.slug)

    natural_key.dependencies = ["team.games"]


def featured_key_changes(obj, part_of_key):
    """A message if saving `obj` would stop the featured delegation (settings.FEATURED_DELEGATION)
    from being found: the site would then show readers nothing at all."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    if stored is None or not is_featured(stored) or part_of_key(stored) == part_of_key(obj):
        return None
    return _(
        "This is part of the address of the team the site features (%(key)s); with this change every "
        "public page would be empty. Ask an administrator to change DJANGO_FEATURED_DELEGATION first."
    ) % {"key": settings.FEATURED_DELEGATION}


def is_featured(obj):
    games_slug, _sep, npc_code = settings.FEATURED_DELEGATION.partition("/")
    if isinstance(obj, Games):
        return obj.slug == games_slug
    return obj.games.slug == games_slug and obj.npc_code == npc_code


def featured_lookup(key, prefix=""):
    """Lookups selecting the delegation named "games-slug/NPC" (settings.FEATURED_DELEGATION)."""
    games_slug, _sep, npc_code = key.partition("/")
    return {f"{prefix}games__slug": games_slug, f"{prefix}npc_code": npc_code}


class DelegationQuerySet(models.QuerySet):
    def featured(self, key):
        """The delegation named "games-slug/NPC" with its Games (and the earlier Games), or None when not loaded.

        Only what every page's header shows is fetched here; the figures of the
        team page's "at a glance" (`roster_counts`, `medal_tally`,
        `opening_flagbearers`, `previous_record`) are each one simple query,
        run only by the pages that show them.
        """
        return self.select_related("games__previous").filter(**featured_lookup(key)).first()


class DelegationManager(models.Manager.from_queryset(DelegationQuerySet)):
    def get_by_natural_key(self, games_slug, npc_code):
        return self.get(games__slug=games_slug, npc_code=npc_code)


class Delegation(ExplainsConstraints, Sourced):
    games = models.ForeignKey(Games, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("games"))
    country = models.CharField(max_length=100, verbose_name=_("country"))
    country_az, country_ru = translations(country, _("country"))
    local_country = Localized("country")
    npc_code = models.CharField(
        max_length=3, help_text=_("The IPC's three-letter country code, e.g. AZE."), verbose_name=_("npc code")
    )
    home_time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Readers' home time zone; schedule times are shown in it beside the venue's."),
        verbose_name=_("home time zone"),
    )
    athletes_announced = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Team size as announced in the source."),
        verbose_name=_("athletes announced"),
    )
    sports_announced = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Number of sports as announced in the source."),
        verbose_name=_("sports announced"),
    )
    colour = models.CharField(
        max_length=7,
        default="#00509E",
        validators=[validate_colour],
        help_text=_(
            "The delegation's main colour (its flag's), e.g. #00B5E2. The site darkens or lightens it "
            "where text needs it to be readable."
        ),
        verbose_name=_("colour"),
    )
    second_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[validate_colour],
        help_text=_("A second flag colour for stripes and share cards, e.g. #EF3340. Optional."),
        verbose_name=_("second colour"),
    )

    explained_constraints = frozenset({"npc_code_is_three_capitals"})

    objects = DelegationManager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
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
        return _("%(country)s at the %(games)s") % {"country": self.local_country, "games": self.games.local_name}

    def meta(self, page=None, description=None):
        """Title, description and structured data for one of the delegation's pages."""
        title = f"{page} – {self.headline}" if page else self.headline
        return {
            "title": title,
            "description": description
            or _("Who competes for %(country)s at the %(games)s, in what, when, and what they won.")
            % {"country": self.local_country, "games": self.games.local_name},
            "type": "website",
            "structured": {
                "@context": "https://schema.org",
                "@type": "SportsTeam",
                "name": self.headline,
                "sport": "Paralympic sports",
                "memberOf": {"@type": "SportsOrganization", "name": self.games.local_name},
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
        if self.pk and (featured := featured_key_changes(self, lambda d: (d.games_id, d.npc_code))):
            raise ValidationError(featured)

    def roster_counts(self):
        """How many athletes are named, how many compete, and in how many sports."""
        competing = Q(status=self.athletes.model.Status.COMPETING)
        return self.athletes.aggregate(
            named=Count("pk"),
            competing=Count("pk", filter=competing),
            sports=Count("sport", distinct=True, filter=competing),
        )

    def medal_tally(self):
        """Gold, silver, bronze and total, by the rule of `Result.objects.tally()`."""
        from team.models.competition import Result

        return Result.objects.filter(entry__athlete__delegation=self).tally()

    def opening_flagbearers(self):
        """The athletes who carried the flag at the opening ceremony, by name."""
        ceremony = self.flagbearers.model.Ceremony.OPENING
        return [
            flagbearer.athlete for flagbearer in self.flagbearers.filter(ceremony=ceremony).select_related("athlete")
        ]

    def previous_record(self):
        """The delegation's medals at the Games these are compared with, as reported; None when not reported."""
        if self.games.previous_id is None:
            return None
        return self.past_records.filter(games_id=self.games.previous_id).first()

    def medal_table_places(self):
        """The delegation's places in the medal table as reported (`Standing`), each with its source: these
        Games' as "current" and the earlier Games' as "previous", None when not reported. One query."""
        places = self.standings.filter(games_id__in=[self.games_id, self.games.previous_id]).select_related(
            "games", "source"
        )
        by_games = {standing.games_id: standing for standing in places}
        return {"current": by_games.get(self.games_id), "previous": by_games.get(self.games.previous_id)}

    @property
    def theme_version(self):
        """Names the delegation's colours: the address of its colours stylesheet (team.theme)."""
        return colour_version(self.colour, self.second_colour)

    @cached_property
    def home_zone(self):
        return zoneinfo.ZoneInfo(self.home_time_zone)


class MedalRecordManager(models.Manager):
    def get_by_natural_key(self, games_slug, npc_code, past_games_slug):
        return self.get(
            delegation__games__slug=games_slug,
            delegation__npc_code=npc_code,
            games__slug=past_games_slug,
        )


class MedalRecord(Sourced):
    """A delegation's medals at an earlier Games, as a source reports them."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="past_records", verbose_name=_("delegation")
    )
    games = models.ForeignKey(
        Games, on_delete=models.PROTECT, related_name="+", help_text=_("The earlier Games."), verbose_name=_("games")
    )
    gold = models.PositiveSmallIntegerField(verbose_name=_("gold"))
    silver = models.PositiveSmallIntegerField(verbose_name=_("silver"))
    bronze = models.PositiveSmallIntegerField(verbose_name=_("bronze"))
    total = models.PositiveSmallIntegerField(
        help_text=_("The total as reported; it is kept even when it does not add up."),
        verbose_name=_("total"),
    )

    objects = MedalRecordManager()

    class Meta:
        verbose_name = _("medal record")
        verbose_name_plural = _("medal records")
        ordering = ["-games__year"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "games"], name="one_record_per_past_games"),
        ]

    def __str__(self):
        return f"{self.delegation.country} at {self.games}: {self.total} medals"

    def natural_key(self):
        return (*self.delegation.natural_key(), self.games.slug)

    natural_key.dependencies = ["team.delegation", "team.games"]


class StandingManager(models.Manager):
    def get_by_natural_key(self, games_slug, npc_code, standing_games_slug):
        return self.get(
            delegation__games__slug=games_slug,
            delegation__npc_code=npc_code,
            games__slug=standing_games_slug,
        )


class Standing(ExplainsConstraints, Sourced):
    """The delegation's place in a Games' medal table, as a source reports it: these Games (while they run, as of
    a day) or the earlier Games they are compared with."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="standings", verbose_name=_("delegation")
    )
    games = models.ForeignKey(
        Games, on_delete=models.PROTECT, related_name="+", help_text=_("Whose medal table."), verbose_name=_("games")
    )
    place = models.PositiveSmallIntegerField(
        help_text=_("The place in the medal table as reported (1 = top)."), verbose_name=_("place")
    )
    tied = models.BooleanField(
        default=False, help_text=_("Tick when the place is shared with another team."), verbose_name=_("tied")
    )
    teams = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("How many teams won medals, if the source says."),
        verbose_name=_("teams"),
    )
    as_of = models.DateField(
        null=True,
        blank=True,
        help_text=_("The day the place was reported; blank for the final table."),
        verbose_name=_("as of"),
    )

    explained_constraints = frozenset({"standing_place_is_positive"})

    objects = StandingManager()

    class Meta:
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        ordering = ["-games__year"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "games"], name="one_standing_per_games"),
            models.CheckConstraint(condition=Q(place__gte=1), name="standing_place_is_positive"),
        ]

    def __str__(self):
        return f"{self.delegation.country} in the {self.games} medal table: {self.place}"

    def natural_key(self):
        return (*self.delegation.natural_key(), self.games.slug)

    natural_key.dependencies = ["team.delegation", "team.games"]

    def clean(self):
        super().clean()
        errors = {}
        if self.place is not None and self.place < 1:
            errors["place"] = _("Places start at 1.")
        elif self.place and self.teams and self.place > self.teams:
            errors["place"] = _("Place %(place)s is below the last of %(teams)s teams.") % {
                "place": self.place,
                "teams": self.teams,
            }
        if self.games_id and self.delegation_id:
            own = self.delegation.games
            if self.games_id not in (own.pk, own.previous_id):
                errors["games"] = _(
                    "Choose the delegation's own Games (%(own)s) or the Games they are compared with."
                ) % {"own": own}
            if self.as_of and self.games_id == own.pk and not own.is_during(self.as_of):
                errors["as_of"] = _("%(day)s is outside %(games)s.") % {"day": self.as_of, "games": own}
        if errors:
            raise ValidationError(errors)
