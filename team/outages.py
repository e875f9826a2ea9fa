"""How the site behaves while a service it needs is down: slower, never broken, and quiet in the log.

* The cache (Redis): `ResilientRedisCache` turns every Redis error into a
  miss or a write that did nothing, so pages are rendered without the cache and
  the admin keeps working.
* The database: `DatabaseOutageMiddleware` answers a request that needed it
  with a 503 and `Retry-After` instead of a 500 and a traceback; cached pages
  are still served (`team.caching` keeps the last generation it read).

Each outage is logged at most once per `LOG_INTERVAL` seconds per process,
with how many failures were not logged, and remembered for `/healthz`.
"""

import functools
import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

LOG_INTERVAL = 30
RETRY_AFTER_SECONDS = 5


class Outage:
    """The failures of one service in this process: the last one, and a log limited to one line per interval.

    One per process, shared by its threads (Django keeps a cache object per thread).
    """

    def __init__(self, service, consequence):
        self.service = service
        self.consequence = consequence
        self._lock = threading.Lock()
        self.forget()

    def forget(self):
        """As if the service had never failed in this process."""
        with self._lock:
            self.last_failure = None
            self.failed_at = float("-inf")
            self._logged_at = float("-inf")
            self._unlogged = 0

    def report(self, error):
        with self._lock:
            now = time.monotonic()
            self.last_failure, self.failed_at = type(error).__name__, now
            if now - self._logged_at < LOG_INTERVAL:
                self._unlogged += 1
                return
            unlogged, self._unlogged, self._logged_at = self._unlogged, 0, now
        logger.warning(
            "%s unavailable, %s: %s: %s (%d more failures since the last message)",
            self.service.capitalize(),
            self.consequence,
            type(error).__name__,
            str(error).strip(),
            unlogged,
        )

    def recent(self, seconds=LOG_INTERVAL):
        """The last failure's name if it happened in the last `seconds`, else None."""
        return self.last_failure if time.monotonic() - self.failed_at < seconds else None


cache_outage = Outage("cache", "serving without it")
database_outage = Outage("database", "answering 503")


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, except that a failing Redis slows the site down instead of breaking it.

    Any error talking to Redis (down, timing out, refusing writes, out of
    memory) makes a read miss and a write do nothing; it is reported to
    `cache_outage`.

    Our own thin subclass rather than django-redis (which can ignore errors
    too): its 7.0 release does not declare support for Django 6.1, and it logs
    every ignored error, a traceback per request during an outage.
    """

    def attempt(self, call, fallback):
        try:
            return call()
        except redis.RedisError as error:
            cache_outage.report(error)
            return fallback

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


@functools.cache
def unavailable_page(title, message, language):
    return render_to_string("503.html", {"title": title, "message": message})


def unavailable(title, message, reuse=False):
    """A plain 503 page that asks to come back in a few seconds, never stored by anyone.

    With `reuse`, the page is rendered once per process and language: for answers that must cost nothing.
    """
    if reuse:
        page = unavailable_page(title, message, get_language())
    else:
        page = render_to_string("503.html", {"title": title, "message": message})
    response = HttpResponse(page, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """A view that cannot reach the database answers 503 with `Retry-After`, logged once per interval."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        database_outage.report(exception)
        return unavailable(
            _("Temporarily unavailable"),
            _("Our database is not answering. Please try again in a few seconds; nothing saved is lost."),
        )
