"""Passkeys (WebAuthn) as an editor's second step, on django-otp-webauthn.

The library does the ceremonies (its JSON endpoints, its scripts, its
WebAuthnCredential device); this module is the newsroom's rules around it:

* **A passkey is added once two-step verification is on** (an authenticator
  app, with its recovery codes), from a session that passed it. So every
  account keeps recovery codes, and a stolen password cannot add a passkey.
* **Logging in with a passkey**: username and password, code left empty; the
  session is then *pending* (it reaches nothing of the admin, whatever the
  ADMIN_TWO_FACTOR_REQUIRED setting) until the passkey step page has checked
  the passkey, or a code typed there. Passkeys never replace the password
  (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off), so the login throttle sees
  every attempt.
* A passed passkey gets a new session key, as a passed code does.
"""

from django.contrib.auth.signals import user_logged_in
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from team import twofactor

#: In the session of an account that gave its password and still owes its passkey.
PENDING = "team.passkey_pending"


def passkeys_of(user):
    return WebAuthnCredential.objects.devices_for_user(user, confirmed=True).order_by("created_at")


def is_pending(request):
    """True while this session gave the password but not yet the passkey (or a code instead)."""
    return bool(request.session.get(PENDING)) and not twofactor.is_verified(request.user)


def mark_pending(sender, request, user, **kwargs):
    """Set by the login form on an account that chose its passkey (team.twofactor.verify_at_login)."""
    if getattr(user, "passkey_pending", False):
        request.session[PENDING] = True


user_logged_in.connect(mark_pending, dispatch_uid="team.passkeys.mark_pending")


class AppFirst(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Turn on two-step verification with an authenticator app first; then add a passkey."
    default_code = "app_first"


class RegistrationRules:
    def check_can_register(self):
        super().check_can_register()
        if not twofactor.has_second_factor(self.request.user):
            raise AppFirst()


class BeginRegistration(RegistrationRules, BeginCredentialRegistrationView):
    pass


class CompleteRegistration(RegistrationRules, CompleteCredentialRegistrationView):
    pass


class CompleteAuthentication(CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        # The session now holds a second factor: give it a new key (the device stays recorded in it).
        self.request.session.cycle_key()
        self.request.session.pop(PENDING, None)


#: The library's endpoints under the names its scripts expect (namespace "otp_webauthn"), with our rules.
urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path(
        "authentication/begin/",
        BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
urls = (urlpatterns, "otp_webauthn")
