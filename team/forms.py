"""Forms behind the editors' admin: guarded against lost updates, with correction notes.

Whatever an editor (or a tampered request) submits comes back as a form error,
never a server error: text with a NUL byte, a related record's id that cannot
be an id, and a save the database refuses (`database_refusal`).
"""

import re
from collections import Counter

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import ProtectedError, RestrictedError, UniqueConstraint
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from team.history import changes_since, describe, normalise_text

#: Shown instead of Django's "Null characters are not allowed.": PostgreSQL cannot store a NUL byte.
NUL_REFUSED = gettext_lazy(
    "This text contains a control character (NUL) that cannot be stored. "
    "Retype the text, or paste it as plain text, and save again."
)


class ExplainsNul:
    """A form whose text fields say in plain words why they refuse a NUL byte (PostgreSQL cannot store one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["null_characters_not_allowed"] = NUL_REFUSED


class NormalisesText:
    """A form whose text is kept as typed, less what nobody sees: line breaks become LF (browsers send CRLF),
    blank space at line ends and around the text goes (`team.history.normalise_text`).

    The stored value is compared in the same form, so saving a record again unchanged (even one whose text
    was stored with CRLF) is no change at all.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = [name for name, field in self.fields.items() if isinstance(field, forms.CharField)]
        for name in texts:
            if isinstance(self.initial.get(name), str):
                self.initial[name] = normalise_text(self.initial[name])
        if self.is_bound and texts:
            data = self.data.copy()
            for name in texts:
                key = self.add_prefix(name)
                if isinstance(value := data.get(key), str):
                    data[key] = normalise_text(value)
            self.data = data


class Checkboxes(forms.CheckboxSelectMultiple):
    """Tick boxes that read an empty value as no box ticked (a browser sends nothing for an unticked box)."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name)
        if values is None or isinstance(values, str):
            values = [values]
        return [value for value in values if value not in (None, "")]


def flag_target_field(model):
    """The name of the review flag's link to records of `model` ("athlete", "round" …), or None."""
    flag_model = apps.get_model("team", "ReviewFlag")
    for name in flag_model.TARGETS:
        if flag_model._meta.get_field(name).related_model is model:
            return name
    return None


def open_flags_of(obj):
    """The review flags still open on `obj` (none for a record that cannot be flagged or is not saved)."""
    flag_model = apps.get_model("team", "ReviewFlag")
    target = flag_target_field(type(obj))
    if target is None or obj.pk is None:
        return flag_model.objects.none()
    return flag_model.objects.open().filter(**{target: obj}).order_by("created_at", "pk")


class EditorForm(NormalisesText, ExplainsNul, forms.ModelForm):
    """A model form that refuses a stale save and asks for a note when a published fact changes.

    `seen_version` carries the record's version from the moment the form was
    opened. If another editor saved in between, the form is refused with what
    they changed; the editor's own input stays in the form, and saving again
    (now against the new version) is a deliberate choice.

    `refusal` is set (by `EditorAdmin`) when the database refused the previous
    attempt at this very save; the form is then shown again, refused with it.

    On a published record's own page (`corrects_on_page`, set by `EditorAdmin`)
    the correction can cite where it comes from (`cite_*`: the fields of a
    `SourceChoiceForm`, which `citation` validates and `citation.cited()`
    saves) and close the record's open review flags (`resolves`), all in the
    same save. Elsewhere (inline rows, new records) those fields are removed.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Correction note"),
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=gettext_lazy(
            "Readers have already seen this record. If you change it, say in one line what was wrong; "
            "the note is published in the corrections log."
        ),
    )

    # The note for Azerbaijani and Russian readers; left blank, their corrections log shows the English one.
    correction_note_az = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Correction note in Azerbaijani"),
        widget=forms.TextInput(attrs={"size": 60, "lang": "az"}),
    )
    correction_note_ru = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Correction note in Russian"),
        widget=forms.TextInput(attrs={"size": 60, "lang": "ru"}),
    )

    # Placeholders, so the admin lists these fields; the form of a record's own page puts the real ones in.
    resolves = forms.Field(required=False)
    cite_source = forms.Field(required=False)
    cite_outlet = forms.Field(required=False)
    cite_title = forms.Field(required=False)
    cite_url = forms.Field(required=False)
    cite_published_on = forms.Field(required=False)

    #: The citation's fields, by their name in `SourceChoiceForm`.
    CITATION_FIELDS = {
        "cite_source": "source",
        "cite_outlet": "outlet",
        "cite_title": "title",
        "cite_url": "url",
        "cite_published_on": "published_on",
    }
    #: The correction note in the other readers' languages, by language.
    NOTE_TRANSLATIONS = {"az": "correction_note_az", "ru": "correction_note_ru"}
    #: What a record's own page adds to a correction: where it comes from, the flags it resolves, and the note
    #: in the other languages.
    CORRECTION_FIELDS = frozenset({*CITATION_FIELDS, "resolves", *NOTE_TRANSLATIONS.values()})

    #: Fields whose change is not visible to readers, so needs no correction note.
    internal_fields = frozenset({"source", "source_quote", "seen_version", "correction_note", *CORRECTION_FIELDS})
    needs_correction_note = True
    corrects_on_page = False
    refusal = None
    citation = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version
        if self.instance.pk is None or not self.needs_correction_note:
            # A new record has not been published yet; review flags are never shown to readers.
            self.fields["correction_note"].widget = forms.HiddenInput()
        if self.corrects_on_page and self.instance.pk is not None and self.needs_correction_note:
            self.offer_citation_and_flags()
        else:
            for name in self.CORRECTION_FIELDS:
                self.fields.pop(name, None)

    def offer_citation_and_flags(self):
        data = None
        if self.is_bound:
            data = {
                self.citation_key(own): self.data.get(self.add_prefix(own))
                for own in self.CITATION_FIELDS
                if self.add_prefix(own) in self.data
            }
        self.citation = SourceChoiceForm(data)
        for own, name in self.CITATION_FIELDS.items():
            self.fields[own] = self.citation.fields[name]
        self.fields["resolves"] = ReviewFlagsField(
            queryset=open_flags_of(self.instance),
            required=False,
            label=gettext_lazy("This resolves"),
            help_text=gettext_lazy(
                "Tick the review flags this correction settles: they are closed with the correction note "
                "as their resolution."
            ),
        )

    def citation_key(self, own):
        """The name `SourceChoiceForm` reads the citation field `own` under ("cite-source" for "cite_source")."""
        return f"{SourceChoiceForm.prefix}-{self.CITATION_FIELDS[own]}"

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            raise ValidationError(self.refusal, code="refused_by_database")
        if self.instance.pk is None or not self.has_changed():
            return cleaned
        self.check_not_stale()
        public_changes = set(self.changed_data) - self.internal_fields
        note = cleaned.get("correction_note", "").strip()
        if self.needs_correction_note and public_changes and not note:
            self.add_error(
                "correction_note",
                _("Readers have already seen this. Say in one line what was wrong (it is published)."),
            )
        elif cleaned.get("resolves") and not note:
            self.add_error(
                "correction_note",
                _("Say in one line what was wrong: the note is the resolution of the review flags you ticked."),
            )
        if self.citation is not None:
            self.clean_citation(cited_by_a_correction=bool(public_changes))
        return cleaned

    def clean_citation(self, cited_by_a_correction):
        """The citation's own rules (one source, a new one needs its outlet), reported on this form's fields."""
        own_names = {name: own for own, name in self.CITATION_FIELDS.items()}
        if not self.citation.is_valid():
            for name, messages in self.citation.errors.items():
                field = own_names.get(name)
                shown = self.errors.get(field, []) if field else []
                for message in messages:
                    if message not in shown:
                        self.add_error(field, message)
            return
        cited = self.citation.cleaned_data
        if (cited.get("source") or cited.get("outlet")) and not cited_by_a_correction:
            self.add_error(
                "cite_source",
                _("A source is cited by a correction: change the fact it corrects, or leave the source empty."),
            )

    def check_not_stale(self):
        model = type(self.instance)
        # Lock the row until this request's transaction ends, so two saves cannot both pass the check.
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError(
                _("Another editor deleted this record after you opened it. Nothing was saved; copy your changes.")
            )
        seen = self.cleaned_data.get("seen_version")
        if seen is None or seen == current.version:
            return
        # Next time the editor saves, they save over the version they have now been shown.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = current.version
        lines = [
            _("%(who)s changed %(field)s from “%(old)s” to “%(new)s” at %(when)s.")
            % {
                "who": change.user or _("Someone"),
                "field": name,
                "old": describe(model, name, old),
                "new": describe(model, name, new),
                "when": timezone.localtime(change.at).strftime("%H:%M:%S"),
            }
            for change in changes_since(current, seen)
            for name, (old, new) in change.fields.items()
        ] or [_("Another editor saved this record after you opened it.")]
        raise ValidationError(
            [
                _("Not saved: this record changed while you were editing it."),
                *lines,
                _("Your edits are still in the form below. Check them against these changes, then save again."),
            ]
        )


class EditorInlineFormSet(forms.BaseInlineFormSet):
    """An inline's rows, refusing one record sent in two rows (only a tampered page sends that)."""

    def clean(self):
        super().clean()
        records = [form.instance.pk for form in self.initial_forms if form.instance.pk is not None]
        if len(records) != len(set(records)):
            raise ValidationError(_("The same row was sent twice. Reload the page and make your changes again."))


class ReviewFlagForm(EditorForm):
    needs_correction_note = False
    #: Whether a saved flag's question stays as it was raised (on a record's page, only new rows take a note).
    keeps_question = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.keeps_question and self.instance.pk is not None and "note" in self.fields:
            # A disabled field keeps its stored value whatever a (tampered) submission says.
            self.fields["note"].disabled = True
            self.fields["note"].help_text = _("The question as it was raised; answer it in the resolution.")


class ReviewFlagInlineForm(ReviewFlagForm):
    keeps_question = True


class PublicNoteForm(NormalisesText, ExplainsNul, forms.Form):
    """The public note a bulk change of published facts asks for: it is published in the corrections log."""

    note = forms.CharField(
        max_length=500,
        label=gettext_lazy("Public note"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy(
            "Published in the corrections log, e.g. “Roman Saleh withdrew from the 100 m butterfly S12 on "
            "medical advice, his team said on 3 September.”"
        ),
    )

    def public_note(self):
        return self.cleaned_data["note"]


class WithdrawalForm(PublicNoteForm):
    """The reason and the public note asked for by the 'mark withdrawn' action."""

    reason = forms.CharField(
        max_length=300,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Shown to readers, e.g. “Withdrawn injured (team statement, 30 August)”."),
    )

    field_order = ["reason", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = False
        self.fields["note"].help_text = _(
            "Published in the corrections log, e.g. “Roman Saleh withdrew from the 100 m butterfly S12 on "
            "medical advice, his team said on 3 September.” Left blank, the log gives the reason."
        )

    def public_note(self):
        return self.cleaned_data.get("note") or self.cleaned_data["reason"]


# Related records chosen by id


def is_usable_key(field, value, using="default"):
    """Whether `value` can be looked up as the model field `field` (a primary key, say) without the database failing.

    Django looks a submitted id up as it comes. A tampered one can fail there
    instead of being refused: SQLite cannot take a number beyond 64 bits, and
    text such as "abc" fails to convert where nothing catches it (the admin's
    autocomplete widget redisplaying a form, the ids of a bulk action).
    """
    if value in forms.Field.empty_values:
        return True
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(key, int):
        low, high = connections[using].ops.integer_field_range(field.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return True


class KeyedChoice:
    """A related-record field that refuses a value that cannot be a key, and redisplays it as no choice."""

    def is_usable_key(self, value):
        model = self.queryset.model
        field = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        return is_usable_key(field, value, using=self.queryset.db)


class KeyedModelChoiceField(KeyedChoice, forms.ModelChoiceField):
    def bound_data(self, data, initial):
        return data if self.is_usable_key(data) else None


class KeyedModelMultipleChoiceField(KeyedChoice, forms.ModelMultipleChoiceField):
    def clean(self, value):
        if isinstance(value, (list, tuple)):
            for key in value:
                if not self.is_usable_key(key):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                    )
        return super().clean(value)

    def bound_data(self, data, initial):
        if isinstance(data, (list, tuple)):
            return [key for key in data if self.is_usable_key(key)]
        return data


class ReviewFlagsField(KeyedModelMultipleChoiceField):
    """Review flags to tick, each shown by its question."""

    widget = Checkboxes

    def label_from_instance(self, flag):
        return flag.note


# Saves the database refuses

#: The database's rules in an editor's words, by the name the database refuses a save with. A constraint
#: with its own `violation_error_message` is explained by that; a unique rule not named here by its fields.
RULES = {
    "athlete_enters_event_once": gettext_lazy("This athlete is already entered in this event."),
    "one_result_per_entry_per_round": gettext_lazy(
        "This athlete already has a result in this round. Change that result instead of adding another."
    ),
    "one_round_of_each_kind": gettext_lazy(
        "This event already has a round of this kind. Open that round, or choose another kind."
    ),
    "unique_athlete_slug": gettext_lazy(
        "Another athlete of this delegation already has this slug (the web address). Choose another slug."
    ),
    "unique_event_slug": gettext_lazy(
        "Another event at these Games already has this slug (the web address). Choose another slug."
    ),
    "unique_spelling_per_athlete": gettext_lazy("This athlete already has this spelling. Remove the repeated one."),
    "one_delegation_per_npc": gettext_lazy("These Games already have a delegation with this NPC code."),
    "unique_flagbearer": gettext_lazy("This athlete is already listed as flagbearer at this ceremony."),
    "one_record_per_past_games": gettext_lazy(
        "This delegation already has a medal record for those Games. Change that record instead."
    ),
    # Held by database triggers (team/triggers.py).
    "result_entry_and_round_in_same_event": gettext_lazy(
        "A result's athlete must be entered in the event of its round, and the entry or the round was changed "
        "meanwhile. Check the athlete and the round."
    ),
    "medal_only_in_medal_round": gettext_lazy(
        "Medals are won only in a final or a bronze medal contest, and this round is not (or no longer) one. "
        "Check the round's kind and the medals in it."
    ),
}

# How SQLite names the columns of a unique rule it refuses ("UNIQUE constraint failed: team_sport.slug"),
# and how PostgreSQL does in its detail line ("Key (slug)=(swimming) already exists.").
SQLITE_UNIQUE_COLUMNS = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)$")
POSTGRESQL_KEY_COLUMNS = re.compile(r"Key \(([^)]*)\)=")


def database_refusal(error):
    """Why the database refused a save (an IntegrityError), as a sentence an editor can act on.

    Most of these rules are checked by validation first; the database has the
    last word when two editors' saves cross, or when validation cannot see a
    clash. The rule is recognised by the name the database gives: a constraint
    or trigger names itself, a unique rule may name only its table and columns.
    """
    if isinstance(error, (ProtectedError, RestrictedError)):
        records = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
        return _("Other records still refer to it (%(records)s). Change or delete those first.") % {
            "records": count_by_kind(records)
        }
    text = str(error)
    models = list(apps.get_app_config("team").get_models())
    for model in models:
        for constraint in model._meta.constraints:
            if re.search(rf"\b{re.escape(constraint.name)}\b", text):
                return explain_constraint(model, constraint)
    for rule, message in RULES.items():
        if rule in text:
            return str(message)
    if clash := unique_columns(error):
        table, columns = clash
        for model in models:
            if model._meta.db_table == table:
                return explain_unique(model, columns)
    if "FOREIGN KEY" in text or "foreign key" in text:
        return _(
            "A record it refers to was deleted or changed meanwhile. Check the records it is linked to and save again."
        )
    return _("The database refused it because it would break one of its rules (%(rule)s).") % {
        "rule": text.splitlines()[0] if text else type(error).__name__
    }


def count_by_kind(records):
    """e.g. "2 athletes and 1 event": only the records' kinds are read, since their rows may be gone by now."""
    kinds = Counter(type(record)._meta for record in records)
    return get_text_list(
        [f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}" for meta, count in kinds.items()],
        _("and"),
    )


def unique_columns(error):
    """(table, columns) of the unique rule an IntegrityError reports, when it names them; else None."""
    if match := SQLITE_UNIQUE_COLUMNS.search(str(error)):
        pairs = [name.split(".", 1) for name in match[1].split(", ")]
        return pairs[0][0], tuple(column for _table, column in pairs)
    diag = getattr(error.__cause__, "diag", None)  # psycopg's diagnostics name the table
    if diag is not None and diag.table_name and (match := POSTGRESQL_KEY_COLUMNS.search(diag.message_detail or "")):
        return diag.table_name, tuple(column.strip() for column in match[1].split(","))
    return None


def explain_constraint(model, constraint):
    if constraint.violation_error_message != constraint.default_violation_error_message:
        return str(constraint.get_violation_error_message())
    if constraint.name in RULES:
        return str(RULES[constraint.name])
    if isinstance(constraint, UniqueConstraint) and constraint.fields:
        return describe_duplicate(model, constraint.fields)
    return _("The database refused it because it would break one of its rules (%(rule)s).") % {"rule": constraint.name}


def explain_unique(model, columns):
    def columns_of(constraint):
        return tuple(model._meta.get_field(name).column for name in constraint.fields)

    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields and columns_of(constraint) == columns:
            return explain_constraint(model, constraint)
    names = [field.name for field in model._meta.concrete_fields if field.column in columns]
    return describe_duplicate(model, names)


def describe_duplicate(model, field_names):
    fields = [str(model._meta.get_field(name).verbose_name) for name in field_names]
    return _("Another %(record)s already has the same %(fields)s. Choose another.") % {
        "record": model._meta.verbose_name,
        "fields": get_text_list(fields, _("and")),
    }


# Citing a source, or adding one in the same step


class SourceChoiceForm(ExplainsNul, forms.Form):
    """Where what the editor enters comes from: a source already on file, or a new one typed in the same save.

    Used by every form that enters facts as the Games go on (the results desk, the import, a correction):
    the new source is created only when the whole save goes through (`cited()` inside its transaction),
    and is recorded in the history with the rest of that save.
    """

    prefix = "cite"

    source = KeyedModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Source"),
        help_text=gettext_lazy("Where this comes from. Choose one on file, or add a new one below."),
    )
    outlet = forms.CharField(
        max_length=200,
        required=False,
        label=gettext_lazy("New source: outlet"),
        help_text=gettext_lazy("Who published it, e.g. “Paris 2024 official results” or “World Para Athletics”."),
    )
    title = forms.CharField(max_length=300, required=False, label=gettext_lazy("Title"))
    url = forms.URLField(required=False, label=gettext_lazy("Web address"), assume_scheme="https")
    published_on = forms.DateField(
        required=False,
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("When it was published."),
    )

    NEW_SOURCE_FIELDS = ("outlet", "title", "url", "published_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source_model = apps.get_model("team", "Source")
        self.fields["source"].queryset = source_model.objects.order_by("-published_on", "outlet", "pk")

    def clean(self):
        cleaned = super().clean()
        typed = [name for name in self.NEW_SOURCE_FIELDS if cleaned.get(name)]
        if typed and cleaned.get("source"):
            raise ValidationError(_("Choose a source on file or add a new one, not both."), code="two_sources")
        if typed and not cleaned.get("outlet"):
            self.add_error("outlet", _("Say who published the new source."))
        return cleaned

    def cited(self, user=None, batch=None):
        """The source chosen, or the new one created now (recorded in the history); None when none is given.
        Call it inside the transaction of the save it belongs to."""
        cleaned = self.cleaned_data
        if cleaned.get("source"):
            return cleaned["source"]
        if not cleaned.get("outlet"):
            return None
        from team import history

        source_model = apps.get_model("team", "Source")
        source = source_model(**{name: cleaned.get(name) or "" for name in ("outlet", "title", "url")})
        source.published_on = cleaned.get("published_on")
        source.full_clean(exclude=["slug"])
        source.save()
        history.record_save(source, {}, user, batch=batch)
        return source
