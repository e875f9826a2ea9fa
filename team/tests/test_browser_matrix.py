"""Every public page, on a phone and a desktop, in the light and the dark colour scheme, in a real browser.

Readers choose their phone's dark mode as often as not, and a colour that reads well on white can vanish on
near-black. So axe-core (as in test_browser_readers.py: WCAG 2.0/2.1/2.2 A and AA, and best practices) checks
each public page at 390 and 1280 CSS pixels, in both schemes (Chromium's prefers-color-scheme), and at 320
pixels nothing may make any of them scroll sideways.

One browser and one context serve each width and scheme: the pages are visited in turn, each a subtest of its
own, so a failure names its page and the others are still checked.
"""

import pytest

from team.tests.conftest import browser_page
from team.tests.test_browser_readers import AXE_TAGS, MEDAL_EVENT, MEDALLIST, add_gold_and_correction, axe_source

pytestmark = pytest.mark.browser

VIEWPORTS = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 900}}
NARROWEST = {"width": 320, "height": 640}

# (name, address, the status it answers with)
PAGES = [
    ("team", "/", 200),
    ("team-filtered", "/?sport=para-swimming&gender=M", 200),
    ("athlete", f"/athletes/{MEDALLIST}/", 200),
    ("event", f"/events/{MEDAL_EVENT}/", 200),
    ("sport", "/sports/para-swimming/", 200),
    ("schedule", "/schedule/", 200),
    ("medals", "/medals/", 200),
    ("classes", "/classes/", 200),
    ("sources", "/sources/", 200),
    ("corrections", "/corrections/", 200),
    ("not-found", "/no-such-page/", 404),
]


@pytest.fixture
def site(article_data, live_server):
    """The article's delegation with a gold medal and a published correction, so the medal table, the
    event's results and the corrections page all have something to show."""
    add_gold_and_correction()
    return live_server.url


@pytest.fixture
def page_in_scheme(sync_api, monkeypatch, scheme):
    """A page in the test's colour scheme that ignores the site's Content-Security-Policy, to let axe in."""
    yield from browser_page(sync_api, monkeypatch, color_scheme=scheme, bypass_csp=True)


def visit(page, url, status):
    response = page.goto(url)
    assert response is not None, f"{url} gave no response"
    assert response.status == status, f"{url} answered {response.status}, expected {status}"


# Every failing element, with its markup: the report must say exactly what to fix, in which scheme.
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.flatMap((v) => v.nodes.map((node) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    target: node.target.join(" "),
    html: node.html,
    summary: node.failureSummary.replace(/\\s+/g, " "),
  })));
}"""


def axe_failures(page):
    """axe's failing elements as the page loads, then again with every <details> opened (closed ones hide
    content); an element already reported for a rule is not repeated."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    failures = page.evaluate(AXE_RUN, AXE_TAGS)
    if page.evaluate("() => [...document.querySelectorAll('details:not([open])')].map((d) => (d.open = true)).length"):
        seen = {(f["id"], f["target"]) for f in failures}
        failures += [f for f in page.evaluate(AXE_RUN, AXE_TAGS) if (f["id"], f["target"]) not in seen]
    return failures


def describe(failures):
    return "\n".join(
        f"- {f['id']} ({f['impact']}): {f['help']}\n    at {f['target']}\n    {f['html']}\n    {f['summary']}"
        for f in failures
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_every_public_page_is_accessible_in_both_colour_schemes(site, page_in_scheme, subtests, width, scheme):
    page = page_in_scheme
    page.set_viewport_size(VIEWPORTS[width])
    for name, address, status in PAGES:
        with subtests.test(name, page=name, width=width, scheme=scheme):
            visit(page, site + address, status)
            failures = axe_failures(page)
            assert not failures, f"axe on {address} at {width} px, {scheme} scheme:\n{describe(failures)}"


# The elements that stick out past the viewport's right edge and are not inside a box that scrolls or clips
# on its own (a wide table in a scrolling wrapper is fine).
STICKING_OUT = """() => {
  const limit = window.innerWidth;
  const contained = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && !contained(el))
    .slice(0, 8)
    .map((el) => {
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.outerHTML.slice(0, 160).replace(/\\s+/g, " ")} reaches ${right} px`;
    });
}"""


def assert_no_sideways_scroll(page, url, status):
    """Visit `url` and check nothing makes it scroll sideways, with every <details> open, as a reader may."""
    visit(page, url, status)
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{url} is {scroll_width} px wide in a {inner_width} px window:\n" + "\n".join(
        page.evaluate(STICKING_OUT)
    )


def test_no_public_page_scrolls_sideways_at_320_pixels(site, page, subtests):
    # Under the site's Content-Security-Policy, as readers get it.
    page.set_viewport_size(NARROWEST)
    for name, address, status in PAGES:
        with subtests.test(name, page=name):
            assert_no_sideways_scroll(page, site + address, status)
