"""Reference data shared by every Games: sports and the classification codes explained for readers."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from team.models.review import SlugManager, Sourced


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
