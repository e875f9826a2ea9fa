"""Recording and reverting editors' changes.

Every save and delete made through the admin goes through `record_save` or
`delete_with_history`, which store a `Change` row with each field's old and new
value. `revert` undoes a change (or a whole deletion, cascade included) and is
itself recorded, so the history only ever grows.
"""

import json
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router, transaction
from django.db.models.deletion import Collector
from django.utils import translation
from django.utils.translation import gettext as _

from team.models import Change

BOOKKEEPING = {"version", "updated_at"}

#: Fields readers never see: kept in the editors' history, left out of what the corrections log says changed.
INTERNAL_FIELDS = frozenset(
    {
        "version",
        "updated_at",
        "search_key",
        "order",
        "source",
        "source_quote",
        "created_at",
        "resolved_at",
        "resolved_by",
        "original",
        "width",
        "height",
    }
)
#: Records readers never see (by model name): their changes are in the editors' history only.
INTERNAL_MODELS = frozenset({"reviewflag", "formerslug", "athletephoto", "photooriginal", "change", "publication"})
#: A text longer than this (or of more than one line) is not quoted in the corrections log: "text revised".
QUOTED_TEXT_LENGTH = 200


def normalise_text(text):
    """Text as it is kept: line breaks as LF (browsers send CRLF), no blank space at line ends or around it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip(" \t") for line in lines).strip()


def same_value(old, new):
    """Whether two stored values are the same, texts compared as kept (`normalise_text`)."""
    if isinstance(old, str) and isinstance(new, str):
        return normalise_text(old) == normalise_text(new)
    return old == new


def snapshot(obj):
    """The record's fields as JSON-ready values (foreign keys as primary keys, many-to-many as lists)."""
    if obj is None:
        return {}
    fields = json.loads(serializers.serialize("json", [obj]))[0]["fields"]
    return {name: value for name, value in fields.items() if name not in BOOKKEEPING}


def stored_snapshot(obj):
    """The record as the database holds it now, before an unsaved edit is written."""
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored)


def diff(before, after):
    """Field name → [old, new] for each field that changed; a text that differs only in its line breaks or its
    blank space at line ends (an old CRLF text saved again as LF) has not changed."""
    names = before.keys() | after.keys()
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(names)
        if not same_value(before.get(name), after.get(name))
    }


def reader_summaries(model, fields, action, record=""):
    """`reader_summary` in every readers' language, as the keyword arguments of a `Change`: `summary` (English),
    `summary_az`, `summary_ru`. Related records are looked up once for all of them."""
    names = {}
    written = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            key = "summary" if code == settings.LANGUAGE_CODE else f"summary_{code}"
            written[key] = reader_summary(model, fields, action, record, names)
    return written


def reader_summary(model, fields, action, record="", names=None):
    """What changed, as readers see it in the corrections log, in the active language: only the fields readers
    see, long texts not quoted. `fields` is field name → [old, new]; `record` names an added or deleted record;
    `names` keeps related records' names already looked up (see `describe`)."""
    if model._meta.model_name in INTERNAL_MODELS:
        return ""
    kind = model._meta.verbose_name
    if action == Change.Action.ADDED:
        return _("new %(kind)s: “%(record)s”") % {"kind": kind, "record": record}
    if action == Change.Action.DELETED:
        return _("%(kind)s removed: “%(record)s”") % {"kind": kind, "record": record}
    parts = []
    for name, (old, new) in fields.items():
        if name in INTERNAL_FIELDS:
            continue
        if name == "slug":
            if not hasattr(model, "get_absolute_url"):
                continue
            field = _("web address")
        else:
            field = label(model, name)
        if any(isinstance(value, str) and is_long_text(value) for value in (old, new)):
            parts.append(_("%(field)s: text revised") % {"field": field})
        else:
            parts.append(f"{field}: “{describe(model, name, old, names)}” → “{describe(model, name, new, names)}”")
    return "; ".join(parts)


def is_long_text(text):
    return len(text) > QUOTED_TEXT_LENGTH or "\n" in text.strip()


def record_save(obj, before, user, note="", reverts=None, batch=None, source=None, translated_notes=None):
    """Record that `obj` was added (empty `before`) or changed; nothing is recorded when nothing changed.

    Saves made by one action (an admin save with its inline rows, a round's results entered at the desk, an
    import, a bulk action) pass the same `batch`, so the history shows them together, `revert_batch` undoes
    them in one step and the corrections log shows them as one correction. `source` is the publication a
    correction cites (shown to readers beside its note); `translated_notes` the note in the other languages
    ({"az": …, "ru": …}), where the editor gave them. The change's summaries say what changed in the fields
    readers see, in each language (`reader_summaries`); `fields` keeps every field for the editors' history.
    """
    after = snapshot(obj)
    fields = diff(before, after)
    if not fields:
        return None
    model = type(obj)
    action = Change.Action.CHANGED if before else Change.Action.ADDED
    position = 0
    if batch is None:
        batch = uuid.uuid4()
    else:
        position = Change.objects.filter(batch=batch).count() + 1
    return Change.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        fields=fields,
        snapshot=after,
        version=getattr(obj, "version", None),
        batch=batch,
        position=position,
        user=user,
        correction_note=note if before else "",
        **{f"correction_note_{code}": text for code, text in (translated_notes or {}).items() if before and note},
        **reader_summaries(model, fields, action, str(obj)),
        reverts=reverts,
        source=source if before else None,
    )


def delete_with_history(objs, user, reverts=None, batch=None):
    """Delete `objs` and everything that cascades with them, recording each record deleted (in `batch` when
    the deletion is part of a larger save, such as an inline row removed in an admin save)."""
    objs = list(objs)
    if not objs:
        return
    using = router.db_for_write(type(objs[0]))
    collector = Collector(using=using)
    collector.collect(objs)
    collector.sort()
    first = 1
    if batch is None:
        batch = uuid.uuid4()
    else:
        first = Change.objects.filter(batch=batch).count() + 1
    # Records deleted in bulk by the collector (leaves of the cascade) go first, as they are deleted first.
    doomed = [instance for queryset in collector.fast_deletes for instance in queryset]
    doomed += [instance for instances in collector.data.values() for instance in instances]
    # Many-to-many link rows are restored with the record that owns them (they are in its snapshot).
    doomed = [instance for instance in doomed if not instance._meta.auto_created]
    with transaction.atomic(using=using):
        for position, instance in enumerate(doomed, first):
            before = snapshot(instance)
            Change.objects.create(
                content_type=ContentType.objects.get_for_model(instance),
                object_id=str(instance.pk),
                object_repr=str(instance)[:300],
                action=Change.Action.DELETED,
                fields={name: [value, None] for name, value in before.items()},
                snapshot=before,
                version=getattr(instance, "version", None),
                batch=batch,
                position=position,
                user=user,
                **reader_summaries(type(instance), {}, Change.Action.DELETED, str(instance)),
                reverts=reverts,
            )
        collector.delete()


def rebuild(change, fields):
    """An unsaved instance of the changed model with `fields` (serialized values) applied."""
    model = change.content_type.model_class()
    payload = [{"model": model._meta.label_lower, "pk": change.object_id, "fields": fields}]
    (deserialized,) = serializers.deserialize("json", json.dumps(payload), ignorenonexistent=True)
    return deserialized


@transaction.atomic
def revert(change, user):
    """Undo `change`, refusing (with a reason) when the record has moved on since."""
    model = change.content_type.model_class()
    current = model._default_manager.select_for_update().filter(pk=change.object_id).first()

    if change.action == Change.Action.ADDED:
        if current is None:
            raise ValidationError(_("%(record)s no longer exists.") % {"record": change.object_repr})
        now = snapshot(current)
        if any(now.get(name) != value for name, value in change.snapshot.items()):
            # Undoing the addition would delete what an editor saved on the record since.
            raise ValidationError(
                _("%(record)s has been changed since it was added; revert those changes first or delete it by hand.")
                % {"record": change.object_repr}
            )
        delete_with_history([current], user, reverts=change)
        return

    if change.action == Change.Action.DELETED:
        batch = Change.objects.filter(batch=change.batch, action=Change.Action.DELETED).order_by("-position")
        for deleted in batch:
            restore(deleted, user, reverts=change)
        return

    if current is None:
        raise ValidationError(
            _("%(record)s has been deleted since; revert the deletion first.") % {"record": change.object_repr}
        )
    now = snapshot(current)
    moved_on = [name for name, (_old, new) in change.fields.items() if now.get(name) != new]
    if moved_on:
        raise ValidationError(
            _("%(record)s has been changed again since (%(fields)s); revert the later change first or edit it by hand.")
            % {"record": change.object_repr, "fields": ", ".join(moved_on)}
        )
    reverted = rebuild(change, {**now, **{name: old for name, (old, _new) in change.fields.items()}})
    for field in model._meta.concrete_fields:
        if field.name in change.fields:
            setattr(current, field.attname, getattr(reverted.object, field.attname))
    current.full_clean()
    current.save()
    for name, values in reverted.m2m_data.items():
        if name in change.fields:
            getattr(current, name).set(values)
    record_save(current, now, user, reverts=change)


@transaction.atomic
def revert_batch(batch, user):
    """Undo every change of one action (an import, a round entered at the desk) in one step, latest first.

    All or nothing: when any record has moved on since, nothing is reverted and the reason is raised.
    A source the batch added stays on file while the history cites it (a correction keeps its citation).
    Returns how many changes were reverted.
    """
    changes = list(
        Change.objects.filter(batch=batch, reverts__isnull=True)
        .select_related("content_type")
        .order_by("-position", "-pk")
    )
    if not changes:
        raise ValidationError(_("Nothing to revert: this batch has no changes."))
    deletions_done = set()
    for change in changes:
        if change.action == Change.Action.ADDED and cited_source(change):
            continue
        if change.action == Change.Action.DELETED:
            if change.batch in deletions_done:
                continue  # `revert` restores a whole deletion batch at once
            deletions_done.add(change.batch)
        revert(change, user)
    return len(changes)


def cited_source(change):
    """Whether `change` added a source that recorded changes still cite."""
    source = change.content_type.model_class()
    return source is Change.source.field.related_model and Change.objects.filter(source_id=change.object_id).exists()


def restore(deleted, user, reverts):
    model = deleted.content_type.model_class()
    if model._default_manager.filter(pk=deleted.object_id).exists():
        return
    rebuilt = rebuild(deleted, deleted.snapshot)
    obj = rebuilt.object
    obj.full_clean(validate_unique=False)
    obj.save(force_insert=True)
    for name, values in rebuilt.m2m_data.items():
        getattr(obj, name).set(values)
    record_save(obj, {}, user, reverts=reverts)


def describe(model, name, value, names=None):
    """A stored value as an editor reads it: a related record's name, a choice's label (in the active
    language). `names`, when given, keeps the related records' names looked up, for the next call."""
    if value is None or value == "":
        return "—"
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field that no longer exists keeps its raw value
        return str(value)
    if field.is_relation and field.related_model is not None:
        values = value if isinstance(value, list) else [value]
        key = (name, *map(str, values))
        if names is None or key not in names:
            related = field.related_model._default_manager
            found = {str(obj.pk): str(obj) for obj in related.filter(pk__in=values)}
            described = ", ".join(found.get(str(v), str(v)) for v in values) or "—"
            if names is None:
                return described
            names[key] = described
        return names[key]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def label(model, name):
    """A field's name as an editor or reader knows it."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field that no longer exists keeps its name
        return name


def changes_since(obj, version):
    """The recorded changes to `obj` after `version`, oldest first."""
    return Change.objects.for_object(obj).filter(version__gt=version).select_related("user").order_by("at", "pk")
