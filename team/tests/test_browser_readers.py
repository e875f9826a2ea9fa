"""What readers get, checked in a real browser: accessibility, keyboard use, small screens, privacy.

Headless Chromium (Debian's, at /usr/bin/chromium) loads every public page from the live server:

* axe-core (the copy shipped inside the ``axe-playwright-python`` package, injected by hand) finds no
  WCAG 2.0/2.1/2.2 A and AA problem and no best-practice problem, at a phone width and a desktop width;
* the team page's filters work with the keyboard alone, from the skip link to removing a filter chip;
* at 320 CSS pixels nothing makes the page scroll sideways (a wide table scrolls inside its own box);
* no page asks any other host for anything (no fonts, scripts, trackers or images from elsewhere).

axe is injected as an inline script, which the site's Content-Security-Policy forbids, so those tests use the
``page_bypassing_csp`` fixture; the keyboard and small-screen tests run under the policy, as readers do.
"""

import functools
import importlib.resources
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from team.models import Athlete, Change, Entry, Event, Result, Round
from team.tests.factories import make_result, make_round
from team.tests.keyboard import active_element, tab_to

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NARROWEST = {"width": 320, "height": 640}

MEDALLIST = "roman-saleh"
MEDAL_EVENT = "swimming-men-s12-100m-backstroke"

# (address, the status it answers with)
PUBLIC_PAGES = [
    pytest.param("/", 200, id="team"),
    pytest.param("/?sport=para-swimming&gender=M", 200, id="team-filtered"),
    pytest.param("/?sport=para-judo&classification=S12", 200, id="team-no-match"),
    pytest.param("/?sport=curling", 400, id="team-bad-request"),
    pytest.param(f"/athletes/{MEDALLIST}/", 200, id="athlete"),
    pytest.param("/events/athletics-men-t13-long-jump/", 200, id="event"),
    pytest.param(f"/events/{MEDAL_EVENT}/", 200, id="event-with-result"),
    pytest.param("/sports/para-swimming/", 200, id="sport"),
    pytest.param("/schedule/", 200, id="schedule"),
    pytest.param("/schedule/?sport=para-swimming&rounds=medal", 200, id="schedule-filtered"),
    pytest.param("/schedule/?sport=para-judo&day=2024-08-29", 200, id="schedule-no-match"),
    pytest.param("/schedule/?day=2024-02-30", 400, id="schedule-bad-request"),
    pytest.param("/medals/", 200, id="medals"),
    pytest.param("/classes/", 200, id="classes"),
    pytest.param("/sources/", 200, id="sources"),
    pytest.param("/corrections/", 200, id="corrections"),
    pytest.param("/no-such-page/", 404, id="not-found"),
    # More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django answers with templates/400.html.
    pytest.param("/?" + "&".join(f"f{n}=1" for n in range(1001)), 400, id="bad-request-page"),
]


@pytest.fixture
def site(transactional_db, live_server):
    """The article's delegation, plus a gold medal and a published correction so no page is empty."""
    call_command("load_initial_data", verbosity=0)
    add_gold_and_correction()
    return live_server.url


def add_gold_and_correction():
    """A gold medal for the medallist and a published correction of the event's name, so the medal
    table, the event's results and the corrections page all have something to show."""
    entry = Entry.objects.select_related("event").get(athlete__slug=MEDALLIST, event__slug=MEDAL_EVENT)
    final = make_round(event=entry.event, kind=Round.Kind.FINAL, order=1)
    make_result(entry=entry, round=final, rank=1, mark="1:05.32", medal="gold", settled=Result.Settled.OFFICIAL)
    Change.objects.create(
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(entry.event.pk),
        object_repr=str(entry.event),
        action=Change.Action.CHANGED,
        fields={"discipline": ["100 m back", "100 m backstroke"]},
        correction_note="The event's distance was misprinted.",
        summary="Discipline: “100 m back” → “100 m backstroke”.",
    )


def visit(page, base_url, address, status=200):
    response = page.goto(base_url + address)
    assert response is not None, f"{address} gave no response"
    assert response.status == status, f"{address} answered {response.status}, expected {status}"


@functools.cache
def axe_source():
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    summary: v.nodes.length ? v.nodes[0].failureSummary : "",
  }));
}"""


def axe_violations(page):
    """axe's violations on the page as it is, and again with every <details> opened (closed ones hide content)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    if page.evaluate("() => [...document.querySelectorAll('details:not([open])')].map((d) => (d.open = true)).length"):
        seen = {v["id"] for v in violations}
        violations += [v for v in page.evaluate(AXE_RUN, AXE_TAGS) if v["id"] not in seen]
    return violations


DANGLING_REFERENCES = """() => {
  const missing = [];
  const exists = (id) => id && document.getElementById(id);
  for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby], [aria-controls], [aria-owns]")) {
    for (const name of ["aria-labelledby", "aria-describedby", "aria-controls", "aria-owns"]) {
      for (const id of (el.getAttribute(name) || "").split(/\\s+/).filter(Boolean)) {
        if (!exists(id)) missing.push(`${el.tagName.toLowerCase()}[${name}="${el.getAttribute(name)}"]: no #${id}`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!exists(label.htmlFor)) missing.push(`label[for="${label.htmlFor}"]: no #${label.htmlFor}`);
  }
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (id && !exists(id)) missing.push(`a[href="#${id}"]: no #${id}`);
  }
  return missing;
}"""


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['nodes']} element(s), {v['helpUrl']}")
        lines.extend(f"    at {target}" for target in v["targets"])
        if v["summary"]:
            lines.extend(f"    {line}" for line in v["summary"].splitlines())
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
@pytest.mark.parametrize(("address", "status"), PUBLIC_PAGES)
def test_every_public_page_has_no_accessibility_violations(site, page_bypassing_csp, address, status, viewport):
    # The site's Content-Security-Policy forbids inline script, so the page ignores it to let axe in.
    page = page_bypassing_csp
    page.set_viewport_size(viewport)
    visit(page, site, address, status)
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {address} at {viewport['width']} px:\n{describe(violations)}"
    # axe only asks for a review when an ARIA reference points at a missing id; on a rendered page it is a bug.
    dangling = page.evaluate(DANGLING_REFERENCES)
    assert not dangling, f"references to ids that are not on {address}:\n" + "\n".join(dangling)


# Keyboard only


def is_focused(page, predicate_js):
    return page.evaluate(f"() => Boolean(({predicate_js})(document.activeElement))")


def shown_athletes(page):
    return sorted(
        page.locator("ul.athletes article.athlete h3, ul.athletes article.athlete h4").locator("a").all_inner_texts()
    )


def query_of(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_team_filters_work_by_keyboard_alone(site, page):
    from playwright.sync_api import expect

    visit(page, site, "/")
    taekwondo_men = sorted(
        Athlete.objects.filter(sport__slug="para-taekwondo", gender="M").values_list("name", flat=True)
    )
    assert "Imameddin Khalilov" in taekwondo_men and len(taekwondo_men) > 1

    # The skip link is the first Tab stop, shows on focus, and Enter moves focus to the main content.
    page.keyboard.press("Tab")
    assert is_focused(page, "el => el.matches('a.skip-link')"), f"first Tab stop is {active_element(page)}"
    box = page.locator("a.skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    assert is_focused(page, "el => el.id === 'content' && el.tagName === 'MAIN'"), active_element(page)

    # A spelling with Azerbaijani letters in the search box.
    tab_to(page, "el => el.id === 'filter-q'")
    page.keyboard.type("Xəlilov")
    expect(page.locator("#filter-q")).to_have_value("Xəlilov")

    # Sport facet opened with Enter, Gender facet with Space; a checkbox ticked with Space in each.
    for facet, key, name, value in (("Sport", "Enter", "sport", "para-taekwondo"), ("Gender", "Space", "gender", "M")):
        tab_to(page, f"el => el.tagName === 'SUMMARY' && el.textContent.trim() === '{facet}'")
        page.keyboard.press(key)
        expect(page.locator("details.facet").filter(has=page.locator("summary", has_text=facet))).to_have_attribute(
            "open", ""
        )
        tab_to(page, f"el => el.type === 'checkbox' && el.name === '{name}' && el.value === '{value}'")
        page.keyboard.press("Space")
        expect(page.locator(f"input[name='{name}'][value='{value}']")).to_be_checked()

    tab_to(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Show athletes'")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "sport=" in url)

    query = query_of(page.url)
    assert all(value.strip() for values in query.values() for value in values), f"empty parameters in {page.url}"
    assert query == {"q": ["Xəlilov"], "sport": ["para-taekwondo"], "gender": ["M"], "sort": ["sport"]}, page.url
    expect(page.locator("p.count")).to_have_text("1 athlete")
    assert shown_athletes(page) == ["Imameddin Khalilov"]

    # Remove the name filter from its chip, by keyboard.
    tab_to(page, "el => el.tagName === 'A' && el.closest('ul.chips') && el.textContent.includes('Xəlilov')")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "q=" not in url)

    assert query_of(page.url) == {"sport": ["para-taekwondo"], "gender": ["M"], "sort": ["sport"]}, page.url
    assert shown_athletes(page) == taekwondo_men
    expect(page.locator("ul.chips a")).to_have_text(
        ["Sport: Para taekwondo ×(remove this filter)", "Gender: Men ×(remove this filter)", "Clear all"]
    )


# Small screens


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("/", id="team"),
        pytest.param("/?q=Xelilov&sport=para-taekwondo&gender=M", id="team-filtered"),
        pytest.param(f"/athletes/{MEDALLIST}/", id="athlete"),
        pytest.param("/schedule/", id="schedule"),
    ],
)
def test_pages_are_usable_at_320_pixels(site, page, address):
    page.set_viewport_size(NARROWEST)
    visit(page, site, address)
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => (d.open = true))")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > NARROWEST["width"]:
        too_wide = page.evaluate(
            # Inside a table is fine: tables scroll in their own box.
            """(limit) => [...document.querySelectorAll("body *")]
              .map((el) => [el, Math.round(el.getBoundingClientRect().right)])
              .filter(([el, right]) => right > limit && !el.parentElement.closest("table"))
              .slice(0, 10)
              .map(([el, right]) => `<${el.tagName.toLowerCase()} class="${el.className}"> reaches ${right} px`)""",
            NARROWEST["width"],
        )
        pytest.fail(f"{address} is {width} px wide at 320 px:\n" + "\n".join(too_wide))


# Privacy


def test_no_request_leaves_the_site(site, page_bypassing_csp):
    # Without the Content-Security-Policy, which would block (and hide) a request elsewhere: this checks what
    # the pages' markup asks for, so a policy loosened one day still would not let a third party in.
    page = page_bypassing_csp
    own = urlsplit(site).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for param in PUBLIC_PAGES:
        address, status = param.values
        visit(page, site, address, status)
        page.wait_for_load_state("networkidle")
    assert requested, "no request was recorded"
    elsewhere = [
        url for url in requested if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own
    ]
    assert not elsewhere, f"requests to other hosts than {own}: {elsewhere}"
