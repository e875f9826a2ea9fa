"""An editor imports an official results table, clicked through in headless Chromium.

A member of the Editors group (staff, not a superuser) opens the import from
the rounds list, pastes the final of the mixed 50 m pistol as the official
results page copies out (every nation, "SURNAME Given"), with one bad mark.
The preview shows the error; the editor fixes the row in the same text, cites
the results page as a new source, previews again and confirms. Readers see the
medals on the event page; then the whole import is reverted in one step and
they are gone.
"""

import pytest
from django.urls import reverse

from team.models import Change, Event, Result
from team.tests.test_browser_desk import log_in

pytestmark = pytest.mark.browser

EVENT_SLUG = "shooting-p4-50m"
GOOD_ROW = "=3\tBABAYEVA Aybeniz\tAZE\t220.1\t"
BAD_ROW = "=3\tBABAYEVA Aybeniz\tAZE\t220,1 points\t"
TABLE = "Rank\tName\tNPC\tResult\tNotes\n1\tZEYNALOV Kamran\tAZE\t234.5\tPR\n2\tPARK Jinho\tKOR\t232.0\t\n{row}\n"


def test_editor_imports_a_results_table_fixes_a_row_confirms_and_reverts_it_whole(
    transactional_db, live_server, page, django_user_model, tmp_path
):
    from playwright.sync_api import expect

    visit = log_in(page, live_server, django_user_model)
    event = Event.objects.get(slug=EVENT_SLUG)

    # 1. Logged in as an editor, open the import from the rounds list.
    visit(reverse("admin:team_round_changelist"))
    page.get_by_role("link", name="Import results or a schedule").click()

    # 2. Paste the table with one bad mark and preview it: the error is shown, nothing can be confirmed.
    page.get_by_label("Results of one round").check()
    page.get_by_label("Event", exact=True).select_option(label=event.name)
    page.get_by_label("Round", exact=True).select_option(label="Final")
    page.get_by_label("These results are").select_option(label="Official")
    page.get_by_label("Table", exact=True).fill(TABLE.format(row=BAD_ROW))
    page.get_by_role("button", name="Preview").click()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors).to_contain_text("220,1 points")
    expect(errors).to_contain_text("points such as 563")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    expect(page.locator("#import-skipped")).to_contain_text("PARK Jinho (KOR)")
    page.screenshot(path=tmp_path / "import-preview.png", full_page=True)

    # 3. Fix the row in the text kept in the form, cite the results page, preview again and confirm.
    table = page.get_by_label("Table", exact=True)
    expect(table).to_have_value(TABLE.format(row=BAD_ROW))
    table.fill(table.input_value().replace(BAD_ROW, GOOD_ROW))
    page.locator("summary", has_text="Add a new source").click()
    page.get_by_label("New source: outlet").fill("Paris 2024 official results")
    page.get_by_role("button", name="Preview again").click()
    expect(page.locator("#import-errors")).to_have_count(0)
    expect(page.locator("#import-new")).to_contain_text("Kamran Zeynalov – Final")
    page.get_by_role("button", name="Confirm import").click()
    message = page.locator("ul.messagelist li.success")
    expect(message).to_contain_text("3 added")
    revert_link = message.get_by_role("link", name="Revert this import").get_attribute("href")
    assert Result.objects.filter(round__event=event).count() == 2

    # 4. Readers see the medals on the event page.
    visit(event.get_absolute_url())
    results = page.locator("section").filter(has=page.get_by_role("heading", name="Final"))
    expect(results).to_contain_text("Kamran Zeynalov")
    expect(results).to_contain_text("Gold medal")
    expect(results).to_contain_text("Aybeniz Babayeva")
    expect(results).to_contain_text("Bronze medal")

    # 5. Revert the whole import in one step, from the link in the message.
    visit(revert_link)
    expect(page.locator("#batch-changes tbody tr")).to_have_count(4)
    page.get_by_role("button", name="Yes, revert the whole batch").click()
    expect(page.locator("ul.messagelist li.success")).to_contain_text("Reverted the 4 changes")
    visit(event.get_absolute_url())
    expect(page.get_by_text("Kamran Zeynalov", exact=False).locator("xpath=ancestor::table")).to_have_count(0)
    expect(page.get_by_text("Gold medal")).to_have_count(0)
    assert not Result.objects.filter(round__event=event).exists()
    assert Change.objects.filter(reverts__isnull=False).count() == 4
    assert (tmp_path / "import-preview.png").stat().st_size > 0
