"""What a shared link looks like: every readers' page names a picture of its own (og:image, Twitter's large
card), drawn by the site in the delegation's colours, in a font that has the readers' letters, and drawn
again the moment a fact on it changes."""

import io
import re
from html import unescape

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from team import sharecards
from team.models import Athlete, Delegation, Entry, Event, Round, Sport
from team.tests.factories import grow_delegation, make_athlete, make_entry, make_event, make_result, make_round

pytestmark = pytest.mark.usefixtures("article_data")

EVENT = "taekwondo-men-k44-80kg"

# Each readers' page and the card it names: the whole team's pages share the team's card or have one
# titled as they are; an athlete, a sport and an event have their own.
PAGE_CARDS = {
    reverse("team:team"): "/share/team/",
    reverse("team:team") + "?sport=para-judo": "/share/team/",
    reverse("team:medals"): "/share/team/",
    reverse("team:athlete", args=["roman-saleh"]): "/share/athletes/roman-saleh/",
    reverse("team:event", args=[EVENT]): f"/share/events/{EVENT}/",
    reverse("team:sport", args=["para-swimming"]): "/share/sports/para-swimming/",
    reverse("team:schedule"): "/share/pages/schedule/",
    reverse("team:classes"): "/share/pages/classes/",
    reverse("team:sources"): "/share/pages/sources/",
    reverse("team:corrections"): "/share/pages/corrections/",
}

AZERBAIJANI = "əığşçöüƏİĞŞÇÖÜ"
CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяҚқҒғҰұҮүӘәӨөҺһ"
NOT_IN_FONT = "\ue000"  # a private-use code point: the font draws its missing-glyph box (.notdef)


def tags(page):
    """The page's Open Graph and Twitter tags, in order, as (name, content) pairs."""
    found = re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)">', page)
    return [(name, unescape(content)) for name, content in found]


def card_addresses(page):
    return [content for name, content in tags(page) if name == "og:image"]


def fetch(client, address):
    return client.get(address.removeprefix("http://testserver"))


def picture(response):
    return Image.open(io.BytesIO(response.content))


def glyph_mask(font, char):
    """The pixels `font` draws for `char`."""
    image = Image.new("L", (2 * font.size, 2 * font.size))
    ImageDraw.Draw(image).text((font.size // 2, font.size // 2), char, font=font, fill=255)
    return image.tobytes()


def missing_glyphs(text):
    """The characters of `text` that either of the card's fonts draws as its missing-glyph box."""
    missing = set()
    for path in (sharecards.BOOK, sharecards.BOLD):
        font = ImageFont.truetype(str(path), 40)
        box = glyph_mask(font, NOT_IN_FONT)
        missing |= {char for char in set(text) - {" "} if glyph_mask(font, char) == box}
    return missing


def win_gold(event_slug=EVENT, athlete_slug="abulfaz-abuzarli"):
    final = Round.objects.get(event__slug=event_slug, kind=Round.Kind.FINAL)
    entry = Entry.objects.get(event__slug=event_slug, athlete__slug=athlete_slug)
    return make_result(entry=entry, round=final, rank=1, medal="gold", mark="12-3", settled="official")


# The font


@pytest.mark.parametrize("path", [sharecards.BOOK, sharecards.BOLD], ids=["book", "bold"])
def test_the_font_draws_every_azerbaijani_and_cyrillic_letter(path):
    font = ImageFont.truetype(str(path), 40)
    box = glyph_mask(font, NOT_IN_FONT)
    for char in AZERBAIJANI + CYRILLIC:
        assert font.getbbox(char)[2] > 0, char
        assert glyph_mask(font, char) != box, char


def test_a_letter_the_font_lacks_is_caught_by_the_check():
    assert missing_glyphs("中") == {"中"}
    assert missing_glyphs("Əli") == set()


def test_the_font_ships_with_the_site_and_its_licence():
    for path in (sharecards.BOOK, sharecards.BOLD):
        assert path.parent == sharecards.FONTS
        assert path.stat().st_size > 100_000
    licence = (sharecards.FONTS / "LICENSE-DejaVu.txt").read_text()
    assert "Bitstream Vera" in licence
    assert "Permission is hereby granted, free of charge" in licence


@pytest.mark.parametrize(
    ("slug", "name"), [("ali-shamshir", "Əli Şəmşir İsmayılova"), ("nurlan-ibragimov", "Нұрлан Ибрагимов")]
)
def test_an_athlete_card_draws_azerbaijani_and_cyrillic_names_without_a_missing_glyph(client, slug, name):
    delegation = Delegation.objects.get()
    make_athlete(delegation=delegation, sport=Sport.objects.get(slug="para-swimming"), slug=slug, name=name)
    card = sharecards.athlete_card(delegation, Athlete.objects.with_badges().get(slug=slug))

    (address,) = card_addresses(client.get(reverse("team:athlete", args=[slug])).text)
    response = fetch(client, address)

    assert address == f"http://testserver{card.get_absolute_url()}"
    assert response.status_code == 200
    assert picture(response).size == (1200, 630)
    assert card.title == name
    drawn = " ".join([card.kicker, card.title, *card.lines, card.country, card.games, sharecards.site_name()])
    assert missing_glyphs(drawn) == set()


# Every page names its card


@pytest.mark.parametrize(("url", "card"), PAGE_CARDS.items())
def test_every_page_names_its_own_card_with_size_alt_text_and_twitter_tags(client, url, card):
    page = client.get(url).text
    found = dict(tags(page))

    assert found["og:image"].startswith(f"http://testserver{card}")
    assert found["og:image"].endswith(".png")
    assert found["og:image:type"] == "image/png"
    assert (found["og:image:width"], found["og:image:height"]) == ("1200", "630")
    assert len(found["og:image:alt"]) > 20
    assert found["twitter:card"] == "summary_large_image"
    assert found["twitter:image"] == found["og:image"]
    assert found["twitter:image:alt"] == found["og:image:alt"]
    assert found["twitter:title"] == found["og:title"]
    assert found["twitter:description"] == found["og:description"]


@pytest.mark.parametrize("url", PAGE_CARDS)
def test_every_card_is_a_small_1200_by_630_png(client, url):
    (address,) = card_addresses(client.get(url).text)
    response = fetch(client, address)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = picture(response)
    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "P")
    assert len(response.content) < 30_000


def test_the_card_address_names_the_sites_own_host_however_the_request_spelt_it(client):
    page = client.get(reverse("team:team"), HTTP_HOST="LocalHost.:80").text

    assert card_addresses(page)[0].startswith("http://localhost/share/team/")


def test_an_error_page_names_no_card(client):
    page = client.get("/no-such-page/").text

    assert card_addresses(page) == []
    assert "twitter:card" not in page


# What each card shows


def test_the_team_card_shows_the_medals_in_words(client):
    win_gold()
    alt = dict(tags(client.get(reverse("team:team")).text))["og:image:alt"]

    assert alt == (
        "Paralympic team: Azerbaijan. 1 medal. 1 gold, 0 silver, 0 bronze. "
        "Azerbaijan, Paris 2024 Summer Paralympic Games"
    )


def test_an_event_without_a_medal_shares_the_event_and_who_is_entered(client):
    found = dict(tags(client.get(reverse("team:event", args=[EVENT])).text))

    assert found["og:image"].startswith(f"http://testserver/share/events/{EVENT}/")
    assert "Azerbaijan: Abulfaz Abuzarli" in found["og:image:alt"]


def test_an_event_with_a_medal_shares_the_medal_with_its_athlete_mark_and_colour(client):
    win_gold()
    found = dict(tags(client.get(reverse("team:event", args=[EVENT])).text))
    response = fetch(client, found["og:image"])

    assert found["og:image"].startswith(f"http://testserver/share/events/{EVENT}/gold/")
    assert found["og:image:alt"].startswith("Gold medal: Abulfaz Abuzarli. Para taekwondo, men")
    assert "12-3" in found["og:image:alt"]
    assert response.status_code == 200
    medal = picture(response).convert("RGB").getpixel((970, 246 + 100))  # inside the medal, below its rank
    assert medal == (0xD4, 0xAF, 0x37)


def test_each_medal_won_in_an_event_has_its_card_the_best_first(client):
    judo = Event.objects.get(slug="judo-women-class-tbc")
    final, contest = make_round(event=judo, order=2), make_round(event=judo, kind=Round.Kind.BRONZE, order=1)
    first, second = Entry.objects.filter(event=judo).order_by("athlete__name")
    make_result(entry=first, round=contest, rank=3, medal="bronze")
    make_result(entry=second, round=final, rank=1, medal="gold")

    addresses = card_addresses(client.get(judo.get_absolute_url()).text)

    assert len(addresses) == 2
    assert "/gold/" in addresses[0]
    assert "/bronze/" in addresses[1]
    assert all(fetch(client, address).status_code == 200 for address in addresses)


def test_a_team_medal_names_every_athlete_who_shares_it(client):
    delegation = Delegation.objects.get()
    sport = Sport.objects.get(slug="para-swimming")
    relay = make_event(games=delegation.games, sport=sport, gender="X", is_team=True, discipline="4 × 50 m")
    final = make_round(event=relay)
    for name in ("Roman Saleh", "Konul Suleymanova"):
        entry = make_entry(athlete=Athlete.objects.get(name=name), event=relay)
        make_result(entry=entry, round=final, rank=2, medal="silver", tie=True, mark="2:31.04")

    alt = dict(tags(client.get(relay.get_absolute_url()).text))["og:image:alt"]

    assert alt.startswith(
        "Silver medal: Konul Suleymanova, Roman Saleh. Para swimming, mixed – 4 × 50 m class to be confirmed."
    )
    assert "2:31.04 · provisional" in alt


def test_the_cards_take_the_delegations_colours_and_name_from_the_data(client):
    Delegation.objects.update(country="Kazakhstan", colour="#00AFCA", second_colour="#FEC50C")

    found = dict(tags(client.get(reverse("team:team")).text))
    image = picture(fetch(client, found["og:image"])).convert("RGB")

    assert "Kazakhstan" in found["og:image:alt"]
    assert image.getpixel((5, 5)) == (0x00, 0xAF, 0xCA)  # the bar along the top
    assert image.getpixel((5, sharecards.BAND_TOP - 5)) == (0xFE, 0xC5, 0x0C)  # the second colour's stripe
    assert image.getpixel((5, 625)) == (0x00, 0xAF, 0xCA)  # the band


@pytest.mark.parametrize(
    ("colour", "ink", "not_ink"), [("#00205B", (255, 255, 255), (0, 0, 0)), ("#FFD100", (0, 0, 0), (255, 255, 255))]
)
def test_text_on_the_band_is_whichever_of_black_or_white_reads_better(colour, ink, not_ink):
    card = sharecards.page_card(
        Delegation(country="Testland", colour=colour, games=Delegation.objects.get().games), "sources"
    )
    image = Image.open(io.BytesIO(sharecards.draw(card))).convert("RGB")

    band = image.crop((0, sharecards.BAND_TOP, sharecards.WIDTH, sharecards.HEIGHT))
    drawn = {found for _count, found in band.getcolors(256)}
    assert ink in drawn
    assert not_ink not in drawn
    assert sharecards.channels(colour) == band.getpixel((5, band.height - 5))


def test_a_name_too_long_for_two_lines_is_cut_with_an_ellipsis():
    font, lines = sharecards.fit("Əli " * 60, 1000, sharecards.TITLE_SIZES, max_lines=2)

    assert font.size == sharecards.TITLE_SIZES[-1]
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1000 for line in lines)


# Addresses, caching and bad input


def test_a_medal_changes_the_team_card_and_the_event_card(client, page_cache):
    team_before = card_addresses(client.get(reverse("team:team")).text)[0]
    event_before = card_addresses(client.get(reverse("team:event", args=[EVENT])).text)[0]
    team_old, event_old = fetch(client, team_before), fetch(client, event_before)

    win_gold()
    team_after = card_addresses(client.get(reverse("team:team")).text)[0]
    event_after = card_addresses(client.get(reverse("team:event", args=[EVENT])).text)[0]
    team_new, event_new = fetch(client, team_after), fetch(client, event_after)

    assert team_after != team_before
    assert (team_old.status_code, team_new.status_code) == (200, 200)
    assert team_new.content != team_old.content
    assert team_new["ETag"] != team_old["ETag"]
    assert "/gold/" in event_after
    assert event_new.content != event_old.content
    assert event_new["ETag"] != event_old["ETag"]


def test_an_old_card_address_leads_to_the_current_card(client):
    before = card_addresses(client.get(reverse("team:team")).text)[0]
    win_gold()
    after = card_addresses(client.get(reverse("team:team")).text)[0]

    response = fetch(client, before)

    assert response.status_code == 302
    assert f"http://testserver{response.url}" == after


def test_a_card_is_drawn_once_and_then_served_from_the_cache(client, page_cache, settings, django_assert_num_queries):
    settings.PAGE_GENERATION_TTL = 60  # the generation was read a moment ago
    address = card_addresses(client.get(reverse("team:team")).text)[0]
    first = fetch(client, address)

    with django_assert_num_queries(0):
        again = fetch(client, address)
        revalidated = client.get(address.removeprefix("http://testserver"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert "s-maxage" in first["Cache-Control"]
    assert revalidated.status_code == 304


def test_unknown_parameters_on_a_card_are_redirected_away(client):
    address = card_addresses(client.get(reverse("team:team")).text)[0].removeprefix("http://testserver")

    response = client.get(f"{address}?utm_source=newsletter")

    assert response.status_code == 302
    assert response.url == address


@pytest.mark.parametrize(
    "address",
    [
        "/share/athletes/nobody/0123456789ab.png",
        "/share/events/no-such-event/0123456789ab.png",
        f"/share/events/{EVENT}/gold/0123456789ab.png",  # not won
        f"/share/events/{EVENT}/platinum/0123456789ab.png",
        "/share/sports/curling/0123456789ab.png",
        "/share/pages/admin/0123456789ab.png",
    ],
)
def test_a_card_of_nothing_is_a_plain_404(client, address):
    response = client.get(address)

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"


# Queries: a card runs its page's queries or fewer, however large the team

# The delegation, then: the tally (team); nothing (a page); the sport; the athlete, classes and spellings;
# the event, its entries, rounds and results (an event or a medal).
CARD_QUERIES = {
    reverse("team:team"): 2,
    reverse("team:schedule"): 1,
    reverse("team:sport", args=["para-swimming"]): 2,
    reverse("team:athlete", args=["roman-saleh"]): 4,
    reverse("team:event", args=[EVENT]): 5,
}


@pytest.mark.parametrize("factor", [1, 10])
@pytest.mark.parametrize(("url", "queries"), CARD_QUERIES.items())
def test_a_card_runs_a_fixed_number_of_queries(client, django_assert_num_queries, url, queries, factor):
    grow_delegation(Delegation.objects.get(), factor)
    if url.startswith("/events/"):
        win_gold()
    address = card_addresses(client.get(url).text)[0]

    with django_assert_num_queries(queries):
        response = fetch(client, address)

    assert response.status_code == 200
