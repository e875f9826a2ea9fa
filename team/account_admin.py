"""The users list a superuser manages: who has two-step verification, and a reset for a lost device.

`AccountAdmin` replaces Django's users admin on the editors' site; django-otp's
own device admins are kept off it, so nobody browses other accounts' devices
(team.twofactor holds the reset itself).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from team import actions, twofactor


class ResetReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=200,
        help_text=gettext_lazy("For the record, e.g. “laptop lost on 3 September” or “new phone”."),
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError(_("Say why, for the record."), code="required")
        return reason


class TwoStepFilter(admin.SimpleListFilter):
    """Which accounts have turned two-step verification on: the ones still to chase before a Games."""

    title = gettext_lazy("two-step verification")
    parameter_name = "two_step"

    def lookups(self, request, model_admin):
        return [("on", _("On")), ("off", _("Off"))]

    def queryset(self, request, queryset):
        if self.value() in ("on", "off"):
            return queryset.filter(has_app=self.value() == "on")
        return queryset


class AccountAdmin(UserAdmin):
    """Django's users admin, showing two-step verification, with a superuser's reset for a lost device."""

    list_display = [*UserAdmin.list_display, "two_step"]
    list_filter = [*UserAdmin.list_filter, TwoStepFilter]
    actions = ["reset_two_step"]

    def get_queryset(self, request):
        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_app=Exists(apps))

    @admin.display(boolean=True, description=gettext_lazy("Two-step"), ordering="has_app")
    def two_step(self, obj):
        return obj.has_app

    def has_reset_two_step_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=gettext_lazy("Reset two-step verification (lost or replaced device)"),
        permissions=["reset_two_step"],
    )
    def reset_two_step(self, request, queryset):
        if not request.user.is_superuser:
            raise PermissionDenied

        def reset(reason):
            for user in queryset:
                ended = twofactor.reset_second_factor(user, by=request.user, reason=reason)
                self.message_user(
                    request,
                    _("Two-step verification of %(user)s reset: %(sessions)d session(s) ended.")
                    % {"user": user.get_username(), "sessions": ended},
                    messages.SUCCESS,
                )

        return actions.ask_why(
            self,
            request,
            queryset,
            form_class=ResetReasonForm,
            action="reset_two_step",
            title=_("Reset two-step verification"),
            template="admin/auth/user/reset_two_step.html",
            apply=reset,
        )


def register(site):
    """Put AccountAdmin in place of Django's users admin; keep django-otp's device admins off the site."""
    user_model = get_user_model()
    for model in (user_model, TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)
    site.register(user_model, AccountAdmin)
