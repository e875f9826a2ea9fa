"""The editors' start page (the admin's index): what needs doing now.

Three lists, each one query: the rounds held today or earlier where an athlete
of the delegation still has no result (today's first), the open review flags,
and the latest changes made by other editors. The admin's own list of models
follows them.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from team import front
from team.models import Athlete, Change, Delegation, Entry, Result, ReviewFlag, Round

#: How many rounds, flags and changes each list shows; each links to the whole list.
LIST_LENGTH = 10


def rounds_missing_results(delegation, day):
    """Rounds scheduled on `day` or before in which an athlete of the delegation who still competes (entered,
    not withdrawn, not out in an earlier round) has no result yet: latest day first, then by time."""
    round_ = OuterRef(OuterRef("pk"))
    waiting = (
        Entry.objects.filter(
            event=OuterRef("event"),
            athlete__delegation=delegation,
            status=Entry.Status.ENTERED,
            athlete__status=Athlete.Status.COMPETING,
        )
        .exclude(Exists(Result.objects.filter(entry=OuterRef("pk"), round=round_)))
        .exclude(
            Exists(
                Result.objects.filter(
                    entry=OuterRef("pk"),
                    progress=Result.Progress.ELIMINATED,
                    round__order__lt=OuterRef(OuterRef("order")),
                )
            )
        )
    )
    return (
        Round.objects.filter(Exists(waiting), scheduled_date__lte=day)
        .select_related("event__sport", "event__sport_class")
        .order_by("-scheduled_date", "scheduled_time", "event__sport__name", "order")
    )


def start_page(request):
    """The context the admin's index adds: see the module."""
    delegation = Delegation.objects.featured(settings.FEATURED_DELEGATION)
    if delegation is None:
        return {}
    today = front.venue_day(delegation.games, front.now())
    due = list(rounds_missing_results(delegation, today)[: LIST_LENGTH + 1])
    flags = ReviewFlag.objects.open()
    return {
        "desk_today": today,
        "desk_games_running": delegation.games.is_during(today),
        "desk_due": due[:LIST_LENGTH],
        "desk_more_due": len(due) > LIST_LENGTH,
        "desk_due_today": sum(1 for round in due if round.scheduled_date == today),
        "desk_flags": list(flags.order_by("created_at", "slug")[:LIST_LENGTH]),
        "desk_others": list(
            Change.objects.filter(~Q(user=request.user) | Q(user__isnull=True))
            .select_related("user")
            .order_by("-at", "-pk")[:LIST_LENGTH]
        ),
    }
