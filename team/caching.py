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

A page whose content also depends on the clock (the team page's "Today")
says so while it renders (`clock_bound`): it is stored only until what it
shows stops holding, and its ETag names that moment, so no copy from before
it is confirmed after it.

The cache itself may fail too (see `team.outages`): its errors become
misses, and pages are then rendered without it. A process that starts while
the database is down takes the last generation from the cache, so cached
pages are still served.

Floods of addresses no cache has seen are absorbed three ways: an address is
stored under one key however its host is spelt and its parameters ordered,
and one that carries parameters the page does not know (or empty ones) is
redirected to the address without them instead of being rendered; pages with
parameters live 10 minutes, not a day, and nothing over `MAX_PAGE_BYTES` is
stored; and each process renders at most `RENDER_CONCURRENCY` pages at once,
answering any further miss at once with a 503 and `Retry-After`, so that its
threads stay free for cached pages and 304s. While the cache is failing there
is nothing to keep free for, and renders are not limited.
"""

import functools
import hashlib
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags
from django.utils.translation import gettext as _

from team.outages import cache_outage, database_outage, unavailable

#: Where the last generation read is left for a process that starts while the database is down.
PUBLISHED_KEY = "site:published"

PAGE_TIMEOUT = 24 * 60 * 60  # a day; a new generation makes old pages unreachable long before
FILTERED_PAGE_TIMEOUT = 10 * 60  # a page with parameters: one of very many possible, kept briefly
MAX_PAGE_BYTES = 1024 * 1024

# Browsers revalidate every time (cheap: a 304); a CDN may serve a page for 10 s,
# keep serving it for 30 s while it fetches a fresh one, and for a day if we are down.
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30, stale-if-error=86400"


class Published:
    """The database's generation and when readers' data last changed, as this process last read them."""

    def __init__(self):
        self._lock = threading.Lock()
        self.forget()

    def forget(self):
        """As if this process had just started."""
        self.generation = None
        self.changed_at = None
        self.read_at = float("-inf")

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
            database_outage.report(error)
            if self.generation is None:
                self.generation, self.changed_at = cache.get(PUBLISHED_KEY) or (None, None)
            return
        self.generation, self.changed_at = row or (0, None)
        # Left for a process that starts while the database is down (rewritten each time: Redis may have restarted).
        cache.set(PUBLISHED_KEY, (self.generation, self.changed_at), None)
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


def normalised_query(request):
    """The query string with its parameters, and each one's values, in sorted order: one spelling per page."""
    return urlencode(sorted((key, value) for key, values in request.GET.lists() for value in values))


def canonical_address(request):
    """This page's one address: the site's canonical host, the path, the normalised query (DisallowedHost
    for a host that is not ours). A filtered page's address is its own, so a shared link previews as itself."""
    query = normalised_query(request)
    return f"{request.scheme}://{canonical_host(request)}{request.path}" + (f"?{query}" if query else "")


def page_key(request, current):
    """The cache key and ETag of this address in this generation.

    Scheme and host are part of the page (its canonical and Open Graph URLs);
    parameters are sorted, so their order makes no new entry.
    """
    address = canonical_address(request)
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
    """The answer to a miss beyond the render limit: it must cost next to nothing, so its page is made once."""
    return unavailable(
        _("We are very busy right now"),
        _("This page could not be prepared at this moment. Please try again in a few seconds."),
        reuse=True,
    )


def finish(response, etag, last_modified):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def clock_bound(request, seconds):
    """Say, while rendering a readers' page, that what it shows also depends on the clock and holds for
    `seconds` more whatever the generation (a "Today" list: until midnight at the venue).

    Such a page is stored no longer than that. Its ETag names the moment it holds until, and it has no
    Last-Modified (a date alone would confirm yesterday's copy), so a copy made before that moment is
    never confirmed with a 304 after it.
    """
    until = round((time.time() + max(seconds, 0)) / 60) * 60  # to the minute: a day's renders agree
    request.page_holds_until = until
    if getattr(request, "page_etag", None):
        request.page_etag = clock_etag(request.page_etag, until)


def clock_etag(etag, until):
    """The ETag of a page that holds until the POSIX time `until` (see `clock_bound`)."""
    return f'{etag[:-1]}-{until:x}"'


def held_clock_etag(request, etag):
    """The `clock_etag` of this address and generation that the client revalidates with, if the moment
    it names is still ahead; else None."""
    prefix = etag[:-1] + "-"
    for tag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        bare = tag.removeprefix("W/")
        until = bare[len(prefix) : -1] if bare.startswith(prefix) and bare.endswith('"') else ""
        if until and all(digit in "0123456789abcdef" for digit in until) and int(until, 16) > time.time():
            return tag
    return None


def from_cache(request, current):
    """A 304 or the stored page when this generation holds one for this address, else None."""
    key, etag = page_key(request, current)
    last_modified = published.last_modified()
    revalidating = "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META
    # A revalidation needs to know the page is stored, not to load it.
    if revalidating and cache.has_key(key):
        # A page that depends on the clock too is confirmed by the ETag it was served with, while that holds.
        held = held_clock_etag(request, etag)
        validators = (held, None) if held else (etag, last_modified)
        not_modified = get_conditional_response(request, etag=validators[0], last_modified=validators[1])
        if not_modified is not None:
            if "HTTP_ORIGIN" in request.META and resolved_attribute(request, "open_data"):
                # A script on another site revalidating open data must be allowed to read the 304 too.
                not_modified["Access-Control-Allow-Origin"] = "*"
            return finish(not_modified, *validators)
    stored = cache.get(key)
    if stored is None:
        return None
    until = getattr(stored, "page_holds_until", None)
    if until is None:
        return finish(stored, etag, last_modified)
    return finish(stored, clock_etag(etag, until), None) if until > time.time() else None


class CachedPageMiddleware:
    """Answer repeat visits to readers' pages from the cache before sessions, CSRF and URL routing run,
    and refuse a render beyond the process's limit just as early.

    Only addresses that `public_page` stored are answered here, so nothing
    else (the admin, a page never shown) can come out of the cache. A miss on
    a readers' page takes one of the process's render slots for as long as the
    page takes; when none is free the answer is a 503 made once, costing about
    what a cached page costs, so a flood of new addresses cannot hold the
    threads that cached pages need.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and settings.PUBLIC_PAGE_CACHE:
            current = generation()
            if current is not None and (response := from_cache(request, current)) is not None:
                return response
        if cache_outage.recent() or not renders_public_page(request):
            # While the cache is failing, nothing is served from it: no thread to keep free for it.
            return self.get_response(request)
        slots = render_slots.semaphore()
        if not slots.acquire(blocking=False):
            return busy()
        try:
            return self.get_response(request)
        finally:
            slots.release()


def resolved_attribute(request, name):
    """The attribute `name` of the view this address leads to (False if none, or no view)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, name, False)


def renders_public_page(request):
    return resolved_attribute(request, "renders_public_page")


def open_data(view):
    """A readers' address whose answer is data (CSV, JSON, a calendar, a feed): any site's script may read it,
    whatever the answer (a 400 included), so other newsrooms can embed it. Put it below `public_page` (nearer
    the view), so the copy stored in the cache carries the header too."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    wrapped.open_data = True  # kept by `public_page`'s wraps: its 304s from the cache carry the header too
    return wrapped


def public_page(view=None, *, params=()):
    """Store a readers' page in the shared cache, with ETag, Last-Modified and CDN-friendly headers.

    `CachedPageMiddleware` (in settings.MIDDLEWARE) answers from the cache; this
    decorator renders on a miss and stores the page.

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
        # A page already stored was answered by CachedPageMiddleware; here it is rendered and stored.
        caching = request.method in ("GET", "HEAD") and settings.PUBLIC_PAGE_CACHE
        current = generation() if caching else None
        if current is not None:
            # Known before rendering (it does not depend on the body), so the page can carry its own ETag
            # and later ask whether it is still current (team.context_processors.live_updates).
            key, etag = page_key(request, current)
            request.page_etag = etag
        response = view(request, *args, **kwargs)
        if current is None:
            return response
        if response.status_code != 200 or response.streaming:
            response.setdefault("Cache-Control", "public, max-age=0, s-maxage=10")
            return response
        timeout = FILTERED_PAGE_TIMEOUT if request.GET else PAGE_TIMEOUT
        last_modified = published.last_modified()
        if (until := getattr(request, "page_holds_until", None)) is not None:
            # What it shows depends on the clock too (`clock_bound`): kept no longer than that holds.
            etag, last_modified = clock_etag(etag, until), None
            timeout = min(timeout, int(until - time.time()))
            response.page_holds_until = until
        if timeout > 0 and len(response.content) <= MAX_PAGE_BYTES:
            cache.set(key, response, timeout)
        return finish(response, etag, last_modified)

    wrapped.renders_public_page = True  # its renders are limited per process (CachedPageMiddleware)
    return wrapped
