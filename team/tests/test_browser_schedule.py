"""The schedule in a real browser: on a phone its rounds are cards and its filters sit behind one disclosure.

Headless Chromium (Debian's, at /usr/bin/chromium) loads the schedule from the live server under the
site's Content-Security-Policy, as readers get it:

* at 320 and 390 CSS pixels nothing scrolls sideways, neither the page nor a table inside it, and every
  cell names its column;
* the "Filter" disclosure comes after the results and works with the keyboard alone;
* on a wide screen the filters stand open beside a real table.
"""

import pytest
from django.core.management import call_command

from team.tests.factories import schedule_article
from team.tests.keyboard import tab_to

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

ADDRESSES = [
    pytest.param("/schedule/", 200, id="plain"),
    pytest.param("/schedule/?sport=para-swimming&sport=para-judo", 200, id="filtered"),
    pytest.param("/schedule/?athlete=dursadaf-karimova&rounds=medal", 200, id="one-athlete-medal-rounds"),
    pytest.param("/schedule/?sport=para-judo&day=2024-08-29", 200, id="no-match"),
    pytest.param("/schedule/?day=2024-02-30", 400, id="bad-day"),
]


@pytest.fixture
def site(transactional_db, live_server):
    """The article's delegation with its rounds on the calendar (see `schedule_article`)."""
    call_command("load_initial_data", verbosity=0)
    schedule_article()
    return live_server.url


def visit(page, base_url, address, status=200):
    response = page.goto(base_url + address)
    assert response is not None, f"{address} gave no response"
    assert response.status == status, f"{address} answered {response.status}, expected {status}"


# What reaches past the right edge of the window, or of a table's own box.
OVERFLOWING = """() => {
  const limit = window.innerWidth;
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const right = Math.round(el.getBoundingClientRect().right);
    if (right > limit && el.getClientRects().length) {
      found.push(`<${el.tagName.toLowerCase()} class="${el.className}"> reaches ${right} px`);
    }
  }
  for (const table of document.querySelectorAll("table")) {
    if (table.scrollWidth > table.clientWidth) {
      found.push(`a table scrolls sideways: ${table.scrollWidth} px in ${table.clientWidth} px`);
    }
  }
  return found.slice(0, 10);
}"""


@pytest.mark.parametrize("viewport", [pytest.param(NARROWEST, id="320"), pytest.param(PHONE, id="390")])
@pytest.mark.parametrize(("address", "status"), ADDRESSES)
def test_the_schedule_never_scrolls_sideways_on_a_phone(site, page, address, status, viewport):
    page.set_viewport_size(viewport)
    visit(page, site, address, status)
    for state in ("as loaded", "with every disclosure open"):
        if state != "as loaded":
            page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        overflowing = page.evaluate(OVERFLOWING)
        assert fits and not overflowing, (
            f"{address} {state} at {viewport['width']} px is wider than the window:\n" + "\n".join(overflowing)
        )


def test_on_a_phone_each_round_is_a_card_whose_cells_name_their_column(site, page):
    page.set_viewport_size(PHONE)
    visit(page, site, "/schedule/?day=2024-09-05")
    labels = page.evaluate(
        """() => [...document.querySelector("table.schedule-table tbody tr").children]
             .map((cell) => getComputedStyle(cell, "::before").content)"""
    )
    assert labels == ['"When: "', '"Event: "', '"Round: "', '"Athletes: "']
    # The column headers are still there for assistive technology, just not drawn.
    assert page.locator("table.schedule-table thead th").count() == 4
    assert page.evaluate("getComputedStyle(document.querySelector('table.schedule-table tr')).display") == "block"
    athletes = page.locator("table.schedule-table tbody tr").first.locator("td").last
    box = athletes.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert athletes.inner_text() == "Dursadaf Karimova, Khatira Ismiyeva"  # the label is generated content


def test_the_filter_disclosure_works_by_keyboard_on_a_phone(site, page):
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    visit(page, site, "/schedule/")
    panel = page.locator("details.filter-panel")
    summary = panel.locator("> summary")

    # Closed at first, and after the results.
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("button", has_text="Show rounds")).to_be_hidden()
    first_table = page.locator("table.schedule-table").first.bounding_box()
    assert first_table["y"] < summary.bounding_box()["y"]

    # The jump link near the top leads to it.
    page.keyboard.press("Tab")  # the skip link
    tab_to(page, "el => el.matches('.jump-to-filters a')")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("#schedule-filters"))

    # Opened with Enter from its summary; a facet opened with Space, a checkbox ticked with Space.
    tab_to(page, "el => el.tagName === 'SUMMARY' && el.textContent.trim() === 'Filter'")
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("open", "")
    tab_to(page, "el => el.tagName === 'SUMMARY' && el.textContent.trim() === 'Sport'")
    page.keyboard.press("Space")
    tab_to(page, "el => el.type === 'checkbox' && el.name === 'sport' && el.value === 'para-swimming'")
    page.keyboard.press("Space")
    expect(page.locator("input[name='sport'][value='para-swimming']")).to_be_checked()
    tab_to(page, "el => el.tagName === 'SUMMARY' && el.textContent.trim() === 'Rounds'")
    page.keyboard.press("Enter")
    tab_to(page, "el => el.type === 'checkbox' && el.name === 'rounds' && el.value === 'medal'")
    page.keyboard.press("Space")
    tab_to(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Show rounds'")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "sport=" in url)

    assert page.url.endswith("/schedule/?sport=para-swimming&rounds=medal"), page.url
    expect(page.locator("p.count")).to_have_text("2 rounds")
    # The results again come first, the filters folded away.
    expect(page.locator("details.filter-panel")).not_to_have_attribute("open", "")
    expect(page.locator("ul.chips a")).to_have_text(
        [
            "Sport: Para swimming ×(remove this filter)",
            "Rounds: Medal rounds only (finals and bronze medal contests) ×(remove this filter)",
            "Clear all",
        ]
    )

    # And it closes again from the keyboard.
    summary = page.locator("details.filter-panel > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.filter-panel")).to_have_attribute("open", "")
    page.keyboard.press("Enter")
    expect(page.locator("details.filter-panel")).not_to_have_attribute("open", "")


def test_on_a_wide_screen_the_filters_stand_open_beside_a_real_table(site, page):
    page.set_viewport_size(DESKTOP)
    visit(page, site, "/schedule/")
    form = page.locator("details.filter-panel form")
    assert form.is_visible()
    assert page.locator("details.filter-panel > summary").is_hidden()
    assert page.get_by_role("heading", name="Filter the schedule").is_visible()
    results = page.locator(".schedule-results").bounding_box()
    assert form.bounding_box()["x"] >= results["x"] + results["width"]
    assert page.locator("table.schedule-table thead").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
