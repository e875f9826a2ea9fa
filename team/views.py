from django.conf import settings
from django.shortcuts import render

from team.filters import AthleteFilter
from team.models import Athlete, Delegation


def team(request):
    """The delegation at a glance and its roster, filtered by sport, gender and class."""
    delegation = Delegation.objects.for_team_page().featured(settings.FEATURED_DELEGATION)
    if delegation is None:
        return render(request, "team/no_delegation.html", status=404)
    roster = Athlete.objects.filter(delegation=delegation).for_team_page()
    filterset = AthleteFilter(request.GET, queryset=roster)
    valid = filterset.is_valid()
    context = {
        "delegation": delegation,
        "filterset": filterset,
        "athletes": filterset.qs if valid else roster.none(),
        "tally": delegation.medal_tally(),
    }
    return render(request, "team/team.html", context, status=200 if valid else 400)
