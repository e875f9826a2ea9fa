"""The share cards' own addresses (team.share_urls): each builds its card from the database, as its page
does (team.sharecards), and draws it as a PNG.

They are readers' pages to the cache (team.caching.public_page): a card is drawn once per change of the
data, then answered from the cache, with an ETag and a 304 for a client that has it. An address whose
version is not the card's current one redirects to the current one; an athlete's or an event's slug from
before a correction redirects permanently to the card's address with the slug now (whose version is then
checked as any other); an unknown athlete, event, sport, page or a medal not won is a plain 404. Each runs
the queries its page runs, or fewer, whatever the data.
"""

from django.http import HttpResponse, HttpResponseNotFound, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from team import sharecards
from team.caching import public_page
from team.models import Sport
from team.views import athlete_slug_now, event_of, event_slug_now, featured_delegation


def card_response(card, version):
    if card is None:
        return HttpResponseNotFound(_("No share card at this address."), content_type="text/plain; charset=utf-8")
    if version != card.version:
        return HttpResponseRedirect(card.get_absolute_url())
    return HttpResponse(sharecards.draw(card), content_type="image/png")


@require_safe
@public_page
def team(request, version):
    delegation = featured_delegation()
    return card_response(sharecards.team_card(delegation, delegation.medal_tally()), version)


@require_safe
@public_page
def page(request, page, version):
    delegation = featured_delegation()
    card = sharecards.page_card(delegation, page) if page in sharecards.PAGE_TITLES else None
    return card_response(card, version)


@require_safe
@public_page
def sport(request, slug, version):
    delegation = featured_delegation()
    sport = Sport.objects.filter(slug=slug).first()
    return card_response(sport and sharecards.sport_card(delegation, sport), version)


@require_safe
@public_page
def athlete(request, slug, version):
    delegation = featured_delegation()
    athlete = delegation.athletes.with_badges().filter(slug=slug).first()
    if athlete is None and (current := athlete_slug_now(delegation, slug)):
        return HttpResponsePermanentRedirect(reverse("team:share-athlete", args=[current, version]))
    return card_response(athlete and sharecards.athlete_card(delegation, athlete), version)


@require_safe
@public_page
def event(request, slug, version):
    delegation = featured_delegation()
    event = event_of(delegation, slug)
    if event is None and (current := event_slug_now(delegation, slug)):
        return HttpResponsePermanentRedirect(reverse("team:share-event", args=[current, version]))
    return card_response(event and sharecards.event_card(delegation, event), version)


@require_safe
@public_page
def medal(request, slug, medal, version):
    delegation = featured_delegation()
    event = event_of(delegation, slug)
    if event is None and (current := event_slug_now(delegation, slug)):
        return HttpResponsePermanentRedirect(reverse("team:share-medal", args=[current, medal, version]))
    results = sharecards.medals_won(event).get(medal) if event else None
    return card_response(results and sharecards.medal_card(delegation, event, medal, results), version)
