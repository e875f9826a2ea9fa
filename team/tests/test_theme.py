"""The delegation's colours: entered as data, used as the site's accents, always readable."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from team import colours
from team.models import Delegation

pytestmark = pytest.mark.django_db

FLAG_BLUE = "#00B5E2"  # Azerbaijan's blue: about 2.3 : 1 on white, unreadable as a link colour


@pytest.fixture
def delegation(article_data):
    return Delegation.objects.get(npc_code="AZE")


def theme_address(page):
    return re.search(r'<link rel="stylesheet" href="(/theme/[0-9a-f]{12}\.css)">', page).group(1)


def test_the_fixtures_carry_the_flag_colours(delegation):
    assert (delegation.colour, delegation.second_colour) == ("#00B5E2", "#EF3340")


@pytest.mark.parametrize("colour", [FLAG_BLUE, "#EF3340", "#509E2F", "#FFD700", "#FFFFFF", "#000000", "#123456"])
@pytest.mark.parametrize(
    "background", [colours.LIGHT_PAPER, colours.LIGHT_SURFACE, colours.DARK_PAPER, colours.DARK_RAISED]
)
def test_an_accent_made_from_any_colour_reads_at_4_5_to_1(colour, background):
    light, dark = colours.theme(colour)["light"], colours.theme(colour)["dark"]
    accent = light["accent"] if colours.luminance(background) > 0.5 else dark["accent"]
    assert colours.contrast(accent, background) >= colours.TEXT_CONTRAST
    # And the text on a button filled with it.
    for scheme in (light, dark):
        assert colours.contrast(scheme["on-accent"], scheme["accent"]) >= colours.TEXT_CONTRAST


def test_the_accent_keeps_the_flags_hue_and_moves_only_as_far_as_it_must():
    accent = colours.accent_for(FLAG_BLUE, colours.LIGHT_SURFACE)
    assert accent != FLAG_BLUE.lower() and accent.startswith("#00")  # still a blue-green, only darker
    assert colours.contrast(accent, colours.LIGHT_SURFACE) < colours.TEXT_CONTRAST + 0.3
    # A colour that already reads is kept as it is.
    assert colours.accent_for("#00509E") == "#00509e"
    assert colours.accent_for(FLAG_BLUE, colours.DARK_RAISED) == FLAG_BLUE.lower()


def test_contrast_follows_wcag():
    assert colours.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert colours.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("value", ["blue", "#12345", "00B5E2", "#00B5E2 ", "#00B5E2\n", "#GGGGGG"])
def test_a_colour_that_is_not_six_hex_digits_is_refused_in_plain_words(delegation, value):
    delegation.colour = value
    with pytest.raises(ValidationError) as refused:
        delegation.full_clean()
    assert "is not a colour written as # and six hex digits" in " ".join(refused.value.message_dict["colour"])


def test_the_second_colour_is_optional(delegation):
    delegation.second_colour = ""
    delegation.full_clean()
    assert colours.theme(delegation.colour, "")["light"]["flag-2"] == FLAG_BLUE.lower()


@pytest.mark.parametrize("address", ["/", "/schedule/", "/medals/", "/athletes/roman-saleh/", "/sources/"])
def test_every_readers_page_links_the_delegations_colours(client, delegation, address):
    page = client.get(address).text
    assert theme_address(page) == reverse("theme", args=[delegation.theme_version])
    assert f'<meta name="theme-color" content="{FLAG_BLUE}">' in page
    assert "style=" not in page  # the strict CSP allows no inline styles


def test_the_colours_stylesheet_is_cached_for_a_year_and_names_both_schemes(client, delegation):
    response = client.get(reverse("theme", args=[delegation.theme_version]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    css = response.content.decode()
    light, dark = colours.theme(FLAG_BLUE, "#EF3340")["light"], colours.theme(FLAG_BLUE, "#EF3340")["dark"]
    assert css.startswith(f":root{{--accent:{light['accent']};--on-accent:{light['on-accent']};--flag:#00b5e2;")
    assert f"@media (prefers-color-scheme: dark){{:root{{--accent:{dark['accent']};" in css


def test_new_colours_get_a_new_address_and_old_pages_are_sent_to_it(client, delegation):
    old = reverse("theme", args=[delegation.theme_version])
    delegation.colour = "#509E2F"
    delegation.save()
    page = client.get("/").text
    new = theme_address(page)
    assert new != old and "#509E2F" in page
    moved = client.get(old)
    assert moved.status_code == 302 and moved["Location"] == new and moved["Cache-Control"] == "no-cache"
    assert "--flag:#509e2f" in client.get(new).content.decode()


def test_without_a_delegation_the_stylesheet_is_empty_and_the_site_keeps_its_own_colours(client, db):
    response = client.get(reverse("theme", args=["0123456789ab"]))
    assert response.status_code == 200 and response.content == b""
    assert response["Cache-Control"] == "no-cache"


def test_the_editor_can_change_the_colours_in_the_admin(admin_client, delegation):
    page = admin_client.get(reverse("admin:team_delegation_change", args=[delegation.pk])).text
    assert 'name="colour"' in page and 'name="second_colour"' in page
