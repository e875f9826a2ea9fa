"""The record of every change editors make (written by `team.history`)."""

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from team.models.languages import Localized, translations


class ChangeAction(models.TextChoices):
    ADDED = "added", _("Added")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


class ChangeQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def corrections(self):
        """Changes to published facts that carry a note for readers."""
        return self.exclude(correction_note="")

    def corrections_log(self, most=200):
        """The corrections log as readers read it: one `Correction` per action that corrected a published fact
        (an admin save with its inline rows, a bulk withdrawal …: the changes of one `batch`), latest first,
        the `most` latest at most. One query."""
        noted = self.corrections().order_by("-at", "-pk").values("batch")[:most]
        changes = (
            self.filter(batch__in=models.Subquery(noted))
            .select_related("source", "content_type")
            .order_by("-at", "-pk")
        )
        log = {}
        for change in changes:
            log.setdefault(change.batch, []).append(change)
        return [Correction.of(sorted(batch, key=lambda change: (change.position, change.pk))) for batch in log.values()]


@dataclass
class Correction:
    """One entry of the readers' corrections log: the note (once), the records it concerns, what changed in
    each (`lines`: record, summary), when, and the source it cites (None when it cites none)."""

    at: object
    notes: list = field(default_factory=list)
    records: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    source: object = None

    @classmethod
    def of(cls, changes):
        """The entry for the changes of one batch, in the order they were made."""
        correction = cls(at=max(change.at for change in changes))
        correction.source = next((change.source for change in changes if change.source_id), None)
        for change in changes:
            if change.is_citation_of(correction.source):
                continue  # the source added to be cited is named as the source
            note, summary = change.local_correction_note, change.local_summary
            if note and note not in correction.notes:
                correction.notes.append(note)
            if summary:
                correction.lines.append((change.object_repr, summary))
            if (change.summary or change.correction_note) and change.object_repr not in correction.records:
                correction.records.append(change.object_repr)
        return correction


class Change(models.Model):
    """One recorded change to the data: who, when, and each field's old and new value.

    Written by `team.history` for every save and delete made through the admin,
    bulk actions and reverts included. A change with a correction note is
    published in the readers' corrections log.
    """

    Action = ChangeAction

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("content type")
    )
    object_id = models.CharField(max_length=64, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=300, verbose_name=_("record"))
    action = models.CharField(max_length=10, choices=Action, verbose_name=_("action"))
    fields = models.JSONField(
        default=dict, help_text=_("Field name → [old value, new value]."), verbose_name=_("fields")
    )
    snapshot = models.JSONField(
        default=dict, help_text=_("The whole record after the change (before, if deleted)."), verbose_name=_("snapshot")
    )
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The record's version after the change."), verbose_name=_("version")
    )
    batch = models.UUIDField(
        default=uuid.uuid4, help_text=_("Changes made by one action share a batch."), verbose_name=_("batch")
    )
    position = models.PositiveIntegerField(
        default=0, help_text=_("Order within the batch."), verbose_name=_("position")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("at"))
    correction_note = models.TextField(
        blank=True, help_text=_("Shown to readers in the corrections log."), verbose_name=_("correction note")
    )
    correction_note_az, correction_note_ru = translations(correction_note, _("correction note"))
    summary = models.TextField(
        blank=True,
        help_text=_("What changed, in words, as readers see it in the corrections log."),
        verbose_name=_("summary"),
    )
    # Written in each language when the change is recorded, so the log costs no more to show in any of them.
    summary_az, summary_ru = translations(summary, _("summary"))
    reverts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reverted_by", verbose_name=_("reverts")
    )
    source = models.ForeignKey(
        "team.Source",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text=_("Where the corrected fact comes from, shown to readers beside the correction."),
        verbose_name=_("source"),
    )

    objects = ChangeQuerySet.as_manager()

    local_correction_note = Localized("correction_note")
    local_summary = Localized("summary")

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="change_object")]
        permissions = [("revert_change", "Can revert a recorded change")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=ChangeAction.values), name="change_action_valid"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def is_citation_of(self, source):
        """Whether this change is about `source` itself (adding the source a correction cites)."""
        return (
            source is not None
            and self.content_type.app_label == "team"
            and self.content_type.model == "source"
            and self.object_id == str(source.pk)
        )


class Publication(models.Model):
    """What readers see, as of when: one row the database itself moves on whenever the delegation's data changes.

    Triggers on every table of this app (`team/triggers.py`) raise `generation`
    and set `changed_at` in the same transaction as the change, whatever made
    it: the admin, a bulk action, the shell, `loaddata` or a restore; `migrate`
    moves it on once it has run. The readers' page cache (`team.caching`) keys
    every stored page by the generation, so a committed change can never stay
    hidden behind a cached page, even when the cache was unreachable at commit time.
    """

    generation = models.PositiveBigIntegerField(
        default=0,
        help_text=_("Microseconds since the epoch at the last change, or one more than before."),
        verbose_name=_("generation"),
    )
    changed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When readers' data last changed."), verbose_name=_("changed at")
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        default_permissions = ()

    def __str__(self):
        return f"Generation {self.generation} ({self.changed_at})"
