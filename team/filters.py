import django_filters
from django.utils.translation import gettext_lazy as _

from team.models import Athlete, Gender, Sport, SportClass


class AthleteFilter(django_filters.FilterSet):
    """The team page's roster filters; every choice lives in the URL."""

    sport = django_filters.ModelChoiceFilter(
        field_name="sport",
        to_field_name="slug",
        queryset=Sport.objects.order_by("name"),
        empty_label=_("All sports"),
        label=_("Sport"),
    )
    gender = django_filters.ChoiceFilter(
        field_name="gender",
        choices=Gender.choices,
        empty_label=_("Women and men"),
        label=_("Gender"),
    )
    sport_class = django_filters.ModelChoiceFilter(
        field_name="sport_classes",
        to_field_name="code",
        queryset=SportClass.objects.order_by("code"),
        empty_label=_("All classes"),
        label=_("Class"),
    )

    class Meta:
        model = Athlete
        fields = ["sport", "gender", "sport_class"]
