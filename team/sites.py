"""The editors' admin site, with its login throttled against password guessing.

The throttle itself is team.throttle: failed logins are counted per username
at one client and per client, where the client is the connecting peer, or,
behind a trusted reverse proxy (FORWARDED_ALLOW_IPS), the address that proxy
names in X-Forwarded-For. Once a count reaches its limit
(ADMIN_LOGIN_FAILURE_LIMIT, default 5, and ADMIN_LOGIN_ADDRESS_FAILURE_LIMIT,
default 50), each further failure locks that scope for twice as long as the
one before, from ADMIN_LOGIN_FIRST_DELAY (default 30 s) up to
ADMIN_LOGIN_FAILURE_WINDOW (default 900 s). This module applies it: an attempt
during a lock gets the login page with the wait as its error, HTTP 429 and
Retry-After, without its password being checked (ThrottledLoginForm) and
without being counted; a form that comes back with errors (a wrong password,
or a wrong second-factor code) is a failure; a successful login clears its
username-at-client count.

After logging in, an editor goes where `next` asks when it is on this site,
and to the admin's index otherwise. Every admin page refuses an address whose
query string holds a NUL byte, with a 400 that says why.
"""

import functools

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from team import accounts, throttle, twofactor

#: Admin pages ask search engines to keep them out of results (robots.txt must not name the admin).
NOINDEX = "noindex, nofollow"

# NewsroomAdminSite.login puts the refusal message on the request under this
# name; ThrottledLoginForm reads it from there.
REFUSAL_ATTRIBUTE = "newsroom_login_refusal"


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin login form, able to refuse an attempt without checking the password."""

    def clean(self):
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        if refusal:
            # Raised instead of authenticating: the password is never checked,
            # and the message shows as a non-field error on the login page.
            raise ValidationError(refusal, code="throttled")
        return super().clean()


class DeskLoginForm(ThrottledLoginForm):
    """Username, password, and the second factor's code for an account that has one (team.twofactor)."""

    otp_token = twofactor.CodeField()

    def clean(self):
        cleaned_data = super().clean()
        if self.get_user() is not None:  # None when the username or password was left out
            twofactor.verify_at_login(self, self.get_user())
        return cleaned_data


class NewsroomAdminSite(accounts.TwoStepSite, admin.AdminSite):
    """The editors' admin."""

    site_header = "Newsroom desk"
    site_title = "Newsroom desk"
    index_title = "Editors' desk"

    # The throttle relies on this form to refuse attempts; a replacement
    # login form must subclass ThrottledLoginForm.
    login_form = DeskLoginForm
    login_template = "admin/desk_login.html"

    def index(self, request, extra_context=None):
        """The start page: what needs doing now (team.start), then every model editors can change."""
        from team.start import start_page

        return super().index(request, {**start_page(request), **(extra_context or {})})

    def client_address(self, request):
        """The address failed logins are counted against: the connecting peer, or, when that peer is a
        proxy named in FORWARDED_ALLOW_IPS, the client it names in X-Forwarded-For (team.throttle)."""
        return throttle.client_address(request)

    def login(self, request, extra_context=None):
        response = self.throttled_login(request, extra_context)
        response["X-Robots-Tag"] = NOINDEX
        return response

    def throttled_login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)

        self.fall_back_to_index(request)
        attempt = throttle.LoginAttempt(request.POST.get("username", ""), self.client_address(request))

        # Checked first: a locked attempt never reaches the password check, and is not counted.
        wait = attempt.seconds_locked()
        if wait:
            return self.refuse_login(request, extra_context, wait)

        response = super().login(request, extra_context)
        if isinstance(response, HttpResponseRedirect):
            # Logged in: the username-at-client count is cleared, the client's stays.
            attempt.succeeded()
        else:
            # The form came back with errors (a wrong password, or a wrong second-factor code): a failed attempt.
            attempt.failed()
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
        """The normal login page, with the refusal as its error, status 429 and Retry-After."""
        setattr(request, REFUSAL_ATTRIBUTE, throttle.refusal_message(wait))
        response = super().login(request, extra_context)
        response.status_code = 429
        response["Retry-After"] = str(throttle.retry_after(wait))
        return response
