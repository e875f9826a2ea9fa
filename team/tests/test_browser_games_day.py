"""A Games day at the desk, counted: the page loads and saves an editor of the Editors group needs to correct
a name, withdraw an athlete, enter a final of eight with medals and resolve two review flags.

Before the results desk, one medal took 6 page loads and 2 saves, and resolving a review flag after fixing its
fact about 5 more page loads. The figures are printed (`pytest -s`) and bounded here, so a change that makes
the desk slower to work shows up as a failing test.
"""

import pytest
from django.urls import reverse

from team.models import Athlete, Change, ReviewFlag, Round
from team.tests.test_browser_desk import FIELD, MEDALS, athlete_row, fill_row, log_in, sprint_of_eight, success_message

pytestmark = pytest.mark.browser


class Counter:
    """Page loads (the main frame's `load` events) and saves (form submissions: POST navigations) on a page."""

    def __init__(self, page):
        self.page = page
        self.loads = self.saves = 0
        page.on("load", lambda _page: self.count_load())
        page.on("request", lambda request: self.count_request(request))

    def count_load(self):
        self.loads += 1

    def count_request(self, request):
        if request.is_navigation_request() and request.method == "POST":
            self.saves += 1

    def task(self, name, figures):
        """Start counting a task; `figures[name]` gets (loads, saves) when the block ends."""
        counter = self

        class Task:
            def __enter__(self):
                counter.page.wait_for_load_state("load")
                self.start = (counter.loads, counter.saves)

            def __exit__(self, *exc):
                counter.page.wait_for_load_state("load")  # the last page's load is counted in its own task
                figures[name] = (counter.loads - self.start[0], counter.saves - self.start[1])

        return Task()


def test_a_games_day_counted(transactional_db, live_server, page, django_user_model):
    from playwright.sync_api import expect

    visit = log_in(page, live_server, django_user_model)
    event = sprint_of_eight()
    counter = Counter(page)
    figures = {}

    # Correct a name: the flagbearer's spelling, its address, and the review flag that asked, in one save.
    khalilov = Athlete.objects.get(slug="imameddin-khalilov")
    spelling = ReviewFlag.objects.open().get(athlete=khalilov)
    with counter.task("correct a name (and resolve its flag)", figures):
        visit(reverse("admin:team_athlete_change", args=[khalilov.pk]))
        page.locator("#id_name").fill("Imamaddin Khalilov")
        page.locator("#id_slug").fill("imamaddin-khalilov")
        page.locator("#id_correction_note").fill("His name is spelt Imamaddin, as in the official entry list.")
        page.get_by_role("checkbox", name=spelling.note).check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(success_message(page)).to_be_visible()
    khalilov.refresh_from_db()
    assert khalilov.name == "Imamaddin Khalilov"
    spelling.refresh_from_db()
    assert spelling.resolved_at is not None

    # Withdraw an athlete: the list's action, with the reason and a note for readers.
    with counter.task("withdraw an athlete", figures):
        visit(reverse("admin:team_athlete_changelist"))
        page.get_by_role("row").filter(has_text="Vali Israfilov").get_by_role("checkbox").check()
        page.get_by_label("Action:").select_option(label="Mark selected as withdrawn…")
        page.get_by_role("button", name="Run").click()
        page.get_by_label("Reason").fill("Withdrawn injured (team statement, 30 August)")
        page.get_by_label("Public note").fill("Vali Israfilov withdrew injured, his team said on 30 August.")
        page.locator("form input[type=submit]").click()
        expect(success_message(page)).to_be_visible()
    assert Athlete.objects.get(name="Vali Israfilov").is_withdrawn

    # Enter a final of eight with medals, from the first finalist's page.
    first = Athlete.objects.get(name=FIELD[0][0])
    with counter.task("enter a final of eight with medals", figures):
        visit(reverse("admin:team_athlete_change", args=[first.pk]))
        page.locator("#entries-group").get_by_role("link", name="Enter result (final)").click()
        for name, mark, rank in FIELD:
            fill_row(athlete_row(page, name), rank, mark.split(" ")[0], medal=MEDALS.get(rank))
        page.get_by_role("button", name="Save all results").click()
        expect(success_message(page)).to_contain_text("Saved 8 results in")
    assert Round.objects.get(event=event, kind="final").results.exclude(medal="").count() == 3

    # Resolve two flags: Roman Saleh's events and classes, checked against the official entry list.
    saleh = Athlete.objects.get(slug="roman-saleh")
    flags = list(ReviewFlag.objects.open().filter(athlete=saleh))
    assert len(flags) == 2
    with counter.task("resolve two flags", figures):
        visit(reverse("admin:team_athlete_change", args=[saleh.pk]))
        page.locator("#id_correction_note").fill(
            "Checked with the official entry list: four events, S12 in three and S13 in the 50 m freestyle."
        )
        for flag in flags:
            page.get_by_role("checkbox", name=flag.note).check()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(success_message(page)).to_be_visible()
    assert not ReviewFlag.objects.open().filter(athlete=saleh).exists()

    for task, (loads, saves) in figures.items():
        print(f"{task}: {loads} page loads, {saves} saves")
    assert figures == {
        "correct a name (and resolve its flag)": (2, 1),
        "withdraw an athlete": (3, 2),
        "enter a final of eight with medals": (3, 1),
        "resolve two flags": (2, 1),
    }
    # Readers find the corrections and the withdrawal in the corrections log, each once.
    visit(reverse("team:corrections"))
    log = page.locator("main")
    expect(log.get_by_text("Vali Israfilov withdrew injured, his team said on 30 August.")).to_have_count(1)
    expect(log.get_by_text("His name is spelt Imamaddin, as in the official entry list.")).to_have_count(1)
    assert Change.objects.filter(correction_note__icontains="withdrew injured").exists()
