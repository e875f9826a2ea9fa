"""The team page's lead: what the team does today or next, its medals, and when editors last changed anything.

The clock is read in one place, `now()`, which tests replace. Only the "Today" / "Next up" list depends on
it, and only through the day at the venue: it lists that day's rounds and the first few from it on, so it
holds until the next midnight there, and the page says so to the readers' cache (`team.caching.clock_bound`).
"""

import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from team.models import Change, Result, Round

#: How many rounds "Next up" lists: the next ones from today on (today's are all listed under "Today").
COMING_COUNT = 5
#: How many of today's rounds "Today" lists before it points to the day's schedule: a large team's busy day
#: would otherwise fill the first screen and then some.
TODAY_MOST = 12
#: How many medals the strip lists, newest first; the medals page has them all.
MEDAL_STRIP_SIZE = 6


def now():
    """The current moment, aware. Everything on the front page that depends on the time asks here."""
    return timezone.now()


def venue_day(games, moment):
    """The date at the venue at `moment`."""
    return moment.astimezone(games.zone).date()


def until_midnight(games, moment):
    """Seconds from `moment` to the next midnight at the venue."""
    tomorrow = venue_day(games, moment) + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=games.zone)
    return (midnight - moment).total_seconds()


def lineup(round):
    """The delegation's entries in `round`, by name: those with a result in it, and those that may still
    compete in its event (`Entry.objects.in_contention()`), so neither an athlete who went out in an earlier
    round nor one who withdrew. The same rule as `Round.objects.contested_by()`, read from what
    `Round.objects.as_scheduled()` prefetched."""
    raced = {result.entry_id for result in round.team_results}
    return [entry for entry in round.event.team_entries if entry.in_contention or entry.pk in raced]


def with_lineups(rounds):
    """Each round as (round, its `lineup`), as the schedule and the "Today" / "Next up" lists show them."""
    return [(round, lineup(round)) for round in rounds]


def coming_up(delegation, moment):
    """The "Today" / "Next up" block as of `moment`: the day at the venue, whether the Games are over,
    today's rounds (at most `TODAY_MOST`, and whether there are more), and those of the next `COMING_COUNT`
    rounds from today on that are not today's, each as (round, `lineup`). Three queries, none after the Games."""
    games = delegation.games
    today = venue_day(games, moment)
    over = games.end_date is not None and today > games.end_date
    rounds = [] if over else list(Round.objects.coming(delegation, today)[: TODAY_MOST + 1 + COMING_COUNT])
    todays = [round for round in rounds if round.scheduled_date == today]
    later = [round for round in rounds[:COMING_COUNT] if round.scheduled_date != today]
    return {
        "day": today,
        "over": over,
        "today": with_lineups(todays[:TODAY_MOST]),
        "more_today": len(todays) > TODAY_MOST,
        "later": with_lineups(later),
        "events": [round.event for round in todays[:TODAY_MOST] + later],
    }


def medal_strip(delegation, size=MEDAL_STRIP_SIZE):
    """The delegation's latest `size` medals, newest first (by the day and time of the round that gave them,
    then by when they were entered): a team event's medal once, with every athlete who shares it.

    One query, of at most 4 × `size` results, with each athlete's photo (its details, not the picture): a team
    medal cut by that limit lists only the athletes fetched."""
    results = (
        Result.objects.filter(entry__athlete__delegation=delegation)
        .medals()
        .select_related("entry__athlete__photo", "entry__event__sport", "entry__event__sport_class", "round")
        .order_by(
            F("round__scheduled_date").desc(nulls_last=True),
            F("round__scheduled_time").desc(nulls_last=True),
            "-updated_at",
            "-pk",
        )
    )
    medals = {}
    for result in results[: size * 4]:
        event = result.entry.event
        key = ("team", result.round_id, result.medal) if event.is_team else result.pk
        if key in medals:
            medals[key]["athletes"].append(result.entry.athlete)
        elif len(medals) < size:
            medals[key] = {"result": result, "event": event, "athletes": [result.entry.athlete]}
    for medal in medals.values():
        medal["athletes"].sort(key=lambda athlete: athlete.local_name)
    return list(medals.values())


def last_change():
    """When an editor last changed anything readers see (the newest `Change`), or None before the first."""
    return Change.objects.order_by("-at").values_list("at", flat=True).first()


def roster_sentence(announced, named, competing):
    """The roster's numbers in one sentence: how many athletes were announced, how many we list (and how
    that compares), and how many of those still compete.

    "Announced" is the team size a source reported (`Delegation.athletes_announced`); "we list" counts every
    athlete on the roster, withdrawn ones included; "compete" leaves the withdrawn out.
    """
    if named == 0:
        return _("No athlete is on our list yet.")
    withdrawn = named - competing
    if announced is None:
        listed = ngettext("We list %(named)d athlete", "We list %(named)d athletes", named) % {"named": named}
    else:
        listed = ngettext(
            "%(announced)d athlete was announced; we list %(named)d",
            "%(announced)d athletes were announced; we list %(named)d",
            announced,
        ) % {"announced": announced, "named": named}
        if named > announced:
            listed += " " + _("(%(difference)d more than announced)") % {"difference": named - announced}
        elif named < announced:
            listed += " " + _("(%(difference)d not named yet)") % {"difference": announced - named}
    if withdrawn == 0:
        status = ngettext("competing", "all competing", named)
    elif competing == 0:
        status = ngettext("who has withdrawn", "all withdrawn", named)
    else:
        status = _("%(competing)s and %(withdrawn)s") % {
            "competing": ngettext("of whom %(count)d competes", "of whom %(count)d compete", competing)
            % {"count": competing},
            "withdrawn": ngettext("%(count)d has withdrawn", "%(count)d have withdrawn", withdrawn)
            % {"count": withdrawn},
        }
    return _("%(listed)s, %(status)s.") % {"listed": listed, "status": status}
