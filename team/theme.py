"""The delegation's colours as a stylesheet: `/theme/<version>.css`, a handful of custom properties.

The page's own styles (static/css/site.css) use them as `var(--accent)` and so on. Kept apart from the
pages so that the strict CSP (no inline styles) stays, and so that it is fetched once: its address
carries a digest of the colours, so it is cached for a year and a change of colour gives a new address.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from team.colours import theme
from team.models import Delegation

YEAR = 365 * 24 * 60 * 60


def stylesheet(delegation):
    colours = theme(delegation.colour, delegation.second_colour)

    def block(values):
        return "".join(f"--{name}:{value};" for name, value in values.items())

    return (
        f":root{{{block(colours['light'])}}}\n"
        f"@media (prefers-color-scheme: dark){{:root{{{block(colours['dark'])}}}}}\n"
    )


@require_safe
def theme_css(request, version_wanted):
    delegation = Delegation.objects.featured(settings.FEATURED_DELEGATION)
    if delegation is None:
        # Nothing loaded yet: the page keeps its default colours.
        return HttpResponse("", content_type="text/css; charset=utf-8", headers={"Cache-Control": "no-cache"})
    current = delegation.theme_version
    if version_wanted != current:
        # A page cached before the colours changed: the current colours, at their own address.
        response = HttpResponseRedirect(reverse("theme", args=[current]))
        response["Cache-Control"] = "no-cache"
        return response
    return HttpResponse(
        stylesheet(delegation),
        content_type="text/css; charset=utf-8",
        headers={"Cache-Control": f"public, max-age={YEAR}, immutable"},
    )
