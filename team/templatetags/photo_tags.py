"""Athletes' photos on readers' pages: `{% athlete_photo athlete "card" %}` (see `team.photos.DISPLAYS`)."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from team import photos

register = template.Library()


@register.inclusion_tag("includes/photo.html")
def athlete_photo(athlete, display):
    """The athlete's photo as `display` shows it, or their initials where there is none.

    The athlete comes from a queryset that selected the photo (`Athlete.objects.for_cards()`,
    `for_profile()`, `team.front.medal_strip`), so this reads nothing from the database.
    """
    try:
        picture = photos.picture(athlete.photo, display)
    except ObjectDoesNotExist:
        picture = None
    return {"display": display, "picture": picture, "initials": initials(athlete.local_name)}


@register.filter
def initials(name):
    """The first letters of a name's first and last words, in capitals: "Roman Saleh" → "RS"."""
    words = [word for word in str(name).split() if word[:1].isalpha()]
    if not words:
        return ""
    first, last = words[0], words[-1]
    return (first[0] + (last[0] if len(words) > 1 else "")).upper()
