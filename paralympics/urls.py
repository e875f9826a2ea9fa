from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from team import passkeys
from team.sitemaps import SITEMAPS
from team.views import health, robots

urlpatterns = [
    # Passkeys' ceremonies (django-otp-webauthn's JSON endpoints, with the desk's rules: team.passkeys).
    path(f"{settings.ADMIN_URL}passkeys/", include(passkeys.urls)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots, name="robots"),
    path("healthz", health, name="health"),
    path("", include("team.urls")),
]
