"""The share cards a readers' page names in its head (og:image and Twitter's large card): see team.sharecards."""

from django import template
from django.core.exceptions import SuspiciousOperation

from team import sharecards
from team.caching import canonical_host

register = template.Library()


def cards_of(page, context):
    """The cards of the readers' page named `page`, built from what its view put in `context`."""
    delegation = context["delegation"]
    if page in ("team", "medals"):
        return [sharecards.team_card(delegation, context["tally"])]
    if page == "athlete":
        return [sharecards.athlete_card(delegation, context["athlete"])]
    if page == "event":
        return sharecards.event_cards(delegation, context["event"])
    if page == "sport":
        return [sharecards.sport_card(delegation, context["sport"])]
    if page in sharecards.PAGE_TITLES:
        return [sharecards.page_card(delegation, page)]
    return []


@register.simple_tag(takes_context=True)
def share_cards(context):
    """This page's share cards, the one to show first first, each with its absolute `url`, its `alt` text and
    its `width` and `height`; none for a page that is not a readers' page (an error page) or a host that is
    not ours. Addresses name the site's canonical host, as the page's canonical address does."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "team" or context.get("delegation") is None:
        return []
    try:
        origin = f"{request.scheme}://{canonical_host(request)}"
    except SuspiciousOperation:  # DisallowedHost
        return []
    return [
        {
            "url": origin + card.get_absolute_url(),
            "alt": card.alt,
            "width": sharecards.WIDTH,
            "height": sharecards.HEIGHT,
        }
        for card in cards_of(match.url_name, context)
    ]
