import datetime
import json

from django import template
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from team import dates
from team.caching import canonical_address, canonical_host
from team.languages import alternates
from team.models.languages import Fallback

register = template.Library()

JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def zone_city(zone):
    """The city part of a time zone name, in the page's language where we have it: Asia/Baku → Baku (Bakı, Баку)."""
    city = str(zone).rsplit("/", 1)[-1].replace("_", " ")
    return ZONE_CITIES.get(city, city)


#: The cities of the time zones the Games and the home team's readers use, as each language writes them.
ZONE_CITIES = {"Baku": gettext_lazy("Baku"), "Paris": gettext_lazy("Paris"), "Los Angeles": gettext_lazy("Los Angeles")}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's own address (team.caching.canonical_address: a filtered page keeps its normalised query),
    or "" when the request cannot name one: a host that is not ours, a query too big to read (the 400 page
    for such a request must not fail in turn)."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        return canonical_address(request)
    except SuspiciousOperation:  # DisallowedHost, TooManyFieldsSent
        return ""


@register.filter(expects_localtime=True)
def local_date(value, kind):
    """`value` as this kind of date in the page's language (team.dates.FORMATS); empty for no date.
    Like Django's `date` filter, an aware datetime is shown in the current time zone."""
    return dates.local_date(value, kind) if value else ""


@register.filter
def lang_marked(value):
    """Readers' text in the page's language, or, where its translation is missing and the English shows
    instead (team.models.languages.Fallback), that English marked `lang="en"` for readers and their tools."""
    if isinstance(value, Fallback) and value:
        return format_html('<span lang="{}">{}</span>', value.lang, value)
    return value


@register.simple_tag
def local_now(kind):
    """Now, at the site's time zone, as this kind of date in the page's language."""
    return dates.local_date(timezone.localtime(), kind)


@register.simple_tag(takes_context=True)
def language_links(context):
    """This page in every language (team.languages.alternates), each with its absolute address on the
    site's canonical host for `hreflang`; none when the request cannot name its host."""
    request = context.get("request")
    if request is None:
        return []
    try:
        host = f"{request.scheme}://{canonical_host(request)}"
    except SuspiciousOperation:
        return []
    return [
        {"code": code, "name": name, "address": address, "absolute": host + address, "current": current}
        for code, name, address, current in alternates(request)
    ]


@register.filter
def ld_json(data):
    """Structured data as a JSON-LD block, escaped so it cannot close the script element."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def round_time(round, delegation, instant=False):
    """A round's time at the venue and at home, with its day, or what is still to be confirmed.

    Built here rather than in an included template: the schedule shows it on every row.
    Times are formatted here too: the template engine would convert aware times to the server's zone.

    With `instant`, a round whose day and time are known names its moment in UTC (`datetime`) and the two
    zones shown (`data-zones`), for static/js/localtime.js to add the reader's own time.
    """
    games = delegation.games
    day = dates.local_date(round.scheduled_date, "day") if round.scheduled_date else None
    venue = round.clock(games.zone)
    if venue is None:
        if day is None:
            return _("day and time to be confirmed")
        return format_html("{}, {}", day, _("time to be confirmed"))
    home = round.clock(delegation.home_zone)
    moment = format_html('datetime="{}"', venue.strftime("%H:%M"))
    if instant and day is not None:
        moment = format_html(
            'datetime="{}" data-zones="{} {}"', utc_instant(venue), games.time_zone, delegation.home_time_zone
        )
    return format_html(
        "<time {moment}>{venue}</time> {venue_label} · {home} {home_label}, {day}",
        moment=moment,
        venue=venue.strftime("%H:%M"),
        venue_label=_("%(city)s time") % {"city": games.local_host_city},
        home=home.strftime("%H:%M"),
        home_label=_("%(city)s time") % {"city": zone_city(delegation.home_time_zone)},
        day=day or _("day to be confirmed"),
    )


def utc_instant(moment):
    """An aware datetime as a `<time datetime>` value in UTC, e.g. 2024-08-31T13:30:00Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.simple_tag
def moment_at(moment, zone, city):
    """A moment as a `<time>` in UTC, read in words at `zone`: "14:05 Paris time, Saturday 31 August 2024"."""
    local = moment.astimezone(zone)
    return format_html(
        '<time datetime="{}">{} {}, {}</time>',
        utc_instant(moment),
        local.strftime("%H:%M"),
        _("%(city)s time") % {"city": city},
        dates.local_date(local, "day_year"),
    )


@register.simple_tag
def class_code(sport_class):
    """A class code linked to the glossary, with its meaning in words beside it."""
    return format_html(
        '<a class="class-code" href="{}">{}</a> <span class="class-meaning">({})</span>',
        sport_class.get_absolute_url(),
        sport_class.code,
        sport_class.local_meaning,
    )


@register.simple_tag
def event_link(event):
    """A link to an event's page; a class code in its name points to the page's "classes on this page" note."""
    if event.sport_class_id:
        return format_html(
            '<a href="{}" aria-describedby="class-note-{}">{}</a>',
            event.get_absolute_url(),
            event.sport_class.code,
            event.name,
        )
    return format_html('<a href="{}">{}</a>', event.get_absolute_url(), event.name)
