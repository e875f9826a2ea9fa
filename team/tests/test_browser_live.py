"""Live updates in a real browser: a reader's open page learns of an editor's save without a reload.

Headless Chromium (Debian's, at /usr/bin/chromium) opens a readers' page with the readers' cache on, as in
production, and the check interval shortened to a second through `LIVE_UPDATE_INTERVAL_MS` (rendered into
<body data-live-interval>). static/js/live.js asks with the page's ETag; a 304 means nothing changed. Once an
editor saves (in a second browser context, through the admin) the reader is offered the new version, and the
page is not reloaded until they ask. The reader's page runs under the site's Content-Security-Policy, and any
violation it reports fails the test.
"""

import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from team.models import Athlete, Event
from team.tests.test_browser_readers import axe_violations, describe

pytestmark = pytest.mark.browser

EVENT_SLUG = "athletics-men-f55-nuclear-propulsion"
NOTE = "The article's “nuclear propulsion” is a mistranslation of shot put."
USERNAME = "live-desk-editor"
PASSWORD = "a-long-enough-browser-password"
INTERVAL_MS = 1000

# Runs before any of the page's own scripts, in every document the page loads (the policy does not apply to it).
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"} at ${where}`);
});
"""

# Lets a test hide and show the tab: headless Chromium's pages are always visible.
CONTROL_VISIBILITY = """
let hiddenByTest = false;
Object.defineProperty(Document.prototype, "hidden", {configurable: true, get: () => hiddenByTest});
Object.defineProperty(Document.prototype, "visibilityState", {
  configurable: true, get: () => (hiddenByTest ? "hidden" : "visible"),
});
window.setHiddenForTest = (hidden) => {
  hiddenByTest = hidden;
  document.dispatchEvent(new Event("visibilitychange"));
};
"""


@pytest.fixture
def live_site(transactional_db, live_server, settings):
    """The article's delegation, served with the readers' cache on and pages checking every second."""
    settings.PUBLIC_PAGE_CACHE = True
    settings.LIVE_UPDATE_INTERVAL_MS = INTERVAL_MS
    call_command("load_initial_data", verbosity=0)
    return live_server.url


class Checks:
    """The page's own requests for itself (fetch() with If-None-Match): when, with what ETag, and the answers."""

    def __init__(self, page):
        self.sent = []
        self.statuses = []
        page.on("request", self.requested)
        page.on("response", self.answered)

    def requested(self, request):
        if request.resource_type == "fetch":
            self.sent.append((time.monotonic(), request.headers.get("if-none-match")))

    def answered(self, response):
        if response.request.resource_type == "fetch":
            self.statuses.append(response.status)

    @property
    def times(self):
        return [at for at, _etag in self.sent]

    @property
    def etags(self):
        return {etag for _at, etag in self.sent}


def wait_until(page, condition, timeout=10.0, what="the condition"):
    """Let the page run (its timers, its requests) until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        page.wait_for_timeout(50)


def open_page(page, base_url, address="/"):
    response = page.goto(base_url + address)
    assert response is not None and response.status == 200, f"{address} answered {response and response.status}"
    etag = response.headers.get("etag")
    assert etag, "the readers' page came without an ETag"
    return etag


def banner(page):
    """The live region live.js adds (the team page has another status, its count of athletes)."""
    return page.locator(".live-update[role='status'][aria-live='polite']")


def athlete_card(page, name):
    return page.locator("article").filter(has=page.get_by_role("heading", name=name, exact=True))


def csp_violations(page):
    return page.evaluate("() => window.cspViolations")


def correct_the_event_in_the_admin(browser, base_url):
    """An editor, in a browser context of their own, corrects the event's discipline with a note for readers."""
    from playwright.sync_api import expect

    event = Event.objects.get(slug=EVENT_SLUG)
    context = browser.new_context()
    try:
        desk = context.new_page()
        desk.set_default_timeout(10_000)
        desk.goto(base_url + reverse("admin:login"))
        desk.get_by_label("Username").fill(USERNAME)
        desk.get_by_label("Password").fill(PASSWORD)
        desk.get_by_role("button", name="Log in").click()
        expect(desk.get_by_role("link", name="Log out").or_(desk.get_by_role("button", name="Log out"))).to_be_visible()
        desk.goto(base_url + reverse("admin:team_event_change", args=[event.pk]))
        desk.locator("#id_discipline").fill("shot put")
        desk.locator("#id_correction_note").fill(NOTE)
        desk.get_by_role("button", name="Save", exact=True).click()
        expect(desk.locator("ul.messagelist li.success")).to_contain_text("was changed successfully")
    finally:
        context.close()


def test_the_reader_is_offered_an_editors_save_without_reloading_and_not_before(live_site, page, django_user_model):
    from playwright.sync_api import expect

    django_user_model.objects.create_superuser(USERNAME, "live-desk@example.com", PASSWORD)
    page.add_init_script(WATCH_CSP)
    checks = Checks(page)

    etag = open_page(page, live_site)
    musayev = athlete_card(page, "Olokhan Musayev")
    expect(musayev).to_contain_text("Para athletics, men – nuclear propulsion F55")
    page.locator("#filter-q").focus()  # the reader is busy with the search box

    # Before any change: the page asks with the ETag it was served with, is told nothing changed, shows nothing.
    wait_until(page, lambda: len(checks.statuses) >= 2, what="two checks")
    assert checks.etags == {etag}
    assert set(checks.statuses) == {304}
    expect(banner(page)).to_be_empty()
    expect(page.get_by_role("button", name="Show them")).to_have_count(0)

    correct_the_event_in_the_admin(page.context.browser, live_site)

    # The banner appears by itself; the page is not reloaded, and focus stays where the reader left it.
    expect(banner(page)).to_contain_text("New results are in.")
    expect(page.get_by_role("button", name="Show them")).to_be_visible()
    expect(page.get_by_role("button", name="Dismiss")).to_be_visible()
    assert page.evaluate("() => document.activeElement.id") == "filter-q"
    expect(musayev).to_contain_text("nuclear propulsion F55")
    assert 200 in checks.statuses

    # It asks no more once it knows.
    asked = len(checks.sent)
    page.wait_for_timeout(3 * INTERVAL_MS)
    assert len(checks.sent) == asked, "the page kept asking after it knew it had changed"
    assert csp_violations(page) == []

    # "Show them" shows the corrected event.
    with page.expect_navigation():
        page.get_by_role("button", name="Show them").click()
    musayev = athlete_card(page, "Olokhan Musayev")
    expect(musayev).to_contain_text("Para athletics, men – shot put F55")
    expect(musayev).not_to_contain_text("nuclear propulsion")
    expect(banner(page)).to_be_empty()
    assert csp_violations(page) == []


def test_the_banner_is_accessible_and_dismissed_by_keyboard(live_site, page_bypassing_csp):
    from playwright.sync_api import expect

    page = page_bypassing_csp  # axe is injected as an inline script
    checks = Checks(page)
    open_page(page, live_site, reverse("team:athlete", args=["roman-saleh"]))
    wait_until(page, lambda: checks.statuses, what="a first check")
    Athlete.objects.filter(slug="roman-saleh").update(name="Roman Salekh")
    expect(banner(page)).to_contain_text("New results are in.")

    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        violations = axe_violations(page)
        assert not violations, f"axe found problems with the banner at {width} px:\n{describe(violations)}"

    # Skip link, then into the main content: the banner's buttons come first.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show them")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Dismiss")).to_be_focused()
    page.keyboard.press("Enter")
    expect(banner(page)).to_be_empty()
    assert page.evaluate("() => document.activeElement.id") == "content", "focus was lost with the banner"
    expect(page.get_by_role("heading", level=1)).to_have_text("Roman Saleh")  # not reloaded


def test_checks_pause_while_the_tab_is_hidden_and_resume_at_once(live_site, page, settings):
    settings.LIVE_UPDATE_INTERVAL_MS = 2000
    page.add_init_script(WATCH_CSP)
    page.add_init_script(CONTROL_VISIBILITY)
    checks = Checks(page)
    open_page(page, live_site, reverse("team:medals"))
    wait_until(page, lambda: checks.statuses, what="a first check")

    page.evaluate("() => setHiddenForTest(true)")
    asked = len(checks.sent)
    page.wait_for_timeout(5000)  # two and a half intervals
    assert len(checks.sent) == asked, "the page asked while hidden"

    shown_at = time.monotonic()
    page.evaluate("() => setHiddenForTest(false)")
    wait_until(page, lambda: len(checks.sent) > asked, timeout=1.5, what="a check as soon as the tab showed")
    assert checks.sent[-1][0] - shown_at < 1.0
    assert set(checks.statuses) == {304}
    assert csp_violations(page) == []


def test_a_busy_server_is_asked_again_only_after_its_retry_after(live_site, page):
    page.add_init_script(WATCH_CSP)
    checks = Checks(page)
    answered_busy = []

    def busy_once(route):
        if route.request.resource_type == "fetch" and not answered_busy:
            answered_busy.append(time.monotonic())
            route.fulfill(status=503, headers={"Retry-After": "3", "Cache-Control": "no-store"}, body="Busy")
        else:
            route.continue_()

    page.route(f"{live_site}/", busy_once)
    open_page(page, live_site)
    wait_until(page, lambda: len(checks.statuses) >= 2, timeout=8, what="an answered check after the 503")
    waited = checks.times[1] - checks.times[0]
    assert 3.0 <= waited < 4.5, f"asked again {waited:.1f} s after a 503 with Retry-After: 3"
    assert checks.statuses[:2] == [503, 304]
    assert csp_violations(page) == []


def test_network_errors_double_the_wait_between_checks(live_site, page):
    page.add_init_script(WATCH_CSP)
    checks = Checks(page)

    def unreachable(route):
        if route.request.resource_type == "fetch":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(f"{live_site}/", unreachable)
    open_page(page, live_site)
    wait_until(page, lambda: len(checks.sent) >= 3, timeout=12, what="three checks")
    first, second, third = checks.times[:3]
    assert 1.8 <= second - first < 2.8, f"{second - first:.1f} s after the first failure, expected 2"
    assert 3.8 <= third - second < 4.8, f"{third - second:.1f} s after the second failure, expected 4"
    assert banner(page).evaluate("(region) => region.childElementCount") == 0
