import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from team.models import Athlete, Gender, Medal, Result, RoundKind


def checkboxes(field_name, choices=()):
    """A filter taking several values, combined with OR, shown as checkboxes."""
    return django_filters.MultipleChoiceFilter(
        field_name=field_name, choices=choices, widget=forms.CheckboxSelectMultiple, distinct=True
    )


class RosterFilter(django_filters.FilterSet):
    """The team page's filters. Several values of one filter combine with OR; filters combine with AND.

    Options that depend on the data (sports, classes, days) are passed in by the
    view from the roster it already holds, so validating them costs no query.
    """

    q = django_filters.CharFilter(method="filter_name", label=_("Name"))
    sport = checkboxes("sport__slug")
    gender = checkboxes("gender", Gender.choices)
    classification = checkboxes("sport_classes__code")
    day = checkboxes("entries__event__rounds__scheduled_date")
    round = checkboxes("entries__event__rounds__kind", RoundKind.choices)
    result = checkboxes("entries__results__status", Result.Status.choices)
    medal = checkboxes("entries__results__medal", Medal.choices)
    status = checkboxes("status", Athlete.Status.choices)
    sort = django_filters.OrderingFilter(
        fields=[("sport__name", "sport"), ("name", "name")],
        field_labels={"sport__name": _("Sport"), "name": _("Name")},
        empty_label=None,
        label=_("Sort by"),
    )

    class Meta:
        model = Athlete
        fields = []

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            self.filters[name].extra["choices"] = options

    def filter_name(self, queryset, name, value):
        return queryset.named(value)

    @property
    def sort_key(self):
        return (self.form.cleaned_data.get("sort") or ["sport"])[0] if self.is_valid() else "sport"
