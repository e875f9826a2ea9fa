"""Reference data shared by every Games: sports and the classification codes explained for readers."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from team.models.languages import Localized, translations
from team.models.review import SlugManager, Sourced


class Sport(Sourced):
    slug = models.SlugField(unique=True, verbose_name=_("slug"))
    name = models.CharField(
        max_length=100, help_text=_("Name readers know, e.g. Para swimming."), verbose_name=_("name")
    )
    name_az, name_ru = translations(name, _("name"))
    description = models.TextField(
        blank=True, help_text=_("One or two plain sentences for readers."), verbose_name=_("description")
    )
    description_az, description_ru = translations(description, _("description"))
    uses_classes = models.BooleanField(
        default=True,
        help_text=_("Untick for sports with a single class, such as para powerlifting (weight categories only)."),
        verbose_name=_("uses classes"),
    )

    objects = SlugManager()

    local_name = Localized("name")
    local_description = Localized("description")

    class Meta:
        verbose_name = _("sport")
        verbose_name_plural = _("sports")
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


class ClassKind(models.TextChoices):
    SPORT_CLASS = "class", _("Sport class")
    EVENT_CODE = "event", _("Event code")


class Impairment(models.TextChoices):
    PHYSICAL = "physical", _("Physical impairment")
    VISUAL = "visual", _("Visual impairment")
    INTELLECTUAL = "intellectual", _("Intellectual impairment")


class SportClass(Sourced):
    """A classification code (S12, T13, K44 …) explained for readers."""

    Kind = ClassKind
    Impairment = Impairment

    code = models.CharField(max_length=12, unique=True, help_text=_("As printed, e.g. S12."), verbose_name=_("code"))
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="classes", verbose_name=_("sport"))
    kind = models.CharField(
        max_length=10,
        choices=Kind,
        default=Kind.SPORT_CLASS,
        help_text=_("Shooting uses event codes (P1, P2 …) where other sports name a class."),
        verbose_name=_("kind"),
    )
    impairment = models.CharField(max_length=20, choices=Impairment, verbose_name=_("impairment"))
    meaning = models.TextField(
        help_text=_("What the code means, in a sentence a reader understands."), verbose_name=_("meaning")
    )
    meaning_az, meaning_ru = translations(meaning, _("meaning"))
    local_meaning = Localized("meaning")

    objects = SportClassManager()

    class Meta:
        verbose_name = _("sport class")
        verbose_name_plural = _("sport classes")
        ordering = ["sport__name", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ClassKind.values), name="sportclass_kind_valid"),
            models.CheckConstraint(
                condition=Q(impairment__in=Impairment.values),
                name="sportclass_impairment_valid",
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("team:classes") + f"#class-{self.code}"

    def natural_key(self):
        return (self.code,)

    @property
    def is_event_code(self):
        return self.kind == ClassKind.EVENT_CODE

    natural_key.dependencies = ["team.sport"]
