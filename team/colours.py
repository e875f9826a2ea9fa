"""A delegation's colours as the site can use them: accents that keep text readable in light and dark themes.

Editors enter the delegation's own colours (its flag's, as hex). Those are rarely readable as link or
button colours: Azerbaijan's blue on white is about 2.3 : 1. `accent_for` moves a colour's lightness,
keeping its hue, until it reaches the contrast WCAG asks of text (4.5 : 1) against the theme's
background, so the page keeps the delegation's look without failing a reader. Small enough to keep as
our own code; the formulas are WCAG 2.2's relative luminance and contrast ratio.
"""

import colorsys
import hashlib
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\Z")
LIGHT_PAPER = "#ffffff"
DARK_PAPER = "#121417"
# The tinted boxes (filters, notes) and the raised cards: links sit on them too, so accents are
# measured against the background that is closest to them (static/css/site.css: --surface, --raised).
LIGHT_SURFACE = "#f3f5f7"
DARK_RAISED = "#20252b"
TEXT_CONTRAST = 4.5


def validate_colour(value):
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(
            _("%(value)s is not a colour written as # and six hex digits, such as #00B5E2."),
            params={"value": value},
        )


def channels(colour):
    """The red, green and blue of "#rrggbb", each 0 to 255."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _channels(colour):
    return tuple(channel / 255 for channel in channels(colour))


def version(primary, secondary=""):
    """Names a pair of colours: the colours stylesheet's address (team.theme) changes exactly when they do."""
    return hashlib.sha256(f"{primary}{secondary}".lower().encode()).hexdigest()[:12]


def _hex(rgb):
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(colour):
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def accent_for(colour, paper=LIGHT_PAPER, ratio=TEXT_CONTRAST):
    """`colour`, darkened on a light paper or lightened on a dark one, until text in it reads at `ratio`."""
    if contrast(colour, paper) >= ratio:
        return colour.lower()
    hue, lightness, saturation = colorsys.rgb_to_hls(*_channels(colour))
    darken = luminance(paper) > 0.5
    step = -0.01 if darken else 0.01
    while 0.0 <= lightness <= 1.0:
        lightness += step
        candidate = _hex(colorsys.hls_to_rgb(hue, max(0.0, min(1.0, lightness)), saturation))
        if contrast(candidate, paper) >= ratio:
            return candidate
    return "#000000" if darken else "#ffffff"


def text_on(colour):
    """White on a fill of `colour` (a button, a share card's band) when it reads at 4.5 : 1, else black
    (whichever reads better when neither does)."""
    if contrast(colour, "#ffffff") >= TEXT_CONTRAST:
        return "#ffffff"
    return "#000000" if contrast(colour, "#000000") >= contrast(colour, "#ffffff") else "#ffffff"


def theme(primary, secondary=""):
    """The custom properties of the site's stylesheet that come from a delegation's colours."""
    secondary = secondary or primary
    light = accent_for(primary, LIGHT_SURFACE)
    dark = accent_for(primary, DARK_RAISED)
    return {
        "light": {"accent": light, "on-accent": text_on(light), "flag": primary.lower(), "flag-2": secondary.lower()},
        "dark": {"accent": dark, "on-accent": text_on(dark), "flag": primary.lower(), "flag-2": secondary.lower()},
    }
