"""The readers' filters: one FilterSet per list page, and the only definition of that page's filters.

A `FacetFilter` is a multiple-choice filter offered as checkboxes: several
values of one filter combine with OR, different filters with AND.
`FacetedFilterSet` derives from its declared filters everything a page shows
around them, so adding a filter is one declaration:

* the options present in the data, each with how many results it would give
  under the other active filters (its own selection ignored, so OR stays visible);
* a chip per active value, to remove it;
* for an empty result, which filters emptied it and what removing each would show;
* the messages of a 400 for values that are not options.

Counting is done by the database: one grouped query per facet.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from team.dates import local_date
from team.models import Athlete, Gender, Medal, Result, Round, RoundKind, Sport, SportClass


@dataclass
class Option:
    value: str
    label: str
    count: int = 0
    checked: bool = False


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # (group label, options) when the choices are grouped


@dataclass
class Chip:
    label: str
    value_label: str
    name: str
    value: str


class FacetFilter(django_filters.MultipleChoiceFilter):
    """Several values combined with OR, offered as checkboxes with a count beside each.

    `choices` is a list, or the name of a FilterSet method that returns them
    from the page's queryset when they depend on the data. Grouped choices
    (group label, [(value, label), …]) are shown as groups.

    `scope`, when set, is a condition on the same related rows as `field_name`
    (e.g. only one delegation's entries): a value matches, and is counted, only
    on a row that meets it.
    """

    def __init__(self, field_name, choices=(), scope=None, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        self.scope = scope
        super().__init__(field_name=field_name, choices=choices, distinct=True, **kwargs)

    def filter(self, qs, value):
        if not value or self.scope is None:
            return super().filter(qs, value)
        # One filter() call, so that the value and the scope hold for the same related row.
        return qs.filter(Q(**{f"{self.field_name}__in": list(value)}) & self.scope).distinct()

    def grouped_choices(self):
        """The choices as (group label or None, [(value, label), …]) pairs."""
        groups, loose = [], []
        for value, label in self.extra["choices"]:
            if isinstance(label, list | tuple):
                groups.append((value, list(label)))
            else:
                loose.append((value, label))
        return ([(None, loose)] if loose else []) + groups

    def option_labels(self):
        return {str(value): label for _group, options in self.grouped_choices() for value, label in options}


class SortFilter(django_filters.ChoiceFilter):
    """The list's order, chosen by name from `orders` (name → (label, fields)); it never restricts the list."""

    def __init__(self, orders, **kwargs):
        self.orders = orders
        choices = [(name, label) for name, (label, _fields) in orders.items()]
        super().__init__(choices=choices, empty_label=None, **kwargs)

    def filter(self, queryset, value):
        return queryset if value in EMPTY_VALUES else queryset.order_by(*self.orders[value][1])


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet that also reports facets, chips and what emptied an empty result (see the module)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for facet in self.facet_filters().values():
            if isinstance(choices := facet.extra["choices"], str):
                facet.extra["choices"] = getattr(self, choices)(self.queryset)

    def facet_filters(self):
        return {name: f for name, f in self.filters.items() if isinstance(f, FacetFilter)}

    def active(self):
        """The filters that restrict the list (not the sort order), with their values; none when invalid."""
        if not self.is_valid():
            return {}
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES and not isinstance(self.filters[name], SortFilter)
        }

    def restricted(self, values):
        """The page's queryset with these filters (name → value) applied."""
        queryset = self.queryset
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facets(self):
        """Each facet's options present in the page's queryset, with how many results each would give."""
        active = self.active()
        facets = []
        for name, facet_filter in self.facet_filters().items():
            others = {other: value for other, value in active.items() if other != name}
            within = Q(pk__in=self.restricted(others).values("pk")) if others else None
            present = self.queryset if facet_filter.scope is None else self.queryset.filter(facet_filter.scope)
            rows = (
                present.order_by()
                .values_list(facet_filter.field_name)
                .annotate(count=Count("pk", distinct=True, filter=within))
            )
            counts = {str(value): count for value, count in rows if value is not None}
            chosen = set(active.get(name, ()))
            facet = Facet(name, facet_filter.label)
            for group, choices in facet_filter.grouped_choices():
                options = [
                    Option(str(value), label, counts[str(value)], str(value) in chosen)
                    for value, label in choices
                    if str(value) in counts
                ]
                facet.options.extend(options)
                if group is not None and options:
                    facet.groups.append((group, options))
            if facet.options:
                facets.append(facet)
        return facets

    def chips(self):
        """One chip per active value, in the order the filters are declared."""
        chips = []
        for name, value in self.active().items():
            label = self.filters[name].label
            if isinstance(self.filters[name], FacetFilter):
                labels = self.filters[name].option_labels()
                chips.extend(Chip(label, labels.get(v, v), name, v) for v in value)
            else:
                chips.append(Chip(label, value, name, value))
        return chips

    def what_emptied(self):
        """For an empty result: (name, label, count) of each active filter whose removal alone would show results."""
        active = self.active()
        culprits = []
        for name in active:
            others = {other: value for other, value in active.items() if other != name}
            if count := self.restricted(others).count():
                culprits.append((name, self.filters[name].label, count))
        return culprits

    def problems(self):
        """Why the parameters were refused, one readable line per error."""
        return [
            f"{self.form.fields[name].label if name in self.form.fields else name}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]


def days_of(games):
    """Every day of the Games, as a day filter offers them."""
    return [(day.isoformat(), local_date(day, "short_day")) for day in games.days()]


class RosterFilter(FacetedFilterSet):
    """The team page's filters, over the delegation's athletes at `games`."""

    q = django_filters.CharFilter(method="filter_name", label=_("Name"))
    sport = FacetFilter("sport__slug", choices="sport_choices", label=_("Sport"))
    gender = FacetFilter("gender", choices=Gender.choices, label=_("Gender"))
    classification = FacetFilter("sport_classes__code", choices="class_choices", label=_("Class"))
    day = FacetFilter("entries__event__rounds__scheduled_date", choices="day_choices", label=_("Day"))
    round = FacetFilter("entries__event__rounds__kind", choices=RoundKind.choices, label=_("Round"))
    result = FacetFilter("entries__results__status", choices=Result.Status.choices, label=_("Result"))
    medal = FacetFilter("entries__results__medal", choices=Medal.choices, label=_("Medal"))
    status = FacetFilter("status", choices=Athlete.Status.choices, label=_("Status"))
    sort = SortFilter(
        {"sport": (_("Sport"), ("sport__name", "name")), "name": (_("Name"), ("name",))}, label=_("Sort by")
    )

    class Meta:
        model = Athlete
        fields = []

    def __init__(self, *args, games, **kwargs):
        self.games = games
        super().__init__(*args, **kwargs)

    def filter_name(self, queryset, name, value):
        return queryset.named(value)

    def sport_choices(self, athletes):
        sports = Sport.objects.filter(athletes__in=athletes).distinct().order_by("name")
        return list(sports.values_list("slug", "name"))

    def class_choices(self, athletes):
        """The classes of these athletes, grouped by the kind of impairment."""
        classes = SportClass.objects.filter(athletes__in=athletes).distinct().order_by("impairment", "code")
        groups = {}
        for code, impairment in classes.values_list("code", "impairment"):
            groups.setdefault(impairment, []).append((code, code))
        labels = dict(SportClass.Impairment.choices)
        return [(labels[impairment], options) for impairment, options in groups.items()]

    def day_choices(self, athletes):
        return days_of(self.games)

    @property
    def sort_key(self):
        return (self.form.cleaned_data.get("sort") or "sport") if self.is_valid() else "sport"


#: The value of the schedule's "rounds" filter that keeps the rounds awarding medals (`Round.MEDAL_KINDS`).
MEDAL_ROUNDS = "medal"


class ScheduleFilter(FacetedFilterSet):
    """The schedule's filters, over the rounds the delegation is entered in (`Round.objects.entered_by`).

    So that a link such as "the swimming schedule" (`?sport=para-swimming`) keeps
    working while a sport, an athlete or a day has no round yet, the sports and
    athletes offered are the whole team's: one with no round in the list gives an
    empty list that says so, not a refusal.
    """

    sport = FacetFilter(
        "event__sport__slug",
        choices="sport_choices",
        label=_("Sport"),
        error_messages={"invalid_choice": _("this team has no sport “%(value)s”.")},
    )
    athlete = FacetFilter(
        "event__entries__athlete__slug",
        choices="athlete_choices",
        label=_("Athlete"),
        error_messages={"invalid_choice": _("this team has no athlete “%(value)s”.")},
    )
    day = FacetFilter(
        "scheduled_date",
        choices="day_choices",
        label=_("Day"),
        error_messages={"invalid_choice": _("“%(value)s” is not a day of these Games.")},
    )
    rounds = FacetFilter(
        "stage",
        choices=[(MEDAL_ROUNDS, _("Medal rounds only (finals and bronze medal contests)"))],
        label=_("Rounds"),
        error_messages={"invalid_choice": _("“%(value)s” is not a kind of round we can show on its own.")},
    )

    class Meta:
        model = Round
        fields = []

    def __init__(self, data=None, queryset=None, *, delegation, **kwargs):
        self.delegation = delegation
        stage = Case(
            When(kind__in=Round.MEDAL_KINDS, then=Value(MEDAL_ROUNDS)), default=Value("other"), output_field=CharField()
        )
        super().__init__(data, queryset.annotate(stage=stage), **kwargs)
        # Other delegations' athletes may share a slug and an event: only this team's entries count.
        self.filters["athlete"].scope = Q(event__entries__athlete__delegation=delegation)
        if days := delegation.games.days():
            self.filters["day"].extra["error_messages"] = {
                "invalid_choice": _("“%%(value)s” is not a day of these Games, which run from %(start)s to %(end)s.")
                % {"start": local_date(days[0], "day_month"), "end": local_date(days[-1], "date")}
            }

    def sport_choices(self, rounds):
        """The sports of every event the team is entered in, rounds or not."""
        sports = Sport.objects.filter(events__entries__athlete__delegation=self.delegation).distinct().order_by("name")
        return list(sports.values_list("slug", "name"))

    def athlete_choices(self, rounds):
        """Every athlete of the team, rounds or not."""
        return list(self.delegation.athletes.order_by("name").values_list("slug", "name"))

    def day_choices(self, rounds):
        return days_of(self.delegation.games)

    def without_rounds(self, events):
        """Of `events` (which have no round yet), those the sport and athlete filters keep; none when a day
        or medal rounds are asked for, which only a scheduled round can match."""
        active = self.active()
        if "day" in active or "rounds" in active:
            return events.none()
        if sports := active.get("sport"):
            events = events.filter(sport__slug__in=sports)
        if athletes := active.get("athlete"):
            events = events.filter(entries__athlete__in=self.delegation.athletes.filter(slug__in=athletes))
        return events.distinct()
