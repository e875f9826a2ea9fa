"""Forms behind the editors' admin: guarded against lost updates, with correction notes."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from team.history import changes_since, describe


class EditorForm(forms.ModelForm):
    """A model form that refuses a stale save and asks for a note when a published fact changes.

    `seen_version` carries the record's version from the moment the form was
    opened. If another editor saved in between, the form is refused with what
    they changed; the editor's own input stays in the form, and saving again
    (now against the new version) is a deliberate choice.
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

    #: Fields whose change is not visible to readers, so needs no correction note.
    internal_fields = frozenset({"source", "source_quote", "seen_version", "correction_note"})
    needs_correction_note = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version
        if self.instance.pk is None or not self.needs_correction_note:
            # A new record has not been published yet; review flags are never shown to readers.
            self.fields["correction_note"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or not self.has_changed():
            return cleaned
        self.check_not_stale()
        public_changes = set(self.changed_data) - self.internal_fields
        if self.needs_correction_note and public_changes and not cleaned.get("correction_note", "").strip():
            self.add_error(
                "correction_note",
                _("Readers have already seen this. Say in one line what was wrong (it is published)."),
            )
        return cleaned

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


class ReviewFlagForm(EditorForm):
    needs_correction_note = False


class WithdrawalForm(forms.Form):
    """The reason asked for by the 'mark withdrawn' action."""

    reason = forms.CharField(
        max_length=300,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Shown to readers, e.g. “Withdrawn injured (team statement, 30 August)”."),
    )
