"""The schedule as an iCalendar feed, for readers who follow the team from their calendar app.

`/schedule.ics` takes exactly the parameters of `/schedule/` (`ScheduleFilter`),
with the same validation: a parameter the schedule refuses is refused here with
the same messages, as text, with a 400. One athlete's or one sport's calendar is
`?athlete=<slug>` or `?sport=<slug>`, as on the page.

Each round the schedule lists is one VEVENT:

* a round with a day and a time starts at that time in the Games' zone, with
  the zone's VTIMEZONE in the calendar, and lasts `ROUND_LENGTH` (the length of
  a round is not published; the description says so);
* a round with a day but no time is an all-day event on that day, its summary
  saying that the time is to be confirmed;
* a round with no day yet is left out, and the calendar's description says how
  many and where to look.

A round's UID is made of identifiers no correction changes (the Games, the
round's number in the database, the site's host: not the event's slug or the
kind of round, which editors may correct), and its SEQUENCE is the round's `version`, which rises
on every save: when an editor moves a round, calendar apps update the event
they have instead of adding a second one.

The feed is a readers' page like the others (`public_page`): cached per
generation, with ETag and 304, and unknown parameters redirected away.
"""

import datetime
import uuid

from django.http import HttpResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vDuration

from team import front
from team.caching import canonical_address, canonical_host, open_data, public_page
from team.filters import ScheduleFilter
from team.models import Round
from team.views import featured_delegation

#: How long each timed round is shown: rounds' lengths are not published, and an hour marks the start clearly.
ROUND_LENGTH = datetime.timedelta(hours=1)

#: How often a subscribed calendar app should fetch the feed again.
REFRESH_INTERVAL = datetime.timedelta(hours=1)

CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
@public_page(params=lambda: [*ScheduleFilter.base_filters])
@open_data
def schedule_calendar(request):
    """The rounds of `/schedule/` with the same filters, as iCalendar; the schedule's 400 messages as text."""
    delegation = featured_delegation()
    filterset = ScheduleFilter(request.GET, queryset=Round.objects.contested_by(delegation), delegation=delegation)
    if not filterset.is_valid():
        lines = [_("This address asks for something we cannot show:"), *filterset.problems()]
        response = HttpResponse("\n".join(str(line) for line in lines) + "\n", status=400)
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    rounds = list(filterset.qs.as_scheduled(delegation))
    calendar = schedule_as_calendar(request, delegation, filterset, rounds)
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{delegation.games.slug}-{delegation.npc_code.lower()}.ics"'
    return response


def schedule_as_calendar(request, delegation, filterset, rounds):
    """The calendar of these rounds (from `Round.objects.as_scheduled()`), for the schedule `filterset` chose."""
    games = delegation.games
    host = canonical_host(request)
    page = reverse("team:schedule") + (f"?{request.GET.urlencode()}" if request.GET else "")
    chips = filterset.chips()
    words = {"country": delegation.local_country, "games": games.local_name}
    name = _("%(country)s at the %(games)s: schedule") % words
    if chips:
        name = f"{name} ({', '.join(str(chip.value_label) for chip in chips)})"
    dated = [round for round in rounds if round.scheduled_date is not None]
    calendar = Calendar.new(
        prodid=f"-//{host}//{games.slug}-{delegation.npc_code.lower()}//EN",
        name=name,
        description=calendar_description(games, len(rounds) - len(dated), request.build_absolute_uri(page)),
        refresh_interval=REFRESH_INTERVAL,
        url=request.build_absolute_uri(page),
        # The same for every render of this address, so that an app sees one calendar.
        uid=uuid.uuid5(uuid.NAMESPACE_URL, canonical_address(request)),
    )
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", games.time_zone)
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for round in dated:
        calendar.add_component(round_event(request, host, round, front.lineup(round)))
    # The zone's rules for the Games' year and the next, not since 1970: a short file, right for every round.
    calendar.add_missing_timezones(
        first_date=datetime.date(games.year, 1, 1), last_date=datetime.date(games.year + 1, 12, 31)
    )
    return calendar


def calendar_description(games, undated, page):
    """What the calendar holds and how to read it: the times, the rounds' assumed length, and the rounds left out."""
    lines = [
        _("Times are given in %(zone)s time, where the Games are.") % {"zone": games.time_zone},
        _(
            "Each round is shown as lasting %(minutes)s minutes: the length of a round is not published. "
            "A round whose time is to be confirmed is shown as an all-day event."
        )
        % {"minutes": int(ROUND_LENGTH.total_seconds() // 60)},
    ]
    if undated:
        lines.append(
            ngettext(
                "%(count)s round whose day is to be confirmed is not in this calendar: see %(page)s",
                "%(count)s rounds whose day is to be confirmed are not in this calendar: see %(page)s",
                undated,
            )
            % {"count": undated, "page": page}
        )
    # One line: calendar apps show X-WR-CALDESC unescaped.
    return " ".join(str(line) for line in lines)


def round_event(request, host, round, lineup):
    """One round (with a day) as a VEVENT; `lineup` is the delegation's entries in it (`front.lineup`)."""
    event, games = round.event, round.event.games
    athletes = ", ".join(entry.athlete.local_name for entry in lineup)
    title = f"{event.name} – {round.name}"
    if athletes:
        title = f"{title}: {athletes}"
    address = request.build_absolute_uri(event.get_absolute_url())
    description = [
        _("%(round)s of %(event)s at the %(games)s.")
        % {"round": capfirst(round.name), "event": event.name, "games": games.local_name}
    ]
    if athletes:
        description.append(_("Competing: %(athletes)s.") % {"athletes": athletes})
    if round.scheduled_time is None:
        title = _("%(title)s (time to be confirmed)") % {"title": title}
        description.append(_("The time is to be confirmed; the day is known."))
        start = round.scheduled_date
        end = start + datetime.timedelta(days=1)
    else:
        start = datetime.datetime.combine(round.scheduled_date, round.scheduled_time, tzinfo=games.zone)
        end = start + ROUND_LENGTH
        description.append(
            _("Shown as %(minutes)s minutes long: the length of a round is not published.")
            % {"minutes": int(ROUND_LENGTH.total_seconds() // 60)}
        )
    description.append(address)
    changed = round.updated_at.astimezone(datetime.UTC)
    return Event.new(
        uid=f"{games.slug}-round-{round.pk}@{host}",
        sequence=round.version,
        stamp=changed,
        last_modified=changed,
        start=start,
        end=end,
        summary=title,
        description="\n".join(str(line) for line in description),
        location=games.local_host_city,
        url=address,
        categories=[event.sport.local_name],
    )
