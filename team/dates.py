"""Dates in each readers' language: the words (month and weekday names, from the catalogues) and the order.

Django's date formats are strings in one language's order ("l j F": Thursday 29
August). Russian puts the weekday first with a comma and the month in the
genitive ("четверг, 29 августа": `E`, Django's alternative month name), and
Azerbaijani writes the day and month first ("29 avqust, cümə axşamı"). Each kind
of date the site shows is named here once with its format in every language;
templates use `{{ value|local_date:"day" }}` and code `local_date(value, "day")`.
Times are on the 24-hour clock in every language.
"""

from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

FORMATS = {
    # Thursday 29 August
    "day": {"en": "l j F", "az": "j E, l", "ru": "l, j E"},
    # Thursday 29 August 2024
    "day_year": {"en": "l j F Y", "az": "j E Y, l", "ru": "l, j E Y"},
    # 29 August 2024
    "date": {"en": "j F Y", "az": "j E Y", "ru": "j E Y"},
    # 29 August
    "day_month": {"en": "j F", "az": "j E", "ru": "j E"},
    # Thu 29 Aug
    "short_day": {"en": "D j M", "az": "j M, D", "ru": "D, j b"},
    # 29 Aug
    "short": {"en": "j M", "az": "j M", "ru": "j b"},
    # 29 August 2024, 15:30
    "datetime": {"en": "j F Y, H:i", "az": "j E Y, H:i", "ru": "j E Y, H:i"},
    # 29 Aug 15:30
    "short_datetime": {"en": "j M H:i", "az": "j M H:i", "ru": "j b H:i"},
    # 29 August 2024, 15:30 CEST
    "datetime_zone": {"en": "j F Y, H:i e", "az": "j E Y, H:i e", "ru": "j E Y, H:i e"},
}


def local_format(kind):
    """The format of this kind of date in the active language (English for a language without one)."""
    formats = FORMATS[kind]
    language = (get_language() or "en").split("-")[0]
    return formats.get(language, formats["en"])


def local_date(value, kind):
    """`value` (a date or datetime) as this kind of date in the active language."""
    return date_format(value, local_format(kind))


# Marked here so that our catalogues can write month and weekday names as each language writes them inside
# a date (Azerbaijani: in lower case, "29 avqust, cümə axşamı"); Django's own catalogues capitalise them.
MONTHS_IN_A_DATE = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
