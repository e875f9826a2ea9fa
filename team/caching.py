"""Readers' pages from a shared cache, thrown away the moment an editor's change commits.

Every cached page and every ETag carries the site's *generation*: a number
kept in the shared cache (Redis in production) and replaced whenever
anything readers see changes. Replacing it makes every stored page
unreachable at once, in every process and on every host that shares the
cache, bulk changes included. Conditional requests are answered from the
generation alone, without touching the database.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

GENERATION_KEY = "site:generation"
PAGE_TIMEOUT = 24 * 60 * 60  # a day; a new generation makes old pages unreachable long before

# Browsers revalidate every time (cheap: a 304); a CDN may serve a page for 10 s,
# keep serving it for 30 s while it fetches a fresh one, and for a day if we are down.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30, stale-if-error=86400"


def generation():
    """The current generation (nanoseconds since the epoch of the last change, or of the first request)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    return value


def invalidate():
    """Start a new generation now: every cached page is stale."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def invalidate_on_commit():
    """Start a new generation once the current transaction commits (at once outside one)."""
    transaction.on_commit(invalidate)


def page_key(request, current):
    # Scheme and host are part of the page (its canonical and Open Graph URLs). The raw Host
    # header is safe here: a host Django refuses never gets a page rendered, let alone stored.
    address = f"{request.scheme}://{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"page:{current}:{digest}", f'"{current:x}-{digest[:16]}"'


def finish(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def from_cache(request, current):
    """A 304 or the stored page when this generation holds one for this address, else None."""
    key, etag = page_key(request, current)
    last_modified = current // 1_000_000_000
    revalidating = "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
    # A revalidation needs to know the page is stored, not to load it.
    if revalidating and cache.has_key(key):
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return finish(not_modified, etag, last_modified)
    stored = cache.get(key)
    return None if stored is None else finish(stored, etag, last_modified)


class CachedPageMiddleware:
    """Answer repeat visits to readers' pages from the cache before sessions, CSRF and URL routing run.

    Only addresses that `public_page` stored are answered here, so nothing
    else (the admin, a page never shown) can come out of the cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and settings.PUBLIC_PAGE_CACHE:
            current = cache.get(GENERATION_KEY)
            if current is not None and (response := from_cache(request, current)) is not None:
                return response
        return self.get_response(request)


def public_page(view):
    """Serve a readers' page from the shared cache, with ETag, Last-Modified and CDN-friendly headers."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not settings.PUBLIC_PAGE_CACHE:
            return view(request, *args, **kwargs)
        current = generation()
        if (response := from_cache(request, current)) is not None:
            return response
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            response.setdefault("Cache-Control", "public, max-age=0, s-maxage=10")
            return response
        key, etag = page_key(request, current)
        cache.set(key, response, PAGE_TIMEOUT)
        return finish(response, etag, current // 1_000_000_000)

    return wrapped
