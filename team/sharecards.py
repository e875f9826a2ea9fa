"""Share cards: the 1200 × 630 picture a link to a readers' page shows where it is shared (its og:image).

One card for each thing a reader shares: the team (with its medal tally), each page about the whole
team (its title), each sport, each athlete (name, sport, classes), each event (who is entered) and each
medal won in an event (who won it, in what, the medal in words and in its colour, the mark). A `Card`
holds what its picture shows, in the words it shows it. It is built from objects its page already
holds, so a page names its cards without a query (team.templatetags.share_tags); the card's own view
(team.share_views) builds it again from the database and draws it.

A card's address carries a digest of what it shows (`Card.version`). When a fact on it changes, its
page names a new address, so the sites where a link was shared fetch the new picture instead of
keeping the one they have; an old address redirects to the current one.

Drawn with Pillow in DejaVu Sans, shipped in team/fonts/ (its licence is LICENSE-DejaVu.txt there), so
that Azerbaijani letters (ə, ı, ğ, ş, İ …) and Cyrillic never depend on the host's fonts. Colours come
from the delegation (`Delegation.colour`, `second_colour`): text on them is black or white, whichever
reads better (team.colours.text_on), and coloured text on the white paper is darkened until it reads
(team.colours.accent_for).
"""

import dataclasses
import hashlib
import io
import json
import threading
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from PIL import Image, ImageDraw, ImageFont

from team.colours import LIGHT_PAPER, accent_for, channels, text_on
from team.models import MEDAL_RANK, Medal

WIDTH, HEIGHT = 1200, 630
#: Part of every card's version: change it when the drawing changes, and every card gets a new address.
DESIGN = "1"

FONTS = Path(__file__).resolve().parent / "fonts"
BOOK = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"

PAPER = LIGHT_PAPER
INK = "#15191e"
MUTED = "#454c57"
MARGIN = 72
TOP = 60
BAR = 12  # the delegation's colour along the top edge
BAND_TOP = 474  # the band in the delegation's colour, with the delegation, the Games and the site
STRIPE = 12  # the second colour, along the top of the band
TITLE_SIZES = (96, 88, 80, 72, 64, 58, 52)
SUPERSAMPLE = 4  # discs and ribbons are drawn this many times larger and scaled down, for smooth edges
PALETTE_COLOURS = 64

MEDAL_COLOURS = {Medal.GOLD: "#d4af37", Medal.SILVER: "#c0c0c0", Medal.BRONZE: "#cd7f32"}

#: The pages about the whole team that have a card of their own, titled as the page is.
PAGE_TITLES = {
    "schedule": gettext_lazy("Schedule"),
    "classes": gettext_lazy("Classes explained"),
    "sources": gettext_lazy("Sources"),
    "corrections": gettext_lazy("Corrections"),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Card:
    """What one card shows, and where: the name of its route in team.share_urls and the arguments
    that come before its version."""

    route: str
    args: tuple[str, ...] = ()
    kicker: str = ""
    title: str
    lines: tuple[str, ...] = ()
    medal: str = ""  # on a medal's card: drawn as a medal in its colour, with its rank
    tally: tuple[tuple[str, str], ...] = ()  # on the team's card: (medal, "3 gold") for each medal
    country: str
    games: str
    colour: str
    second_colour: str = ""

    def get_absolute_url(self):
        return reverse(f"team:{self.route}", args=[*self.args, self.version])

    @property
    def version(self):
        """A digest of everything the card shows: a new one whenever any of it changes."""
        shown = json.dumps([DESIGN, *dataclasses.astuple(self)], ensure_ascii=False)
        return hashlib.sha256(shown.encode()).hexdigest()[:12]

    @property
    def alt(self):
        """The card in words, for readers who do not see it (og:image:alt)."""
        heading = f"{self.kicker}: {self.title}" if self.kicker else self.title
        tally = ", ".join(words for _medal, words in self.tally)
        return ". ".join(part for part in (heading, *self.lines, tally, f"{self.country}, {self.games}") if part)


def site_name():
    return _("Paralympic team tracker")


def delegation_facts(delegation):
    return {
        "country": delegation.local_country,
        "games": delegation.games.local_name,
        "colour": delegation.colour.lower(),
        "second_colour": delegation.second_colour.lower(),
    }


def team_card(delegation, tally):
    """The team's card: the country and its medals so far (`tally` from `Delegation.medal_tally()`)."""
    total = tally["total"]
    return Card(
        route="share-team",
        kicker=_("Paralympic team"),
        title=delegation.local_country,
        lines=(ngettext("%(count)d medal", "%(count)d medals", total) % {"count": total},) if total else (),
        tally=tuple((medal, tally_words(medal, tally[medal])) for medal in Medal.values),
        **delegation_facts(delegation),
    )


def tally_words(medal, count):
    return {
        Medal.GOLD: _("%(count)d gold"),
        Medal.SILVER: _("%(count)d silver"),
        Medal.BRONZE: _("%(count)d bronze"),
    }[medal] % {"count": count}


def page_card(delegation, page):
    """The card of a page about the whole team (a key of `PAGE_TITLES`)."""
    return Card(
        route="share-page",
        args=(page,),
        kicker=delegation.local_country,
        title=str(PAGE_TITLES[page]),
        **delegation_facts(delegation),
    )


def sport_card(delegation, sport):
    return Card(
        route="share-sport",
        args=(sport.slug,),
        kicker=delegation.local_country,
        title=sport.local_name,
        **delegation_facts(delegation),
    )


def athlete_card(delegation, athlete):
    """An athlete's card, from an athlete of `Athlete.objects.with_badges()`: name, sport, classes."""
    codes = [sport_class.code for sport_class in athlete.class_list]
    lines = []
    if codes:
        lines.append(ngettext("Class %(codes)s", "Classes %(codes)s", len(codes)) % {"codes": ", ".join(codes)})
    if athlete.is_withdrawn:
        lines.append(_("Withdrawn"))
    return Card(
        route="share-athlete",
        args=(athlete.slug,),
        kicker=athlete.sport.local_name,
        title=athlete.local_name,
        lines=tuple(lines),
        **delegation_facts(delegation),
    )


def event_card(delegation, event):
    """An event's card, from an event of `Event.objects.for_page()`: its name and who is entered."""
    names = [entry.athlete.local_name for entry in event.team_entries if not entry.is_withdrawn]
    words = {"country": delegation.local_country, "names": ", ".join(names)}
    lines = (_("%(country)s: %(names)s") % words,) if names else ()
    return Card(
        route="share-event",
        args=(event.slug,),
        kicker=_("Event"),
        title=event.name,
        lines=lines,
        **delegation_facts(delegation),
    )


def medals_won(event):
    """The delegation's results that carry each medal in an event of `Event.objects.for_page()`, best medal first."""
    won = {}
    for round in event.rounds.all():
        for result in round.team_results:
            if result.medal:
                won.setdefault(result.medal, []).append(result)
    return {medal: won[medal] for medal in sorted(won, key=MEDAL_RANK.get)}


def medal_card(delegation, event, medal, results):
    """The card of one medal the delegation won in `event`: `results` are those that carry it."""
    names = sorted({result.entry.athlete.local_name for result in results})  # by name, as the event's page lists them
    count = 1 if event.is_team else len(results)
    label = Medal(medal).label
    if count == 1:
        words = _("%(medal)s medal") % {"medal": label}
    else:
        words = _("%(medal)s medals: %(count)d") % {"medal": label, "count": count}
    detail = [*dict.fromkeys(result.mark for result in results if result.mark)]
    detail += dict.fromkeys(result.get_record_display() for result in results if result.record)
    if any(result.is_provisional for result in results):
        detail.append(_("provisional"))
    elif any(result.is_amended for result in results):
        detail.append(_("amended"))
    return Card(
        route="share-medal",
        args=(event.slug, medal),
        kicker=words,
        title=", ".join(names),
        lines=(event.name, " · ".join(detail)) if detail else (event.name,),
        medal=medal,
        **delegation_facts(delegation),
    )


def event_cards(delegation, event):
    """The cards of an event's page: one per medal the delegation won in it, best first; else the event's."""
    won = medals_won(event)
    if not won:
        return [event_card(delegation, event)]
    return [medal_card(delegation, event, medal, results) for medal, results in won.items()]


# Drawing


class Fonts(threading.local):
    """DejaVu Sans at each size asked for, loaded once per thread (a FreeType face is not shared between threads)."""

    def __init__(self):
        self.loaded = {}

    def get(self, size, bold=False):
        key = (size, bold)
        if key not in self.loaded:
            self.loaded[key] = ImageFont.truetype(str(BOLD if bold else BOOK), size)
        return self.loaded[key]


fonts = Fonts()


def draw(card):
    """The card as a PNG: drawn in full colour, then reduced to a palette of `PALETTE_COLOURS` (a card has a
    handful of flat colours and the edges of its letters: less than half the bytes, and no visible loss) and
    compressed at zlib's default level (the highest makes it a tenth smaller but takes several times longer)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, BAR), fill=card.colour)
    draw_band(pen, card)
    right = WIDTH - MARGIN
    if card.medal:
        right = draw_medal(image, pen, card) - 40
    width = right - MARGIN

    y = TOP
    if card.kicker:
        font = fonts.get(30, bold=True)
        colour = MEDAL_COLOURS[card.medal] if card.medal else card.colour
        pen.text((MARGIN, y), clip(card.kicker, font, width), font=font, fill=accent_for(colour, PAPER))
        y += line_height(font) + 12
    font, lines = fit(card.title, width, TITLE_SIZES, max_lines=2)
    for line in lines:
        pen.text((MARGIN, y), line, font=font, fill=INK)
        y += line_height(font)
    y += 16
    font = fonts.get(34)
    for line in card.lines:
        pen.text((MARGIN, y), clip(line, font, width), font=font, fill=MUTED)
        y += line_height(font) + 4
    if card.tally:
        draw_tally(image, pen, card.tally, y + 12)

    buffer = io.BytesIO()
    exact = [PAPER, INK, MUTED, card.colour, text_on(card.colour), card.second_colour, *MEDAL_COLOURS.values()]
    to_palette(image, exact).save(buffer, "PNG")
    return buffer.getvalue()


def to_palette(image, exact):
    """`image` with `PALETTE_COLOURS` colours at most, where each palette colour within a hair of one of the
    colours `exact` is made exactly that one: a flag's colour stays the flag's colour."""
    paletted = image.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    wanted = [channels(colour) for colour in exact if colour]
    palette = paletted.getpalette()
    for start in range(0, len(palette), 3):
        entry = palette[start : start + 3]
        nearest = min(wanted, key=lambda colour: distance(colour, entry))
        if distance(nearest, entry) <= 8:
            palette[start : start + 3] = nearest
    paletted.putpalette(palette)
    return paletted


def draw_band(pen, card):
    if card.second_colour:
        pen.rectangle((0, BAND_TOP - STRIPE, WIDTH, BAND_TOP), fill=card.second_colour)
    pen.rectangle((0, BAND_TOP, WIDTH, HEIGHT), fill=card.colour)
    ink = text_on(card.colour)
    width = WIDTH - 2 * MARGIN
    country = fonts.get(40, bold=True)
    pen.text((MARGIN, BAND_TOP + 30), clip(card.country, country, width), font=country, fill=ink)
    site, games = fonts.get(26, bold=True), fonts.get(28)
    name = clip(site_name(), site, width // 2)
    baseline = BAND_TOP + 118
    pen.text((WIDTH - MARGIN, baseline), name, font=site, fill=ink, anchor="rs")
    room = width - int(site.getlength(name)) - 40
    pen.text((MARGIN, baseline), clip(card.games, games, room), font=games, fill=ink, anchor="ls")


def draw_medal(image, pen, card):
    """The medal on a medal's card, with its rank, hanging from a ribbon in the delegation's colours;
    returns its left edge."""
    radius, x, y = 128, 970, 246
    knot = y - radius + 30
    second = card.second_colour or shade(card.colour, 0.3)
    smooth_polygon(image, [(x - 150, 0), (x - 70, 0), (x + 40, knot), (x - 40, knot)], card.colour)
    smooth_polygon(image, [(x + 70, 0), (x + 150, 0), (x + 40, knot), (x - 40, knot)], second)
    colour = MEDAL_COLOURS[card.medal]
    draw_disc(image, (x, y), radius, colour)
    pen.text((x, y), str(MEDAL_RANK[card.medal]), font=fonts.get(120, bold=True), fill=text_on(colour), anchor="mm")
    return x - radius


def draw_disc(image, centre, radius, colour):
    """A medal: a disc in its colour inside a darker rim."""
    smooth_ellipse(image, centre, radius, shade(colour, 0.35))
    smooth_ellipse(image, centre, radius * 0.88, colour)


def draw_tally(image, pen, tally, y):
    """A row of medals in their colours, each with its count in words: ● 3 gold  ● 1 silver  ● 2 bronze."""
    font = fonts.get(40, bold=True)
    radius, x = 24, MARGIN
    middle = y + line_height(font) // 2
    for medal, words in tally:
        draw_disc(image, (x + radius, middle), radius, MEDAL_COLOURS[medal])
        x += 2 * radius + 14
        pen.text((x, middle), words, font=font, fill=INK, anchor="lm")
        x += int(font.getlength(words)) + 44


def smooth_polygon(image, points, colour):
    """A polygon with smooth edges: its mask is drawn `SUPERSAMPLE` times larger, then scaled down."""
    left, top = int(min(x for x, _y in points)), int(min(y for _x, y in points))
    right, bottom = int(max(x for x, _y in points)) + 1, int(max(y for _x, y in points)) + 1
    mask = Image.new("L", ((right - left) * SUPERSAMPLE, (bottom - top) * SUPERSAMPLE))
    scaled = [((x - left) * SUPERSAMPLE, (y - top) * SUPERSAMPLE) for x, y in points]
    ImageDraw.Draw(mask).polygon(scaled, fill=255)
    image.paste(colour, (left, top, right, bottom), mask.reduce(SUPERSAMPLE))


def smooth_ellipse(image, centre, radius, colour):
    """A disc with smooth edges, as `smooth_polygon`."""
    x, y = centre
    left, top, size = int(x - radius), int(y - radius), int(2 * radius) + 2
    mask = Image.new("L", (size * SUPERSAMPLE, size * SUPERSAMPLE))
    box = [((x - radius - left) * SUPERSAMPLE, (y - radius - top) * SUPERSAMPLE)]
    box.append((box[0][0] + 2 * radius * SUPERSAMPLE, box[0][1] + 2 * radius * SUPERSAMPLE))
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    image.paste(colour, (left, top, left + size, top + size), mask.reduce(SUPERSAMPLE))


def distance(first, second):
    return sum(abs(a - b) for a, b in zip(first, second, strict=True))


def shade(colour, amount):
    """`colour` mixed with black by `amount` (0 to 1)."""
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in channels(colour))


def line_height(font):
    ascent, descent = font.getmetrics()
    return ascent + descent


def fit(text, width, sizes, max_lines):
    """The largest bold font among `sizes` that sets `text` in at most `max_lines` lines of `width`, and the
    lines; at the smallest size, whatever does not fit is cut with an ellipsis."""
    for size in sizes:
        font = fonts.get(size, bold=True)
        lines = wrap(text, font, width)
        if len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines):
            return font, lines
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        kept[-1] = f"{kept[-1]} {' '.join(lines[max_lines:])}"
    return font, [clip(line, font, width) for line in kept]


def wrap(text, font, width):
    """`text` broken into lines of `width` at spaces (a word longer than a line gets a line of its own)."""
    lines = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def clip(text, font, width):
    """`text`, cut short with an ellipsis if it is wider than `width`."""
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with its ellipsis, found by halving
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(f"{text[:middle]}…") <= width:
            low = middle
        else:
            high = middle - 1
    return f"{text[:low].rstrip()}…"
