"""Admin actions that ask before they act: marking records withdrawn or back in competition (with a public
note and, if wanted, the source it comes from), resetting a second factor."""

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from team.forms import database_refusal


def ask(modeladmin, request, queryset, *, form_classes, action, title, template, apply, submit_label=""):
    """Run `apply(**forms)` once every form (`form_classes`: name → form class) is valid; until then, show them.

    The page carries the selection and the action's name, so its submit comes back to the same action with
    `apply` set. When `apply` fails (a record fails validation, the database refuses), nothing is changed,
    the editor is told why and the page is shown again with what they typed.
    """
    applying = "apply" in request.POST
    forms = {name: form_class(request.POST if applying else None) for name, form_class in form_classes.items()}
    if applying and all([form.is_valid() for form in forms.values()]):
        try:
            with transaction.atomic(using=router.db_for_write(modeladmin.model)):
                apply(**forms)
            return None
        except (ValidationError, IntegrityError) as error:
            reason = " ".join(error.messages) if isinstance(error, ValidationError) else database_refusal(error)
            modeladmin.message_user(request, _("Nothing was changed. %(reason)s") % {"reason": reason}, messages.ERROR)
    context = {
        **modeladmin.admin_site.each_context(request),
        **forms,
        "title": title,
        "submit_label": submit_label,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, template, context)


def ask_why(modeladmin, request, queryset, *, form_class, action, title, template, apply):
    """Run `apply(reason)` once the reason form (its field: `reason`) is valid; until then, show it."""
    return ask(
        modeladmin,
        request,
        queryset,
        form_classes={"form": form_class},
        action=action,
        title=title,
        template=template,
        apply=lambda form: apply(form.cleaned_data["reason"]),
    )
