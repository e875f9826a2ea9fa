"""Counts beside each filter option, worked out from one roster query.

The team page fetches the whole delegation once (`Athlete.objects.roster()`)
and derives here, in Python, what the filter panel shows: which options
exist, how many athletes each would show given the other active filters, the
chips for active filters, and which filter emptied an empty result. The
filtering of the list itself is django-filter's (`team.filters.RosterFilter`);
a test checks that both agree on every option.
"""

from dataclasses import dataclass, field

from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from team.models import Gender, Medal, Result, RoundKind
from team.names import search_key


@dataclass(frozen=True)
class ClassInfo:
    code: str
    impairment: str
    meaning: str


def parse_classes(packed):
    """Classes folded into one column by `roster()`: "code\\timpairment\\tmeaning" lines."""
    classes = []
    for line in (packed or "").split("\n"):
        if line:
            code, impairment, meaning = line.split("\t", 2)
            classes.append(ClassInfo(code, impairment, meaning))
    return sorted(classes, key=lambda info: info.code)


def words(packed):
    return set((packed or "").split())


def facet_values(athlete):
    """What each filter can match on one roster row."""
    return {
        "sport": {athlete.sport.slug},
        "gender": {athlete.gender},
        "classification": {info.code for info in athlete.classes},
        "day": words(athlete.days),
        "round": words(athlete.round_kinds),
        "result": words(athlete.result_statuses),
        "medal": words(athlete.medals),
        "status": {athlete.status},
    }


def name_matches(athlete, query):
    key = search_key(query)
    return not key or key in athlete.search_key or key in (athlete.name_keys or "")


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
    groups: list = field(default_factory=list)  # (group label, options) when options are grouped

    @property
    def choices(self):
        return [(option.value, option.label) for option in self.options]


FACET_LABELS = {
    "sport": _("Sport"),
    "gender": _("Gender"),
    "classification": _("Class"),
    "day": _("Day"),
    "round": _("Round"),
    "result": _("Result"),
    "medal": _("Medal"),
    "status": _("Status"),
}

FIXED_LABELS = {
    "gender": dict(Gender.choices),
    "round": dict(RoundKind.choices),
    "result": dict(Result.Status.choices),
    "medal": dict(Medal.choices),
    "status": {"competing": _("Competing"), "withdrawn": _("Withdrawn")},
}

IMPAIRMENT_LABELS = {
    "physical": _("Physical impairment"),
    "visual": _("Visual impairment"),
    "intellectual": _("Intellectual impairment"),
}


class Roster:
    """The delegation's athletes with what the filter panel needs to know about them."""

    def __init__(self, athletes, params):
        self.athletes = list(athletes)
        for athlete in self.athletes:
            athlete.classes = parse_classes(athlete.class_info)
        self.values = {athlete.pk: facet_values(athlete) for athlete in self.athletes}
        self.query = params.get("q", "").strip()
        self.selected = {name: set(params.getlist(name)) for name in FACET_LABELS if params.getlist(name)}

    def matches(self, athlete, without=None):
        """Whether `athlete` passes every active filter except `without`."""
        if without != "q" and not name_matches(athlete, self.query):
            return False
        values = self.values[athlete.pk]
        return all(values[name] & chosen for name, chosen in self.selected.items() if name != without)

    def count(self, without=None):
        return sum(1 for athlete in self.athletes if self.matches(athlete, without))

    def failing(self, athlete):
        """The active filters `athlete` does not pass ("q" for the name search)."""
        failed = set() if name_matches(athlete, self.query) else {"q"}
        values = self.values[athlete.pk]
        failed.update(name for name, chosen in self.selected.items() if not values[name] & chosen)
        return failed

    def facets(self):
        # An option's count: athletes that pass every other filter and have that value.
        # One pass over the roster works out which filters each athlete fails.
        counts = {name: {} for name in FACET_LABELS}
        for athlete in self.athletes:
            failed = self.failing(athlete)
            if len(failed) > 1 or "q" in failed:
                continue
            for name, values in self.values[athlete.pk].items():
                if not failed or failed == {name}:
                    for value in values:
                        counts[name][value] = counts[name].get(value, 0) + 1
        facets = []
        for name, label in FACET_LABELS.items():
            facet = Facet(name, label)
            labels = self.option_labels(name)
            chosen = self.selected.get(name, set())
            for value in sorted(labels, key=lambda v: str(labels[v]) if name == "sport" else v):
                facet.options.append(Option(value, labels[value], counts[name].get(value, 0), value in chosen))
            if name == "classification":
                facet.groups = self.class_groups(facet.options)
            if facet.options:
                facets.append(facet)
        return facets

    def option_labels(self, name):
        """Every value this facet can take on this roster, with its label."""
        if name in FIXED_LABELS:
            present = set().union(*(values[name] for values in self.values.values())) if self.values else set()
            return {value: label for value, label in FIXED_LABELS[name].items() if value in present}
        if name == "sport":
            return {athlete.sport.slug: athlete.sport.name for athlete in self.athletes}
        if name == "classification":
            return {info.code: info.code for athlete in self.athletes for info in athlete.classes}
        if name == "day":
            days = set().union(*(values["day"] for values in self.values.values())) if self.values else set()
            return {day: date_format(parse_date(day), "D j M") for day in days}
        return {}

    def class_groups(self, options):
        impairment = {info.code: info.impairment for athlete in self.athletes for info in athlete.classes}
        groups = {}
        for option in options:
            groups.setdefault(impairment[option.value], []).append(option)
        return [(IMPAIRMENT_LABELS.get(key, key), groups[key]) for key in sorted(groups)]

    def chips(self):
        """Active filters as (label, value label, parameter, value) for removable chips."""
        chips = []
        if self.query:
            chips.append((_("Name"), self.query, "q", self.query))
        for name, chosen in self.selected.items():
            labels = self.option_labels(name)
            for value in sorted(chosen):
                chips.append((FACET_LABELS[name], labels.get(value, value), name, value))
        return chips

    def what_emptied(self):
        """For an empty result: each active filter whose removal alone would show athletes, with the count."""
        culprits = []
        if self.query and (count := self.count(without="q")):
            culprits.append(("q", _("Name"), count))
        for name in self.selected:
            if count := self.count(without=name):
                culprits.append((name, FACET_LABELS[name], count))
        return culprits
