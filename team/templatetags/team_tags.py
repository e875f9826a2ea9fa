from django import template

register = template.Library()


@register.filter
def zone_city(zone):
    """The city part of a time zone name: Asia/Baku → Baku."""
    return str(zone).rsplit("/", 1)[-1].replace("_", " ")


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
