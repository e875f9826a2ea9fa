"""The admin login's throttle: who is guessing, and how long they wait.

Who: the client address
-----------------------
`client_address(request)` is the address failed logins are counted against.
REMOTE_ADDR is the peer that opened the connection. Behind the reverse proxy of
the documented deployment that is always the proxy, so counting it would lock
an editor out everywhere after a few guesses from anywhere. The proxies are
named by the FORWARDED_ALLOW_IPS setting, read from the environment variable
gunicorn reads for the same purpose (gunicorn.conf.py), with the same default,
127.0.0.1: a comma-separated list of IP addresses and networks (CIDR), or `*`.

* A peer that is not a trusted proxy is the client, and its X-Forwarded-For is
  ignored: an outsider cannot choose the address it is counted against.
* A trusted peer's X-Forwarded-For is read from the right. Each proxy appends
  the address it received the request from, so everything right of the real
  client was written by our proxies and everything left of it by the client.
  Entries that are trusted proxies are skipped; the first one that is not is
  the client. If every entry is a proxy, the left-most is the client.
* An entry that is not an IP address ends the walk, and the client is the
  last trusted hop: the proxy that passed the garbage on, or the peer. What
  cannot be read names nobody, and must not let anyone choose a count. (The
  proxy appends the real client's address right of anything the client sent,
  so a client's own garbage is never reached.) A port is dropped first:
  `203.0.113.7:4711` and `[2001:db8::7]:4711` are read as their addresses.
* `*` trusts whichever peer connects (only for a gunicorn that nothing but
  the proxy can reach). It names no proxy addresses, so only the right-most
  entry, the one that peer appended, is believed.
* A peer without an IP address (a Unix socket) is trusted only under `*`.

Addresses are normalised: an IPv4 address written as IPv6 (`::ffff:a.b.c.d`,
as a dual-stack socket reports it) is the IPv4 address, and an IPv6 client is
counted by its /64 network. A host usually has a whole /64 to itself and can
take any address in it at no cost; counted one by one, it would get a fresh
allowance for every guess.

How long: growing cool-downs
----------------------------
Failures are counted in Django's default cache, in two scopes: a username at
one client (limit ADMIN_LOGIN_FAILURE_LIMIT, default 5), and a client across
all usernames (ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT, default 50). Below its limit
a scope is never locked. The failure that reaches the limit locks that scope
for ADMIN_LOGIN_FIRST_DELAY seconds (default 30), and each further failure
locks it for twice as long as the one before: 30, 60, 120 ... seconds, never
longer than ADMIN_LOGIN_FAILURE_WINDOW (default 900). An attempt while a
scope is locked is refused before the password is checked, and is not
counted. A successful login clears the username-at-client scope only, so that
one known password does not reset a client's allowance for other usernames.

A count is forgotten a full window after the lock of its last failure ends
(after the failure itself, below the limit): it always outlives the lock, so
the next failure after a lock doubles it, and a scope that stays quiet for a
window starts again from nothing.

The count is kept with the portable cache API only (add, incr, get, set,
touch, delete, with timeouts), so the same code runs on the local-memory cache
and on Redis. Keys are HMACs keyed with SECRET_KEY: neither usernames nor
addresses appear in them. The lock holds the time it ends, so the refusal can
say how long to wait. While Redis is down, `team.outages.ResilientRedisCache`
reads nothing and counts nothing: the throttle then refuses no one, and the
login keeps working.

Why not django-axes
-------------------
Its latest release, 8.3.1, declares support for Django 4.2, 5.2 and 6.0, not
6.1, which this site runs. And its lockouts are flat: AXES_COOLOFF_TIME is one
cool-off for every lockout (a callable may compute it from the request, but
remembering earlier lockouts to make it grow would still be ours to write,
which is most of this module).
"""

import functools
import ipaddress
import json
import math
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

DEFAULTS = {
    "ADMIN_LOGIN_FAILURE_LIMIT": 5,
    "ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT": 50,
    "ADMIN_LOGIN_FIRST_DELAY": 30,
    "ADMIN_LOGIN_FAILURE_WINDOW": 15 * 60,
    "FORWARDED_ALLOW_IPS": "127.0.0.1",
}

#: How many addresses an IPv6 client is counted by: its /64 network.
IPV6_PREFIX = 64


def setting(name):
    return getattr(settings, name, DEFAULTS[name])


# Who


@dataclass(frozen=True)
class TrustedProxies:
    """FORWARDED_ALLOW_IPS, read: any peer (`*`), or these networks."""

    any_peer: bool
    networks: tuple

    def __contains__(self, address):
        return self.any_peer or any(address in network for network in self.networks)


@functools.lru_cache(maxsize=8)
def _trusted_proxies(entries):
    return TrustedProxies(
        any_peer="*" in entries,
        networks=tuple(ipaddress.ip_network(entry) for entry in entries if entry != "*"),
    )


def trusted_proxies():
    """The FORWARDED_ALLOW_IPS setting: a list of entries (see settings.py), or a comma-separated string."""
    entries = setting("FORWARDED_ALLOW_IPS")
    if isinstance(entries, str):
        entries = entries.split(",")
    return _trusted_proxies(tuple(entry.strip() for entry in entries if entry.strip()))


def is_port(text):
    return text.isascii() and text.isdigit()


def parse_address(text):
    """The IP address `text` names (without a port, IPv4 written as IPv6 as IPv4), or None."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::7] or [2001:db8::7]:4711
        text, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and is_port(port[1:]))):
            return None
    elif text.count(":") == 1:  # 203.0.113.7:4711
        text, _, port = text.partition(":")
        if not is_port(port):
            return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def bucket(address):
    """What `address` is counted as: an IPv4 address itself, an IPv6 address its /64 network."""
    if address.version == 4:
        return str(address)
    return str(ipaddress.IPv6Network((int(address) >> (128 - IPV6_PREFIX) << (128 - IPV6_PREFIX), IPV6_PREFIX)))


def forwarded_client(peer, forwarded_for, proxies):
    """The client's address, given the trusted peer's address and its X-Forwarded-For (see the module's doc)."""
    entries = [entry for entry in forwarded_for.split(",") if entry.strip()]
    if proxies.any_peer:
        # No proxy is named, so no entry can be recognised as one: only the peer's own is believed.
        entries = entries[-1:]
    client = peer
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            break  # Unreadable: the last trusted hop is the client.
        client = address
        if address not in proxies or proxies.any_peer:
            break  # The first address that is not a proxy of ours (under `*`: the only one believed).
    return client


def client_address(request):
    """The address failed logins from `request` are counted against (see the module's doc)."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = trusted_proxies()
    peer = parse_address(remote_addr)
    trusted = proxies.any_peer if peer is None else peer in proxies
    if not trusted:
        return remote_addr.strip() if peer is None else bucket(peer)
    client = forwarded_client(peer, request.META.get("HTTP_X_FORWARDED_FOR", ""), proxies)
    return remote_addr.strip() if client is None else bucket(client)


def normalise_username(username):
    """Case-insensitive and stripped, so "Alice " and "alice" share a count."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


# How long


@dataclass(frozen=True)
class FailureCounter:
    """Failed logins in one scope, and its lock, kept in the cache under a hashed key."""

    key: str
    limit: int
    first_delay: int  # seconds: the lock of the failure that reaches the limit
    window: int  # seconds: the longest lock, and how long a count outlives its lock

    @classmethod
    def for_scope(cls, *parts, limit, first_delay, window):
        # HMAC-SHA256 keyed with SECRET_KEY: neither usernames nor addresses
        # appear in cache keys, and they cannot be recovered by hashing
        # guesses. json.dumps keeps the parts apart unambiguously.
        digest = salted_hmac("team.throttle.FailureCounter", json.dumps(parts), algorithm="sha256").hexdigest()
        return cls(key=f"admin-login:{digest}", limit=limit, first_delay=first_delay, window=window)

    @property
    def failures_key(self):
        return f"{self.key}:failures"

    @property
    def locked_key(self):
        return f"{self.key}:locked"

    def delay(self, failures):
        """Seconds the `failures`-th failure locks the scope: 0 below the limit, then doubling, at most a window."""
        if failures < self.limit:
            return 0
        doublings = min(failures - self.limit, 32)  # 2**32 times any delay is past any window
        return min(max(1, self.first_delay) * 2**doublings, self.window)

    def seconds_locked(self):
        """Seconds until this scope may try again; 0 when it is not locked."""
        locked_until = cache.get(self.locked_key)
        return max(0.0, locked_until - time.time()) if locked_until else 0.0

    def record_failure(self):
        now = time.time()
        cache.add(self.failures_key, 0, timeout=self.window)
        try:
            failures = cache.incr(self.failures_key)
        except ValueError:  # The count expired between add() and incr().
            cache.add(self.failures_key, 1, timeout=self.window)
            failures = 1
        delay = self.delay(failures)
        # incr() keeps a key's expiry; the count is remembered a window past this failure's lock.
        cache.touch(self.failures_key, timeout=delay + self.window)
        if delay:
            # Never shortened by a failure that was counted earlier but finished later.
            locked_until = max(now + delay, cache.get(self.locked_key) or 0)
            cache.set(self.locked_key, locked_until, timeout=math.ceil(locked_until - now) + 1)

    def clear(self):
        cache.delete(self.failures_key)
        cache.delete(self.locked_key)


class LoginAttempt:
    """One login attempt's two scopes: its username at its client, and its client."""

    def __init__(self, username, address):
        first_delay = setting("ADMIN_LOGIN_FIRST_DELAY")
        window = setting("ADMIN_LOGIN_FAILURE_WINDOW")
        self.user_at_client = FailureCounter.for_scope(
            "user-at-address",
            normalise_username(username),
            address,
            limit=setting("ADMIN_LOGIN_FAILURE_LIMIT"),
            first_delay=first_delay,
            window=window,
        )
        self.client = FailureCounter.for_scope(
            "address",
            address,
            limit=setting("ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT"),
            first_delay=first_delay,
            window=window,
        )

    def seconds_locked(self):
        """Seconds until this attempt may be made; 0 when neither scope is locked."""
        return max(self.user_at_client.seconds_locked(), self.client.seconds_locked())

    def failed(self):
        self.user_at_client.record_failure()
        self.client.record_failure()

    def succeeded(self):
        # The client's count stays: one known password must not reset its allowance for other usernames.
        self.user_at_client.clear()


def retry_after(wait):
    """Whole seconds to wait, for the Retry-After header: never 0 for a refusal."""
    return max(1, math.ceil(wait))


def refusal_message(wait):
    """What a refused attempt is told: the wait in seconds under a minute, else in minutes, rounded up."""
    seconds = retry_after(wait)
    if seconds < 60:
        return ngettext(
            "Too many failed login attempts. Please wait %(seconds)d second before trying again.",
            "Too many failed login attempts. Please wait %(seconds)d seconds before trying again.",
            seconds,
        ) % {"seconds": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many failed login attempts. Please wait %(minutes)d minute before trying again.",
        "Too many failed login attempts. Please wait %(minutes)d minutes before trying again.",
        minutes,
    ) % {"minutes": minutes}
