"""Provenance and review: the bookkeeping every edited record carries, the sources facts come
from, and the review flags that tell editors what to check.

`Edited` gives every record a version (the stale-save guard) and a last-changed
time; `Sourced` adds the source and the sentence that states the fact.
"""

import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from team.dates import local_date
from team.models.languages import Localized, translations


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

    version = models.PositiveIntegerField(default=1, editable=False, verbose_name=_("version"))
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
    """A published text (or reference work) that facts were taken from.

    Sources keep arriving during a Games (the official results, a federation's
    release, a later article): one saved without a slug gets one made from its
    outlet, date and title, so editors adding a source in one step never type one.
    """

    #: Room left in the slug for the number that tells apart sources with the same start.
    SLUG_START_LENGTH = 44

    slug = models.SlugField(
        unique=True,
        blank=True,
        help_text=_("Short stable identifier. Leave it blank to have one made from the outlet, date and title."),
        verbose_name=_("slug"),
    )
    outlet = models.CharField(max_length=200, help_text=_("Who published it, e.g. AzerNews."), verbose_name=_("outlet"))
    title = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Headline as published. Leave blank if it is not known."),
        verbose_name=_("title"),
    )
    author = models.CharField(max_length=200, blank=True, help_text=_("Byline, if any."), verbose_name=_("author"))
    published_on = models.DateField(
        null=True, blank=True, help_text=_("Date of publication, if known."), verbose_name=_("published on")
    )
    url = models.URLField(blank=True, help_text=_("Where readers can find the original."), verbose_name=_("url"))
    body = models.TextField(
        blank=True,
        help_text=_("The full text as received. Quoted sentences must appear in it word for word."),
        verbose_name=_("body"),
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language it is written in: pages quoting it mark its words as that language."),
        verbose_name=_("language"),
    )

    objects = SlugManager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["outlet", "slug"]

    def __str__(self):
        return self.title or f"{self.outlet} ({self.slug})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unused_slug(
                Source, f"{self.outlet} {self.published_on or ''} {self.title}", "source", self.SLUG_START_LENGTH
            )
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @property
    def citation(self):
        """e.g. "World Para Athletics, 30 August 2024": who published it and when, for a line beside a fact."""
        published = self.published_on and local_date(self.published_on, "date")
        return ", ".join(part for part in (self.outlet, published) if part)


def unused_slug(model, text, fallback, length=44):
    """`text` as a slug of at most `length` characters cut after a whole word (`fallback` when nothing is left),
    with -2, -3 … added when another `model` row has it."""
    start = slugify(text)
    if len(start) > length:
        start = start[: length + 1].rsplit("-", 1)[0]
    start = start or fallback
    taken = set(model._default_manager.filter(slug__startswith=start).values_list("slug", flat=True))
    candidates = itertools.chain([start], (f"{start}-{number}" for number in itertools.count(2)))
    return next(slug for slug in candidates if slug not in taken)


class Sourced(Edited):
    """Where a fact came from: the source and the sentence that states it."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The publication this fact was taken from. Blank for facts entered by editors."),
        verbose_name=_("source"),
    )
    source_quote = models.TextField(
        blank=True,
        help_text=_("The sentence in the source that states this fact, copied word for word."),
        verbose_name=_("source quote"),
    )

    class Meta(Edited.Meta):
        abstract = True

    def clean(self):
        super().clean()
        if self.source_quote and self.source_id and self.source.body and self.source_quote not in self.source.body:
            raise ValidationError({"source_quote": _("This sentence does not appear word for word in the source.")})


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
    """Something in a source an editor must check, attached to the fact it concerns.

    A flag saved without a slug gets one made from what it is about and its
    note (`athlete-roman-saleh-check-the-spelling`), numbered when another
    flag has it already: editors adding flags from a record's page never type one.
    """

    TARGETS = FLAG_TARGETS
    #: Room left in the slug for the number that tells apart flags with the same start.
    SLUG_START_LENGTH = 44

    slug = models.SlugField(
        unique=True,
        blank=True,
        help_text=_("Short stable identifier. Leave it blank to have one made from what the flag is about."),
        verbose_name=_("slug"),
    )
    note = models.TextField(help_text=_("What to check and why, in plain words."), verbose_name=_("note"))
    note_az, note_ru = translations(note, _("note"))
    local_note = Localized("note")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="flags", verbose_name=_("source")
    )
    games = models.ForeignKey(
        "team.Games", null=True, blank=True, on_delete=models.CASCADE, related_name="flags", verbose_name=_("games")
    )
    delegation = models.ForeignKey(
        "team.Delegation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("delegation"),
    )
    athlete = models.ForeignKey(
        "team.Athlete", null=True, blank=True, on_delete=models.CASCADE, related_name="flags", verbose_name=_("athlete")
    )
    event = models.ForeignKey(
        "team.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="flags", verbose_name=_("event")
    )
    entry = models.ForeignKey(
        "team.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="flags", verbose_name=_("entry")
    )
    round = models.ForeignKey(
        "team.Round", null=True, blank=True, on_delete=models.CASCADE, related_name="flags", verbose_name=_("round")
    )
    medal_record = models.ForeignKey(
        "team.MedalRecord",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("medal record"),
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.TextField(
        blank=True, help_text=_("What was checked and what was done."), verbose_name=_("resolution")
    )

    explained_constraints = frozenset({"flag_has_exactly_one_target", "resolved_flag_says_how"})

    objects = ReviewFlagManager()

    class Meta:
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
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

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unused_slug()
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = [
        f"team.{name}"
        for name in ("source", "games", "delegation", "athlete", "event", "entry", "round", "medalrecord")
    ]

    def unused_slug(self):
        """What the flag is about and the start of its note, with -2, -3 … added when another flag has it."""
        target = self.target
        about = f"{target._meta.model_name} {target}" if target is not None else "flag"
        return unused_slug(ReviewFlag, f"{about} {self.note}", "flag", self.SLUG_START_LENGTH)

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
