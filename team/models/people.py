"""The delegation's athletes, their other spellings and the flagbearers."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from team.models.addresses import keep_former_slug
from team.models.games import Delegation
from team.models.languages import Localized, translations
from team.models.reference import Sport, SportClass
from team.models.review import ExplainsConstraints, ReviewFlag, Sourced
from team.names import search_key


class Gender(models.TextChoices):
    WOMEN = "W", _("Women")
    MEN = "M", _("Men")


class AthleteStatus(models.TextChoices):
    COMPETING = "competing", _("Competing")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: A word must be this long to find athletes by their sport's name ("judo", "swim"), so that a name's initial
#: or first letters do not find a whole sport.
MIN_SPORT_WORD = 4


def query_words(query):
    """The words of a search as (what was typed, its spelling-blind key): "SALEH  Roman" → [("SALEH", "salah"),
    ("Roman", "roman")]. A word whose key is empty (punctuation) is left out unless it holds a digit (a code)."""
    words = []
    for raw in query.split():
        raw = raw.strip(".,;:()[]\"'")
        key = search_key(raw)
        if key or any(character.isdigit() for character in raw):
            words.append((raw[:50], key.replace(" ", "")))
    return words[:8]


def word_starts(key):
    """A name's key has a word starting with `key`."""
    return Q(search_key__startswith=key) | Q(search_key__contains=f" {key}")


class AthleteQuerySet(models.QuerySet):
    def named(self, query):
        """Athletes the words of `query` find, in one query, whatever the order of the words and the spelling
        of each: every word must find the athlete, by the start of a word of the name or of any other
        spelling ("Saleh Roman", "SALEH Roman" as official results print it, "Imamaddin Xəlilov" mixing two
        spellings), by a classification code ("S12") or by the sport ("swimming").

        A word that is none of these finds nobody: letters typed at random ("zzzz", whose key shrinks to one
        letter) and codes with digits that are no class (a single letter is taken as an initial).
        """
        conditions = [self.word_condition(raw, key) for raw, key in query_words(query)]
        if not conditions:
            return self
        return self.filter(*conditions)

    def word_condition(self, raw, key):
        """What one typed word asks of an athlete (see `named`)."""
        from team.models.competition import Entry

        mine = OuterRef("pk")
        classes = Athlete.sport_classes.through.objects.filter(athlete=mine, sportclass__code__iexact=raw)
        entered = Entry.objects.filter(athlete=mine, event__sport_class__code__iexact=raw)
        by_class = Exists(classes) | Exists(entered)
        if not key or any(character.isdigit() for character in raw):
            return by_class
        if len(key) == 1 and len(raw) > 1:
            return Q(pk__in=[])  # "zzzz": not a name, an initial, a class or a sport
        spellings = AthleteName.objects.filter(athlete=mine).filter(word_starts(key))
        condition = by_class | word_starts(key) | Exists(spellings)
        if len(raw) >= MIN_SPORT_WORD:
            condition |= Q(sport__name__istartswith=raw) | Q(sport__name__icontains=f" {raw}")
        return condition

    def with_badges(self):
        """Athletes with what every mention of them shows: the sport, the classes as the list
        `class_list` (by code), the other spellings as the list `spellings` (by name), and two
        flags, `is_flagbearer` and `under_review` (an open review flag on the athlete)."""
        mine = OuterRef("pk")
        return (
            self.select_related("sport")
            .prefetch_related(
                Prefetch("sport_classes", queryset=SportClass.objects.order_by("code"), to_attr="class_list"),
                Prefetch("names", queryset=AthleteName.objects.order_by("name"), to_attr="spellings"),
            )
            .annotate(
                is_flagbearer=Exists(Flagbearer.objects.filter(athlete=mine)),
                under_review=Exists(ReviewFlag.objects.open().filter(athlete=mine)),
            )
        )

    def for_cards(self):
        """Athletes as the roster cards show them: `with_badges()`, their `photo` (its details, never
        the picture's bytes: see `team.models.photos`), and the events they are entered in as the
        list `entry_list` (each with its event, see `Entry.objects.for_cards()`)."""
        from team.models.competition import Entry

        return (
            self.with_badges()
            .select_related("photo")
            .prefetch_related(Prefetch("entries", queryset=Entry.objects.for_cards(), to_attr="entry_list"))
        )

    def for_profile(self):
        """Athletes as their own page shows them: `with_badges()`, their `photo` (as in `for_cards()`) and,
        as the list `entry_list`, every entry with the event's rounds and the athlete's results
        (see `Entry.objects.for_profile()`)."""
        from team.models.competition import Entry

        return (
            self.with_badges()
            .select_related("photo")
            .prefetch_related(Prefetch("entries", queryset=Entry.objects.for_profile(), to_attr="entry_list"))
        )

    def formerly(self, slug):
        """The athletes whose slug was `slug` before a correction (`FormerSlug`), the latest to have had it
        first."""
        return self.filter(former_slugs__slug=slug).order_by("-former_slugs__retired_at", "-former_slugs__pk")


class AthleteManager(models.Manager.from_queryset(AthleteQuerySet)):
    def get_by_natural_key(self, games_slug, npc_code, slug):
        return self.get(delegation__games__slug=games_slug, delegation__npc_code=npc_code, slug=slug)


class Athlete(ExplainsConstraints, Sourced):
    Status = AthleteStatus

    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, related_name="athletes", verbose_name=_("delegation")
    )
    slug = models.SlugField(
        help_text=_(
            "Used in the athlete's web address. When you correct it, the old address keeps working: it redirects here."
        ),
        verbose_name=_("slug"),
    )
    name = models.CharField(
        max_length=200,
        help_text=_("Canonical spelling shown to readers. Other spellings go below."),
        verbose_name=_("name"),
    )
    name_az, name_ru = translations(name, pgettext_lazy("person", "name"))
    gender = models.CharField(max_length=1, choices=Gender, verbose_name=_("gender"))
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="athletes", verbose_name=_("sport"))
    sport_classes = models.ManyToManyField(
        SportClass,
        blank=True,
        related_name="athletes",
        help_text=_("Every class the athlete is reported in (a swimmer may have S, SB and SM)."),
        verbose_name=_("sport classes"),
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.COMPETING, verbose_name=_("status"))
    status_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Required when withdrawn: why, in one line."),
        verbose_name=_("status reason"),
    )
    status_reason_az, status_reason_ru = translations(status_reason, _("reason"))
    search_key = models.CharField(max_length=300, blank=True, editable=False, verbose_name=_("search key"))

    #: The name in the page's language: Azerbaijani pages the Azerbaijani spelling, Russian pages the Cyrillic.
    local_name = Localized("name")
    local_status_reason = Localized("status_reason")

    explained_constraints = frozenset({"withdrawn_athlete_has_reason"})

    objects = AthleteManager()

    class Meta:
        verbose_name = _("athlete")
        verbose_name_plural = _("athletes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "slug"], name="unique_athlete_slug"),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="athlete_gender_valid"),
            models.CheckConstraint(condition=Q(status__in=AthleteStatus.values), name="athlete_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=AthleteStatus.WITHDRAWN) | ~Q(status_reason=""),
                name="withdrawn_athlete_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Found by any of its names: the canonical one and those in Azerbaijani and Russian.
        words = " ".join(search_key(name) for name in (self.name, self.name_az, self.name_ru) if name)
        self.search_key = " ".join(dict.fromkeys(words.split()))
        keep_former_slug(self, "athlete")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("team:athlete", kwargs={"slug": self.slug})

    def meta(self):
        games = self.delegation.games
        return {
            "title": _("%(name)s – %(sport)s – %(country)s at %(games)s")
            % {
                "name": self.local_name,
                "sport": self.sport.local_name,
                "country": self.delegation.local_country,
                "games": games.local_name,
            },
            "description": _(
                "%(name)s competes for %(country)s in %(sport)s at the %(games)s: events, schedule and results."
            )
            % {
                "name": self.local_name,
                "country": self.delegation.local_country,
                "sport": self.sport.local_name.lower(),
                "games": games.local_name,
            },
            "type": "profile",
            "structured": {
                "@context": "https://schema.org",
                "@type": "Person",
                "name": self.local_name,
                "alternateName": [name for name, _lang in self.other_names],
                "nationality": self.delegation.local_country,
                "memberOf": {"@type": "SportsTeam", "name": self.delegation.headline},
            },
        }

    def natural_key(self):
        return (*self.delegation.natural_key(), self.slug)

    natural_key.dependencies = ["team.delegation", "team.sport"]

    @property
    def is_withdrawn(self):
        return self.status == AthleteStatus.WITHDRAWN

    @cached_property
    def other_names(self):
        """The names readers may also know the athlete by, besides the one this page shows (`local_name`):
        each as (name, the language it is written in) for its `lang` attribute, each once. From the fields
        and the other spellings on file (`spellings`, prefetched by the pages that show them); kept for the
        request, as a card asks for it twice."""
        tagged = [(self.name, "en"), (self.name_az, "az"), (self.name_ru, "ru")]
        tagged += [(spelling.name, spelling.lang) for spelling in self.spellings]
        shown, seen, others = self.local_name, set(), []
        for name, lang in tagged:
            if name and name != shown and name not in seen:
                seen.add(name)
                others.append((name, lang))
        return others

    def clean(self):
        super().clean()
        if self.is_withdrawn and not self.status_reason:
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

    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="names", verbose_name=_("athlete"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    script = models.CharField(max_length=12, choices=Script, default=Script.LATIN, verbose_name=_("script"))
    search_key = models.CharField(max_length=300, blank=True, editable=False, verbose_name=_("search key"))

    objects = AthleteNameManager()

    class Meta:
        verbose_name = _("athlete name")
        verbose_name_plural = _("athlete names")
        ordering = ["athlete", "name"]
        constraints = [
            models.UniqueConstraint(fields=["athlete", "name"], name="unique_spelling_per_athlete"),
        ]

    def __str__(self):
        return self.name

    #: The language each script is written in, for the `lang` attribute of a spelling shown inline.
    SCRIPT_LANGUAGE = {Script.LATIN: "en", Script.AZERBAIJANI: "az", Script.CYRILLIC: "ru"}

    @property
    def lang(self):
        return self.SCRIPT_LANGUAGE.get(self.script, "und")

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


class Ceremony(models.TextChoices):
    OPENING = "opening", _("Opening ceremony")
    CLOSING = "closing", _("Closing ceremony")


class Flagbearer(Sourced):
    Ceremony = Ceremony

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="flagbearers", verbose_name=_("delegation")
    )
    athlete = models.ForeignKey(Athlete, on_delete=models.CASCADE, related_name="+", verbose_name=_("athlete"))
    ceremony = models.CharField(max_length=10, choices=Ceremony, default=Ceremony.OPENING, verbose_name=_("ceremony"))

    objects = FlagbearerManager()

    class Meta:
        verbose_name = _("flagbearer")
        verbose_name_plural = _("flagbearers")
        ordering = ["delegation", "athlete__name"]
        constraints = [
            models.UniqueConstraint(fields=["delegation", "athlete", "ceremony"], name="unique_flagbearer"),
            models.CheckConstraint(condition=Q(ceremony__in=Ceremony.values), name="ceremony_valid"),
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
