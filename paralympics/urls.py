from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from team import passkeys
from team.sitemaps import SITEMAPS
from team.theme import theme_css
from team.views import health, robots


class FaviconRedirect(RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon-32.png")  # the current file's hashed name: a temporary redirect


urlpatterns = [
    # Passkeys' ceremonies (django-otp-webauthn's JSON endpoints, with the desk's rules: team.passkeys).
    path(f"{settings.ADMIN_URL}passkeys/", include(passkeys.urls)),
    # The admin's language menu (Django's set_language view: a cookie, for editors' pages only); before the
    # admin's own addresses, whose last pattern takes any address under it.
    path(f"{settings.ADMIN_URL}language/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots, name="robots"),
    # Browsers, feed readers and link previews ask for /favicon.ico whatever the page says.
    path(
        "favicon.ico",
        require_safe(cache_control(public=True, max_age=86400)(FaviconRedirect.as_view())),
        name="favicon",
    ),
    path("healthz", health, name="health"),
    path("theme/<slug:version_wanted>.css", theme_css, name="theme"),
    # Readers' pages in English at these addresses, and under /az/ and /ru/ (team.languages).
    *i18n_patterns(path("", include("team.urls")), prefix_default_language=False),
]
