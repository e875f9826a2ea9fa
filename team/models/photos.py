"""Athletes' photos: the picture an editor chose for an athlete, and the stored bytes of every picture.

Photos live in the database, not on one server's disk, so that every app
server can serve them and every backup (`manage.py backup`) holds them:

* `PhotoOriginal` keeps the bytes of one uploaded picture, once per content,
  under their SHA-256 digest. Pictures are kept after a photo is replaced or
  removed, so that the history can bring an earlier photo back.
* `AthletePhoto` is what editors edit (an inline on the athlete's admin
  page): which picture shows the athlete, what it shows (alt text), whose
  it is (credit), and its size in pixels.

Readers' pages never read the bytes: `select_related("photo")` brings the
digest, the size and the texts, and the renditions are made on demand from
the bytes by `team.photos` at addresses that carry the digest.
"""

import hashlib

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from team.models.review import Edited


class PhotoOriginalManager(models.Manager):
    """Leaves the bytes out unless asked for them (`data_of`): a history entry or a form naming a picture
    must not read megabytes to say which one it is."""

    def get_queryset(self):
        return super().get_queryset().defer("data")

    def keep(self, data):
        """The stored picture with exactly these bytes, stored now if it is new."""
        digest = hashlib.sha256(data).hexdigest()
        original, _created = self.get_or_create(pk=digest, defaults={"data": data})
        return original

    def data_of(self, digest):
        """The bytes of the picture with this digest, or None when there is none."""
        data = self.filter(pk=digest).values_list("data", flat=True).first()
        return None if data is None else bytes(data)


class PhotoOriginal(models.Model):
    """The bytes of one uploaded picture as kept: turned upright, in sRGB, without its metadata (camera,
    place, time), at most `team.photos.KEPT_LONG_SIDE` pixels on its longer side, saved once as a
    high-quality JPEG (see `team.photos.prepare`). Never changed once stored; `save()` derives the
    digest and the size from the bytes."""

    digest = models.CharField(
        primary_key=True,
        max_length=64,
        editable=False,
        help_text=_("SHA-256 of the bytes, in hexadecimal."),
        verbose_name=_("digest"),
    )
    data = models.BinaryField(help_text=_("The picture's bytes (JPEG)."), verbose_name=_("data"))
    size = models.PositiveIntegerField(
        editable=False, help_text=_("How many bytes the picture takes."), verbose_name=_("size")
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    objects = PhotoOriginalManager()

    class Meta:
        verbose_name = _("stored picture")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="photo_original_is_not_empty"),
        ]

    def __str__(self):
        return _("picture %(digest)s (%(kilobytes)d KB)") % {"digest": self.digest[:12], "kilobytes": self.size // 1024}

    def save(self, *args, **kwargs):
        self.digest = hashlib.sha256(self.data).hexdigest()
        self.size = len(self.data)
        super().save(*args, **kwargs)


class AthletePhoto(Edited):
    """The photo shown with an athlete: on the roster's cards, in the medal strip and, larger and
    credited, on the athlete's own page. At most one per athlete.

    `original` is the stored picture; its key is the content digest that the renditions' addresses
    carry, so a new picture gets new addresses. `width` and `height` are the picture's, upright, so
    pages can reserve its space without reading it.
    """

    athlete = models.OneToOneField(
        "team.Athlete", on_delete=models.CASCADE, related_name="photo", verbose_name=_("athlete")
    )
    original = models.ForeignKey(
        PhotoOriginal, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("picture")
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=250,
        help_text=_(
            "What the photo shows, for readers who cannot see it, e.g. “Roman Saleh on the podium in Paris, "
            "holding up his gold medal”. Read out on the athlete's page; the small pictures beside the name "
            "elsewhere are skipped, since the name is said already."
        ),
    )
    credit = models.CharField(
        max_length=200,
        help_text=_(
            "Who took the photo or holds its rights, as it must appear under it, e.g. “NPC Azerbaijan / "
            "R. Aliyev”. Shown on the athlete's page as “Photo: …”."
        ),
        verbose_name=_("credit"),
    )
    width = models.PositiveIntegerField(
        editable=False, help_text=_("The picture's width in pixels, upright."), verbose_name=_("width")
    )
    height = models.PositiveIntegerField(
        editable=False, help_text=_("The picture's height in pixels, upright."), verbose_name=_("height")
    )

    class Meta:
        verbose_name = _("photo")
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""),
                name="photo_has_alt_text",
                violation_error_message=_("Describe what the photo shows (the alt text)."),
            ),
            models.CheckConstraint(
                condition=~Q(credit=""),
                name="photo_has_credit",
                violation_error_message=_("Say who took the photo or holds its rights (the credit)."),
            ),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="photo_has_a_size"),
        ]

    def __str__(self):
        return _("Photo of %(athlete)s") % {"athlete": self.athlete}

    def get_absolute_url(self):
        return self.athlete.get_absolute_url()

    @property
    def digest(self):
        """The content digest of the picture, which its renditions' addresses carry."""
        return self.original_id
