"""The editors' admin site, with its login throttled against password guessing.

Failed logins are counted in Django's default cache, in two scopes:

* a username at one client address: after ADMIN_LOGIN_FAILURE_LIMIT failures
  (default 5) that username is refused *from that address only*, so an
  attacker elsewhere cannot lock an editor out;
* a whole client address: after ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT failures
  (default 50) across all usernames, that address is refused, which stops one
  address spraying passwords at many usernames.

A count starts at the first failure and lasts ADMIN_LOGIN_FAILURE_WINDOW
seconds (default 900). The failure that reaches a limit locks the scope for a
full window. A locked attempt is refused with HTTP 429 before any password is
checked, and is not counted. A successful login clears its username-and-address
count.

Only the portable cache API is used (add, incr, get, set, delete with
timeouts), so the same code works on the local-memory cache and on Redis.

After logging in, an editor goes where `next` asks when it is on this site,
and to the admin's index otherwise. Every admin page refuses an address whose
query string holds a NUL byte, with a 400 that says why.
"""

import functools
import json
import math
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: Admin pages ask search engines to keep them out of results (robots.txt must not name the admin).
NOINDEX = "noindex, nofollow"

# NewsroomAdminSite.login puts the refusal message on the request under this
# name; ThrottledLoginForm reads it from there.
REFUSAL_ATTRIBUTE = "newsroom_login_refusal"


@dataclass(frozen=True)
class FailureCounter:
    """Failed logins in one scope, kept in the cache under a hashed key."""

    key: str
    limit: int
    window: int  # seconds

    @classmethod
    def for_scope(cls, *parts, limit, window):
        # HMAC-SHA256 keyed with SECRET_KEY: neither usernames nor addresses
        # appear in cache keys, and they cannot be recovered by hashing
        # guesses. json.dumps keeps the parts apart unambiguously.
        digest = salted_hmac("team.sites.FailureCounter", json.dumps(parts), algorithm="sha256").hexdigest()
        return cls(key=f"admin-login:{digest}", limit=limit, window=window)

    @property
    def failures_key(self):
        return f"{self.key}:failures"

    @property
    def locked_key(self):
        return f"{self.key}:locked"

    def seconds_locked(self):
        """Seconds until this scope may try again; 0 when it is not locked."""
        locked_until = cache.get(self.locked_key)
        return max(0.0, locked_until - time.time()) if locked_until else 0.0

    def record_failure(self):
        # add() only writes when there is no count yet, so the window opens at
        # the first failure and later failures do not extend it.
        cache.add(self.failures_key, 0, timeout=self.window)
        try:
            failures = cache.incr(self.failures_key)
        except ValueError:  # The window closed between add() and incr().
            cache.add(self.failures_key, 1, timeout=self.window)
            failures = 1
        if failures >= self.limit:
            # The lock remembers when it ends, so the refusal can say how long to wait.
            cache.set(self.locked_key, time.time() + self.window, timeout=self.window)

    def clear(self):
        cache.delete(self.failures_key)
        cache.delete(self.locked_key)


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin login form, able to refuse an attempt without checking the password."""

    def clean(self):
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        if refusal:
            # Raised instead of authenticating: the password is never checked,
            # and the message shows as a non-field error on the login page.
            raise ValidationError(refusal, code="throttled")
        return super().clean()


class NewsroomAdminSite(admin.AdminSite):
    """The editors' admin."""

    site_header = "Newsroom desk"
    site_title = "Newsroom desk"
    index_title = "Editors' desk"

    # The throttle relies on this form to refuse attempts; a replacement
    # login form must subclass ThrottledLoginForm.
    login_form = ThrottledLoginForm

    def client_address(self, request):
        """The address failed logins are counted against: the one place to change it.

        REMOTE_ADDR is the peer that opened the connection. That is the client
        while nothing sits in front of Django. Behind a reverse proxy it is the
        proxy, and every client would share one address count, so change this
        method to read the client address from the header our trusted proxy
        sets (e.g. the entry it appends to X-Forwarded-For). Never read a header
        the client can set itself: an attacker would claim a new address for
        every guess.
        """
        return request.META.get("REMOTE_ADDR", "")

    def login(self, request, extra_context=None):
        response = self.throttled_login(request, extra_context)
        response["X-Robots-Tag"] = NOINDEX
        return response

    def throttled_login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)

        self.fall_back_to_index(request)
        window = getattr(settings, "ADMIN_LOGIN_FAILURE_WINDOW", 15 * 60)
        # Case-insensitive and stripped, so "Alice " and "alice" share a count.
        username = unicodedata.normalize("NFKC", request.POST.get("username", "")).strip().casefold()
        address = self.client_address(request)
        user_at_address = FailureCounter.for_scope(
            "user-at-address",
            username,
            address,
            limit=getattr(settings, "ADMIN_LOGIN_FAILURE_LIMIT", 5),
            window=window,
        )
        whole_address = FailureCounter.for_scope(
            "address",
            address,
            limit=getattr(settings, "ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT", 50),
            window=window,
        )

        # Checked first: a locked attempt never reaches the password check.
        wait = max(user_at_address.seconds_locked(), whole_address.seconds_locked())
        if wait:
            return self.refuse_login(request, extra_context, wait)

        response = super().login(request, extra_context)
        if isinstance(response, HttpResponseRedirect):
            # Logged in. The address count stays: one known password must not
            # let an address reset its allowance for guessing other usernames.
            user_at_address.clear()
        else:
            # The form came back with errors: a failed attempt.
            user_at_address.record_failure()
            whole_address.record_failure()
        return response

    def fall_back_to_index(self, request):
        """Log in to the admin's index unless `next` names a page of this site.

        Django's LoginView ignores a `next` on another host, or none at all,
        and falls back to settings.LOGIN_REDIRECT_URL: /accounts/profile/,
        which this site does not have. The POSTed `next` takes precedence
        over the address's, so it is set here.
        """
        if not LoginView().get_redirect_url(request):
            request.POST = request.POST.copy()
            request.POST[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)

    def admin_view(self, view, cacheable=False):
        """Every admin page, refusing a query string with a NUL byte before the view runs, and kept out of
        search engines by its own header (robots.txt does not name the admin: that would publish its address).

        PostgreSQL cannot store or compare text holding a NUL, so a search,
        filter or any other parameter carrying one would fail inside the
        database. The refusal is a 400 that says so.
        """

        @functools.wraps(view)
        def refusing_nul(request, *args, **kwargs):
            if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
                response = self.refuse_nul(request)
            else:
                response = view(request, *args, **kwargs)
            response["X-Robots-Tag"] = NOINDEX
            return response

        return super().admin_view(refusing_nul, cacheable)

    def refuse_nul(self, request):
        context = {**self.each_context(request), "title": _("This address cannot be used")}
        return TemplateResponse(request, "admin/nul_refused.html", context, status=400)

    def refuse_login(self, request, extra_context, wait):
        """The normal login page, with the refusal as its error and status 429."""
        minutes = max(1, math.ceil(wait / 60))
        setattr(
            request,
            REFUSAL_ATTRIBUTE,
            ngettext(
                "Too many failed login attempts. Please wait %(minutes)d minute before trying again.",
                "Too many failed login attempts. Please wait %(minutes)d minutes before trying again.",
                minutes,
            )
            % {"minutes": minutes},
        )
        response = super().login(request, extra_context)
        response.status_code = 429
        response["Retry-After"] = str(math.ceil(wait))
        return response
