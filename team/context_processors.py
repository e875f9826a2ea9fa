"""What templates need beyond their view's context."""

from django.conf import settings


def live_updates(request):
    """A readers' page's own ETag and how often it asks whether it is still current (static/js/live.js).

    Only pages `public_page` renders while the readers' cache is on have an ETag; every other page
    (the admin, error pages, and readers' pages with the cache off) gets nothing, and loads no script.
    """
    etag = getattr(request, "page_etag", None)
    if not etag:
        return {}
    return {"live_updates": {"etag": etag, "interval": settings.LIVE_UPDATE_INTERVAL_MS}}
