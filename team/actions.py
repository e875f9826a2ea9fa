"""Admin actions that ask why before they act: marking records withdrawn, resetting a second factor."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse


def ask_why(modeladmin, request, queryset, *, form_class, action, title, template, apply):
    """Run `apply(reason)` once the reason form (its field: `reason`) is valid; until then, show it.

    The form page carries the selection and the action's name, so its submit
    comes back to the same action with `apply` set.
    """
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        apply(form.cleaned_data["reason"])
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, template, context)
