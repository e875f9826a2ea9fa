"""Two-step verification for editors: a code from an authenticator app (TOTP), or a recovery code.

Built on django-otp (its TOTP and static-token devices, its session marking and
its per-device throttle); what lives here is the newsroom's policy around it:

* **Enrolment is by the editor**, on the admin's "Two-step verification" page:
  the QR code is drawn on the server as inline SVG (segno), so the secret
  never leaves this site. The device counts only once the editor has typed a
  code from it; ten single-use recovery codes are then shown, once.
* **Logging in** asks for the code on the same form as the password, for every
  account that has a device, whatever the setting below. A six-digit number is
  checked against the authenticator app, anything else against the recovery
  codes; a recovery code works once.
* **ADMIN_TWO_FACTOR_REQUIRED** (on by default in production, off in
  development so that `make run` stays one command) makes it compulsory: a
  staff account without a device is taken to the enrolment page after its
  password, and reaches nothing else of the admin until it has enrolled.
* **Passkeys** (team.passkeys) can be added once the app is on, and given
  instead of the code, on a page of their own after the password.
* **Only a superuser resets** a lost device (the users list's action): the
  devices (app, recovery codes, passkeys) go, every session of that account ends, and the reset is written to
  the account's history with its reason.
"""

import base64
import logging
from dataclasses import dataclass

import segno
from django import forms
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

logger = logging.getLogger(__name__)

#: The names editors see for their two kinds of device.
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6


def required():
    """Whether every staff account must use a second factor (ADMIN_TWO_FACTOR_REQUIRED)."""
    return getattr(settings, "ADMIN_TWO_FACTOR_REQUIRED", False)


def app_device(user, confirmed=True):
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).first()


def has_second_factor(user):
    """True once the account has a confirmed authenticator app (recovery codes alone do not count)."""
    return user.is_authenticated and TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def has_passkey(user):
    """True when the account has a passkey (team.passkeys): it may give that instead of a code at login."""
    return user.is_authenticated and WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists()


def is_verified(user):
    """True when this session passed the second factor (set by django-otp's middleware)."""
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def needs_enrolment(user):
    """A staff account that must have a second factor and has none yet."""
    return required() and user.is_active and user.is_staff and not has_second_factor(user)


# Codes


def normalise(code):
    """What the editor typed, without spaces or dashes, in lower case (recovery codes are shown that way)."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def is_app_code(code):
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


class CodeRefused(ValidationError):
    pass


def check_code(user, code, device=None):
    """The device that accepts `code` for `user`; CodeRefused with a message an editor can act on otherwise.

    A six-digit number goes to the authenticator app (or to `device`, an app
    being enrolled), anything else to the recovery codes, so a mistyped app
    code never spends a recovery code's allowance. django-otp throttles each
    device after a wrong code (1, 2, 4 ... seconds); that wait is reported
    rather than silently failing the right code.
    """
    code = normalise(code)
    if not code:
        raise CodeRefused(
            _("This account uses two-step verification: enter the code from your authenticator app."), code="missing"
        )
    if device is not None:
        if not is_app_code(code):
            raise CodeRefused(_("Enter the six digits your authenticator app shows now."), code="format")
        candidates = TOTPDevice.objects.filter(pk=device.pk)
    elif is_app_code(code):
        candidates = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    else:
        candidates = StaticDevice.objects.devices_for_user(user, confirmed=True)

    wait = None
    with transaction.atomic():
        # Locked so that two requests cannot both spend the same code.
        for candidate in candidates.select_for_update():
            allowed, details = candidate.verify_is_allowed()
            if not allowed:
                wait = (details or {}).get("locked_until")
                continue
            if candidate.verify_token(code):
                return candidate
    if wait is not None:
        seconds = max(1, round((wait - timezone.now()).total_seconds()))
        raise CodeRefused(
            ngettext(
                "Too many wrong codes: wait %(seconds)d second, then enter the code your app shows.",
                "Too many wrong codes: wait %(seconds)d seconds, then enter the code your app shows.",
                seconds,
            )
            % {"seconds": seconds},
            code="throttled",
        )
    if is_app_code(code):
        message = _(
            "That code is not right. Enter the six digits your authenticator app shows now "
            "(they change every 30 seconds), or one of your recovery codes."
        )
    else:
        message = _(
            "That is not a recovery code of this account, or it was used already. Each recovery code works once."
        )
    raise CodeRefused(message, code="wrong")


# Enrolment


def pending_app_device(user):
    """The authenticator app this editor is adding: the same one on every visit until it is confirmed."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False, digits=TOTP_DIGITS)
    return device


def secret_for_typing(device):
    """The app's secret in base32, in groups of four, for an editor who cannot scan the QR code."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device):
    """The app's setup address as an inline SVG QR code: drawn here, no request to another site."""
    qr = segno.make(device.config_url, error="m")
    title = _("QR code to scan with your authenticator app")
    # segno escapes the title; the markup is its own, with no script or style attribute.
    return mark_safe(qr.svg_inline(scale=4, border=4, title=str(title), svgclass="qr-code", omitsize=True))


@dataclass
class Enrolment:
    device: TOTPDevice
    recovery_codes: list


def confirm_app(request, device, code):
    """Confirm `device` with a code it produced; mark this session verified; issue recovery codes."""
    with transaction.atomic():
        check_code(request.user, code, device=device)
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # Any other app left half-added (another tab) is dropped: one app per editor.
        TOTPDevice.objects.devices_for_user(request.user, confirmed=False).delete()
        codes = issue_recovery_codes(request.user)
    request.session.cycle_key()
    otp_login(request, device)
    return Enrolment(device=device, recovery_codes=codes)


def issue_recovery_codes(user):
    """Ten new single-use codes for `user`, replacing any left; returned once, stored as django-otp keeps them."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Login


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Verification code"),
            required=False,
            max_length=32,
            help_text=_(
                "From your authenticator app, or one of your recovery codes. Leave it empty to use "
                "your passkey next, or if your account has no two-step verification yet."
            ),
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
            **kwargs,
        )


def verify_at_login(form, user):
    """Called by the login form once the password is right: ask for the code when the account has a device."""
    if not (has_second_factor(user) or StaticDevice.objects.devices_for_user(user, confirmed=True).exists()):
        return
    if not normalise(form.cleaned_data.get("otp_token", "")) and has_passkey(user):
        # No code, and a passkey to give instead: the session starts pending, and the admin asks for the
        # passkey before anything else (team.passkeys).
        user.passkey_pending = True
        return
    try:
        device = check_code(user, form.cleaned_data.get("otp_token", ""))
    except CodeRefused as refusal:
        raise ValidationError(refusal.messages[0], code=refusal.code) from None
    # django-otp's user_logged_in handler marks the new session as verified with this device.
    user.otp_device = device


# Lost devices


def end_sessions(user, keep_session_key=None):
    """Delete every stored session of `user` (but `keep_session_key`); returns how many ended.

    Sessions live in the database (Django's default engine), each holding its
    user's id; a newsroom has few, so reading them all is cheap.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def reset_second_factor(user, by, reason):
    """Remove `user`'s devices and end their sessions, on the record: the account's history says who, when, why.

    Returns how many sessions ended."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
        ended = end_sessions(user)
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=f"Reset two-step verification ({reason}); {ended} session(s) ended.",
            single_object=True,
        )
    logger.warning("two-step verification of user %s reset by %s (%s)", user.pk, by.pk, reason)
    return ended
