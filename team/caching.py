"""Readers' pages from a shared cache, never older than the last committed change.

Every cached page and every ETag carries the site's *generation*: a number
the database itself moves on, in the same transaction, whenever anything
readers see changes (`team.models.Publication` and its triggers), whatever
made the change. A new generation makes every stored page unreachable at
once, in every process and on every host that shares the cache.

Each process reads the generation at most once per `PAGE_GENERATION_TTL`
seconds (1 by default), so cached pages and conditional requests are
answered without a query, and a change reaches readers within that second
plus the CDN's `s-maxage`. If the database cannot be read, the last
generation read stays in use, so cached pages keep being served.

The cache itself may fail too: `ResilientRedisCache` turns its errors into
misses, and pages are then rendered without it.

Floods of addresses no cache has seen are absorbed three ways: an address is
stored under one key however its host is spelt and its parameters ordered,
and one that carries parameters the page does not know (or empty ones) is
redirected to the address without them instead of being rendered; pages with
parameters live 10 minutes, not a day, and nothing over `MAX_PAGE_BYTES` is
stored; and each process renders at most `RENDER_CONCURRENCY` pages at once,
answering any further miss at once with a 503 and `Retry-After`, so that its
threads stay free for cached pages and 304s.
"""

import functools
import hashlib
import logging
import threading
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

logger = logging.getLogger(__name__)

PAGE_TIMEOUT = 24 * 60 * 60  # a day; a new generation makes old pages unreachable long before
FILTERED_PAGE_TIMEOUT = 10 * 60  # a page with parameters: one of very many possible, kept briefly
MAX_PAGE_BYTES = 1024 * 1024
RETRY_AFTER_SECONDS = 5

# Browsers revalidate every time (cheap: a 304); a CDN may serve a page for 10 s,
# keep serving it for 30 s while it fetches a fresh one, and for a day if we are down.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30, stale-if-error=86400"


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, except that a failing Redis slows the site down instead of breaking it.

    Any error talking to Redis (down, timing out, refusing writes, out of
    memory) makes a read miss and a write do nothing, so pages are rendered
    without the cache and the admin keeps working. Failures are logged at most
    once per `LOG_INTERVAL` seconds per process, with how many were not logged;
    `failure` names the last one while Redis keeps failing (for /healthz).

    Our own thin subclass rather than django-redis (which can ignore errors
    too): its 7.0 release does not declare support for Django 6.1, and it logs
    every ignored error, a traceback per request during an outage.
    """

    LOG_INTERVAL = 30

    def __init__(self, server, params):
        super().__init__(server, params)
        self.failure = None
        self._lock = threading.Lock()
        self._logged_at = float("-inf")
        self._unlogged = 0

    def attempt(self, call, fallback):
        try:
            result = call()
        except redis.RedisError as error:
            self.failed(error)
            return fallback
        self.failure = None
        return result

    def failed(self, error):
        self.failure = type(error).__name__
        with self._lock:
            now = time.monotonic()
            if now - self._logged_at < self.LOG_INTERVAL:
                self._unlogged += 1
                return
            unlogged, self._unlogged, self._logged_at = self._unlogged, 0, now
        logger.warning(
            "Cache unavailable, serving without it: %s: %s (%d more failures since the last message)",
            type(error).__name__,
            error,
            unlogged,
        )

    def get(self, key, default=None, version=None):
        return self.attempt(functools.partial(super().get, key, default, version), default)

    def get_many(self, keys, version=None):
        return self.attempt(functools.partial(super().get_many, keys, version), {})

    def has_key(self, key, version=None):
        return self.attempt(functools.partial(super().has_key, key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(functools.partial(super().add, key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(functools.partial(super().set, key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(functools.partial(super().set_many, data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self.attempt(functools.partial(super().touch, key, timeout, version), False)

    def delete(self, key, version=None):
        return self.attempt(functools.partial(super().delete, key, version), False)

    def delete_many(self, keys, version=None):
        return self.attempt(functools.partial(super().delete_many, keys, version), None)

    def incr(self, key, delta=1, version=None):
        # Counting nothing while Redis is away: the login throttle then refuses no one.
        return self.attempt(functools.partial(super().incr, key, delta, version), 0)

    def clear(self):
        return self.attempt(super().clear, False)


class Published:
    """The database's generation and when readers' data last changed, as this process last read them."""

    def __init__(self):
        self.generation = None
        self.changed_at = None
        self.read_at = float("-inf")
        self._lock = threading.Lock()
        self._failed_at = float("-inf")

    def current(self):
        """The generation, re-read once `PAGE_GENERATION_TTL` seconds have passed; None if never read."""
        if time.monotonic() - self.read_at >= settings.PAGE_GENERATION_TTL:
            with self._lock:
                if time.monotonic() - self.read_at >= settings.PAGE_GENERATION_TTL:
                    self.read()
        return self.generation

    def read(self):
        from team.models import Publication  # not at import time: cache backends load before the app registry

        try:
            row = Publication.objects.filter(pk=1).values_list("generation", "changed_at").first()
        except DatabaseError as error:
            if time.monotonic() - self._failed_at >= ResilientRedisCache.LOG_INTERVAL:
                self._failed_at = time.monotonic()
                logger.warning("Could not read the publication, serving generation %s: %s", self.generation, error)
            return
        self.generation, self.changed_at = row or (0, None)
        self.read_at = time.monotonic()

    def last_modified(self):
        return int(self.changed_at.timestamp()) if self.changed_at else None


published = Published()


def generation():
    """The current generation of readers' data, or None while it cannot be known."""
    return published.current()


def canonical_host(request):
    """The request's host as the site names it: validated against ALLOWED_HOSTS (DisallowedHost otherwise),
    in lower case, without a trailing dot, and without a port that is the scheme's default or not a port."""
    domain, port = split_domain_port(request.get_host())
    default = "443" if request.is_secure() else "80"
    if not port.isdigit() or port == default or not 0 < int(port) < 65536:
        return domain
    return f"{domain}:{port}"


def page_key(request, current):
    """The cache key and ETag of this address in this generation.

    Scheme and host are part of the page (its canonical and Open Graph URLs);
    parameters are sorted, so their order makes no new entry.
    """
    query = sorted(request.GET.lists())
    address = f"{request.scheme}://{canonical_host(request)}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"page:{current}:{digest}", f'"{current:x}-{digest[:16]}"'


def without_unknown_parameters(request, known):
    """A redirect to this address without empty parameters and those not in `known`, or None if there are none."""
    query = request.GET.copy()
    dropped = [key for key, values in query.lists() if key not in known or not any(value.strip() for value in values)]
    if not dropped:
        return None
    for key in dropped:
        del query[key]
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


class RenderSlots:
    """How many pages this process may render at once (`RENDER_CONCURRENCY`), the rest answered busy."""

    def __init__(self):
        self._lock = threading.Lock()
        self._size = None
        self._semaphore = None

    def semaphore(self):
        with self._lock:
            if self._size != settings.RENDER_CONCURRENCY:
                self._size = settings.RENDER_CONCURRENCY
                self._semaphore = threading.BoundedSemaphore(self._size)
            return self._semaphore


render_slots = RenderSlots()


def busy():
    response = HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    response["Cache-Control"] = "no-store"
    return response


def finish(response, etag, last_modified):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def from_cache(request, current):
    """A 304 or the stored page when this generation holds one for this address, else None."""
    key, etag = page_key(request, current)
    last_modified = published.last_modified()
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
            current = generation()
            if current is not None and (response := from_cache(request, current)) is not None:
                return response
        return self.get_response(request)


def public_page(view=None, *, params=()):
    """Serve a readers' page from the shared cache, with ETag, Last-Modified and CDN-friendly headers.

    `params` names the query parameters the page understands (or is a function
    returning them); any other, or an empty one, is redirected away (see the module).
    """
    if view is None:
        return functools.partial(public_page, params=params)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        known = params() if callable(params) else params
        if redirect := without_unknown_parameters(request, known):
            return redirect
        caching = request.method in ("GET", "HEAD") and settings.PUBLIC_PAGE_CACHE
        current = generation() if caching else None
        if current is not None and (response := from_cache(request, current)) is not None:
            return response
        slots = render_slots.semaphore()
        if not slots.acquire(blocking=False):
            return busy()
        try:
            response = view(request, *args, **kwargs)
        finally:
            slots.release()
        if current is None:
            return response
        if response.status_code != 200 or response.streaming:
            response.setdefault("Cache-Control", "public, max-age=0, s-maxage=10")
            return response
        key, etag = page_key(request, current)
        if len(response.content) <= MAX_PAGE_BYTES:
            cache.set(key, response, FILTERED_PAGE_TIMEOUT if request.GET else PAGE_TIMEOUT)
        return finish(response, etag, published.last_modified())

    return wrapped
