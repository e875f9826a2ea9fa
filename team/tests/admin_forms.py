"""Read an admin change page the way a browser would, to post it back with edits."""


def _add_form(data, form):
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(item) for item in value]
        else:
            data[bound.html_name] = str(value)


def form_data(response):
    """The POST data of an admin add/change page as rendered: main form, inlines and their management forms."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def inline_prefix(response, model_name):
    """The form prefix of the inline editing `model_name` (e.g. "result") on this page."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise LookupError(model_name)


def add_inline_row(data, prefix, **fields):
    """Append one new row to an inline formset in `data`."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def errors_of(response):
    """Every error message on a re-rendered admin form, inlines included, as one list."""
    found = []
    form = response.context["adminform"].form
    for messages in form.errors.values():
        found.extend(messages)
    for inline in response.context["inline_admin_formsets"]:
        found.extend(inline.formset.non_form_errors())
        for inline_errors in inline.formset.errors:
            for messages in inline_errors.values():
                found.extend(messages)
    return found


def team_admin_models():
    """Every team model the admin shows, in a stable order."""
    from django.contrib import admin

    return sorted(
        (model for model in admin.site._registry if model._meta.app_label == "team"),
        key=lambda model: model._meta.label,
    )
