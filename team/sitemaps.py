from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from team.models import Athlete, Event, Sport


def featured():
    games_slug, _sep, npc_code = settings.FEATURED_DELEGATION.partition("/")
    return games_slug, npc_code


class PageSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return ["team:team", "team:schedule", "team:medals", "team:classes", "team:sources", "team:corrections"]

    def location(self, item):
        return reverse(item)


class AthleteSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        games_slug, npc_code = featured()
        return Athlete.objects.filter(delegation__games__slug=games_slug, delegation__npc_code=npc_code).order_by(
            "slug"
        )

    def lastmod(self, athlete):
        return athlete.updated_at


class EventSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        games_slug, npc_code = featured()
        return (
            Event.objects.filter(games__slug=games_slug, entries__athlete__delegation__npc_code=npc_code)
            .distinct()
            .order_by("slug")
        )

    def lastmod(self, event):
        return event.updated_at


class SportSitemap(Sitemap):
    def items(self):
        games_slug, npc_code = featured()
        return (
            Sport.objects.filter(athletes__delegation__games__slug=games_slug, athletes__delegation__npc_code=npc_code)
            .distinct()
            .order_by("slug")
        )


SITEMAPS = {"pages": PageSitemap, "athletes": AthleteSitemap, "events": EventSitemap, "sports": SportSitemap}
