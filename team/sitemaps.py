from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from team.models import Athlete, Event, Sport, featured_lookup


def featured(prefix):
    return featured_lookup(settings.FEATURED_DELEGATION, prefix)


class LocalizedSitemap(Sitemap):
    """Every page in every language (settings.LANGUAGES), each naming the others as alternates,
    and English as the default for readers whose language we do not have."""

    i18n = True
    alternates = True
    x_default = True


class PageSitemap(LocalizedSitemap):
    changefreq = "hourly"

    def items(self):
        return [
            "team:team",
            "team:schedule",
            "team:medals",
            "team:classes",
            "team:sources",
            "team:corrections",
            "team:data",
        ]

    def location(self, item):
        return reverse(item)


class AthleteSitemap(LocalizedSitemap):
    changefreq = "hourly"

    def items(self):
        return Athlete.objects.filter(**featured("delegation__")).order_by("slug")

    def lastmod(self, athlete):
        return athlete.updated_at


class EventSitemap(LocalizedSitemap):
    changefreq = "hourly"

    def items(self):
        return Event.objects.filter(**featured("entries__athlete__delegation__")).distinct().order_by("slug")

    def lastmod(self, event):
        return event.updated_at


class SportSitemap(LocalizedSitemap):
    def items(self):
        return Sport.objects.filter(**featured("athletes__delegation__")).distinct().order_by("slug")


SITEMAPS = {"pages": PageSitemap, "athletes": AthleteSitemap, "events": EventSitemap, "sports": SportSitemap}
