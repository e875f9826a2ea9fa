"""Editors' accounts in the admin: the two-step verification page and the passkey step.

`TwoStepSite` is mixed into the admin site (team.sites). It adds the page
where an editor adds an authenticator app, gets recovery codes and adds
passkeys, and the page where a login that chose its passkey gives it. It keeps
every other admin page from a session that still owes its passkey, and, when
ADMIN_TWO_FACTOR_REQUIRED is on, from one that has not passed the second
factor. Each admin request restarts the session's idle clock. (Policy:
team.twofactor and team.passkeys; the users list a superuser manages:
team.account_admin.)
"""

import functools
import inspect

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from team import passkeys, twofactor


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autofocus": True}),
    )


def keep_alive(request):
    """Restart a logged-in editor's idle clock: the session is saved, so it expires SESSION_COOKIE_AGE from now.

    Only admin pages do this. Readers' pages never touch the session, so they
    never set a cookie or vary on one, even for an editor reading the site.
    """
    request.session.modified = True


class TwoStepSite:
    """Admin-site mixin: the two-step verification page, and the rule that a required second factor comes first."""

    def has_permission(self, request):
        if not super().has_permission(request) or passkeys.is_pending(request):
            return False
        return not twofactor.required() or twofactor.is_verified(request.user)

    def admin_view(self, view, cacheable=False):
        if inspect.unwrap(view) == self.logout:
            # Logging out needs no permission: an account still to enrol can leave (LogoutView takes a POST,
            # CSRF-checked). Django's own wrapper would send it to the index, which sends it to enrol.
            return view
        guarded = super().admin_view(view, cacheable)

        @functools.wraps(guarded)
        def enrolment_first(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated:
                keep_alive(request)
                if passkeys.is_pending(request):
                    return HttpResponseRedirect(reverse("admin:passkey_step", current_app=self.name))
                if not twofactor.is_verified(user) and twofactor.needs_enrolment(user):
                    return HttpResponseRedirect(reverse("admin:two_step", current_app=self.name))
            return guarded(request, *args, **kwargs)

        return enrolment_first

    def get_urls(self):
        return [
            path("two-step/", self.staff_view(self.two_step), name="two_step"),
            path("passkey/", self.staff_view(self.passkey_step), name="passkey_step"),
            *super().get_urls(),
        ]

    def staff_view(self, view):
        """A page for any active staff account that logged in with its password, verified or not."""

        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            user = request.user
            if not (user.is_active and user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login", current_app=self.name))
            keep_alive(request)
            response = view(request, *args, **kwargs)
            response["X-Robots-Tag"] = "noindex, nofollow"
            return response

        return never_cache(inner)

    def two_step(self, request):
        """Add an authenticator app (QR code, then a code from it), or see its state and renew recovery codes."""
        user = request.user
        device = twofactor.app_device(user)
        form = CodeForm(request.POST if request.method == "POST" else None)
        context = {
            **self.each_context(request),
            "title": _("Two-step verification"),
            "form": form,
            "required": twofactor.required(),
        }
        if device is None:
            pending = twofactor.pending_app_device(user)
            if form.is_valid():
                try:
                    enrolment = twofactor.confirm_app(request, pending, form.cleaned_data["otp_token"])
                except twofactor.CodeRefused as refusal:
                    form.add_error("otp_token", refusal)
                else:
                    return self.show_recovery_codes(request, enrolment.recovery_codes, first=True)
            context |= {"pending": pending, "qr_code": twofactor.qr_code_svg(pending)}
            context["secret"] = twofactor.secret_for_typing(pending)
            return TemplateResponse(request, "admin/two_step.html", context, status=400 if form.errors else 200)

        if form.is_valid():
            # New recovery codes need a code from the app: a left-open laptop cannot replace them.
            try:
                twofactor.check_code(user, form.cleaned_data["otp_token"], device=device)
            except twofactor.CodeRefused as refusal:
                form.add_error("otp_token", refusal)
            else:
                return self.show_recovery_codes(request, twofactor.issue_recovery_codes(user), first=False)
        context |= {
            "device": device,
            "codes_left": twofactor.recovery_codes_left(user),
            "passkeys": passkeys.passkeys_of(user),
            "may_add_passkey": twofactor.is_verified(user),
        }
        return TemplateResponse(request, "admin/two_step.html", context, status=400 if form.errors else 200)

    def passkey_step(self, request):
        """After the password, for an account that chose its passkey: the passkey, or a code instead."""
        index = reverse("admin:index", current_app=self.name)
        if not passkeys.is_pending(request):
            return HttpResponseRedirect(index)
        form = CodeForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                device = twofactor.check_code(request.user, form.cleaned_data["otp_token"])
            except twofactor.CodeRefused as refusal:
                form.add_error("otp_token", refusal)
            else:
                request.session.cycle_key()
                otp_login(request, device)
                request.session.pop(passkeys.PENDING, None)
                return HttpResponseRedirect(index)
        context = {**self.each_context(request), "title": _("Use your passkey"), "form": form, "next": index}
        return TemplateResponse(request, "admin/passkey_step.html", context, status=400 if form.errors else 200)

    def show_recovery_codes(self, request, codes, first):
        context = {
            **self.each_context(request),
            "title": _("Your recovery codes"),
            "codes": codes,
            "first": first,
        }
        response = TemplateResponse(request, "admin/recovery_codes.html", context)
        response["Cache-Control"] = "no-store"
        return response
