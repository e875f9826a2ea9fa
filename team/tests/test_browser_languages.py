"""Every public page in Azerbaijani and Russian, in a real browser: no accessibility violation at 390 and
1280 CSS pixels, and nothing scrolling sideways at 320 (Azerbaijani and Russian words run longer than the
English ones the layout was first drawn for). The English pages are checked by test_browser_matrix.py."""

import pytest

from team.tests.test_browser_matrix import (
    NARROWEST,
    PAGES,
    VIEWPORTS,
    assert_no_sideways_scroll,
    axe_failures,
    describe,
    site,  # noqa: F401 (a fixture)
    visit,
)

pytestmark = pytest.mark.browser

LANGUAGES = ("az", "ru")


@pytest.mark.parametrize("width", list(VIEWPORTS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_each_language_passes_axe(site, page_bypassing_csp, subtests, language, width):  # noqa: F811
    page = page_bypassing_csp
    page.set_viewport_size(VIEWPORTS[width])
    for name, address, status in PAGES:
        with subtests.test(name, page=name, language=language, width=width):
            visit(page, f"{site}/{language}{address}", status)
            assert page.evaluate("() => document.documentElement.lang") == language
            failures = axe_failures(page)
            assert not failures, f"axe on /{language}{address} at {width} px:\n{describe(failures)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_in_each_language_scrolls_sideways_at_320_pixels(site, page, subtests, language):  # noqa: F811
    page.set_viewport_size(NARROWEST)
    for name, address, status in PAGES:
        with subtests.test(name, page=name, language=language):
            assert_no_sideways_scroll(page, f"{site}/{language}{address}", status)


def test_the_switcher_takes_a_reader_to_the_same_page_in_another_language_with_the_filters(site, page):  # noqa: F811
    page.goto(f"{site}/?sport=para-swimming&gender=M")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Azərbaycanca").click()
    page.wait_for_url(f"{site}/az/?sport=para-swimming&gender=M")
    assert page.evaluate("() => document.documentElement.lang") == "az"
    page.locator("nav.languages").get_by_role("link", name="Русский").click()
    page.wait_for_url(f"{site}/ru/?sport=para-swimming&gender=M")
    assert page.evaluate("() => document.documentElement.lang") == "ru"
