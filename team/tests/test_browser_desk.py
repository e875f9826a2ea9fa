"""The results desk, clicked through in a real browser by a member of the Editors group.

Headless Chromium (Debian's, at /usr/bin/chromium) logs in as an editor (staff, in the Editors group, not a
superuser), follows the athlete's "enter result" link to the desk, enters a final with a gold in one save and
finds the gold on the team page; enters a round of eight on a phone-sized screen without sideways scrolling;
and counts the page loads and saves it takes to enter a final of eight with medals.
"""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from team.models import Athlete, Change, Delegation, Event, Result, Round, Sport
from team.permissions import ensure_editors_group
from team.tests.factories import make_athlete, make_entry, make_event
from team.tests.test_browser_readers import DANGLING_REFERENCES, axe_violations, describe

pytestmark = pytest.mark.browser

USERNAME = "venue-editor"
PASSWORD = "a-long-enough-venue-password"
PHONE = {"width": 390, "height": 844}

#: Eight sprinters' names, in the order the desk lists them, with their times and places in the round.
FIELD = [
    ("Aghamali Abbasov", "11.02", 1),
    ("Babek Bakirov", "11.10", 2),
    ("Cavid Cafarov", "11.21", 3),
    ("Davud Dadashov", "11.30", 4),
    ("Elvin Eyvazov", "11.44 (SB)", 5),
    ("Fuad Farzaliyev", "11.51", 6),
    ("Gadir Gasimov", "11.62", 7),
    ("Huseyn Hasanov", "11.80", 8),
]
MEDALS = {1: "Gold", 2: "Silver", 3: "Bronze"}


def log_in(page, live_server, django_user_model):
    """Load the article's data, log an editor in on `page`, and return `visit(url)`, which checks the answer."""
    call_command("load_initial_data", verbosity=0)
    editor = django_user_model.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editors_group())
    assert not editor.is_superuser

    def visit(url):
        response = page.goto(live_server.url + url)
        assert response is not None and response.ok, f"{url} answered {response and response.status}"

    visit(reverse("admin:login"))
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").or_(page.get_by_role("link", name="Log out")).wait_for()
    page.wait_for_load_state("load")  # the admin's index has finished loading: later loads are the test's own
    return visit


@pytest.fixture
def desk(transactional_db, live_server, page, django_user_model):
    return log_in(page, live_server, django_user_model)


def sprint_of_eight():
    """A men's 100 m T13 with eight of the delegation's athletes entered, and no round yet."""
    delegation = Delegation.objects.get()
    athletics = Sport.objects.get(slug="para-athletics")
    event = make_event(games=delegation.games, sport=athletics, gender="M", discipline="100 m sprint", mark_kind="time")
    for name, _mark, _rank in FIELD:
        make_entry(athlete=make_athlete(delegation=delegation, sport=athletics, gender="M", name=name), event=event)
    return event


def athlete_row(page, name):
    return page.locator("fieldset.desk-row").filter(has=page.locator("legend", has_text=name))


def fill_row(row, rank, mark, medal=None, settled="Official"):
    row.get_by_label("Rank", exact=True).fill(str(rank))
    row.get_by_label("Mark", exact=True).fill(mark)
    if medal:
        row.get_by_label("Medal", exact=True).select_option(label=medal)
    row.get_by_label("Settled", exact=True).select_option(label=settled)


def success_message(page):
    return page.locator("ul.messagelist li.success")


def scrolls_sideways(page):
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


def test_editor_enters_a_gold_from_the_athletes_page_and_readers_see_it(desk, page):
    from playwright.sync_api import expect

    musayev = Athlete.objects.get(name="Olokhan Musayev")
    desk(reverse("admin:team_athlete_change", args=[musayev.pk]))
    page.locator("#entries-group").get_by_role("link", name="Enter result (final)").first.click()

    event = Event.objects.get(slug="athletics-men-f55-nuclear-propulsion")
    entry = musayev.entries.get(event=event)
    assert urlsplit(page.url).path == reverse("admin:team_desk_round", args=[event.pk, "final"])
    assert urlsplit(page.url).fragment == f"entry-{entry.pk}"
    row = page.locator(f"#entry-{entry.pk}")
    fill_row(row, 1, "11.23", medal="Gold")
    page.get_by_role("button", name="Save all results").click()

    expect(success_message(page)).to_contain_text("Saved 1 result in")
    final = Round.objects.get(event=event, kind=Round.Kind.FINAL)
    result = Result.objects.get(round=final)
    assert (result.entry, result.rank, result.mark, result.medal, result.settled) == (
        entry,
        1,
        "11.23",
        "gold",
        "official",
    )
    assert len(set(Change.objects.values_list("batch", flat=True))) == 1

    desk(reverse("team:team"))
    tally = page.get_by_role("list", name="Medal tally")
    expect(tally.locator("li").first).to_have_text("Gold 1")


def test_a_round_of_eight_is_entered_on_a_phone_without_sideways_scrolling(desk, page):
    from playwright.sync_api import expect

    page.set_viewport_size(PHONE)
    event = sprint_of_eight()
    desk(reverse("admin:team_desk_round", args=[event.pk, "heats"]))
    assert not scrolls_sideways(page)
    assert page.get_by_label("Rank", exact=True).first.bounding_box()["height"] >= 44
    assert page.get_by_label("Rank", exact=True).first.get_attribute("inputmode") == "numeric"

    page.get_by_label("Day", exact=True).fill("2024-08-31")
    page.get_by_label("Time at the venue").fill("10:12")
    for name, mark, rank in FIELD:
        fill_row(athlete_row(page, name), rank, mark, settled="Provisional")
    athlete_row(page, "Huseyn Hasanov").get_by_label("Mark", exact=True).fill("fast")
    page.get_by_role("button", name="Save all results").click()

    # Refused on the athlete's row, listed at the top with a link to it, and nothing typed is lost.
    summary = page.locator("#desk-errors")
    expect(summary).to_contain_text("Huseyn Hasanov")
    assert not scrolls_sideways(page)
    assert not Result.objects.filter(entry__event=event).exists()
    expect(athlete_row(page, "Aghamali Abbasov").get_by_label("Mark", exact=True)).to_have_value("11.02")
    summary.get_by_role("link").first.click()
    assert urlsplit(page.url).fragment.startswith("entry-")

    athlete_row(page, "Huseyn Hasanov").get_by_label("Mark", exact=True).fill("11.80")
    page.get_by_role("button", name="Save all results").click()

    expect(success_message(page)).to_contain_text("Saved 8 results in")
    assert not scrolls_sideways(page)
    heats = Round.objects.get(event=event, kind=Round.Kind.HEATS)
    assert heats.results.count() == 8
    assert heats.results.get(entry__athlete__name="Elvin Eyvazov").record == "SB"


def test_a_final_of_eight_with_medals_takes_three_page_loads_and_one_save(desk, page):
    from playwright.sync_api import expect

    event = sprint_of_eight()
    first = Athlete.objects.get(name=FIELD[0][0])
    loads, saves = [], []
    page.on("load", lambda loaded: loads.append(loaded.url))
    page.on("request", lambda request: request.is_navigation_request() and request.method == "POST" and saves.append(1))

    desk(reverse("admin:team_athlete_change", args=[first.pk]))
    page.locator("#entries-group").get_by_role("link", name="Enter result (final)").click()
    for name, mark, rank in FIELD:
        fill_row(athlete_row(page, name), rank, mark.split(" ")[0], medal=MEDALS.get(rank))
    page.get_by_role("button", name="Save all results").click()
    expect(success_message(page)).to_contain_text("Saved 8 results in")

    print(f"Enter a final of eight with medals: {len(loads)} page loads, {len(saves)} save(s).")
    assert len(loads) <= 3
    assert len(saves) == 1
    final = Round.objects.get(event=event, kind=Round.Kind.FINAL)
    assert sorted(final.results.exclude(medal="").values_list("medal", flat=True)) == ["bronze", "gold", "silver"]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_the_desk_with_errors_has_no_accessibility_violations(
    transactional_db, live_server, page_bypassing_csp, django_user_model, viewport
):
    # axe is injected as an inline script, which the admin's Content-Security-Policy forbids.
    page = page_bypassing_csp
    page.set_viewport_size(viewport)
    visit = log_in(page, live_server, django_user_model)
    event = sprint_of_eight()
    visit(reverse("admin:team_desk_round", args=[event.pk, "final"]))
    fill_row(athlete_row(page, FIELD[0][0]), 1, "fast", medal="Silver")
    page.get_by_role("button", name="Save all results").click()
    page.locator("#desk-errors").wait_for()

    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert not page.evaluate(DANGLING_REFERENCES)
    mark = athlete_row(page, FIELD[0][0]).get_by_label("Mark", exact=True)
    assert mark.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#{mark.get_attribute('aria-describedby')}")
    assert error.inner_text().startswith("Para athletics, men – 100 m sprint")
