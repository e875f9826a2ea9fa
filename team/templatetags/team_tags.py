import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def zone_city(zone):
    """The city part of a time zone name: Asia/Baku → Baku."""
    return str(zone).rsplit("/", 1)[-1].replace("_", " ")


@register.filter
def ld_json(data):
    """Structured data as a JSON-LD block, escaped so it cannot close the script element."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.inclusion_tag("includes/round_time.html")
def round_time(round, delegation):
    """A round's time at the venue and at home, or 'to be confirmed'."""
    games = delegation.games
    venue, home = round.clock(games.zone), round.clock(delegation.home_zone)
    # Formatted here: the template engine would convert aware times to the server's zone.
    return {
        "round": round,
        "venue_city": games.host_city,
        "venue_time": venue and venue.strftime("%H:%M"),
        "home_city": zone_city(delegation.home_time_zone),
        "home_time": home and home.strftime("%H:%M"),
    }


@register.inclusion_tag("includes/class_code.html")
def class_code(info):
    """A class code linked to the glossary, with its meaning in words beside it."""
    return {"info": info}
