"""Addresses that follow corrections.

An athlete's or an event's slug is part of its web address, and a slug made from
a misspelt name keeps the error in it. When an editor corrects the slug, the old
one is kept here (`Athlete.save` and `Event.save` do it, whatever saves them),
and the readers' pages answer it with a permanent redirect to the new address.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class FormerSlug(models.Model):
    """A slug an athlete or an event had before, still answered with a redirect."""

    slug = models.SlugField(verbose_name=_("slug"))
    athlete = models.ForeignKey(
        "team.Athlete",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="former_slugs",
        verbose_name=_("athlete"),
    )
    event = models.ForeignKey(
        "team.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="former_slugs",
        verbose_name=_("event"),
    )
    retired_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("changed at"))

    class Meta:
        verbose_name = _("former slug")
        verbose_name_plural = _("former slugs")
        ordering = ["-retired_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(athlete__isnull=False, event__isnull=True) | Q(athlete__isnull=True, event__isnull=False),
                name="former_slug_has_one_owner",
            ),
            models.UniqueConstraint(fields=["athlete", "slug"], name="athlete_former_slug_once"),
            models.UniqueConstraint(fields=["event", "slug"], name="event_former_slug_once"),
        ]

    def __str__(self):
        return f"{self.slug} → {self.athlete or self.event}"


def keep_former_slug(obj, owner):
    """Before `obj` (an athlete or event) is saved: remember its stored slug if the save changes it.

    A slug given back to its owner (a revert) is no longer a former one.
    """
    if obj.pk is None:
        return
    stored = type(obj)._default_manager.filter(pk=obj.pk).values_list("slug", flat=True).first()
    if stored is None or stored == obj.slug:
        return
    FormerSlug.objects.get_or_create(slug=stored, **{owner: obj})
    FormerSlug.objects.filter(slug=obj.slug, **{owner: obj}).delete()
