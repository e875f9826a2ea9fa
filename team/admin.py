"""The editors' desk.

Every save and delete goes through `team.history`, so each change records who,
when and what, and can be reverted. Forms refuse stale saves and ask for a
correction note when a published fact changes (`team.forms.EditorForm`).
Changelists annotate what they show, so they run a fixed number of queries.

No input gives a server error. A save, delete or bulk action the database
refuses (two editors' saves crossing, say) is rolled back whole and comes back
as a message that says why (`team.forms.database_refusal`), the form keeping
what the editor typed; an id that cannot be one is refused before it reaches
the database. (A NUL byte in an address is refused by `team.sites`.)
"""

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from team import account_admin, actions, desk, history, imports, models, photos
from team.forms import (
    EditorForm,
    EditorInlineFormSet,
    KeyedModelChoiceField,
    KeyedModelMultipleChoiceField,
    PublicNoteForm,
    ReviewFlagForm,
    ReviewFlagInlineForm,
    SourceChoiceForm,
    WithdrawalForm,
    database_refusal,
    is_usable_key,
    open_flags_of,
)
from team.models.languages import OTHER_LANGUAGES

OPEN_FLAGS = Count("flags", filter=Q(flags__resolved_at__isnull=True), distinct=True)


def stamp_resolution(request, obj):
    """A review flag given a resolution is closed by this editor, now."""
    if isinstance(obj, models.ReviewFlag) and obj.resolution.strip() and obj.resolved_at is None:
        obj.resolved_at = timezone.now()
        obj.resolved_by = request.user


# EditorAdmin puts the database's reason for refusing a save on the request under this name,
# for the form it then builds again (EditorForm.refusal).
REFUSAL_ATTRIBUTE = "newsroom_database_refusal"


class KeyedRelations:
    """Fields choosing related records refuse an id that cannot be one (`team.forms.KeyedChoice`)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeyedModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeyedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class GuardedActions:
    """Bulk actions refuse a selection that is not a list of ids, and run in one transaction: when a
    record fails validation or the database refuses any part, all of it is rolled back and the editor
    is told why."""

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(is_usable_key(self.opts.pk, key) for key in selected):
            self.message_user(
                request,
                _("Nothing was changed: the selection could not be read. Select the records again."),
                messages.WARNING,
            )
            return None  # Django then sends the editor back to the list.
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset, *args, **kwargs)
        except (ValidationError, IntegrityError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else database_refusal(error)
            self.message_user(request, _("Nothing was changed. %(reason)s") % {"reason": reason}, messages.ERROR)
            return None


class EditorInline(KeyedRelations, admin.TabularInline):
    form = EditorForm
    formset = EditorInlineFormSet
    extra = 0
    #: Rows an inline takes at most. A record has a few dozen; a tampered row count would otherwise have
    #: Django build and show 2,000 forms, for longer than a worker is given to answer.
    max_num = 100

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


def warn_of_stale_translations(request, obj, changed):
    """After a save that changed a readers' text in English but left its Azerbaijani or Russian translation
    as it was, say so: those pages would go on showing the old fact until the translation is corrected too."""
    for name in changed:
        translations = [f"{name}_{code}" for code, _language in OTHER_LANGUAGES if hasattr(obj, f"{name}_{code}")]
        if any(getattr(obj, field) and field not in changed for field in translations):
            messages.warning(
                request,
                _(
                    "You changed “%(field)s” in English only. Its translations still say what they said before: "
                    "correct them too, or empty them to show the English."
                )
                % {"field": obj._meta.get_field(name).verbose_name},
            )


class EditorAdmin(KeyedRelations, GuardedActions, admin.ModelAdmin):
    """A ModelAdmin whose every write is recorded in the history."""

    form = EditorForm
    list_per_page = 50

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Django saves a form and its inlines in one transaction. When the database refuses any part
        (another editor's save crossed this one, or a clash validation could not see), the error has
        rolled that transaction back whole; the page is then built again from the same submission,
        refused with the reason, so nothing the editor typed is lost."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            refusal = gettext("Nothing was saved. %(reason)s Everything you entered is still in the form below.")
            setattr(request, REFUSAL_ATTRIBUTE, refusal % {"reason": database_refusal(error)})
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        attributes = {}
        if refusal := getattr(request, REFUSAL_ATTRIBUTE, None):
            attributes["refusal"] = refusal
        if self.corrects_on_page(obj):
            attributes["corrects_on_page"] = True
        if attributes:
            return type(form.__name__, (form,), attributes)
        return form

    def corrects_on_page(self, obj):
        """Whether the page of `obj` takes a correction: a published record whose changes need a note. Its
        correction can then cite a source and close the record's open review flags in the same save."""
        return obj is not None and issubclass(self.form, EditorForm) and self.form.needs_correction_note

    def delete_view(self, request, object_id, extra_context=None):
        """Django deletes in one transaction; when the database refuses (someone linked a record to
        this one meanwhile), it is rolled back and the confirmation page says why."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except IntegrityError as error:
            self.message_user(
                request, _("Nothing was deleted. %(reason)s") % {"reason": database_refusal(error)}, messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())

    def get_ordering(self, request):
        """The model's own order, stated: Django leaves a model's default order out of a grouped query, so the
        count annotations of the lists would leave the autocomplete's results (and its pages) in no order."""
        return self.ordering or self.opts.ordering

    def get_fields(self, request, obj=None):
        """Where a fact came from goes last: editors come for the fact itself. What a correction adds (the
        flags it resolves, the source it cites) is placed by `get_fieldsets`."""
        fields = [name for name in super().get_fields(request, obj) if name not in EditorForm.CORRECTION_FIELDS]
        provenance = [name for name in ("source", "source_quote") if name in fields]
        return [name for name in fields if name not in provenance] + provenance

    def get_fieldsets(self, request, obj=None):
        """On a published record's page: the open review flags to tick beside the correction note, and where
        the correction comes from in a section of its own."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets or not self.corrects_on_page(obj):
            return fieldsets
        (name, options), *others = fieldsets
        fields = list(options["fields"])
        if "correction_note" in fields:
            after_note = fields.index("correction_note") + 1
            fields[after_note:after_note] = list(EditorForm.NOTE_TRANSLATIONS.values())
            if open_flags_of(obj).exists():
                fields.insert(fields.index("correction_note") + 3, "resolves")
        citation = (
            _("Where the correction comes from"),
            {
                "fields": list(EditorForm.CITATION_FIELDS),
                "description": _(
                    "Only when you correct a published fact: choose the source on file, or add the new one "
                    "(outlet, title, address, date). Readers see it beside the correction note."
                ),
            },
        )
        return [(name, {**options, "fields": fields}), *others, citation]

    def save_model(self, request, obj, form, change):
        form.history_before = history.stored_snapshot(obj) if change else {}
        # Everything this save records (the record, its inline rows, a new source, flags closed) is one batch:
        # one correction, one entry in the corrections log, one step to revert.
        form.history_batch = uuid.uuid4()
        stamp_resolution(request, obj)
        super().save_model(request, obj, form, change)
        if change:
            warn_of_stale_translations(request, obj, form.changed_data)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        note = form.cleaned_data.get("correction_note", "").strip()
        batch = getattr(form, "history_batch", None)
        citation = getattr(form, "citation", None)
        source = citation.cited(request.user, batch=batch) if citation is not None and note else None
        translated = {
            code: text.strip()
            for code, name in EditorForm.NOTE_TRANSLATIONS.items()
            if (text := form.cleaned_data.get(name))
        }
        history.record_save(
            form.instance,
            form.history_before,
            request.user,
            note=note,
            batch=batch,
            source=source,
            translated_notes=translated,
        )
        if flags := form.cleaned_data.get("resolves"):
            self.resolve_flags(request, flags, note, batch)

    def resolve_flags(self, request, flags, resolution, batch):
        """Close the review flags a correction settles: by this editor, now, with its note as their resolution."""
        now = timezone.now()
        still_open = models.ReviewFlag.objects.select_for_update().filter(
            pk__in=[flag.pk for flag in flags], resolved_at__isnull=True
        )
        for flag in still_open.order_by("pk"):
            before = history.snapshot(flag)
            flag.resolved_at, flag.resolved_by, flag.resolution = now, request.user, resolution
            flag.save()
            history.record_save(flag, before, request.user, batch=batch)

    def save_formset(self, request, form, formset, change):
        batch = getattr(form, "history_batch", None)
        formset.save(commit=False)  # sorts the forms into new, changed and deleted objects
        if formset.deleted_objects:
            history.delete_with_history(formset.deleted_objects, request.user, batch=batch)
        deleted = set(formset.deleted_forms)
        for inline_form in formset.forms:
            if inline_form in deleted or not inline_form.has_changed():
                continue
            obj = inline_form.instance
            before = history.stored_snapshot(obj)
            stamp_resolution(request, obj)
            obj.save()
            inline_form.save_m2m()
            note = inline_form.cleaned_data.get("correction_note", "").strip()
            history.record_save(obj, before, request.user, note=note, batch=batch)

    def delete_model(self, request, obj):
        history.delete_with_history([obj], request.user)

    def delete_queryset(self, request, queryset):
        history.delete_with_history(queryset, request.user)

    def history_view(self, request, object_id, extra_context=None):
        """The record's own history: our field-by-field changes, not Django's log (also for a deleted record)."""
        content_type = ContentType.objects.get_for_model(self.model)
        query = urlencode({"content_type__id__exact": content_type.pk, "object_id": object_id})
        return HttpResponseRedirect(f"{reverse('admin:team_change_changelist')}?{query}")

    @admin.display(description=_("open flags"), ordering="open_flags")
    def open_flags(self, obj):
        return obj.open_flags or ""

    def save_objects(self, request, objs, change_fields, note="", batch=None, source=None):
        """Apply `change_fields` to each object, validated and recorded one by one (for bulk actions), all in
        one batch; `note` and `source` are the public note and the source of a correction."""
        saved = 0
        batch = batch or uuid.uuid4()
        with transaction.atomic():
            for obj in objs:
                before = history.snapshot(obj)
                for name, value in change_fields.items():
                    setattr(obj, name, value)
                obj.full_clean()
                obj.save()
                history.record_save(obj, before, request.user, note=note, batch=batch, source=source)
                saved += 1
        return saved


class WithdrawalActionMixin:
    """Actions that mark the selected records withdrawn (asking for the reason, shown on the record) or back
    in competition, each with a public note for the corrections log and, if given, the source it comes from:
    the records' changes are one batch, so readers see one correction."""

    @admin.action(description=_("Mark selected as withdrawn…"), permissions=["change"])
    def mark_withdrawn(self, request, queryset):
        def withdraw(form, citation):
            changes = {"status": self.model.Status.WITHDRAWN, "status_reason": form.cleaned_data["reason"]}
            count = self.save_with_note(request, queryset, changes, form.public_note(), citation)
            self.message_user(
                request,
                ngettext("%(count)d record marked withdrawn.", "%(count)d records marked withdrawn.", count)
                % {"count": count},
                messages.SUCCESS,
            )

        return actions.ask(
            self,
            request,
            queryset,
            form_classes={"form": WithdrawalForm, "citation": SourceChoiceForm},
            action="mark_withdrawn",
            title=_("Why are they withdrawn?"),
            template="admin/team/withdrawal_form.html",
            apply=withdraw,
            submit_label=_("Mark withdrawn"),
        )

    @admin.action(description=_("Mark selected as back in competition…"), permissions=["change"])
    def mark_competing(self, request, queryset):
        status = models.Athlete.Status.COMPETING if self.model is models.Athlete else models.Entry.Status.ENTERED

        def reinstate(form, citation):
            changes = {"status": status, "status_reason": ""}
            count = self.save_with_note(request, queryset, changes, form.public_note(), citation)
            self.message_user(request, _("%(count)d records updated.") % {"count": count}, messages.SUCCESS)

        return actions.ask(
            self,
            request,
            queryset,
            form_classes={"form": PublicNoteForm, "citation": SourceChoiceForm},
            action="mark_competing",
            title=_("Back in competition: what do readers need to know?"),
            template="admin/team/withdrawal_form.html",
            apply=reinstate,
            submit_label=_("Mark back in competition"),
        )

    def save_with_note(self, request, queryset, changes, note, citation):
        batch = uuid.uuid4()
        source = citation.cited(request.user, batch=batch)
        return self.save_objects(request, queryset, changes, note=note, batch=batch, source=source)


class ReviewFlagInline(EditorInline):
    model = models.ReviewFlag
    form = ReviewFlagInlineForm
    fields = ["note", "resolution", "resolved_by", "resolved_at"]
    readonly_fields = ["resolved_by", "resolved_at"]
    verbose_name_plural = _("review flags (write a resolution to close one)")


# Reference data


@admin.register(models.Source)
class SourceAdmin(EditorAdmin):
    list_display = ["__str__", "outlet", "author", "published_on", "open_flags", "updated_at"]
    search_fields = ["title", "outlet", "author", "slug"]
    inlines = [ReviewFlagInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS)


@admin.register(models.Sport)
class SportAdmin(EditorAdmin):
    list_display = ["name", "slug", "uses_classes", "updated_at"]
    search_fields = ["name", "slug"]


@admin.register(models.SportClass)
class SportClassAdmin(EditorAdmin):
    list_display = ["code", "sport", "kind", "impairment", "meaning"]
    list_filter = ["sport", "impairment", "kind"]
    list_select_related = ["sport"]
    search_fields = ["code", "meaning"]


# The Games and the delegation


class GamesFactInline(EditorInline):
    model = models.GamesFact
    fields = ["label", "value", "number", "order", "seen_version", "correction_note"]


@admin.register(models.Games)
class GamesAdmin(EditorAdmin):
    list_display = ["name", "host_city", "start_date", "end_date", "time_zone", "open_flags", "updated_at"]
    search_fields = ["name", "host_city"]
    inlines = [GamesFactInline, ReviewFlagInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS)


class FlagbearerInline(EditorInline):
    model = models.Flagbearer
    autocomplete_fields = ["athlete"]
    fields = ["athlete", "ceremony", "seen_version", "correction_note"]


class MedalRecordInline(EditorInline):
    model = models.MedalRecord
    fields = ["games", "gold", "silver", "bronze", "total", "seen_version", "correction_note"]


class StandingInline(EditorInline):
    model = models.Standing
    fields = [
        "games",
        "place",
        "tied",
        "teams",
        "as_of",
        "source",
        "source_quote",
        "seen_version",
        "correction_note",
    ]
    verbose_name_plural = _("places in medal tables (these Games as they run, and the Games compared with)")


@admin.register(models.Delegation)
class DelegationAdmin(EditorAdmin):
    list_display = ["__str__", "npc_code", "athletes_announced", "sports_announced", "open_flags", "updated_at"]
    list_select_related = ["games"]
    inlines = [FlagbearerInline, MedalRecordInline, StandingInline, ReviewFlagInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS)


@admin.register(models.MedalRecord)
class MedalRecordAdmin(EditorAdmin):
    list_display = ["__str__", "gold", "silver", "bronze", "total", "open_flags", "updated_at"]
    list_select_related = ["delegation__games", "games"]
    inlines = [ReviewFlagInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS)


@admin.register(models.Standing)
class StandingAdmin(EditorAdmin):
    list_display = ["__str__", "games", "place", "tied", "teams", "as_of", "updated_at"]
    list_filter = ["games"]
    list_select_related = ["delegation__games", "games"]


@admin.register(models.Flagbearer)
class FlagbearerAdmin(EditorAdmin):
    list_display = ["athlete", "delegation", "ceremony", "updated_at"]
    list_select_related = ["athlete", "delegation__games"]
    autocomplete_fields = ["athlete"]


@admin.register(models.GamesFact)
class GamesFactAdmin(EditorAdmin):
    list_display = ["label", "value", "games", "updated_at"]
    list_select_related = ["games"]
    search_fields = ["label", "value"]


# Athletes


@admin.register(models.AthleteName)
class AthleteNameAdmin(EditorAdmin):
    list_display = ["name", "athlete", "script", "updated_at"]
    list_select_related = ["athlete"]
    search_fields = ["name", "athlete__name"]
    autocomplete_fields = ["athlete"]


class AthleteNameInline(EditorInline):
    model = models.AthleteName
    fields = ["name", "script", "seen_version", "correction_note"]
    verbose_name_plural = _("other spellings (keep old spellings so searches still find the athlete)")


class AthleteEntryInline(EditorInline):
    model = models.Entry
    fields = ["event", "status", "status_reason", "results_desk", "seen_version", "correction_note"]
    readonly_fields = ["results_desk"]
    autocomplete_fields = ["event"]
    results_desk = desk.entry_desk_link
    show_change_link = True
    verbose_name_plural = _("events entered")


class AthletePhotoForm(EditorForm):
    """The athlete's photo: a picture file (checked and made ready to keep by `team.photos.prepare`), what it
    shows and whose it is. Guarded against lost updates like every editor form; a photo is not a published
    fact, so changing it asks for no correction note (it is recorded in the history all the same)."""

    needs_correction_note = False

    upload = forms.FileField(
        required=False,
        label=_("Photo file"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=format_lazy(
            _(
                "A JPEG, PNG or WebP photo of at most {megabytes} MB and at least {pixels} pixels on each side. "
                "It is turned upright and cleared of camera and location data; readers get smaller copies made "
                "from it. To replace the photo, choose another file."
            ),
            megabytes=photos.MAX_UPLOAD_BYTES // (1024 * 1024),
            pixels=photos.MIN_SIDE,
        ),
    )

    class Meta:
        model = models.AthletePhoto
        fields = ["alt_text", "credit"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            if self.instance.pk is None:
                raise ValidationError(_("Choose the photo file to upload."), code="required")
            return None
        return photos.prepare(upload)

    def clean(self):
        cleaned = super().clean()
        if prepared := cleaned.get("upload"):
            self.instance.width, self.instance.height = prepared.width, prepared.height
        return cleaned

    def save(self, commit=True):
        if prepared := self.cleaned_data.get("upload"):
            # The photo points at the stored picture, so the picture is stored first, even when the
            # admin asks for the photo without saving it yet: all of it is one transaction.
            self.instance.original = models.PhotoOriginal.objects.keep(prepared.data)
        return super().save(commit)


class AthletePhotoInline(KeyedRelations, admin.StackedInline):
    model = models.AthletePhoto
    form = AthletePhotoForm
    formset = EditorInlineFormSet
    extra = 1
    max_num = 1
    fields = ["preview", "upload", "alt_text", "credit", "seen_version"]
    readonly_fields = ["preview"]
    verbose_name_plural = _("photo (shown on the athlete's page, the roster and the medal strip)")

    @admin.display(description=_("current photo"))
    def preview(self, photo):
        if photo.pk is None:
            return _("No photo yet: readers see the athlete's initials.")
        url = photos.rendition_url(photo.digest, "full", photos.widths("full", photo.width, photo.height)[0], "jpg")
        return format_html(
            '<img src="{}" width="{}" height="{}" alt=""><br>{}',
            url,
            120,
            round(120 * photo.height / photo.width),
            _("%(width)d × %(height)d pixels, as kept") % {"width": photo.width, "height": photo.height},
        )


@admin.register(models.Athlete)
class AthleteAdmin(WithdrawalActionMixin, EditorAdmin):
    list_display = ["name", "sport", "gender", "status", "open_flags", "updated_at"]
    list_filter = ["status", "gender", "sport"]
    list_select_related = ["sport"]
    search_fields = ["name"]
    search_help_text = _("Any spelling: Latin, Azerbaijani letters (with or without ə, ı, ş …) or Cyrillic.")
    filter_horizontal = ["sport_classes"]
    inlines = [AthletePhotoInline, AthleteNameInline, AthleteEntryInline, ReviewFlagInline]
    actions = ["mark_withdrawn", "mark_competing"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS)

    def get_urls(self):
        # Photos are edited on their athlete's page; the history's link to a photo leads there.
        photo = self.admin_site.admin_view(self.photo_view)
        return [path("photos/<path:object_id>/change/", photo, name="team_athletephoto_change"), *super().get_urls()]

    def photo_view(self, request, object_id):
        """The athlete's page of the photo `object_id`, where it is edited, or the list if there is no such photo."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        key = models.AthletePhoto._meta.pk
        photo = models.AthletePhoto.objects.filter(pk=object_id).first() if is_usable_key(key, object_id) else None
        if photo is None:
            self.message_user(request, _("That photo no longer exists."), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:team_athlete_changelist"))
        return HttpResponseRedirect(reverse("admin:team_athlete_change", args=[photo.athlete_id]) + "#photo-group")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.named(search_term), False


# Events, entries, rounds and results


class EventEntryInline(EditorInline):
    model = models.Entry
    fields = ["athlete", "status", "status_reason", "seen_version", "correction_note"]
    autocomplete_fields = ["athlete"]
    verbose_name_plural = _("athletes entered")


class RoundInline(EditorInline):
    model = models.Round
    fields = [
        "kind",
        "label",
        "order",
        "scheduled_date",
        "scheduled_time",
        "results_desk",
        "seen_version",
        "correction_note",
    ]
    readonly_fields = ["results_desk"]
    show_change_link = True
    results_desk = desk.round_desk_link
    verbose_name_plural = _("rounds (open a round to enter its results)")


@admin.register(models.Event)
class EventAdmin(EditorAdmin):
    list_display = ["__str__", "sport", "gender", "sport_class", "entered", "open_flags", "updated_at"]
    list_filter = ["sport", "gender", "mark_kind"]
    list_select_related = ["sport", "sport_class"]
    search_fields = ["slug", "discipline", "sport__name", "sport_class__code"]
    inlines = [EventEntryInline, RoundInline, ReviewFlagInline]
    readonly_fields = ["results_desk"]
    results_desk = desk.event_desk_links
    change_form_template = "admin/team/import/event_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS, entered=Count("entries", distinct=True))

    @admin.display(description=_("athletes"), ordering="entered")
    def entered(self, obj):
        return obj.entered


@admin.register(models.Entry)
class EntryAdmin(WithdrawalActionMixin, EditorAdmin):
    list_display = ["athlete", "event", "status", "open_flags", "updated_at"]
    list_filter = ["status", "event__sport"]
    list_select_related = ["athlete", "event__sport", "event__sport_class"]
    search_fields = ["athlete__name", "event__discipline"]
    autocomplete_fields = ["athlete", "event"]
    inlines = [ReviewFlagInline]
    actions = ["mark_withdrawn", "mark_competing"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_flags=OPEN_FLAGS)


class ResultInline(EditorInline):
    model = models.Result
    fields = [
        "entry",
        "rank",
        "mark",
        "medal",
        "tie",
        "status",
        "record",
        "progress",
        "settled",
        "source",
        "seen_version",
        "correction_note",
    ]
    verbose_name_plural = _("results")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "entry":
            # Only athletes entered in this round's event can have a result in it.
            round_id = request.resolver_match.kwargs.get("object_id")
            event = models.Event.objects.filter(rounds__pk=round_id).first() if round_id else None
            kwargs["queryset"] = models.Entry.objects.filter(event=event).select_related("athlete", "event__sport")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(models.Round)
class RoundAdmin(EditorAdmin):
    list_display = [
        "__str__",
        "kind",
        "scheduled_date",
        "scheduled_time",
        "results_entered",
        "open_flags",
        "updated_at",
    ]
    list_filter = ["kind", "event__sport"]
    list_select_related = ["event__sport", "event__sport_class"]
    search_fields = ["event__discipline", "event__slug", "label"]
    autocomplete_fields = ["event"]
    inlines = [ResultInline, ReviewFlagInline]
    change_list_template = "admin/team/import/round_change_list.html"

    def get_urls(self):
        importer = self.admin_site.admin_view(imports.import_view)
        return [
            path("import/", importer, {"admin_site": self.admin_site}, name="team_import"),
            *desk.ResultsDeskViews(self.admin_site).get_urls(),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_flags=OPEN_FLAGS, results_entered=Count("results", distinct=True))
        )

    @admin.display(description=_("results"), ordering="results_entered")
    def results_entered(self, obj):
        return obj.results_entered


@admin.register(models.Result)
class ResultAdmin(EditorAdmin):
    list_display = ["__str__", "rank", "mark", "medal", "status", "settled", "updated_at"]
    list_filter = ["medal", "status", "settled", "round__kind"]
    list_select_related = ["entry__athlete", "round__event__sport", "round__event__sport_class"]
    search_fields = ["entry__athlete__name", "round__event__discipline"]
    autocomplete_fields = ["entry", "round", "source"]


# Former web addresses


@admin.register(models.FormerSlug)
class FormerSlugAdmin(admin.ModelAdmin):
    """The web addresses athletes and events had before a correction, still redirected: a list to look at.

    They are kept by the athlete's or event's own save (`team.models.addresses`) and go with their record, so
    no one adds, changes or deletes one here; deleting an athlete or event may take its old addresses along.
    """

    list_display = ["slug", "athlete", "event", "retired_at"]
    list_select_related = ["athlete", "event__sport", "event__sport_class"]
    search_fields = ["slug", "athlete__name", "event__slug"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        """Never from this list; an old address goes with its athlete or event, for whoever may delete that."""
        if obj is None:
            return False
        owner = "athlete" if obj.athlete_id else "event"
        return request.user.has_perm(f"team.delete_{owner}")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "show_delete": False})

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


# The review queue


class OpenFlagFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("To do")), ("resolved", _("Resolved")), ("all", _("All"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        state = self.value() or "open"
        if state == "open":
            return queryset.open()
        if state == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(models.ReviewFlag)
class ReviewFlagAdmin(EditorAdmin):
    form = ReviewFlagForm
    list_display = ["note_summary", "target_link", "created_at", "resolved_by", "resolved_at"]
    list_filter = [OpenFlagFilter]
    # Everything a target's name is made of, so the "about" column costs no extra query.
    list_select_related = [
        "source",
        "games",
        "delegation__games",
        "athlete",
        "event__sport",
        "event__sport_class",
        "entry__athlete",
        "entry__event__sport",
        "entry__event__sport_class",
        "round__event__sport",
        "round__event__sport_class",
        "medal_record__delegation__games",
        "medal_record__games",
        "resolved_by",
    ]
    search_fields = ["slug", "note", "resolution"]
    readonly_fields = ["target_link", "created_at", "resolved_by", "resolved_at"]
    fields = ["note", "target_link", "resolution", "created_at", "resolved_by", "resolved_at", "seen_version"]
    actions = ["reopen"]

    def get_fields(self, request, obj=None):
        if obj is None:  # a new flag: choose what it is attached to
            return ["slug", "note", *models.ReviewFlag.TARGETS, "seen_version"]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_autocomplete_fields(self, request):
        return ["athlete", "event", "entry", "round"]

    @admin.display(description=_("what to check"))
    def note_summary(self, flag):
        return flag.note if len(flag.note) <= 140 else f"{flag.note[:139]}…"

    @admin.display(description=_("about"))
    def target_link(self, flag):
        target = flag.target
        if target is None:
            return "—"
        url = reverse(f"admin:team_{target._meta.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}: {}</a>', url, target._meta.verbose_name, target)

    @admin.action(description=_("Reopen selected flags"), permissions=["change"])
    def reopen(self, request, queryset):
        count = self.save_objects(request, queryset, {"resolved_at": None, "resolved_by": None, "resolution": ""})
        self.message_user(request, _("%(count)d flags reopened.") % {"count": count}, messages.SUCCESS)


# History


class HistoryChangeList(ChangeList):
    """The history's list, whose drill-down by date treats a year beyond any calendar as a wrong filter."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:  # Django expects only ValueError from the date of ?at__year=…
            raise IncorrectLookupParameters(error) from error


@admin.register(models.Change)
class ChangeAdmin(GuardedActions, admin.ModelAdmin):
    """The record of every change: read-only, filterable, and revertible by those allowed to."""

    list_display = ["at", "user", "action", "record_link", "changed_fields", "correction_note", "reverts"]
    list_filter = ["action", "content_type", ("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "content_type", "reverts"]
    search_fields = ["object_repr", "correction_note"]
    date_hierarchy = "at"
    fields = [
        "at",
        "user",
        "action",
        "record_link",
        "diff_table",
        "correction_note",
        "reverts",
        "revert_button",
        "batch_link",
    ]
    readonly_fields = fields
    actions = ["revert_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revert_permission(self, request):
        return request.user.has_perm("team.revert_change")

    def get_changelist(self, request, **kwargs):
        return HistoryChangeList

    def get_urls(self):
        revert = self.admin_site.admin_view(self.revert_view)
        revert_batch = self.admin_site.admin_view(self.revert_batch_view)
        return [
            path("<int:pk>/revert/", revert, name="team_change_revert"),
            path("<int:pk>/revert-batch/", revert_batch, name="team_change_revert_batch"),
            *super().get_urls(),
        ]

    @admin.display(description=_("record"))
    def record_link(self, change):
        model = change.content_type.model_class()
        if change.action != models.Change.Action.DELETED and model is not None:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[change.object_id])
            return format_html('<a href="{}">{}</a>', url, change.object_repr)
        return change.object_repr

    @admin.display(description=_("fields"))
    def changed_fields(self, change):
        return ", ".join(change.fields)

    @admin.display(description=_("what changed"))
    def diff_table(self, change):
        model = change.content_type.model_class()
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td><del>{}</del></td><td><ins>{}</ins></td></tr>",
            (
                (name, history.describe(model, name, old), history.describe(model, name, new))
                for name, (old, new) in change.fields.items()
            ),
        )
        return format_html(
            "<table><caption>{}</caption><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Field by field"),
            _("field"),
            _("before"),
            _("after"),
            rows,
        )

    @admin.display(description=_("undo"))
    def revert_button(self, change):
        url = reverse("admin:team_change_revert", args=[change.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Revert this change…"))

    def revert_view(self, request, pk):
        if not self.has_revert_permission(request):
            raise PermissionDenied
        change = get_object_or_404(models.Change, pk=pk)
        if request.method == "POST":
            self.revert_changes(request, [change])
            return HttpResponseRedirect(reverse("admin:team_change_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revert this change?"),
            "change": change,
            "diff": self.diff_table(change),
            "opts": self.model._meta,
        }
        return render(request, "admin/team/change_revert.html", context)

    @admin.display(description=_("made together"))
    def batch_link(self, change):
        """The other changes of the same action (an import, a round entered at once), and undoing them all."""
        count = models.Change.objects.filter(batch=change.batch).count()
        listing = f"{reverse('admin:team_change_changelist')}?{urlencode({'batch': change.batch})}"
        return format_html(
            '<a href="{}">{}</a> <a class="button" href="{}">{}</a>',
            listing,
            ngettext("%(count)d change in this batch", "%(count)d changes in this batch", count) % {"count": count},
            reverse("admin:team_change_revert_batch", args=[change.pk]),
            _("Revert this whole batch…"),
        )

    def revert_batch_view(self, request, pk):
        """Undo every change made with this one (an import, say) in one step, after a confirmation page."""
        if not self.has_revert_permission(request):
            raise PermissionDenied
        change = get_object_or_404(models.Change, pk=pk)
        listing = f"{reverse('admin:team_change_changelist')}?{urlencode({'batch': change.batch})}"
        if request.method == "POST":
            try:
                with transaction.atomic():
                    count = history.revert_batch(change.batch, request.user)
            except (ValidationError, IntegrityError) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else database_refusal(error)
                self.message_user(request, _("Nothing was reverted: %(reason)s") % {"reason": reason}, messages.ERROR)
                return HttpResponseRedirect(reverse("admin:team_change_revert_batch", args=[change.pk]))
            self.message_user(
                request,
                ngettext("Reverted %(count)d change.", "Reverted the %(count)d changes of the batch.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(listing)
        changes = (
            models.Change.objects.filter(batch=change.batch)
            .select_related("user", "content_type")
            .order_by("position", "pk")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revert this whole batch?"),
            "change": change,
            "changes": changes,
            "listing": listing,
            "opts": self.model._meta,
        }
        return render(request, "admin/team/change_revert_batch.html", context)

    @admin.action(description=_("Revert selected changes"), permissions=["revert"])
    def revert_selected(self, request, queryset):
        self.revert_changes(request, queryset.order_by("-at", "-pk"))

    def revert_changes(self, request, changes):
        for change in changes:
            try:
                history.revert(change, request.user)
            except (ValidationError, IntegrityError) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else database_refusal(error)
                self.message_user(
                    request,
                    _("Could not revert “%(change)s”: %(reason)s") % {"change": change, "reason": reason},
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("Reverted “%(change)s”.") % {"change": change}, messages.SUCCESS)


# Accounts: Django's users admin with two-step verification shown and a superuser's reset (team.account_admin).
account_admin.register(admin.site)
