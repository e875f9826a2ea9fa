"""Readers' words in Azerbaijani and Russian beside the English field they translate.

A translated field `name` keeps its English text in `name` and gains `name_az`
and `name_ru` (`translations()`), which editors fill in the admin, on the same
form and in the same history as the English. Readers' code reads the text in
the page's language through a `Localized` attribute (`local_name`): the
translation when there is one, else the English, marked as such (`Fallback`,
shown with `lang="en"` by the `lang_marked` filter) so that a missing
translation is visibly English, never an empty field.

Why plain per-language columns rather than a model-translation library:
django-modeltranslation (0.20.6) does the same with columns but rewrites every
query and attribute read of a registered model by the active language, which
our change history, database constraints, search keys and editors' forms would
all have to allow for; django-parler (2.4, which declares Django up to 6.0) keeps
translations in a table of their own, one more join or query on every page, and
the pages' query counts must not change with the language. Three languages and a
dozen fields are served by columns on the same rows and one attribute each.
"""

from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: The readers' languages besides English (settings.LANGUAGES), each with its name for editors.
OTHER_LANGUAGES = (("az", _("Azerbaijani")), ("ru", _("Russian")))


def translations(field, verbose_name):
    """Copies of `field` for each language besides English, named `<field>_<code>` by the model: blank allowed
    (the English shows until a translation is entered), never unique or indexed."""
    copies = []
    for _code, language in OTHER_LANGUAGES:
        _name, _path, args, kwargs = field.deconstruct()
        for option in ("unique", "db_index", "help_text", "default", "db_default"):
            kwargs.pop(option, None)
        kwargs.update(blank=True, default="", verbose_name=format_lazy("{} ({})", verbose_name, language))
        copies.append(field.__class__(*args, **kwargs))
    return copies


def reader_language():
    """The active language's code without its region ("az", "ru", "en")."""
    return (get_language() or "en").split("-")[0]


class Fallback(str):
    """English text shown because its translation is missing (see `lang_marked`)."""

    lang = "en"


class Localized:
    """`field` in the active language: its translation (`<field>_<code>`) when there is one, else the English
    text, as a `Fallback` when another language was wanted."""

    def __init__(self, field):
        self.field = field

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        english = getattr(obj, self.field)
        language = reader_language()
        if language == "en":
            return english
        translated = getattr(obj, f"{self.field}_{language}", "")
        if translated:
            return translated
        return Fallback(english) if english else english
